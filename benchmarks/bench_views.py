"""Extra views: does passing every embedding you have cost accuracy?

    python benchmarks/bench_views.py [--cases mfeat,wordnet10,fashion10k,digits] [--seeds 0,1,2]
                                     [--additions noise,weak,duplicate,near,layer,all,noise3] [--no-peers]

For each shared case: the file's two views, then the two views plus one
addition, each fitted by the default ``HumeClustering`` (weak views left out,
``drop_weak_views=True``) beside today's fit of every view
(``drop_weak_views=False``), ``random_state`` 0-2, and the peers (KMeans, spectral clustering on the views
centred, row-normalised and side by side). Prints ACC (mean and range over
the seeds), which views the default used (seed 0), the views' fitted
``view_weights_`` (seed 0) and the mean fit time; writes
``results/views.md``.

The additions (exactly reproducible, seeds fixed here):

- ``noise``: 64 columns of standard Gaussian noise, ``default_rng(7)``;
- ``weak``: a random 8-column projection of X1 (Gaussian matrix,
  ``default_rng(8)``) plus Gaussian noise of the same per-column scale,
  ``default_rng(9)``;
- ``duplicate``: X1 again;
- ``all``: every view in the file (``V_*``);
- ``noise3``: three noise views of 64 columns, ``default_rng(7)``,
  ``default_rng(17)``, ``default_rng(27)``;
- ``near``: X1 rotated (a random orthogonal matrix, ``default_rng(10)``)
  plus Gaussian noise of half its mean column scale, ``default_rng(11)``:
  a near copy, as two checkpoints of one model give;
- ``layer``: ``tanh`` of a random layer of twice X1's width on X1's
  standardised columns (Gaussian weights over the square root of the
  width, ``default_rng(12)``): as two layers of one network give;
- ``V_<name>``: that one of the file's extra views (e.g. ``V_zer``, mfeat's
  Zernike moments), and ``each``: one row per extra view of the case, each
  added alone (``--additions each``: which informative views cost, and how
  much).
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from _common import DEFAULT_DATA, kmeans_features
from sklearn.cluster import KMeans, SpectralClustering

from sklearn_hume import HumeClustering, cluster_accuracy

OUT = Path(__file__).resolve().parent / "results"
VARIANTS = {"default": {}, "today": {"drop_weak_views": False}}


def noise_view(n, seed, width=64):
    return np.random.default_rng(seed).standard_normal((n, width)).astype(np.float32)


def weak_view(X1):
    Xc = X1 - X1.mean(0)
    W = Xc @ np.random.default_rng(8).standard_normal((X1.shape[1], 8))
    W = W + np.random.default_rng(9).standard_normal(W.shape) * W.std(0)
    return W.astype(np.float32)


def near_copy(X1):
    rotation = np.linalg.qr(np.random.default_rng(10).standard_normal((X1.shape[1], X1.shape[1])))[0]
    noise = np.random.default_rng(11).standard_normal(X1.shape) * (0.5 * X1.std(0).mean())
    return (X1 @ rotation + noise).astype(np.float32)


def layer_copy(X1):
    d = X1.shape[1]
    W = np.random.default_rng(12).standard_normal((d, 2 * d)) / np.sqrt(d)
    Xs = (X1 - X1.mean(0)) / np.maximum(X1.std(0), 1e-6)
    return np.tanh(Xs @ W).astype(np.float32)


def _digits():
    """scikit-learn's digits as ``load_digits_views`` gives them (pixels, HOG): never tuned on."""
    from sklearn_hume.datasets import load_digits_views

    v = load_digits_views()
    return {"X1": v.X1, "X2": v.X2, "y": v.y}


def case_views(data_dir, case, addition):
    d = _digits() if case == "digits" else np.load(Path(data_dir) / f"{case}.npz")
    X1, X2 = (np.asarray(d[k], dtype=np.float32) for k in ("X1", "X2"))
    views = [X1, X2]
    if addition == "noise":
        views.append(noise_view(len(X1), 7))
    elif addition == "weak":
        views.append(weak_view(X1))
    elif addition == "duplicate":
        views.append(X1.copy())
    elif addition == "all":
        views += [np.asarray(d[k], dtype=np.float32) for k in sorted(d) if k.startswith("V_")]
    elif addition == "noise3":
        views += [noise_view(len(X1), s) for s in (7, 17, 27)]
    elif addition == "near":
        views.append(near_copy(X1))
    elif addition == "layer":
        views.append(layer_copy(X1))
    elif addition.startswith("V_"):
        if addition not in d:
            raise ValueError(f"{case} has no view {addition!r}; its extra views: "
                             f"{sorted(k for k in d if k.startswith('V_'))}")
        views.append(np.asarray(d[addition], dtype=np.float32))
    elif addition != "none":
        raise ValueError(f"unknown addition {addition!r}")
    return views, d["y"].astype(np.int64)


def expand_additions(data_dir, case, additions):
    """The additions with ``each`` replaced by the case's extra views, one by one."""
    extra = [] if case == "digits" else sorted(k for k in np.load(Path(data_dir) / f"{case}.npz") if k.startswith("V_"))
    return [v for addition in additions for v in (extra if addition == "each" else [addition])]


def fit_hume(views, K, seed, params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        est = HumeClustering(K, view_sizes=[v.shape[1] for v in views], random_state=seed, **params).fit(
            np.hstack(views))
    return est, time.perf_counter() - t


def peers(views, y, K, seed):
    X = kmeans_features(views)
    km = KMeans(K, n_init=10, random_state=seed).fit(X).labels_
    sc = SpectralClustering(K, affinity="nearest_neighbors", n_neighbors=10, random_state=seed,
                            assign_labels="cluster_qr").fit(X).labels_
    return cluster_accuracy(y, km), cluster_accuracy(y, sc)


def fmt(accs):
    a = np.asarray(accs)
    return f"{a.mean():.3f} ({a.min():.3f}-{a.max():.3f})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="mfeat,wordnet10,fashion10k")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--additions", default="none,noise,weak,duplicate,near,layer,all,noise3")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--out", default=str(OUT / "views.md"))
    a = ap.parse_args(argv)
    seeds = [int(s) for s in a.seeds.split(",")]
    variants = a.variants.split(",")
    head = "| case | views | " + " | ".join(f"HUME {v}" for v in variants)
    head += " | views used | view_weights_ | fit s (" + ", ".join(variants) + ")"
    head += "" if a.no_peers else " | KMeans | Spectral"
    lines = [head + " |", "|" + "---|" * head.count("|")]
    print(lines[0], flush=True)
    for case in a.cases.split(","):
        for addition in expand_additions(a.data_dir, case, a.additions.split(",")):
            views, y = case_views(a.data_dir, case, addition)
            K = len(np.unique(y))
            accs, times, first = {}, {}, None
            for v in variants:
                accs[v], times[v] = [], []
                for seed in seeds:
                    est, t = fit_hume(views, K, seed, VARIANTS[v])
                    accs[v].append(cluster_accuracy(y, est.labels_))
                    times[v].append(t)
                    if first is None:
                        first = est
            row = f"| {case} | X1, X2{'' if addition == 'none' else ' + ' + addition} ({len(views)}) | "
            row += " | ".join(fmt(accs[v]) for v in variants)
            row += " | " + "".join("x" if u else "-" for u in first.views_used_)
            row += " | " + " ".join(f"{w:.2f}" for w in first.view_weights_)
            row += " | " + ", ".join(f"{np.mean(times[v]):.1f}" for v in variants)
            if not a.no_peers:
                km, sc = zip(*(peers(views, y, K, s) for s in seeds))
                row += f" | {fmt(km)} | {fmt(sc)}"
            lines.append(row + " |")
            print(lines[-1], flush=True)
    Path(a.out).parent.mkdir(exist_ok=True)
    Path(a.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
