"""Exact leave-one-out ridge regression: the ``"loo"`` objective's inner
problem and the probe score of hard labelings (pure torch functions)."""

import torch


def ridge_spectrum(Z, alpha, gram=False):
    """Orthonormal basis and shrinkage factors of the ridge hat matrix of ``Z``.

    For centred ``Z`` the ridge fit with a free intercept has hat matrix
    ``H = 11^T / N + U diag(g) U^T`` where ``Z = U S V^T`` and
    ``g = s^2 / (s^2 + lambda)``; ``lambda = alpha * mean(s^2)`` makes
    ``alpha`` scale free. Returns ``(U, g, h)`` with ``h = diag(H)``.

    ``gram=True`` takes ``U = Z V / s`` from the eigenvectors of ``Z^T Z``:
    three to four times faster for tall ``Z``, less accurate on directions
    with tiny singular values, which the ridge shrinks away.
    """
    Zc = Z - Z.mean(0)
    if gram:
        s2, U = scatter_basis(Zc, 1e-6)
    else:
        U, s, _ = torch.linalg.svd(Zc, full_matrices=False)
        s2 = s * s
        keep = s2 > s2.max().clamp_min(torch.finfo(Z.dtype).tiny) * 1e-10
        U, s2 = U[:, keep], s2[keep]
    lam = alpha * s2.mean() if s2.numel() else s2.new_ones(())
    g = s2 / (s2 + lam)
    h = 1.0 / Z.shape[0] + (U * U) @ g
    return U, g, h


def scatter_basis(Zc, rel_tol):
    """The eigenvalues ``s2`` (ascending) of the scatter matrix ``Zc^T Zc`` of
    centred rows above ``rel_tol`` times the largest, and the matching
    orthonormal basis of the rows ``U = Zc V / s`` (``(N, r)``): one small
    eigendecomposition, a fraction of a thin SVD's time on many rows, less
    accurate on directions of tiny variance (hence ``rel_tol``)."""
    s2, V = torch.linalg.eigh(Zc.T @ Zc)
    keep = s2 > s2.max().clamp_min(torch.finfo(Zc.dtype).tiny) * rel_tol
    s2 = s2[keep]
    return s2, (Zc @ V[:, keep]) / s2.sqrt()


def hat_complement(X, U, g, centred=None):
    """``(I - H) X`` for the ridge hat matrix ``H`` of :func:`ridge_spectrum`
    and columns ``X`` (``(N, C)``): the residuals of the ridge fits of every
    column. ``H`` is symmetric, so this also maps a gradient back through the
    fit. ``centred`` (``X`` minus its column means) may be passed when the
    caller has it: ``U`` is orthogonal to the constant, so the intercept's part
    of ``H`` only removes the means."""
    if centred is None:
        centred = X - X.mean(0)
    return torch.addmm(centred, U, g[:, None] * (U.T @ X), alpha=-1)


def loo_scale(h):
    """``1 / (1 - h_ii)``: turns a ridge fit's residuals into its exact
    leave-one-out residuals (clamped where a row alone decides its fit)."""
    return 1.0 / (1.0 - h).clamp_min(1e-6)


def loo_residuals(Y, U, g, h):
    """Exact leave-one-out residuals of a ridge fit of ``Y`` (``(N, R, K)``).

    Row ``i`` equals ``y_i - f_{-i}(x_i)``, where ``f_{-i}`` is the ridge
    model refitted without sample ``i``: ``(y_i - (HY)_i) / (1 - h_ii)``.
    """
    flat = Y.reshape(Y.shape[0], -1)
    return (hat_complement(flat, U, g) * loo_scale(h)[:, None]).view(Y.shape)


def loo_predictions(labels, n_clusters, basis):
    """The exact leave-one-out predictions ``(N, R)`` of a ridge classifier on
    one view (``basis``) fitted to hard labelings ``labels`` ``(N, R)``."""
    Y = torch.nn.functional.one_hot(labels, n_clusters).to(basis[0].dtype)
    return (Y - loo_residuals(Y, *basis)).argmax(-1)


def loo_kappa(labels, n_clusters, basis, pred=None):
    """Cohen's kappa between hard labelings and the exact leave-one-out
    predictions of a ridge classifier on one view (``pred``, from
    :func:`loo_predictions` unless given).

    ``labels`` is ``(N, R)`` (integer). Kappa corrects the leave-one-out
    accuracy for chance, so a collapsed labeling scores 0, not 1. Returns
    ``(R,)`` in ``[-1, 1]``.
    """
    if pred is None:
        pred = loo_predictions(labels, n_clusters, basis)
    Y = torch.nn.functional.one_hot(labels, n_clusters).to(basis[0].dtype)
    acc = (pred == labels).to(Y.dtype).mean(0)
    p = Y.mean(0)
    q = torch.nn.functional.one_hot(pred, n_clusters).to(Y.dtype).mean(0)
    chance = (p * q).sum(-1)
    denom = 1.0 - chance
    return torch.where(denom > 1e-12, (acc - chance) / denom.clamp_min(1e-12), torch.zeros_like(acc))


def probe_kappa(Zs, labels, n_clusters, alpha):
    """Mean :func:`loo_kappa` over the views ``Zs`` for labelings ``(N, R)``."""
    return sum(loo_kappa(labels, n_clusters, ridge_spectrum(Z, alpha)) for Z in Zs) / len(Zs)


def view_support(Zs, labels, n_clusters, alpha, per_cluster=False):
    """Per view, :func:`loo_kappa` of one hard labeling (``(N,)`` integers),
    ``(V,)``. The spectra come from the Gram matrix: one small
    eigendecomposition per view, fast on many rows, and accurate on the
    directions the ridge keeps.

    ``per_cluster=True`` also returns, from the same predictions, the share
    of each cluster's rows that each view's leave-one-out prediction puts in
    that cluster, ``(n_clusters, V)`` (NaN for an empty cluster)."""
    y = labels[:, None]
    kappas, recalls = [], []
    counts = torch.bincount(labels, minlength=n_clusters).to(Zs[0].dtype)
    for Z in Zs:
        basis = ridge_spectrum(Z, alpha, gram=True)
        pred = loo_predictions(y, n_clusters, basis)
        kappas.append(loo_kappa(y, n_clusters, basis, pred)[0])
        if per_cluster:
            hits = torch.bincount(labels[pred[:, 0] == labels], minlength=n_clusters).to(Z.dtype)
            recalls.append(hits / counts)
    kappa = torch.stack(kappas)
    return (kappa, torch.stack(recalls, 1)) if per_cluster else kappa


def ridge_fit(Z, T, alpha):
    """Ridge regression of targets ``T`` (``(N, K)``) on ``Z`` with a free
    intercept and the scale-free penalty of :func:`ridge_spectrum`
    (``lambda = alpha`` times the mean eigenvalue of the centred Gram
    matrix). Solved in float64 (a ``(d, d)`` system); returns ``(W, b)`` in
    ``Z``'s dtype, so that ``Z @ W + b`` are the fitted values."""
    Z64, T64 = Z.double(), T.double()
    mean, target_mean = Z64.mean(0), T64.mean(0)
    Zc = Z64 - mean
    G = Zc.T @ Zc
    lam = alpha * G.diagonal().sum() / max(G.shape[0], 1)
    eye = torch.eye(G.shape[0], dtype=G.dtype, device=G.device)
    W = torch.linalg.solve(G + lam.clamp_min(torch.finfo(G.dtype).tiny) * eye, Zc.T @ (T64 - target_mean))
    return W.to(Z.dtype), (target_mean - mean @ W).to(Z.dtype)
