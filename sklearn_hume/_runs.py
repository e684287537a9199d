"""The random runs: initialised, optimised as one batched tensor program (or
in parallel chunks of runs), then read out as soft labels and scores."""

from dataclasses import dataclass, replace

import numpy as np
import torch
from joblib import Parallel, delayed, effective_n_jobs

from ._malloc import allocations_off_mmap
from ._objectives import OBJECTIVES
from ._progress import progress_bar
from ._threads import ThreadTuner


@dataclass
class Runs:
    """The fitted runs: parameters (``objective.init``'s layout), final
    losses ``(R,)``, iterations run, the fit rows' soft labels ``(N, R, K)``
    and hard labels ``(N, R)`` at the final temperature, the runs' scores
    (higher is better) and the thread count the loop found faster last."""

    params: list
    losses: torch.Tensor
    n_iter: int
    soft: torch.Tensor
    labels: torch.Tensor
    scores: torch.Tensor
    threads: int


def runs_subset(runs, index):
    """The runs ``index`` (a slice or indices along the run axis) of ``runs``."""
    return Runs([p[index] for p in runs.params], runs.losses[index], runs.n_iter, runs.soft[:, index],
                runs.labels[:, index], runs.scores[index], runs.threads)


def family_runs(settings):
    """Which runs of a batch each balance family holds: with ``balance="auto"``
    the first ``entropy_runs`` are the entropy family's and the others the
    density-weighted one's; otherwise every run is ``settings.balance``'s."""
    if settings.balance != "auto":
        return {settings.balance: slice(None)}
    return {"entropy": slice(0, settings.entropy_runs), "density": slice(settings.entropy_runs, None)}


def _chunk_settings(settings, chunk):
    """The settings of the runs ``chunk`` (consecutive run indices): with
    ``balance="auto"``, how many of them are entropy runs."""
    return replace(settings, entropy_runs=int(np.clip(settings.entropy_runs - chunk[0], 0, len(chunk))))


def _fit_chunk(objective, Zs, params, settings, runtime, seed, device, known=None, row_weights=None):
    """Fit one chunk of runs (a joblib task: module level, explicit arguments)."""
    # A worker has its own thread limit (joblib and dask set one per worker).
    limit = min(runtime.max_threads, torch.get_num_threads())
    tuner = ThreadTuner(limit, runtime.n_threads, active=torch.device(device).type == "cpu",
                        initial=min(runtime.start_threads, limit))
    Zs = [Z.to(device) for Z in Zs]
    known = None if known is None else tuple(a.to(device) for a in known)
    row_weights = None if row_weights is None else row_weights.to(device)
    with allocations_off_mmap():  # a dask worker fixes glibc's mmap threshold low
        params, losses, n_iter = OBJECTIVES[objective].fit(Zs, params, settings, seed, known=known, tuner=tuner,
                                                           row_weights=row_weights)
    return [p.cpu() for p in params], losses.cpu(), n_iter


def _optimise(objective_name, Zs, params, settings, runtime, seed, known, tuner, verbose, log, row_weights=None):
    """All runs as one batched program, or in ``runtime.n_jobs`` chunks.

    Every run's initial parameters are drawn before the split and batches
    come from one shared seed, so chunks give the same runs as one fit.
    """
    R = settings.n_runs
    n_chunks = 1 if runtime.n_jobs is None else min(R, effective_n_jobs(runtime.n_jobs))
    if n_chunks == 1:
        with progress_bar(settings.n_iter, "HumeClustering", verbose) as bar:
            return OBJECTIVES[objective_name].fit(Zs, params, settings, seed, progress=bar, known=known, tuner=tuner,
                                                  row_weights=row_weights)
    chunks = np.array_split(np.arange(R), n_chunks)
    log(f"fitting {R} runs in {n_chunks} parallel chunks")
    Zs_cpu = [Z.cpu() for Z in Zs]
    parts = Parallel(n_jobs=runtime.n_jobs)(
        delayed(_fit_chunk)(objective_name, Zs_cpu, [p[c] for p in params], _chunk_settings(settings, c), runtime, seed,
                            runtime.device, None if known is None else [a.cpu() for a in known],
                            None if row_weights is None else row_weights.cpu())
        for c in chunks)
    device = Zs[0].device
    params = [torch.cat([part[0][i] for part in parts]).to(device) for i in range(len(params))]
    return params, torch.cat([part[1] for part in parts]).to(device), max(part[2] for part in parts)


def fit_runs(objective_name, Zs, known, resolved, generator, *, init=None, row_weights=None, verbose=0, log=print):
    """Initialise the runs from ``generator`` (or start them from ``init``,
    parameters in ``objective.init``'s layout), optimise them, read them out.

    ``known`` is ``(rows, classes)`` of the rows with a known class, or
    ``None``; ``resolved`` the fit's :class:`~sklearn_hume._settings.Resolved`;
    ``row_weights`` the rows' density weights (``(N,)``) when the caller has
    them (else the objective computes them where its balance term reads them).
    Leaves torch at the thread count the loop chose last.
    """
    objective, settings, runtime = OBJECTIVES[objective_name], resolved.settings, resolved.runtime
    device = Zs[0].device
    params = objective.init([Z.shape[1] for Z in Zs], settings, generator) if init is None else init
    seed = int(torch.randint(np.iinfo(np.int32).max, (1,), generator=generator))
    known = None if known is None else tuple(torch.as_tensor(a, device=device) for a in known)
    tuner = ThreadTuner(runtime.max_threads, runtime.n_threads, active=device.type == "cpu",
                        initial=runtime.start_threads)
    params, losses, n_iter = _optimise(objective_name, Zs, params, settings, runtime, seed, known, tuner, verbose,
                                       log, row_weights)
    torch.set_num_threads(tuner.threads)  # the rest of the fit uses the count the loop found faster last
    with torch.no_grad():
        soft = objective.probabilities(Zs, params, settings.final_temperature)
        labels = soft.argmax(-1)
        scores = objective.run_scores(Zs, labels, losses, settings)
    return Runs(params, losses, n_iter, soft, labels, scores, tuner.threads)
