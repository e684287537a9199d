"""One HTML file per fit: the per-cluster summary, a 2-D map of the rows
coloured by cluster, and each cluster's representatives (thumbnails for
images, snippets for texts, indices otherwise). Everything is inline (SVG,
base64 PNG, one style sheet): the file opens offline, with no server, no
script and no CDN."""

import base64
import html
import struct
import zlib
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_is_fitted

# Points drawn on the map (a random sample beyond this: a 10,000-point SVG is slow to open).
MAP_POINTS = 4000
SNIPPET_CHARS = 160
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
           "#dbdb8d", "#9edae5"]
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".bmp": "image/bmp", ".svg": "image/svg+xml"}

STYLE = """
body { font-family: sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f3f3f3; }
section.cluster { border-top: 3px solid #888; margin-top: 1.2em; padding-top: 0.3em; }
.swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: middle; }
.rows { display: flex; flex-wrap: wrap; gap: 0.4em; margin: 0.3em 0 0.8em; }
.rows figure { margin: 0; text-align: center; font-size: 0.75em; color: #555; }
.rows img { width: 56px; height: 56px; image-rendering: pixelated; border: 1px solid #ccc; }
.rows blockquote { margin: 0; padding: 0.3em 0.5em; background: #f7f7f7; border-left: 3px solid #bbb;
  font-size: 0.85em; max-width: 30em; }
.rows span.index { font-family: monospace; background: #f3f3f3; padding: 0.1em 0.4em; }
"""


def png_bytes(image):
    """A PNG file of ``image``: ``(h, w)`` grey or ``(h, w, 3)`` colour, any
    real values (scaled to 0-255 by their range)."""
    a = np.asarray(image, dtype=np.float64)
    lo, hi = np.nanmin(a), np.nanmax(a)
    a = np.zeros_like(a) if hi <= lo else (a - lo) / (hi - lo)
    a = np.nan_to_num(a * 255).round().astype(np.uint8)
    colour = a.ndim == 3
    h, w = a.shape[:2]
    raw = b"".join(b"\x00" + a[r].tobytes() for r in range(h))  # filter type 0 on every row

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", w, h, 8, 2 if colour else 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def _data_uri(mime, data):
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def check_images(images, n_rows, image_shape):
    """``images`` as something indexable by row: an array of ``(n, h, w)``,
    ``(n, h, w, 3)`` or ``(n, h * w)`` (with ``image_shape``), or a list of
    file paths."""
    if images is None:
        return None
    if isinstance(images, (list, tuple)) and all(isinstance(p, (str, Path)) for p in images):
        if len(images) != n_rows:
            raise ValueError(f"images has {len(images)} paths for {n_rows} rows.")
        return [Path(p) for p in images]
    a = np.asarray(images)
    if a.shape[0] != n_rows:
        raise ValueError(f"images has {a.shape[0]} rows for {n_rows} rows of data.")
    if a.ndim == 2:
        if image_shape is None:
            side = int(round(np.sqrt(a.shape[1])))
            if side * side != a.shape[1]:
                raise ValueError(f"images of {a.shape[1]} values per row are not square: give image_shape=(h, w).")
            image_shape = (side, side)
        a = a.reshape((n_rows, *image_shape))
    if a.ndim not in (3, 4) or (a.ndim == 4 and a.shape[-1] != 3):
        raise ValueError(f"images must be (n, h, w), (n, h, w, 3), (n, h * w) or file paths; got shape {a.shape}.")
    return a


def _image_tag(images, i):
    if isinstance(images, list):
        path = images[i]
        mime = IMAGE_TYPES.get(path.suffix.lower())
        if mime is None or not path.is_file():
            return f'<span class="index">{i}</span>'
        return f'<img src="{_data_uri(mime, path.read_bytes())}" alt="row {i}">'
    return f'<img src="{_data_uri("image/png", png_bytes(images[i]))}" alt="row {i}">'


def _row_html(i, images, texts):
    if images is not None:
        return f"<figure>{_image_tag(images, i)}<figcaption>{i}</figcaption></figure>"
    if texts is not None:
        text = str(texts[i])
        short = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS - 1] + "\u2026"
        return f"<blockquote><b>{i}</b>: {html.escape(short)}</blockquote>"
    return f'<span class="index">{i}</span>'


def map_coordinates(Zs, seed):
    """2-D coordinates of the rows: the first two principal axes of the
    embedded views side by side."""
    F = np.hstack([Z.cpu().numpy() for Z in Zs]).astype(np.float64)
    if F.shape[1] < 2 or F.shape[0] < 3:
        return np.column_stack([F[:, 0] if F.shape[1] else np.zeros(len(F)), np.zeros(len(F))])
    return PCA(2, random_state=seed).fit_transform(F)


def map_svg(xy, labels, seed, size=560):
    """The map as an inline SVG: one dot per row (a sample of ``MAP_POINTS``)."""
    rng = np.random.default_rng(seed)
    rows = np.arange(len(labels)) if len(labels) <= MAP_POINTS else np.sort(rng.choice(len(labels), MAP_POINTS,
                                                                                         replace=False))
    lo, hi = xy.min(0), xy.max(0)
    span = np.where(hi > lo, hi - lo, 1.0)
    pts = 10 + (xy[rows] - lo) / span * (size - 20)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{size - y:.1f}" r="2.2" fill="{PALETTE[labels[r] % len(PALETTE)]}"/>'
                   for (x, y), r in zip(pts, rows))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
            f'role="img" aria-label="map of the rows"><rect width="100%" height="100%" fill="#fff" '
            f'stroke="#ccc"/>{dots}</svg>')


def _summary_table(summary):
    keys = list(summary)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = []
    for r in range(len(summary["cluster"])):
        cells = []
        for k in keys:
            v = summary[k][r]
            if k == "cluster":
                cells.append(f'<td><span class="swatch" style="background:{PALETTE[int(v) % len(PALETTE)]}"></span>'
                             f'<a href="#cluster-{int(v)}">{int(v)}</a></td>')
            elif k == "size":
                cells.append(f"<td>{int(v)}</td>")
            else:
                cells.append(f"<td>{'–' if np.isnan(v) else f'{float(v):.3f}'}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def build_report(est, X, X2=None, *, images=None, texts=None, image_shape=None, n=6, title="HumeClustering report"):
    """The HTML of :func:`report` (a string)."""
    check_is_fitted(est)
    labels = np.asarray(est.labels_)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    Zs = est._embed_new(X, X2)
    if Zs[0].shape[0] != len(labels):
        raise ValueError(f"The report describes the fit: pass the {len(labels)} training rows it was fitted on, "
                         f"not {Zs[0].shape[0]}.")
    images = check_images(images, len(labels), image_shape)
    if texts is not None and len(texts) != len(labels):
        raise ValueError(f"texts has {len(texts)} entries for {len(labels)} rows.")
    summary = est.cluster_summary()
    reps = est.representatives(n)
    seed = 0 if est.random_state is None or not isinstance(est.random_state, (int, np.integer)) else est.random_state
    svg = map_svg(map_coordinates(Zs, int(seed)), labels, int(seed))
    sections = []
    for k in range(len(summary["cluster"])):
        colour = PALETTE[k % len(PALETTE)]
        conf = summary["mean_confidence"][k]
        facts = (f"{int(summary['size'][k])} rows ({summary['share'][k]:.1%}), mean confidence "
                 f"{'–' if np.isnan(conf) else f'{conf:.3f}'}, stability {summary['stability'][k]:.3f}")
        parts = [f'<section class="cluster" id="cluster-{k}" style="border-color:{colour}">',
                 f'<h2><span class="swatch" style="background:{colour}"></span>Cluster {k}</h2><p>{facts}</p>']
        for kind, what in (("central", "Most central (most confident)"), ("doubtful", "Most doubtful")):
            rows = reps[kind][k]
            inner = "".join(_row_html(int(i), images, texts) for i in rows) or "<em>no rows</em>"
            parts.append(f'<h3>{what}</h3><div class="rows">{inner}</div>')
        parts.append("</section>")
        sections.append("".join(parts))
    shown = "thumbnails" if images is not None else "snippets" if texts is not None else "row indices"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>{len(labels)} rows, {len(summary['cluster'])} clusters, {len(Zs)} view(s) used. Representatives "
            f"are shown as {shown}; row numbers index the training rows.</p>"
            f"<h2>Clusters</h2>{_summary_table(summary)}"
            f"<h2>Map</h2><p>The rows on the first two principal axes of the embedded views, coloured by "
            f"cluster{' (a random sample of ' + str(MAP_POINTS) + ')' if len(labels) > MAP_POINTS else ''}.</p>"
            f"{svg}{''.join(sections)}</body></html>")


def report(est, X, X2=None, *, path, images=None, texts=None, image_shape=None, n=6, title="HumeClustering report"):
    """Write one self-contained HTML file about a fit.

    It shows :meth:`HumeClustering.cluster_summary` as a table, a 2-D map of
    the training rows coloured by cluster (the first two principal axes of
    the embedded views), and for each cluster its ``n`` most central and
    most doubtful rows (:meth:`HumeClustering.representatives`): as
    thumbnails when ``images`` are given, as snippets with ``texts``, as row
    indices otherwise. The file holds everything inline and opens offline.

    Parameters
    ----------
    est : HumeClustering
        A fitted estimator.
    X, X2 : array-like
        The training rows, as passed to ``fit``.
    path : str or path-like
        Where to write the HTML file.
    images : array-like or list of paths, default=None
        Per training row an image: ``(n, h, w)``, ``(n, h, w, 3)``,
        ``(n, h * w)`` (square, or with ``image_shape``), or image file paths
        (embedded in the file).
    texts : sequence of str, default=None
        Per training row a text (shown when there are no images).
    image_shape : tuple of int, default=None
        ``(h, w)`` of flattened images that are not square.
    n : int, default=6
        Representatives of each kind per cluster.
    title : str, default="HumeClustering report"

    Returns
    -------
    path : pathlib.Path

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from sklearn_hume import HumeClustering, report
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1], 30)
    >>> X1 = np.array([[-4.0, 0, 0], [4.0, 0, 0]])[y] + rng.normal(size=(60, 3))
    >>> X2 = np.array([[0, 4.0, 0, 0], [0, -4.0, 0, 0]])[y] + rng.normal(size=(60, 4))
    >>> est = HumeClustering(n_clusters=2, n_runs=2, random_state=0).fit(X1, X2)
    >>> out = report(est, X1, X2, path=pathlib.Path(tempfile.mkdtemp()) / "r.html", n=3)
    >>> page = out.read_text()
    >>> 'id="cluster-0"' in page and 'id="cluster-1"' in page and "<script" not in page
    True
    """
    page = build_report(est, X, X2, images=images, texts=texts, image_shape=image_shape, n=n, title=title)
    path = Path(path)
    path.write_text(page, encoding="utf-8")
    return path
