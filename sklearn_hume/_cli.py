"""Command line: cluster embeddings stored on disk.

    sklearn-hume fit view1.npy view2.npy --n-clusters 10 -o labels.npy
    sklearn-hume benchmark [--dataset mfeat]
"""

import argparse
import sys
from pathlib import Path

import numpy as np


def _read_view(path):
    """One view from ``.npy``, ``.npz`` (every array in the file, in order) or
    ``.csv`` (comma-separated numbers, an optional header row)."""
    p = Path(path)
    if not p.is_file():
        raise SystemExit(f"error: {path}: no such file")
    try:
        if p.suffix == ".npy":
            arrays = [np.load(p, allow_pickle=False)]
        elif p.suffix == ".npz":
            with np.load(p, allow_pickle=False) as f:
                arrays = [f[k] for k in f.files]
        elif p.suffix in (".csv", ".txt"):
            with open(p) as fh:
                first = fh.readline()
            try:
                [float(x) for x in first.strip().split(",")]
                skip = 0
            except ValueError:
                skip = 1
            arrays = [np.loadtxt(p, delimiter=",", skiprows=skip, ndmin=2)]
        else:
            raise SystemExit(f"error: {path}: unsupported file type {p.suffix!r} (use .npy, .npz or .csv)")
    except SystemExit:
        raise
    except Exception as exc:  # unreadable or corrupt file: say which and why
        raise SystemExit(f"error: {path}: cannot read it ({exc})") from exc
    for a in arrays:
        if a.ndim != 2 or not np.issubdtype(a.dtype, np.number):
            raise SystemExit(f"error: {path}: expected a 2-D numeric array, got shape {a.shape} of {a.dtype}")
    return arrays


def _fit(a):
    import joblib

    from ._hume import HumeClustering

    views = [v for path in a.views for v in _read_view(path)]
    rows = {v.shape[0] for v in views}
    if len(rows) != 1:
        raise SystemExit(f"error: the views have different numbers of rows {[v.shape[0] for v in views]}; "
                         "each row must be the same sample in every view")
    est = HumeClustering(n_clusters=a.n_clusters, objective=a.objective, n_runs=a.n_runs,
                         view_sizes=[v.shape[1] for v in views], random_state=a.random_state,
                         device=a.device, verbose=0 if a.quiet else 2)
    X = np.hstack([v.astype(np.float32, copy=False) for v in views])
    try:
        est.fit(X)
    except ValueError as exc:
        raise SystemExit(f"error: {exc}") from exc
    out = Path(a.output)
    if out.suffix == ".csv":
        np.savetxt(out, est.labels_, fmt="%d")
    else:
        np.save(out, est.labels_)
    if a.soft:
        np.save(a.soft, est.transform(X))
    if a.model:
        joblib.dump(est, a.model)
    if not a.quiet:
        sizes = np.bincount(est.labels_, minlength=a.n_clusters)
        print(f"wrote {len(est.labels_)} labels to {out}; cluster sizes {sizes.tolist()}; "
              f"label-free score {est.run_scores_[est.best_run_]:.3f}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="sklearn-hume", description="Find the human labeling of your embeddings.")
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="cluster two or more views of the same samples")
    f.add_argument("views", nargs="+", help=".npy / .npz / .csv files, one row per sample (an .npz may hold several views)")
    f.add_argument("--n-clusters", "-k", type=int, required=True)
    f.add_argument("-o", "--output", default="labels.npy", help="labels file (.npy, or .csv for text)")
    f.add_argument("--soft", help="also write the soft assignments to this .npy file")
    f.add_argument("--model", help="also save the fitted estimator (joblib) to this file")
    f.add_argument("--objective", default="loo", choices=["loo", "turtle", "hume"])
    f.add_argument("--n-runs", type=int, default=8)
    f.add_argument("--random-state", type=int, default=0)
    f.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    f.add_argument("--quiet", "-q", action="store_true")
    b = sub.add_parser("benchmark", help="run the benchmark against KMeans (python -m sklearn_hume.benchmark)",
                       add_help=False)
    b.add_argument("rest", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    if a.command == "benchmark":
        from .benchmark import main as bench

        return bench(a.rest)
    if len(a.views) == 1 and not a.views[0].endswith(".npz"):
        print("note: one view given; HUME is meant for two or more", file=sys.stderr)
    return _fit(a)


if __name__ == "__main__":
    main()
