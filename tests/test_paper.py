"""objective="hume" against a reference loop written here from the paper's
equations and the public code's defaults, with the modules the public code
uses (``nn.Linear`` under ``parametrizations.orthogonal`` as the task encoder,
``nn.Linear`` as the inner classifier, ``F.cross_entropy`` with soft
targets, Adam, ``clip_grad_norm_``, ``MultiStepLR``); plain torch, no
learn2learn: its MAML ``adapt`` is an SGD step kept in the graph."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from sklearn_hume import HumeClustering
from sklearn_hume._objectives import Settings, _paper
from sklearn_hume._objectives._terms import sparsemax


def reference_run(Z1, Z2, encoder_weight, base, subsets, inner_inits, n_iter, tau, lr, inner_lr, inner_steps, h_reg,
                  milestones):
    """One run of the public training loop; returns its losses and encoder
    weights per iteration, and the encoder weight it started from."""
    K, d1 = encoder_weight.shape
    encoder = nn.Linear(d1, K, bias=False).double()
    with torch.no_grad():
        encoder.weight.copy_(encoder_weight)
    encoder = nn.utils.parametrizations.orthogonal(encoder)
    # Registering completes the orthonormalised weight to a square orthogonal base
    # with random columns from the global RNG; use the package's draw of them.
    orth = encoder.parametrizations.weight[0]
    torch.testing.assert_close(orth.base[:, :K], base[:, :K])
    with torch.no_grad():
        orth.base.copy_(base)
    opt = torch.optim.Adam(list(encoder.parameters()), lr=lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=milestones, gamma=0.1)
    start = encoder.weight.detach().clone()
    old_lr, losses, weights = lr, [], []
    for it in range(n_iter):
        opt.zero_grad()
        total = 0.0
        for (tr, te), (V0, b0) in zip(subsets[it], inner_inits[it]):
            lab_tr = sparsemax(encoder(Z1[tr]) / tau)
            lab_te = sparsemax(encoder(Z1[te]) / tau)
            W, b = V0.T.double().requires_grad_(), b0.double().requires_grad_()  # nn.Linear layout (K, d2)
            for _ in range(inner_steps):
                err = F.cross_entropy(F.linear(Z2[tr], W, b), lab_tr)
                gW, gb = torch.autograd.grad(err, (W, b), create_graph=True)
                W, b = W - inner_lr * gW, b - inner_lr * gb
            entr = torch.special.entr(torch.cat([lab_tr, lab_te]).mean(0)).sum()
            loss = F.cross_entropy(F.linear(Z2[te], W, b), lab_te) - h_reg * entr
            loss.backward()
            total += loss.item() / len(subsets[it])
        for p in encoder.parameters():
            p.grad.mul_(1.0 / len(subsets[it]))
        nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
        opt.step()
        sched.step()
        if sched.get_last_lr()[0] != old_lr:
            old_lr, tau = sched.get_last_lr()[0], tau / 10
        losses.append(total)
        weights.append(encoder.weight.detach().clone())
    return losses, weights, start


def test_same_losses_and_encoder_updates_as_the_public_loop():
    g = torch.Generator().manual_seed(0)
    n, d1, d2, K, R = 40, 6, 5, 3, 2
    Z1 = torch.randn(n, d1, generator=g, dtype=torch.float64)
    Z2 = torch.randn(n, d2, generator=g, dtype=torch.float64)
    n_iter, n_subsets, m, n_train, steps = 5, 2, 30, 27, 4
    settings = Settings(n_clusters=K, n_runs=R, n_iter=n_iter, learning_rate=0.05, temperature=0.5,
                        entropy_weight=10.0, anneal_at=(3,), anneal_factor=0.1, max_grad_norm=1.0, alpha=0.1,
                        batch_size=n, inner_steps=steps, inner_lr=0.5, n_subsets=n_subsets, subset_size=m,
                        train_fraction=0.9, cluster_prior=None, tol=0.0, label_weight=1.0,
                        neighbor_weight=0.0, n_neighbors=20)
    seed = 11
    # The subsets and inner initialisations the package draws, replayed for the reference.
    gen = torch.Generator().manual_seed(seed)
    draws = [[(_paper.draw_subsets(n, R, m, n_train, gen), _paper.draw_inner_init(R, d2, K, gen))
              for _ in range(n_subsets)] for _ in range(n_iter)]
    W0 = torch.rand(R, K, d1, generator=g, dtype=torch.float64) * 2 - 1
    params = list(_paper.init_from_weight(W0, torch.Generator().manual_seed(1)))
    for r in range(R):
        # The package's encoder starts where the public one does: nn.Linear's weight orthonormalised.
        torch.testing.assert_close(_paper.encoder_weights(params[0][r:r + 1], params[1][r:r + 1], d1)[0], _orth(W0[r]))
    for k in range(1, n_iter + 1):  # the annealing step (3) included
        s_k = Settings(**{**settings.__dict__, "n_iter": k})
        out, losses, _ = _paper.fit([Z1, Z2], params, s_k, seed)
        for r in range(R):
            ref_losses, ref_weights, start = reference_run(
                Z1, Z2, W0[r], params[1][r], [[(tr[r], te[r]) for (tr, te), _ in it] for it in draws],
                [[(V[r], b[r, 0]) for _, (V, b) in it] for it in draws], k, 0.5, 0.05, 0.5, steps, 10.0, [3])
            torch.testing.assert_close(start, _orth(W0[r]))
            assert losses[r].item() == pytest.approx(ref_losses[-1], rel=1e-9)
            torch.testing.assert_close(_paper.encoder_weights(out[0], out[1], d1)[r], ref_weights[-1])
            if k > 1:  # the encoder really moves
                assert (ref_weights[-1] - ref_weights[-2]).abs().max() > 1e-4


def _orth(W):
    """``W``'s rows orthonormalised with a positive diagonal, what registering
    the parametrisation does to an ``nn.Linear`` weight."""
    Q, Rm = torch.linalg.qr(W.T)
    return (Q * torch.sign(torch.diagonal(Rm))).T


def test_defaults_are_the_public_codes():
    X1, X2, _ = np.random.RandomState(0).normal(size=(40, 6)), np.random.RandomState(1).normal(size=(40, 5)), None
    est = HumeClustering(n_clusters=3, objective="hume", n_runs=1, n_iter=0).fit(X1, X2)
    s = est._settings
    assert (s.learning_rate, s.temperature, s.entropy_weight, s.anneal_at, s.max_grad_norm, s.inner_steps,
            s.inner_lr, s.n_subsets, s.subset_size, s.train_fraction) == (
        1e-3, 0.1, 10.0, (100, 200), 1.0, 300, 1e-3, 20, 10000, 0.9)
    assert HumeClustering(objective="hume").get_params()["n_iter"] is None  # resolved to 1000 at fit
