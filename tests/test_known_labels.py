"""A few known labels (opt-in, scikit-learn's -1 convention): clusters
numbered by the known classes, known rows keep their class, free classes stay
free, contradictions reported, bad labels refused."""

import numpy as np
import pytest

from sklearn_hume import HumeClustering, cluster_accuracy

from .conftest import make_two_views, some_known

FAST = dict(n_runs=4, n_iter=60, random_state=0)


def test_without_known_labels_nothing_changes():
    X1, X2, y = make_two_views()
    ref = HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    for known in (None, np.full(len(y), -1)):
        est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2, known_labels=known)
        np.testing.assert_array_equal(est.labels_, ref.labels_)
        assert est.known_labels_contradicted_ is None
    # y itself is still ignored: fit(X, y) is unsupervised.
    np.testing.assert_array_equal(HumeClustering(n_clusters=3, **FAST).fit([X1, X2], y).labels_, ref.labels_)


@pytest.mark.parametrize("seed", range(3))
def test_clusters_are_numbered_by_the_known_classes(seed):
    X1, X2, y = make_two_views(seed=seed)
    names = np.array([2, 0, 1])[y]  # the user's class numbering, not the generator's
    known = some_known(names, 1, seed=seed)
    est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2, known_labels=known)
    np.testing.assert_array_equal(est.labels_, names)  # numbered as the user numbers them, all correct
    np.testing.assert_array_equal(est.predict(X1, X2), names)  # predict uses the same numbering
    assert est.known_labels_contradicted_.size == 0


def test_classes_without_a_known_row_stay_free():
    X1, X2, y = make_two_views()
    known = some_known(y, 2, classes=[0, 1])
    est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2, known_labels=known)
    np.testing.assert_array_equal(est.labels_[y == 0], 0)
    np.testing.assert_array_equal(est.labels_[y == 1], 1)
    np.testing.assert_array_equal(est.labels_[y == 2], 2)  # the one free cluster
    assert cluster_accuracy(y, est.labels_) == 1.0


def test_contradicted_labels_are_reported_and_kept():
    X1, X2, y = make_two_views()
    known = some_known(y, 5)
    liars = np.flatnonzero(known == 0)[:2]
    known[liars] = 1  # two rows of class 0 said to be class 1
    with pytest.warns(UserWarning, match="2 of 15 known labels are contradicted"):
        est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2, known_labels=known)
    np.testing.assert_array_equal(np.sort(est.known_labels_contradicted_), np.sort(liars))
    np.testing.assert_array_equal(est.labels_[liars], 1)  # a known row keeps its known class
    others = np.setdiff1d(np.arange(len(y)), liars)
    np.testing.assert_array_equal(est.labels_[others], y[others])


@pytest.mark.parametrize("known, match", [
    (lambda n: np.r_[np.full(n - 1, -1), 3], r"class 3, but classes are numbered 0..2"),
    (lambda n: np.r_[np.full(n - 1, -1), -2], r"class -2"),
    (lambda n: np.full(n - 1, -1), r"one entry per sample \(90\)"),
    (lambda n: np.r_[np.full(n - 1, -1.0), 0.5], "integer class indices"),
    (lambda n: np.full((n, 1), -1), "1-D"),
])
def test_bad_known_labels_are_refused(known, match):
    X1, X2, _ = make_two_views()
    with pytest.raises(ValueError, match=match):
        HumeClustering(n_clusters=3, **FAST).fit(X1, X2, known_labels=known(90))


def test_paper_objective_takes_no_known_labels():
    X1, X2, y = make_two_views()
    with pytest.raises(ValueError, match='objective="hume" takes no known labels'):
        HumeClustering(n_clusters=3, objective="hume", n_runs=1, n_iter=1, inner_steps=1,
                       n_subsets=1).fit(X1, X2, known_labels=some_known(y, 1))


def test_turtle_and_parallel_runs_take_known_labels():
    X1, X2, y = make_two_views()
    known = some_known(np.array([1, 2, 0])[y], 1)
    a = HumeClustering(n_clusters=3, objective="turtle", **FAST).fit(X1, X2, known_labels=known)
    np.testing.assert_array_equal(a.labels_, np.array([1, 2, 0])[y])
    b = HumeClustering(n_clusters=3, n_jobs=2, **FAST).fit(X1, X2, known_labels=known)
    c = HumeClustering(n_clusters=3, **FAST).fit(X1, X2, known_labels=known)
    np.testing.assert_array_equal(b.labels_, c.labels_)
