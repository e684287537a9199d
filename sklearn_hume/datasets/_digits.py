"""scikit-learn's 8 x 8 handwritten digits as two views: the pixels, and a
histogram of oriented gradients of the images."""

import numpy as np
from sklearn.utils import Bunch

from ._fashion import hog_features

# The 8 x 8 images are scaled up threefold and padded to 28 x 28, so that
# hog_features' 7 x 7 cells (4 x 4 of them) each see a part of a stroke.
_SCALE, _PAD = 3, 2


def load_digits_views(*, return_X_y=False):
    """Load scikit-learn's handwritten digits (1,797 samples, 10 classes) as two views.

    View 1 is the 64 pixel intensities (0-16) that
    :func:`sklearn.datasets.load_digits` gives. View 2 is
    :func:`~sklearn_hume.datasets.hog_features` of the images scaled up
    threefold and padded to 28 x 28: 16 cells x 9 orientation bins (144
    columns), each row of unit norm. Nothing is downloaded: the images ship
    with scikit-learn.

    Parameters
    ----------
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (both views side by side, float32), ``view_sizes``,
        ``view_names``, ``X1``, ``X2``, ``target``/``y``, ``target_names``,
        ``images`` (the 8 x 8 images) and ``DESCR``.

    Examples
    --------
    >>> from sklearn_hume.datasets import load_digits_views
    >>> d = load_digits_views()
    >>> d.X1.shape, d.X2.shape, d.view_sizes
    ((1797, 64), (1797, 144), [64, 144])
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    big = np.kron(digits.images, np.ones((_SCALE, _SCALE)))
    big = np.pad(big, ((0, 0), (_PAD, _PAD), (_PAD, _PAD)))
    X1 = digits.data.astype(np.float32)
    X2 = hog_features((big * (255 / 16)).astype(np.uint8))
    data = np.hstack([X1, X2])
    y = digits.target.astype(np.int64)
    if return_X_y:
        return data, y
    descr = ("scikit-learn's optical recognition of handwritten digits (UCI; 1,797 8 x 8 images, 10 classes) "
             "in two views: the 64 pixel intensities, and histograms of oriented gradients (9 unsigned "
             "orientations in 4 x 4 cells, rows L2-normalised) of the images scaled up threefold and padded "
             "to 28 x 28.")
    return Bunch(data=data, view_sizes=[X1.shape[1], X2.shape[1]], view_names=["pixels", "hog"], X1=X1, X2=X2,
                 target=y, y=y, target_names=[str(i) for i in range(10)], images=digits.images, DESCR=descr)
