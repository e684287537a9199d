"""Fitting on data larger than memory: a dask array or a NumPy memmap.

Only blocks of rows are ever loaded. The work has three parts:

1. **Statistics, chunk-wise.** Two passes over the row blocks give each
   view's preprocessing (see :mod:`._views`) exactly as on in-memory data:
   the first sums the rows and finds each column's range (centre, constant
   views, a scale); the second sums the preprocessed rows and their scatter
   ``Y^T Y``, from which the principal axes follow. On dask, every block's
   sums are computed where the block lives and added in a tree, so only
   ``d x d`` matrices travel.
2. **The optimisation** draws its mini-batches from a uniform random sample
   of at most ``MAX_FIT_ROWS`` rows, taken from every block and embedded where
   it lives (all rows, in order, when there are fewer). With the default
   batches of 6,144 rows and 150 iterations, an in-memory fit also visits
   each sampled row several times.
3. **Every row is labelled** block by block by the fitted model: lazily
   (``map_blocks``) for dask, block by block into NumPy for a memmap.

Chunks along the feature axis are merged (``rechunk``), because a block must
hold whole views.
"""

import numpy as np
import torch

from ._dask import holds_dask, is_dask_array, side_by_side
from ._views import (
    MIN_ROW_NORMALISED,
    check_has_columns,
    core_input,
    embed_view,
    normalise_rows,
    params_as_tensors,
    principal_axes,
    split_columns,
)

# The optimisation's rows are a uniform sample of at most this many rows.
MAX_FIT_ROWS = 200_000
# Rows per block when a memmap is read block by block (about 64 MB of float32 at 1,000 columns).
MEMMAP_BLOCK_ROWS = 16_384


def is_out_of_core(X, y):
    """A dask array or memmap (or a list of them), or a second view that is one."""
    def big(a):
        return is_dask_array(a) or isinstance(a, np.memmap)

    if isinstance(X, (list, tuple)):
        return bool(X) and any(big(v) for v in X)
    return big(X) or (y is not None and big(y) and getattr(y, "ndim", 0) == 2)


def _float_dtype(dtype):
    return np.dtype(dtype) if np.dtype(dtype) in (np.float32, np.float64) else np.dtype(np.float64)


class RowBlocks:
    """The views side by side, read block by block.

    ``M`` is a dask array (rows chunked, all columns in each block) or a
    NumPy array / memmap read in blocks of ``MEMMAP_BLOCK_ROWS`` rows.
    """

    def __init__(self, M, widths):
        self.M = M
        self.widths = list(widths)
        self.dask = is_dask_array(M)
        self.n_rows, self.n_cols = int(M.shape[0]), int(M.shape[1])
        self.dtype = _float_dtype(M.dtype)

    @classmethod
    def from_input(cls, X, y):
        """The views of ``fit(X, y)`` as one row-blocked matrix and their widths."""
        if isinstance(X, (list, tuple)):
            views = list(X)
        elif y is not None and getattr(y, "ndim", 0) == 2:
            views = [X, y]
        else:
            views = [X]
        for i, v in enumerate(views):
            if not (is_dask_array(v) or isinstance(v, np.ndarray)):
                raise TypeError(f"View {i + 1} is a {type(v).__name__}: out-of-core input must be dask arrays or "
                                "NumPy arrays/memmaps (a dask DataFrame converts with .to_dask_array(lengths=True)).")
            if v.ndim != 2:
                raise ValueError(f"View {i + 1} must be 2-D, got shape {tuple(v.shape)}.")
            if np.dtype(v.dtype).kind not in "fiub":
                raise ValueError(f"View {i + 1} has dtype {v.dtype}; HUME needs real-valued features.")
            if any(np.isnan(s) for s in v.shape):
                raise ValueError(f"View {i + 1} has unknown chunk sizes; call .compute_chunk_sizes() first.")
            check_has_columns(i, tuple(int(s) for s in v.shape))
        if len({int(v.shape[0]) for v in views}) != 1:
            raise ValueError(f"The views have different numbers of rows {[int(v.shape[0]) for v in views]}; "
                             "every view must describe the same samples, one row each.")
        if y is not None and getattr(y, "ndim", 0) == 1 and int(y.shape[0]) != int(views[0].shape[0]):
            raise ValueError(f"y has {int(y.shape[0])} entries but X has {int(views[0].shape[0])} rows.")
        widths = [int(v.shape[1]) for v in views]
        if holds_dask(views) or any(is_dask_array(v) for v in views):
            import dask.array as da

            views = [v if is_dask_array(v) else da.from_array(v, chunks=(MEMMAP_BLOCK_ROWS, -1)) for v in views]
            return cls(side_by_side(views), widths)
        return cls(views[0] if len(views) == 1 else _SideBySide(views), widths)

    # -------------------------------------------------------------- primitives
    def map_reduce(self, fn, *args):
        """``fn(block, *args)`` (a dict of arrays) summed over the blocks; keys
        starting with ``min``/``max`` are combined by minimum/maximum."""
        if not self.dask:
            out = None
            for start in range(0, self.n_rows, MEMMAP_BLOCK_ROWS):
                part = fn(self._rows(slice(start, start + MEMMAP_BLOCK_ROWS)), *args)
                out = part if out is None else _combine(out, part)
            return out
        import dask

        shared = dask.delayed(args, traverse=False)
        parts = [dask.delayed(_apply)(fn, b, shared) for b in self.M.to_delayed().ravel()]
        while len(parts) > 1:  # a tree, so no worker adds up every block's sums
            parts = [dask.delayed(_combine)(*parts[i:i + 2]) if i + 1 < len(parts) else parts[i]
                     for i in range(0, len(parts), 2)]
        return dask.compute(parts[0])[0]

    def take(self, rows, fn, *args):
        """``fn`` applied to the given rows (sorted indices), NumPy out."""
        if self.dask:
            import dask

            shared = dask.delayed(args, traverse=False)
            sub = self.M[rows]
            parts = [dask.delayed(_apply)(fn, b, shared) for b in sub.to_delayed().ravel()]
            return np.concatenate(dask.compute(*parts))
        return np.concatenate([fn(self._rows(rows[i:i + MEMMAP_BLOCK_ROWS]), *args)
                               for i in range(0, len(rows), MEMMAP_BLOCK_ROWS)])

    def map_rows(self, fn, n_out, dtype):
        """``fn`` over every block of rows: a lazy dask array for dask input,
        NumPy otherwise (``n_out`` columns, 1-D when None)."""
        if self.dask:
            from ._dask import map_rows

            return map_rows(fn, self.M, n_out, dtype)
        return np.concatenate([fn(self._rows(slice(s, s + MEMMAP_BLOCK_ROWS)))
                               for s in range(0, self.n_rows, MEMMAP_BLOCK_ROWS)])

    def _rows(self, index):
        return np.asarray(self.M[index])


class _SideBySide:
    """Several in-memory or memmapped views read as one matrix, block by block."""

    def __init__(self, views):
        self.views = views
        self.shape = (views[0].shape[0], sum(v.shape[1] for v in views))
        self.dtype = np.result_type(*[v.dtype for v in views])

    def __getitem__(self, rows):
        return np.hstack([np.asarray(v[rows]) for v in self.views])


def _apply(fn, block, args):
    return fn(np.asarray(block), *args)


def _combine(a, b):
    out = {}
    for key in a:
        op = np.minimum if key.startswith("min") else np.maximum if key.startswith("max") else np.add
        out[key] = op(a[key], b[key])
    return out


# --------------------------------------------------------------------------- block functions (run on workers)
def _as_float(block, dtype):
    return torch.from_numpy(np.ascontiguousarray(block, dtype=dtype))


def first_moments(block, widths, dtype):
    """Row count, column sums and ranges, and the number of non-finite entries of each view."""
    out = {}
    for i, v in enumerate(split_columns(np.asarray(block, dtype=dtype), widths)):
        out[f"n{i}"] = np.array(v.shape[0])
        out[f"bad{i}"] = np.array(np.count_nonzero(~np.isfinite(v)))
        out[f"sum{i}"] = v.sum(0, dtype=np.float64)
        out[f"min{i}"] = v.min(0) if len(v) else np.full(v.shape[1], np.inf, dtype)
        out[f"max{i}"] = v.max(0) if len(v) else np.full(v.shape[1], -np.inf, dtype)
    return out


def second_moments(block, widths, dtype, prepared):
    """Sums and scatter of each view's preprocessed rows. ``prepared`` holds
    per view the centre, the span that divides rows first (so nothing
    overflows at any scale) and whether rows are normalised."""
    out = {}
    for i, (v, (centre, span, row_normalise)) in enumerate(zip(split_columns(block, widths), prepared)):
        Y = _as_float(v, dtype) - torch.as_tensor(centre).to(dtype=getattr(torch, dtype.name))
        Y /= float(span)
        normalise_rows(Y, row_normalise, torch.ones(()))
        out[f"ysum{i}"] = Y.sum(0, dtype=torch.float64).numpy()
        out[f"scatter{i}"] = (Y.T @ Y).double().numpy()
    return out


def embed_block(block, widths, dtype, view_params):
    """Embedded rows of every view side by side, then one column per view
    with the rows' squared distances from its embedding's subspace, float32;
    ``view_params`` as fitted (NumPy)."""
    parts = [embed_view(_as_float(v, dtype), params_as_tensors(p), residual=True)
             for v, p in zip(split_columns(block, widths), view_params)]
    return torch.cat([core_input(Z) for Z, _ in parts] + [core_input(r[:, None]) for _, r in parts], 1).numpy()


# --------------------------------------------------------------------------- the parts of an out-of-core fit
def view_statistics(data, n_components):
    """Each view's preprocessing parameters (as :func:`._views.fit_view_embedding`
    gives them, as NumPy fitted state), from two passes over the blocks."""
    dtype = data.dtype
    first = data.map_reduce(first_moments, data.widths, dtype)
    prepared, statics = [], []
    for i, d in enumerate(data.widths):
        bad = int(first[f"bad{i}"])
        if bad:
            raise ValueError(f"Input contains NaN or infinity: view {i + 1} has {bad} non-finite entries.")
        n = int(first[f"n{i}"])
        centre = first[f"sum{i}"] / n
        lo, hi = first[f"min{i}"].astype(np.float64), first[f"max{i}"].astype(np.float64)
        span = max(np.abs(lo).max(), np.abs(hi).max())
        spread = np.maximum(hi - centre, centre - lo).max()
        constant = bool(spread <= 16 * np.finfo(dtype).eps * span)
        row_normalise = d >= MIN_ROW_NORMALISED
        prepared.append((centre, span if span > 0 else 1.0, row_normalise))
        statics.append((n, centre, constant, row_normalise))
    second = data.map_reduce(second_moments, data.widths, dtype, prepared)
    params = []
    for i, (n, centre, constant, row_normalise) in enumerate(statics):
        d = data.widths[i]
        ysum, scatter = second[f"ysum{i}"], second[f"scatter{i}"]
        span = prepared[i][1]
        scale = 1.0
        if constant:
            mean, scatter = np.zeros(d), np.eye(d)
        else:
            if not row_normalise:  # one scale for the whole view: the root mean squared row norm
                scale = np.sqrt(np.trace(scatter) / n)
                ysum, scatter = ysum / scale, scatter / scale ** 2
            mean = ysum / n
            scatter = scatter - n * np.outer(mean, mean)
        comps = principal_axes(torch.as_tensor(scatter, dtype=torch.float64), n_components)
        params.append(dict(
            centre=centre.astype(np.float64),
            scale=np.asarray(span * scale if not row_normalise else 1.0, dtype=dtype),
            mean=mean.astype(dtype), components=comps.numpy().astype(dtype),
            row_normalise=row_normalise, constant=constant))
    return params


def fit_rows(n_rows, seed, max_rows=None):
    """The rows the optimisation samples its batches from: all of them in
    order when they are at most ``max_rows`` (default :data:`MAX_FIT_ROWS`),
    else a uniform sample (sorted)."""
    max_rows = MAX_FIT_ROWS if max_rows is None else max_rows
    if n_rows <= max_rows:
        return np.arange(n_rows)
    gen = torch.Generator().manual_seed(seed)
    return np.sort(torch.randperm(n_rows, generator=gen)[:max_rows].numpy())


def embed_rows(data, rows, view_params):
    """The embedded views (float32 tensors) of the given rows and each view's
    squared distances from its embedding's subspace (``(n_rows,)`` each);
    ``view_params`` as fitted (NumPy, small enough to ship to every block)."""
    Z = data.take(rows, embed_block, data.widths, data.dtype, view_params)
    dims = np.cumsum([p["components"].shape[1] for p in view_params])
    parts = [torch.from_numpy(np.ascontiguousarray(z)) for z in np.split(Z, dims, axis=1)]
    return parts[:-1], list(parts[-1].T.contiguous())

