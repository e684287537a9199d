"""Label-free model selection: priors, confidence, reliable samples, choosing K."""

import numpy as np
import pytest
import torch

from sklearn_hume import HumeClustering, run_agreement, select_n_clusters
from sklearn_hume._objectives._terms import balance_penalty

from .conftest import make_two_views


def test_balance_penalty_hand_computed():
    p = torch.tensor([[[1.0, 0.0]], [[1.0, 0.0]], [[0.0, 1.0]], [[1.0, 0.0]]])  # marginal (3/4, 1/4)
    m = np.array([0.75, 0.25])
    assert balance_penalty(p).item() == pytest.approx((m * np.log(m)).sum(), rel=1e-6)
    prior = np.array([0.75, 0.25])
    assert balance_penalty(p, torch.log(torch.tensor(prior, dtype=torch.float32))).item() == pytest.approx(0, abs=1e-6)
    uniform = torch.log(torch.tensor([0.5, 0.5]))
    # KL to the uniform prior = -entropy + log K.
    assert balance_penalty(p, uniform).item() == pytest.approx(balance_penalty(p).item() + np.log(2), rel=1e-6)


def test_cluster_prior_is_normalised_and_validated(two_views, fast_params):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, cluster_prior=[2, 1, 1], **fast_params).fit(X1, X2)
    np.testing.assert_allclose(est.cluster_prior_, [0.5, 0.25, 0.25])
    assert est.cluster_prior_.sum() == pytest.approx(1.0)
    assert HumeClustering(n_clusters=3, **fast_params).fit(X1, X2).cluster_prior_ is None
    for bad in ([1, 1], [1, -1, 1], [1, np.nan, 1]):
        with pytest.raises(ValueError, match="cluster_prior must hold 3 positive finite numbers"):
            HumeClustering(n_clusters=3, cluster_prior=bad, n_runs=1, n_iter=1).fit(X1, X2)


def test_prior_moves_cluster_sizes():
    # One class of 60 and two of 15: the prior that says so recovers them
    # better than the entropy term (the default keeps its size-free family here).
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], [60, 15, 15])
    c = rng.normal(size=(3, 6)) * 1.5
    X1 = c[y] + rng.normal(size=(90, 6))
    X2 = c[y] @ rng.normal(size=(6, 8)) + rng.normal(size=(90, 8))
    kw = dict(n_clusters=3, n_runs=8, n_iter=100, random_state=0, entropy_weight=20.0)
    balanced = HumeClustering(balance="entropy", **kw).fit(X1, X2)
    prior = HumeClustering(cluster_prior=[60, 15, 15], **kw).fit(X1, X2)
    assert np.bincount(prior.labels_, minlength=3).max() > np.bincount(balanced.labels_, minlength=3).max()


def test_confidence_and_reliable_samples(two_views, fast_params):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    assert est.confidence_.shape == (90,)
    assert (est.confidence_ >= 0).all() and (est.confidence_ <= 1).all()
    idx = est.reliable_samples(n_per_cluster=5)
    assert len(idx) == 15 and len(np.unique(idx)) == 15
    np.testing.assert_array_equal(np.bincount(est.labels_[idx], minlength=3), [5, 5, 5])
    for k in range(3):  # the chosen ones are the most confident of their cluster
        members = np.flatnonzero(est.labels_ == k)
        chosen = idx[est.labels_[idx] == k]
        assert est.confidence_[chosen].min() >= np.sort(est.confidence_[members])[-5]
    assert len(est.reliable_samples(fraction=0.1)) == 9  # 3 per cluster of 30
    assert len(est.reliable_samples()) == 9
    assert len(est.reliable_samples(n_per_cluster=1000)) == 90
    with pytest.raises(ValueError, match="not both"):
        est.reliable_samples(3, fraction=0.5)
    with pytest.raises(ValueError, match="fraction must be in"):
        est.reliable_samples(fraction=1.5)
    with pytest.raises(ValueError, match="positive integer"):
        est.reliable_samples(0)
    # Overall ranking: confidence times the stability of the sample's cluster.
    assert est.cluster_stability_.shape == (3,)
    assert ((est.cluster_stability_ >= 0) & (est.cluster_stability_ <= 1)).all()
    overall = est.reliable_samples(fraction=0.2, per_cluster=False)
    assert len(overall) == 18 and len(np.unique(overall)) == 18
    reliability = est.confidence_ * est.cluster_stability_[est.labels_]
    assert reliability[overall].min() >= np.sort(reliability)[-18]
    with pytest.raises(ValueError, match="per_cluster=True"):
        est.reliable_samples(3, per_cluster=False)


def test_unstable_cluster_ranks_last_overall():
    from sklearn.base import clone

    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, n_runs=4, n_iter=60, random_state=0).fit(X1, X2)
    unstable = clone(est)
    unstable.__dict__.update(est.__dict__)
    unstable.cluster_stability_ = np.array([1.0, 1.0, 0.01])
    top = unstable.reliable_samples(fraction=0.5, per_cluster=False)
    assert 2 not in set(unstable.labels_[top])  # 45 of 90 samples fit in clusters 0 and 1


def test_confidence_is_lower_for_samples_between_classes():
    X1, X2, _ = make_two_views()
    # A sample halfway between two class centres.
    mid1, mid2 = (X1[0] + X1[30]) / 2, (X2[0] + X2[30]) / 2
    X1b, X2b = np.vstack([X1, mid1]), np.vstack([X2, mid2])
    est = HumeClustering(n_clusters=3, n_runs=8, n_iter=100, random_state=0).fit(X1b, X2b)
    assert est.confidence_[-1] < np.median(est.confidence_[:-1])


def test_select_n_clusters_finds_three():
    X1, X2, _ = make_two_views(n_per_class=40)
    res = select_n_clusters(X1, X2, n_clusters_range=[2, 3, 4, 5],
                            estimator=HumeClustering(n_runs=8, n_iter=100, random_state=0))
    assert res.n_clusters == 3
    assert res.criterion.shape == res.agreement.shape == res.run_agreement.shape == res.probe_score.shape == (4,)
    assert (res.run_agreement <= 1).all() and (res.agreement <= 1).all()
    assert res.estimator.n_clusters == 3
    # The criterion is the product of the views' agreement (score) and the runs' agreement.
    assert run_agreement(res.estimator) == pytest.approx(res.run_agreement[1])
    assert res.estimator.score(X1, X2) == pytest.approx(res.agreement[1])
    np.testing.assert_allclose(res.criterion, res.agreement * res.run_agreement)
    assert res.estimator.probe_score(X1, X2) == pytest.approx(res.probe_score[1])
    # One view: run agreement alone.
    one = select_n_clusters(X1, n_clusters_range=[2, 3], estimator=HumeClustering(view_sizes=[6], n_runs=4,
                                                                                n_iter=40, random_state=0))
    np.testing.assert_allclose(one.criterion, one.run_agreement)
    assert np.isnan(one.agreement).all()
    with pytest.raises(ValueError, match=">= 2"):
        select_n_clusters(X1, X2, n_clusters_range=[1, 2])


def test_select_n_clusters_random_state_makes_the_choice_reproducible():
    X1, X2, _ = make_two_views()
    runs = [select_n_clusters(X1, X2, n_clusters_range=[2, 3], estimator=HumeClustering(n_runs=2, n_iter=30),
                              random_state=7) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].criterion, runs[1].criterion)
    assert runs[0].estimator.random_state == 7 and "score" not in runs[0] and runs[0].probe_score.shape == (2,)
