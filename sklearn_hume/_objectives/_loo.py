"""``objective="loo"``: task heads on every view; per view a ridge classifier
whose exact leave-one-out error (closed form from one SVD per view) measures
how well a linear model generalises the labeling."""

import torch

from .._optim import optimise
from .._ridge import loo_squared_error, ridge_spectrum
from ._heads import (  # noqa: F401  (the shared part of the objective interface)
    check_views,
    draw_batch,
    head_probabilities,
    init,
    neighbour_graph,
    penalties,
    probabilities,
    probe_views,
    public_heads,
    run_scores,
    view_labels,
)
from ._terms import log_prior

DEFAULTS = dict(n_iter=150, learning_rate=0.1, temperature=0.1, entropy_weight=5.0, anneal_at=(),
                max_grad_norm=None, inner_steps=None, inner_lr=None)
UNUSED = ("inner_steps", "inner_lr", "n_subsets", "subset_size", "train_fraction")
KNOWN_LABELS = True  # takes rows with known classes (fit's known_labels)
# batch_size="auto": every row up to this many, batches of _AUTO_BATCH beyond.
AUTO_FULL_BATCH, AUTO_BATCH = 50_000, 20_000


def auto_batch(n_samples):
    return n_samples if n_samples <= AUTO_FULL_BATCH else AUTO_BATCH


def loo_objective(Y, bases):
    """Expected leave-one-out Brier score of ridge classifiers fitted to ``Y``.

    For each view, ridge regression of the soft labels ``Y`` (``(N, R, K)``)
    gives exact leave-one-out predictions ``f_i``. If a hard label ``c`` were
    drawn from ``y_i``, the expected squared error ``E||e_c - f_i||^2`` equals
    ``||y_i - f_i||^2 + (1 - ||y_i||^2)``: the fit error plus the Gini impurity
    of the label (the squared-loss analogue of cross-entropy = entropy + KL),
    which keeps labels from going soft. Returns the mean over samples and
    views, ``(R,)``.
    """
    impurity = 1.0 - (Y * Y).sum(-1).mean(0)
    return loo_squared_error(Y, bases) / len(bases) + impurity


def fit(Zs, params, settings, seed, progress=None, anchors=None, tuner=None):
    n = Zs[0].shape[0]
    device = Zs[0].device
    params = [p.to(device).clone().requires_grad_() for p in params]
    prior = log_prior(settings.cluster_prior, device)
    batch = min(settings.batch_size, n)
    full = [ridge_spectrum(Z, settings.alpha) for Z in Zs] if batch >= n else None
    # Batches are shared by all runs: one generator, the same in every chunk of runs.
    gen = torch.Generator().manual_seed(seed)
    graph = neighbour_graph(Zs, settings, batch)

    def loss_fn(it, temperature):
        Zb = draw_batch(Zs, batch, gen)
        # A mini-batch gets the exact LOO objective of its own ridge fits.
        bases = full if full is not None else [ridge_spectrum(Z, settings.alpha, gram=True) for Z in Zb]
        Y = head_probabilities(Zb, params, temperature)
        return loo_objective(Y, bases) + penalties(Y, Zs, params, temperature, settings, prior, anchors, graph)

    losses, n_iter = optimise(loss_fn, params, settings, deterministic=full is not None, progress=progress, tuner=tuner)
    return [p.detach() for p in params], losses, n_iter

