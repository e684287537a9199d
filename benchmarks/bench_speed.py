"""Default fit time and ACC against KMeans(n_init=10) as N grows (issue 30):
wordnet10's two views (384 + 768 columns, 10 classes), tiled with noise to
the larger sizes (each copy of a row gets Gaussian noise of 0.05 times each
column's standard deviation, so that no two rows are equal; the copies keep
the row's class). Both methods fitted side by side in one run, so their
ratio is what to read on a noisy machine.

    python benchmarks/bench_speed.py [--sizes 2000,10000,50000,50001,100000,200000] [--no-kmeans] [--entropy]

``--entropy`` also times ``balance="entropy"`` (the default before
``balance="auto"``) in the same run, for the ratio of the two.
"""

import argparse
import time
import warnings

import numpy as np
from _common import DEFAULT_DATA, kmeans_features, load
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="2000,10000,50000,50001,100000,200000")
    ap.add_argument("--case", default="wordnet10")
    ap.add_argument("--no-kmeans", action="store_true")
    ap.add_argument("--entropy", action="store_true", help="also time balance='entropy'")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    a = ap.parse_args()
    views, y = load(a.data, a.case)
    K = len(np.unique(y))
    print("| N | HUME s | HUME ACC | KMeans s | KMeans ACC | HUME / KMeans |\n|---|---|---|---|---|---|")
    for n in [int(s) for s in a.sizes.split(",")]:
        vs, yy = tiled(views, y, n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            labels = HumeClustering(K, random_state=0).fit(vs).labels_
            hume_s = time.perf_counter() - t
        hume_acc = cluster_accuracy(yy, labels)
        if a.entropy:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = time.perf_counter()
                labels = HumeClustering(K, balance="entropy", random_state=0).fit(vs).labels_
                entropy_s = time.perf_counter() - t
            print(f"| {n:,} | balance='entropy' {entropy_s:.1f} s, ACC {cluster_accuracy(yy, labels):.3f}; "
                  f"default / entropy {hume_s / entropy_s:.2f} |", flush=True)
        if a.no_kmeans:
            print(f"| {n:,} | {hume_s:.1f} | {hume_acc:.3f} | – | – | – |", flush=True)
            continue
        F = kmeans_features(vs)
        t = time.perf_counter()
        km = KMeans(K, n_init=10, random_state=0).fit(F)
        km_s = time.perf_counter() - t
        print(f"| {n:,} | {hume_s:.1f} | {hume_acc:.3f} | {km_s:.1f} | {cluster_accuracy(yy, km.labels_):.3f} | "
              f"{hume_s / km_s:.2f} |", flush=True)


if __name__ == "__main__":
    main()
