"""Command line: cluster embeddings stored on disk, and label new rows with
the saved model.

    sklearn-hume fit view1.npy view2.npy --n-clusters 10 -o labels.npy --model m.skops
    sklearn-hume predict new1.npy new2.npy --model m.skops -o new_labels.npy
    sklearn-hume transform new1.npy new2.npy --model m.skops -o new_soft.npy
    sklearn-hume benchmark [--dataset mfeat]
"""

import argparse
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

from ._files import atomic_write, save_npy


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
    # pandas' to_csv(index=False) of an unnamed frame writes the column numbers 0,1,...
    if header is None and len(first) > 1 and [x.strip() for x in first] == [str(i) for i in range(len(first))]:
        print(f"note: {path}: the first row ({','.join(first[:3])},...) numbers the columns and is read as a header",
              file=sys.stderr)
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
    """Refuse, before any fitting, an output that exists (without --force),
    that is not a regular file, or whose folder does not exist or cannot be
    written (found by creating and removing a file there)."""
    if path is None:
        return
    p = Path(os.path.realpath(path))  # through a symlink: its target is written
    if p.is_dir():
        _fail(f"{path} is a folder; give a file name")
    if not p.parent.is_dir():
        _fail(f"{path}: the folder {str(p.parent)!r} does not exist")
    if p.exists() and not p.is_file():
        _fail(f"{path} exists and is not a regular file; it is not replaced")
    if p.exists() and not force:
        _fail(f"{path} exists; pass --force to overwrite it")
    try:
        fd, probe = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        _fail(f"{path}: cannot write in {str(p.parent)!r} ({exc.strerror or exc})")


def _write(path, write):
    """:func:`~sklearn_hume._files.atomic_write` to ``path`` (through a
    symlink: it stays one, its target gets the new file); a full disk or a
    quota gives the CLI's error line, nothing left behind."""
    try:
        atomic_write(os.path.realpath(path), write)
    except OSError as exc:
        _fail(f"{path}: cannot write it ({exc.strerror or exc})")


def _save_array(path, a, fmt=None):
    def write(tmp):
        if Path(path).suffix == ".csv":
            np.savetxt(tmp, a, fmt=fmt or "%.8g", delimiter=",")
        else:
            save_npy(tmp, a)
    _write(path, write)


def _save_text(path, text):
    _write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _read_views(paths):
    """Every view in ``paths`` and, per view, the file it came from; the
    files must hold the same rows."""
    views, names = [], []
    for path in paths:
        arrays = _read_view(path)
        views += arrays
        names += [path] * len(arrays)
    rows = [v.shape[0] for v in views]
    if len(set(rows)) != 1:
        _fail(f"the views have different numbers of rows {dict(zip(paths, rows))}; each row must be the same "
              "sample in every view")
    return views, names


def _fit(a):
    from ._hume import HumeClustering
    from ._persistence import is_skops, save_model

    for out in (a.output, a.soft, a.model):
        _check_output(out, a.force)
    if a.model and is_skops(a.model):
        from ._persistence import _skops

        try:
            _skops()
        except ImportError as exc:  # before the fit, not after it
            _fail(str(exc))
    views, names = _read_views(a.views)
    sizes = [v.shape[1] for v in views]
    if a.view_sizes:
        if len(views) != 1:
            _fail("--view-sizes splits one file's matrix; the views come from several files here")
        sizes = [int(s) for s in a.view_sizes.split(",")]
    elif len(views) == 1:
        print("note: one view given; HUME is meant for two or more (see --view-sizes)", file=sys.stderr)
    est = HumeClustering(n_clusters=a.n_clusters, objective=a.objective, balance=a.balance, n_runs=a.n_runs,
                         n_iter=a.n_iter, temperature=a.temperature, view_sizes=sizes, random_state=a.random_state,
                         device=a.device, n_jobs=a.n_jobs, verbose=0 if a.quiet else 1)
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
        fmt = "skops" if is_skops(a.model) else "joblib"
        _write(a.model, lambda tmp: save_model(est, tmp, format=fmt))
    if not a.quiet:
        sizes = np.bincount(est.labels_, minlength=a.n_clusters)
        print(f"wrote {len(est.labels_)} labels to {a.output}; cluster sizes {sizes.tolist()}")
        if len(est.view_sizes_) > 1:
            print(f"score (agreement of the views' labelings, adjusted Rand index, 1 is best): {est.score(X):.3f}")


def _load(path):
    """The fitted model in ``path``, with a warning on stderr for a pickle."""
    import warnings

    from ._persistence import PICKLE_WARNING, is_skops, load_model

    if not Path(path).is_file():
        _fail(f"{path}: no such model file")
    if not is_skops(path):
        print(f"warning: {PICKLE_WARNING.format(path=path)}", file=sys.stderr)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # said on stderr above
            est = load_model(path)
    except Exception as exc:
        _fail(f"{path}: cannot load the model ({exc})")
    if not hasattr(est, "labels_") or not hasattr(est, "predict"):
        _fail(f"{path}: not a fitted HumeClustering model")
    return est


def _apply(a):
    """``predict`` or ``transform``: the saved model on new rows."""
    _check_output(a.output, a.force)
    est = _load(a.model)
    views, names = _read_views(a.views)
    widths = [v.shape[1] for v in views]
    expected = est.view_sizes_.tolist()
    if len(views) == 1 and len(expected) > 1 and widths[0] == sum(expected):
        X = views[0]  # one matrix holding the views side by side, as at fit time
    elif widths != expected:
        _fail(f"{', '.join(dict.fromkeys(names))}: the views have {widths} columns but the model was fitted on "
              f"views of {expected} columns; pass the same views, in the same order")
    else:
        X = np.hstack(views)
    X = X.astype(np.float32, copy=False)
    try:
        if a.command == "predict":
            out = est.predict(X, contamination=a.contamination, threshold=a.threshold)
        else:
            out = est.transform(X)
    except ValueError as exc:
        _fail(f"{', '.join(dict.fromkeys(names))}: {exc}")
    _save_array(a.output, out, fmt="%d" if a.command == "predict" else None)
    if not a.quiet:
        what = "labels" if a.command == "predict" else "soft assignments"
        rejected = int((out == -1).sum()) if a.command == "predict" else 0
        extra = f" ({rejected} rows labelled -1: none of the clusters)" if rejected else ""
        print(f"wrote {len(out)} {what} to {a.output}{extra}")


def _report(a):
    """``report``: one HTML file about the saved model's fit."""
    from ._report import build_report

    _check_output(a.output, a.force)
    est = _load(a.model)
    views, names = _read_views(a.views)
    images = texts = None
    if a.images is not None:
        images = np.load(a.images) if a.images.endswith(".npy") else _read_lines(a.images)
    if a.texts is not None:
        texts = _read_lines(a.texts)
    X = views[0] if len(views) == 1 else [v.astype(np.float32, copy=False) for v in views]
    try:
        page = build_report(est, X, images=images, texts=texts, n=a.n, title=a.title)
    except ValueError as exc:
        _fail(f"{', '.join(dict.fromkeys(names))}: {exc}")
    _save_text(a.output, page)
    if not a.quiet:
        print(f"wrote the report on {len(est.labels_)} rows to {a.output}")


def _read_lines(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f]
    except OSError as exc:
        _fail(f"{path}: cannot read it ({exc.strerror or exc})")


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="sklearn-hume", description="Find the human labeling of your embeddings.")
    sub = ap.add_subparsers(dest="command", required=True)
    f = sub.add_parser("fit", help="cluster two or more views of the same samples")
    f.add_argument("views", nargs="+", help=".npy / .npz / .csv files, one row per sample (an .npz may hold several "
                                            "views; a CSV may have a header row and an index column)")
    f.add_argument("--n-clusters", "-k", type=int, required=True)
    f.add_argument("-o", "--output", required=True, help="labels file: .npy, or .csv for text; written exactly there")
    f.add_argument("--soft", help="also write the soft assignments (.npy or .csv)")
    f.add_argument("--model", help="also save the fitted estimator to this file: *.skops loads without running "
                                   "code (needs skops); any other name is a joblib pickle")
    f.add_argument("--force", action="store_true", help="overwrite output files that exist")
    f.add_argument("--view-sizes", help="split a single file's matrix into views of these widths, e.g. 76,240")
    f.add_argument("--objective", default="loo", choices=["loo", "turtle", "hume"])
    f.add_argument("--balance", default="auto", choices=["entropy", "free", "density", "auto"],
                   help="auto (default): fit with equal cluster sizes and with density-weighted ones, keep the "
                        "labeling the views' kNN graph prefers; entropy: equal sizes only (faster); density: "
                        "density-weighted only; free: no size preference")
    f.add_argument("--n-runs", type=int, default=8)
    f.add_argument("--n-iter", type=int, default=None, help="outer iterations (default: the objective's)")
    f.add_argument("--temperature", type=float, default=None, help="label temperature (default: 0.1)")
    f.add_argument("--n-jobs", type=int, default=None, help="fit chunks of runs in parallel")
    f.add_argument("--random-state", type=int, default=0)
    f.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    f.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")
    for name, what in (("predict", "labels"), ("transform", "soft assignments")):
        p = sub.add_parser(name, help=f"{what} of new rows from a model saved by fit --model")
        p.add_argument("views", nargs="+", help="the same views as at fit time, in the same order (.npy / .npz / .csv)")
        p.add_argument("--model", required=True, help="the model file (.skops, or a joblib pickle: loading a "
                                                      "pickle runs any code it holds, so only load your own)")
        p.add_argument("-o", "--output", required=True, help=f"{what} file: .npy, or .csv for text")
        p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
        p.add_argument("--quiet", "-q", action="store_true", help="no summary")
        if name == "predict":
            reject = p.add_mutually_exclusive_group()
            reject.add_argument("--contamination", type=float, default=None,
                                help="label -1 the rows that score below this share of the training rows "
                                     "(score_samples; e.g. 0.05); off by default")
            reject.add_argument("--threshold", type=float, default=None,
                                help="or label -1 the rows whose score_samples is below this value")
    r = sub.add_parser("report", help="one self-contained HTML file about a fit saved by fit --model")
    r.add_argument("views", nargs="+", help="the training views, as given to fit (.npy / .npz / .csv)")
    r.add_argument("--model", required=True, help="the model file (.skops, or a joblib pickle you trust)")
    r.add_argument("-o", "--output", required=True, help="the HTML file to write")
    r.add_argument("--images", help="per training row an image: an .npy array (n, h, w) or a text file with "
                                    "one image path per line")
    r.add_argument("--texts", help="a text file with one text per training row (shown as snippets)")
    r.add_argument("-n", type=int, default=6, help="representatives of each kind per cluster (default 6)")
    r.add_argument("--title", default="HumeClustering report")
    r.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    r.add_argument("--quiet", "-q", action="store_true", help="no summary")
    sub.add_parser("benchmark", help="the benchmark against KMeans (python -m sklearn_hume.benchmark --help)",
                   add_help=False)
    from_shell = argv is None
    argv = sys.argv[1:] if argv is None else list(argv)
    if from_shell and threading.current_thread() is threading.main_thread():
        # SIGTERM unwinds like Ctrl-C, so that no temporary file is left beside an output.
        signal.signal(signal.SIGTERM, _terminate)
    if argv[:1] == ["benchmark"]:
        from .benchmark import main as bench

        return bench(argv[1:])
    a = ap.parse_args(argv)
    if a.command == "report":
        return _report(a)
    return _fit(a) if a.command == "fit" else _apply(a)


if __name__ == "__main__":
    main()
