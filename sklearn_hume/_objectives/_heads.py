"""Task heads on every view, shared by the ``"loo"`` and ``"turtle"``
objectives: a weight-normed linear head (with bias) per view and run; the
labels are a softmax of the mean of the heads' logits.

The last block is the part of the objective interface that both head
objectives share (``init``, ``probabilities``, ``view_labels``,
``run_scores``, ``probe_views``, ``public_heads``, ``check_views``)."""

import torch

from .._graph import neighbor_mean_operator, symmetric_part
from ._terms import balance_penalty, neighbor_disagreement, softmax_last


def init_heads(dims, n_runs, n_clusters, generator):
    """Random initial heads on the CPU, ``[V_1, b_1, V_2, b_2, ...]`` with
    ``V`` of shape ``(R, d, K)`` and zero biases ``(R, 1, K)``. Drawn on the CPU
    so that the same seed gives the same runs on any device."""
    out = []
    for d in dims:
        out += [torch.randn(n_runs, d, n_clusters, generator=generator), torch.zeros(n_runs, 1, n_clusters)]
    return out


def pairs(params):
    return list(zip(params[0::2], params[1::2]))


def unit_columns(V):
    """``V`` (``(R, d, K)``) with every cluster's weight vector of unit norm."""
    return V / V.norm(dim=1, keepdim=True).clamp_min(1e-12)


def runs_side_by_side(V):
    """Every run's ``(r, K)`` weights side by side, ``(r, R * K)``: one product
    with them serves all runs."""
    R, r, K = V.shape
    return V.permute(1, 0, 2).reshape(r, R * K)


def clusters_side_by_side(V):
    """The runs' weights cluster by cluster, ``(r, K * R)``: column
    ``k * R + r`` is cluster ``k`` of run ``r``. Reductions over the clusters
    then run over whole slices, far faster than over a short last axis."""
    R, r, K = V.shape
    return V.permute(1, 2, 0).reshape(r, K * R)


def batched_linear(Z, V, b):
    """``Z @ V[r] + b[r]`` for every run ``r`` as one product, ``(N, R, K)``."""
    R, _, K = V.shape
    return (Z @ runs_side_by_side(V)).view(-1, R, K) + b.view(1, R, K)


def head_logits(Z, V, b):
    """Logits of one view's heads for every run, ``(N, R, K)``. Weights are
    normalised per cluster, so every view's logits live on one scale."""
    return batched_linear(Z, unit_columns(V), b)


def mean_logits(Zs, params, temperature, side_by_side=runs_side_by_side):
    """The mean of the views' logits over the temperature, ``(N, R * K)`` with
    the columns laid out by ``side_by_side`` (run by run, or cluster by
    cluster with :func:`clusters_side_by_side`)."""
    heads = pairs(params)
    scale = 1.0 / (len(heads) * temperature)
    # The scale goes on the small weights, and each view's product adds into the
    # running sum (addmm): no elementwise pass over the (N, R, K) logits.
    logits = side_by_side(sum(b for _, b in heads) * scale)
    for Z, (V, _) in zip(Zs, heads):
        logits = torch.addmm(logits, Z, side_by_side(unit_columns(V) * scale))
    return logits


def head_probabilities(Zs, params, temperature):
    """Labels of every sample and run, ``(N, R, K)``: a softmax of the mean of
    the views' logits (a product of experts). Averaging logits rather than
    softmaxes lets the views that separate a pair of classes decide it."""
    R, _, K = params[0].shape
    return softmax_last(mean_logits(Zs, params, temperature).view(-1, R, K))


def head_view_labels(Zs, params):
    """Each view's head alone: hard labels ``(N, R)`` per view."""
    return [head_logits(Z, V, b).argmax(-1) for Z, (V, b) in zip(Zs, pairs(params))]


def heads_as_numpy(params, dims):
    """Per view the normalised head weights ``(R, r, K)`` and biases ``(R, K)``."""
    return [(unit_columns(V).cpu().numpy(), b[:, 0].cpu().numpy()) for V, b in pairs(params)]


def draw_batch(Zs, batch, generator):
    """A random batch of rows shared by every view (``Zs`` itself when the
    batch covers them all)."""
    n = Zs[0].shape[0]
    if batch >= n:
        return Zs
    idx = torch.randperm(n, generator=generator)[:batch].to(Zs[0].device)
    return [Z[idx] for Z in Zs]


def neighbor_graph(Zs, settings, batch):
    """The operator averaging each row's kNN neighbours, when the neighbourhood
    term is on and every step sees every row (a random batch holds too few of
    a row's neighbours); else None."""
    if settings.neighbor_weight <= 0 or batch < Zs[0].shape[0]:
        return None
    return symmetric_part(neighbor_mean_operator(Zs, settings.n_neighbors))


def penalties(Y, Zs, params, temperature, settings, log_prior, known, neighbor_mean=None):
    """What both head objectives add to their fit term, ``(R,)``: the balance
    penalty on the mean label (entropy, or KL to a prior) and the
    :func:`side_penalties`."""
    return (settings.entropy_weight * balance_penalty(Y, log_prior)
            + side_penalties(Y, Zs, params, temperature, settings, known, neighbor_mean))


def side_penalties(Y, Zs, params, temperature, settings, known, neighbor_mean=None):
    """The optional terms, ``(R,)`` or 0: with a kNN graph the disagreement of
    neighbours' labels, with known labels their cross-entropy."""
    loss = 0.0
    if neighbor_mean is not None:
        loss = loss + settings.neighbor_weight * neighbor_disagreement(Y, neighbor_mean)
    if known is not None:
        loss = loss + settings.label_weight * known_cross_entropy(Zs, params, temperature, known)
    return loss


def known_cross_entropy(Zs, params, temperature, known):
    """Cross-entropy of the labels of the rows whose class is known, ``(R,)``.

    ``known`` is ``(rows, classes)`` (long tensors): these rows should get
    these cluster ids, which also numbers the clusters by the known classes.
    """
    rows, classes = known
    Y = head_probabilities([Z[rows] for Z in Zs], params, temperature)
    picked = Y.gather(-1, classes.view(-1, 1, 1).expand(-1, Y.shape[1], 1))[..., 0]
    return -torch.log(picked.clamp_min(1e-12)).mean(0)


# --------------------------------------------------------------------------- shared interface
def init(dims, settings, generator):
    return init_heads(dims, settings.n_runs, settings.n_clusters, generator)


def permute_clusters(params, numbering):
    """The heads with every run's clusters renumbered: run ``r``'s cluster
    ``k`` becomes ``numbering[r, k]`` (``(R, K)`` permutations)."""
    index = torch.as_tensor(numbering, dtype=torch.long).argsort(1)  # new id -> old id, per run
    return [p.gather(-1, index.to(p.device).view(index.shape[0], 1, -1).expand_as(p)) for p in params]


def check_views(n_views):
    """Heads work with any number of views."""


def run_scores(Zs, run_labels, losses, settings):
    # Runs share one objective: its final value ranks them (measured: correlation
    # with ACC -0.6 to -0.9, against -0.5 to +0.9 for the probe score).
    return -losses


def probe_views(Zs):
    return Zs


probabilities = head_probabilities
view_labels = head_view_labels
public_heads = heads_as_numpy
