"""Dataset loaders. The UCI Multiple Features digits ship inside the package."""

import hashlib
import importlib
import os
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._files import atomic_write, save_npy

MFEAT_VIEWS = ("fou", "pix", "fac", "kar", "zer", "mor")


def require(module, extra):
    """Import an optional dependency, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"This dataset needs the optional package {module!r}: install it with "
            f"pip install \"sklearn-hume[{extra}]\"."
        ) from exc


def content_key(*parts):
    """A short hash of everything that determines a cached result: arrays by
    their bytes, shape and dtype, other values by their ``repr``."""
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, np.ndarray):
            h.update(repr((p.shape, p.dtype.str)).encode())
            h.update(np.ascontiguousarray(p).data)
        else:
            h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def cached_features(directory, name, key, compute, what, verbose):
    """Features cached as ``directory/name_<key>.npy``, or computed once by
    ``compute()`` (saying ``what`` is being done when ``verbose``) and stored
    as float32. ``key`` (see :func:`content_key`) covers every input and
    parameter, so a change computes afresh; the file is written to a temporary
    name and renamed, so an interrupted build leaves no half file."""
    path = Path(directory) / f"{name}_{key}.npy"
    if path.is_file():
        return np.load(path)
    if verbose:
        print(f"{what} (once; cached in {path}) ...", flush=True)
    X = np.ascontiguousarray(compute(), dtype=np.float32)
    atomic_write(path, lambda tmp: save_npy(tmp, X))
    return X


def get_data_home(data_home=None):
    """Folder for datasets built or cached by ``sklearn_hume``.

    ``data_home`` if given, else the ``SKLEARN_HUME_DATA`` environment variable,
    else ``~/sklearn_hume_data``. Created if missing.

    Parameters
    ----------
    data_home : str or path-like, default=None

    Returns
    -------
    path : pathlib.Path
    """
    path = Path(data_home or os.environ.get("SKLEARN_HUME_DATA", Path.home() / "sklearn_hume_data")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_mfeat(*, views=("fou", "pix"), return_X_y=False):
    """Load the UCI Multiple Features handwritten digits (2,000 samples, 10 classes,
    six views), shipped with the package.

    Parameters
    ----------
    views : sequence of str, default=("fou", "pix")
        Which views make up ``data``, in order; any of ``"fou"``, ``"pix"``,
        ``"fac"``, ``"kar"``, ``"zer"``, ``"mor"``. ``X1`` and ``X2`` are the
        first two.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (the chosen views side by side, float32), ``view_sizes``,
        ``X1``, ``X2`` (the first two chosen views), ``views`` (a dict of all
        six), ``target``/``y`` (digits), ``target_names``, ``view_names`` and
        ``DESCR``.

    Examples
    --------
    >>> from sklearn_hume.datasets import load_mfeat
    >>> d = load_mfeat()
    >>> d.X1.shape, d.X2.shape, d.data.shape
    ((2000, 76), (2000, 240), (2000, 316))
    """
    views = list(views)
    unknown = [v for v in views if v not in MFEAT_VIEWS]
    if unknown or not views:
        raise ValueError(f"Unknown or no mfeat views {unknown}; choose from {list(MFEAT_VIEWS)}.")
    base = resources.files(__package__)
    with resources.as_file(base / "data" / "mfeat.npz") as path, np.load(path) as f:
        all_views = {k: f[k].astype(np.float32) for k in MFEAT_VIEWS}
        y = f["y"].astype(np.int64)
    data = np.hstack([all_views[v] for v in views])
    if return_X_y:
        return data, y
    chosen = [all_views[v] for v in views]
    return Bunch(
        data=data,
        view_sizes=[a.shape[1] for a in chosen],
        view_names=views,
        X1=chosen[0],
        X2=chosen[1] if len(chosen) > 1 else None,
        views=all_views,
        target=y,
        y=y,
        target_names=[str(i) for i in range(10)],
        DESCR=(base / "descr" / "mfeat.rst").read_text(),
    )
