"""Saving and loading fitted models: skops files, which load without running
code, or joblib pickles, which run whatever code the file holds."""

import warnings
from pathlib import Path

import joblib

# The types of a fitted HumeClustering that skops does not trust by default.
# Only these are trusted on load; a file naming any other type is refused.
PACKAGE = "sklearn_hume."
PICKLE_WARNING = ("{path} is a pickle (joblib): loading it runs any code the file holds, as with every pickle. "
                  "Load only files you trust; save models as .skops to load them safely.")


def _skops():
    try:
        import skops.io
    except ImportError:
        raise ImportError("Saving or loading a .skops model needs skops: pip install skops "
                          "(or pip install 'sklearn-hume[skops]').") from None
    return skops.io


def is_skops(path):
    return Path(path).suffix == ".skops"


def save_model(estimator, path, format=None):
    """Save a fitted estimator: as skops for a ``.skops`` path, else with joblib.

    Parameters
    ----------
    estimator : HumeClustering
        A fitted estimator. Its fitted state is NumPy arrays and plain
        Python values, so the skops file loads bit-identically.
    path : str or path-like
        ``*.skops`` is written with ``skops.io.dump`` (needs skops); any
        other name with ``joblib.dump`` (a pickle).
    format : {"skops", "joblib"}, default=None
        Overrides the choice by the file name.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sklearn_hume import HumeClustering, save_model, load_model
    >>> rng = np.random.RandomState(0)
    >>> X1, X2 = rng.normal(size=(40, 4)), rng.normal(size=(40, 3))
    >>> est = HumeClustering(n_clusters=2, n_runs=2, n_iter=5, random_state=0).fit(X1, X2)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.skops")
    >>> save_model(est, path)
    >>> bool((load_model(path).predict(X1, X2) == est.labels_).all())
    True
    """
    if format not in (None, "skops", "joblib"):
        raise ValueError(f"format must be 'skops', 'joblib' or None, got {format!r}.")
    if format == "skops" or (format is None and is_skops(path)):
        _skops().dump(estimator, path)
    else:
        joblib.dump(estimator, path)


def load_model(path):
    """Load a model saved by :func:`save_model` (or ``joblib.dump``).

    A ``.skops`` file is loaded with skops, trusting only sklearn-hume's own
    types beyond those skops trusts already: no code runs, and a file that
    names any other type is refused. Any other file is a pickle, loaded
    with joblib after a ``UserWarning``: unpickling runs whatever code the
    file holds (scikit-learn's model persistence guide says the same), so
    load only pickles you trust.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator : HumeClustering
    """
    if not is_skops(path):
        warnings.warn(PICKLE_WARNING.format(path=path), UserWarning, stacklevel=2)
        return joblib.load(path)
    sio = _skops()
    untrusted = sio.get_untrusted_types(file=path)
    foreign = [t for t in untrusted if not t.startswith(PACKAGE)]
    if foreign:
        raise ValueError(f"{path} holds types that are not sklearn-hume's: {foreign}. It was not saved by "
                         "save_model; inspect it and load it with skops.io.load(path, trusted=[...]) if you trust it.")
    return sio.load(path, trusted=untrusted)
