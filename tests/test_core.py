"""The torch core against hand computations, brute force and finite differences."""

import numpy as np
import pytest
import torch

from sklearn_hume import _core


def test_sparsemax_hand_computed():
    # z = (1, 0.5, -1): support {1, 2}, tau = (1.5 - 1) / 2 = 0.25.
    out = _core.sparsemax(torch.tensor([[1.0, 0.5, -1.0], [3.0, 0.0, 0.0], [0.2, 0.2, 0.2]]))
    expected = torch.tensor([[0.75, 0.25, 0.0], [1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    torch.testing.assert_close(out, expected)


def test_sparsemax_is_projection_onto_simplex():
    z = torch.randn(50, 7, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    p = _core.sparsemax(z)
    assert (p >= 0).all()
    torch.testing.assert_close(p.sum(-1), torch.ones(50, dtype=torch.float64))
    # Projection property: <z - p, q - p> <= 0 for any q in the simplex (vertices suffice).
    for k in range(7):
        q = torch.zeros(7, dtype=torch.float64)
        q[k] = 1
        assert (((z - p) * (q - p)).sum(-1) <= 1e-12).all()


def test_marginal_entropy():
    p = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]]])  # (N=2, R=1, K=2)
    assert _core.marginal_entropy(p).item() == pytest.approx(np.log(2))
    assert _core.marginal_entropy(torch.tensor([[[1.0, 0.0]], [[1.0, 0.0]]])).item() == pytest.approx(0, abs=1e-9)
    assert _core.marginal_entropy(p.transpose(0, 1), sample_dim=1).item() == pytest.approx(np.log(2))


def _problem(n=12, d=4, k=3, r=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    Z = torch.randn(n, d, generator=g, dtype=torch.float64)
    Z = Z - Z.mean(0)
    Y = torch.softmax(torch.randn(n, r, k, generator=g, dtype=torch.float64), -1)
    return Z, Y


@pytest.mark.parametrize("alpha", [0.01, 0.5, 3.0])
def test_loo_residuals_equal_brute_force_refits(alpha):
    Z, Y = _problem()
    U, g, h = _core.ridge_spectrum(Z, alpha)
    res = _core.loo_residuals(Y, U, g, h)
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


def test_loo_objective_gradient_matches_finite_differences():
    Z, Y = _problem()
    Z2 = Z @ torch.randn(4, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    bases = [_core.ridge_spectrum(Z, 0.1), _core.ridge_spectrum(Z2, 0.3)]
    Y = Y.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda Y: _core.loo_objective(Y, bases), (Y,))


def test_loo_objective_is_expected_brier_score():
    # One view, hard labels: the objective is the mean squared LOO error (impurity 0).
    Z, _ = _problem()
    basis = _core.ridge_spectrum(Z, 0.2)
    labels = torch.tensor([0, 1, 2] * 4)
    Y = torch.nn.functional.one_hot(labels, 3).to(torch.float64)[:, None]
    expected = (_core.loo_residuals(Y, *basis) ** 2).sum(-1).mean()
    torch.testing.assert_close(_core.loo_objective(Y, [basis])[0], expected)
    # Uniform labels: perfectly predicted by the intercept, impurity 1 - 1/K.
    U = torch.full_like(Y, 1 / 3)
    torch.testing.assert_close(_core.loo_objective(U, [basis])[0], torch.tensor(2 / 3, dtype=torch.float64))


def test_loo_kappa_collapsed_and_perfect():
    g = torch.Generator().manual_seed(0)
    labels = torch.arange(3).repeat_interleave(10)
    Z = torch.nn.functional.one_hot(labels, 3).double() * 5 + 0.01 * torch.randn(30, 3, generator=g, dtype=torch.float64)
    basis = _core.ridge_spectrum(Z - Z.mean(0), 0.01)
    kappa = _core.loo_kappa(torch.stack([labels, torch.zeros(30, dtype=torch.long)], 1), 3, basis)
    assert kappa[0].item() == pytest.approx(1.0)
    assert kappa[1].item() == 0.0


def test_orthonormal_rows():
    A = torch.randn(3, 4, 9, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    W = _core.orthonormal_rows(A)
    torch.testing.assert_close(W @ W.transpose(-1, -2), torch.eye(4, dtype=torch.float64).expand(3, 4, 4))


def test_hume_hypergradient_matches_finite_differences():
    """The unrolled inner loop gives the exact derivative of the outer loss."""
    g = torch.Generator().manual_seed(0)
    X1 = torch.randn(10, 4, generator=g, dtype=torch.float64)
    X2 = torch.randn(10, 3, generator=g, dtype=torch.float64)
    init = (torch.randn(1, 3, 2, generator=g, dtype=torch.float64) * 0.1, torch.zeros(1, 1, 2, dtype=torch.float64))
    A = torch.randn(1, 2, 4, generator=g, dtype=torch.float64, requires_grad=True)

    def outer(A):
        W = _core.orthonormal_rows(A)
        # temperature 1 keeps sparsemax away from its kinks on this draw
        return _core.hume_outer_loss(W, X1[:7], X1[7:], X2[:7], X2[7:], init, 1.0, 5, 0.5, 0.7)

    assert torch.autograd.gradcheck(outer, (A,))
    # Second-order terms matter: dropping them (detaching the inner gradient) changes the gradient.
    (exact,) = torch.autograd.grad(outer(A).sum(), A)
    assert exact.abs().sum() > 0


def test_fit_view_embedding_is_pca_of_normalised_rows():
    g = torch.Generator().manual_seed(0)
    X = torch.randn(40, 6, generator=g, dtype=torch.float64) + 3
    centre, mean, comps, evals, Z = _core.fit_view_embedding(X, 3)
    torch.testing.assert_close(_core.embed_view(X, centre, mean, comps), Z)
    assert Z.shape == (40, 3)
    torch.testing.assert_close(Z.mean(0), torch.zeros(3, dtype=torch.float64))
    # Columns are uncorrelated with variances = the top eigenvalues, in decreasing order.
    torch.testing.assert_close(Z.T @ Z, torch.diag(evals))
    assert (evals[:-1] >= evals[1:]).all()
    # Wide data (more features than samples) goes through the Gram matrix.
    Xw = torch.randn(5, 30, generator=g, dtype=torch.float64)
    c, m, P, ev, Zw = _core.fit_view_embedding(Xw, None)
    torch.testing.assert_close(_core.embed_view(Xw, c, m, P), Zw)
    torch.testing.assert_close(Zw.T @ Zw, torch.diag(ev))


@pytest.mark.parametrize("clip", [None, 0.05])
def test_batched_runs_equal_runs_one_by_one(clip):
    """Fitting runs together is the same as fitting each alone: the batched
    loss of a run depends on its own heads only, and Adam and the clipping act
    per run."""
    g = torch.Generator().manual_seed(0)
    Zs = [torch.randn(30, 4, generator=g, dtype=torch.float64), torch.randn(30, 5, generator=g, dtype=torch.float64)]
    Zs = [Z - Z.mean(0) for Z in Zs]
    bases = [_core.ridge_spectrum(Z, 0.1) for Z in Zs]
    init = [(torch.randn(3, Z.shape[1], 2, generator=g, dtype=torch.float64),
             torch.randn(3, 1, 2, generator=g, dtype=torch.float64)) for Z in Zs]

    def fit(runs):
        heads = [(V[runs].clone().requires_grad_(), b[runs].clone().requires_grad_()) for V, b in init]

        def step(it):
            Y = _core.head_probabilities(Zs, heads, 0.3)
            losses = _core.loo_objective(Y, bases) + 2.0 * _core.balance_penalty(Y)
            losses.sum().backward()
            return losses.detach()

        losses = _core.run_optimisation(step, [p for h in heads for p in h], 15, 0.05, {}, clip)
        return losses, heads

    together, heads = fit([0, 1, 2])
    for r in range(3):
        alone, heads_r = fit([r])
        torch.testing.assert_close(together[r:r + 1], alone)
        for (V, b), (Vr, br) in zip(heads, heads_r):
            torch.testing.assert_close(V[r:r + 1], Vr)
            torch.testing.assert_close(b[r:r + 1], br)


def test_gram_route_spectrum_equals_svd_route():
    # A tall well-conditioned Z: both routes give the same hat matrix.
    Z = torch.randn(200, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    U1, g1, h1 = _core.ridge_spectrum(Z, 0.3)
    U2, g2, h2 = _core.ridge_spectrum(Z, 0.3, gram=True)
    torch.testing.assert_close(h1, h2)
    torch.testing.assert_close((U1 * g1) @ U1.T, (U2 * g2) @ U2.T)
    torch.testing.assert_close(U2.T @ U2, torch.eye(6, dtype=torch.float64))
