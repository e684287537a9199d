"""Dask arrays and memmaps: fit reads blocks of rows; predict and transform
are lazy and row-chunked; the answers equal NumPy's."""

import warnings

import numpy as np
import pytest

from sklearn_hume import HumeClustering

from .conftest import make_two_views

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def fitted():
    X1, X2, _ = make_two_views()
    return HumeClustering(n_clusters=3, n_runs=4, n_iter=60, random_state=0).fit(X1, X2), X1, X2


@pytest.mark.parametrize("chunks", [(25, -1), (90, -1), (25, 5), (7, 3)], ids=["rows", "one-block", "split-views",
                                                                            "small"])
def test_predict_and_transform_on_dask_equal_numpy(fitted, chunks):
    est, X1, X2 = fitted
    X = np.hstack([X1, X2])
    D = da.from_array(X, chunks=chunks)  # chunk sizes that do not divide 90; columns that split a view
    labels, soft = est.predict(D), est.transform(D)
    assert isinstance(labels, da.Array) and isinstance(soft, da.Array)  # lazy
    assert labels.chunks[0] == D.chunks[0] and soft.shape == (90, 3)
    np.testing.assert_array_equal(labels.compute(), est.predict(X))
    np.testing.assert_allclose(soft.compute(), est.transform(X), rtol=1e-6)
    np.testing.assert_array_equal(est.predict(D, contamination=0.2).compute(), est.predict(X, contamination=0.2))


def test_two_dask_views_and_errors(fitted):
    est, X1, X2 = fitted
    A, B = da.from_array(X1, chunks=(30, -1)), da.from_array(X2, chunks=(20, 4))
    np.testing.assert_array_equal(est.predict(A, B).compute(), est.predict(X1, X2))
    np.testing.assert_array_equal(est.predict([A, B]).compute(), est.labels_)
    with pytest.raises(ValueError, match="wrong order"):
        est.predict(B, A)
    with pytest.raises(ValueError, match="2-D"):
        est.predict(da.from_array(X1[:, 0]))


def test_model_pickles_into_the_graph(fitted):
    import pickle

    est, X1, X2 = fitted
    D = da.from_array(np.hstack([X1, X2]), chunks=(30, -1))
    graph = est.predict(D)
    again = pickle.loads(pickle.dumps(graph))  # what a distributed scheduler ships to workers
    np.testing.assert_array_equal(again.compute(), est.labels_)


PARAMS = dict(n_clusters=3, n_runs=4, n_iter=60, random_state=0)


@pytest.mark.parametrize("chunks", [(30, -1), (25, -1), (7, 3)], ids=["divides", "remainder", "split-views"])
def test_fit_on_dask_equals_numpy(fitted, chunks):
    est, X1, X2 = fitted
    D = da.from_array(np.hstack([X1, X2]), chunks=chunks)
    got = HumeClustering(view_sizes=[X1.shape[1], X2.shape[1]], **PARAMS).fit(D)
    assert isinstance(got.labels_, da.Array) and got.labels_.chunks[0] == D.chunks[0]
    # The statistics are sums over blocks: equal to the in-memory ones up to rounding.
    np.testing.assert_array_equal(got.labels_.compute(), est.labels_)
    np.testing.assert_allclose(got.confidence_.compute(), est.confidence_, atol=1e-4)
    np.testing.assert_array_equal(got.run_labels_.compute(), est.run_labels_)
    np.testing.assert_allclose(got.view_weights_, est.view_weights_, atol=1e-4)  # NumPy, from the fit rows
    assert got.n_fit_rows_ == 90 and got.n_features_in_ == X1.shape[1] + X2.shape[1]
    np.testing.assert_array_equal(got.predict(X1, X2), est.labels_)  # NumPy in, NumPy out after a dask fit
    two = HumeClustering(**PARAMS).fit(da.from_array(X1, chunks=(40, -1)), da.from_array(X2, chunks=(25, -1)))
    np.testing.assert_array_equal(two.labels_.compute(), est.labels_)


def test_out_of_core_fit_keeps_the_same_novelty_reference():
    # Three principal axes of 6- and 8-column views: the rows lie partly outside
    # them, so the score reads the residuals that the blocks' embedding computes.
    X1, X2, _ = make_two_views()
    params = dict(PARAMS, n_components=3)
    est = HumeClustering(**params).fit(X1, X2)
    got = HumeClustering(view_sizes=[X1.shape[1], X2.shape[1]], **params).fit(
        da.from_array(np.hstack([X1, X2]), chunks=(25, -1)))
    assert est._graph_residual.min() >= 0 and est._graph_residual.max() > 0.01
    np.testing.assert_allclose(got._graph_residual, est._graph_residual, atol=1e-4)
    np.testing.assert_allclose(got._training_scores, est._training_scores, atol=1e-4)
    np.testing.assert_allclose(got.score_samples(X1, X2), est.score_samples(X1, X2), atol=1e-4)


def test_fit_on_memmap_equals_numpy(fitted, tmp_path):
    est, X1, X2 = fitted
    np.save(tmp_path / "X.npy", np.hstack([X1, X2]))
    mm = np.load(tmp_path / "X.npy", mmap_mode="r")
    got = HumeClustering(view_sizes=[X1.shape[1], X2.shape[1]], **PARAMS).fit(mm)
    assert isinstance(got.labels_, np.ndarray)
    np.testing.assert_array_equal(got.labels_, est.labels_)
    assert got.run_labels_.shape == est.run_labels_.shape


def test_large_input_is_sampled_and_never_loaded_whole(monkeypatch, tmp_path):
    from sklearn.metrics import adjusted_rand_score

    from sklearn_hume import _outofcore

    X1, X2, y = make_two_views(n_per_class=100)
    monkeypatch.setattr(_outofcore, "MAX_FIT_ROWS", 120)  # fewer than the 300 rows: the sampled path

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"an array of shape {self.shape} was loaded whole")

    monkeypatch.setattr(da.Array, "__array__", refuse)
    D = da.from_array(np.hstack([X1, X2]), chunks=(64, -1))
    est = HumeClustering(view_sizes=[X1.shape[1], X2.shape[1]], **PARAMS).fit(D)
    assert est.n_fit_rows_ == 120
    labels = est.labels_.compute()
    assert labels.shape == (300,) and adjusted_rand_score(y, labels) > 0.9
    np.testing.assert_array_equal(labels, est.predict(D).compute())
    # The same with a memmap-like array read in blocks.
    monkeypatch.setattr(_outofcore, "MEMMAP_BLOCK_ROWS", 50)
    np.save(tmp_path / "X1.npy", X1)
    mm = HumeClustering(**PARAMS).fit(np.load(tmp_path / "X1.npy", mmap_mode="r"), X2)
    assert mm.n_fit_rows_ == 120 and adjusted_rand_score(y, mm.labels_) > 0.9


def test_known_labels_out_of_core(monkeypatch, fitted):
    from sklearn_hume import _outofcore

    est, X1, X2 = fitted
    _, _, y = make_two_views()
    known = np.full(90, -1)
    known[[5, 40, 70]] = y[[5, 40, 70]]
    known[7] = (y[7] + 1) % 3  # a wrong label: kept, and reported
    ref = HumeClustering(**PARAMS).fit(X1, X2, known_labels=known)
    with pytest.warns(UserWarning, match="contradicted"):
        got = HumeClustering(**PARAMS).fit(da.from_array(X1, chunks=(35, -1)), X2, known_labels=known)
    np.testing.assert_array_equal(got.labels_.compute(), ref.labels_)
    np.testing.assert_array_equal(got.known_labels_contradicted_, [7])
    # Sampled path: the known rows join the sample and keep their class.
    monkeypatch.setattr(_outofcore, "MAX_FIT_ROWS", 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # on 44 rows the wrong label may win or be contradicted
        got = HumeClustering(**PARAMS).fit(da.from_array(X1, chunks=(35, -1)), X2, known_labels=known)
    labels = got.labels_.compute()
    assert got.n_fit_rows_ >= 40 and labels[7] == known[7]
    np.testing.assert_array_equal(labels[[5, 40, 70]], y[[5, 40, 70]])


def test_out_of_core_errors():
    X1, X2, _ = make_two_views()
    bad = X1.copy()
    bad[3, 2] = np.nan
    with pytest.raises(ValueError, match="view 1 has 1 non-finite"):
        HumeClustering(**PARAMS).fit(da.from_array(bad, chunks=(30, -1)), X2)
    with pytest.raises(ValueError, match="different numbers of rows"):
        HumeClustering(**PARAMS).fit(da.from_array(X1), da.from_array(X2[:80]))
    with pytest.raises(ValueError, match="view_sizes"):
        HumeClustering(view_sizes=[5, 5], **PARAMS).fit(da.from_array(np.hstack([X1, X2])))
    est = HumeClustering(**PARAMS).fit(da.from_array(X1, chunks=(40, -1)), X2)
    assert len(est.reliable_samples(5)) == 15  # computes the lazy confidences
    with pytest.raises(TypeError, match="score and probe_score take in-memory rows"):
        est.score(da.from_array(X1), da.from_array(X2))
    with pytest.raises(ValueError, match="real-valued"):
        HumeClustering(**PARAMS).fit(da.from_array(X1.astype(complex)), X2)


def test_a_dask_fit_pickles_without_its_input(fitted):
    import pickle

    est, X1, X2 = fitted
    X = np.hstack([X1, X2])
    got = HumeClustering(view_sizes=[X1.shape[1], X2.shape[1]], **PARAMS).fit(da.from_array(X, chunks=(30, -1)))
    blob = pickle.dumps(got)
    again = pickle.loads(blob)
    assert isinstance(again.labels_, np.ndarray) and isinstance(again.run_labels_, np.ndarray)
    np.testing.assert_array_equal(again.labels_, est.labels_)
    # No more than the same model fitted from NumPy: the input graph is not in it.
    assert len(blob) <= 1.05 * len(pickle.dumps(est))
    assert isinstance(got.labels_, da.Array)  # the fitted model itself stays lazy
