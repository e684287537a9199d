"""Merge-and-split moves of balance="auto" on a kNN graph (``_regroup``)."""

import numpy as np
from sklearn.metrics import adjusted_rand_score

from sklearn_hume._regroup import merge_gains, regroup, split_gain


def block_graph(sizes, k=5, seed=0):
    """Every row's ``k`` neighbours drawn from its own block (no self edges): ``(N, k)`` and the blocks."""
    rng = np.random.default_rng(seed)
    blocks = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    neighbours = np.empty((len(blocks), k), dtype=np.int64)
    for b in range(len(sizes)):
        for i in range(starts[b], starts[b + 1]):
            others = np.setdiff1d(np.arange(starts[b], starts[b + 1]), [i])
            neighbours[i] = rng.choice(others, k, replace=False)
    return neighbours, blocks


def test_merge_gains_by_hand():
    # Rows 0-1 in cluster 0, row 2 in 1, row 3 in 2; one neighbour each: 0->1, 1->2, 2->1, 3->2.
    neighbours = np.array([[1], [2], [1], [2]])
    labels = np.array([0, 0, 1, 2])
    gains = merge_gains(labels, neighbours, 3, resolution=1.0)
    # Edges 0-1: 1->2 and 2->1 (2 of 4); chance 2 * (1/2) * (1/4) = 0.25.
    assert np.isclose(gains[0, 1], 2 / 4 - 0.25)
    # Edges 1-2: 3->2 (1 of 4); chance 2 * (1/4) * (1/4).
    assert np.isclose(gains[1, 2], 1 / 4 - 0.125)
    assert np.isclose(gains[0, 2], 0 - 0.25)
    assert np.allclose(gains, gains.T) and np.all(np.isneginf(np.diag(gains)))


def test_split_finds_the_two_blocks_of_a_cluster():
    neighbours, blocks = block_graph([60, 40])
    gain, mask = split_gain(np.arange(100), neighbours, resolution=0.5)
    # No edge is cut, and the chance share removed is 2 * 0.5 * 0.6 * 0.4.
    assert np.isclose(gain, 0.24)
    assert adjusted_rand_score(blocks, mask) == 1.0


def test_split_refuses_tiny_clusters():
    neighbours, _ = block_graph([4], k=2)
    assert split_gain(np.arange(4), neighbours, 0.5) == (-np.inf, None)


def test_a_split_large_class_is_merged_and_two_small_ones_separated():
    neighbours, blocks = block_graph([400, 40, 30], seed=1)
    # The large block cut in two, the two small ones sharing a cluster.
    labels = np.where(blocks == 0, np.arange(470) % 2, 2)
    out, support, moves = regroup(labels, neighbours, 3)
    assert moves == 1
    assert adjusted_rand_score(blocks, out) == 1.0
    assert not np.shares_memory(out, labels) and set(labels[blocks == 0]) == {0, 1}  # the input is kept
    # Votes for 0 or 1 now count for the merged cluster, votes for 2 for both sides of the split.
    merged = out[0]
    assert support[0, merged] == support[1, merged] == 1 and support[2, merged] == 0
    assert set(np.flatnonzero(support[2])) == set(out[blocks > 0])


def test_right_labels_and_balanced_blocks_stay():
    for sizes in ([100, 100, 100], [400, 40, 30]):
        neighbours, blocks = block_graph(sizes, seed=2)
        out, support, moves = regroup(blocks, neighbours, 3)
        assert moves == 0 and np.array_equal(out, blocks) and np.array_equal(support, np.eye(3))


def test_a_margin_above_the_gain_stops_the_moves():
    neighbours, blocks = block_graph([400, 40, 30], seed=1)
    labels = np.where(blocks == 0, np.arange(470) % 2, 2)
    _, _, moves = regroup(labels, neighbours, 3, margin=1.0)
    assert moves == 0


def test_no_split_when_the_eigensolver_fails(monkeypatch):
    from scipy.sparse.linalg import ArpackNoConvergence

    from sklearn_hume import _regroup

    def fails(*args, **kwargs):
        raise ArpackNoConvergence("no convergence", np.zeros(0), np.zeros((0, 0)))

    monkeypatch.setattr(_regroup, "eigsh", fails)
    neighbours, _ = block_graph([60, 40])
    assert split_gain(np.arange(100), neighbours, 0.5) == (-np.inf, None)
