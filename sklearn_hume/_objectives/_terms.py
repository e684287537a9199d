"""Loss terms and label maps shared by the objectives (pure torch)."""

import torch


def sparsemax(z, dim=-1):
    """Euclidean projection of ``z`` onto the probability simplex along ``dim``
    (Martins & Astudillo, 2016): ``max(z - tau, 0)`` with ``tau`` chosen so
    the output sums to one."""
    z_sorted, _ = torch.sort(z, dim=dim, descending=True)
    k = torch.arange(1, z.shape[dim] + 1, device=z.device, dtype=z.dtype)
    shape = [1] * z.dim()
    shape[dim] = -1
    k = k.view(shape)
    cumsum = z_sorted.cumsum(dim) - 1
    support = (k * z_sorted > cumsum).to(z.dtype)
    k_z = support.sum(dim=dim, keepdim=True)
    tau = cumsum.gather(dim, k_z.long() - 1) / k_z
    return torch.clamp(z - tau, min=0)


def marginal_entropy(p, sample_dim=0):
    """Entropy of the mean label distribution over ``sample_dim``."""
    m = p.mean(dim=sample_dim)
    return -(m * torch.log(m.clamp_min(1e-12))).sum(-1)


def balance_penalty(p, log_prior=None, sample_dim=0):
    """Penalty on the mean label distribution ``m``.

    Without a prior, ``-H(m)``: the paper's entropy term, which favours
    balanced clusters. With ``log_prior`` (``(K,)``), ``KL(m || prior)``, which
    favours cluster sizes in proportion to the prior; for a uniform prior the
    two differ by the constant ``log K``.
    """
    m = p.mean(dim=sample_dim)
    return (m * _log_over_prior(m, log_prior, -1)).sum(-1)


def balance_and_gradient(m, log_prior=None, cluster_dim=-1):
    """:func:`balance_penalty` of the mean labels ``m`` themselves (clusters
    along ``cluster_dim``) and its gradient in ``m``, what autograd gives
    through the clamped log: for a loss that writes its own backward."""
    log_ratio = _log_over_prior(m, log_prior, cluster_dim)
    return (m * log_ratio).sum(cluster_dim), log_ratio + (m > 1e-12).to(m.dtype)


# balance="free": a cluster is pushed back only when its share falls below
# FLOOR / K, by BARRIER_SCALE * (FLOOR / K - share)^2 (times entropy_weight).
FLOOR, BARRIER_SCALE = 0.3, 100.0


def floor_barrier_and_gradient(m, floor=FLOOR, scale=BARRIER_SCALE, cluster_dim=-1):
    """A penalty on the mean labels ``m`` that is zero unless a cluster's
    share is below ``floor / K``: it keeps clusters from emptying without
    pulling their sizes towards each other. Returns the value (summed over
    ``cluster_dim``) and its gradient in ``m``."""
    gap = (floor / m.shape[cluster_dim] - m).clamp_min(0)
    return scale * (gap * gap).sum(cluster_dim), -2.0 * scale * gap


def _log_over_prior(m, log_prior, cluster_dim):
    """``log(m / prior)``, ``log m`` without a prior; ``m`` clamped away from 0."""
    log_m = torch.log(m.clamp_min(1e-12))
    if log_prior is None:
        return log_m
    shape = [1] * m.dim()
    shape[cluster_dim] = -1
    return log_m - log_prior.view(shape)


def log_prior(prior, device):
    """``log(prior)`` as a float32 tensor, or ``None`` without a prior."""
    if prior is None:
        return None
    return torch.log(torch.as_tensor(prior, dtype=torch.float32, device=device))


class _SoftmaxLast(torch.autograd.Function):
    """``softmax(x, dim=-1)`` written out, with the backward ``y * (g - <g, y>)``.

    ATen's softmax along a short last axis (K clusters) is slow on CPUs:
    measured 2.9 ms for ``(2000, 8, 10)``, 1.0 ms through a transposed view,
    0.5 ms as these five elementwise steps."""

    @staticmethod
    def forward(ctx, x):
        y = (x - x.amax(-1, keepdim=True)).exp_()
        y = y.div_(y.sum(-1, keepdim=True))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(-1, keepdim=True))


def softmax_last(x):
    """``softmax(x, dim=-1)``, fast for a short last axis (see :class:`_SoftmaxLast`)."""
    return _SoftmaxLast.apply(x)


def softmax_over_clusters(x):
    """``softmax(x, dim=1)`` of cluster-major logits ``(N, K, R)`` (not
    differentiable: the ``"loo"`` loss writes its own backward).

    In this layout every step is a pass over whole ``(N, R)`` slices; the
    maximum taken slice by slice is twice as fast as ``amax`` over the cluster
    axis (measured on ``(2000, 10, 8)``)."""
    top = x[:, 0]
    for k in range(1, x.shape[1]):
        top = torch.maximum(top, x[:, k])
    y = (x - top[:, None]).exp_()
    return y.div_(y.sum(1, keepdim=True))


def neighbor_disagreement(Y, neighbours):
    """How often a row's label differs from its neighbours', ``(R,)``.

    ``Y`` is ``(N, R, K)``; ``neighbours`` a symmetric sparse ``(N, N)``
    operator, the symmetric part of the one that averages each row's kNN
    neighbours (the value is the same). For one neighbour ``j`` of row ``i``,
    ``1 - y_i . y_j`` is the probability that labels drawn from ``y_i`` and
    ``y_j`` differ (the squared-loss counterpart of a co-assignment
    log-likelihood): it asks neighbours to agree, and to be confident.
    """
    N, R, K = Y.shape
    with torch.no_grad():
        M = (neighbours @ Y.detach().reshape(N, R * K)).view(N, R, K)
    # The value is 1 - mean(Y . M); for a symmetric operator the gradient is
    # -2 M / N, so one sparse product serves the value and the gradient.
    agreement = (Y * M).sum(-1).mean(0)
    return 1.0 - 2.0 * agreement + agreement.detach()
