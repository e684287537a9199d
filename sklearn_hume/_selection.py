"""Choosing the number of clusters without labels."""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch

from ._aggregate import vote_agreement
from ._hume import HumeClustering
from ._progress import progress_bar


def run_agreement(estimator):
    """Mean adjusted Rand index between each voting run and the fitted labels.

    Near 1 when independent random runs land on the same partition. With the
    wrong number of clusters there are several equally good ways to split or
    merge classes and the runs disagree, so this is comparable across
    ``n_clusters`` (ARI is corrected for chance).
    """
    return vote_agreement(estimator.labels_, estimator.run_labels_, estimator.voters_)


def select_n_clusters(X, X2=None, *, n_clusters_range=range(2, 16), estimator=None, random_state=None,
                      verbose=0):
    """Choose the number of clusters without labels.

    Fits ``estimator`` (default: ``HumeClustering()``) once per candidate and
    measures how reproducible its partition is in two independent ways, both
    chance-corrected (adjusted Rand index) and so comparable across the number
    of clusters:

    - across representations, :meth:`HumeClustering.score`: does each view's
      task head, alone, label the samples like the other views' heads? HUME's
      own criterion;
    - across random restarts, :func:`run_agreement`: do the independent runs
      find the same partition?

    With too few or too many clusters there are several equally good ways to
    merge or split classes, and restarts or views choose differently. The
    candidate with the highest product of the two is chosen (with one view or
    ``objective="hume"``, run agreement alone); each alone misled on some
    real cases (see the benchmarks page). The probe score
    (:meth:`HumeClustering.probe_score`) is reported too but not used:
    merging classes makes labels easier to learn.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        All views side by side, or the first view when ``X2`` is given.
    X2 : array-like of shape (n_samples, n_features_2), default=None
        The second view.
    n_clusters_range : iterable of int, default=range(2, 16)
        Candidates.
    estimator : HumeClustering, default=None
        Template whose other parameters are kept.
    random_state : int, RandomState instance or None, default=None
        Sets the template's ``random_state`` for every candidate (``None``
        keeps the template's own), so that a choice is reproducible.
    verbose : int, default=0
        A progress bar over the candidates and one line per candidate.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``n_clusters`` (the choice); arrays over the candidates:
        ``candidates``, ``criterion`` (what is maximised), ``agreement`` (the
        views': each fit's :meth:`HumeClustering.score`), ``run_agreement``
        and ``probe_score`` (:meth:`HumeClustering.probe_score`, reported, not
        used); and ``estimator``, the chosen fitted one.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hume import HumeClustering, select_n_clusters
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1, 2], 40)
    >>> c = rng.normal(size=(3, 5)) * 5
    >>> X1, X2 = c[y] + rng.normal(size=(120, 5)), c[y] @ rng.normal(size=(5, 7)) + rng.normal(size=(120, 7))
    >>> res = select_n_clusters(X1, X2, n_clusters_range=[2, 3, 4, 5],
    ...                         estimator=HumeClustering(n_runs=8, random_state=0))
    >>> res.n_clusters
    3
    """
    template = estimator if estimator is not None else HumeClustering()
    if random_state is not None:
        template = clone(template).set_params(random_state=random_state)
    given = list(n_clusters_range)
    if not all(isinstance(k, Integral) and not isinstance(k, (bool, np.bool_)) for k in given):
        raise ValueError(f"n_clusters_range must hold integers >= 2, got {given!r}: each candidate is a number of "
                         "clusters, a whole number.")
    candidates = [int(k) for k in given]
    if not candidates or min(candidates) < 2:
        raise ValueError(f"n_clusters_range must hold integers >= 2, got {candidates}.")
    criterion, agreement, runs, score, fitted = [], [], [], [], []
    with progress_bar(len(candidates), "select_n_clusters", verbose) as bar:
        for k in candidates:
            est = clone(template).set_params(n_clusters=k).fit(X, X2)
            runs.append(run_agreement(est))
            views = len(est.view_sizes_) > 1 and est.heads_ is not None and len(est.heads_) > 1
            agreement.append(est.score(X, X2) if views else np.nan)
            criterion.append(agreement[-1] * runs[-1] if views else runs[-1])
            score.append(est.probe_score(X, X2))
            fitted.append(est)
            if bar is not None:
                bar.update(1)
                bar.write(f"[select_n_clusters] n_clusters={k}: criterion {criterion[-1]:.3f} (views' agreement "
                          f"{agreement[-1]:.3f}, run agreement {runs[-1]:.3f}); probe score {score[-1]:.3f}")
    best = int(np.argmax(criterion))
    return Bunch(n_clusters=candidates[best], candidates=np.array(candidates), criterion=np.array(criterion),
                 agreement=np.array(agreement), run_agreement=np.array(runs), probe_score=np.array(score),
                 estimator=fitted[best])
