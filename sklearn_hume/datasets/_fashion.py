"""All 70,000 Fashion-MNIST images with two cheap real views, built offline from
the Debian package ``dataset-fashion-mnist``."""

import gzip
import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ._base import cached_features, content_key, get_data_home

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                 "Ankle boot"]


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def fashion_mnist_images(directory=None, subset="all"):
    """The Fashion-MNIST images (uint8, ``(n, 28, 28)``) and labels: the 10,000
    test images (``subset="test"``) or all 70,000 (train then test)."""
    d = Path(directory or os.environ.get("FASHION_MNIST_DIR", FASHION_DIR))
    files = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz"]
    if subset == "test":
        files = files[2:]
    missing = [f for f in files if not (d / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"Fashion-MNIST files {missing} are not in {d}. Install them with "
            "'apt-get install dataset-fashion-mnist' (Debian/Ubuntu) or pass directory=."
        )
    images = np.concatenate([_read_idx(d / f) for f in files[0::2]])
    y = np.concatenate([_read_idx(d / f) for f in files[1::2]]).astype(np.int64)
    return images, y


def hog_features(images, cell=7, n_bins=9, batch=10000):
    """Histograms of oriented gradients: unsigned orientations in ``n_bins``
    bins, magnitude-weighted, over a grid of ``cell`` x ``cell`` pixel cells,
    each image's vector L2-normalised (no block normalisation).

    Parameters
    ----------
    images : ndarray of shape (n, h, w)
    cell : int, default=7
    n_bins : int, default=9
    batch : int, default=10000
        Images per batch, to bound memory.

    Returns
    -------
    features : ndarray of shape (n, (h // cell) * (w // cell) * n_bins), float32
    """
    n, h, w = images.shape
    ch, cw = h // cell, w // cell
    out = np.empty((n, ch * cw * n_bins), dtype=np.float32)
    for start in range(0, n, batch):
        im = images[start:start + batch].astype(np.float32) / 255.0
        gx = np.zeros_like(im)
        gy = np.zeros_like(im)
        gx[:, :, 1:-1] = im[:, :, 2:] - im[:, :, :-2]
        gy[:, 1:-1, :] = im[:, 2:, :] - im[:, :-2, :]
        mag = np.hypot(gx, gy)
        ang = np.mod(np.arctan2(gy, gx), np.pi)
        b = np.minimum((ang / np.pi * n_bins).astype(np.int64), n_bins - 1)
        m = len(im)
        hist = np.zeros((m, ch, cw, n_bins), dtype=np.float32)
        rows = np.arange(h)[:ch * cell] // cell
        cols = np.arange(w)[:cw * cell] // cell
        idx_i = np.broadcast_to(rows[:, None], (ch * cell, cw * cell))
        idx_j = np.broadcast_to(cols[None, :], (ch * cell, cw * cell))
        for k in range(n_bins):
            sel = (b[:, :ch * cell, :cw * cell] == k) * mag[:, :ch * cell, :cw * cell]
            np.add.at(hist[..., k], (slice(None), idx_i, idx_j), sel)
        flat = hist.reshape(m, -1)
        flat /= np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-12)
        out[start:start + m] = flat
    return out


def load_fashion_mnist_views(*, directory=None, data_home=None, n_samples=None, random_state=0, verbose=1):
    """All Fashion-MNIST images (train and test, 70,000) with two real views:
    raw pixels and HOG features.

    The images come from the Debian package ``dataset-fashion-mnist``
    (``apt-get install dataset-fashion-mnist``; files under
    ``/usr/share/datasets/fashion-mnist``). The HOG view is computed once and
    cached under :func:`get_data_home`.

    Parameters
    ----------
    directory : str or path-like, default=None
        Where the four ``*-idx*-ubyte.gz`` files are; default the Debian path,
        or the ``FASHION_MNIST_DIR`` environment variable.
    data_home : str or path-like, default=None
        Cache folder, see :func:`get_data_home`.
    n_samples : int, default=None
        A stratified random subset of this size (all 70,000 when None).
    random_state : int, default=0
        Seeds the subset.
    verbose : int, default=1
        Say when features are computed.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X1`` (pixels / 255, 784 columns, float32), ``X2`` (HOG, 144 columns,
        float32), ``data`` (both side by side), ``view_sizes``, ``target``/``y``,
        ``target_names`` and ``DESCR``.
    """
    images, y = fashion_mnist_images(directory, "all")
    hog = cached_features(get_data_home(data_home), "fashion_mnist_hog",
                          content_key(images, "hog_features", dict(cell=7, n_bins=9)), lambda: hog_features(images),
                          f"Computing HOG features of {len(images)} images", verbose)
    pixels = images.reshape(len(images), -1).astype(np.float32) / 255.0
    if n_samples is not None:
        from sklearn.model_selection import train_test_split

        if n_samples < len(y):
            keep, _ = train_test_split(np.arange(len(y)), train_size=n_samples, stratify=y,
                                       random_state=random_state)
            keep = np.sort(keep)
            pixels, hog, y = pixels[keep], hog[keep], y[keep]
    return Bunch(X1=pixels, X2=hog, data=np.hstack([pixels, hog]), view_sizes=[pixels.shape[1], hog.shape[1]],
                 target=y, y=y, target_names=FASHION_NAMES,
                 DESCR="Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, MIT license), 70,000 28x28 greyscale "
                       "images of 10 garment classes, from the Debian package dataset-fashion-mnist. "
                       "Views: raw pixels / 255 (784) and HOG (4x4 cells of 7x7 pixels, 9 bins; 144).")
