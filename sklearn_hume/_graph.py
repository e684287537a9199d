"""The views' kNN graph, for the neighbourhood term of the head objectives.

Graph methods (spectral clustering) find classes that a linear model in each
view generalises less well than some other labeling: on the shared mfeat case
the kNN graph's labels are purer than HUME's. Asking that a row's label agree
with its neighbours' adds that knowledge to the cross-view objective.

Pure functions on tensors.
"""

import warnings

import torch


def unit_rows(Z):
    return Z / Z.norm(dim=1, keepdim=True).clamp_min(1e-12)


# Entries of one block of similarities: 8 MiB of float32. Blocks of 2,048 rows
# against 10,000 took 160 MiB at the peak (topk copies its input) and were no
# faster than blocks of 200-500 rows (0.37 s against 0.30-0.33 s).
BLOCK_ENTRIES = 2**21


def nearest(F, n_neighbors, block=None, reference=None):
    """Similarities and indices of each row's ``n_neighbors`` nearest rows by
    the inner product (cosine similarity for rows of unit norm), each
    ``(N, n_neighbors)``, in decreasing order; computed in blocks of rows (by
    default as many as keep a block's similarities within
    :data:`BLOCK_ENTRIES`).

    Without ``reference`` the neighbours are other rows of ``F`` (itself
    excluded); with it, rows of ``reference``, where a row identical to the
    query counts as its nearest neighbour."""
    own = reference is None
    reference = F if own else reference
    if block is None:
        block = max(64, BLOCK_ENTRIES // max(reference.shape[0], 1))
    values, indices = [], []
    for start in range(0, F.shape[0], block):
        sim = F[start:start + block] @ reference.T
        if own:
            sim[torch.arange(sim.shape[0]), torch.arange(start, start + sim.shape[0])] = -torch.inf
        top = sim.topk(n_neighbors, dim=1)
        values.append(top.values)
        indices.append(top.indices)
    return torch.cat(values), torch.cat(indices)


def knn_indices(F, n_neighbors, block=None, reference=None):
    """Indices of each row's ``n_neighbors`` nearest rows, ``(N, n_neighbors)``
    (:func:`nearest`)."""
    return nearest(F, n_neighbors, block, reference)[1]


def consensus_votes(n_views):
    """In how many views' kNN lists an edge must appear to be kept: at least
    half of them, and at least two when there are two or more."""
    return 1 if n_views == 1 else max(2, -(-n_views // 2))


def mean_operator(i, j, shape, dtype):
    """The sparse matrix whose row ``i`` averages the columns ``j`` of that
    row's edges; rows without an edge are zero."""
    degree = torch.bincount(i, minlength=shape[0]).clamp_min(1).to(dtype)
    return torch.sparse_coo_tensor(torch.stack([i, j]), 1.0 / degree[i], shape, check_invariants=False).coalesce()


def neighbor_mean_operator(Zs, n_neighbors, reference=None):
    """The sparse matrix that averages each row's consensus neighbours.

    Each view gives every row its ``n_neighbors`` nearest rows (cosine
    similarity); an edge is kept when enough views agree on it
    (:func:`consensus_votes`). On the shared cases such edges join rows of the
    same class far more often than the neighbours in any one view or in the
    views side by side (with 10 neighbours, 0.995 against 0.963 on mfeat), and a weak
    view cannot add edges on its own. Rows without a kept edge get a zero row.

    Without ``reference`` the neighbours are other rows of ``Zs`` and the
    operator is ``(N, N)``; with ``reference`` (the same views of other rows,
    rows already of unit norm) they are the reference rows, ``(N, n_reference)``, and
    a row identical to a reference row counts it among its neighbours.
    """
    n = Zs[0].shape[0]
    m = n if reference is None else reference[0].shape[0]
    k = min(n_neighbors, m - 1 if reference is None else m)
    device = Zs[0].device
    rows = torch.arange(n, device=device).repeat_interleave(k)
    refs = [None] * len(Zs) if reference is None else reference
    edges = torch.cat([rows * m + knn_indices(unit_rows(Z), k, reference=R).reshape(-1) for Z, R in zip(Zs, refs)])
    found, votes = torch.unique(edges, return_counts=True)
    kept = found[votes >= consensus_votes(len(Zs))]
    return mean_operator(kept // m, kept % m, (n, m), Zs[0].dtype)


def symmetric_part(A):
    """``(A + A^T) / 2`` in CSR form: the same quadratic form ``y^T A y``, and
    its gradient is one sparse product."""
    S = ((A + A.t()) * 0.5).coalesce()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        return S.to_sparse_csr()
