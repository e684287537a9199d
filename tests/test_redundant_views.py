"""A view passed twice, or nearly so, counts once (``view_groups_``)."""

import numpy as np
import pytest
import torch

from sklearn_hume import HumeClustering
from sklearn_hume._prepare import linear_cka, redundant_views

from .conftest import make_two_views


def test_linear_cka_by_hand():
    A = torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]], dtype=torch.float64)
    assert linear_cka(A, A) == pytest.approx(1.0)
    assert linear_cka(A, 3 * A @ torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64)) == pytest.approx(1.0)
    # A one-column view of the first axis: A^T B = [2, 0]^T, ||A^T A|| = 2 sqrt 2, ||B^T B|| = 2.
    assert linear_cka(A, A[:, :1]) == pytest.approx(4 / (2 * np.sqrt(2) * 2))
    assert redundant_views([A, A[:, :1], 2 * A]).tolist() == [0, 1, 0]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("copy", ["same", "noisy", "scaled"])
def test_a_duplicated_view_gives_the_two_view_labels(seed, copy):
    X1, X2, _ = make_two_views(seed=seed)
    rng = np.random.RandomState(seed)
    again = {"same": X1.copy(), "noisy": X1 + 0.01 * X1.std() * rng.normal(size=X1.shape), "scaled": 7 * X1}[copy]
    two = HumeClustering(n_clusters=3, n_runs=4, random_state=seed).fit(X1, X2)
    with pytest.warns(UserWarning, match="View 3 nearly duplicates view 1"):
        three = HumeClustering(n_clusters=3, n_runs=4, random_state=seed).fit([X1, X2, again])
    np.testing.assert_array_equal(three.labels_, two.labels_)
    assert three.view_groups_.tolist() == [0, 1, 0]
    # The group's share is split between its two views.
    assert three.view_weights_[0] == pytest.approx(three.view_weights_[2], rel=0.05)
    assert three.view_weights_.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(three.predict([X1, X2, again]), three.labels_)


def test_distinct_views_are_all_used():
    X1, X2, _ = make_two_views()
    est = HumeClustering(n_clusters=3, n_runs=2, n_iter=5, random_state=0).fit(X1, X2)
    assert est.view_groups_.tolist() == [0, 1] and len(est.heads_) == 2
