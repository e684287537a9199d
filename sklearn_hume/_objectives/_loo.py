"""``objective="loo"``: task heads on every view; per view a ridge classifier
whose exact leave-one-out error (closed form from one SVD per view) measures
how well a linear model generalises the labeling."""

import torch

from .._density import density_weights
from .._optim import optimise
from .._ridge import hat_complement, loo_scale, ridge_spectrum
from ._heads import (  # noqa: F401  (the shared part of the objective interface)
    check_views,
    clusters_side_by_side,
    draw_batch,
    init,
    mean_logits,
    neighbor_graph,
    permute_clusters,
    probabilities,
    probe_views,
    public_heads,
    run_scores,
    side_penalties,
    view_labels,
)
from ._terms import balance_and_gradient, floor_barrier_and_gradient, log_prior, softmax_over_clusters

DEFAULTS = dict(n_iter=150, learning_rate=0.1, temperature=0.1, entropy_weight=5.0, anneal_at=(),
                max_grad_norm=None, inner_steps=None, inner_lr=None)
# The settings it reads (every other conditional parameter warns when set).
READS = ("n_clusters", "n_runs", "n_iter", "learning_rate", "temperature", "entropy_weight", "anneal_at",
         "anneal_factor", "max_grad_norm", "alpha", "tol", "balance",
         "batch_size", "cluster_prior", "label_weight", "neighbor_weight", "n_neighbors")
KNOWN_LABELS = True  # takes rows with known classes (fit's known_labels)
CHUNKED_RUNS = True  # its runs may be fitted in parallel chunks (n_jobs)
FINAL_STEPS = True  # its vote may be propagated and refitted (propagation, refine)
# batch_size="auto": every row up to AUTO_FULL_BATCH rows, batches of AUTO_BATCH
# beyond. Every row up to 10,000: batches cost fashion10k with its pixel view 1.4
# points there (0.770 against 0.784, seeds 0-11; two views 0.759 either way), and
# balance="auto" compares its families on every row up to the same size. A batched
# step costs about 1.5x a full step on as many rows (its own ridge spectra, gathered
# rows), so batches of 6,144 cost about what every row did at the switch: a fit took
# 11.8 s at 10,000 rows and 11.3 s at 10,001 (medians of 3; batches of 4,096: 12.0
# and 10.8). Against batches of 20,000, a 50,000-row fit took 14.9-16.1 s instead
# of 22.2-25.5 s at the same ACC (wordnet10 tiled; the benchmarks page, "Large N").
AUTO_FULL_BATCH, AUTO_BATCH = 10_000, 6144


def auto_batch(n_samples):
    return n_samples if n_samples <= AUTO_FULL_BATCH else AUTO_BATCH


class _LooLoss(torch.autograd.Function):
    """The ``"loo"`` loss of every run from the heads' cluster-major logits
    ``(N, K * R)``, in one node with a hand-written backward; also returns the
    labels ``Y`` (``(N, K, R)``), through which other terms may add gradient.

    Per run: the mean over views of the mean squared leave-one-out residual of
    the views' ridge fits to ``Y``, plus the Gini impurity ``1 - mean ||y_i||^2``
    and ``entropy_weight`` times the balance penalty. With ``size_free``
    each cluster's expected squared error ``E_k`` is divided by ``K p_k``
    (``p_k`` its share; the gradient through ``p_k`` included), so that
    shrinking a cluster no longer lowers the loss by itself, and the balance
    penalty is a floor barrier that only keeps clusters from emptying. With
    ``g_Y = (2 / (N V)) sum_v (I - H_v) D_v^2 (I - H_v) Y - 2 Y / N + w grad_m / N``
    (``D = diag(1 / (1 - h))``, ``H`` symmetric) the backward is a softmax's,
    ``Y * (g_Y - <g_Y, Y>)``: two products per view and a dozen passes over
    ``Y``. With ``row_weights`` (``balance="density"``) the balance penalty
    reads the weighted mean label, and its gradient reaches row ``i`` with
    ``w_i / sum(w)`` instead of ``1 / N``. Autograd through the same steps
    took 10-25 % longer per iteration (mfeat2, fashion10k), mostly in its
    reductions over the short cluster axis and the gradient sums it keeps
    between nodes.
    """

    @staticmethod
    def forward(ctx, logits, n_clusters, entropy_weight, log_prior, size_free, row_weights, *spectra):
        ctx.set_materialize_grads(False)
        N, K = logits.shape[0], n_clusters
        R = logits.shape[1] // K
        Y = softmax_over_clusters(logits.view(N, K, R))
        flat = Y.view(N, K * R)
        mean = flat.mean(0)
        centred = flat - mean
        n_views = len(spectra) // 3
        per_column = (flat * flat).sum(0).mul_(-1.0 / N)
        weighted = []
        for U, g, h in zip(spectra[0::3], spectra[1::3], spectra[2::3]):
            d = loo_scale(h)[:, None]
            residual = hat_complement(flat, U, g, centred).mul_(d)
            per_column += (residual * residual).sum(0).mul_(1.0 / (N * n_views))
            weighted.append(residual.mul_(d))  # D^2 (I - H) Y, what the gradient needs
        share = mean.view(K, R)
        if size_free:
            # E_k / (K p_k); d/dp_k of it is -E_k / (K p_k^2), spread over the rows as 1 / N each.
            error = per_column.view(K, R) + share
            scale = 1.0 / (K * share.clamp_min(1e-4))
            through_share = -error * scale / share.clamp_min(1e-4)
            balance, balance_grad = floor_barrier_and_gradient(share, cluster_dim=0)
            fit = (error * scale).sum(0)
        else:
            scale = through_share = None
            if row_weights is not None:
                row_weights = row_weights / row_weights.sum(0)
                if row_weights.dim() == 1:
                    share = (row_weights @ flat).view(K, R)
                else:  # a weight per row and run
                    share = (Y * row_weights[:, None, :]).sum(0)
            balance, balance_grad = balance_and_gradient(share, log_prior, cluster_dim=0)
            fit = per_column.view(K, R).sum(0) + 1.0
        ctx.save_for_backward(Y, balance_grad, *weighted, *spectra[0::3], *spectra[1::3])
        ctx.entropy_weight, ctx.n_views, ctx.scale, ctx.through_share = entropy_weight, n_views, scale, through_share
        ctx.row_weights = row_weights
        return fit + entropy_weight * balance, Y

    @staticmethod
    def backward(ctx, grad_runs, grad_Y):
        Y, balance_grad, *rest = ctx.saved_tensors
        V = ctx.n_views
        weighted, Us, gs = rest[:V], rest[V:2 * V], rest[2 * V:]
        N, K, R = Y.shape
        flat = Y.view(N, K * R)
        grad = None
        if grad_runs is not None:
            fit = hat_complement(weighted[0], Us[0], gs[0])
            for E, U, g in zip(weighted[1:], Us[1:], gs[1:]):
                fit += hat_complement(E, U, g)
            fit = fit.mul_(2.0 / (N * V)).sub_(flat, alpha=2.0 / N).view(N, K, R)
            if ctx.scale is not None:  # size_free: the gradient of E_k / (K p_k)
                fit = fit.add_(1.0 / N).mul_(ctx.scale).add_(ctx.through_share / N)
            if ctx.row_weights is None:
                fit += balance_grad * (ctx.entropy_weight / N)
            else:
                fit += balance_grad * (ctx.row_weights * ctx.entropy_weight).view(N, 1, -1)
            grad = fit.mul_(grad_runs.view(1, 1, R))
        if grad_Y is not None:
            grad = grad_Y if grad is None else grad.add_(grad_Y)
        if grad is None:
            return (None,) * (6 + 3 * V)
        grad_logits = Y * (grad - (grad * Y).sum(1, keepdim=True))
        return (grad_logits.view(N, K * R), None, None, None, None, None) + (None,) * (3 * V)


def loo_loss(logits, n_clusters, bases, entropy_weight, log_prior=None, size_free=False, row_weights=None):
    """The ``"loo"`` objective of every run and the labels it scores.

    Parameters
    ----------
    logits : tensor of shape (N, K * R)
        Cluster-major logits (:func:`mean_logits` with
        :func:`clusters_side_by_side`).
    n_clusters : int
    bases : list of (U, g, h)
        Each view's :func:`ridge_spectrum`.
    entropy_weight : float
        Weight of the balance penalty (negative entropy of the mean label, or
        its KL divergence to ``exp(log_prior)``).
    log_prior : tensor of shape (K,) or None
    size_free : bool
        ``balance="free"``: each cluster's error relative to its share, and a
        floor barrier instead of the entropy (see :class:`_LooLoss`).
    row_weights : tensor of shape (N,) or (N, R), or None
        ``balance="density"``: the balance penalty reads the mean label with
        rows weighted by these (:func:`~sklearn_hume._density.density_weights`),
        the same for every run or one column per run.

    Returns
    -------
    losses : tensor of shape (R,)
        For each view, ridge regression of the soft labels ``Y`` gives exact
        leave-one-out predictions ``f_i``. If a hard label ``c`` were drawn
        from ``y_i``, the expected squared error ``E||e_c - f_i||^2`` equals
        ``||y_i - f_i||^2 + (1 - ||y_i||^2)``: the fit error plus the Gini
        impurity of the label (the squared-loss analogue of cross-entropy =
        entropy + KL), which keeps labels from going soft. The loss is its
        mean over samples and views, plus the weighted balance penalty.
    Y : tensor of shape (N, R, K)
        The labels (a view of a cluster-major tensor), differentiable.
    """
    losses, Y = _LooLoss.apply(logits, n_clusters, entropy_weight, log_prior, size_free, row_weights,
                               *[t for basis in bases for t in basis])
    return losses, Y.permute(0, 2, 1)


def fit(Zs, params, settings, seed, progress=None, known=None, tuner=None, row_weights=None):
    n = Zs[0].shape[0]
    device = Zs[0].device
    params = [p.to(device).clone().requires_grad_() for p in params]
    prior = log_prior(settings.cluster_prior, device)
    batch = min(settings.batch_size, n)
    full = [ridge_spectrum(Z, settings.alpha) for Z in Zs] if batch >= n else None
    # Batches are shared by all runs: one generator, the same in every chunk of runs.
    gen = torch.Generator().manual_seed(seed)
    graph = neighbor_graph(Zs, settings, batch)
    # balance="density": the weights ride with the views through the batches.
    weights = alike = None
    if settings.balance in ("density", "auto"):
        if row_weights is None:
            row_weights = density_weights(Zs, torch.Generator().manual_seed(seed))
        weights = row_weights[:, None].to(device, Zs[0].dtype)
    if settings.balance == "auto":  # the leading entropy runs weigh every row alike
        alike = torch.arange(params[0].shape[0], device=device) < settings.entropy_runs

    def loss_fn(it, temperature):
        Zb = draw_batch(Zs if weights is None else Zs + [weights], batch, gen)
        w = None if weights is None else Zb.pop()
        if w is not None:
            w = w[:, 0] if alike is None else torch.where(alike, 1.0, w)
        # A mini-batch gets the exact LOO objective of its own ridge fits.
        bases = full if full is not None else [ridge_spectrum(Z, settings.alpha, gram=True) for Z in Zb]
        logits = mean_logits(Zb, params, temperature, clusters_side_by_side)
        losses, Y = loo_loss(logits, settings.n_clusters, bases, settings.entropy_weight, prior,
                             size_free=settings.balance == "free", row_weights=w)
        return losses + side_penalties(Y, Zs, params, temperature, settings, known, graph)

    losses, n_iter = optimise(loss_fn, params, settings, deterministic=full is not None, progress=progress, tuner=tuner)
    return [p.detach() for p in params], losses, n_iter

