"""HumeClustering's behaviour: the two-view API, determinism, aggregation,
scikit-learn composition and a real-data run."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_hume import HumeClustering, cluster_accuracy

from .conftest import make_two_views


@pytest.mark.parametrize("objective", ["loo", "turtle"])
def test_recovers_separable_classes(two_views, fast_params, objective):
    X1, X2, y = two_views
    est = HumeClustering(n_clusters=3, objective=objective, **fast_params).fit(X1, X2)
    assert cluster_accuracy(y, est.labels_) == 1.0


def test_hume_objective_runs_and_beats_chance(two_views):
    X1, X2, y = two_views
    est = HumeClustering(n_clusters=3, objective="hume", n_runs=4, n_iter=20, inner_steps=10, n_subsets=2,
                         inner_lr=0.1, learning_rate=0.05, anneal_at=[], random_state=0).fit(X1, X2)
    # Separable classes: every run of the paper's method finds them.
    assert all(cluster_accuracy(y, labels) == 1.0 for labels in est.run_labels_)


def test_two_views_equal_stacked_matrix(two_views, fast_params):
    X1, X2, _ = two_views
    a = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    b = HumeClustering(n_clusters=3, view_sizes=[6, 8], **fast_params).fit(np.hstack([X1, X2]))
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(a.view_sizes_, [6, 8])
    np.testing.assert_allclose(a.transform(X1, X2), b.transform(np.hstack([X1, X2])))
    # The stacked matrix also works on an estimator fitted on two views.
    np.testing.assert_array_equal(a.predict(np.hstack([X1, X2])), a.predict(X1, X2))


def test_one_matrix_without_view_sizes_is_one_view(two_views, fast_params):
    X1, X2, y = two_views
    est = HumeClustering(n_clusters=3, **fast_params).fit(np.hstack([X1, X2]))
    np.testing.assert_array_equal(est.view_sizes_, [14])
    assert len(est.heads_) == 1
    assert cluster_accuracy(y, est.labels_) == 1.0
    est = HumeClustering(n_clusters=2, **fast_params).fit(X1[:, :1])
    np.testing.assert_array_equal(est.view_sizes_, [1])


def test_list_of_views_equals_separate_views(two_views, fast_params):
    X1, X2, _ = two_views
    a = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    b = HumeClustering(n_clusters=3, **fast_params).fit([X1, X2])
    np.testing.assert_array_equal(a.labels_, b.labels_)
    np.testing.assert_array_equal(b.view_sizes_, [6, 8])
    np.testing.assert_array_equal(b.predict([X1, X2]), a.predict(X1, X2))
    np.testing.assert_allclose(b.transform((X1, X2)), a.transform(X1, X2))
    assert b.score([X1, X2]) == a.score(X1, X2)


def test_one_dimensional_y_is_ignored(two_views, fast_params):
    X1, X2, y = two_views
    X = np.hstack([X1, X2])
    a = HumeClustering(n_clusters=3, **fast_params).fit(X, y)
    b = HumeClustering(n_clusters=3, **fast_params).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)


def test_same_random_state_same_labels_and_params_untouched(two_views, fast_params):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, **fast_params)
    before = est.get_params()
    a = est.fit(X1, X2).labels_.copy()
    assert est.get_params() == before
    b = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2).labels_
    np.testing.assert_array_equal(a, b)


def test_global_rng_untouched(two_views, fast_params):
    import torch

    X1, X2, _ = two_views
    np_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    HumeClustering(n_clusters=3, random_state=None, n_runs=2, n_iter=5).fit(X1, X2)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_labels_predict_transform_consistent(two_views, fast_params):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    np.testing.assert_array_equal(est.predict(X1, X2), est.labels_)
    np.testing.assert_array_equal(est.fit_predict(X1, X2), est.labels_)
    P = est.transform(X1, X2)
    assert P.shape == (90, 3)
    assert (P >= 0).all()
    np.testing.assert_allclose(P.sum(1), 1, rtol=1e-5)
    np.testing.assert_allclose(est.fit_transform(X1, X2), P)
    assert list(est.get_feature_names_out()) == ["humeclustering0", "humeclustering1", "humeclustering2"]


def test_run_attributes_and_alignment(two_views, fast_params):
    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    R = fast_params["n_runs"]
    assert est.run_labels_.shape == (R, 90)
    assert est.run_scores_.shape == (R,) and est.run_losses_.shape == (R,)
    assert est.best_run_ == int(np.argmax(est.run_scores_))
    np.testing.assert_array_equal(est.run_permutations_[est.best_run_], np.arange(3))
    for perm in est.run_permutations_:
        np.testing.assert_array_equal(np.sort(perm), np.arange(3))
    # Each aligned run agrees with the vote on at least as many samples as any
    # other renaming of its clusters would (the Hungarian alignment is optimal).
    from itertools import permutations

    aligned = np.take_along_axis(est.run_permutations_, est.run_labels_, axis=1)
    for r in range(R):
        ref = est.run_labels_[est.best_run_]
        best = max((np.array(p)[est.run_labels_[r]] == ref).sum() for p in permutations(range(3)))
        assert (aligned[r] == ref).sum() == best
    assert (aligned[est.best_run_] == est.labels_).mean() > 0.9
    # The best-scoring half votes.
    np.testing.assert_array_equal(est.voters_, np.sort(np.argsort(-est.run_scores_)[: R // 2]))


def test_vote_fraction_one_is_the_papers_vote_of_all_runs(two_views, fast_params):
    from sklearn_hume._aggregate import vote

    X1, X2, _ = two_views
    est = HumeClustering(n_clusters=3, vote_fraction=1.0, **fast_params).fit(X1, X2)
    np.testing.assert_array_equal(est.voters_, np.arange(fast_params["n_runs"]))
    expected, _ = vote(est.run_labels_, est.run_permutations_, 3, tie_break=est.transform(X1, X2))
    np.testing.assert_array_equal(est.labels_, expected)


def test_score_prefers_the_true_structure(two_views, fast_params):
    X1, X2, _ = two_views
    good = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    assert good.score(X1, X2) > 0.5
    assert good.probe_score(X1, X2) == pytest.approx(1.0)
    # Heads that never trained (n_iter=0) label at random: worse scores. (The
    # final refit and propagation would repair even these labels on such easy data.)
    bad = HumeClustering(n_clusters=3, n_runs=1, n_iter=0, propagation=0, refine=False, random_state=3).fit(X1, X2)
    assert bad.score(X1, X2) < good.score(X1, X2)
    assert bad.probe_score(X1, X2) < good.probe_score(X1, X2)


def test_score_is_agreement_of_the_views_heads(fast_params):
    from sklearn.metrics import adjusted_rand_score

    X1, X2, _ = make_two_views(seed=1)
    X3 = np.random.RandomState(0).normal(size=(len(X1), 4))  # a view with no class structure
    # drop_weak_views=False: the noise view keeps its head (the default leaves it out).
    est = HumeClustering(n_clusters=3, view_sizes=[6, 8, 4], drop_weak_views=False, **fast_params).fit(
        np.hstack([X1, X2, X3]))
    Zs = est._embed_new(np.hstack([X1, X2, X3]), None)
    # Each view's head alone: argmax of its logits Z @ W + b (W has unit columns), per voting run.
    alone = []
    for Z, (W, b) in zip(Zs, est.heads_):
        np.testing.assert_allclose(np.linalg.norm(W, axis=1), 1, rtol=1e-5)
        alone.append([np.argmax(Z.numpy() @ W[r] + b[r], axis=1) for r in est.voters_])
    expected = np.mean([adjusted_rand_score(alone[i][r], alone[j][r])
                        for i, j in [(0, 1), (0, 2), (1, 2)] for r in range(len(est.voters_))])
    assert est.score(np.hstack([X1, X2, X3])) == pytest.approx(expected)
    assert adjusted_rand_score(alone[0][0], alone[1][0]) == pytest.approx(1.0)  # the informative views agree
    # One view: the probe score.
    one = HumeClustering(n_clusters=3, view_sizes=[6], **fast_params).fit(X1)
    assert one.score(X1) == one.probe_score(X1)


def test_more_views(fast_params):
    from .conftest import make_two_views

    X1, X2, y = make_two_views()
    X3 = np.abs(X1) + np.random.RandomState(1).normal(size=X1.shape)
    X = np.hstack([X1, X2, X3])
    est = HumeClustering(n_clusters=3, view_sizes=[6, 8, 6], **fast_params).fit(X)
    assert len(est.heads_) == 3
    assert cluster_accuracy(y, est.labels_) == 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_view_scores_show_which_views_carry_the_labeling(fast_params, seed):
    X1, X2, y = make_two_views(seed=seed)
    noise = np.random.RandomState(seed + 10).normal(size=(len(y), 5))
    est = HumeClustering(n_clusters=3, view_sizes=[6, 8, 5], **fast_params).fit(np.hstack([X1, X2, noise]))
    assert cluster_accuracy(y, est.labels_) == 1.0
    # Both informative views predict the labels almost perfectly; pure noise near chance.
    assert est.view_scores_.shape == est.view_weights_.shape == (3,)
    assert (est.view_scores_[:2] > 0.9).all() and est.view_scores_[2] < 0.3
    assert est.view_weights_.sum() == pytest.approx(1.0) and (est.view_weights_ >= 0).all()
    assert est.view_weights_[2] < 0.15
    # The noise view is left out of the fit; the mean over the views used is the probe
    # score of the training labels (same kappa, exact vs. Gram spectra).
    assert est.views_used_.tolist() == [True, True, False]
    assert est.view_scores_[est.views_used_].mean() == pytest.approx(
        est.probe_score(np.hstack([X1, X2, noise])), abs=1e-3)


@pytest.mark.parametrize(
    "view_sizes, match",
    [([6, 6], "adds up to 12"), ([14, 0], "positive integers"), ([[6, 8]], "positive integers"),
     ([6.5, 7.5], "positive integers")],
)
def test_bad_view_sizes(two_views, view_sizes, match):
    X1, X2, _ = two_views
    with pytest.raises(ValueError, match=match):
        HumeClustering(n_clusters=3, view_sizes=view_sizes, n_runs=1, n_iter=1).fit(np.hstack([X1, X2]))


def test_clear_errors(two_views):
    X1, X2, _ = two_views
    with pytest.raises(ValueError, match="second view has 10 rows but X has 90"):
        HumeClustering(n_clusters=3).fit(X1, X2[:10])
    with pytest.raises(ValueError, match="n_samples=5 should be >= n_clusters=8"):
        HumeClustering().fit(X1[:5], X2[:5])
    est = HumeClustering(n_clusters=3, n_runs=1, n_iter=2).fit(X1, X2)
    with pytest.raises(ValueError, match="14 features"):
        est.predict(X1)
    with pytest.raises(ValueError, match="NaN"):
        X = X1.copy()
        X[0, 0] = np.nan
        est.predict(X, X2)


def test_input_not_modified(two_views, fast_params):
    X1, X2, _ = two_views
    c1, c2 = X1.copy(), X2.copy()
    est = HumeClustering(n_clusters=3, **fast_params).fit(X1, X2)
    est.predict(X1, X2)
    est.transform(X1, X2)
    est.score(X1, X2)
    np.testing.assert_array_equal(X1, c1)
    np.testing.assert_array_equal(X2, c2)


def test_pipeline_with_column_transformer(two_views, fast_params):
    X1, X2, y = two_views
    X = np.hstack([X1, X2])
    pre = ColumnTransformer([("view1", StandardScaler(), slice(0, 6)), ("view2", StandardScaler(), slice(6, 14))])
    pipe = Pipeline([("scale", pre), ("hume", HumeClustering(n_clusters=3, view_sizes=[6, 8], **fast_params))])
    labels = pipe.fit_predict(X)
    assert cluster_accuracy(y, labels) == 1.0
    np.testing.assert_array_equal(pipe.predict(X), labels)
    assert pipe.transform(X).shape == (90, 3)


def test_grid_search_without_labels(two_views):
    X1, X2, y = two_views
    X = np.hstack([X1, X2])
    grid = GridSearchCV(
        HumeClustering(n_clusters=3, view_sizes=[6, 8], n_runs=4, random_state=0),
        {"n_iter": [0, 60]},
        # Shuffled folds: the samples are sorted by class, and a fold holding a
        # single class has no structure to score.
        cv=KFold(3, shuffle=True, random_state=0),
    ).fit(X)
    # Untrained random heads generalise worse than trained ones: the score knows.
    assert grid.best_params_ == {"n_iter": 60}
    assert cluster_accuracy(y, grid.best_estimator_.labels_) == 1.0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", range(4))
def test_grid_search_without_labels_finds_the_number_of_classes(seed):
    # The views' agreement on held-out folds peaks at the true number of classes
    # (measured margins over the runner-up: 0.11 to 0.28).
    X1, X2, _ = make_two_views(seed=seed)
    grid = GridSearchCV(HumeClustering(n_clusters=3, view_sizes=[6, 8], n_runs=4, random_state=0),
                        {"n_clusters": [2, 3, 4, 5]}, cv=KFold(3, shuffle=True, random_state=0))
    grid.fit(np.hstack([X1, X2]))
    assert grid.best_params_ == {"n_clusters": 3}


def test_pandas_views_keep_feature_names(two_views, fast_params):
    pd = pytest.importorskip("pandas")
    X1, X2, _ = two_views
    A = pd.DataFrame(X1, columns=[f"a{i}" for i in range(6)])
    B = pd.DataFrame(X2, columns=[f"b{i}" for i in range(8)])
    est = HumeClustering(n_clusters=3, **fast_params).fit(A, B)
    assert list(est.feature_names_in_[:2]) == ["a0", "a1"]
    np.testing.assert_array_equal(est.predict(A, B), est.labels_)
    est.set_output(transform="pandas")
    out = est.transform(A, B)
    assert list(out.columns) == ["humeclustering0", "humeclustering1", "humeclustering2"]



def test_real_data_mfeat_beats_kmeans_on_either_view():
    from sklearn_hume.datasets import load_mfeat

    d = load_mfeat()  # ships with the package
    est = HumeClustering(n_clusters=10, random_state=0).fit(d.X1, d.X2)
    # KMeans reaches 0.730 on the Fourier view and 0.815 on the pixel view; HUME measured 0.938.
    assert cluster_accuracy(d.y, est.labels_) > 0.9


def test_mini_batches(fast_params):
    X1, X2, y = make_two_views(n_per_class=60)
    full = HumeClustering(n_clusters=3, batch_size=None, **fast_params).fit(X1, X2)
    # A batch covering every row is the full-batch fit; "auto" is full batch on small data.
    for batch in (len(y), 10**6, "auto"):
        est = HumeClustering(n_clusters=3, batch_size=batch, **fast_params).fit(X1, X2)
        np.testing.assert_array_equal(est.labels_, full.labels_)
        np.testing.assert_allclose(est.run_losses_, full.run_losses_, rtol=1e-5)
    small = HumeClustering(n_clusters=3, batch_size=40, **fast_params).fit(X1, X2)
    assert cluster_accuracy(y, small.labels_) == 1.0
    # Batches come from the estimator's own generator: same seed, same labels.
    again = HumeClustering(n_clusters=3, batch_size=40, **fast_params).fit(X1, X2)
    np.testing.assert_array_equal(small.run_labels_, again.run_labels_)
    assert not np.allclose(small.run_losses_, full.run_losses_)


def test_auto_batch_switches_above_10000_rows():
    # "auto": every row up to 10,000, batches of 6,144 beyond (issue 30: a 50,000-row
    # fit 16 s instead of 25 s, at the same ACC).
    X1, X2, y = make_two_views(n_per_class=3334)  # 10,002 rows
    params = dict(n_clusters=3, n_runs=2, n_iter=20, balance="entropy", random_state=0)
    batched = HumeClustering(**params).fit(X1, X2)
    assert batched._settings.batch_size == 6144
    assert cluster_accuracy(y, batched.labels_) == 1.0
    full = HumeClustering(**params).fit(X1[:10_000], X2[:10_000])
    assert full._settings.batch_size == 10_000
