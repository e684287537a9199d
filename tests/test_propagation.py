"""The final label propagation: hand-computed fixed points, the graph rows'
graph, and what it guarantees a fit (predict on the training rows gives
labels_, known rows stay clamped, 0 turns it off)."""

import numpy as np
import pytest
import torch

from sklearn_hume import HumeClustering, _propagation
from sklearn_hume._graph import neighbor_mean_operator, unit_rows
from sklearn_hume._propagation import graph_rows, mix, n_graph_rows, propagate, without_self
from sklearn_hume._refine import ridge_head_probabilities, ridge_heads
from sklearn_hume._ridge import ridge_fit

from .conftest import make_two_views

FAST = dict(n_runs=3, n_iter=30, random_state=0)


def sparse(rows, cols, vals, shape):
    return torch.sparse_coo_tensor(torch.tensor([rows, cols]), torch.tensor(vals, dtype=torch.float64), shape,
                                   check_invariants=False).coalesce()


def test_propagate_reaches_the_hand_computed_fixed_point():
    # Rows 0 and 1 are each other's only neighbour; row 2 has none.
    S = sparse([0, 1], [1, 0], [1.0, 1.0], (3, 3))
    P0 = torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.3, 0.7]], dtype=torch.float64)
    P = propagate(P0, S, 0.5)
    # p0 = a/2 + p1/2, p1 = b/2 + p0/2  =>  p0 = (2a + b) / 3, p1 = (a + 2b) / 3
    # 20 steps leave an error below 0.5 ** 20
    expected = torch.tensor([[2 / 3, 1 / 3], [1 / 3, 2 / 3], [0.3, 0.7]], dtype=torch.float64)
    torch.testing.assert_close(P, expected, atol=2e-6, rtol=0)
    torch.testing.assert_close(P.sum(1), torch.ones(3, dtype=torch.float64))


def test_propagate_clamps_known_rows():
    S = sparse([0, 1], [1, 0], [1.0, 1.0], (2, 2))
    P0 = torch.tensor([[0.2, 0.8], [0.5, 0.5]], dtype=torch.float64)
    P = propagate(P0, S, 0.5, clamp=(torch.tensor([0]), torch.tensor([0])))
    # row 0 pinned to class 0: p0 = (1,0)/2 + p1/2, p1 = (.5,.5)/2 + p0/2  =>  p1 = (2/3, 1/3)
    torch.testing.assert_close(P[1], torch.tensor([2 / 3, 1 / 3], dtype=torch.float64), atol=2e-6, rtol=0)
    assert P0[0, 0] == 0.2  # the input is not modified


def test_mix_weights_own_and_neighbour_labels():
    S = sparse([0, 0], [0, 1], [0.5, 0.5], (2, 2))
    graph_soft = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    P0 = torch.tensor([[0.6, 0.4], [0.1, 0.9]], dtype=torch.float64)
    P = mix(P0, S, graph_soft, 0.4)
    torch.testing.assert_close(P[0], 0.6 * P0[0] + 0.4 * torch.tensor([0.5, 0.5], dtype=torch.float64))
    torch.testing.assert_close(P[1], P0[1])  # no neighbour: unchanged


def test_reference_neighbours_count_the_row_itself_and_without_self_drops_it():
    Z = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.8, 0.3], [0.0, 1.0], [0.1, 0.9]])
    reference = [unit_rows(Z)] * 2
    S = neighbor_mean_operator([Z, Z], 2, reference=reference).to_dense()
    assert S[0].nonzero().flatten().tolist() == [0, 1] and S[3].nonzero().flatten().tolist() == [3, 4]
    torch.testing.assert_close(S.sum(1), torch.ones(5))
    T = without_self(S.to_sparse()).to_dense()
    assert T.diagonal().abs().sum() == 0
    assert T[0].nonzero().flatten().tolist() == [1] and T[0, 1] == 1.0


def test_graph_rows_sample_keeps_known_rows():
    gen = torch.Generator().manual_seed(0)
    assert graph_rows(7, None, gen, max_rows=10).tolist() == list(range(7))
    idx = graph_rows(100, np.array([3, 97]), gen, max_rows=10)
    assert 10 <= len(idx) <= 12 and {3, 97} <= set(idx.tolist())
    assert idx.tolist() == sorted(set(idx.tolist()))


def test_graph_rows_shrink_beyond_the_search_budget():
    # 10,000 graph rows up to 5e8 / 10,000 = 50,000 fit rows; then fit rows x graph rows <= 5e8.
    assert [n_graph_rows(n) for n in (1, 9_000, 10_000, 50_000)] == [10_000] * 4
    assert [n_graph_rows(n) for n in (50_001, 80_000, 100_000)] == [9_999, 6_250, 5_000]
    assert all(n * n_graph_rows(n) <= _propagation.GRAPH_PAIRS for n in (50_001, 77_777, 100_000, 10**8))


def test_a_fit_beyond_the_budget_propagates_over_fewer_graph_rows(monkeypatch):
    X1, X2, _ = make_two_views()
    monkeypatch.setattr(_propagation, "GRAPH_PAIRS", 40 * len(X1))  # 40 graph rows for the fit's rows
    est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    assert len(est._consensus.graph_soft) == 40
    np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)


@pytest.mark.parametrize("max_rows", [None, 40])
def test_predict_on_the_training_rows_gives_labels(monkeypatch, max_rows):
    if max_rows is not None:
        monkeypatch.setattr(_propagation, "MAX_GRAPH_ROWS", max_rows)
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    assert len(est._consensus.graph_soft) == (len(X1) if max_rows is None else max_rows)
    np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)
    P = est.transform(X1, X2)
    np.testing.assert_allclose(P.sum(1), 1, rtol=1e-5)
    np.testing.assert_array_equal(P.argmax(1), est.labels_)


def test_propagation_zero_without_refit_is_the_vote_and_hume_has_neither():
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, propagation=0.0, refine=False, **FAST).fit(X1, X2)
    assert est._consensus.graph_soft is None and est._consensus.heads is None
    labels, _, _ = est._consensus.vote(est._run_probabilities(est._embed_new(X1, X2)))
    np.testing.assert_array_equal(est.labels_, labels)
    paper = HumeClustering(n_clusters=3, objective="hume", n_runs=2, n_iter=3, inner_steps=2, n_subsets=1,
                           random_state=0).fit(X1, X2)
    assert paper._consensus.graph_soft is None and paper._consensus.heads is None and paper.propagation_ == 0


@pytest.mark.parametrize("propagation", [0.0, 0.5])
def test_refit_alone_or_with_propagation_labels_like_predict(propagation):
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, propagation=propagation, **FAST).fit(X1, X2)
    assert len(est._consensus.heads) == 2 and (est._consensus.graph_soft is None) == (propagation == 0)
    np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)
    if propagation == 0:  # the labels are the argmax of the refitted heads' mean output
        Zs = est._embed_new(X1, X2)
        heads = [tuple(torch.as_tensor(t) for t in h) for h in est._consensus.heads]
        P = ridge_head_probabilities(Zs, heads, est.temperature_)
        np.testing.assert_array_equal(P.argmax(1).numpy(), est.labels_)


def test_large_fits_skip_the_propagation(monkeypatch):
    from sklearn_hume import _settings

    X1, X2, _ = make_two_views()
    monkeypatch.setattr(_settings, "PROPAGATION_MAX_ROWS", len(X1) - 1)
    est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    assert est.propagation_ == 0 and est._consensus.graph_soft is None
    monkeypatch.setattr(_settings, "PROPAGATION_MAX_ROWS", len(X1))
    assert HumeClustering(n_clusters=3, **FAST).fit(X1, X2).propagation_ == 0.5


def test_propagation_moves_a_row_to_its_neighbours_class():
    """A row whose own soft label leans to the wrong class, in the middle of
    ten rows of the other class in both views, follows them."""
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    Zs = est._embed_new(X1, X2)
    graph = [torch.as_tensor(A) for A in est._consensus.graph_views]
    S = neighbor_mean_operator(Zs, est._settings.n_neighbors, reference=graph)
    row = 0
    neighbours = S[row].coalesce().indices()[0]
    majority = np.bincount(est.labels_[neighbours.numpy()]).argmax()
    P0 = torch.full((len(X1), 3), 0.0, dtype=Zs[0].dtype)
    P0[:, majority] = 1.0
    wrong = (majority + 1) % 3
    P0[row] = 0.0
    P0[row, wrong], P0[row, majority] = 0.6, 0.4
    P = propagate(P0[: len(graph[0])], without_self(S), 0.5)
    assert P[row].argmax() == majority and P0[row].argmax() == wrong


def test_known_rows_keep_their_class_with_a_small_graph(monkeypatch):
    monkeypatch.setattr(_propagation, "MAX_GRAPH_ROWS", 30)
    X1, X2, y = make_two_views()
    known = np.full(len(y), -1)
    rows = np.flatnonzero(y == 0)[:2].tolist() + np.flatnonzero(y == 1)[:2].tolist()
    known[rows] = y[rows]
    est = HumeClustering(n_clusters=3, **FAST).fit(X1, X2, known_labels=known)
    graph = graph_rows(len(y), np.array(rows), torch.Generator().manual_seed(0), max_rows=30)
    assert set(rows) <= set(graph.tolist())
    np.testing.assert_array_equal(est.labels_[rows], y[rows])


# ----------------------------------------------------------------------------- the ridge refit
def test_ridge_fit_is_sklearns_ridge_with_the_scale_free_penalty():
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    Z, T = rng.normal(size=(40, 5)) + 3.0, rng.normal(size=(40, 3))
    W, b = ridge_fit(torch.as_tensor(Z), torch.as_tensor(T), 0.5)
    Zc = Z - Z.mean(0)
    lam = 0.5 * np.trace(Zc.T @ Zc) / 5
    ref = Ridge(alpha=lam).fit(Z, T)
    np.testing.assert_allclose(W.numpy(), ref.coef_.T, rtol=1e-10)
    np.testing.assert_allclose(b.numpy(), ref.intercept_, rtol=1e-10)
    assert W.dtype == torch.float64
    W32, _ = ridge_fit(torch.as_tensor(Z, dtype=torch.float32), torch.as_tensor(T, dtype=torch.float32), 0.5)
    assert W32.dtype == torch.float32


def test_ridge_head_probabilities_by_hand():
    Z = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    W = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    b = torch.tensor([0.0, 0.5])
    P = ridge_head_probabilities([Z, Z], [(W, b), (2 * W, b)], 0.5)
    # mean logits: row 0 (1.5, 0.5), row 1 (0, 3.5); divided by 0.5
    expected = torch.softmax(torch.tensor([[3.0, 1.0], [0.0, 7.0]]), 1)
    torch.testing.assert_close(P, expected)


def test_ridge_refit_corrects_flipped_labels_of_separable_classes():
    """Targets with 10 % of the rows flipped: a linear model per view fitted to
    them labels every row of well-separated classes correctly again."""
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 50)
    centres = rng.normal(size=(3, 4)) * 5
    Zs = [torch.as_tensor(centres[y] + rng.normal(size=(150, 4)), dtype=torch.float32),
          torch.as_tensor(centres[y] @ rng.normal(size=(4, 6)) + rng.normal(size=(150, 6)), dtype=torch.float32)]
    noisy = y.copy()
    flip = rng.choice(150, 15, replace=False)
    noisy[flip] = (noisy[flip] + 1) % 3
    targets = torch.nn.functional.one_hot(torch.as_tensor(noisy), 3).float()
    P = ridge_head_probabilities(Zs, ridge_heads(Zs, targets, 0.1), 0.1)
    np.testing.assert_array_equal(P.argmax(1).numpy(), y)
