"""Over-cluster, then merge (``overcluster``): the merge order by hand, and
classes of unequal size recovered on separable toy data."""

import numpy as np
import pytest
import torch
from sklearn.metrics import adjusted_rand_score

from sklearn_hume import HumeClustering
from sklearn_hume._merge import cluster_graph, merge_map


def _graph(edges, n):
    i, j = np.array(edges).T
    return torch.sparse_coo_tensor(torch.tensor(np.array([i, j])), torch.ones(len(i), dtype=torch.float64),
                                   (n, n)).coalesce()


def test_merge_joins_the_clusters_the_graph_joins():
    # Rows 0-3 in clusters 0 and 1, joined by three edges; rows 4-5 (cluster 2) a separate pair.
    labels = np.array([0, 0, 1, 1, 2, 2])
    S = _graph([(0, 1), (0, 2), (1, 3), (1, 2), (4, 5)], 6)
    A = cluster_graph(labels, S, 3)
    np.testing.assert_array_equal(A, [[2, 3, 0], [3, 0, 0], [0, 0, 2]])
    np.testing.assert_array_equal(merge_map(labels, S, 3, 2), [0, 0, 1])
    np.testing.assert_array_equal(merge_map(labels, S, 3, 3), [0, 1, 2])


def _unequal_views(sizes, seed):
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(sizes)), sizes)
    centres = rng.normal(size=(len(sizes), 6)) * 6
    X1 = centres[y] + rng.normal(size=(len(y), 6))
    X2 = centres[y] @ rng.normal(size=(6, 8)) + rng.normal(size=(len(y), 8))
    return X1, X2, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_overcluster_recovers_classes_of_unequal_size(seed):
    X1, X2, y = _unequal_views([300, 120, 60, 30], seed)
    est = HumeClustering(n_clusters=4, overcluster=2.0, n_runs=4, random_state=seed).fit(X1, X2)
    assert adjusted_rand_score(y, est.labels_) >= 0.9
    # The runs keep their own eight clusters; the consensus maps them onto four.
    assert est.run_labels_.max() == 7 and est.run_permutations_.shape == (4, 8)
    assert set(np.unique(est.run_permutations_)) <= set(range(4))
    np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)
    P = est.transform(X1, X2)
    assert P.shape == (len(y), 4) and np.allclose(P.sum(1), 1, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1])
def test_overcluster_keeps_balanced_classes(seed):
    X1, X2, y = _unequal_views([80, 80, 80], seed)
    est = HumeClustering(n_clusters=3, overcluster=2.0, n_runs=4, random_state=seed).fit(X1, X2)
    assert adjusted_rand_score(y, est.labels_) >= 0.95


def test_overcluster_and_cluster_prior_do_not_combine():
    X1, X2, _ = _unequal_views([30, 30], 0)
    with pytest.raises(ValueError, match="overcluster"):
        HumeClustering(n_clusters=2, overcluster=2.0, cluster_prior=[1, 1], n_runs=2, n_iter=3).fit(X1, X2)
