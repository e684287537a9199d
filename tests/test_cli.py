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
        main(["fit", str(path), str(tmp / "v1.npy"), "-k", "3", "-q"])


def test_mismatched_rows(files):
    tmp, _ = files
    np.save(tmp / "short.npy", np.zeros((10, 3)))
    with pytest.raises(SystemExit, match="different numbers of rows"):
        main(["fit", str(tmp / "v1.npy"), str(tmp / "short.npy"), "-k", "3", "-q"])


def test_console_script_runs(files):
    tmp, y = files
    proc = subprocess.run([sys.executable, "-m", "sklearn_hume._cli", "fit", str(tmp / "v1.npy"), str(tmp / "v2.csv"),
                           "-k", "3", "--n-runs", "2", "-o", str(tmp / "l.npy")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 90 labels" in proc.stdout
    assert "iteration 150/150" in proc.stdout  # progress is shown
