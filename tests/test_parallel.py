"""Runs split over joblib workers, and over a local dask cluster, give the
labels of a single batched fit."""

import joblib
import numpy as np
import pytest

from sklearn_hume import HumeClustering

from .conftest import make_two_views


@pytest.mark.parametrize("objective", ["loo", "turtle"])
def test_n_jobs_gives_the_same_labels(objective):
    X1, X2, _ = make_two_views()
    kw = dict(n_clusters=3, n_runs=4, n_iter=40, random_state=0, objective=objective, batch_size=60)
    ref = HumeClustering(**kw).fit(X1, X2)
    par = HumeClustering(n_jobs=2, **kw).fit(X1, X2)
    np.testing.assert_array_equal(par.labels_, ref.labels_)
    np.testing.assert_array_equal(par.run_labels_, ref.run_labels_)
    np.testing.assert_allclose(par.run_losses_, ref.run_losses_, rtol=1e-4)


def test_dask_local_cluster_gives_the_same_labels():
    distributed = pytest.importorskip("distributed")
    X1, X2, _ = make_two_views()
    kw = dict(n_clusters=3, n_runs=4, n_iter=40, random_state=0)
    ref = HumeClustering(**kw).fit(X1, X2)
    # Loopback only, two single-threaded worker processes.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster, distributed.Client(cluster):
        with joblib.parallel_config(backend="dask"):
            est = HumeClustering(n_jobs=-1, **kw).fit(X1, X2)
    np.testing.assert_array_equal(est.labels_, ref.labels_)
