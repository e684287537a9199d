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
    if n > MAX_REFERENCE_ROWS:
        reference = _joint_rows(Zs, torch.randperm(n, generator=generator)[:MAX_REFERENCE_ROWS].to(Zs[0].device))
    else:
        reference = _joint_rows(Zs, slice(None))
    k = min(RADIUS_NEIGHBORS + 1, reference.shape[0])  # + 1: a reference row is its own nearest
    # The radius is a quantile: beyond MAX_REFERENCE_ROWS rows the reference
    # rows estimate it, for a pass over them instead of over every row.
    queries = Zs if n <= MAX_REFERENCE_ROWS else [reference]
    kth = torch.cat([sim.topk(k, dim=1).values[:, -1] for sim in _similarities(queries, reference)])
    radius = torch.quantile(kth.double(), RADIUS_QUANTILE).to(reference.dtype)
    # Counted in int32: a block of 1,024 x 10,000 sums in 0.035 s against 0.062 s in int64.
    counts = torch.cat([(sim >= radius).sum(1, dtype=torch.int32) for sim in _similarities(Zs, reference)])
    w = counts.clamp_min(1).to(torch.float32) ** -beta
    return w / w.mean()
