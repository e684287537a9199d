"""Aggregating runs: Hungarian alignment and majority vote (NumPy/SciPy)."""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import contingency_matrix


def contingency(a, b, n_clusters):
    """``C[i, j]`` = number of samples with ``a == i`` and ``b == j``, for every
    id in ``range(n_clusters)`` (scikit-learn's table covers only the ids
    present)."""
    C = np.zeros((n_clusters, n_clusters), dtype=np.int64)
    C[np.ix_(np.unique(a), np.unique(b))] = contingency_matrix(a, b)
    return C


def best_numbering(score):
    """The renumbering of cluster ids with the largest summed ``score[k,
    numbering[k]]`` (Hungarian algorithm; ``score`` square, cluster x id):
    ``numbering[k]`` is cluster ``k``'s new id."""
    clusters, ids = linear_sum_assignment(-score)
    numbering = np.empty(len(score), dtype=np.int64)
    numbering[clusters] = ids
    return numbering


def match_clusters(labels, targets, n_clusters):
    """The renumbering of cluster ids that agrees with ``targets`` on the most
    samples (:func:`best_numbering` of their contingency table)."""
    return best_numbering(contingency(labels, targets, n_clusters))


def align_runs(run_labels, reference, n_clusters):
    """Permutations that map each run's cluster ids onto the reference run's.

    Parameters
    ----------
    run_labels : ndarray of shape (n_runs, n_samples)
    reference : int
        Index of the run the others are aligned to.
    n_clusters : int

    Returns
    -------
    perms : ndarray of shape (n_runs, n_clusters)
        ``perms[r, k]`` is the reference id of run ``r``'s cluster ``k``; the
        Hungarian algorithm maximises the number of samples on which the
        relabelled run agrees with the reference.
    """
    return np.stack([match_clusters(lab, run_labels[reference], n_clusters) for lab in run_labels])


def vote(run_labels, perms, n_clusters, tie_break=None):
    """Majority vote of aligned runs.

    Parameters
    ----------
    run_labels : ndarray of shape (n_runs, n_samples)
    perms : ndarray of shape (n_runs, n_clusters)
        From :func:`align_runs`.
    n_clusters : int
    tie_break : ndarray of shape (n_samples, n_clusters), default=None
        Scores that decide between clusters with equally many votes (for
        example the mean soft assignment); without it the lowest id wins.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
    counts : ndarray of shape (n_samples, n_clusters)
        Votes per cluster.
    """
    aligned = np.take_along_axis(perms, run_labels, axis=1)
    n_samples = run_labels.shape[1]
    counts = np.zeros((n_samples, n_clusters), dtype=np.int64)
    for lab in aligned:
        counts[np.arange(n_samples), lab] += 1
    score = counts.astype(np.float64)
    if tie_break is not None:
        # Scaled below one vote so it only ever separates ties.
        tb = np.asarray(tie_break, dtype=np.float64)
        span = np.ptp(tb, axis=1, keepdims=True)
        score = score + 0.5 * (tb - tb.min(1, keepdims=True)) / np.where(span > 0, span, 1.0)
    return score.argmax(1), counts


def vote_agreement(labels, run_labels, runs):
    """Mean adjusted Rand index between the voted labels and each of ``runs``
    (chance-corrected: comparable across numbers of clusters)."""
    return float(np.mean([adjusted_rand_score(labels, run_labels[r]) for r in runs]))


def cluster_stability(labels, run_labels, perms, n_clusters):
    """How reproducible each aggregated cluster is across runs: the mean over
    runs of the Jaccard index between the cluster and the run's aligned
    cluster of the same id, shape ``(n_clusters,)``, in ``[0, 1]``."""
    out = np.zeros(n_clusters)
    for lab, perm in zip(run_labels, perms):
        # Intersections and sizes from one contingency table per run.
        C = contingency(labels, perm[lab], n_clusters)
        inter = np.diag(C)
        union = C.sum(1) + C.sum(0) - inter
        out += np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    return out / len(run_labels)


def members_by_confidence(labels, confidence, n_clusters):
    """Per cluster ``0 .. n_clusters - 1``, its rows from the most to the
    least confident (ties in row order)."""
    out = []
    for k in range(n_clusters):
        members = np.flatnonzero(labels == k)
        out.append(members[np.argsort(-confidence[members], kind="stable")])
    return out
