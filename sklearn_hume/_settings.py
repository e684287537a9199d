"""Every setting a fit uses, resolved once, in one function.

:func:`resolve_settings` turns the estimator's parameters into three frozen
records, and nothing changes them afterwards:

- :class:`Settings`, the algorithm: what the objectives and the outer loop
  read (``_objectives``, ``_optim``);
- :class:`FinalSteps`, the consensus: how many runs vote, and the
  propagation and ridge refit that follow the vote (``_consensus``);
- :class:`Runtime`, where and how fast it runs: device, parallel chunks of
  runs, thread counts (``_runs``, ``_threads``).

The defaults live in one place each: the estimator's signature for every
parameter, and an objective's ``DEFAULTS`` for those whose signature default
is ``None`` ("the objective's value"). The records hold plain Python and
NumPy values, so they pickle to joblib and dask workers.
"""

import inspect
from dataclasses import dataclass
from math import ceil
from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import InvalidParameterError

from ._propagation import MAX_ROWS as PROPAGATION_MAX_ROWS
from ._threads import probe_threads
from ._views import is_count
from ._warnings import warn_user

# Integer parameters for which a bool is a mistake, not a number.
INTEGER_PARAMS = ("n_clusters", "n_runs", "n_iter", "n_components", "inner_steps", "batch_size", "n_subsets",
                  "subset_size", "n_jobs", "n_threads", "n_neighbors")
# The parameters that only some objectives read: each objective's READS says which
# of them it reads, and its flags say whether it takes the rest.
CONDITIONAL_PARAMS = ("cluster_prior", "balance", "inner_steps", "inner_lr", "batch_size", "n_subsets", "subset_size",
                      "train_fraction", "label_weight", "neighbor_weight", "n_neighbors")
CHUNK_PARAMS = ("n_jobs",)                       # objectives with CHUNKED_RUNS
FINAL_STEP_PARAMS = ("overcluster", "propagation", "refine")    # objectives with FINAL_STEPS


@dataclass(frozen=True)
class Settings:
    """The algorithm: what an objective and the outer loop read."""

    n_clusters: int
    n_runs: int
    n_iter: int
    learning_rate: float
    temperature: float
    entropy_weight: float
    anneal_at: tuple
    anneal_factor: float
    max_grad_norm: object
    alpha: float
    batch_size: int
    inner_steps: object
    inner_lr: object
    n_subsets: int
    subset_size: int
    train_fraction: float
    cluster_prior: object
    tol: float
    label_weight: float
    neighbor_weight: float
    n_neighbors: int
    balance: str = "entropy"
    # balance="auto" (the entropy and density families' runs in one batch): the first
    # ``entropy_runs`` runs have the entropy term, the others the density-weighted one.
    entropy_runs: int = 0

    @property
    def n_anneals(self):
        """Annealing steps that fall inside the schedule."""
        return sum(a < self.n_iter for a in self.anneal_at)

    @property
    def final_temperature(self):
        return self.temperature * self.anneal_factor**self.n_anneals

    @property
    def final_learning_rate(self):
        return self.learning_rate * self.anneal_factor**self.n_anneals


@dataclass(frozen=True)
class FinalSteps:
    """The consensus of the runs: ``n_voters`` best-scored runs vote (their
    clusters merged down to ``n_clusters`` when the runs have more); then
    ``propagation`` (0: none) and ``refine`` label the rows."""

    n_clusters: int
    n_voters: int
    propagation: float
    refine: bool
    n_neighbors: int
    alpha: float
    temperature: float


@dataclass(frozen=True)
class Runtime:
    """Where and how fast a fit runs. ``n_jobs``: chunks of runs fitted in
    parallel (``None``: one batched program); ``max_threads`` and
    ``start_threads``: the thread counts the loop may use and starts from."""

    device: str
    n_jobs: object
    n_threads: object
    max_threads: int
    start_threads: int


@dataclass(frozen=True)
class Resolved:
    settings: Settings
    final: FinalSteps
    runtime: Runtime


def check_integer_params(params, name="HumeClustering"):
    for key in INTEGER_PARAMS:
        if isinstance(params[key], (bool, np.bool_)):
            raise InvalidParameterError(f"The '{key}' parameter of {name} must be an int, not a bool. "
                                        f"Got {params[key]!r}.")


def ignored_params(objective):
    """The estimator parameters ``objective`` does not read, in signature order."""
    ignored = [p for p in CONDITIONAL_PARAMS if p not in objective.READS]
    ignored += [] if objective.CHUNKED_RUNS else list(CHUNK_PARAMS)
    ignored += [] if objective.FINAL_STEPS else list(FINAL_STEP_PARAMS)
    return ignored


def unused_settings_warnings(estimator_class, params, objective_name, objective):
    """Warning messages for the parameters set away from their default that
    ``objective`` ignores."""
    defaults = {k: p.default for k, p in inspect.signature(estimator_class.__init__).parameters.items()}
    out = []
    for name in ignored_params(objective):
        value, default = params[name], defaults[name]
        if value is default or (isinstance(value, (str, Real)) and isinstance(default, (str, Real))
                                and value == default):
            continue
        out.append(f"objective={objective_name!r} does not use {name}={value!r}; it is ignored.")
    return out


def resolve_device(device):
    """A ``torch.device`` from ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"``
    or a ``torch.device``; CUDA that is not there is an error."""
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda"):
        raise InvalidParameterError(
            f"The 'device' parameter of HumeClustering must be 'auto', 'cpu', 'cuda', 'cuda:N' or a torch.device. "
            f"Got {device!r} instead.")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available; use device='auto' or 'cpu'.")
    return dev


def check_prior(cluster_prior, n_clusters, n_run_clusters=None):
    """The prior normalised to sum to one, or ``None``."""
    if cluster_prior is None:
        return None
    if n_run_clusters is not None and n_run_clusters != n_clusters:
        raise ValueError("cluster_prior gives the size of each of n_clusters clusters; with overcluster > 1 the "
                         "runs fit more clusters than that. Use one or the other.")
    prior = np.asarray(cluster_prior, dtype=np.float64)
    if prior.shape != (n_clusters,) or not np.all(np.isfinite(prior)) or (prior <= 0).any():
        raise ValueError(
            f"cluster_prior must hold {n_clusters} positive finite numbers (one per cluster), "
            f"got {cluster_prior!r}.")
    return prior / prior.sum()


def _balance(params, objective):
    """The balance term the runs are fitted with first: ``"auto"`` fits
    ``"entropy"`` and then ``"density"`` (:func:`auto_balance`); an objective
    without the choice, and a fit with a ``cluster_prior``, use the entropy
    (or the prior's KL)."""
    if "balance" not in objective.READS:
        return "entropy"
    if params["balance"] in ("free", "density") and params["cluster_prior"] is not None:
        raise ValueError(f"balance={params['balance']!r} and a cluster_prior are two answers to one question; "
                         "the prior fixes the cluster sizes. Use one or the other.")
    return "entropy" if params["balance"] == "auto" else params["balance"]


def auto_balance(params, objective):
    """Whether the fit chooses between the entropy and the density-weighted
    runs (``balance="auto"``): not with a ``cluster_prior``, which fixes the
    sizes, nor for an objective without the choice."""
    return params["balance"] == "auto" and "balance" in objective.READS and params["cluster_prior"] is None


def _anneal_at(value, default):
    if value is None:
        return tuple(default)
    a = np.atleast_1d(np.asarray(value, dtype=object))
    if a.ndim != 1 or not all(is_count(v) for v in a):
        raise ValueError(f"anneal_at must be a list of non-negative iteration numbers, got {value!r}.")
    return tuple(sorted(int(v) for v in a))


def resolve_settings(params, objective, *, n_samples, n_fit_rows, device, max_threads):
    """Everything a fit uses, from the estimator's ``get_params()``.

    Parameters
    ----------
    params : dict
        The estimator's parameters.
    objective : module
        The objective (``_objectives.OBJECTIVES[...]``): its ``DEFAULTS`` fill
        the parameters left at ``None``, its ``auto_batch`` the batch size,
        and its flags switch off what it does not take.
    n_samples, n_fit_rows : int
        Rows of the data, and rows the optimisation draws from.
    device : torch.device
    max_threads : int
        The caller's torch thread count: a fit on the CPU uses it or one
        thread, whichever a quick probe finds faster now (``n_threads``
        overrides).
    """
    d = objective.DEFAULTS

    def pick(name):
        return d[name] if params[name] is None else params[name]

    batch = params["batch_size"]
    if batch == "auto":
        batch = objective.auto_batch(n_fit_rows)
    else:
        batch = n_fit_rows if batch is None else min(int(batch), n_fit_rows)
    K = int(params["n_clusters"])
    # Over-clustering (merged back in the consensus) needs the final steps' graph.
    K_runs = min(int(np.ceil(params["overcluster"] * K)), n_samples) if objective.FINAL_STEPS else K
    settings = Settings(
        n_clusters=K_runs, n_runs=int(params["n_runs"]), n_iter=int(pick("n_iter")),
        learning_rate=float(pick("learning_rate")), temperature=float(pick("temperature")),
        entropy_weight=float(pick("entropy_weight")), anneal_at=_anneal_at(params["anneal_at"], d["anneal_at"]),
        anneal_factor=float(params["anneal_factor"]), max_grad_norm=pick("max_grad_norm"),
        alpha=float(params["alpha"]), batch_size=int(batch), inner_steps=pick("inner_steps"),
        inner_lr=pick("inner_lr"), n_subsets=int(params["n_subsets"]), subset_size=int(params["subset_size"]),
        train_fraction=float(params["train_fraction"]),
        cluster_prior=check_prior(params["cluster_prior"], K, K_runs), tol=float(params["tol"]),
        balance=_balance(params, objective),
        label_weight=float(params["label_weight"]), neighbor_weight=float(params["neighbor_weight"]),
        n_neighbors=int(params["n_neighbors"]))
    # Every row's neighbour search against the graph rows would cost more than the fit beyond this.
    propagation = float(params["propagation"]) if objective.FINAL_STEPS and n_samples <= PROPAGATION_MAX_ROWS else 0.0
    final = FinalSteps(
        n_clusters=K, n_voters=max(1, int(ceil(params["vote_fraction"] * settings.n_runs))), propagation=propagation,
        refine=bool(params["refine"]) and objective.FINAL_STEPS, n_neighbors=settings.n_neighbors,
        alpha=settings.alpha, temperature=settings.final_temperature)
    n_threads = None if params["n_threads"] is None else int(params["n_threads"])
    start = n_threads or (probe_threads(max_threads) if device.type == "cpu" else max_threads)
    runtime = Runtime(device=str(device), n_jobs=params["n_jobs"] if objective.CHUNKED_RUNS else None,
                      n_threads=n_threads, max_threads=int(max_threads), start_threads=int(start))
    return Resolved(settings, final, runtime)


def warn_unused(estimator_class, params, objective_name, objective):
    for message in unused_settings_warnings(estimator_class, params, objective_name, objective):
        warn_user(message, UserWarning)
