"""Evaluation of clusterings against known labels."""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.utils.validation import check_consistent_length, column_or_1d


def cluster_accuracy(labels_true, labels_pred):
    """Accuracy of a clustering after the best one-to-one matching of clusters
    to classes (Hungarian algorithm).

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
    labels_pred : array-like of shape (n_samples,)

    Returns
    -------
    accuracy : float
        In ``[0, 1]``. Clusters left without a class (or classes without a
        cluster) count as errors.

    Examples
    --------
    >>> from sklearn_hume import cluster_accuracy
    >>> cluster_accuracy([0, 0, 1, 1, 2], [1, 1, 0, 0, 0])
    0.8
    """
    labels_true = column_or_1d(labels_true)
    labels_pred = column_or_1d(labels_pred)
    check_consistent_length(labels_true, labels_pred)
    if labels_true.size == 0:
        raise ValueError("cluster_accuracy needs at least one sample.")
    classes, t = np.unique(labels_true, return_inverse=True)
    clusters, p = np.unique(labels_pred, return_inverse=True)
    C = np.zeros((len(clusters), len(classes)), dtype=np.int64)
    np.add.at(C, (p, t), 1)
    rows, cols = linear_sum_assignment(-C)
    return float(C[rows, cols].sum() / labels_true.size)
