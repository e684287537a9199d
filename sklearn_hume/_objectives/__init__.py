"""The objectives, one module each, behind one small interface.

Every objective module defines:

- ``DEFAULTS``: its values for the settings the estimator leaves at ``None``;
- ``READS``: the settings (fields of :class:`~sklearn_hume._settings.Settings`)
  it reads; a conditional parameter it does not read warns when set;
- capability flags: ``KNOWN_LABELS`` (it takes rows with known classes),
  ``CHUNKED_RUNS`` (its runs may be fitted in parallel chunks, ``n_jobs``),
  ``FINAL_STEPS`` (its vote may be propagated and refitted);
- ``check_views(n_views)``: raise for a number of views it cannot use;
- ``init(dims, settings, generator)``: the runs' initial parameters, a list
  of CPU tensors whose first axis is the run;
- ``fit(Zs, params, settings, seed, progress, known, tuner, row_weights)``:
  optimise them (``known``: rows with known classes, or ``None``; ``tuner``:
  the loop's thread chooser, or ``None``; ``row_weights``: the rows' weights
  for ``balance="density"`` when the caller has them, or ``None``), return
  ``(params, losses, n_iter)``;
- with ``KNOWN_LABELS``, ``permute_clusters(params, numbering)``: the
  parameters with run ``r``'s cluster ``k`` renumbered ``numbering[r, k]``;
- ``probabilities(Zs, params, temperature)``: soft labels ``(N, R, K)``;
- ``probe_views(Zs)``: the views the probe score reads;
- ``view_labels(Zs, params)``: each view's labels alone, or ``None``;
- ``run_scores(Zs, run_labels, losses, settings)``: a label-free score per
  run, higher is better;
- ``public_heads(params, dims)``: the fitted linear heads as NumPy;
- ``auto_batch(n_samples)``: rows per step for ``batch_size="auto"``.

None of them knows the estimator; the estimator knows none of their losses.
"""

from .._settings import Settings  # noqa: F401  (what every objective reads)
from . import _loo, _paper, _turtle

OBJECTIVES = {"loo": _loo, "turtle": _turtle, "hume": _paper}
