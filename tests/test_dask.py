"""predict and transform on dask arrays: lazy, row-chunked, equal to NumPy."""

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


def test_fit_refuses_dask_instead_of_loading_everything():
    X1, X2, _ = make_two_views()
    with pytest.raises(TypeError, match="fit does not take dask arrays yet"):
        HumeClustering(n_clusters=3).fit(da.from_array(np.hstack([X1, X2]), chunks=(30, -1)))
    with pytest.raises(TypeError, match="fit does not take dask arrays yet"):
        HumeClustering(n_clusters=3).fit(X1, da.from_array(X2))
