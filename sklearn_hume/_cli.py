"""Command line: cluster embeddings stored on disk.

    sklearn-hume fit view1.npy view2.npy --n-clusters 10 -o labels.npy
    sklearn-hume benchmark [--dataset mfeat]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np


def _fail(msg):
    raise SystemExit(f"error: {msg}")


def _read_csv(path):
    """Comma-separated numbers with an optional header row and an optional
    index column (a first column named like an index, or holding exactly
    0, 1, 2, ... as pandas writes it)."""
    with open(path) as fh:
        first = fh.readline().strip().split(",")
    try:
        [float(x) for x in first]
        header = None
    except ValueError:
        header = first
    a = np.loadtxt(path, delimiter=",", skiprows=0 if header is None else 1, ndmin=2)
    index_name = header is not None and header[0].strip().lower() in ("", "index", "unnamed: 0", "id")
    counts = a.shape[1] > 1 and np.array_equal(a[:, 0], np.arange(len(a)))
    if index_name or (header is not None and counts):
        print(f"note: {path}: the first column ({header[0]!r}) is an index and is not used as a feature",
              file=sys.stderr)
        a = a[:, 1:]
    return a


def _read_view(path):
    """The views in one file: ``.npy`` (one), ``.npz`` (every array, in order)
    or ``.csv``/``.txt``."""
    p = Path(path)
    if not p.is_file():
        _fail(f"{path}: no such file")
    try:
        if p.suffix == ".npy":
            arrays = [np.load(p, allow_pickle=False)]
        elif p.suffix == ".npz":
            with np.load(p, allow_pickle=False) as f:
                arrays = [f[k] for k in f.files]
        elif p.suffix in (".csv", ".txt"):
            arrays = [_read_csv(p)]
        else:
            _fail(f"{path}: unsupported file type {p.suffix!r} (use .npy, .npz or .csv)")
    except SystemExit:
        raise
    except Exception as exc:  # unreadable or corrupt file: say which and why
        _fail(f"{path}: cannot read it ({exc})")
    for a in arrays:
        if a.ndim != 2 or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
            _fail(f"{path}: expected a 2-D numeric array, got shape {a.shape} of {a.dtype}")
        if np.iscomplexobj(a):
            _fail(f"{path}: complex values; HUME needs real-valued features")
        if not np.isfinite(a).all():
            _fail(f"{path}: contains NaN or infinite values")
    return arrays


def _check_output(path, force):
    """Refuse, before any fitting, an output that exists (without --force) or
    whose folder does not."""
    if path is None:
        return
    p = Path(path)
    if not p.parent.is_dir():
        _fail(f"{path}: the folder {str(p.parent)!r} does not exist")
    if p.exists() and not force:
        _fail(f"{path} exists; pass --force to overwrite it")


def _write(path, write):
    """Write through a temporary file in the same folder, then rename: a
    reader never sees half a file, and a failure leaves nothing behind."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _save_array(path, a, fmt=None):
    def write(tmp):
        if Path(path).suffix == ".csv":
            np.savetxt(tmp, a, fmt=fmt or "%.8g", delimiter=",")
        else:
            with open(tmp, "wb") as fh:  # np.save(filename) would append ".npy"
                np.save(fh, a)
    _write(path, write)


def _fit(a):
    import joblib

    from ._hume import HumeClustering

    for out in (a.output, a.soft, a.model):
        _check_output(out, a.force)
    views, names = [], []
    for path in a.views:
        arrays = _read_view(path)
        views += arrays
        names += [path] * len(arrays)
    rows = [v.shape[0] for v in views]
    if len(set(rows)) != 1:
        _fail(f"the views have different numbers of rows {dict(zip(a.views, rows))}; each row must be the same "
              "sample in every view")
    sizes = [v.shape[1] for v in views]
    if a.view_sizes:
        if len(views) != 1:
            _fail("--view-sizes splits one file's matrix; the views come from several files here")
        sizes = [int(s) for s in a.view_sizes.split(",")]
    elif len(views) == 1:
        print("note: one view given; HUME is meant for two or more (see --view-sizes)", file=sys.stderr)
    est = HumeClustering(n_clusters=a.n_clusters, objective=a.objective, n_runs=a.n_runs, n_iter=a.n_iter,
                         temperature=a.temperature, view_sizes=sizes, random_state=a.random_state, device=a.device,
                         n_jobs=a.n_jobs, verbose=0 if a.quiet else 1)
    X = np.hstack([v.astype(np.float32, copy=False) for v in views])
    try:
        est.fit(X)
    except ValueError as exc:
        _fail(f"{', '.join(dict.fromkeys(names))}: {exc}")
    _save_array(a.output, est.labels_, fmt="%d")
    if a.soft:
        _save_array(a.soft, est.transform(X))
    if a.model:
        est.set_params(verbose=0)  # a saved model stays quiet where it is loaded
        _write(a.model, lambda tmp: joblib.dump(est, tmp))
    if not a.quiet:
        sizes = np.bincount(est.labels_, minlength=a.n_clusters)
        print(f"wrote {len(est.labels_)} labels to {a.output}; cluster sizes {sizes.tolist()}")
        if len(est.view_sizes_) > 1:
            print(f"score (agreement of the views' labelings, adjusted Rand index, 1 is best): {est.score(X):.3f}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="sklearn-hume", description="Find the human labeling of your embeddings.")
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="cluster two or more views of the same samples")
    f.add_argument("views", nargs="+", help=".npy / .npz / .csv files, one row per sample (an .npz may hold several "
                                            "views; a CSV may have a header row and an index column)")
    f.add_argument("--n-clusters", "-k", type=int, required=True)
    f.add_argument("-o", "--output", required=True, help="labels file: .npy, or .csv for text; written exactly there")
    f.add_argument("--soft", help="also write the soft assignments (.npy or .csv)")
    f.add_argument("--model", help="also save the fitted estimator (joblib) to this file")
    f.add_argument("--force", action="store_true", help="overwrite output files that exist")
    f.add_argument("--view-sizes", help="split a single file's matrix into views of these widths, e.g. 76,240")
    f.add_argument("--objective", default="loo", choices=["loo", "turtle", "hume"])
    f.add_argument("--n-runs", type=int, default=8)
    f.add_argument("--n-iter", type=int, default=None, help="outer iterations (default: the objective's)")
    f.add_argument("--temperature", type=float, default=None, help="label temperature (default: 0.1)")
    f.add_argument("--n-jobs", type=int, default=None, help="fit chunks of runs in parallel")
    f.add_argument("--random-state", type=int, default=0)
    f.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    f.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    sub.add_parser("benchmark", help="the benchmark against KMeans (python -m sklearn_hume.benchmark --help)",
                   add_help=False)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["benchmark"]:
        from .benchmark import main as bench

        return bench(argv[1:])
    a = ap.parse_args(argv)
    return _fit(a)


if __name__ == "__main__":
    main()
