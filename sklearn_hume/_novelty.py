"""How well the fitted labeling explains a row, for ``score_samples``: rows
far from every training row in the views, and rows whose label the runs and
views do not agree on, score low (pure functions on tensors)."""

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
