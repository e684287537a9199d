"""Default fit time and ACC against KMeans(n_init=10) as N grows (issue 30):
wordnet10's two views (384 + 768 columns, 10 classes), tiled with noise to
the larger sizes (each copy of a row gets Gaussian noise of 0.05 times each
column's standard deviation, so that no two rows are equal; the copies keep
the row's class). Both methods fitted side by side in one run, so their
ratio is what to read on a noisy machine.

    python benchmarks/bench_speed.py [--sizes 2000,10000,50000,50001,100000,200000] [--no-kmeans] [--entropy]
                                     [--repeat 1]

``--entropy`` also times ``balance="entropy"`` (the default before
``balance="auto"``) in the same run, for the ratio of the two. ``--repeat N``
fits every method N times, alternating, and prints the median times: on a
2-core machine one fit's time varies by a fifth from run to run.
"""

import argparse
import time
import warnings

import numpy as np
from _common import DEFAULT_DATA, kmeans_features, load
from sklearn.base import clone
from sklearn.cluster import KMeans

from sklearn_hume import HumeClustering, cluster_accuracy


def tiled(views, y, n, seed=0):
    """``n`` rows: the case's rows repeated, every copy after the first with noise."""
    rng = np.random.default_rng(seed)
    reps = int(np.ceil(n / len(y)))
    idx = np.concatenate([rng.permutation(len(y)) for _ in range(reps)])[:n]
    copy = np.repeat(np.arange(reps), len(y))[:n] > 0
    out = []
    for v in views:
        scale = v.std(0, keepdims=True) * 0.05
        w = v[idx].copy()
        w[copy] += (rng.standard_normal((int(copy.sum()), v.shape[1])) * scale).astype(v.dtype)
        out.append(w)
    return out, y[idx]


def _timed(model, X):
    """Seconds and labels of one fit of a fresh copy of ``model`` on ``X``."""
    model = clone(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        labels = model.fit(X).labels_
        return time.perf_counter() - t, labels


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="2000,10000,50000,50001,100000,200000")
    ap.add_argument("--case", default="wordnet10")
    ap.add_argument("--no-kmeans", action="store_true")
    ap.add_argument("--entropy", action="store_true", help="also time balance='entropy'")
    ap.add_argument("--repeat", type=int, default=1,
                    help="fit each method this many times, alternating, and print the median time")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    a = ap.parse_args()
    views, y = load(a.data, a.case)
    K = len(np.unique(y))
    print("| N | HUME s | HUME ACC | KMeans s | KMeans ACC | HUME / KMeans |\n|---|---|---|---|---|---|")
    for n in [int(s) for s in a.sizes.split(",")]:
        vs, yy = tiled(views, y, n)
        F = None if a.no_kmeans else kmeans_features(vs)
        fits = {"default": (HumeClustering(K, random_state=0), vs)}
        if a.entropy:
            fits["entropy"] = (HumeClustering(K, balance="entropy", random_state=0), vs)
        if F is not None:
            fits["KMeans"] = (KMeans(K, n_init=10, random_state=0), F)
        # Alternated, so that a noisy stretch of the machine slows every method alike.
        times, labels = {name: [] for name in fits}, {}
        for _ in range(a.repeat):
            for name, (model, X) in fits.items():
                sec, labels[name] = _timed(model, X)
                times[name].append(sec)
        sec = {name: float(np.median(v)) for name, v in times.items()}
        acc = {name: cluster_accuracy(yy, v) for name, v in labels.items()}
        if a.entropy:
            print(f"| {n:,} | balance='entropy' {sec['entropy']:.1f} s, ACC {acc['entropy']:.3f}; "
                  f"default / entropy {sec['default'] / sec['entropy']:.2f} |", flush=True)
        if F is None:
            print(f"| {n:,} | {sec['default']:.1f} | {acc['default']:.3f} | – | – | – |", flush=True)
            continue
        print(f"| {n:,} | {sec['default']:.1f} | {acc['default']:.3f} | {sec['KMeans']:.1f} | {acc['KMeans']:.3f} | "
              f"{sec['default'] / sec['KMeans']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
