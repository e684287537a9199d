"""Known labels or a plain classifier? A held-out comparison on the known rows.

HUME's structure helps most when labels are scarce. With many labels per class
and views whose unsupervised structure is far from the labeling, a classifier
trained on the labelled rows alone can be the better choice (measured on the
benchmarks page). Which one holds for a user's data is answered by the labels
the user already has: hide some known rows, give each method the rest, and
count how many hidden rows each gets right.
"""

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler
from sklearn.utils import Bunch, check_random_state

from ._hume import HumeClustering
from ._prepare import check_known_labels
from ._progress import progress_bar
from ._views import collect_views, is_count, is_dataframe, shape_of


def default_classifier(view_sizes):
    """Logistic regression on the views centred, their rows L2-normalised and
    put side by side: the input KMeans gets in the benchmarks, so no view
    outweighs another by its scale or width."""
    edges = np.concatenate([[0], np.cumsum(view_sizes)])
    per_view = [(f"view{i}", make_pipeline(StandardScaler(with_std=False), Normalizer()), np.arange(a, b))
                for i, (a, b) in enumerate(zip(edges[:-1], edges[1:]))]
    return make_pipeline(ColumnTransformer(per_view), LogisticRegression(max_iter=1000))


def known_rows_side_by_side(views, rows):
    """The known rows of every view side by side: only they are read, so
    views on disk or in dask stay there."""
    def take(v):
        if is_dataframe(v):
            return np.asarray(v.iloc[rows])
        return np.asarray(v[rows] if hasattr(v, "shape") else np.asarray(v)[rows])
    return np.hstack([take(v) for v in views])


def held_out_folds(rows, classes, n_splits, rng):
    """Fold of each known row, ``-1`` for rows never hidden: each class's rows
    are shuffled and dealt round the folds, and a class with a single known
    row keeps it in every fold (a class must stay known to be numbered)."""
    folds = np.full(len(rows), -1)
    for c in np.unique(classes):
        members = np.flatnonzero(classes == c)
        if len(members) >= 2:
            folds[rng.permutation(members)] = np.arange(len(members)) % n_splits
    return folds


def compare_known_labels(X, X2=None, *, known_labels, estimator=None, classifier=None, n_splits=5,
                         random_state=None, verbose=0):
    """Compare ``fit(..., known_labels=...)`` with a classifier trained on the
    known rows alone, on known rows that each is not shown.

    Each class's known rows are dealt into ``n_splits`` folds. For every
    fold, ``estimator`` is fitted with that fold's labels hidden (set to
    ``-1``) and ``classifier`` is trained on the other known rows; both label
    the hidden rows. Every known row (of a class with at least two) is
    hidden once, so the accuracies are over all of them. Costs ``n_splits``
    fits of each.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or list of array-likes
        The views as in :meth:`HumeClustering.fit`.
    X2 : array-like of shape (n_samples, n_features_2), default=None
        The second view, when ``X`` holds only the first.
    known_labels : array-like of shape (n_samples,)
        Class of the rows whose class is known, ``-1`` for the others, as in
        :meth:`HumeClustering.fit`.
    estimator : HumeClustering, default=None
        Template (default: ``HumeClustering()``); cloned for each fold.
    classifier : classifier, default=None
        Cloned for each fold and trained on the known rows of the views side
        by side. Default: logistic regression on the views centred, their
        rows L2-normalised and side by side.
    n_splits : int, default=5
        Folds of the known rows (at least 2). Each method learns from the
        other folds' rows; with few folds a classifier, which has only those
        rows, is judged on fewer labels than the user has and looks worse
        than it will be (measured: 2 folds missed the classifier's lead on 2
        of 3 draws where 5 folds found it on all 3).
    random_state : int, RandomState instance or None, default=None
        Draws the folds.
    verbose : int, default=0
        A progress bar over the folds.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``best`` (``"known_labels"`` or ``"classifier"``, the one with the
        higher held-out accuracy; ``"known_labels"`` on a tie),
        ``known_labels_accuracy``, ``classifier_accuracy``, ``n_held_out``
        (known rows hidden once each), and ``only_known_labels_right`` and
        ``only_classifier_right``: the hidden rows that one method got right
        and the other wrong. The accuracies differ by these counts alone; a
        difference of a few rows is within the noise of the draw (a sign
        test on the two counts says how likely).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hume import HumeClustering, compare_known_labels
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1, 2], 40)
    >>> c = rng.normal(size=(3, 5)) * 5
    >>> X1, X2 = c[y] + rng.normal(size=(120, 5)), c[y] @ rng.normal(size=(5, 7)) + rng.normal(size=(120, 7))
    >>> known = np.full(120, -1)
    >>> known[[0, 1, 2, 40, 41, 42, 80, 81, 82]] = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    >>> res = compare_known_labels(X1, X2, known_labels=known, random_state=0,
    ...                            estimator=HumeClustering(n_clusters=3, n_runs=4, random_state=0))
    >>> res.n_held_out, float(res.known_labels_accuracy)
    (9, 1.0)
    """
    template = estimator if estimator is not None else HumeClustering()
    if not is_count(n_splits, 2):
        raise ValueError(f"n_splits must be an integer >= 2, got {n_splits!r}.")
    views, _ = collect_views(X, X2, y_allowed=False)
    n_samples = shape_of(views[0], "X")[0]
    checked = check_known_labels(known_labels, n_samples, template.n_clusters)
    if checked is None:
        raise ValueError("known_labels marks no row as known (all -1): there is nothing to compare on.")
    rows, classes = checked
    if len(np.unique(classes)) < 2:
        raise ValueError(f"known_labels names a single class ({int(classes[0])}): a classifier trained on its rows "
                         "can only predict that class, so there is nothing to compare. Give known rows of at "
                         "least two classes.")
    folds = held_out_folds(rows, classes, n_splits, check_random_state(random_state))
    if not (folds >= 0).any():
        raise ValueError("Every class in known_labels has a single known row: hiding one would leave its class "
                         "unknown. The comparison needs at least two known rows in some class.")
    given = np.full(n_samples, -1, dtype=np.int64)
    given[rows] = classes
    X_known = None
    hits, only = {"known_labels": 0, "classifier": 0}, {"known_labels": 0, "classifier": 0}
    with progress_bar(n_splits, "compare_known_labels", verbose) as bar:
        for fold in range(n_splits):
            hidden = rows[folds == fold]
            if hidden.size:
                partial = given.copy()
                partial[hidden] = -1
                # The fit validates the views before the classifier reads them.
                est = clone(template).fit(X, X2, known_labels=partial)
                hume_right = np.asarray(est.labels_[hidden]) == given[hidden]
                if X_known is None:
                    X_known = known_rows_side_by_side(views, rows)
                clf = clone(classifier) if classifier is not None else default_classifier(est.view_sizes_)
                shown = folds != fold
                clf.fit(X_known[shown], classes[shown])
                clf_right = clf.predict(X_known[~shown]) == classes[~shown]
                hits["known_labels"] += int(hume_right.sum())
                hits["classifier"] += int(clf_right.sum())
                only["known_labels"] += int((hume_right & ~clf_right).sum())
                only["classifier"] += int((clf_right & ~hume_right).sum())
            if bar is not None:
                bar.update(1)
    n_held_out = int((folds >= 0).sum())
    accuracy = {k: v / n_held_out for k, v in hits.items()}
    best = "known_labels" if accuracy["known_labels"] >= accuracy["classifier"] else "classifier"
    return Bunch(best=best, known_labels_accuracy=accuracy["known_labels"],
                 classifier_accuracy=accuracy["classifier"], n_held_out=n_held_out,
                 only_known_labels_right=only["known_labels"], only_classifier_right=only["classifier"])
