"""The shipped dataset and the benchmark main job."""

import sys
import types
import warnings

import numpy as np
import pytest

from sklearn_hume.benchmark import load_dataset, run, warm_up, warm_up_rows
from sklearn_hume.datasets import get_data_home, hog_features, load_digits_views, load_mfeat


def test_load_mfeat():
    d = load_mfeat()
    assert d.X1.shape == (2000, 76) and d.X2.shape == (2000, 240)
    assert d.data.shape == (2000, 316) and d.view_sizes == [76, 240]
    assert set(d.views) == {"fou", "pix", "fac", "kar", "zer", "mor"}
    np.testing.assert_array_equal(np.bincount(d.target), np.full(10, 200))
    assert "CC BY 4.0" in d.DESCR
    X, y = load_mfeat(views=["kar", "zer", "mor"], return_X_y=True)
    assert X.shape == (2000, 64 + 47 + 6) and y.shape == (2000,)
    with pytest.raises(ValueError, match="Unknown or no mfeat views"):
        load_mfeat(views=["nope"])


def test_load_digits_views():
    from sklearn.datasets import load_digits

    d = load_digits_views()
    ref = load_digits()
    assert d.X1.shape == (1797, 64) and d.X2.shape == (1797, 144) and d.view_sizes == [64, 144]
    assert d.X1.dtype == d.X2.dtype == np.float32 and d.data.shape == (1797, 208)
    np.testing.assert_array_equal(d.X1, ref.data)
    np.testing.assert_array_equal(d.y, ref.target)
    np.testing.assert_allclose(np.linalg.norm(d.X2, axis=1), 1, rtol=1e-5)  # HOG rows are unit vectors
    # One image by hand: scaled up threefold, padded by 2 to 28 x 28, intensities 0-16 to 0-255.
    image = np.pad(np.kron(ref.images[5], np.ones((3, 3))), 2)
    np.testing.assert_allclose(d.X2[5], hog_features((image * (255 / 16)).astype(np.uint8)[None])[0])
    X, y = load_digits_views(return_X_y=True)
    np.testing.assert_array_equal(X, d.data)
    np.testing.assert_array_equal(y, d.y)
    views, names, target = load_dataset("digits", "")  # the main job's --dataset digits
    assert names == ["pixels", "hog"] and [v.shape[1] for v in views] == [64, 144] and len(target) == 1797


def test_shipped_copy_equals_shared_case():
    from .conftest import load_case

    shared = load_case("mfeat")
    d = load_mfeat()
    np.testing.assert_array_equal(d.X1, shared["X1"])
    np.testing.assert_array_equal(d.views["zer"], shared["V_zer"])
    np.testing.assert_array_equal(d.y, shared["y"])


def test_get_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SKLEARN_HUME_DATA", str(tmp_path / "cache"))
    assert get_data_home() == tmp_path / "cache" and (tmp_path / "cache").is_dir()
    assert get_data_home(tmp_path / "x") == tmp_path / "x"


class _FakeMultiviewSpectral:
    """Stands in for mvlearn's MultiviewSpectralClustering (the optional peer):
    records the views it is given and labels rows by their index."""

    calls = []

    def __init__(self, n_clusters, **kwargs):
        self.n_clusters = n_clusters

    def fit_predict(self, views):
        self.calls.append([v.shape for v in views])
        return np.arange(len(views[0])) % self.n_clusters


def test_benchmark_writes_table_and_figures(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(_FakeMultiviewSpectral, "calls", [])  # this test's calls only
    fake = types.ModuleType("mvlearn.cluster")
    fake.MultiviewSpectralClustering = _FakeMultiviewSpectral
    monkeypatch.setitem(sys.modules, "mvlearn", types.ModuleType("mvlearn"))
    monkeypatch.setitem(sys.modules, "mvlearn.cluster", fake)
    rows = run("mfeat", "fou,pix", out=tmp_path, hume_params={"n_runs": 2, "n_iter": 20, "verbose": 1},
               spectral=False, verbose=0)
    # The multi-view peer gets each view on its own (after the warm-up on 200 rows).
    assert _FakeMultiviewSpectral.calls == [[(200, 76), (200, 240)], [(2000, 76), (2000, 240)]]
    out = capsys.readouterr()
    # Nothing but the table's own lines: no progress bar or verbose line inside it.
    assert "[HumeClustering]" not in out.out and "HumeClustering:" not in out.err
    methods = [r["method"] for r in rows]
    assert methods[:3] == ["KMeans on fou", "KMeans on pix", "KMeans on all views"]
    assert "HumeClustering" in methods and methods[-1].startswith("Linear probe")
    # The previous default (the runs' vote alone) sits right before the current one.
    assert methods[methods.index("HumeClustering") - 1] == "HumeClustering, runs' vote only"
    assert "Ward on all views (PCA-64)" in methods  # the peers that matter are in the table
    assert "mvlearn multi-view spectral" in methods
    acc = {r["method"]: r["acc"] for r in rows}
    # Reference figures of the shipped digits: KMeans 0.730 / 0.916, the supervised probe 0.980.
    assert acc["KMeans on all views"] > acc["KMeans on fou"] + 0.1
    assert acc["Linear probe (supervised, 70/30)"] > 0.95
    table, views = (tmp_path / "results.md").read_text().split("\n\nHumeClustering's views:\n\n")
    assert table.count("\n") == len(rows) + 1
    # One line per view after the header: view_scores_ and view_weights_ (summing to 1).
    view_rows = [line.split(" | ") for line in views.strip().splitlines()[2:]]
    assert [r[0] for r in view_rows] == ["| fou", "| pix"]
    assert sum(float(r[2].strip(" |")) for r in view_rows) == pytest.approx(1.0, abs=2e-3)
    for name in ["results.csv", "accuracy.png", "score_vs_accuracy.png", "view_weights.png", "runs.npz"]:
        assert (tmp_path / name).stat().st_size > 0


def test_accuracy_figure_title_names_a_peer_that_leads():
    from sklearn_hume.benchmark import _accuracy_title

    rows = [{"method": "KMeans on all views", "acc": 0.9}, {"method": "HumeClustering", "acc": 0.95},
            {"method": "Linear probe (supervised, 70/30)", "acc": 0.99}]
    assert _accuracy_title(rows, "mfeat") == "mfeat: HumeClustering and its peers"
    rows.append({"method": "Spectral on all views", "acc": 0.97})
    assert _accuracy_title(rows, "mfeat").endswith("(Spectral on all views leads on this dataset)")


def test_warm_up_rows_are_a_random_sample_of_every_class():
    # mfeat's rows are sorted by class: its first 200 rows are all zeros.
    y = np.repeat(np.arange(10), 200)
    rows = warm_up_rows(len(y), seed=0)
    assert len(rows) == 200 and np.all(np.diff(rows) > 0)
    assert len(np.unique(y[rows])) == 10
    np.testing.assert_array_equal(rows, warm_up_rows(len(y), seed=0))
    np.testing.assert_array_equal(warm_up_rows(50, seed=0), np.arange(50))  # fewer rows than 200: all


def test_warm_up_keeps_its_warnings_from_the_user():
    calls = []

    def fit(data):
        calls.append(data.shape)
        warnings.warn("a lost cluster", UserWarning, stacklevel=2)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that escapes fails the test
        warm_up(fit, np.zeros((200, 3)))
    assert calls == [(200, 3)]
    # Only the warm-up's warnings: the same fit's warnings reach the user afterwards.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warm_up(fit, np.zeros((1, 3)))
        fit(np.zeros((1, 3)))
    assert [str(w.message) for w in caught] == ["a lost cluster"]
