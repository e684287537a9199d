"""The views' kNN graph behind the neighbourhood term: hand-checkable cases."""

import numpy as np
import torch

from sklearn_hume import _graph
from sklearn_hume._objectives._terms import neighbor_disagreement


def test_knn_indices_excludes_self_and_finds_nearest():
    F = _graph.unit_rows(torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]]))
    idx = _graph.knn_indices(F, 1, block=3)  # a block size that does not divide the rows
    assert idx[:, 0].tolist() == [1, 0, 3, 2]


def test_neighbor_mean_operator_averages_the_nearest_rows():
    Z = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.8, 0.3], [0.0, 1.0], [0.1, 0.9]])
    A = _graph.neighbor_mean_operator([Z, 3 * Z], 2).to_dense()
    torch.testing.assert_close(A.sum(1), torch.ones(5))
    assert A[0].nonzero().flatten().tolist() == [1, 2] and A[3].nonzero().flatten().tolist() == [2, 4]
    assert A.diagonal().abs().sum() == 0


def test_neighbor_disagreement_by_hand():
    # Two rows, each the other's neighbour; runs in the second axis.
    A = _graph.symmetric_part(torch.tensor([[0.0, 1.0], [1.0, 0.0]]).to_sparse())
    same = torch.tensor([[[1.0, 0.0]], [[1.0, 0.0]]])
    split = torch.tensor([[[1.0, 0.0]], [[0.0, 1.0]]])
    soft = torch.tensor([[[0.5, 0.5]], [[0.5, 0.5]]])
    assert neighbor_disagreement(same, A).tolist() == [0.0]
    assert neighbor_disagreement(split, A).tolist() == [1.0]
    assert neighbor_disagreement(soft, A).tolist() == [0.5]  # two coin flips differ half the time


def test_neighbor_disagreement_gradient_is_that_of_the_plain_formula():
    torch.manual_seed(0)
    A = _graph.neighbor_mean_operator([torch.randn(30, 4)], 3)
    S = _graph.symmetric_part(A)
    Y = torch.softmax(torch.randn(30, 2, 5), -1).requires_grad_()
    plain = 1 - (Y * (A.to_dense() @ Y.reshape(30, 10)).view(30, 2, 5)).sum(-1).mean(0)
    fast = neighbor_disagreement(Y, S)
    torch.testing.assert_close(fast, plain)
    g_plain, = torch.autograd.grad(plain.sum(), Y)
    g_fast, = torch.autograd.grad(fast.sum(), Y)
    torch.testing.assert_close(g_fast, g_plain)


def test_consensus_keeps_edges_most_views_agree_on():
    assert [_graph.consensus_votes(v) for v in (1, 2, 3, 4, 5, 6)] == [1, 2, 2, 2, 3, 3]
    a = torch.tensor([[0.0], [0.1], [5.0], [5.2]])
    b = torch.tensor([[0.0], [9.0], [0.1], [9.2]])  # disagrees with a about every pair
    A = _graph.neighbor_mean_operator([torch.cat([a, torch.ones(4, 1)], 1), torch.cat([b, torch.ones(4, 1)], 1)], 1)
    assert A.to_dense().abs().sum() == 0  # no edge has two votes
    A = _graph.neighbor_mean_operator([torch.cat([a, torch.ones(4, 1)], 1)] * 2, 1)
    assert A.to_dense().nonzero().tolist() == [[0, 1], [1, 0], [2, 3], [3, 2]]


def test_neighbor_weight_in_a_fit():
    from sklearn.metrics import adjusted_rand_score

    from sklearn_hume import HumeClustering
    from sklearn_hume._objectives import _heads

    from .conftest import make_two_views

    X1, X2, y = make_two_views()
    for objective in ("loo", "turtle"):
        est = HumeClustering(3, objective=objective, n_runs=3, n_iter=40, neighbor_weight=1.0, random_state=0)
        assert adjusted_rand_score(y, est.fit(X1, X2).labels_) > 0.9
    off = HumeClustering(3, n_runs=3, n_iter=40, random_state=0).fit(X1, X2)
    on = HumeClustering(3, n_runs=3, n_iter=40, neighbor_weight=5.0, random_state=0).fit(X1, X2)
    assert not np.array_equal(off.run_losses_, on.run_losses_)  # the term is in the objective
    # A random batch holds too few of a row's neighbours: the term is left out.
    settings = on._settings
    Zs = [torch.randn(50, 3), torch.randn(50, 4)]
    assert _heads.neighbor_graph(Zs, settings, 20) is None and _heads.neighbor_graph(Zs, settings, 50) is not None
