"""Row weights for ``balance="density"``: the balance term counts a dense
region's rows for less (pure functions on tensors).

The entropy term asks every cluster to hold ``1 / K`` of the rows. When a
class has ten times the rows of another, the term splits it and merges small
classes. Subsampling a class thins it out but leaves the region it fills in
the embeddings about the same, so a class's *region* says more about it than
its count. Each row gets the weight ``c ** -BETA``, ``c`` the number of rows
within a fixed similarity of it (the views side by side, the same radius for
every row): the entropy of the weighted mean label then balances clusters
halfway (on a log scale) between equal counts (``BETA = 0``) and equal regions
(``BETA = 1``). Measured (``benchmarks/bench_imbalance.py``, and the benchmarks
page for ``BETA``): alone it loses on balanced classes, where classes' regions
differ (bags and sandals spread wider than trousers), so ``balance="auto"``
keeps it only when it gives the labeling that the kNN graph prefers.
"""

import torch

from ._graph import unit_rows

# Halfway between equal counts and equal regions (the benchmarks page: 0.25 and 1
# were measured too).
BETA = 0.5
# The radius: this quantile of the rows' similarity to their RADIUS_NEIGHBORS-th
# nearest row, so that a typical row counts about that many neighbours.
RADIUS_QUANTILE, RADIUS_NEIGHBORS = 0.5, 20
# Rows the counts are read against beyond this many rows: a random sample (the
# counts are only needed up to a common factor).
MAX_REFERENCE_ROWS = 10_000
# Similarities kept per row by the pass over every row (up to
# MAX_REFERENCE_ROWS rows): a row's count is read from them unless all are
# within the radius. On the shared cases' issue-27 draws 0-10 % of the rows
# (2 % or fewer but on balanced fashion10k) have to be counted again; keeping
# 128 instead of 21 costs a third more per block than the radius alone needs.
TOP_KEPT = 128
_BLOCK = 1024


def _joint_rows(Zs, rows):
    """The views' unit rows side by side, scaled to unit norm, of ``rows`` (a
    slice or indices)."""
    return torch.cat([unit_rows(Z[rows].float()) for Z in Zs], 1) / len(Zs) ** 0.5


def _similarities(Zs, reference):
    """Blocks of every row's similarities to the ``reference`` rows, rows in
    order; each block's joint rows are built on the fly, so that no copy of
    all rows is made (a million rows of two 128-column views would take 1 GiB)."""
    n = Zs[0].shape[0]
    for start in range(0, n, _BLOCK):
        yield _joint_rows(Zs, slice(start, start + _BLOCK)) @ reference.T


def _top_similarities(Zs, reference, k):
    """Every row's ``k`` largest similarities to the ``reference`` rows and
    their indices, each ``(N, k)``, in decreasing order."""
    values, indices = [], []
    for sim in _similarities(Zs, reference):
        top = sim.topk(k, dim=1)
        values.append(top.values)
        indices.append(top.indices)
    return torch.cat(values), torch.cat(indices)


def _radius(kth):
    """The radius from every query row's similarity to its
    :data:`RADIUS_NEIGHBORS`-th nearest reference row."""
    return torch.quantile(kth.double(), RADIUS_QUANTILE).to(kth.dtype)


def _counts(Zs, reference, radius):
    """Per row, the reference rows within ``radius``, ``(N,)`` int32."""
    # Counted in int32: a block of 1,024 x 10,000 sums in 0.035 s against 0.062 s in int64.
    return torch.cat([(sim >= radius).sum(1, dtype=torch.int32) for sim in _similarities(Zs, reference)])


def _weights(counts, beta):
    w = counts.clamp_min(1).to(torch.float32) ** -beta
    return w / w.mean()


def density_weights(Zs, generator, beta=BETA):
    """Per row, ``c ** -beta`` scaled to mean one, ``(N,)`` float32.

    ``c`` counts the reference rows (every row, or a random
    :data:`MAX_REFERENCE_ROWS` of them drawn from ``generator``) whose cosine
    similarity to the row, with the views' unit rows side by side, is at
    least the radius: the :data:`RADIUS_QUANTILE` quantile over rows of the
    similarity to their :data:`RADIUS_NEIGHBORS`-th nearest reference row
    (over the reference rows when they are a sample). A row counts itself
    when it is a reference row (``c >= 1``).
    """
    n = Zs[0].shape[0]
    if n <= MAX_REFERENCE_ROWS:
        return density_weights_and_neighbours(Zs, 0, beta)[0]
    reference = _joint_rows(Zs, torch.randperm(n, generator=generator)[:MAX_REFERENCE_ROWS].to(Zs[0].device))
    # The radius is a quantile: the reference rows estimate it, for a pass
    # over them instead of over every row (+ 1: a reference row is its own nearest).
    kth = _top_similarities([reference], reference, min(RADIUS_NEIGHBORS + 1, len(reference)))[0][:, -1]
    return _weights(_counts(Zs, reference, _radius(kth)), beta)


def density_weights_and_neighbours(Zs, n_neighbors, beta=BETA):
    """:func:`density_weights` of at most :data:`MAX_REFERENCE_ROWS` rows
    (every row a reference row), and each row's ``n_neighbors`` nearest other
    rows by the same similarities, ``(N, n_neighbors)`` indices in decreasing
    similarity: one pass over the rows for both.

    The pass keeps each row's :data:`TOP_KEPT` largest similarities. The
    radius and most counts are read from them; a row whose kept similarities
    are all within the radius may count more rows and is compared with every
    row again.
    """
    n = Zs[0].shape[0]
    reference = _joint_rows(Zs, slice(None))
    kept = min(max(TOP_KEPT, RADIUS_NEIGHBORS + 1, n_neighbors + 1), n)
    values, indices = _top_similarities(Zs, reference, kept)
    radius = _radius(values[:, min(RADIUS_NEIGHBORS, n - 1)])  # a row is its own nearest
    counts = (values >= radius).sum(1, dtype=torch.int32)
    if kept < n:
        full = (values[:, -1] >= radius).nonzero()[:, 0]
        if len(full):
            counts[full] = _counts([Z[full] for Z in Zs], reference, radius)
    # The row itself left out of its neighbours (it need not come first: a
    # copy of it is as near).
    own = indices == torch.arange(n, device=indices.device)[:, None]
    nearest = values.masked_fill(own, -torch.inf).topk(min(n_neighbors, n - 1), dim=1).indices
    return _weights(counts, beta), indices.gather(1, nearest)
