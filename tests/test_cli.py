"""The command line, end to end in a temporary folder."""

import subprocess
import sys

import joblib
import numpy as np
import pytest

from sklearn_hume import cluster_accuracy
from sklearn_hume._cli import main

from .conftest import make_two_views


@pytest.fixture
def files(tmp_path):
    X1, X2, y = make_two_views()
    np.save(tmp_path / "v1.npy", X1)
    np.savetxt(tmp_path / "v2.csv", X2, delimiter=",", header=",".join(f"f{i}" for i in range(8)), comments="")
    return tmp_path, y


def test_fit_writes_labels_soft_and_model(files):
    tmp, y = files
    main(["fit", str(tmp / "v1.npy"), str(tmp / "v2.csv"), "-k", "3", "-o", str(tmp / "labels.npy"),
          "--soft", str(tmp / "soft.npy"), "--model", str(tmp / "model.joblib"), "--n-runs", "4", "-q"])
    labels = np.load(tmp / "labels.npy")
    assert cluster_accuracy(y, labels) == 1.0
    soft = np.load(tmp / "soft.npy")
    np.testing.assert_allclose(soft.sum(1), 1, rtol=1e-5)
    est = joblib.load(tmp / "model.joblib")
    X = np.hstack([np.load(tmp / "v1.npy"), np.loadtxt(tmp / "v2.csv", delimiter=",", skiprows=1)])
    np.testing.assert_array_equal(est.predict(X), labels)


def test_npz_with_two_views_and_csv_output(files):
    tmp, y = files
    X1, X2, _ = make_two_views()
    np.savez(tmp / "both.npz", a=X1, b=X2)
    main(["fit", str(tmp / "both.npz"), "-k", "3", "-o", str(tmp / "labels.csv"), "--n-runs", "4", "-q"])
    assert (tmp / "labels.csv").read_text().splitlines()[0] in {"0", "1", "2"}
    assert cluster_accuracy(y, np.loadtxt(tmp / "labels.csv")) == 1.0


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda t: (t / "missing.npy", None), "no such file"),
        (lambda t: (t / "bad.npy", b"not a numpy file"), "cannot read it"),
        (lambda t: (t / "v.parquet", b"x"), "unsupported file type"),
        (lambda t: (t / "flat.npy", np.arange(5.0)), "expected a 2-D numeric array"),
    ],
)
def test_clear_errors_on_bad_files(files, make, message, capsys):
    tmp, _ = files
    path, content = make(tmp)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        np.save(path, content)
    with pytest.raises(SystemExit, match=message):
        main(["fit", str(path), str(tmp / "v1.npy"), "-k", "3", "-q", "-o", str(tmp / "out.npy")])


def test_mismatched_rows(files):
    tmp, _ = files
    np.save(tmp / "short.npy", np.zeros((10, 3)))
    with pytest.raises(SystemExit, match="different numbers of rows"):
        main(["fit", str(tmp / "v1.npy"), str(tmp / "short.npy"), "-k", "3", "-q", "-o", str(tmp / "out.npy")])


def test_console_script_runs(files):
    tmp, y = files
    proc = subprocess.run([sys.executable, "-m", "sklearn_hume._cli", "fit", str(tmp / "v1.npy"), str(tmp / "v2.csv"),
                           "-k", "3", "--n-runs", "2", "-o", str(tmp / "l.npy")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 90 labels" in proc.stdout
    assert "HumeClustering" in proc.stderr  # the progress bar
    assert "score (agreement of the views' labelings" in proc.stdout


def test_writes_exactly_the_path_given_and_refuses_to_overwrite(files):
    tmp, y = files
    args = ["fit", str(tmp / "v1.npy"), str(tmp / "v2.csv"), "-k", "3", "--n-runs", "2", "-q"]
    main(args + ["-o", str(tmp / "out.txt")])
    assert sorted(p.name for p in tmp.iterdir()) == ["out.txt", "v1.npy", "v2.csv"]  # no out.txt.npy, no temp file
    with open(tmp / "out.txt", "rb") as fh:
        assert cluster_accuracy(y, np.load(fh)) == 1.0
    before = (tmp / "out.txt").read_bytes()
    with pytest.raises(SystemExit, match="exists; pass --force"):
        main(args + ["-o", str(tmp / "out.txt")])
    assert (tmp / "out.txt").read_bytes() == before
    main(args + ["-o", str(tmp / "out.txt"), "--force", "--random-state", "1"])


def test_output_paths_are_checked_before_fitting(files, monkeypatch):
    tmp, _ = files
    from sklearn_hume import HumeClustering

    monkeypatch.setattr(HumeClustering, "fit", lambda *a, **k: pytest.fail("fitted before checking the outputs"))
    with pytest.raises(SystemExit, match="does not exist"):
        main(["fit", str(tmp / "v1.npy"), str(tmp / "v2.csv"), "-k", "3", "-o", str(tmp / "labels.npy"),
              "--model", str(tmp / "no" / "such" / "dir" / "m.joblib")])
    assert not (tmp / "labels.npy").exists()


def test_bad_values_name_their_file(files):
    tmp, _ = files
    X1, _, _ = make_two_views()
    bad = X1.copy()
    bad[3, 1] = np.nan
    np.save(tmp / "nan.npy", bad)
    np.save(tmp / "complex.npy", X1 + 1j)
    for name, message in [("nan.npy", "nan.npy: contains NaN"), ("complex.npy", "complex.npy: complex")]:
        with pytest.raises(SystemExit, match=message):
            main(["fit", str(tmp / name), str(tmp / "v2.csv"), "-k", "3", "-o", str(tmp / "o.npy")])


def test_csv_index_column_is_not_a_feature(files):
    pd = pytest.importorskip("pandas")
    tmp, y = files
    _, X2, _ = make_two_views()
    pd.DataFrame(X2, columns=[f"f{i}" for i in range(8)]).to_csv(tmp / "indexed.csv")  # pandas writes the index
    main(["fit", str(tmp / "v1.npy"), str(tmp / "indexed.csv"), "-k", "3", "--n-runs", "2", "-q",
          "-o", str(tmp / "l.npy"), "--model", str(tmp / "m.joblib")])
    est = joblib.load(tmp / "m.joblib")
    assert est.view_sizes_.tolist() == [6, 8]
    assert est.verbose == 0


def test_options_reach_the_estimator(files):
    tmp, _ = files
    X1, X2, _ = make_two_views()
    np.save(tmp / "both.npy", np.hstack([X1, X2]))
    main(["fit", str(tmp / "both.npy"), "-k", "3", "--view-sizes", "6,8", "--temperature", "0.2", "--n-iter", "7",
          "--n-runs", "3", "--random-state", "5", "--device", "cpu", "-q", "-o", str(tmp / "l.npy"),
          "--model", str(tmp / "m.joblib")])
    est = joblib.load(tmp / "m.joblib")
    assert est.view_sizes_.tolist() == [6, 8] and est.temperature_ == 0.2 and est.n_iter_ <= 7
    assert (est.n_runs, est.random_state, est.device) == (3, 5, "cpu")


def test_benchmark_help():
    proc = subprocess.run([sys.executable, "-m", "sklearn_hume._cli", "benchmark", "--help"], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "--dataset" in proc.stdout
