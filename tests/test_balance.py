"""balance="free" and "auto": classes of unequal size on separable toy data,
balanced classes kept, and how "auto" picks."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from sklearn_hume import HumeClustering
from sklearn_hume._balance import pick, views_agreement


def _unequal_views(sizes, seed):
    """Two views whose class centres are drawn independently (so neither
    duplicates the other), each class separable in both."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(sizes)), sizes)
    X1 = (rng.normal(size=(len(sizes), 6)) * 6)[y] + rng.normal(size=(len(y), 6))
    X2 = (rng.normal(size=(len(sizes), 8)) * 6)[y] + rng.normal(size=(len(y), 8))
    return X1, X2, y

SIZES_10_TO_1 = [400, 160, 80, 40]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_free_and_auto_recover_classes_of_10_to_1(seed):
    X1, X2, y = _unequal_views(SIZES_10_TO_1, seed)
    aris = {}
    for balance in ("entropy", "free", "auto"):
        est = HumeClustering(n_clusters=4, n_runs=4, balance=balance, random_state=seed).fit(X1, X2)
        aris[balance] = adjusted_rand_score(y, est.labels_)
        assert est.balance_ in ("entropy", "free")
        np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)
    assert aris["entropy"] < 0.8, aris  # the entropy term splits the large class
    assert aris["free"] >= 0.9 and aris["auto"] >= 0.9, aris


@pytest.mark.parametrize("seed", [0, 1])
def test_balanced_classes_keep_their_labels(seed):
    X1, X2, y = _unequal_views([80, 80, 80], seed)
    for balance in ("free", "auto"):
        est = HumeClustering(n_clusters=3, n_runs=4, balance=balance, random_state=seed).fit(X1, X2)
        assert adjusted_rand_score(y, est.labels_) >= 0.95


def test_auto_keeps_the_family_whose_views_agree():
    # Two views, two runs: in run 0 the views label alike, in run 1 they do not.
    a = np.array([0, 0, 1, 1, 2, 2])
    agree = [np.column_stack([a, a]), np.column_stack([a, [0, 1, 2, 0, 1, 2]])]
    assert views_agreement(agree, [0]) == pytest.approx(1.0)   # only run 0 votes
    assert views_agreement(agree, [1]) < 0.5
    assert np.isnan(views_agreement(agree[:1], [0]))
    assert pick({"entropy": 0.4, "free": 0.6}) == "free"
    assert pick({"entropy": 0.6, "free": 0.6}) == "entropy"
    assert pick({"entropy": float("nan"), "free": float("nan")}) == "entropy"


def test_default_and_other_objectives():
    X1, X2, _ = _unequal_views([30, 30], 0)
    assert HumeClustering(n_clusters=2, n_runs=2, n_iter=5).fit(X1, X2).balance_ == "entropy"
    with pytest.warns(UserWarning, match="does not use balance"):
        est = HumeClustering(n_clusters=2, n_runs=2, n_iter=5, objective="turtle", balance="free").fit(X1, X2)
    assert est.balance_ == "entropy"
    with pytest.raises(ValueError, match="cluster_prior"):
        HumeClustering(n_clusters=2, n_runs=2, n_iter=3, balance="free", cluster_prior=[1, 1]).fit(X1, X2)


def test_family_reliability_by_hand():
    from sklearn_hume._balance import family_reliability

    a = np.array([0, 0, 1, 1, 2, 2])
    same = [np.column_stack([a, a]), np.column_stack([a, a])]
    assert family_reliability(same, [0, 1], 0.8) == pytest.approx(0.8)   # ARI 1 x confidence 0.8
    assert family_reliability(same[:1], [0, 1], 0.8) == pytest.approx(0.8)  # one view: confidence alone


def test_cluster_shares_report_the_sizes_the_fit_found():
    X1, X2, y = _unequal_views(SIZES_10_TO_1, 0)
    for balance in ("entropy", "free"):
        est = HumeClustering(n_clusters=4, n_runs=4, balance=balance, random_state=0).fit(X1, X2)
        np.testing.assert_allclose(est.cluster_shares_, np.bincount(est.labels_, minlength=4) / len(y))
        assert est.cluster_shares_.sum() == pytest.approx(1.0)
    # The size-free fit recovers the 400 : 160 : 80 : 40 classes: its shares
    # are theirs, where the entropy term's largest cluster is cut down.
    np.testing.assert_allclose(np.sort(est.cluster_shares_)[::-1], np.array(SIZES_10_TO_1) / len(y), atol=0.02)
