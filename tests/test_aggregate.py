"""Hungarian alignment, majority vote and the matched accuracy, by hand."""

import numpy as np
import pytest

from sklearn_hume import cluster_accuracy
from sklearn_hume._aggregate import align_runs, vote


def test_align_and_vote_on_constructed_runs():
    ref = np.array([0, 0, 1, 1, 2, 2])
    runs = np.array([
        ref,
        [2, 2, 0, 0, 1, 1],  # same partition, renamed 0->1, 1->2, 2->0
        [1, 1, 0, 2, 2, 2],  # renamed and one sample (index 3) moved
    ])
    perms = align_runs(runs, reference=0, n_clusters=3)
    np.testing.assert_array_equal(perms[0], [0, 1, 2])
    np.testing.assert_array_equal(perms[1], [1, 2, 0])
    np.testing.assert_array_equal(perms[2], [1, 0, 2])
    labels, counts = vote(runs, perms, 3)
    np.testing.assert_array_equal(labels, ref)  # 2 of 3 runs keep sample 3 in cluster 1
    np.testing.assert_array_equal(counts[3], [0, 2, 1])
    assert (counts.sum(1) == 3).all()


def test_vote_tie_break():
    runs = np.array([[0, 1], [1, 0]])
    perms = np.array([[0, 1], [0, 1]])
    labels, _ = vote(runs, perms, 2)
    np.testing.assert_array_equal(labels, [0, 0])  # ties go to the lowest id
    labels, _ = vote(runs, perms, 2, tie_break=np.array([[0.4, 0.6], [0.3, 0.7]]))
    np.testing.assert_array_equal(labels, [1, 1])


def test_cluster_accuracy():
    assert cluster_accuracy([0, 0, 1, 1, 2], [1, 1, 0, 0, 0]) == pytest.approx(0.8)
    assert cluster_accuracy(["a", "b", "b"], [5, 7, 7]) == 1.0
    # More clusters than classes: the extra cluster counts as errors.
    assert cluster_accuracy([0, 0, 0, 0], [0, 0, 1, 2]) == 0.5
    with pytest.raises(ValueError, match="at least one sample"):
        cluster_accuracy([], [])


def test_cluster_stability_hand_computed():
    from sklearn_hume._aggregate import cluster_stability

    labels = np.array([0, 0, 0, 1, 1, 1])
    identity = np.array([0, 1])
    runs = np.array([[0, 0, 0, 1, 1, 1],   # the same partition: Jaccard 1 and 1
                     [1, 1, 0, 0, 0, 0]])  # ids swapped by its permutation below
    perms = np.array([identity, [1, 0]])
    # Run 2 aligned: [0, 0, 1, 1, 1, 1]. Cluster 0: |{0,1}| / |{0,1,2}| = 2/3; cluster 1: 3/4.
    np.testing.assert_allclose(cluster_stability(labels, runs, perms, 2), [(1 + 2 / 3) / 2, (1 + 3 / 4) / 2])
    # An empty cluster that no run uses either counts 0.
    assert cluster_stability(labels, runs[:1], perms[:1], 3)[2] == 0
