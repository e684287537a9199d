"""Over-cluster, then merge: clusters the views' consensus kNN graph joins.

The balance term pulls every cluster towards ``1 / K``; on classes of unequal
size it splits the large ones and merges the small ones. Fitted with more
clusters than asked for, the runs give the small classes clusters of their
own and cut the large ones into pieces. Pieces of one class share a long
boundary in the kNN graph, distinct classes share few edges, so the pair of
clusters with the most edges between them relative to the smaller one's
edges, ``cut(a, b) / min(vol(a), vol(b))``, is merged, again and again,
until ``n_clusters`` remain (greedy agglomeration on the cluster graph).
"""

import numpy as np


def cluster_graph(labels, S, n_clusters):
    """Edge weight between every pair of clusters, symmetric ``(K', K')``."""
    S = S.coalesce()
    i, j = S.indices().cpu().numpy()
    w = S.values().cpu().numpy().astype(np.float64)
    A = np.zeros((n_clusters, n_clusters))
    np.add.at(A, (labels[i], labels[j]), w)
    return A + A.T


def merge_map(labels, S, n_from, n_to):
    """``m[k]``: the merged cluster (``0 .. n_to - 1``) of cluster ``k``.

    Parameters
    ----------
    labels : ndarray of shape (n_rows,)
        Clusters ``0 .. n_from - 1`` of the rows of ``S``.
    S : sparse tensor of shape (n_rows, n_rows)
        The rows' consensus kNN graph.
    n_from, n_to : int
    """
    A = cluster_graph(labels, S, n_from)
    groups = {k: [k] for k in range(n_from)}
    while len(groups) > n_to:
        keys = np.array(list(groups))
        sub = A[np.ix_(keys, keys)]
        vol = sub.sum(1)
        score = sub / np.maximum(np.minimum.outer(vol, vol), 1e-12)
        np.fill_diagonal(score, -np.inf)
        x, y = np.unravel_index(np.argmax(score), score.shape)
        a, b = int(keys[x]), int(keys[y])
        A[a] += A[b]
        A[:, a] += A[:, b]
        A[b], A[:, b] = 0, 0
        groups[a] += groups.pop(b)
    out = np.empty(n_from, dtype=np.int64)
    for new, members in enumerate(sorted(groups.values())):
        out[members] = new
    return out
