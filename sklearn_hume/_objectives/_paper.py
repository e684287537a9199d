"""``objective="hume"``: the paper's method as its public code runs it.

- Task encoder on view 1: a bias-free linear map with orthonormal rows,
  parametrised as ``torch.nn.utils.parametrizations.orthogonal`` does for a
  non-square weight (Householder reflectors on top of a fixed orthogonal
  base, started from ``nn.Linear``'s default initialisation), and Adam on
  *those* parameters.
- Soft labels ``sparsemax(W z1 / T)``.
- Per outer iteration ``n_subsets`` random subsets, each split into a train
  and a held-out part (``floor(train_fraction * size)`` train rows).
- Per subset a fresh linear classifier with bias on view 2
  (``nn.Linear``'s default initialisation) takes ``inner_steps`` plain SGD
  steps on the cross-entropy against the train labels; every step stays in
  the graph, so the hypergradient is exact (second order).
- Outer loss: held-out cross-entropy minus ``entropy_weight`` times the
  entropy of the mean label over train and held-out rows; gradients averaged
  over subsets, clipped to norm 1 per run; Adam; learning rate and
  temperature annealed together.

With one view the same view plays both roles (a documented generalisation);
more than two views are refused.
"""

import math

import torch

from .._optim import optimise
from .._ridge import probe_kappa
from ._terms import marginal_entropy, sparsemax

DEFAULTS = dict(n_iter=1000, learning_rate=1e-3, temperature=0.1, entropy_weight=10.0, anneal_at=(100, 200),
                max_grad_norm=1.0, inner_steps=300, inner_lr=1e-3)
# The settings it reads (every other conditional parameter warns when set).
READS = ("n_clusters", "n_runs", "n_iter", "learning_rate", "temperature", "entropy_weight", "anneal_at",
         "anneal_factor", "max_grad_norm", "alpha", "tol",
         "inner_steps", "inner_lr", "n_subsets", "subset_size", "train_fraction")
KNOWN_LABELS = False  # takes rows with known classes (fit's known_labels)
CHUNKED_RUNS = False  # its runs may be fitted in parallel chunks (n_jobs)
FINAL_STEPS = False  # its vote may be propagated and refitted (propagation, refine)


def check_views(n_views):
    if n_views > 2:
        raise ValueError(
            f'objective="hume" uses exactly two views (the task encoder on the first, the inner classifier on '
            f'the second), got {n_views}. Use objective="loo" or "turtle" for more views.')


def auto_batch(n_samples):
    return n_samples


def _tall(K, d):
    return (d, K) if K < d else (K, d)


def householder_orthogonal(X, base):
    """Matrices with orthonormal columns from Householder parameters.

    ``X`` (``(R, n, k)``, ``n >= k``): the strictly lower triangle holds the
    reflectors, the diagonal (``+-1``, never updated) their signs; ``base``
    (``(R, n, n)``) is a fixed orthogonal matrix. Returns ``base @ Q``,
    ``(R, n, k)``: the map of ``parametrizations.orthogonal``.
    """
    A = X.tril(diagonal=-1)
    tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
    Q = torch.linalg.householder_product(A, tau)
    Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
    return base @ Q


def encoder_weights(X, base, d1):
    """Task encoder weights ``(R, K, d1)`` with orthonormal rows (orthonormal
    columns when there are more clusters than the view has dimensions)."""
    Q = householder_orthogonal(X, base)
    return Q.transpose(-1, -2) if Q.shape[-2] == d1 and Q.shape[-1] < d1 else Q


def _make_orthogonal(A):
    """Q of the QR decomposition of ``A`` with the signs of ``diag(R)`` made
    positive."""
    H, tau = torch.geqrf(A)
    Q = torch.linalg.householder_product(H, tau)
    return Q * H.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def init_from_weight(W, generator):
    """Parameters ``(X, base)`` whose encoder weights are ``W``'s rows
    orthonormalised, as registering the parametrisation on ``nn.Linear`` does:
    the base completes the orthonormalised weight to a square orthogonal
    matrix with Gaussian columns; ``X`` starts at ``-I`` (the identity map)."""
    R, K, d = W.shape
    n, k = _tall(K, d)
    Q = W.transpose(-1, -2) if K < d else W
    if n > k:
        Q = torch.cat([Q, torch.randn(R, n, n - k, generator=generator, dtype=W.dtype)], dim=-1)
    base = _make_orthogonal(Q)
    X = torch.zeros(R, n, k, dtype=W.dtype)
    X.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
    return X, base


def _linear_init(shape, fan_in, generator):
    """``nn.Linear``'s default initialisation of weights and biases:
    uniform on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` (kaiming_uniform with
    ``a=sqrt(5)``)."""
    return (torch.rand(*shape, generator=generator) * 2 - 1) / math.sqrt(fan_in)


def init(dims, settings, generator):
    d1, K = dims[0], settings.n_clusters
    W = _linear_init((settings.n_runs, K, d1), d1, generator)
    return list(init_from_weight(W, generator))


def outer_loss(W, Z1_train, Z1_test, Z2_train, Z2_test, inner_init, temperature, inner_steps, inner_lr,
               entropy_weight):
    """HUME's outer loss for a batch of runs, differentiable to second order.

    ``W`` (``(R, K, d1)``) is the task encoder; the ``Z`` arguments are
    ``(R, m, d)`` rows of each run's subset. The inner classifier starts at
    ``inner_init`` (``(V, b)``, ``(R, d2, K)`` and ``(R, 1, K)``) and takes
    ``inner_steps`` SGD steps with ``create_graph=True``. Returns ``(R,)``.
    """
    tr = sparsemax(Z1_train @ W.transpose(-1, -2) / temperature)
    te = sparsemax(Z1_test @ W.transpose(-1, -2) / temperature)
    V, b = (t.detach().requires_grad_() for t in inner_init)
    for _ in range(inner_steps):
        loss = -(tr * torch.log_softmax(Z2_train @ V + b, -1)).sum(-1).mean(-1).sum()
        gV, gb = torch.autograd.grad(loss, (V, b), create_graph=True)
        V, b = V - inner_lr * gV, b - inner_lr * gb
    held_out = -(te * torch.log_softmax(Z2_test @ V + b, -1)).sum(-1).mean(-1)
    return held_out - entropy_weight * marginal_entropy(torch.cat([tr, te], dim=-2), sample_dim=-2)


def draw_subsets(n, R, m, n_train, generator):
    """Each run's random subset of ``m`` rows, split into train and held-out."""
    idx = torch.argsort(torch.rand(R, n, generator=generator), dim=1)[:, :m]
    return idx[:, :n_train], idx[:, n_train:]


def draw_inner_init(R, d2, K, generator):
    """``nn.Linear(d2, K)``'s default initialisation for every run."""
    return _linear_init((R, d2, K), d2, generator), _linear_init((R, 1, K), d2, generator)


def fit(Zs, params, settings, seed, progress=None, known=None, tuner=None, row_weights=None):
    # row_weights: never passed (this objective has no balance term to weigh).
    if known is not None:
        raise ValueError('objective="hume" takes no known labels; use objective="loo" or "turtle".')
    Z1, Z2 = Zs[0], Zs[-1]
    device = Z1.device
    X, base = params[0].to(device).clone().requires_grad_(), params[1].to(device)
    R, K = X.shape[0], settings.n_clusters
    n, d2 = Z1.shape[0], Z2.shape[1]
    m = min(settings.subset_size, n)
    n_train = min(max(1, int(m * settings.train_fraction)), m - 1)
    gen = torch.Generator().manual_seed(seed)

    def loss_fn(it, temperature):
        total = 0.0
        for _ in range(settings.n_subsets):
            W = encoder_weights(X, base, Z1.shape[1])  # rebuilt per subset, so each graph is freed whole
            tr, te = (i.to(device) for i in draw_subsets(n, R, m, n_train, gen))
            init_ = tuple(t.to(device=device, dtype=Z2.dtype) for t in draw_inner_init(R, d2, K, gen))
            loss = outer_loss(W, Z1[tr], Z1[te], Z2[tr], Z2[te], init_, temperature, settings.inner_steps,
                              settings.inner_lr, settings.entropy_weight)
            # Backward per subset frees its unrolled graph before the next one.
            (loss.sum() / settings.n_subsets).backward()
            total = total + loss.detach() / settings.n_subsets
        return total

    losses, n_iter = optimise(loss_fn, [X], settings, backward=False, progress=progress, tuner=tuner)
    return [X.detach(), base], losses, n_iter


def probabilities(Zs, params, temperature):
    W = encoder_weights(params[0], params[1], Zs[0].shape[1])
    return sparsemax(Zs[0] @ W.transpose(-1, -2) / temperature).transpose(0, 1)


def view_labels(Zs, params):
    return None  # one task head: nothing to compare across views


def run_scores(Zs, run_labels, losses, settings):
    # The paper ranks runs by a cross-validated linear probe on the inner view;
    # here the exact leave-one-out ridge probe (chance-corrected) plays that role.
    return probe_kappa(probe_views(Zs), run_labels, settings.n_clusters, settings.alpha)


def public_heads(params, dims):
    W = encoder_weights(params[0], params[1], dims[0])
    return [(W.transpose(-1, -2).cpu().numpy(), torch.zeros(W.shape[0], W.shape[1]).numpy())]


def probe_views(Zs):
    """HUME's labels are linear in view 1 by construction: only the inner view
    says anything about how they generalise."""
    return Zs[-1:]
