"""``objective="turtle"``: task heads on every view; per view a warm-started
linear classifier trained by a few Adam steps per iteration; first-order
hypergradient (TURTLE, Gadetsky, Jiang & Brbić, ICML 2024)."""

import torch

from .._optim import adam_state, adam_step, optimise, zero_grad
from ._heads import (  # noqa: F401  (the shared part of the objective interface)
    batched_linear,
    check_views,
    draw_batch,
    head_probabilities,
    init,
    neighbor_graph,
    penalties,
    permute_clusters,
    probabilities,
    probe_views,
    public_heads,
    run_scores,
    view_labels,
)
from ._terms import log_prior

DEFAULTS = dict(n_iter=150, learning_rate=0.1, temperature=0.1, entropy_weight=5.0, anneal_at=(),
                max_grad_norm=None, inner_steps=10, inner_lr=0.05)
# The settings it reads (every other conditional parameter warns when set).
READS = ("n_clusters", "n_runs", "n_iter", "learning_rate", "temperature", "entropy_weight", "anneal_at",
         "anneal_factor", "max_grad_norm", "alpha", "tol",
         "batch_size", "cluster_prior", "inner_steps", "inner_lr", "label_weight",
         "neighbor_weight", "n_neighbors")
KNOWN_LABELS = True  # takes rows with known classes (fit's known_labels)
CHUNKED_RUNS = True  # its runs may be fitted in parallel chunks (n_jobs)
FINAL_STEPS = True  # its vote may be propagated and refitted (propagation, refine)
AUTO_BATCH = 10_000  # TURTLE's rows per iteration


def auto_batch(n_samples):
    return min(n_samples, AUTO_BATCH)


def inner_cross_entropy(Zs, Y, inner):
    """Mean over views of the cross-entropy of the inner classifiers
    ``[(V, b), ...]`` against soft labels ``Y``, ``(R,)``."""
    total = 0.0
    for Z, (V, b) in zip(Zs, inner):
        logits = batched_linear(Z, V, b)
        logp = torch.log_softmax(logits.transpose(-1, -2), dim=-2).transpose(-1, -2)
        total = total - (Y * logp).sum(-1).mean(0)
    return total / len(Zs)


def fit(Zs, params, settings, seed, progress=None, known=None, tuner=None, row_weights=None):
    # row_weights: never passed (this objective has no balance term to weigh).
    n, device = Zs[0].shape[0], Zs[0].device
    R, K = params[0].shape[0], settings.n_clusters
    params = [p.to(device).clone().requires_grad_() for p in params]
    prior = log_prior(settings.cluster_prior, device)
    inner = [(torch.zeros(R, Z.shape[1], K, device=device, requires_grad=True),
              torch.zeros(R, 1, K, device=device, requires_grad=True)) for Z in Zs]
    inner_params = [p for pair in inner for p in pair]
    inner_state = adam_state(inner_params)
    batch = min(settings.batch_size, n)
    gen = torch.Generator().manual_seed(seed)
    graph = neighbor_graph(Zs, settings, batch)

    def loss_fn(it, temperature):
        Zb = draw_batch(Zs, batch, gen)
        Y = head_probabilities(Zb, params, temperature)
        # Warm-started: a few steps per outer iteration track the labels.
        with torch.enable_grad():
            for _ in range(settings.inner_steps):
                zero_grad(inner_params)
                inner_cross_entropy(Zb, Y.detach(), inner).sum().backward()
                adam_step(inner_params, inner_state, settings.inner_lr)
        fixed = [(V.detach(), b.detach()) for V, b in inner]  # first-order hypergradient
        fit_term = inner_cross_entropy(Zb, Y, fixed)
        return fit_term + penalties(Y, Zs, params, temperature, settings, prior, known, graph)

    # The inner classifiers keep moving, so the loss is not a fixed function: no tol.
    losses, n_iter = optimise(loss_fn, params, settings, progress=progress, tuner=tuner)
    return [p.detach() for p in params], losses, n_iter
