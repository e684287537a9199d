"""How views arrive, and how each view is prepared for the linear models.

The rule for views, the same in ``fit``, ``predict``, ``transform`` and
``score``:

- ``X`` alone is one matrix. Without ``view_sizes`` it is **one view**; with
  ``view_sizes`` it is split into column blocks of those widths.
- ``X`` and a second positional array: the second is a view when it is 2-D
  and then the split is at ``X``'s width (``view_sizes``, if given, must say the
  same). In ``fit`` and ``score`` a 1-D second argument is ``y``, which is
  checked for length and ignored, as scikit-learn does for clusterers.
- A list or tuple of 2-D arrays (the mvlearn convention) is one view each.

Nothing is guessed from shapes beyond this, and a contradiction raises.

Each view is then centred and its rows L2-normalised (views of fewer than
``MIN_ROW_NORMALISED`` columns are scaled as a whole instead: normalising the
rows of a one- or two-column view would leave only signs or angles), centred
again and projected on its leading principal axes. Every step is invariant to
the scale of the view, so data from 1e-30 to 1e30 gives the same labels.
"""

import warnings

import numpy as np
import torch

# Below this many columns a view is scaled as a whole, not row by row.
MIN_ROW_NORMALISED = 4


def is_dataframe(a):
    return hasattr(a, "columns") and hasattr(a, "iloc")


def shape_of(a, name):
    shape = getattr(a, "shape", None)
    if shape is None:
        try:
            shape = np.asarray(a).shape
        except ValueError as exc:  # ragged nested lists
            raise ValueError(f"{name} is not a rectangular array: its rows have different lengths.") from exc
    return tuple(shape)


def _is_nested_rows(v):
    """A list (or tuple) of rows, each a sequence: a 2-D view as nested lists."""
    return isinstance(v, (list, tuple)) and len(v) > 0 and (
        isinstance(v[0], (list, tuple)) or getattr(v[0], "ndim", None) == 1)


def _is_view_list(X):
    """A list of views: 2-D arrays, DataFrames or nested lists of rows (whose
    widths may differ from view to view, so they are not one 3-D array)."""
    return isinstance(X, (list, tuple)) and len(X) > 0 and all(
        getattr(v, "ndim", None) == 2 or is_dataframe(v) or _is_nested_rows(v) for v in X)


def collect_views(X, X2=None, *, y_allowed):
    """The views as a list of 2-D array-likes, and ``y`` if one was passed.

    Parameters
    ----------
    X : array-like, or list of 2-D array-likes
    X2 : array-like or None
        A 2-D second view; or, when ``y_allowed``, a 1-D ``y``.
    y_allowed : bool
        ``fit`` and ``score`` take ``y`` in second position; ``predict`` and
        ``transform`` do not.

    Returns
    -------
    views : list
        One entry when ``X`` is a single matrix without a second view.
    explicit : bool
        True when the views were passed separately (their widths fix the split).
    """
    if _is_view_list(X):
        if X2 is not None and len(shape_of(X2, "X2")) == 2:
            raise ValueError("Pass the views either as a list, fit([X1, X2, ...]), or as fit(X1, X2), not both.")
        return list(X), True
    if isinstance(X, (list, tuple)) and X and any(getattr(v, "ndim", 0) >= 2 for v in X):
        raise ValueError(
            "X is a list that mixes 2-D views with other things. Pass the views as a list of 2-D arrays "
            "(fit([X1, X2])), as fit(X1, X2), or as one matrix with view_sizes.")
    shape = shape_of(X, "X")
    if len(shape) != 2:
        hint = (" A list of views must hold 2-D arrays: fit([X1, X2]) or fit(X1, X2)." if len(shape) == 3 else
                " Reshape your data either using array.reshape(-1, 1) if your data has a single feature or "
                "array.reshape(1, -1) if it contains a single sample." if len(shape) == 1 else "")
        raise ValueError(f"Expected a 2-D array X (samples x features), got shape {shape}.{hint}")
    if X2 is None:
        return [X], False
    shape2 = shape_of(X2, "X2" if not y_allowed else "The second argument")
    if len(shape2) == 2:
        if shape2[0] != shape[0]:
            raise ValueError(
                f"The second view has {shape2[0]} rows but X has {shape[0]}; every view must describe the same "
                "samples, one row each.")
        if y_allowed and shape2[1] == 1:
            warnings.warn(
                "The second argument is a one-column 2-D array and is used as a second view. If it holds labels "
                "(y), pass it 1-D: a clusterer ignores y.", UserWarning, stacklevel=5)
        return [X, X2], True
    if y_allowed and len(shape2) == 1:
        if shape2[0] != shape[0]:
            raise ValueError(
                f"y has {shape2[0]} entries but X has {shape[0]} rows. A second view must be 2-D "
                "(samples x features); a 1-D second argument is y, which is ignored.")
        return [X], False
    what = "a second view (2-D) or y (1-D)" if y_allowed else "a second view (2-D)"
    raise ValueError(f"The second argument must be {what}, got an array of shape {shape2}.")


def check_has_columns(i, shape):
    """Raise for view ``i`` (0-based) of ``shape`` when it has no column."""
    if shape[1] == 0:
        raise ValueError(f"View {i + 1} has 0 feature(s) (shape={shape}) while a minimum of 1 is required: "
                         "every view needs at least one column.")


def stack_views(views):
    """One matrix with the views side by side, and their widths.

    DataFrames keep their column names when they are all strings and unique
    across the views; otherwise the values are stacked (names that repeat
    across views, such as pandas' default 0, 1, ..., cannot identify a column).
    """
    shapes = [shape_of(v, f"View {i + 1}") for i, v in enumerate(views)]
    for i, shape in enumerate(shapes):
        if len(shape) != 2:
            raise ValueError(f"View {i + 1} must be 2-D, got shape {shape}.")
    widths = [shape[1] for shape in shapes]
    for i, shape in enumerate(shapes):
        check_has_columns(i, shape)
    if len(views) == 1:
        return views[0], widths
    if len({shape[0] for shape in shapes}) != 1:
        raise ValueError(f"The views have different numbers of rows {[shape[0] for shape in shapes]}; "
                         "every view must describe the same samples, one row each.")
    if all(is_dataframe(v) for v in views):
        names = [c for v in views for c in v.columns]
        if all(isinstance(c, str) for c in names) and len(set(names)) == len(names):
            import pandas as pd

            return pd.concat([v.reset_index(drop=True) for v in views], axis=1), widths
    import scipy.sparse as sp

    if any(sp.issparse(v) for v in views):
        raise TypeError("Sparse views are not supported: pass dense arrays (HUME projects each view on its "
                        "principal axes, which densifies it anyway).")
    arrays = [v.to_numpy() if is_dataframe(v) else np.asarray(v) for v in views]
    for i, a in enumerate(arrays):
        if np.iscomplexobj(a):
            raise ValueError(f"View {i + 1} is complex; HUME needs real-valued features.")
    if any(a.dtype.kind in "OUS" for a in arrays):
        arrays = [a.astype(object) for a in arrays]
    return np.hstack(arrays), widths


def is_count(v, minimum=0):
    """An integer (not a bool) of at least ``minimum``."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) and v >= minimum


def resolve_view_sizes(view_sizes, n_features, explicit_widths):
    """Column widths of the views, checked against the data."""
    if view_sizes is not None:
        sizes = np.asarray(view_sizes, dtype=object)
        ok = sizes.ndim == 1 and sizes.size > 0 and all(is_count(s, 1) for s in sizes)
        if not ok:
            raise ValueError(f"view_sizes must be a non-empty list of positive integers, got {view_sizes!r}.")
        sizes = sizes.astype(np.int64)
        if sizes.sum() != n_features:
            raise ValueError(
                f"view_sizes={sizes.tolist()} adds up to {sizes.sum()} columns but X has {n_features} features.")
        if explicit_widths is not None and sizes.tolist() != list(explicit_widths):
            raise ValueError(
                f"view_sizes={sizes.tolist()} contradicts the views passed, of {list(explicit_widths)} columns. "
                "Give the views separately or view_sizes with one matrix, or make them agree.")
        return sizes
    if explicit_widths is not None:
        return np.asarray(explicit_widths, dtype=np.int64)
    return np.array([n_features], dtype=np.int64)


def check_view_count(widths, explicit, fitted_sizes, name):
    """Raise when new rows come in fewer or more views than the model was
    fitted on, naming both; a wrong total width keeps scikit-learn's wording
    ("X has n features, but ... is expecting m features")."""
    fitted = [int(s) for s in fitted_sizes]
    if len(fitted) == 1 and not explicit:
        return  # one matrix for one view: validate_data words it
    got = sum(widths)
    if (explicit and len(widths) == len(fitted)) or (not explicit and got == sum(fitted)):
        return
    passed = (f"{len(widths)} view(s) of {list(widths)} columns" if explicit
              else f"one matrix of {got} columns")
    raise ValueError(
        f"X has {got} features, but {name} is expecting {sum(fitted)} features as input: it was fitted on "
        f"{len(fitted)} view(s) of {fitted} columns and got {passed}. Pass every view, in the order of fit: "
        f"(X1, X2), [X1, X2, ...] or one matrix of {sum(fitted)} columns.")


def split_columns(X, sizes):
    return np.split(X, np.cumsum(sizes)[:-1], axis=1)


# --------------------------------------------------------------------------- preprocessing (torch)
def normalise_rows(Xc, row_normalise, view_scale=None):
    """Rows scaled to unit norm in place, without overflow or underflow at any
    scale (rows are first divided by their largest entry). Views too narrow to
    normalise row by row are divided by one scale for the whole view."""
    if row_normalise:
        Xc /= abs_max(Xc, dim=1).clamp_min(torch.finfo(Xc.dtype).tiny)
        Xc /= Xc.norm(dim=1, keepdim=True).clamp_min(torch.finfo(Xc.dtype).tiny)
    else:
        Xc /= view_scale
    return Xc


# Rows per block of the reductions below: each block's temporary is this size.
_BLOCK_ROWS = 16_384


def abs_max(A, dim=None):
    """``A.abs().max()``, or ``A.abs().amax(dim, keepdim=True)``: the same
    values without the copy of ``A`` that ``abs`` makes (3 GiB for a million
    rows of 768 float32 columns). The overall maximum is read block by block
    of rows: on a view that is a column block of the input, ``max`` would
    first copy it whole into contiguous memory."""
    if dim is None:
        return torch.stack([torch.maximum(b.max(), -b.min()) for b in A.split(_BLOCK_ROWS)]).max()
    return torch.maximum(A.amax(dim, keepdim=True), -A.amin(dim, keepdim=True))


def row_squared_norms(A):
    """``(A * A).sum(1)``, the same values (each row is summed alone),
    squared block by block instead of in one copy of ``A``."""
    return torch.cat([(b * b).sum(1) for b in A.split(_BLOCK_ROWS)]) if A.shape[0] else A.new_zeros(0)


def column_means64(X):
    """``X.mean(0, dtype=torch.float64)``: the same values up to
    :data:`_BLOCK_ROWS` rows; beyond, summed block by block, without the
    float64 copy of ``X`` that ``mean`` makes (6 GiB for a million rows of
    768 float32 columns)."""
    if X.shape[0] <= _BLOCK_ROWS:
        return X.mean(0, dtype=torch.float64)
    return sum(b.sum(0, dtype=torch.float64) for b in X.split(_BLOCK_ROWS)) / X.shape[0]


def _whole_view_scale(Xc):
    """Root mean squared row norm, computed without overflow."""
    m = abs_max(Xc).clamp_min(torch.finfo(Xc.dtype).tiny)
    return m * ((Xc / m) ** 2).sum(1).mean().sqrt().clamp_min(torch.finfo(Xc.dtype).tiny)


def _fix_signs(comps):
    """Each axis signed so that its largest entry is positive: a deterministic embedding."""
    r = comps.shape[1]
    signs = torch.sign(comps[comps.abs().argmax(0), torch.arange(r, device=comps.device)])
    return comps * torch.where(signs == 0, torch.ones_like(signs), signs)


def principal_axes(scatter, n_components):
    """The leading ``n_components`` (all when None) eigenvectors of a scatter
    matrix ``(d, d)``, as columns, largest eigenvalue first."""
    evals, evecs = torch.linalg.eigh(scatter)
    evecs = evecs.flip(1)
    return _fix_signs(evecs[:, :min(n_components or evecs.shape[1], evecs.shape[1])])


def fit_view_embedding(X, n_components, residual=False):
    """Fit one view's preprocessing on a tensor ``X`` (``(N, d)``).

    Returns ``(params, Z)``: ``params`` a dict of tensors (``centre``, ``scale``,
    ``mean``, ``components``) for :func:`embed_view`, and ``Z`` the embedded
    rows ``(N, r)`` in ``X``'s dtype; ``residual=True`` adds the rows'
    squared distances from the embedding's subspace (as
    :func:`embed_view` gives them). The PCA is not whitened: whitening
    discards the variance structure that separates classes. A view with no
    variation (constant up to rounding) embeds to zeros, with ``constant``
    set, so it carries no signal instead of amplified rounding noise.
    """
    n, d = X.shape
    centre = column_means64(X)
    Xc = X - centre.to(X.dtype)
    span = abs_max(X)
    constant = bool(abs_max(Xc) <= 16 * torch.finfo(X.dtype).eps * span)
    row_normalise = d >= MIN_ROW_NORMALISED
    scale = torch.ones((), dtype=X.dtype, device=X.device)
    if constant:
        Xc.zero_()
    else:
        if not row_normalise:
            scale = _whole_view_scale(Xc)
        normalise_rows(Xc, row_normalise, scale)
    mean = Xc.mean(0)
    Xc -= mean
    if d <= n:
        comps = principal_axes(Xc.T @ Xc, n_components)
    else:  # fewer samples than features: eigen-decompose the Gram matrix
        evals, u = torch.linalg.eigh(Xc @ Xc.T)
        evals, u = evals.flip(0), u.flip(1)
        keep = evals > evals[0].clamp_min(torch.finfo(X.dtype).tiny) * 1e-10
        keep[0] = True  # at least one axis, even for a constant view
        evals, u = evals[keep], u[:, keep]
        evecs = (Xc.T @ u) / evals.clamp_min(torch.finfo(X.dtype).tiny).sqrt()
        comps = _fix_signs(evecs[:, :min(n_components or d, evecs.shape[1])])
    params = dict(centre=centre, scale=scale, mean=mean, components=comps,
                  row_normalise=row_normalise, constant=constant)
    Z = Xc @ comps
    return (params, Z, _outside_axes(Xc, Z)) if residual else (params, Z)


def params_as_numpy(params):
    """A view's preprocessing parameters with tensors as NumPy arrays (fitted state)."""
    return {k: v.cpu().numpy() if torch.is_tensor(v) else v for k, v in params.items()}


def params_as_tensors(params, device=None):
    """Fitted preprocessing parameters (NumPy) as tensors for :func:`embed_view`."""
    return {k: torch.as_tensor(v, device=device) if isinstance(v, np.ndarray) else v for k, v in params.items()}


def core_input(Z):
    """Embedded rows for the float32 core. Row-normalised views are bounded by
    one; the clamp only guards narrow views against rows far outside the
    training range."""
    return Z.clamp(-1e30, 1e30).to(torch.float32)


def embed_view(X, params, residual=False):
    """Apply a fitted view embedding to new rows (tensors in ``X``'s dtype).

    ``residual=True`` also returns each row's squared distance from the
    embedding's subspace, ``(N,)``: what the principal axes leave out of the
    preprocessed row (0 when they span the view). A row of a class the fit
    never saw can lie far outside the axes fitted without it while its
    embedding sits among the training rows' (:mod:`._novelty`)."""
    if params["constant"]:
        Z = X.new_zeros(X.shape[0], params["components"].shape[1])
        return (Z, X.new_zeros(X.shape[0])) if residual else Z
    Xc = X - params["centre"].to(X.dtype)
    normalise_rows(Xc, params["row_normalise"], params["scale"].to(X.dtype))
    Xc -= params["mean"].to(X.dtype)
    Z = Xc @ params["components"].to(X.dtype)
    return (Z, _outside_axes(Xc, Z)) if residual else Z


def _outside_axes(Xc, Z):
    """Squared distances of preprocessed rows ``Xc`` from the principal axes,
    from their embedding ``Z`` on those (orthonormal) axes."""
    return (row_squared_norms(Xc) - row_squared_norms(Z)).clamp_min(0)


def explain_invalid(exc, X, widths):
    """A clearer error for ``validate_data``'s ``exc`` on ``X`` (the views side
    by side, of ``widths`` columns), naming the view, row and column; ``None``
    when there is nothing to add."""
    message = str(exc)
    if is_dataframe(X) and "could not convert" in message:
        for name in X.columns:
            if X[name].dtype.kind not in "biufc":
                try:
                    np.asarray(X[name], dtype=np.float64)
                except (TypeError, ValueError):
                    return ValueError(f"Column {name!r} is not numeric ({message}): HUME takes numeric features; "
                                      "encode or drop it first.")
        return None
    if "NaN" not in message and "infinity" not in message:
        return None
    try:
        A = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    bad = ~np.isfinite(A)
    if A.ndim != 2 or not bad.any():
        return None
    row, col = (int(i[0]) for i in np.nonzero(bad))
    edges = np.cumsum(widths)
    view = int(np.searchsorted(edges, col, side="right"))
    within = col - (edges[view - 1] if view else 0)
    what = "NaN" if np.isnan(A[row, col]) else "an infinite value"
    where = f"view {view + 1}, " if len(widths) > 1 else ""
    return ValueError(f"Input contains NaN or infinity: {int(bad.sum())} value(s); the first is {what} at row {row}, "
                      f"{where}column {within}. HUME needs finite features: impute or drop those rows first.")
