"""Choosing the number of clusters without labels."""

import numpy as np
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.utils import Bunch

from ._hume import HumeClustering


def run_agreement(estimator):
    """Mean adjusted Rand index between each voting run and the voted labels.

    Near 1 when independent random runs land on the same partition. With the
    wrong number of clusters there are several equally good ways to split or
    merge classes and the runs disagree, so this is comparable across
    ``n_clusters`` (ARI is corrected for chance).
    """
    return float(np.mean([adjusted_rand_score(estimator.labels_, estimator.run_labels_[r])
                          for r in estimator.voters_]))


def select_n_clusters(X, X2=None, *, n_clusters_range=range(2, 16), estimator=None, tolerance=0.1, verbose=0):
    """Choose the number of clusters without labels.

    Fits ``estimator`` (default: ``HumeClustering()``) once per candidate and
    scores each fit twice, both comparable across the number of clusters:

    - stability, :func:`run_agreement`: do independent random runs find the
      same partition? With too few or too many clusters there are several
      equally good ways to merge or split classes, and the runs disagree;
    - learnability, :meth:`HumeClustering.probe_score`: the chance-corrected
      leave-one-out agreement of linear probes with the labels.

    Among the *stable* candidates, those whose agreement is within
    ``tolerance`` (relative) of the most stable one, the one with the best
    score is chosen. Either criterion alone failed on one of our real cases
    (agreement alone chose 14 on Fashion-MNIST, the score alone 6 on the
    digits; the truth is 10 for both): a spurious split can be stable, and
    merging classes can make labels easier to learn.

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
    tolerance : float in [0, 1], default=0.1
        How far below the highest agreement a candidate still counts as
        stable. ``0`` picks the most stable candidate, ``1`` the best score.
        The default was set on the curves of our three real cases (any value
        from 0.10 to 0.15 chose K within one of the truth on all three).
    verbose : int, default=0
        Print one line per candidate.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``n_clusters`` (the choice), ``candidates``, ``agreement``, ``score``
        and ``stable`` (arrays over candidates) and ``estimator`` (the chosen
        fitted one).

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
    candidates = [int(k) for k in n_clusters_range]
    if not candidates or min(candidates) < 2:
        raise ValueError(f"n_clusters_range must hold integers >= 2, got {candidates}.")
    if not 0 <= tolerance <= 1:
        raise ValueError(f"tolerance must be in [0, 1], got {tolerance!r}.")
    agreement, score, fitted = [], [], []
    for k in candidates:
        est = clone(template).set_params(n_clusters=k).fit(X, X2)
        agreement.append(run_agreement(est))
        score.append(est.probe_score(X, X2))
        fitted.append(est)
        if verbose:
            print(f"[select_n_clusters] n_clusters={k}: run agreement {agreement[-1]:.3f}, "
                  f"score {score[-1]:.3f}", flush=True)
    agreement, score = np.array(agreement), np.array(score)
    best, stable = _most_learnable_stable(agreement, score, tolerance)
    return Bunch(n_clusters=candidates[best], candidates=np.array(candidates), agreement=agreement, score=score,
                 stable=stable, estimator=fitted[best])


def _most_learnable_stable(agreement, score, tolerance):
    """Index of the best-scoring candidate among the stable ones, and the mask
    of stable candidates (agreement within ``tolerance`` of the highest)."""
    stable = agreement >= (1 - tolerance) * agreement.max()
    return int(np.flatnonzero(stable)[np.argmax(score[stable])]), stable
