"""cluster_summary: one row per cluster, from fitted state."""

import numpy as np
import pytest

from sklearn_hume import HumeClustering

from .conftest import make_two_views


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_summary_by_hand_and_per_view_support(seed):
    X1, X2, y = make_two_views(n_per_class=40, seed=seed)
    noise = np.random.RandomState(seed).normal(size=(len(y), 5))
    est = HumeClustering(n_clusters=3, n_runs=4, random_state=seed, drop_weak_views=False).fit([X1, X2, noise])
    s = est.cluster_summary()
    assert list(s) == ["cluster", "size", "share", "mean_confidence", "stability", "support_view1",
                       "support_view2", "support_view3"]
    np.testing.assert_array_equal(s["size"], np.bincount(est.labels_, minlength=3))
    assert s["share"].sum() == pytest.approx(1.0)
    for k in range(3):
        assert s["mean_confidence"][k] == pytest.approx(est.confidence_[est.labels_ == k].mean())
    np.testing.assert_array_equal(s["stability"], est.cluster_stability_)
    # The informative views put (nearly) every row back in its cluster; noise does not.
    assert (s["support_view1"] > 0.95).all() and (s["support_view2"] > 0.95).all()
    assert s["support_view3"].mean() < 0.8


def test_summary_makes_a_dataframe_and_marks_empty_clusters():
    pd = pytest.importorskip("pandas")
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, n_runs=2, random_state=0).fit(X1, X2)
    frame = pd.DataFrame(est.cluster_summary())
    assert frame.shape == (3, 7)
    est.labels_ = np.where(est.labels_ == 2, 0, est.labels_)  # cluster 2 emptied by hand
    s = est.cluster_summary()
    assert s["size"][2] == 0 and np.isnan(s["mean_confidence"][2])


def test_representatives_are_the_most_and_least_confident_members():
    X1, X2, _ = make_two_views(n_per_class=20, seed=1)
    est = HumeClustering(n_clusters=3, n_runs=3, random_state=0).fit(X1, X2)
    reps = est.representatives(n=4)
    labels, conf = est.labels_, est.confidence_
    for k in range(3):
        members = np.flatnonzero(labels == k)
        central, doubtful = reps["central"][k], reps["doubtful"][k]
        assert len(central) == len(doubtful) == min(4, len(members))
        assert set(central) <= set(members) and set(doubtful) <= set(members)
        ranked = np.sort(conf[members])
        np.testing.assert_allclose(conf[central], ranked[::-1][:4])   # most confident first
        np.testing.assert_allclose(conf[doubtful], ranked[:4])        # least confident first
    big = est.representatives(n=1000)
    assert sorted(np.concatenate(big["central"]).tolist()) == list(range(len(labels)))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n must be a positive integer"):
            est.representatives(n=bad)
