"""How well the fitted labeling explains a row, for ``score_samples`` and the
opt-in ``-1`` of ``predict``: rows far from every training row in the views,
or outside the principal axes fitted on them, score low, measured against
their cluster's own spread (pure functions on tensors and arrays)."""

from numbers import Real

import numpy as np
import torch

from ._graph import nearest
from ._views import row_squared_norms

# Neighbours a row's density is read from (the 10th-neighbour distance was the
# strongest simple baseline for rows of a class left out of the fit).
N_NEIGHBORS = 10
# A squared distance this small, relative to the row's squared norm, is the row
# itself among the training rows (float32 rounding of identical rows).
SELF = 1e-5
# A cluster's typical distance outside the principal axes is read as at least
# this share of its typical distance inside them: where the axes keep all or
# nearly all of a view (all of one of at most 128 columns), the training rows'
# part outside is rounding noise or near it, and a new row's would otherwise
# weigh without bound (AUROC on digits, whose 144 HOG columns leave a part
# outside of 2e-5 times the inside's: 0.964 unfloored, 0.966 with any floor
# from 0.01 to 1; on the shared cases a floor of 1 loses wordnet10 0.8 points).
OUTSIDE_FLOOR = 0.01


def neighbor_distance(Zs, residual, reference, reference_norms, n_neighbors=N_NEIGHBORS):
    """Per row, two parts of its squared distance to its training neighbours
    in each view's preprocessed space, split at the principal axes fitted on
    the training rows, ``(N, 2)``: inside them, its mean squared Euclidean
    distance to its ``n_neighbors`` nearest reference rows, the embedded views
    side by side; outside them, its own squared distance from the embeddings'
    subspaces (``residual``, ``(N,)``), where a class the fit never saw can
    lie, away from every axis the fit kept (the training rows' own part
    outside is left out: added, it lowered wordnet10's AUROC from 0.888 to
    0.854, classes 0-3 left out in turn). ``reference``: the training rows'
    views as rows of unit norm (the propagation's graph rows),
    ``reference_norms`` (``(M, V)``) their norms. A row identical to the
    reference row is left out, so that training rows are scored as new rows
    are. The views side by side rather than one by one: a row of a class
    nobody named can sit close to training rows in one view, rarely in all at
    once (AUROC mfeat 0.953 against 0.910 view by view, measured on the
    cosine score before)."""
    # ||z - t||^2 = ||z||^2 - (2 z.t - ||t||^2): the nearest rows by one inner
    # product with augmented rows [z, 1] and [2 t, -||t||^2].
    one = Zs[0].new_ones(Zs[0].shape[0], 1)
    query = torch.cat(list(Zs) + [one], 1)
    ref = torch.cat([2 * A * reference_norms[:, v:v + 1] for v, A in enumerate(reference)]
                    + [-(reference_norms * reference_norms).sum(1, keepdim=True)], 1)
    sq_norm = sum(row_squared_norms(Z) for Z in Zs)
    k = min(n_neighbors + 1, ref.shape[0])
    dist = (sq_norm[:, None] - nearest(query, k, reference=ref)[0]).clamp_min(0)
    own = dist[:, 0] <= SELF * sq_norm.clamp_min(torch.finfo(dist.dtype).tiny)  # the row itself
    top = torch.where(own[:, None], dist[:, 1:], dist[:, :-1]) if k > 1 else dist
    return torch.stack([top.mean(1), residual.to(top.dtype)], 1)


def cluster_scales(distances, labels, n_clusters):
    """Each cluster's typical :func:`neighbor_distance`, part by part: the
    median over its training rows (``distances`` ``(M, 2)`` and ``labels``,
    the graph rows'), ``(K, 2)`` float64. A cluster without graph rows takes
    the median over all of them; a scale is never below a tiny positive floor
    (rows repeated many times), and the part outside the axes never below
    ``OUTSIDE_FLOOR`` times the part inside."""
    distances = np.asarray(distances, dtype=np.float64)
    labels = np.asarray(labels)
    overall = np.median(distances, axis=0) if len(distances) else np.ones(2)
    scales = np.tile(overall, (n_clusters, 1))
    for k in np.unique(labels):
        scales[k] = np.median(distances[labels == k], axis=0)
    scales[:, 1] = np.maximum(scales[:, 1], OUTSIDE_FLOOR * scales[:, 0])
    return np.maximum(scales, np.finfo(np.float32).tiny)


def row_scores(labels, P, Zs, residual, graph_views, graph_norms, scales):
    """``score_samples`` of rows with labels ``labels`` and soft labels ``P``
    (ndarrays ``(N,)`` and ``(N, K)``), embedded views ``Zs`` and squared
    distances from the embeddings' subspaces ``residual``: when the training
    rows' views are kept (``graph_views``, with their norms ``graph_norms``),
    minus the sum of :func:`neighbor_distance`'s two parts, each divided by
    the square root of the row's cluster's typical one (``scales``,
    :func:`cluster_scales`); else the largest soft label.

    The square root weighs a distance and the same distance relative to the
    cluster's own spread alike (their geometric mean): a class nobody named
    can lie as far from its nearest cluster as a loose cluster's members lie
    from each other, and as close as a tight cluster's. Each alone loses
    somewhere (AUROC with each class left out in turn, seed 0, mfeat2 /
    wordnet10 / fashion10k / digits, both parts as one distance: the distance
    0.954 / 0.917 / 0.761 / 0.957, relative 0.967 / 0.899 / 0.772 / 0.945,
    the geometric mean 0.970 / 0.917 / 0.780 / 0.967). Each part against its
    own typical value: on text and images the part outside flags a class
    nobody named better than the part inside (alone, wordnet10 0.831 against
    0.807, fashion10k 0.792 against 0.740) but is a quarter of it on the
    training rows, so in one sum it counted for less than it tells (seeds
    0-2: 0.969 / 0.917 / 0.781 / 0.966 as one distance, 0.972 / 0.922 /
    0.792 / 0.966 part by part).

    The soft label is left out when the neighbours can be read: added to
    them it lowered the AUROC on wordnet10 (0.857 against 0.877) and
    fashion10k (0.720 against 0.816), where the heads are as sure of the
    rows of a class nobody named as of the others."""
    if graph_views is None:
        return np.asarray(P).max(1).astype(np.float64)
    return _relative_scores(_training_distance(Zs, residual, graph_views, graph_norms), scales, labels)


def _relative_scores(distances, scales, labels):
    """The score itself: minus the sum over each row's two distances
    (``(N, 2)``) of each over the square root of its cluster's scale (rows'
    ``labels`` index ``scales``, ``(K, 2)``)."""
    return -(distances / np.sqrt(np.asarray(scales)[np.asarray(labels)])).sum(1)


def _training_distance(Zs, residual, graph_views, graph_norms):
    """:func:`neighbor_distance` to the kept training rows (NumPy arrays), float64 NumPy ``(N, 2)``."""
    with torch.no_grad():
        device = Zs[0].device
        reference = [torch.as_tensor(A, device=device) for A in graph_views]
        norms = torch.as_tensor(graph_norms, device=device)
        return neighbor_distance(Zs, residual, reference, norms).cpu().numpy().astype(np.float64)


def graph_reference(Zs, residual, graph_index):
    """What the score keeps of the graph rows besides their unit rows: each
    view's row norms ``(M, V)`` and the rows' ``residual``, float32 NumPy;
    ``(None, None)`` without graph rows."""
    if graph_index is None:
        return None, None
    idx = torch.as_tensor(graph_index, device=Zs[0].device)
    norms = torch.stack([Z[idx].norm(dim=1) for Z in Zs], 1)
    return norms.cpu().numpy().astype(np.float32), residual[idx].cpu().numpy().astype(np.float32)


def training_scores(P, graph_views, graph_norms, graph_residual, graph_labels, n_clusters):
    """What the score of a row needs from the training rows, and the sorted
    scores that ``predict``'s ``contamination`` is a share of: with the graph
    rows kept (every fit row up to their cap, a random sample of the fit rows
    beyond: a neighbour search of at most graph rows x graph rows, not fit
    rows x graph rows on every fit), each cluster's typical distance
    (:func:`cluster_scales`, read on the graph rows with their labels
    ``graph_labels``) and the graph rows' scores; else ``None`` and every fit
    row's largest soft label. Returns ``(scales, sorted_scores)``."""
    if graph_views is None:
        return None, np.sort(np.asarray(P).max(1).astype(np.float64))
    Zs = [torch.as_tensor(A * graph_norms[:, v:v + 1]) for v, A in enumerate(graph_views)]
    distances = _training_distance(Zs, torch.as_tensor(graph_residual), graph_views, graph_norms)
    scales = cluster_scales(distances, graph_labels, n_clusters)
    return scales, np.sort(_relative_scores(distances, scales, graph_labels))


def rejection_threshold(training_scores, contamination, threshold):
    """The score below which ``predict`` labels a row ``-1``, or ``None``.

    ``threshold``: the user's value. ``contamination``: the share of the
    training rows that would be rejected, the matching quantile of their
    sorted scores (``training_scores``)."""
    if contamination is not None and threshold is not None:
        raise ValueError("Give contamination or threshold, not both.")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, Real) or not np.isfinite(threshold):
            raise ValueError(f"threshold must be a finite number (a score_samples value), got {threshold!r}.")
        return float(threshold)
    if contamination is None:
        return None
    if isinstance(contamination, bool) or not isinstance(contamination, Real) or not 0 < contamination <= 0.5:
        raise ValueError(f"contamination must be a share in (0, 0.5], got {contamination!r}.")
    return float(np.quantile(training_scores, contamination))


def reject(labels, scores, cut):
    """``labels`` with ``-1`` where ``scores < cut`` (a new array)."""
    out = np.array(labels, dtype=np.int64, copy=True)
    if cut is not None:
        out[scores < cut] = -1
    return out
