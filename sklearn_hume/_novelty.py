"""How well the fitted labeling explains a row, for ``score_samples`` and the
opt-in ``-1`` of ``predict``: rows far from every training row in the views,
and rows whose label the runs and views do not agree on, score low (pure
functions on tensors and arrays)."""

from numbers import Real

import numpy as np
import torch

from ._graph import nearest, unit_rows

# Neighbours a row's density is read from (the 10th-neighbour distance was the
# strongest simple baseline for rows of a class left out of the fit).
N_NEIGHBORS = 10
# Similarities this close to 1 are the row itself among the training rows.
SELF = 1 - 1e-6


def neighbor_similarity(Zs, reference, n_neighbors=N_NEIGHBORS):
    """Per row, the mean over the views of its mean cosine similarity to its
    ``n_neighbors`` nearest reference rows (``reference``: the views of the
    training rows, rows of unit norm), leaving out a row identical to it, so
    that training rows are scored as new rows are. ``(N,)``."""
    total = torch.zeros(Zs[0].shape[0], dtype=Zs[0].dtype, device=Zs[0].device)
    for Z, A in zip(Zs, reference):
        k = min(n_neighbors + 1, A.shape[0])
        sim = nearest(unit_rows(Z), k, reference=A)[0]
        own = sim[:, 0] >= SELF  # the row itself: take the next k instead
        top = torch.where(own[:, None], sim[:, 1:], sim[:, :-1]) if k > 1 else sim
        total += top.mean(1)
    return total / len(Zs)


def row_scores(P, Zs, graph_views):
    """``score_samples`` of rows with soft labels ``P`` (ndarray ``(N, K)``)
    and embedded views ``Zs``: the largest soft label plus, when the training
    rows' views are kept (``graph_views``), :func:`neighbor_similarity`."""
    scores = np.asarray(P).max(1).astype(np.float64)
    if graph_views is not None:
        with torch.no_grad():
            reference = [torch.as_tensor(A, device=Zs[0].device) for A in graph_views]
            scores += neighbor_similarity(Zs, reference).cpu().numpy().astype(np.float64)
    return scores


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
