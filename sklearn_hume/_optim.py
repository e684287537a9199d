"""The outer loop shared by every objective: Adam on the runs' parameters,
per-run gradient clipping, annealing, a stopping tolerance, thread choice and
progress."""

import torch

from ._threads import ThreadTuner

# torch.optim.Adam's defaults.
BETAS, EPS = (0.9, 0.999), 1e-8


def adam_state(params):
    """Adam's state for ``params``: per tensor, its step count and zero moments."""
    return [[0.0, torch.zeros_like(p), torch.zeros_like(p)] for p in params]


def adam_step(params, state, lr):
    """One Adam step on ``params`` in place, skipping those without a gradient.

    The arithmetic of ``torch.optim.Adam``'s default (single-tensor) update,
    so the runs take the same steps. Written out because the first
    ``torch.optim`` optimiser of a process imports ``torch._dynamo``: 1.5 s,
    a quarter of a 10,000-row fit.
    """
    b1, b2 = BETAS
    with torch.no_grad():
        for p, s in zip(params, state):
            if p.grad is None:
                continue
            s[0] += 1.0
            m, v = s[1], s[2]
            m.lerp_(p.grad, 1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = (v.sqrt() / (1 - b2 ** s[0]) ** 0.5).add_(EPS)
            p.addcdiv_(m, denom, value=-lr / (1 - b1 ** s[0]))


def zero_grad(params):
    for p in params:
        p.grad = None


def clip_per_run(params, max_norm):
    """Scale each run's gradient (first axis of every parameter) to a norm of
    at most ``max_norm``, as ``clip_grad_norm_`` does for one model."""
    norms2 = 0.0
    for p in params:
        if p.grad is not None:
            norms2 = norms2 + p.grad.pow(2).flatten(1).sum(1)
    scale = (max_norm / (norms2.sqrt() + 1e-6)).clamp(max=1.0)
    for p in params:
        if p.grad is not None:
            p.grad.mul_(scale.view(-1, *([1] * (p.grad.dim() - 1))))


def optimise(loss_fn, params, settings, *, backward=True, deterministic=False, progress=None, tuner=None):
    """Minimise the ``(R,)`` losses of independent runs.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(it, temperature)`` returns the runs' losses; with
        ``backward=False`` it has already back-propagated them.
    params : list of tensors
        Leaf tensors whose first axis is the run.
    settings : Settings
        ``n_iter``, ``learning_rate``, ``temperature``, ``anneal_at``,
        ``anneal_factor``, ``max_grad_norm``, ``tol``.
    deterministic : bool
        The loss is the full objective (no random batches), so ``tol`` applies:
        the loop stops once no run's loss moved by more than ``tol`` over the
        last 10 iterations, after the last annealing step.
    progress : tqdm-like or None
        Updated once per iteration.
    tuner : ThreadTuner or None
        Chooses each iteration's thread count; ``None`` keeps the current
        count. A caller passes its own to read the last choice after.

    Returns
    -------
    losses : tensor of shape (R,)
        The last iteration's losses (NaN for ``n_iter=0``).
    n_iter : int
        Iterations run.
    """
    state, lr = adam_state(params), settings.learning_rate
    temperature = settings.temperature
    anneal = set(settings.anneal_at)
    last_anneal = max([a for a in anneal if a < settings.n_iter], default=-1)
    if tuner is None:
        tuner = ThreadTuner(torch.get_num_threads(), active=False)
    losses = torch.full((params[0].shape[0],), float("nan"), device=params[0].device)
    previous, it = None, -1
    for it in range(settings.n_iter):
        if it in anneal:
            temperature *= settings.anneal_factor
            lr *= settings.anneal_factor
        with tuner.iteration(it):
            zero_grad(params)
            losses = loss_fn(it, temperature)
            if backward:
                losses.sum().backward()
            if settings.max_grad_norm is not None:
                clip_per_run(params, settings.max_grad_norm)
            adam_step(params, state, lr)
        losses = losses.detach()
        if progress is not None:
            progress.update(1)
        # Checked every 10 iterations: reading a value back is a sync point on a GPU.
        if deterministic and settings.tol > 0 and it > last_anneal and it % 10 == 0:
            if previous is not None and (losses - previous).abs().max().item() <= settings.tol:
                break
            previous = losses
    return losses, it + 1
