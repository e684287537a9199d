"""The objectives, one module each, behind one small interface.

Every objective module defines:

- ``DEFAULTS``: its values for the settings the estimator leaves at ``None``;
- ``UNUSED``: the estimator parameters it does not read (setting one warns);
- ``KNOWN_LABELS``: whether it takes rows with known classes (``anchors``);
- ``check_views(n_views)``: raise for a number of views it cannot use;
- ``init(dims, settings, generator)``: the runs' initial parameters, a list
  of CPU tensors whose first axis is the run;
- ``fit(Zs, params, settings, seed, progress, anchors, tuner)``: optimise
  them (``anchors``: rows with known classes, or ``None``; ``tuner``: the
  loop's thread chooser, or ``None``), return ``(params, losses, n_iter)``;
- ``probabilities(Zs, params, temperature)``: soft labels ``(N, R, K)``;
- ``probe_views(Zs)``: the views the probe score reads;
- ``view_labels(Zs, params)``: each view's labels alone, or ``None``;
- ``run_scores(Zs, run_labels, losses, settings)``: a label-free score per
  run, higher is better;
- ``public_heads(params, dims)``: the fitted linear heads as NumPy;
- ``auto_batch(n_samples)``: rows per step for ``batch_size="auto"``.

None of them knows the estimator; the estimator knows none of their losses.
"""

from dataclasses import dataclass

from . import _loo, _paper, _turtle

OBJECTIVES = {"loo": _loo, "turtle": _turtle, "hume": _paper}


@dataclass(frozen=True)
class Settings:
    """Every setting a fit uses, resolved once in ``fit`` (plain Python and
    NumPy values, so it pickles to joblib and dask workers). ``max_threads``
    and ``start_threads`` are the thread counts the optimisation may use and
    starts from (see ``_threads``)."""

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
    n_threads: object
    label_weight: float = 1.0
    neighbor_weight: float = 0.0
    n_neighbors: int = 20
    propagation: float = 0.0
    refine: bool = False
    max_threads: int = 1
    start_threads: object = None

    @property
    def final_temperature(self):
        n = sum(a < self.n_iter for a in self.anneal_at)
        return self.temperature * self.anneal_factor**n
