"""The estimator's contract: a self-contained fitted model, one explicit rule
for views, no silent guessing, and scikit-learn's clustering check on every
machine configuration."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_hume import HumeClustering

from .conftest import make_two_views

FAST = dict(n_runs=3, n_iter=30, random_state=0)

# For every constructor parameter, another valid value.
OTHER_VALUES = {
    "n_clusters": 4, "view_sizes": [7, 7], "objective": "turtle", "n_runs": 5, "vote_fraction": 1.0, "n_iter": 3,
    "learning_rate": 0.5, "temperature": 0.7, "entropy_weight": 1.0, "cluster_prior": [1, 2, 3], "n_components": 2,
    "alpha": 3.0, "inner_steps": 2, "inner_lr": 0.3, "batch_size": 10, "n_subsets": 3, "subset_size": 20,
    "train_fraction": 0.5, "anneal_at": [1, 2], "anneal_factor": 0.5, "max_grad_norm": 0.01, "tol": 0.5,
    "label_weight": 4.0, "neighbor_weight": 2.0, "n_neighbors": 3, "overcluster": 2.0,
    "device": "cpu", "n_jobs": 2, "n_threads": 1, "verbose": 1, "random_state": 123, "propagation": 0.0,
    "refine": False, "drop_weak_views": False, "balance": "free",
}


@pytest.mark.parametrize("objective", ["loo", "hume"])
def test_set_params_after_fit_changes_no_output(objective):
    X1, X2, _ = make_two_views()
    kw = dict(FAST, anneal_at=[10]) if objective == "loo" else dict(n_runs=2, n_iter=3, inner_steps=2, n_subsets=1)
    est = HumeClustering(n_clusters=3, objective=objective, **kw).fit(X1, X2)
    outputs = lambda: (est.predict(X1, X2), est.transform(X1, X2), est.score(X1, X2), est.probe_score(X1, X2),
                       est.get_feature_names_out())
    before = outputs()
    assert set(OTHER_VALUES) == set(est.get_params()), "every parameter has an alternative value"
    for name, value in OTHER_VALUES.items():
        params = est.get_params()
        est.set_params(**{name: value})
        after = outputs()
        for a, b in zip(before, after):
            np.testing.assert_array_equal(a, b, err_msg=name)
        est.set_params(**params)


def test_check_clustering_data_over_seeds_threads_and_dtypes():
    """scikit-learn's check_clustering data (blobs, two features, default
    parameters): ARI at least 0.9 for 10 seeds, 1 and 2 threads, float32 and
    float64 (the check itself asks for 0.4)."""
    X, y = make_blobs(n_samples=50, random_state=1)
    X = StandardScaler().fit_transform(X)
    before = torch.get_num_threads()
    aris = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            for dtype in (np.float32, np.float64):
                for seed in range(10):
                    est = HumeClustering(n_clusters=3, random_state=seed).fit(X.astype(dtype))
                    aris.append(adjusted_rand_score(y, est.labels_))
                    assert torch.get_num_threads() == threads  # the caller's setting is restored
    finally:
        torch.set_num_threads(before)
    assert min(aris) >= 0.9, aris


# ----------------------------------------------------------------------------- one rule for views
def test_view_sizes_that_contradict_the_views_passed_raise():
    X1, X2, _ = make_two_views()
    with pytest.raises(ValueError, match=r"view_sizes=\[4, 10\] contradicts the views passed, of \[6, 8\]"):
        HumeClustering(n_clusters=3, view_sizes=[4, 10], **FAST).fit(X1, X2)
    est = HumeClustering(n_clusters=3, view_sizes=[6, 8], **FAST).fit(X1, X2)  # agreeing is fine
    assert est.view_sizes_.tolist() == [6, 8]


def test_y_is_never_a_view_and_a_view_never_y():
    X1, X2, y = make_two_views()
    one = HumeClustering(n_clusters=3, **FAST).fit(X1)
    # A 1-D y is ignored (a clusterer's y), not split off or used.
    np.testing.assert_array_equal(HumeClustering(n_clusters=3, **FAST).fit(X1, y).labels_, one.labels_)
    # A 1-D second argument of another length is no view and no y: an error.
    with pytest.raises(ValueError, match="y has 89 entries but X has 90 rows"):
        HumeClustering(n_clusters=3, **FAST).fit(X1, X2[:89, 0])
    # A one-column 2-D second argument is a view, with a warning in case it was y.
    with pytest.warns(UserWarning, match="one-column 2-D array and is used as a second view"):
        est = HumeClustering(n_clusters=3, **FAST).fit(X1, y[:, None].astype(float))
    assert est.view_sizes_.tolist() == [6, 1]


@pytest.mark.parametrize(
    "second, match",
    [
        ([[1.0, 2.0], [3.0]] * 45, "not a rectangular array"),
        (np.zeros((90, 2, 2)), "must be a second view"),
    ],
    ids=["ragged", "3-D"],
)
def test_second_argument_that_is_neither_view_nor_y(second, match):
    X1, _, _ = make_two_views()
    with pytest.raises(ValueError, match=match):
        HumeClustering(n_clusters=3, **FAST).fit(X1, second)


def test_list_of_views_errors_show_the_right_call():
    X1, X2, _ = make_two_views()
    with pytest.raises(ValueError, match=r"fit\(\[X1, X2\]\)"):
        HumeClustering(n_clusters=3, **FAST).fit(np.stack([X1[:, :6], X2[:, :6]]))
    with pytest.raises(ValueError, match="either as a list"):
        HumeClustering(n_clusters=3, **FAST).fit([X1, X2], X2)


def test_zero_column_view_is_named():
    X1, X2, _ = make_two_views()
    with pytest.raises(ValueError, match="View 2 has 0 feature"):
        HumeClustering(n_clusters=3, **FAST).fit(X1, X2[:, :0])


@pytest.mark.parametrize("params, name", [(dict(n_clusters=True), "n_clusters"), (dict(n_runs=np.True_), "n_runs"),
                                          (dict(device="tpu"), "device"), (dict(device="cuda:x"), "device")])
def test_bools_and_bad_devices_are_rejected(params, name):
    X1, X2, _ = make_two_views()
    with pytest.raises(InvalidParameterError, match=name):
        HumeClustering(**{"n_clusters": 3, **FAST, **params}).fit(X1, X2)


@pytest.mark.parametrize("view_sizes", [[True, 13], [6.0, 8], [np.True_, 13]])
def test_view_sizes_are_integers_not_bools_or_floats(view_sizes):
    X1, X2, _ = make_two_views()
    with pytest.raises(ValueError, match="positive integers"):
        HumeClustering(n_clusters=3, view_sizes=view_sizes, **FAST).fit(np.hstack([X1, X2]))


# ----------------------------------------------------------------------------- warnings where quality degrades
def test_fewer_clusters_than_asked_warns():
    X1, X2, _ = make_two_views()
    X1, X2 = X1[[0, 30, 60]], X2[[0, 30, 60]]  # three distinct samples, each four times: at most 3 clusters
    message = r"Number of distinct clusters \(\d\) found smaller than n_clusters \(4\)"
    with pytest.warns(ConvergenceWarning, match=message):
        HumeClustering(n_clusters=4, **FAST).fit(np.vstack([X1] * 4), np.vstack([X2] * 4))


def test_single_column_and_constant_views_warn():
    X1, X2, _ = make_two_views()
    with pytest.warns(UserWarning, match="View 2 has a single column"):
        HumeClustering(n_clusters=3, **FAST).fit(X1, X2[:, :1])
    with pytest.warns(UserWarning, match="View 2 is constant"):
        est = HumeClustering(n_clusters=3, **FAST).fit(X1, np.full_like(X2, 3.0))
    ref = HumeClustering(n_clusters=3, **FAST).fit(X1)
    from sklearn_hume import cluster_accuracy

    assert cluster_accuracy(ref.labels_, est.labels_) == 1.0  # the constant view changes nothing


def test_parameters_the_objective_does_not_use_warn():
    X1, X2, _ = make_two_views()
    with pytest.warns(UserWarning, match="objective='loo' does not use inner_steps=3"):
        HumeClustering(n_clusters=3, inner_steps=3, **FAST).fit(X1, X2)
    with pytest.warns(UserWarning, match="objective='hume' does not use batch_size=10"):
        HumeClustering(n_clusters=3, objective="hume", batch_size=10, n_runs=1, n_iter=1, inner_steps=1,
                       n_subsets=1).fit(X1, X2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        HumeClustering(n_clusters=3, **FAST).fit(X1, X2)  # defaults: silent


def test_hume_objective_takes_two_views_or_one():
    X1, X2, _ = make_two_views()
    with pytest.raises(ValueError, match='objective="hume" uses exactly two views'):
        HumeClustering(n_clusters=3, objective="hume", **FAST).fit([X1, X2, X1])
    est = HumeClustering(n_clusters=3, objective="hume", n_runs=1, n_iter=1, inner_steps=1, n_subsets=1).fit(X1)
    assert len(est.heads_) == 1


def test_runs_that_disagree_warn():
    X1, X2, _ = make_two_views()
    # Untrained random heads (n_iter=0) label at random: the runs disagree.
    # One family of runs ("entropy"): "auto" may keep a second random family
    # that happens to agree more.
    with pytest.warns(UserWarning, match="voting runs disagree"):
        HumeClustering(n_clusters=3, n_runs=6, n_iter=0, balance="entropy", random_state=0).fit(X1, X2)


def test_progress_only_when_asked(capsys):
    X1, X2, _ = make_two_views()
    HumeClustering(n_clusters=3, **FAST).fit(X1, X2)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # quiet by default
    HumeClustering(n_clusters=3, verbose=1, **FAST).fit(X1, X2)
    out = capsys.readouterr()
    assert "HumeClustering" in out.err  # the progress bar (tqdm, stderr)
    assert "final objective" in out.out  # the phase lines, in the score vocabulary
