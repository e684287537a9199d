"""``balance="auto"``: fit the runs with the entropy balance term and without
a size preference (``"free"``), keep the family whose views agree more.

HUME's premise is that the human labeling is what a linear model finds in
*every* view. Each view's task head labels the fit rows on its own; the
family whose voting runs' views agree best (adjusted Rand index between the
views, as :meth:`HumeClustering.score` measures it) is kept. The entropy
term pulls every cluster towards ``1 / K``: right for balanced classes, it
splits large classes and merges small ones otherwise; the size-free fit
(each cluster's error relative to its share, a floor barrier against empty
clusters) follows the class sizes but is less stable on balanced ones.
"""

from itertools import combinations

import numpy as np
from sklearn.metrics import adjusted_rand_score


def views_agreement(view_labels, scores, n_voters):
    """Mean ARI between every pair of views' labels over the ``n_voters``
    best-scored runs. ``view_labels``: per view, ``(N, R)`` labels; ``None``
    or one view: ``nan`` (nothing to compare)."""
    if view_labels is None or len(view_labels) < 2:
        return float("nan")
    voters = np.argsort(-np.asarray(scores), kind="stable")[:n_voters]
    alone = [np.asarray(v)[:, voters].T for v in view_labels]
    return float(np.mean([adjusted_rand_score(alone[i][r], alone[j][r])
                          for i, j in combinations(range(len(alone)), 2) for r in range(len(voters))]))


def pick(agreements):
    """The family (a key of ``agreements``) whose views agree most; the
    first one on a tie or when none can be compared."""
    names = list(agreements)
    values = np.array([agreements[n] for n in names], dtype=float)
    if np.all(np.isnan(values)):
        return names[0]
    return names[int(np.nanargmax(values))]
