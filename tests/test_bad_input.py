"""Bad input: each case gets a clear error naming the problem, or a correct result."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_hume import HumeClustering

from .conftest import make_two_views

FAST = dict(n_runs=2, n_iter=10, random_state=0)


@pytest.fixture(scope="module")
def data():
    return make_two_views()


@pytest.fixture(scope="module")
def fitted(data):
    X1, X2, _ = data
    return HumeClustering(n_clusters=3, **FAST).fit(X1, X2)


def with_value(a, value):
    a = a.copy()
    a[3, 2] = value
    return a


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda X1, X2: (with_value(X1, np.nan), X2), ValueError, "NaN"),
        (lambda X1, X2: (X1, with_value(X2, np.nan)), ValueError, "NaN"),
        (lambda X1, X2: (with_value(X1, np.inf), X2), ValueError, "infinity"),
        (lambda X1, X2: (X1[:0], X2[:0]), ValueError, "0 sample"),
        (lambda X1, X2: (X1[:1], X2[:1]), ValueError, "minimum of 2"),
        (lambda X1, X2: (X1[:2], X2[:2]), ValueError, "n_samples=2 should be >= n_clusters=3"),
        (lambda X1, X2: (X1, X2[:50]), ValueError, "second view has 50 rows but X has 90"),
        (lambda X1, X2: (sp.csr_matrix(X1), X2), TypeError, "[Ss]parse"),
        (lambda X1, X2: (X1, sp.csr_matrix(X2)), TypeError, "[Ss]parse"),
        (lambda X1, X2: (X1.astype(str).astype(object) + "x", X2), ValueError, "could not convert|convert"),
        (lambda X1, X2: (np.full(X1.shape, "a"), X2), ValueError, "convert"),
        (lambda X1, X2: (X1[:, :, None], None), ValueError, "2D|2-D|dim"),
        (lambda X1, X2: (X1 + 1j, X2), ValueError, "[Cc]omplex"),
        (lambda X1, X2: (X1[:, 0], None), ValueError, "2D|2-D"),
    ],
    ids=["nan-view1", "nan-view2", "inf", "empty", "one-sample", "fewer-samples-than-clusters", "mismatched-rows",
         "sparse-view1", "sparse-view2", "object-strings", "string-dtype", "3d", "complex", "1d"],
)
def test_fit_rejects(data, make, error, match):
    X1, X2, _ = data
    A, B = make(X1, X2)
    with pytest.raises(error, match=match):
        HumeClustering(n_clusters=3, **FAST).fit(A, B)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_clusters=0), "n_clusters"),
        (dict(objective="kmeans"), "objective"),
        (dict(temperature=-1.0), "temperature"),
        (dict(device="tpu"), "device"),
        (dict(vote_fraction=0.0), "vote_fraction"),
        (dict(n_runs=0), "n_runs"),
        (dict(train_fraction=1.0), "train_fraction"),
    ],
)
def test_bad_parameters(data, params, match):
    X1, X2, _ = data
    with pytest.raises(InvalidParameterError, match=match):
        HumeClustering(**{"n_clusters": 3, **FAST, **params}).fit(X1, X2)


@pytest.mark.parametrize(
    "make",
    [
        lambda X1, X2: (X1.astype(np.float16), X2.astype(np.float16)),
        lambda X1, X2: (np.round(X1 * 10).astype(np.int64), np.round(X2 * 10).astype(np.int32)),
        lambda X1, X2: (X1.tolist(), X2.tolist()),
        lambda X1, X2: (X1.astype(object), X2),
        lambda X1, X2: (np.hstack([X1, np.ones((90, 2))]), X2),  # constant features
        lambda X1, X2: (X1, np.ones_like(X2)),  # a whole constant view
        lambda X1, X2: (np.vstack([X1, X1[:10]]), np.vstack([X2, X2[:10]])),  # duplicated rows
        lambda X1, X2: (X1 * 1e30, X2 * 1e-30),  # extreme scales
        lambda X1, X2: (np.asfortranarray(X1), X2[::-1][::-1]),
        lambda X1, X2: (X1 > 0, X2),  # booleans
    ],
    ids=["float16", "integers", "lists", "object-numbers", "constant-features", "constant-view", "duplicated-rows",
         "extreme-scales", "fortran-and-strided", "bool"],
)
def test_fit_accepts_and_labels_everything(data, make):
    X1, X2, y = data
    A, B = make(X1, X2)
    est = HumeClustering(n_clusters=3, **FAST).fit(A, B)
    n = len(A)
    assert est.labels_.shape == (n,) and set(est.labels_) <= {0, 1, 2}
    np.testing.assert_array_equal(est.predict(A, B), est.labels_)
    assert np.isfinite(est.transform(A, B)).all()


def test_one_cluster_and_one_feature(data):
    X1, X2, _ = data
    est = HumeClustering(n_clusters=1, **FAST).fit(X1, X2)
    assert (est.labels_ == 0).all()
    np.testing.assert_allclose(est.transform(X1, X2), 1.0)
    est = HumeClustering(n_clusters=2, **FAST).fit(X1[:, :1])
    assert est.view_sizes_.tolist() == [1] and est.labels_.shape == (90,)


def test_pandas_with_and_without_duplicate_column_names(data):
    pd = pytest.importorskip("pandas")
    X1, X2, _ = data
    ref = HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    # Names that repeat across the views (pandas' default 0, 1, ... included)
    # cannot identify a column: the values are joined and the names dropped.
    for a_cols, b_cols in [(list("abcdef"), list("abcdefgh")), (None, None)]:
        A, B = pd.DataFrame(X1, columns=a_cols), pd.DataFrame(X2, columns=b_cols)
        est = HumeClustering(n_clusters=3, **FAST).fit(A, B)
        assert est.n_features_in_ == 14 and not hasattr(est, "feature_names_in_")
        np.testing.assert_array_equal(est.labels_, ref.labels_)
        np.testing.assert_array_equal(est.predict(A, B), ref.labels_)
    # Unique string names are kept.
    A, B = pd.DataFrame(X1, columns=list("abcdef")), pd.DataFrame(X2, columns=[f"b{i}" for i in range(8)])
    est = HumeClustering(n_clusters=3, **FAST).fit(A, B)
    assert list(est.feature_names_in_[5:7]) == ["f", "b0"]
    np.testing.assert_array_equal(est.labels_, ref.labels_)


def test_predict_errors(data, fitted):
    X1, X2, _ = data
    with pytest.raises(NotFittedError):
        HumeClustering(n_clusters=3).predict(X1, X2)
    with pytest.raises(NotFittedError):
        HumeClustering(n_clusters=3).transform(X1, X2)
    with pytest.raises(ValueError, match=r"fitted on views of \[6, 8\] columns \(view 2 has 5, not 8\)"):
        fitted.predict(X1, X2[:, :5])
    with pytest.raises(ValueError, match="wrong order"):
        fitted.predict(X2, X1)
    # Too few or too many views: the message names what was fitted and passed.
    with pytest.raises(ValueError, match=r"fitted on 2 view\(s\) of \[6, 8\] columns and got one matrix of 6"):
        fitted.predict(X1)
    with pytest.raises(ValueError, match=r"got 3 view\(s\) of \[6, 8, 8\] columns"):
        fitted.transform([X1, X2, X2])
    with pytest.raises(ValueError, match=r"got 1 view\(s\) of \[6\] columns"):
        fitted.predict([X1])
    with pytest.raises(ValueError, match="NaN"):
        fitted.transform(with_value(X1, np.nan), X2)
    with pytest.raises(ValueError, match="second view has 10 rows"):
        fitted.score(X1, X2[:10])
    with pytest.raises(TypeError, match="unexpected keyword"):
        HumeClustering(n_clusters=3).fit(X1, X2, sample_weight=np.ones(90))


def test_inputs_are_never_modified(data):
    X1, X2, _ = data
    A, B = X1.astype(np.float32), X2.copy()
    A.flags.writeable = False  # any write would raise
    B0 = B.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read-only input is ordinary input: no warning either
        est = HumeClustering(n_clusters=3, **FAST).fit(A, B)
    est.predict(A, B)
    est.transform(A, B)
    est.score(A, B)
    np.testing.assert_array_equal(B, B0)


def test_interrupted_fit_leaves_estimator_unfitted(data, monkeypatch):
    from sklearn_hume._objectives import _loo

    X1, X2, _ = data

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    est = HumeClustering(n_clusters=3, **FAST)
    monkeypatch.setattr(_loo, "optimise", interrupt)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X1, X2)
    with pytest.raises(NotFittedError):
        est.predict(X1, X2)
    assert not hasattr(est, "n_features_in_")
    monkeypatch.undo()
    est.fit(X1, X2)
    labels = est.labels_.copy()
    monkeypatch.setattr(_loo, "optimise", interrupt)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X1 * 2, X2)
    np.testing.assert_array_equal(est.labels_, labels)  # the earlier fit is kept whole


def test_float32_and_float64_give_the_same_labels(data):
    X1, X2, _ = data
    A, B = X1.astype(np.float32), X2.astype(np.float32)
    est32 = HumeClustering(n_clusters=3, **FAST).fit(A, B)
    est64 = HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    np.testing.assert_array_equal(est32.labels_, est64.labels_)
    # The optimisation runs in float32 (the tags say so): transform is float32 for both.
    assert est32.transform(A, B).dtype == np.float32
    assert est64.transform(X1, X2).dtype == np.float32
    np.testing.assert_allclose(est32.transform(A, B), est64.transform(X1, X2), atol=1e-3)


def test_same_random_state_same_labels_across_processes(tmp_path):
    script = (
        "import numpy as np, sys; sys.path.insert(0, %r)\n"
        "from tests.conftest import make_two_views\n"
        "from sklearn_hume import HumeClustering\n"
        "X1, X2, _ = make_two_views(seed=3)\n"
        "print(HumeClustering(n_clusters=3, n_runs=4, n_iter=30, random_state=7).fit(X1, X2).labels_.tolist())\n"
    ) % str(__import__("pathlib").Path(__file__).resolve().parents[1])
    outs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert outs[0] == outs[1] and outs[0].startswith("[")
