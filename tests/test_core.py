"""The torch core against hand computations, brute force and finite differences."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from sklearn_hume import _optim, _ridge, _views
from sklearn_hume._objectives import Settings, _heads, _loo, _paper, _terms


def test_sparsemax_hand_computed():
    # z = (1, 0.5, -1): support {1, 2}, tau = (1.5 - 1) / 2 = 0.25.
    out = _terms.sparsemax(torch.tensor([[1.0, 0.5, -1.0], [3.0, 0.0, 0.0], [0.2, 0.2, 0.2]]))
    expected = torch.tensor([[0.75, 0.25, 0.0], [1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    torch.testing.assert_close(out, expected)


def test_sparsemax_is_projection_onto_simplex():
    z = torch.randn(50, 7, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    p = _terms.sparsemax(z)
    assert (p >= 0).all()
    torch.testing.assert_close(p.sum(-1), torch.ones(50, dtype=torch.float64))
    # Projection property: <z - p, q - p> <= 0 for any q in the simplex (vertices suffice).
    for k in range(7):
        q = torch.zeros(7, dtype=torch.float64)
        q[k] = 1
        assert (((z - p) * (q - p)).sum(-1) <= 1e-12).all()


def test_marginal_entropy():
    p = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]]])  # (N=2, R=1, K=2)
    assert _terms.marginal_entropy(p).item() == pytest.approx(np.log(2))
    assert _terms.marginal_entropy(torch.tensor([[[1.0, 0.0]], [[1.0, 0.0]]])).item() == pytest.approx(0, abs=1e-9)
    assert _terms.marginal_entropy(p.transpose(0, 1), sample_dim=1).item() == pytest.approx(np.log(2))


def _problem(n=12, d=4, k=3, r=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    Z = torch.randn(n, d, generator=g, dtype=torch.float64)
    Z = Z - Z.mean(0)
    Y = torch.softmax(torch.randn(n, r, k, generator=g, dtype=torch.float64), -1)
    return Z, Y


@pytest.mark.parametrize("alpha", [0.01, 0.5, 3.0])
def test_loo_residuals_equal_brute_force_refits(alpha):
    Z, Y = _problem()
    U, g, h = _ridge.ridge_spectrum(Z, alpha)
    res = _ridge.loo_residuals(Y, U, g, h)
    s2 = torch.linalg.svdvals(Z) ** 2
    lam = alpha * s2.mean()
    n, d = Z.shape
    for i in range(n):
        keep = torch.arange(n) != i
        A = torch.cat([Z[keep], torch.ones(n - 1, 1, dtype=Z.dtype)], 1)
        P = torch.eye(d + 1, dtype=Z.dtype) * lam
        P[-1, -1] = 0  # the intercept is not penalised
        for run in range(Y.shape[1]):
            coef = torch.linalg.solve(A.T @ A + P, A.T @ Y[keep, run])
            pred = torch.cat([Z[i], torch.ones(1, dtype=Z.dtype)]) @ coef
            torch.testing.assert_close(res[i, run], Y[i, run] - pred)


def _two_view_bases():
    Z, _ = _problem()
    Z2 = Z @ torch.randn(4, 6, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    return [_ridge.ridge_spectrum(Z, 0.1), _ridge.ridge_spectrum(Z2, 0.5)]


def _cluster_major(logits):
    """(N, R, K) -> (N, K * R), the layout loo_loss takes."""
    return logits.permute(0, 2, 1).reshape(logits.shape[0], -1)


def _reference_loo_loss(logits, bases, entropy_weight, log_prior):
    """The "loo" loss written with plain autograd ops, from (N, R, K) logits."""
    Y = torch.softmax(logits, -1)
    fit = sum((_ridge.loo_residuals(Y, *b) ** 2).sum(-1).mean(0) for b in bases) / len(bases)
    impurity = 1.0 - (Y * Y).sum(-1).mean(0)
    return fit + impurity + entropy_weight * _terms.balance_penalty(Y, log_prior), Y


@pytest.mark.parametrize("prior", [None, [0.5, 0.3, 0.2, 0.0]])
def test_loo_loss_value_and_backward_equal_autograd_of_the_formula(prior):
    # The hand-written backward against autograd of the same formula, with three
    # runs weighted differently and a second term through the labels Y (as the
    # known-label and neighbourhood terms add), with and without a prior (one
    # cluster with prior 0 sends its log to -inf: a KL the clamp keeps finite).
    bases = _two_view_bases()
    N, R, K = bases[0][0].shape[0], 3, 4
    logits = 3 * torch.randn(N, R, K, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    log_prior = None if prior is None else torch.log(torch.tensor(prior, dtype=torch.float64)).clamp_min(-30)
    w = torch.tensor([0.5, 2.0, -1.0], dtype=torch.float64)
    C = torch.randn(N, R, K, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    la, lb = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    reference, Ya = _reference_loo_loss(la, bases, 1.5, log_prior)
    ((reference * w).sum() + (Ya * C).sum()).backward()
    value, Yb = _loo.loo_loss(_cluster_major(lb), K, bases, 1.5, log_prior)
    ((value * w).sum() + (Yb * C).sum()).backward()
    torch.testing.assert_close(value, reference.detach())
    torch.testing.assert_close(Yb, Ya.detach())
    torch.testing.assert_close(lb.grad, la.grad)


def test_density_weighted_loo_loss_value_and_backward_equal_autograd_of_the_formula():
    # balance="density": the balance penalty reads the mean label with rows
    # weighted; with equal weights it is the plain loss.
    bases = _two_view_bases()
    N, R, K = bases[0][0].shape[0], 3, 4
    logits = 3 * torch.randn(N, R, K, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    row_w = torch.rand(N, generator=torch.Generator().manual_seed(7), dtype=torch.float64) + 0.1
    w = torch.tensor([0.5, 2.0, -1.0], dtype=torch.float64)
    C = torch.randn(N, R, K, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    la, lb = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    Ya = torch.softmax(la, -1)
    fit = sum((_ridge.loo_residuals(Ya, *b) ** 2).sum(-1).mean(0) for b in bases) / len(bases)
    m = (row_w[:, None, None] * Ya).sum(0) / row_w.sum()  # (R, K): the weighted mean label
    reference = fit + 1.0 - (Ya * Ya).sum(-1).mean(0) + 1.5 * (m * torch.log(m)).sum(-1)
    ((reference * w).sum() + (Ya * C).sum()).backward()
    value, Yb = _loo.loo_loss(_cluster_major(lb), K, bases, 1.5, row_weights=row_w)
    ((value * w).sum() + (Yb * C).sum()).backward()
    torch.testing.assert_close(value, reference.detach())
    torch.testing.assert_close(lb.grad, la.grad)
    plain, _ = _loo.loo_loss(_cluster_major(logits), K, bases, 1.5)
    equal = torch.full((N,), 3.0, dtype=torch.float64)
    same, _ = _loo.loo_loss(_cluster_major(logits), K, bases, 1.5, row_weights=equal)
    torch.testing.assert_close(same, plain)


def test_per_run_row_weights_equal_each_runs_own_weights():
    # balance="auto" fits both families in one batch: a weight column per run.
    # Each run's loss and gradient are those it gets with its column alone.
    bases = _two_view_bases()
    N, R, K = bases[0][0].shape[0], 3, 4
    logits = 3 * torch.randn(N, R, K, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    W = torch.rand(N, R, generator=torch.Generator().manual_seed(7), dtype=torch.float64) + 0.1
    W[:, 0] = 1.0  # an entropy run: every row alike
    together = logits.clone().requires_grad_()
    value, _ = _loo.loo_loss(_cluster_major(together), K, bases, 1.5, row_weights=W)
    value.sum().backward()
    for r in range(R):
        alone = logits[:, r:r + 1].clone().requires_grad_()
        weights = None if r == 0 else W[:, r]
        expected, _ = _loo.loo_loss(_cluster_major(alone), K, bases, 1.5, row_weights=weights)
        expected.sum().backward()
        torch.testing.assert_close(value[r:r + 1], expected)
        torch.testing.assert_close(together.grad[:, r:r + 1], alone.grad)


def test_auto_batch_fits_each_family_as_its_own_fit():
    # The first entropy_runs runs of a balance="auto" batch are the entropy
    # fit of their heads, the rest the density-weighted fit of theirs.
    g = torch.Generator().manual_seed(0)
    Zs = [torch.randn(40, 4, generator=g, dtype=torch.float64), torch.randn(40, 5, generator=g, dtype=torch.float64)]
    Zs = [Z - Z.mean(0) for Z in Zs]
    settings = _settings(n_runs=4)
    init = _loo.init([4, 5], settings, g)
    init = [p.double() for p in init]
    mixed, losses, _ = _loo.fit(Zs, init, replace(settings, balance="auto", entropy_runs=2), seed=5)
    for name, runs in (("entropy", slice(0, 2)), ("density", slice(2, 4))):
        alone, alone_losses, _ = _loo.fit(Zs, [p[runs] for p in init], replace(settings, balance=name, n_runs=2),
                                          seed=5)
        torch.testing.assert_close(losses[runs], alone_losses)
        for p, q in zip(mixed, alone):
            torch.testing.assert_close(p[runs], q)


def test_loo_loss_gradient_matches_finite_differences():
    bases = _two_view_bases()
    logits = torch.randn(bases[0][0].shape[0], 2 * 3, generator=torch.Generator().manual_seed(5),
                         dtype=torch.float64, requires_grad=True)
    C = torch.randn(bases[0][0].shape[0], 2, 3, generator=torch.Generator().manual_seed(6), dtype=torch.float64)

    def f(x):
        losses, Y = _loo.loo_loss(x, 3, bases, 2.0)
        return losses.sum() + (Y * C).sum()

    assert torch.autograd.gradcheck(f, (logits,))


def _reference_size_free_loss(logits, bases, entropy_weight):
    """balance="free" with plain autograd ops: each cluster's expected squared
    error E_k over K p_k, plus the floor barrier on the shares."""
    Y = torch.softmax(logits, -1)
    K = Y.shape[-1]
    fit = sum((_ridge.loo_residuals(Y, *b) ** 2).mean(0) for b in bases) / len(bases)  # (R, K)
    error = fit + (Y * (1 - Y)).mean(0)
    share = Y.mean(0)
    barrier = 100.0 * ((0.3 / K - share).clamp_min(0) ** 2).sum(-1)
    return (error / (K * share)).sum(-1) + entropy_weight * barrier, Y


def test_size_free_loo_loss_value_and_backward_equal_autograd_of_the_formula():
    bases = _two_view_bases()
    N, R, K = bases[0][0].shape[0], 3, 4
    logits = 3 * torch.randn(N, R, K, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    logits[:, 2, 3] -= 8  # run 2's last cluster nearly empty: the barrier is on
    w = torch.tensor([0.5, 2.0, -1.0], dtype=torch.float64)
    C = torch.randn(N, R, K, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    la, lb = logits.clone().requires_grad_(), logits.clone().requires_grad_()
    reference, Ya = _reference_size_free_loss(la, bases, 1.5)
    ((reference * w).sum() + (Ya * C).sum()).backward()
    value, Yb = _loo.loo_loss(_cluster_major(lb), K, bases, 1.5, size_free=True)
    ((value * w).sum() + (Yb * C).sum()).backward()
    assert Ya[:, 2, 3].mean() < 0.3 / K  # the barrier is tested
    torch.testing.assert_close(value, reference.detach())
    torch.testing.assert_close(lb.grad, la.grad)
    # The floor barrier by hand: zero above 0.3 / K, quadratic below.
    m = torch.tensor([[0.5, 0.5], [0.45, 0.02], [0.05, 0.48]], dtype=torch.float64)  # (K, R)
    value, grad = _terms.floor_barrier_and_gradient(m, cluster_dim=0)
    torch.testing.assert_close(value, torch.tensor([100 * (0.1 - 0.05) ** 2, 100 * (0.1 - 0.02) ** 2],
                                                   dtype=torch.float64))
    assert grad[0, 0] == 0 and grad[2, 0] < 0 and grad[1, 1] < 0


def test_softmax_over_clusters_value_and_overflow():
    x = torch.randn(5, 4, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 30
    torch.testing.assert_close(_terms.softmax_over_clusters(x), torch.softmax(x, 1))
    big = torch.tensor([[[1000.0], [0.0]]])
    torch.testing.assert_close(_terms.softmax_over_clusters(big), torch.tensor([[[1.0], [0.0]]]))


def test_softmax_last_value_and_gradient():
    x = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 30
    torch.testing.assert_close(_terms.softmax_last(x), torch.softmax(x, -1))
    assert torch.autograd.gradcheck(_terms.softmax_last, (x.clone().requires_grad_(),))
    # Large logits do not overflow (the row maximum is subtracted first).
    big = torch.tensor([[1000.0, 0.0]])
    torch.testing.assert_close(_terms.softmax_last(big), torch.tensor([[1.0, 0.0]]))


def test_loo_loss_is_expected_brier_score():
    # One view, hard labels (huge logits): the loss is the mean squared LOO error (impurity 0).
    Z, _ = _problem()
    basis = _ridge.ridge_spectrum(Z, 0.2)
    labels = torch.tensor([0, 1, 2] * 4)
    Y = torch.nn.functional.one_hot(labels, 3).to(torch.float64)[:, None]
    expected = (_ridge.loo_residuals(Y, *basis) ** 2).sum(-1).mean()
    losses, _ = _loo.loo_loss(1000.0 * Y[:, 0], 3, [basis], 0.0)
    torch.testing.assert_close(losses[0], expected)
    # Uniform labels: perfectly predicted by the intercept, impurity 1 - 1/K;
    # the balance penalty of a uniform mean label is -log K.
    losses, _ = _loo.loo_loss(torch.zeros(12, 3, dtype=torch.float64), 3, [basis], 2.0)
    torch.testing.assert_close(losses[0], torch.tensor(2 / 3 - 2 * np.log(3), dtype=torch.float64))


def test_loo_kappa_collapsed_and_perfect():
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(3).repeat_interleave(10)
    Z = torch.nn.functional.one_hot(labels, 3).double() * 5
    Z = Z + 0.01 * torch.randn(30, 3, generator=g, dtype=torch.float64)
    basis = _ridge.ridge_spectrum(Z - Z.mean(0), 0.01)
    kappa = _ridge.loo_kappa(torch.stack([labels, torch.zeros(30, dtype=torch.long)], 1), 3, basis)
    assert kappa[0].item() == pytest.approx(1.0)
    assert kappa[1].item() == 0.0


def test_householder_task_encoder_has_orthonormal_rows():
    g = torch.Generator().manual_seed(0)
    W0 = torch.randn(3, 4, 9, generator=g, dtype=torch.float64)
    X, base = _paper.init_from_weight(W0, g)
    W = _paper.encoder_weights(X, base, 9)
    torch.testing.assert_close(W @ W.transpose(-1, -2), torch.eye(4, dtype=torch.float64).expand(3, 4, 4))
    # At initialisation the encoder is the weight's rows orthonormalised (Gram-Schmidt, positive diagonal).
    Q, R = torch.linalg.qr(W0.transpose(-1, -2))
    Q = Q * torch.sign(torch.diagonal(R, dim1=-2, dim2=-1)).unsqueeze(-2)
    torch.testing.assert_close(W, Q.transpose(-1, -2))
    # Moving the reflector parameters keeps the rows orthonormal.
    X2 = X + 0.3 * torch.randn(X.shape, generator=g, dtype=torch.float64).tril(-1)  # the diagonal is fixed
    W2 = _paper.encoder_weights(X2, base, 9)
    torch.testing.assert_close(W2 @ W2.transpose(-1, -2), torch.eye(4, dtype=torch.float64).expand(3, 4, 4))
    assert not torch.allclose(W2, W)


def test_hume_hypergradient_matches_finite_differences():
    """The unrolled inner loop gives the exact derivative of the outer loss,
    and its second-order terms matter."""
    g = torch.Generator().manual_seed(0)
    Z1 = torch.randn(10, 4, generator=g, dtype=torch.float64)
    Z2 = torch.randn(10, 3, generator=g, dtype=torch.float64)
    init = (torch.randn(1, 3, 2, generator=g, dtype=torch.float64) * 0.1, torch.zeros(1, 1, 2, dtype=torch.float64))
    X0, base = _paper.init_from_weight(torch.randn(1, 2, 4, generator=g, dtype=torch.float64), g)
    # The reflectors (strict lower triangle) are the free parameters; the diagonal is fixed.
    X = (0.2 * torch.randn(X0.shape, generator=g, dtype=torch.float64)).tril(-1).requires_grad_()

    def outer(L):
        W = _paper.encoder_weights(X0 + L.tril(-1), base, 4)
        # temperature 1 keeps sparsemax away from its kinks on this draw
        return _paper.outer_loss(W, Z1[None, :7], Z1[None, 7:], Z2[None, :7], Z2[None, 7:], init, 1.0, 5, 0.5, 0.7)

    assert torch.autograd.gradcheck(outer, (X,))
    (exact,) = torch.autograd.grad(outer(X).sum(), X)
    # First order: the same loss with the inner trajectory treated as a constant
    # (the inner gradients detached from the task encoder).
    W = _paper.encoder_weights(X0 + X.tril(-1), base, 4)
    tr = _terms.sparsemax(Z1[None, :7] @ W.transpose(-1, -2))
    te = _terms.sparsemax(Z1[None, 7:] @ W.transpose(-1, -2))
    V, b = init
    for _ in range(5):
        Vg, bg = V.detach().requires_grad_(), b.detach().requires_grad_()
        loss = -(tr.detach() * torch.log_softmax(Z2[None, :7] @ Vg + bg, -1)).sum(-1).mean(-1).sum()
        gV, gb = torch.autograd.grad(loss, (Vg, bg))
        V, b = V - 0.5 * gV, b - 0.5 * gb
    first = -(te * torch.log_softmax(Z2[None, 7:] @ V + b, -1)).sum(-1).mean(-1)
    first = first - 0.7 * _terms.marginal_entropy(torch.cat([tr, te], -2), sample_dim=-2)
    torch.testing.assert_close(first, outer(X).detach())  # same value
    (approx,) = torch.autograd.grad(first.sum(), X)
    # ... but a different gradient: the second-order part is a sizeable share of it.
    assert (exact - approx).norm() > 0.05 * exact.norm()


def test_fit_view_embedding_is_pca_of_normalised_rows():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(40, 6, generator=g, dtype=torch.float64) + 3
    params, Z = _views.fit_view_embedding(X, 3)
    torch.testing.assert_close(_views.embed_view(X, params), Z)
    assert Z.shape == (40, 3)
    torch.testing.assert_close(Z.mean(0), torch.zeros(3, dtype=torch.float64))
    # By hand: centre, unit rows, centre, project on the top eigenvectors.
    Xc = X - X.mean(0)
    Xc = Xc / Xc.norm(dim=1, keepdim=True)
    Xc = Xc - Xc.mean(0)
    evals, evecs = torch.linalg.eigh(Xc.T @ Xc)
    torch.testing.assert_close(Z.T @ Z, torch.diag(evals.flip(0)[:3]))
    residual = (Z @ params["components"].T - Xc) @ evecs[:, -3:]
    torch.testing.assert_close(residual, torch.zeros(40, 3, dtype=torch.float64))
    # Wide data (more features than samples) goes through the Gram matrix.
    Xw = torch.randn(5, 30, generator=g, dtype=torch.float64)
    pw, Zw = _views.fit_view_embedding(Xw, None)
    torch.testing.assert_close(_views.embed_view(Xw, pw), Zw)
    assert Zw.shape == (5, 4)  # rank 4 after centring


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_reductions_without_copies_give_the_same_values(dtype, monkeypatch):
    A = torch.tensor([[1.0, -3.0, 2.0], [-0.5, 0.25, 0.0]], dtype=dtype)
    assert _views.abs_max(A).item() == 3.0
    assert _views.abs_max(A, dim=1).flatten().tolist() == [3.0, 0.5]
    assert _views.row_squared_norms(A).tolist() == [14.0, 0.3125]
    assert _views.row_squared_norms(A[:0]).shape == (0,)
    B = torch.randn(30, 77, generator=torch.Generator().manual_seed(0), dtype=dtype) * 5 + 3
    assert torch.equal(_views.column_means64(B), B.mean(0, dtype=torch.float64))  # one block: mean itself
    monkeypatch.setattr(_views, "_BLOCK_ROWS", 7)  # several blocks, the last one short
    assert torch.equal(_views.row_squared_norms(B), (B * B).sum(1))
    torch.testing.assert_close(_views.column_means64(B), B.double().mean(0), rtol=1e-15, atol=0)
    assert torch.equal(_views.abs_max(B), B.abs().max())
    assert torch.equal(_views.abs_max(B, dim=1), B.abs().amax(1, keepdim=True))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("scale", [1e-30, 1e-15, 1.0, 1e19, 1e30])
def test_view_embedding_is_scale_free(dtype, scale):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(50, 8, generator=g, dtype=torch.float64) + 2
    _, ref = _views.fit_view_embedding(X, 4)
    params, Z = _views.fit_view_embedding((X * scale).to(dtype), 4)
    assert torch.isfinite(Z).all()
    torch.testing.assert_close(Z.double(), ref, atol=1e-4, rtol=1e-3)
    torch.testing.assert_close(_views.embed_view((X * scale).to(dtype), params).double(), ref, atol=1e-4, rtol=1e-3)


def test_narrow_views_keep_their_radial_structure():
    # Two columns: rows are not normalised (that would keep only angles); the
    # view is scaled as a whole, so points on one ray but at different radii stay apart.
    X = torch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [-1.0, 0.5]], dtype=torch.float64)
    _, Z = _views.fit_view_embedding(X, None)
    assert torch.linalg.matrix_rank(Z) == 2
    assert len({round(v, 6) for v in Z[:3, 0].tolist()}) == 3


def _settings(**kw):
    base = dict(n_clusters=2, n_runs=3, n_iter=15, learning_rate=0.05, temperature=0.3, entropy_weight=2.0,
                anneal_at=(), anneal_factor=0.1, max_grad_norm=None, alpha=0.1, batch_size=30, inner_steps=None,
                inner_lr=None, n_subsets=1, subset_size=30, train_fraction=0.9, cluster_prior=None, tol=0.0,
                label_weight=1.0, neighbor_weight=0.0, n_neighbors=20)
    base.update(kw)
    return Settings(**base)


@pytest.mark.parametrize("clip", [None, 0.05])
def test_batched_runs_equal_runs_one_by_one(clip):
    """Fitting runs together is the same as fitting each alone: the batched
    loss of a run depends on its own heads only, and Adam and the clipping act
    per run."""
    g = torch.Generator().manual_seed(0)
    Zs = [torch.randn(30, 4, generator=g, dtype=torch.float64), torch.randn(30, 5, generator=g, dtype=torch.float64)]
    Zs = [Z - Z.mean(0) for Z in Zs]
    bases = [_ridge.ridge_spectrum(Z, 0.1) for Z in Zs]
    init = []
    for Z in Zs:
        init += [torch.randn(3, Z.shape[1], 2, generator=g, dtype=torch.float64),
                 torch.randn(3, 1, 2, generator=g, dtype=torch.float64)]
    settings = _settings(max_grad_norm=clip)

    def fit(runs):
        params = [p[runs].clone().requires_grad_() for p in init]

        def loss_fn(it, temperature):
            logits = _heads.mean_logits(Zs, params, temperature, _heads.clusters_side_by_side)
            return _loo.loo_loss(logits, 2, bases, 2.0)[0]

        losses, n_iter = _optim.optimise(loss_fn, params, settings)
        assert n_iter == 15
        return losses, params

    together, params = fit([0, 1, 2])
    for r in range(3):
        alone, params_r = fit([r])
        torch.testing.assert_close(together[r:r + 1], alone)
        for p, pr in zip(params, params_r):
            torch.testing.assert_close(p[r:r + 1], pr)


def test_tol_stops_when_the_loss_stops_moving():
    # A loss that halves its distance to 1 each step: after 20 steps it moves by < 1e-4.
    x = torch.zeros(2, 1, requires_grad=True)
    calls = []

    def loss_fn(it, temperature):
        calls.append(it)
        return 1 - 0.5 ** torch.full((2,), float(it))

    opt_settings = _settings(n_iter=200, tol=1e-4)
    # backward=False: the loss does not depend on x; only the stopping rule is under test.
    losses, n_iter = _optim.optimise(loss_fn, [x], opt_settings, backward=False, deterministic=True)
    # Checked every 10 iterations: at 20, the change since 10 is 2^-10 - 2^-20 > 1e-4; at 30, < 1e-4.
    assert n_iter == 31 and calls[-1] == 30
    _, n_iter = _optim.optimise(loss_fn, [x], _settings(n_iter=200, tol=0.0), backward=False, deterministic=True)
    assert n_iter == 200
    # Not before the last annealing step: the first check after it (110) only records, the next (120) stops.
    _, n_iter = _optim.optimise(loss_fn, [x], _settings(n_iter=200, tol=1e-4, anneal_at=(100,)), backward=False,
                                deterministic=True)
    assert n_iter == 121


def test_gram_route_spectrum_equals_svd_route():
    # A tall well-conditioned Z: both routes give the same hat matrix.
    Z = torch.randn(200, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    U1, g1, h1 = _ridge.ridge_spectrum(Z, 0.3)
    U2, g2, h2 = _ridge.ridge_spectrum(Z, 0.3, gram=True)
    torch.testing.assert_close(h1, h2)
    torch.testing.assert_close((U1 * g1) @ U1.T, (U2 * g2) @ U2.T)
    torch.testing.assert_close(U2.T @ U2, torch.eye(6, dtype=torch.float64))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_adam_step_takes_torch_adams_steps(dtype):
    # The same steps as torch.optim.Adam, bit for bit, through a change of
    # learning rate and with a parameter that has no gradient.
    g = torch.Generator().manual_seed(0)
    target = torch.randn(3, 4, generator=g, dtype=dtype)
    ours = [torch.randn(3, 4, generator=g, dtype=dtype).requires_grad_(), torch.zeros(2, dtype=dtype).requires_grad_()]
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    opt, state, lr = torch.optim.Adam(theirs, lr=0.1), _optim.adam_state(ours), 0.1
    for it in range(25):
        if it == 10:
            lr *= 0.1
            for group in opt.param_groups:
                group["lr"] *= 0.1
        for params in (ours, theirs):
            _optim.zero_grad(params)
            ((params[0] - target) ** 4).sum().backward()  # params[1] gets no gradient
        _optim.adam_step(ours, state, lr)
        opt.step()
    assert torch.equal(ours[0], theirs[0]) and torch.equal(ours[1], theirs[1])
    assert not torch.equal(ours[0], target)  # it moved, not to the end


def test_a_fit_does_not_import_torch_dynamo():
    # torch.optim's first optimiser imports torch._dynamo (1.5 s per process).
    import subprocess
    import sys

    code = ("import sys, numpy as np\nfrom sklearn_hume import HumeClustering\n"
            "X = np.random.RandomState(0).normal(size=(40, 6))\n"
            "for objective in ('loo', 'turtle'):\n"
            "    HumeClustering(n_clusters=2, objective=objective, n_runs=2, n_iter=3).fit(X[:, :3], X[:, 3:])\n"
            "print('torch._dynamo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"
