"""Errors that name the view, row and column; settings that do nothing say so."""

import numpy as np
import pytest

from sklearn_hume import HumeClustering, select_n_clusters

from .conftest import make_two_views

FAST = dict(n_clusters=3, n_runs=1, n_iter=2, random_state=0)


@pytest.mark.parametrize("value, what", [(np.nan, "NaN"), (np.inf, "an infinite value")])
def test_a_non_finite_value_is_located_in_its_view(value, what):
    X1, X2, _ = make_two_views()
    bad = X2.copy()
    bad[5, 2] = value
    message = f"the first is {what} at row 5, view 2, column 2"
    with pytest.raises(ValueError, match=message):
        HumeClustering(**FAST).fit(X1, bad)
    est = HumeClustering(**FAST).fit(X1, X2)
    with pytest.raises(ValueError, match=message):
        est.predict(X1, bad)
    with pytest.raises(ValueError, match="row 5, column 8"):  # one matrix of one view
        HumeClustering(**FAST).fit(np.hstack([X1, bad]))


def test_a_cut_view_is_named():
    X1, X2, _ = make_two_views()
    est = HumeClustering(**FAST).fit(X1, X2)
    with pytest.raises(ValueError, match=r"view 2 has 3, not 8"):
        est.predict(X1, X2[:, :3])


def test_a_string_column_is_named():
    pd = pytest.importorskip("pandas")
    X1, _, _ = make_two_views()
    df = pd.DataFrame(X1, columns=[f"f{i}" for i in range(6)]).assign(colour="blue")
    with pytest.raises(ValueError, match="Column 'colour' is not numeric"):
        HumeClustering(**FAST).fit(df)


def test_n_iter_zero_warns():
    X1, X2, _ = make_two_views()
    with pytest.warns(UserWarning, match="n_iter=0: the runs are not optimised"):
        HumeClustering(n_clusters=3, n_runs=1, n_iter=0, random_state=0).fit(X1, X2)


@pytest.mark.parametrize("candidates", [[2.5, 3], ["2", "3"], [True, 3]])
def test_select_n_clusters_takes_whole_numbers_only(candidates):
    X1, X2, _ = make_two_views()
    with pytest.raises(ValueError, match="must hold integers >= 2"):
        select_n_clusters(X1, X2, n_clusters_range=candidates)


def test_views_as_nested_lists_of_different_widths():
    X1, X2, _ = make_two_views()
    arrays = HumeClustering(n_clusters=3, n_runs=2, random_state=0).fit([X1, X2])
    lists = HumeClustering(n_clusters=3, n_runs=2, random_state=0).fit([X1.tolist(), X2.tolist()])
    assert lists.view_sizes_.tolist() == [6, 8]
    np.testing.assert_array_equal(lists.labels_, arrays.labels_)
    soft = HumeClustering(n_clusters=3, n_runs=2, random_state=0).fit_transform([X1.tolist(), X2.tolist()])
    np.testing.assert_allclose(soft, arrays.transform(X1, X2), rtol=1e-6)
    np.testing.assert_array_equal(lists.predict([X1.tolist(), X2.tolist()]), arrays.labels_)
    ragged = X2.tolist()
    ragged[3] = ragged[3][:4]
    with pytest.raises(ValueError, match="View 2 is not a rectangular array"):
        HumeClustering(**FAST).fit([X1.tolist(), ragged])
    # One nested list of rows is still one matrix.
    assert HumeClustering(**FAST).fit(X1.tolist()).view_sizes_.tolist() == [6]


@pytest.mark.parametrize("container", ["dask", "memmap"])
def test_a_view_without_columns_out_of_core(container, tmp_path):
    X1, _, _ = make_two_views()
    empty = np.zeros((len(X1), 0))
    if container == "dask":
        da = pytest.importorskip("dask.array")
        views = [da.from_array(X1), da.from_array(empty)]
    else:
        views = []
        for name, a in (("a", X1), ("b", empty)):
            m = np.lib.format.open_memmap(tmp_path / f"{name}.npy", mode="w+", dtype=a.dtype, shape=a.shape)
            m[:] = a
            views.append(np.load(tmp_path / f"{name}.npy", mmap_mode="r"))
    with pytest.raises(ValueError, match=r"View 2 has 0 feature\(s\)"):
        HumeClustering(**FAST).fit(views)


def test_compare_known_labels_needs_two_classes():
    from sklearn_hume import compare_known_labels

    X1, X2, y = make_two_views()
    known = np.full(len(y), -1)
    known[y == 1] = 1
    with pytest.raises(ValueError, match=r"known_labels names a single class \(1\)"):
        compare_known_labels(X1, X2, known_labels=known, estimator=HumeClustering(**FAST))
