"""Label propagation over the views' consensus kNN graph: the last step of a fit.

The cross-view objective finds labelings that linear models learn in every
view; kNN-graph methods know something it does not (on the shared mfeat case
spectral clustering is purer). Spreading the runs' mean soft labels a little
over the neighbours that most views agree on, as LabelSpreading spreads known
labels, corrects rows whose heads disagree with their neighbourhood.

The graph is built on a set of graph rows (the fit rows, or a sample of
them), with :func:`~sklearn_hume._graph.neighbor_mean_operator` against the
graph rows' unit-row views. Graph rows propagate among themselves; every row, new or not, then takes
``(1 - weight) * P0 + weight * mean of its consensus neighbours among the graph rows``, the
row itself among them when it is a graph row. A row's label thus depends only
on the row and the fitted state, so ``predict`` on the training rows gives
``labels_``.

Pure functions on tensors.
"""

import torch

from ._graph import mean_operator

N_STEPS = 20
MAX_GRAPH_ROWS = 10_000
# Every row's neighbour search against the graph rows costs N x graph rows x
# width. With MAX_GRAPH_ROWS graph rows it took 12 s of a 23 s fit at 100,000
# rows (wordnet10 tiled, two views of 128 columns). So beyond GRAPH_PAIRS /
# MAX_GRAPH_ROWS = 50,000 rows the graph rows shrink to keep N x graph rows
# at GRAPH_PAIRS. The search then costs the same from 50,000 rows to
# MAX_ROWS, and the fit time no longer falls by a third where propagation
# switches off: 100,000 rows took 16.9 s with 5,000 graph rows and 200,000
# rows 16.8 s without propagation. ACC was 0.878 against 0.880 with 10,000
# graph rows and 0.871 without propagation.
GRAPH_PAIRS = 500_000_000
# Beyond MAX_ROWS propagation is off. With fewer graph rows than 5,000 it cost
# accuracy: at 200,000 rows, 2,500 graph rows gave ACC 0.864 against 0.871
# without propagation.
MAX_ROWS = 100_000


def n_graph_rows(n_rows):
    """How many graph rows a propagation over ``n_rows`` fit rows uses: every
    row up to :data:`MAX_GRAPH_ROWS`, at most that many, and fewer beyond
    ``GRAPH_PAIRS / MAX_GRAPH_ROWS`` rows, so that ``n_rows`` x graph rows
    stays at most :data:`GRAPH_PAIRS`."""
    return max(1, min(MAX_GRAPH_ROWS, GRAPH_PAIRS // max(n_rows, 1)))


def graph_rows(n_rows, known_rows, generator, max_rows=None):
    """Sorted indices of the graph rows: all rows up to ``max_rows``
    (default ``MAX_GRAPH_ROWS``), else a random sample of that size joined by
    every row with a known label."""
    max_rows = MAX_GRAPH_ROWS if max_rows is None else max_rows
    if n_rows <= max_rows:
        return torch.arange(n_rows)
    sample = torch.randperm(n_rows, generator=generator)[:max_rows]
    if known_rows is not None:
        sample = torch.cat([sample, torch.as_tensor(known_rows)]).unique()
    return sample.sort().values


def without_self(S):
    """The graph rows' operator on themselves with each row's own edge dropped
    and the rest re-averaged."""
    i, j = S.indices()
    keep = i != j
    return mean_operator(i[keep], j[keep], S.shape, S.dtype)


def _linked(S):
    return (torch.bincount(S.indices()[0], minlength=S.shape[0]) > 0)[:, None]


def mix(P0, S, graph_soft, weight):
    """``(1 - weight) P0 + weight S graph_soft``; rows without a neighbour keep ``P0``."""
    return torch.where(_linked(S), (1 - weight) * P0 + weight * torch.sparse.mm(S, graph_soft), P0)


def propagate(P0, S, weight, clamp=None, n_steps=N_STEPS):
    """Iterate ``P = mix(P0, S, P)`` (personalised-PageRank style) on the graph rows.

    Rows of ``P`` keep summing to one. ``clamp``, a ``(rows, classes)`` pair,
    fixes rows with a known class to it, as LabelSpreading does.
    """
    if clamp is not None:
        P0 = P0.clone()
        P0[clamp[0]] = 0
        P0[clamp[0], clamp[1]] = 1
    P = P0
    for _ in range(n_steps):
        P = mix(P0, S, P, weight)
    return P
