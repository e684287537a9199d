"""Generated inputs: every shape, dtype, scale, container and parameter
combination either fits to a valid labeling or raises a clear ValueError /
TypeError; the inputs are never modified."""

import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sklearn_hume import HumeClustering  # noqa: E402

DTYPES = [np.float32, np.float64, np.int64, np.bool_, np.float16]
SPECIALS = [None] * 6 + [np.nan, np.inf, -np.inf]


@st.composite
def problems(draw):
    n = draw(st.integers(1, 30))
    widths = draw(st.lists(st.integers(0, 5) | st.integers(1, 5), min_size=1, max_size=3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    scale = 10.0 ** draw(st.sampled_from([-30, -15, 0, 5, 19, 30]))
    dtype = draw(st.sampled_from(DTYPES))
    views = []
    for w in widths:
        v = rng.normal(size=(n, w)) * scale
        if draw(st.booleans()):
            v = v + rng.randint(0, 3, size=(n, 1)) * 3 * scale  # some cluster structure
        with np.errstate(invalid="ignore", over="ignore"):  # 1e30 as int64 or float32: garbage on purpose
            views.append(v.astype(dtype) if dtype is not np.float16 or scale == 1 else v)
    special = draw(st.sampled_from(SPECIALS))
    if special is not None and n and widths[0]:
        views[0] = views[0].astype(np.float64)
        views[0][0, 0] = special
    container = draw(st.sampled_from(["matrix", "views", "list", "lists", "frames"]))
    params = dict(n_clusters=draw(st.integers(1, 5)), n_runs=draw(st.integers(1, 3)), n_iter=draw(st.integers(0, 4)),
                  objective=draw(st.sampled_from(["loo", "loo", "turtle", "hume"])), random_state=0,
                  n_components=draw(st.sampled_from([None, 1, 3])))
    if params["objective"] == "turtle":
        params["inner_steps"] = 1
    if params["objective"] == "hume":
        params.update(inner_steps=1, n_subsets=1)
    return views, container, params


def as_container(views, container):
    if container == "matrix":
        return (np.hstack(views),), {"view_sizes": [v.shape[1] for v in views]}
    if container == "views":
        return tuple(views[:2]), {}
    if container == "list":
        return (list(views),), {}
    if container == "lists":
        return (np.hstack(views).tolist(),), {}
    pd = pytest.importorskip("pandas")
    return tuple(pd.DataFrame(v) for v in views[:2]), {}


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(problems())
def test_fit_answers_every_input(problem):
    views, container, params = problem
    args, extra = as_container(views, container)
    copies = [np.array(v, copy=True) for v in views]
    est = HumeClustering(**params, **extra)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(*args)
    except (ValueError, TypeError) as exc:
        event(f"{type(exc).__name__}: {str(exc)[:40]}")
        assert str(exc), "an error must say what is wrong"
        # numpy's and torch's own wording means an input reached code that did not expect it.
        assert not any(m in str(exc) for m in ("at least one array", "inhomogeneous", "could not broadcast",
                                               "index", "must match the size", "Expected all tensors"))
    else:
        event("fitted")
        n = views[0].shape[0]
        K = params["n_clusters"]
        assert est.labels_.shape == (n,) and est.labels_.min() >= 0 and est.labels_.max() < K
        P = est.transform(*args)
        assert P.shape == (n, K) and np.isfinite(P).all()
        np.testing.assert_allclose(P.sum(1), 1, rtol=1e-4)
        np.testing.assert_array_equal(est.predict(*args), est.labels_)
        assert np.isfinite(est.score(*args))
    for v, c in zip(views, copies):
        np.testing.assert_array_equal(v, c)
