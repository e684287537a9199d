"""The training views, ready for the runs: one path for in-memory and
out-of-core data.

:func:`fit_input` reads what ``fit`` was given (one matrix, views, a dask
array or a memmap) into a :class:`FitInput`; :func:`prepare_training_views`
fits each view's preprocessing (:mod:`._views` in memory, :mod:`._outofcore`
from block moments) and embeds the rows the optimisation draws from. Both
return the same :class:`TrainingViews`, which is all the rest of a fit reads.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import torch

from ._outofcore import RowBlocks, embed_rows, is_out_of_core, view_statistics
from ._outofcore import fit_rows as sample_fit_rows
from ._ridge import scatter_basis
from ._views import (
    collect_views,
    core_input,
    explain_invalid,
    fit_view_embedding,
    params_as_numpy,
    split_columns,
    stack_views,
)
from ._warnings import warn_user


@dataclass
class FitInput:
    """What ``fit`` was given: ``X`` (validated, in memory) or ``data``
    (out of core), the view widths when the views came separately."""

    X: object
    data: object
    widths: list
    explicit: bool
    n_samples: int
    n_features: int


@dataclass
class TrainingViews:
    """The embedded training views and what the rest of the fit needs of the input.

    ``Zs``: float32 tensors, one per view, of the rows the optimisation draws
    from (every row in memory; a sample ``fit_rows`` out of core, known rows
    included); ``groups``: the view each view nearly duplicates, or itself
    (:func:`redundant_views`); ``weak``: the views left out as weak
    (:mod:`._weak_views`; ``None`` before that check), and ``used``: the
    views the fit uses;
    ``known``: ``(rows, classes)`` indexing ``Zs``, ``known_all`` the same
    indexing every row; ``data``: the out-of-core input, or None;
    ``residuals``: per view, the rows' squared distances from its embedding's
    subspace (:func:`~sklearn_hume._views.embed_view`).
    """

    Zs: list
    view_params: list
    sizes: np.ndarray
    n_samples: int
    known: object
    known_all: object
    data: object
    groups: np.ndarray
    weak: object = None
    residuals: object = None

    @property
    def distinct_mask(self):
        """Which views duplicate no earlier one (weak ones included)."""
        return self.groups == np.arange(len(self.Zs))

    @property
    def mask(self):
        """Which views the fit uses: neither a near-duplicate nor weak."""
        return self.distinct_mask if self.weak is None else self.distinct_mask & ~self.weak

    @property
    def used(self):
        return used_views(self.Zs, self.mask)

    @property
    def distinct(self):
        return used_views(self.Zs, self.distinct_mask)

    @property
    def used_residual(self):
        """Each row's squared distance from the used views' subspaces, summed."""
        return sum(used_views(self.residuals, self.mask))


def fit_input(X, y, validate):
    """A :class:`FitInput`; ``validate(X)`` is the estimator's
    ``validate_data`` for an in-memory matrix (it records the features)."""
    if is_out_of_core(X, y):
        # Out of core nothing is validated as one array; the statistics pass checks finiteness.
        data = RowBlocks.from_input(X, y)
        if data.n_rows < 2:
            raise ValueError(f"Found array with {data.n_rows} sample(s) while a minimum of 2 is required.")
        return FitInput(None, data, data.widths, len(data.widths) > 1, data.n_rows, data.n_cols)
    views, explicit = collect_views(X, y, y_allowed=True)
    X, widths = stack_views(views)
    X = validate_views(validate, X, widths)
    return FitInput(X, None, widths, explicit, X.shape[0], X.shape[1])


def validate_views(validate, X, widths):
    """``validate(X)``, with errors that name the view, row and column."""
    try:
        return validate(X)
    except ValueError as exc:
        clearer = explain_invalid(exc, X, widths)
        if clearer is None:
            raise
        raise clearer from exc


def fit_rows(inp, known, seed):
    """The rows the runs see, and the known labels indexing them: every row in
    memory (``None``), a sample of them out of core, the known rows always in it."""
    if inp.data is None:
        return None, known
    return with_known_rows(sample_fit_rows(inp.n_samples, seed), known)


def with_known_rows(rows, known):
    """A sample of rows (sorted indices) joined by the rows with a known class,
    and the known labels indexing the result."""
    if known is None:
        return rows, None
    rows = np.union1d(rows, known[0])
    return rows, (np.searchsorted(rows, known[0]), known[1])


def as_tensor(a, device):
    """A tensor on ``device`` in ``a``'s dtype; shares memory with ``a`` on the
    CPU (column blocks included) unless its strides are negative."""
    if any(s < 0 for s in a.strides):
        a = np.ascontiguousarray(a)
    with warnings.catch_warnings():
        # Read-only inputs (memmaps) are shared too: nothing writes to them
        # (preprocessing starts with a centred copy), so torch's warning is moot.
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.as_tensor(a, device=device)


def warn_view(i, width, constant, n_clusters):
    if constant:
        warn_user(f"View {i + 1} is constant: it carries no information and only the other views "
                  "shape the labeling.", UserWarning)
    elif width == 1 and n_clusters > 2:
        warn_user(f"View {i + 1} has a single column: a linear model on it can only cut the samples into "
                  f"intervals along one axis, which rarely separates {n_clusters} classes.", UserWarning)


def prepare_training_views(inp, sizes, rows, known, known_all, *, n_components, n_clusters, device):
    """Fit every view's preprocessing and embed the fit rows (see :class:`TrainingViews`)."""
    if inp.data is None:
        # One view at a time, so that at most one view-sized copy of X is alive.
        view_params, Zs, residuals = [], [], []
        for i, block in enumerate(split_columns(inp.X, sizes)):
            p, Z, r2 = fit_view_embedding(as_tensor(block, device), n_components, residual=True)
            view_params.append(params_as_numpy(p))
            Zs.append(core_input(Z))
            residuals.append(core_input(r2))
            warn_view(i, sizes[i], p["constant"], n_clusters)
    else:
        inp.data.widths = list(sizes)
        view_params = view_statistics(inp.data, n_components)
        for i, p in enumerate(view_params):
            warn_view(i, sizes[i], p["constant"], n_clusters)
        Zs, residuals = embed_rows(inp.data, rows, view_params)
        Zs, residuals = [Z.to(device) for Z in Zs], [r.to(device) for r in residuals]
    return TrainingViews(Zs, view_params, sizes, inp.n_samples, known, known_all, inp.data,
                         redundant_views(Zs, n_clusters), residuals=residuals)


def check_known_labels(known_labels, n_samples, n_clusters):
    """``(rows, classes)`` of the rows with a known class, or ``None``."""
    if known_labels is None:
        return None
    k = np.asarray(known_labels)
    if k.ndim != 1 or len(k) != n_samples:
        raise ValueError(f"known_labels must be 1-D with one entry per sample ({n_samples}), got shape {k.shape}.")
    whole = k.dtype.kind == "f" and np.all(np.isfinite(k)) and np.all(k == np.round(k))
    if k.dtype.kind not in "iu" and not whole:
        raise ValueError("known_labels must hold integer class indices (-1 for unknown), "
                         f"got values of dtype {k.dtype}.")
    k = k.astype(np.int64)
    bad = k[(k < -1) | (k >= n_clusters)]
    if bad.size:
        raise ValueError(f"known_labels holds class {int(bad[0])}, but classes are numbered "
                         f"0..{n_clusters - 1} (n_clusters={n_clusters}); -1 marks an unknown label.")
    rows = np.flatnonzero(k >= 0)
    return (rows, k[rows]) if rows.size else None


# Two views are copies when either spans at least this share of the other's
# directions beyond the n_clusters - 1 that any two views of the same classes
# share (:func:`mutual_share`). Distinct views in the shared files share at
# most 0.41 either way (mfeat's profile correlations and Karhunen-Loeve
# coefficients; wordnet10's two sentence models 0.40), the two-view toy data of
# the tests at most 0.07; a view rotated with Gaussian noise of half its scale
# shares 0.59-0.91, a random tanh layer on it 0.78-0.88 (on mfeat's 76-column
# view the layer spans 0.88 of the view, the view only 0.50 of the layer), and
# such a copy cost mfeat 12-14 points of ACC when it was kept (benchmarks
# page). Linear CKA, the measure before (threshold 0.99), reads mostly the
# directions of largest variance, where the classes lie: 0.88-0.99 for
# distinct views of well-separated toy classes, 0.75-0.996 for the copies.
REDUNDANT_SHARE = 0.55
_REDUNDANCY_ROWS = 5000
# At most one direction per this many rows: two unrelated views of few rows
# would otherwise share directions by chance (about directions / rows).
_ROWS_PER_DIRECTION = 10


def leading_basis(Z, n_directions):
    """An orthonormal basis ``(N, r)`` of the centred rows of ``Z`` along its
    ``r <= n_directions`` leading principal directions (those of
    non-negligible variance; ``r = 0`` for a constant view), from
    :func:`~sklearn_hume._ridge.scatter_basis`: directions below 1e-5 of the
    largest singular value, where it loses accuracy, are dropped."""
    _, U = scatter_basis(Z - Z.mean(0), 1e-10)
    return U.flip(1)[:, :n_directions]


def spanned_share(Qa, Qb, n_shared=0):
    """The share of view B's directions that view A spans linearly, from
    their :func:`leading_basis` ``Qa`` and ``Qb``: the mean squared canonical
    correlation of the two, leaving out the ``n_shared`` largest (but never
    B's last direction). 1 when B lies in A's span (a copy, rescaled,
    rotated, or a projection of A), about 0 for unrelated views, and every
    direction counts alike, whatever its variance. Two views of the same
    ``K`` classes share up to ``K - 1`` directions however different they
    are, hence ``n_shared``."""
    if Qb.shape[1] == 0 or Qa.shape[1] == 0:
        return 0.0
    return _share_of(_squared_correlations(Qa, Qb), Qb.shape[1], n_shared)


def mutual_share(Qa, Qb, n_shared=0):
    """The larger of the shares of each view's directions that the other
    spans (:func:`spanned_share` both ways, from one decomposition): 1 when
    either view lies in the other's span, so a copy counts as one whether it
    has fewer directions (a projection) or more (a nonlinear layer on the
    view, whose extra directions the view cannot span)."""
    if Qb.shape[1] == 0 or Qa.shape[1] == 0:
        return 0.0
    rho2 = _squared_correlations(Qa, Qb)
    return max(_share_of(rho2, Qb.shape[1], n_shared), _share_of(rho2, Qa.shape[1], n_shared))


def _squared_correlations(Qa, Qb):
    """The squared canonical correlations of two orthonormal bases, descending;
    the directions of the wider one beyond the other's rank have 0 and are not listed."""
    return torch.linalg.svdvals(Qa.T @ Qb).pow(2)


def _share_of(rho2, n_directions, n_shared):
    """The mean of ``rho2`` over a view's ``n_directions`` after the
    ``n_shared`` largest (never its last direction)."""
    n_shared = min(n_shared, n_directions - 1)
    return float(rho2[n_shared:].sum() / (n_directions - n_shared))


def redundant_views(Zs, n_clusters, threshold=REDUNDANT_SHARE):
    """``group[v]``: the first view that view ``v`` duplicates (itself when
    none): an earlier kept view with which it shares at least ``threshold``
    of either one's directions beyond ``n_clusters - 1``
    (:func:`mutual_share`), measured on the first ``_REDUNDANCY_ROWS`` rows in
    float64 along at most one direction per ``_ROWS_PER_DIRECTION`` rows. Of
    two copies the earlier is kept: a random tanh layer on mfeat's first view,
    kept in its place, gave ACC 0.928 against the two views' 0.948 (seeds
    0-2).

    The fit keeps at least two views: when every view falls in one group,
    none is left out. A view that another spans still asks that the labels
    be learnable in its directions: mfeat's pixels beside their
    Karhunen-Loeve coefficients (a linear projection of them) gave ACC 0.895,
    the pixels alone 0.874 (seeds 0-2)."""
    if len(Zs) < 3:  # two views are always both kept: nothing to measure
        return np.arange(len(Zs))
    n = min(Zs[0].shape[0], _REDUNDANCY_ROWS)
    n_directions = max(1, n // _ROWS_PER_DIRECTION)
    bases = [leading_basis(Z[:n].double(), n_directions) for Z in Zs]
    group = list(range(len(Zs)))
    for v in range(1, len(Zs)):
        for u in range(v):
            if group[u] == u and mutual_share(bases[u], bases[v], n_clusters - 1) >= threshold:
                group[v] = u
                break
    if len(set(group)) < 2:
        return np.arange(len(Zs))
    return np.array(group)


def used_views(Zs, mask):
    """The views with ``mask[v]`` true: what the runs, predict and transform read."""
    return [Z for Z, keep in zip(Zs, mask) if keep]
