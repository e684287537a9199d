"""score_samples: higher for rows the fitted labeling explains."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from sklearn_hume import HumeClustering
from sklearn_hume._novelty import cluster_scales, neighbor_distance, row_scores
from sklearn_hume._views import embed_view, fit_view_embedding

from .conftest import make_two_views


def test_neighbor_distance_by_hand():
    # Reference rows (1, 0), (0, 2), (-1, 0): unit rows and their norms.
    ref = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    norms = torch.tensor([[1.0], [2.0], [1.0]])
    Z = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    # Row 0 is reference row 0 (left out): the others are at squared distances
    # 5 and 4; its own squared distance from the subspace, 0.25, is the second
    # part. Row 1 is new: its two nearest are at 1 and 2.
    out = neighbor_distance([Z], torch.tensor([0.25, 0.0]), [ref], norms, n_neighbors=2)
    np.testing.assert_allclose(out.numpy(), [[4.5, 0.25], [1.5, 0.0]], rtol=1e-6)


def test_cluster_scales_and_row_scores_by_hand():
    # Inside the axes, cluster 0's distances 1, 3, 2 (median 2), cluster 1's
    # 10, 20 (median 15); cluster 2 has no graph row and takes the median of
    # all five (3). Outside, cluster 0's 0.5, 0.1, 0.3 (median 0.3), cluster
    # 1's 0, 0.1 (median 0.05, below a hundredth of 15: floored at 0.15), all
    # five's median 0.1.
    d = np.array([[1.0, 0.5], [3.0, 0.1], [2.0, 0.3], [10.0, 0.0], [20.0, 0.1]])
    scales = cluster_scales(d, np.array([0, 0, 0, 1, 1]), 3)
    np.testing.assert_allclose(scales, [[2.0, 0.3], [15.0, 0.15], [3.0, 0.1]])
    # Repeated rows: a zero median is floored, not divided by.
    assert np.all(cluster_scales(np.zeros((3, 2)), np.array([0, 0, 1]), 2) > 0)
    # The rows of test_neighbor_distance_by_hand (parts 4.5 / 0.25 and 1.5 /
    # 0) in clusters 0 and 1 of typical parts 4 / 0.01 and 0.25 / 1: minus
    # the sum of each part over the square root of its cluster's.
    ref = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
    norms = np.array([[1.0], [2.0], [1.0]], dtype=np.float32)
    Z = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
    out = row_scores(np.array([0, 1]), None, [Z], torch.tensor([0.25, 0.0]), [ref.numpy()], norms,
                     np.array([[4.0, 0.01], [0.25, 1.0]]))
    np.testing.assert_allclose(out, [-(4.5 / 2 + 0.25 / 0.1), -1.5 / 0.5], rtol=1e-6)


def test_each_cluster_s_training_rows_score_around_its_own_spread():
    # One tight and one loose class: by the distance alone the loose class's
    # own rows would score far below the tight one's. Measured against their
    # cluster's spread, a cluster's median training score is minus the square
    # root of its typical distance (its scale), by construction: the views
    # have fewer columns than the principal axes kept, so no row has a part
    # outside them.
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1], 41)
    spread = np.where(y == 0, 0.2, 1.0)[:, None]
    X1 = np.array([[-6.0, 0, 0], [6.0, 0, 0]])[y] + spread * rng.normal(size=(82, 3))
    X2 = np.array([[0, 6.0, 0, 0], [0, -6.0, 0, 0]])[y] + spread * rng.normal(size=(82, 4))
    est = HumeClustering(n_clusters=2, n_runs=2, random_state=0).fit(X1, X2)
    scores = est.score_samples(X1, X2)
    scales = est._score_scales[:, 0]
    for k in range(2):
        assert np.median(scores[est.labels_ == k]) == pytest.approx(-np.sqrt(scales[k]), rel=1e-5)
    loose, tight = est.labels_[y == 1][0], est.labels_[y == 0][0]
    assert scales[loose] > 4 * scales[tight]
    # The two classes' typical scores differ by the square root of their
    # spreads' ratio, not by the ratio itself.
    ratio = np.median(scores[y == 1]) / np.median(scores[y == 0])
    assert ratio == pytest.approx(np.sqrt(scales[loose] / scales[tight]), rel=1e-5)


def test_embed_view_residual_by_hand():
    # Three columns (scaled as a whole, not row by row), the centred rows in the
    # plane of the first two: a row off it by h has residual (h / scale)^2.
    X = torch.tensor([[1.0, 0, 5], [-1.0, 0, 5], [0, 2.0, 5], [0, -2.0, 5]], dtype=torch.float64)
    params, Z, r2 = fit_view_embedding(X, 2, residual=True)
    torch.testing.assert_close(r2, torch.zeros(4, dtype=torch.float64))
    scale = float(params["scale"])  # the centred rows' root mean squared norm
    assert scale == pytest.approx(np.sqrt(2.5))
    new = torch.tensor([[1.0, 0, 5 + 3.0]], dtype=torch.float64)
    Zn, rn = embed_view(new, params, residual=True)
    torch.testing.assert_close(Zn, Z[:1])
    assert float(rn[0]) == pytest.approx(9.0 / 2.5)
    torch.testing.assert_close(embed_view(new, params), Zn)


def test_a_row_outside_the_training_axes_scores_lower():
    # View 1's training rows span three of its six columns. A new row made of a
    # training row plus an offset along the other three embeds close to that
    # row, but lies far outside the axes the fit kept. (By the mean cosine
    # similarity of the embeddings, the score before, it scored 0.80 against
    # the row's 0.99.)
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], 30)
    X1 = np.hstack([(rng.normal(size=(3, 3)) * 4)[y] + rng.normal(size=(90, 3)), np.zeros((90, 3))])
    X2 = (rng.normal(size=(3, 5)) * 4)[y] + rng.normal(size=(90, 5))
    est = HumeClustering(n_clusters=3, n_runs=2, n_components=3, random_state=0).fit(X1, X2)
    off = X1[:1].copy()
    off[0, 3:] = 3 * np.abs(X1[0, :3]).max()
    inside, outside = est.score_samples(X1[:1], X2[:1])[0], est.score_samples(off, X2[:1])[0]
    # Row-normalised, the offset row is (x + o) / |x + o|: its residual is
    # |o|^2 / |x + o|^2 (0.9 here), a squared distance as the score is.
    assert inside - outside > 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rows_of_a_class_left_out_score_lowest(seed):
    X1, X2, y = make_two_views(n_per_class=40, n_classes=4, seed=seed)
    fit_rows = y != 3
    est = HumeClustering(n_clusters=3, n_runs=4, random_state=seed).fit(X1[fit_rows], X2[fit_rows])
    scores = est.score_samples(X1, X2)
    assert scores.shape == (len(y),) and scores.dtype == np.float64
    assert roc_auc_score(y == 3, -scores) >= 0.9
    # The training rows score as they do among new rows, and by batches alike.
    np.testing.assert_allclose(est.score_samples(X1[fit_rows], X2[fit_rows]), scores[fit_rows], rtol=1e-6)
    np.testing.assert_allclose(est.score_samples(X1[:7], X2[:7]), scores[:7], rtol=1e-6)
    np.testing.assert_array_equal(est.predict(X1, X2), est.predict(X1, X2))  # labels unchanged


def test_without_propagation_the_score_is_the_largest_soft_assignment():
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, n_runs=2, propagation=0, random_state=0).fit(X1, X2)
    np.testing.assert_allclose(est.score_samples(X1, X2), est.transform(X1, X2).max(1), rtol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contamination_rejects_that_share_of_the_training_rows(seed):
    X1, X2, y = make_two_views(n_per_class=40, n_classes=4, seed=seed)
    fit_rows = y != 3
    est = HumeClustering(n_clusters=3, n_runs=4, random_state=seed).fit(X1[fit_rows], X2[fit_rows])
    plain = est.predict(X1, X2)
    out = est.predict(X1, X2, contamination=0.1)
    kept = out != -1
    # Rejection only ever turns labels into -1; the others are the plain labels.
    np.testing.assert_array_equal(out[kept], plain[kept])
    # About 10 % of the training rows (a quantile of 120 scores: 12, ties aside) ...
    train = out[fit_rows]
    assert 10 <= (train == -1).sum() <= 14
    # ... and most rows of the class nobody named.
    assert (out[y == 3] == -1).mean() >= 0.8
    # A threshold is the score itself: the same cut gives the same labels.
    cut = np.quantile(est.score_samples(X1[fit_rows], X2[fit_rows]), 0.1)
    np.testing.assert_array_equal(est.predict(X1, X2, threshold=cut), out)
    np.testing.assert_array_equal(est.predict(X1, X2), plain)  # off again: unchanged


def test_rejection_by_hand_and_bad_settings():
    from sklearn_hume._novelty import reject, rejection_threshold

    scores = np.array([0.5, 1.0, 1.5, 2.0])
    np.testing.assert_array_equal(reject([3, 1, 2, 0], scores, 1.2), [-1, -1, 2, 0])
    assert rejection_threshold(np.array([0.0, 1.0, 2.0, 3.0, 4.0]), 0.25, None) == 1.0
    assert rejection_threshold(scores, None, None) is None
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, n_runs=2, random_state=0).fit(X1, X2)
    for bad in (0, 0.7, -0.1, True, "0.1"):
        with pytest.raises(ValueError, match="contamination must be a share in"):
            est.predict(X1, X2, contamination=bad)
    with pytest.raises(ValueError, match="threshold must be a finite number"):
        est.predict(X1, X2, threshold=float("nan"))
    with pytest.raises(ValueError, match="not both"):
        est.predict(X1, X2, contamination=0.1, threshold=1.0)


def test_the_contamination_cut_is_read_on_the_graph_rows(monkeypatch):
    X1, X2, _ = make_two_views(n_per_class=40, n_classes=3, seed=0)
    est = HumeClustering(n_clusters=3, n_runs=2, random_state=0).fit(X1, X2)
    # Every fit row is a graph row here: the cut's scores are score_samples of the fit rows.
    np.testing.assert_allclose(est._training_scores, np.sort(est.score_samples(X1, X2)), atol=1e-5)
    # Beyond the graph rows' cap, a sample of that many: the search stays bounded.
    from sklearn_hume import _propagation

    monkeypatch.setattr(_propagation, "MAX_GRAPH_ROWS", 50)
    est = HumeClustering(n_clusters=3, n_runs=2, random_state=0).fit(X1, X2)
    assert len(est._training_scores) == 50 and np.all(np.diff(est._training_scores) >= 0)


def test_a_model_with_the_earlier_one_scale_per_cluster_is_told_to_refit():
    # Models saved before score_samples read its distance in two parts keep
    # one scale per cluster: a clear error, not a broadcasting failure.
    X1, X2, _ = make_two_views(n_per_class=30, n_classes=3, seed=0)
    est = HumeClustering(n_clusters=3, n_runs=2, n_iter=30, random_state=0).fit(X1, X2)
    labels = est.predict(X1, X2)
    est._score_scales = est._score_scales[:, 0].copy()
    with pytest.raises(ValueError, match="earlier sklearn-hume.*Refit"):
        est.score_samples(X1, X2)
    with pytest.raises(ValueError, match="earlier sklearn-hume"):
        est.predict(X1, X2, contamination=0.05)
    # Labels without rejection do not read the score.
    np.testing.assert_array_equal(est.predict(X1, X2), labels)
