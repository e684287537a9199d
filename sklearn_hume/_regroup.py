"""``balance="auto"`` on classes of unequal size: merge two clusters and split
a third where the views' kNN graph asks for it (pure NumPy / SciPy functions).

Where the judges keep the density-weighted or the size-free family, the
classes look unequal, and even those families keep some pull towards equal
clusters: a large class is left in pieces while two small ones share a
cluster. One move merges the two clusters whose merge raises the graph's
modularity at :data:`REGROUP_RESOLUTION` most and splits, along the Fiedler
vector of its own subgraph, the cluster whose split raises it most; moves go
on, the number of clusters unchanged, while a move raises it by more than
:data:`REGROUP_MARGIN`. The lower resolution is what lets a merged large
class stand: at resolution 1 the moves lost as much as they gained.

Measured (the benchmarks page, stop 52): on the issue's unequal draws it
gains about 2 points of ACC at 10x and 30x on the draws it was chosen on
and 4.4 on fresh ones. Applied to every fit instead, it cost balanced
classes up to 17 points (two close classes merged, a wide one split):
nothing in the moves themselves tells the two apart, so it follows the
judges' verdict that the classes are unequal.
"""

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, eigsh

from ._balance import LOW_RESOLUTION

# Modularity's resolution for the moves: the judges' lower one, which holds
# unequal clusters against a labeling less.
REGROUP_RESOLUTION = LOW_RESOLUTION
# A move is made when it raises that modularity by more than this. 0 and 0.004
# moved balanced draws whose density family was kept (worst -16.9 and -10.3
# points on fresh draws); 0.008 moved none of the 36 balanced draws measured.
REGROUP_MARGIN = 0.008
# A split leaves at least this share of the cluster's rows (and 2 rows) on each side.
MIN_PIECE = 1 / 50


def merge_gains(labels, neighbours, n_clusters, resolution):
    """The modularity gained by merging each pair of clusters, ``(K, K)``
    (``-inf`` on the diagonal), on the kNN graph ``neighbours`` (``(N, k)``
    indices): the share of the graph's edges between the two, less
    ``resolution`` times the chance share ``2 p_a p_b``."""
    n_rows, k = neighbours.shape
    K = n_clusters
    pairs = np.repeat(labels, k) * K + labels[neighbours].ravel()
    edges = np.bincount(pairs, minlength=K * K).reshape(K, K).astype(np.float64)
    shares = np.bincount(labels, minlength=K) / n_rows
    gains = (edges + edges.T) / (n_rows * k) - 2 * resolution * np.outer(shares, shares)
    np.fill_diagonal(gains, -np.inf)
    return gains


def split_gain(rows, neighbours, resolution):
    """The best split of the cluster ``rows`` (indices) and the modularity it
    gains: the sweep over the Fiedler vector of the cluster's own symmetric
    kNN subgraph that cuts fewest edges for the chance share it removes.
    Returns ``(gain, mask)``, ``mask`` the rows of one side; ``(-inf, None)``
    when the cluster is too small to split or the eigensolver does not
    converge."""
    n_rows, k = neighbours.shape
    n = len(rows)
    least = max(2, int(n * MIN_PIECE))
    if n < 2 * least + 1:
        return -np.inf, None
    local = np.full(n_rows, -1)
    local[rows] = np.arange(n)
    src = np.repeat(np.arange(n), k)
    dst = local[neighbours[rows].ravel()]
    inside = dst >= 0
    src, dst = src[inside], dst[inside]
    A = sp.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    A = ((A + A.T) > 0).astype(np.float64)
    degree = np.asarray(A.sum(1)).ravel() + 1e-9
    scale = sp.diags(1 / np.sqrt(degree))
    # A fixed start vector: the same split on every call.
    start = np.random.default_rng(0).standard_normal(n)
    try:
        values, vectors = eigsh(scale @ A @ scale, k=2, which="LA", v0=start, tol=1e-6, maxiter=5000)
    except ArpackNoConvergence:  # no Fiedler vector to sweep: the cluster is not split
        return -np.inf, None
    fiedler = vectors[:, np.argsort(values)[0]] / np.sqrt(degree)
    order = np.argsort(fiedler, kind="stable")
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    # cut[m]: the kNN edges between the first m rows in that order and the rest.
    low, high = np.minimum(position[src], position[dst]), np.maximum(position[src], position[dst])
    steps = np.bincount(low + 1, minlength=n + 1) - np.bincount(high + 1, minlength=n + 1)
    cut = np.cumsum(steps)[:n]
    m = np.arange(n)
    gains = -cut / (n_rows * k) + 2 * resolution * (m / n_rows) * ((n - m) / n_rows)
    gains[:least] = -np.inf
    gains[n - least:] = -np.inf
    best = int(np.argmax(gains))
    mask = np.zeros(n, dtype=bool)
    mask[order[:best]] = True
    return float(gains[best]), mask


def regroup(labels, neighbours, n_clusters, resolution=REGROUP_RESOLUTION, margin=REGROUP_MARGIN):
    """Merge-and-split moves on the kNN graph ``neighbours`` (``(N, k)``
    indices) from ``labels`` (``(N,)``, clusters ``0 .. n_clusters - 1``),
    at most ``n_clusters`` of them, each made while it raises the modularity
    at ``resolution`` by more than ``margin``: the best merge of two clusters
    ``a`` and ``b`` (:func:`merge_gains`) with the best split of another
    cluster ``c`` (:func:`split_gain`); ``b``'s number goes to one side of
    ``c``.

    Returns
    -------
    labels : ndarray of shape (N,)
        A new array.
    support : ndarray of shape (n_clusters, n_clusters)
        ``support[j, k]``: 1 when a vote for the input's cluster ``j`` is a
        vote for the output's cluster ``k`` (a merged cluster is voted for by
        both of its parts' votes, each side of a split by the split
        cluster's).
    moves : int
    """
    labels = np.array(labels, dtype=np.int64, copy=True)
    support = np.eye(n_clusters)
    moves = 0
    # A cluster's best split depends on its own rows only: kept until a move changes them.
    splits = {}
    for _ in range(n_clusters):
        gains = merge_gains(labels, neighbours, n_clusters, resolution)
        a, b = np.unravel_index(int(np.argmax(gains)), gains.shape)
        others = [c for c in range(n_clusters) if c not in (a, b)]
        if not others:
            break
        for c in others:
            if c not in splits:
                splits[c] = split_gain(np.flatnonzero(labels == c), neighbours, resolution)
        c = max(others, key=lambda c: splits[c][0])
        gain, mask = splits[c]
        if not gains[a, b] + gain > margin:
            break
        rows = np.flatnonzero(labels == c)
        labels[labels == b] = a
        labels[rows[mask]] = b
        support[:, a] = np.maximum(support[:, a], support[:, b])
        support[:, b] = support[:, c]
        for changed in (a, b, c):
            splits.pop(changed, None)
        moves += 1
    return labels, support, moves
