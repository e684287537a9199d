"""Pickling and devices."""

import pickle

import joblib
import numpy as np
import pytest
import torch

from sklearn_hume import HumeClustering


def test_pickle_and_joblib_round_trip(two_views, fast_params, tmp_path):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X1, X2), est.predict(X1, X2))
    np.testing.assert_array_equal(again.transform(X1, X2), est.transform(X1, X2))
    joblib.dump(est, tmp_path / "m.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "m.joblib").predict(X1, X2), est.labels_)


def test_fitted_state_is_numpy_on_cpu(two_views, fast_params):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    arrays = [est.labels_, est.run_labels_, est.run_scores_, *est._model]
    arrays += [a for part in est.heads_ for a in part]
    arrays += [v for p in est._view_params for v in p.values() if not isinstance(v, bool)]
    assert all(isinstance(a, np.ndarray) for a in arrays)
    assert not any(torch.is_tensor(v) for v in vars(est).values())


def test_fitted_state_does_not_keep_which_rows_were_graph_rows(two_views, fast_params):
    # The graph rows' indices serve the fit only (score_samples' reference);
    # predict and score_samples read the kept unit rows, norms and residuals.
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    assert est._consensus.graph_soft is not None and est._consensus.graph_index is None
    assert len(est._graph_norms) == len(est._consensus.graph_soft)
    np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)
    assert np.all(np.isfinite(est.score_samples(X1, X2)))


def test_cuda_requested_without_cuda(two_views, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    X1, X2, _ = two_views
    with pytest.raises(ValueError, match="CUDA is not available"):
        HumeClustering(n_clusters=3, device="cuda", n_runs=1, n_iter=1).fit(X1, X2)
    # "auto" falls back to the CPU.
    HumeClustering(n_clusters=3, device="auto", n_runs=1, n_iter=1).fit(X1, X2)


@pytest.mark.parametrize("device", ["cuda", "cuda:0", torch.device("cuda"), torch.device("cuda", 0)])
def test_cuda_devices_are_read_alike_and_fall_back_at_predict(two_views, fast_params, monkeypatch, device):
    X1, X2, _ = two_views
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        HumeClustering(n_clusters=3, device=device, n_runs=1, n_iter=1).fit(X1, X2)
    # A model fitted on a GPU (its fitted device says so) predicts on a CPU-only machine.
    est = HumeClustering(n_clusters=3, device="cpu", **fast_params).fit(X1, X2)
    est._device = str(torch.device(device))
    np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fit_predicts_on_cpu(two_views, fast_params, monkeypatch):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, device="cuda", **fast_params).fit(X1, X2)
    blob = pickle.dumps(est)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cpu = pickle.loads(blob)  # still says device="cuda"
    np.testing.assert_array_equal(cpu.predict(X1, X2), est.labels_)
