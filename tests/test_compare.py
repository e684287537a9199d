"""compare_known_labels: known labels or a classifier, judged on held-out known rows."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier

from sklearn_hume import HumeClustering, compare_known_labels
from sklearn_hume._compare import held_out_folds

from .conftest import make_two_views, some_known

FAST = dict(n_runs=4, n_iter=60, random_state=0)


class LookUp(ClassifierMixin, BaseEstimator):
    """Knows every row's class (by its first column), whatever it is trained on."""

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.array([self.table[x] for x in np.asarray(X)[:, 0]])


def test_folds_deal_each_class_round_and_keep_single_rows():
    classes = np.array([0, 0, 0, 1, 2, 2, 2, 2, 2])
    rows = np.arange(10, 19)
    folds = held_out_folds(rows, classes, 2, np.random.RandomState(0))
    assert folds[3] == -1  # class 1's only known row is never hidden
    for c, counts in ((0, [2, 1]), (2, [3, 2])):
        assert sorted(np.bincount(folds[classes == c], minlength=2), reverse=True) == counts
    three = held_out_folds(rows, classes, 3, np.random.RandomState(0))
    assert sorted(np.bincount(three[classes == 2], minlength=3), reverse=True) == [2, 2, 1]


@pytest.mark.parametrize("seed", range(2))
def test_separable_views_every_held_out_row_right(seed):
    X1, X2, y = make_two_views(seed=seed)
    known = some_known(y, 3, seed=seed)
    before = known.copy()
    res = compare_known_labels(X1, X2, known_labels=known, estimator=HumeClustering(3, **FAST), random_state=seed)
    np.testing.assert_array_equal(known, before)  # the input is not modified
    assert res.n_held_out == 9  # every known row hidden once
    assert res.known_labels_accuracy == 1.0 and res.classifier_accuracy == 1.0
    assert res.best == "known_labels"  # a tie goes to the known labels


def test_classifier_accuracy_is_counted_over_the_hidden_rows():
    X1, X2, y = make_two_views()
    known = some_known(y, 4)
    res = compare_known_labels([X1, X2], known_labels=known, estimator=HumeClustering(3, **FAST),
                               classifier=DummyClassifier(strategy="constant", constant=0), random_state=0)
    # Class 0 holds 4 of the 12 hidden rows; the constant classifier gets exactly those.
    assert res.n_held_out == 12 and res.classifier_accuracy == pytest.approx(4 / 12)
    assert res.known_labels_accuracy == 1.0 and res.best == "known_labels"
    assert (res.only_known_labels_right, res.only_classifier_right) == (8, 0)


@pytest.mark.filterwarnings("ignore:.*known labels are contradicted")
@pytest.mark.filterwarnings("ignore:The voting runs disagree")  # the labeling is random
def test_labels_the_views_do_not_carry_favour_the_classifier():
    X1, X2, _ = make_two_views()
    rng = np.random.RandomState(0)
    X1 = X1.copy()
    X1[:, 0] = np.arange(len(X1))  # a row id the look-up classifier reads
    labels = rng.randint(3, size=len(X1))  # a labeling the views know nothing of
    known = some_known(labels, 6)
    table = dict(zip(X1[:, 0], labels))
    res = compare_known_labels(X1, X2, known_labels=known, estimator=HumeClustering(3, **FAST),
                               classifier=LookUp(table), random_state=0)
    assert res.classifier_accuracy == 1.0
    assert res.known_labels_accuracy < 0.9 and res.best == "classifier"
    assert res.only_known_labels_right == 0
    assert res.only_classifier_right == round((1 - res.known_labels_accuracy) * res.n_held_out)


def test_bad_requests_are_refused_clearly():
    X1, X2, y = make_two_views()
    est = HumeClustering(3, **FAST)
    known = some_known(y, 2)
    for bad in (1, 0, True, 2.0):
        with pytest.raises(ValueError, match="n_splits must be an integer >= 2"):
            compare_known_labels(X1, X2, known_labels=known, estimator=est, n_splits=bad)
    with pytest.raises(ValueError, match="marks no row as known"):
        compare_known_labels(X1, X2, known_labels=np.full(len(y), -1), estimator=est)
    with pytest.raises(ValueError, match="single known row"):
        compare_known_labels(X1, X2, known_labels=some_known(y, 1), estimator=est)
    with pytest.raises(ValueError, match="known_labels holds class 3"):
        compare_known_labels(X1, X2, known_labels=np.where(known == 2, 3, known), estimator=est)
    with pytest.raises(ValueError, match="1-D with one entry per sample"):
        compare_known_labels(X1, X2, known_labels=known[:-1], estimator=est)


def test_every_way_of_passing_the_views_gives_the_same_answer():
    pd = pytest.importorskip("pandas")
    da = pytest.importorskip("dask.array")
    X1, X2, y = make_two_views()
    known = some_known(y, 3)
    ref = compare_known_labels(X1, X2, known_labels=known, estimator=HumeClustering(3, **FAST), random_state=0)
    one = HumeClustering(3, view_sizes=[6, 8], **FAST)
    X = np.hstack([X1, X2])
    for args, est in (([X1, X2], HumeClustering(3, **FAST)), ((pd.DataFrame(X1), pd.DataFrame(X2)),
                                                              HumeClustering(3, **FAST)),
                      ((X,), one), ((da.from_array(X, chunks=(30, 14)),), one)):
        if not isinstance(args, tuple):
            args = (args,)
        res = compare_known_labels(*args, known_labels=known, estimator=est, random_state=0)
        assert res == ref
