"""Every warning of a fit points at the user's line, whatever path the data
took (in memory, memmap, dask) and whatever wraps ``fit`` (scikit-learn's
``_fit_context``, a ``Pipeline``)."""

import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_hume import HumeClustering

from .conftest import make_two_views

FAST = dict(n_runs=2, n_iter=5, random_state=0)


def _recorded(fit):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return caught


def _constant_second_view(kind, tmp_path):
    X1, X2, _ = make_two_views()
    X2 = np.ones_like(X2)
    if kind == "memmap":
        out = []
        for i, X in enumerate((X1, X2)):
            m = np.lib.format.open_memmap(tmp_path / f"v{i}.npy", mode="w+", dtype=np.float64, shape=X.shape)
            m[:] = X
            out.append(m)
        return out
    if kind == "dask":
        da = pytest.importorskip("dask.array")
        return [da.from_array(X, chunks=(30, -1)) for X in (X1, X2)]
    return [X1, X2]


@pytest.mark.parametrize("kind", ["memory", "memmap", "dask"])
def test_view_warnings_point_at_the_callers_line(kind, tmp_path):
    views = _constant_second_view(kind, tmp_path)
    caught = _recorded(lambda: HumeClustering(n_clusters=3, **FAST).fit(views))
    constant = [w for w in caught if "View 2 is constant" in str(w.message)]
    assert constant and all(w.filename == __file__ for w in constant)


def test_setting_and_fit_warnings_point_at_the_callers_line():
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, inner_steps=5, **FAST)  # "loo" does not read inner_steps
    caught = _recorded(lambda: est.fit(X1, X2))
    unused = [w for w in caught if "does not use inner_steps" in str(w.message)]
    assert unused and all(w.filename == __file__ for w in unused)
    # Twelve clusters of 90 rows in 5 iterations: the runs disagree, and say so at this line.
    caught = _recorded(lambda: HumeClustering(n_clusters=12, **FAST).fit(X1, X2))
    fit_warnings = [w for w in caught if "voting runs disagree" in str(w.message)
                    or "distinct clusters" in str(w.message)]
    assert fit_warnings and all(w.filename == __file__ for w in fit_warnings)


def test_warnings_through_a_pipeline_point_at_the_callers_line():
    X1, X2, _ = make_two_views()
    X = np.hstack([X1, np.ones_like(X2)])
    pipe = make_pipeline(FunctionTransformer(), HumeClustering(n_clusters=3, view_sizes=[6, 8], **FAST))
    caught = _recorded(lambda: pipe.fit(X))
    constant = [w for w in caught if "View 2 is constant" in str(w.message)]
    assert constant and all(w.filename == __file__ for w in constant)
