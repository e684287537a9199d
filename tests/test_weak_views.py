"""A weak or noise view is left out of the fit (``drop_weak_views``,
``views_used_``), so that passing every embedding one has does not cost the
labeling of the good ones."""

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from sklearn_hume import HumeClustering
from sklearn_hume._weak_views import weak_views


def make_views(seed, n_classes=8, n_per_class=50, width=12):
    """Two informative views of overlapping classes, a third informative one,
    a weak view (a noisy 2-column projection of the first) and noise."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(n_classes), n_per_class)
    centres = rng.normal(size=(n_classes, width)) * 0.8
    X1 = centres[y] + rng.normal(size=(len(y), width))
    X2 = centres[y] @ rng.normal(size=(width, 16)) + 2 * rng.normal(size=(len(y), 16))
    X3 = centres[y] @ rng.normal(size=(width, 10)) + rng.normal(size=(len(y), 10))
    P = X1 @ rng.normal(size=(width, 2))
    weak = P + rng.normal(size=P.shape) * P.std(0)
    noise = rng.normal(size=(len(y), 16))
    return dict(X1=X1, X2=X2, X3=X3, weak=weak, noise=noise), y


def test_weak_views_by_hand():
    np.testing.assert_array_equal(weak_views(np.array([0.9, 0.7, 0.5])), [False, False, True])
    np.testing.assert_array_equal(weak_views(np.array([0.9, 0.61, 0.0])), [False, False, True])
    # No view supports the labels: nothing to rank them by, every view is kept.
    np.testing.assert_array_equal(weak_views(np.array([0.0, -0.1, 0.0])), [False, False, False])
    assert weak_views(None) is None


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("extra", ["weak", "noise"])
def test_a_weak_view_keeps_the_two_view_labels(seed, extra):
    views, _ = make_views(seed)
    two = HumeClustering(n_clusters=8, n_runs=4, random_state=seed).fit(views["X1"], views["X2"])
    with pytest.warns(UserWarning, match="View 3 supports the labeling far less than view"):
        three = HumeClustering(n_clusters=8, n_runs=4, random_state=seed).fit([views["X1"], views["X2"], views[extra]])
    assert three.views_used_.tolist() == [True, True, False]
    assert adjusted_rand_score(two.labels_, three.labels_) >= 0.95
    # predict and transform read the same views as the fit.
    np.testing.assert_array_equal(three.predict([views["X1"], views["X2"], views[extra]]), three.labels_)
    assert len(three.heads_) == 2
    # Every view is still scored, the left-out one lowest.
    assert three.view_scores_.shape == (3,) and np.argmin(three.view_scores_) == 2


def test_drop_weak_views_false_keeps_every_view():
    views, _ = make_views(0)
    est = HumeClustering(n_clusters=8, n_runs=4, random_state=0, drop_weak_views=False).fit(
        [views["X1"], views["X2"], views["weak"]])
    assert est.views_used_.tolist() == [True, True, True] and len(est.heads_) == 3


@pytest.mark.parametrize("seed", [0, 1])
def test_informative_views_are_all_used_and_the_fit_is_unchanged(seed):
    # The check draws from its own generator: when it keeps every view, the fit is the one without it.
    views, y = make_views(seed)
    X = [views["X1"], views["X2"], views["X3"]]
    checked = HumeClustering(n_clusters=8, n_runs=4, random_state=seed).fit(X)
    plain = HumeClustering(n_clusters=8, n_runs=4, random_state=seed, drop_weak_views=False).fit(X)
    assert checked.views_used_.all()
    np.testing.assert_array_equal(checked.labels_, plain.labels_)
    np.testing.assert_array_equal(checked.run_labels_, plain.run_labels_)


def test_two_views_are_never_checked():
    views, _ = make_views(0)
    est = HumeClustering(n_clusters=8, n_runs=2, n_iter=20, random_state=0).fit(views["X1"], views["noise"])
    assert est.views_used_.tolist() == [True, True]


def test_the_check_reads_a_sample_of_rows_with_the_known_rows(monkeypatch):
    from sklearn_hume import _weak_views

    monkeypatch.setattr(_weak_views, "CHECK_ROWS", 150)
    seen = []
    fit_runs = _weak_views.fit_runs

    def spy(objective, Zs, known, *args, **kwargs):
        seen.append((Zs[0].shape[0], known))
        return fit_runs(objective, Zs, known, *args, **kwargs)

    monkeypatch.setattr(_weak_views, "fit_runs", spy)
    views, y = make_views(0)
    known = np.full(len(y), -1)
    known[::40] = y[::40]  # 10 rows with a known class
    est = HumeClustering(n_clusters=8, n_runs=4, random_state=0).fit([views["X1"], views["X2"], views["noise"]],
                                                                    known_labels=known)
    assert est.views_used_.tolist() == [True, True, False]
    (n_rows, (rows, classes)), = seen
    assert 150 <= n_rows <= 160
    np.testing.assert_array_equal(classes, y[::40])
    assert rows.max() < n_rows and len(np.unique(rows)) == 10
