"""Weak views: left out of the fit when they support the labeling far less
than the best view does.

HUME asks that a linear model learn the labeling in *every* view, so a view in
which no linear model can learn the classes (noise, a low-capacity or degraded
embedding) pulls the labeling towards one it can learn. On the shared cases a
weak view (a noisy 8-column projection of a good one) cost 8-10 points, and
giving it a small weight did not help: even a 6 % share of the objective,
fixed from the start, cost 4-9 points (the benchmarks page has the figures).
Leaving it out did.

Which views are weak is measured before the fit, by a short pass with a few
runs, the vote alone and a sample of the rows: each view's chance-corrected leave-one-out support
of the pass's labels (:func:`~sklearn_hume._ridge.view_support`), relative to
the best view's. Informative but weaker embeddings of the shared cases keep
74-80 % of the best view's support; the weak and noise views 0-50 %.
Pure functions, explicit arguments.
"""

from dataclasses import replace

import numpy as np
import torch

from ._consensus import fit_consensus
from ._outofcore import fit_rows as sample_rows
from ._prepare import with_known_rows
from ._ridge import view_support
from ._runs import fit_runs

# A view is weak below this share of the best view's support.
WEAK_SUPPORT = 2 / 3
# The pass that measures it: this many runs, the vote alone (no final steps).
# Its runs need the fit's iterations: after 30 or 50 (of 150) the support was
# unreliable on the shared cases, a good view once looked weak.
CHECK_RUNS = 2
# It reads at most this many rows (a uniform sample, joined by the rows with a
# known class): on wordnet10 and fashion10k (10,000 rows) 3,000 and 1,500 rows
# left out the same views as every row did, for seeds 0-2, in 60-75 % of the time.
CHECK_ROWS = 3000
# Only with at least this many views: with two, leaving one out would leave a
# single view, and the multi-view premise with it.
MIN_VIEWS = 3


def view_support_check(objective_name, Zs, known, resolved, seed):
    """Each view's support of a short pass's labels on at most
    :data:`CHECK_ROWS` of the rows, ``(n_views,)`` (float NumPy), or ``None``
    when there are fewer than :data:`MIN_VIEWS` views.

    The pass draws from its own generator (seeded from ``seed``), so the main
    fit's runs are the same whether or not it ran.
    """
    if len(Zs) < MIN_VIEWS:
        return None
    if Zs[0].shape[0] > CHECK_ROWS:
        rows, known = with_known_rows(sample_rows(Zs[0].shape[0], seed ^ 0x5EED, CHECK_ROWS), known)
        rows = torch.as_tensor(rows, device=Zs[0].device)
        Zs = [Z[rows] for Z in Zs]
    settings = replace(resolved.settings, n_runs=min(CHECK_RUNS, resolved.settings.n_runs))
    final = replace(resolved.final, n_voters=settings.n_runs, propagation=0.0, refine=False)
    check = replace(resolved, settings=settings, final=final)
    gen = torch.Generator(device="cpu").manual_seed(seed ^ 0x5EED)
    runs = fit_runs(objective_name, Zs, known, check, gen, verbose=0, log=lambda message: None)
    _, labels, _, _, _ = fit_consensus(Zs, runs, final, known, gen)
    with torch.no_grad():
        support = view_support(Zs, torch.as_tensor(labels, device=Zs[0].device), final.n_clusters, settings.alpha)
    return support.cpu().numpy().astype(np.float64)


def weak_views(support, threshold=WEAK_SUPPORT):
    """Which views are weak: support below ``threshold`` times the best
    view's (all ``False`` when ``support`` is ``None`` or no view supports
    the labels)."""
    if support is None:
        return None
    best = support.max()
    if best <= 0:
        return np.zeros(len(support), dtype=bool)
    return support < threshold * best
