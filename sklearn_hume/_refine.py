"""One refinement round before the last propagation: a ridge classifier per
view fitted to the propagated labels, whose mean output becomes the soft
labels that are propagated again.

HUME's premise is that the human labeling is what a linear model learns in
every view. The runs' heads were fitted to the cross-view objective, with the
labels still moving; after the vote and the propagation, refitting one linear
model per view to the settled labels and averaging them lets every view
correct rows that the others and the graph got wrong. Measured on the shared
cases, one round gained and more rounds drifted (benchmarks page).

Pure functions on tensors.
"""

import torch

from ._ridge import ridge_fit


def ridge_heads(Zs, targets, alpha):
    """One ridge classifier ``(W, b)`` per view, fitted to ``targets`` ``(N, K)``."""
    return [ridge_fit(Z, targets, alpha) for Z in Zs]


def ridge_head_probabilities(Zs, heads, temperature):
    """Soft labels ``(N, K)``: the softmax of the views' mean ridge outputs
    divided by the label temperature."""
    logits = sum(torch.addmm(b, Z, W) for Z, (W, b) in zip(Zs, heads)) / len(Zs)
    return torch.softmax(logits / temperature, dim=1)
