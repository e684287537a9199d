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
    scores each fit twice, both comparable across the number of clusters
    (chance-corrected):

    - agreement, :meth:`HumeClustering.score`: does each view's task head,
      alone, label the samples like the other views' heads (adjusted Rand
      index)? HUME's own criterion. With one view or ``objective="hume"``
      there is nothing to compare, and :func:`run_agreement` (do independent
      random runs find the same partition?) takes its place;
    - learnability, :meth:`HumeClustering.probe_score`: the leave-one-out
      kappa of linear probes fitted to the labels.

    Among the candidates whose agreement is within ``tolerance`` (relative)
    of the highest, the one with the best learnability is chosen. Either
    criterion alone failed on our real cases (truth 10): the views agreed
    best at 6 clusters on Fashion-MNIST (merged classes are easy to agree
    on), and probes learned 6, 8 or 9 digit clusters best (merging makes
    labels easier to learn).

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
        How far below the highest agreement a candidate still counts.
        ``0`` picks the highest agreement, ``1`` the best learnability.
        Measured on three real cases with three seeds each, 0.05 and 0.10
        chose the true number of clusters in all nine fits, 0.15 in six
        (the other three one off).
    verbose : int, default=0
        Print one line per candidate.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``n_clusters`` (the choice), arrays over the candidates:
        ``candidates``, ``agreement`` (the criterion above), ``score``
        (learnability), ``stable`` (within ``tolerance``) and
        ``run_agreement``; and ``estimator``, the chosen fitted one.

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
    agreement, runs, score, fitted = [], [], [], []
    for k in candidates:
        est = clone(template).set_params(n_clusters=k).fit(X, X2)
        runs.append(run_agreement(est))
        views = len(est.view_sizes_) > 1 and est.objective != "hume"
        agreement.append(est.score(X, X2) if views else runs[-1])
        score.append(est.probe_score(X, X2))
        fitted.append(est)
        if verbose:
            print(f"[select_n_clusters] n_clusters={k}: agreement {agreement[-1]:.3f}, "
                  f"learnability {score[-1]:.3f}, run agreement {runs[-1]:.3f}", flush=True)
    agreement, score = np.array(agreement), np.array(score)
    best, stable = _most_learnable_stable(agreement, score, tolerance)
    return Bunch(n_clusters=candidates[best], candidates=np.array(candidates), agreement=agreement, score=score,
                 stable=stable, run_agreement=np.array(runs), estimator=fitted[best])


def _most_learnable_stable(agreement, score, tolerance):
    """Index of the best-scoring candidate among the stable ones, and the mask
    of stable candidates (agreement within ``tolerance`` of the highest)."""
    stable = agreement >= agreement.max() - tolerance * abs(agreement.max())
    if tolerance >= 1:
        stable[:] = True
    return int(np.flatnonzero(stable)[np.argmax(score[stable])]), stable
