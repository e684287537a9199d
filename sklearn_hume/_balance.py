"""``balance="auto"``: fit the runs with the entropy balance term and without
a size preference (``"free"``), keep the family that is more reliable.

The entropy term pulls every cluster towards ``1 / K``: right for balanced
classes, it splits large classes and merges small ones otherwise. The
size-free fit (each cluster's error relative to its share, a floor barrier
against empty clusters) follows the class sizes, but on balanced classes it
may merge two confusable classes and split another. Which one holds is read
from the two agreements HUME rests on: the views' (each view's task head
labels the fit rows alone; the adjusted Rand index between views, as
:meth:`HumeClustering.score` measures it) and the runs' (the mean
``confidence`` of their vote: how much the voting runs reproduce each other).
Their product is kept as the family's reliability. On the shared cases the
views' agreement alone chose the size-free fit on balanced classes too (up
to 14 points lost), the runs' alone missed most imbalanced ones.
"""

from itertools import combinations

import numpy as np
from sklearn.metrics import adjusted_rand_score


def views_agreement(view_labels, voters):
    """Mean ARI between every pair of views' labels over the runs ``voters``:
    what :meth:`HumeClustering.score` reports. ``view_labels``: per view,
    ``(N, R)`` labels; ``None`` or one view: ``nan`` (nothing to compare)."""
    if view_labels is None or len(view_labels) < 2:
        return float("nan")
    alone = [np.asarray(v)[:, voters].T for v in view_labels]
    return float(np.mean([adjusted_rand_score(alone[i][r], alone[j][r])
                          for i, j in combinations(range(len(alone)), 2) for r in range(len(voters))]))


def family_reliability(view_labels, voters, confidence):
    """The views' agreement (:func:`views_agreement`) times the runs'
    ``confidence``; the confidence alone with fewer than two views."""
    agreement = views_agreement(view_labels, voters)
    return confidence if np.isnan(agreement) else agreement * confidence


def pick(agreements):
    """The family (a key of ``agreements``) whose views agree most; the
    first one on a tie or when none can be compared."""
    names = list(agreements)
    values = np.array([agreements[n] for n in names], dtype=float)
    if np.all(np.isnan(values)):
        return names[0]
    return names[int(np.nanargmax(values))]
