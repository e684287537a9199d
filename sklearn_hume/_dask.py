"""Prediction on dask arrays: the fitted model is small NumPy state, so each
block of rows is labelled where it lives (``map_blocks``) and the answer stays
a lazy dask array. Fitting on a dask array is in :mod:`._outofcore`.
"""

import numpy as np


def is_dask_array(X):
    """True for a ``dask.array.Array``, without importing dask otherwise."""
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "map_blocks")


def holds_dask(X):
    """A dask array, or a list of them (one per view)."""
    if isinstance(X, (list, tuple)):
        return bool(X) and all(is_dask_array(v) for v in X)
    return is_dask_array(X)


def as_one_dask_matrix(X, X2, view_sizes):
    """The views of ``predict(X, X2)`` side by side as one dask array (see
    :func:`side_by_side`), checked against the fitted widths."""
    views = list(X) if isinstance(X, (list, tuple)) else [X] if X2 is None else [X, X2]
    if any(v.ndim != 2 for v in views):
        raise ValueError(f"Dask views must be 2-D, got shapes {[tuple(v.shape) for v in views]}.")
    if len(views) > 1:
        widths = [v.shape[1] for v in views]
        if widths != list(view_sizes):
            raise ValueError(f"The views passed have {widths} columns but the model was fitted on views of "
                             f"{list(view_sizes)} columns: are they in the wrong order?")
    return side_by_side(views)


def side_by_side(views):
    """Dask views as one matrix: rows chunked like the first view, all
    columns in each block (a block must hold whole views)."""
    import dask.array as da

    views = [v.rechunk({0: views[0].chunks[0]}) for v in views]
    M = da.concatenate(views, axis=1) if len(views) > 1 else views[0]
    return M.rechunk({1: -1}) if M.numblocks[1] > 1 else M


def map_rows(method, M, n_out, dtype):
    """``method`` (NumPy rows in, NumPy out) over the row blocks of ``M``:
    1-D output when ``n_out`` is None, else ``n_out`` columns."""
    if n_out is None:
        return M.map_blocks(method, drop_axis=1, dtype=dtype, meta=np.empty((0,), dtype=dtype))
    return M.map_blocks(method, chunks=(M.chunks[0], (n_out,)), dtype=dtype, meta=np.empty((0, 0), dtype=dtype))
