"""sklearn-hume: find the human labeling of a dataset from its feature views,
without labels (HUME, Gadetsky & Brbić, NeurIPS 2023), as a scikit-learn
estimator."""

from ._compare import compare_known_labels
from ._hume import HumeClustering
from ._metrics import cluster_accuracy
from ._selection import run_agreement, select_n_clusters

__version__ = "0.1.0"

__all__ = ["HumeClustering", "cluster_accuracy", "compare_known_labels", "run_agreement", "select_n_clusters",
           "__version__"]
