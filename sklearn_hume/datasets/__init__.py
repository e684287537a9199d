"""Real multi-view datasets for trying and benchmarking HUME."""

from ._base import get_data_home, load_mfeat
from ._fashion import hog_features, load_fashion_mnist_views

__all__ = ["get_data_home", "hog_features", "load_fashion_mnist_views", "load_mfeat"]
