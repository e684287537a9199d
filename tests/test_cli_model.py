"""The command line after the fit: predict and transform with a saved model,
skops and joblib model files, and how outputs are written."""

import os
import stat
import subprocess
import sys
import time

import numpy as np
import pytest

from sklearn_hume import HumeClustering, load_model, save_model
from sklearn_hume._cli import main

from .conftest import make_two_views

pytest.importorskip("skops")


@pytest.fixture
def fitted(tmp_path):
    X1, X2, y = make_two_views()
    np.save(tmp_path / "v1.npy", X1)
    np.save(tmp_path / "v2.npy", X2)
    views = [str(tmp_path / "v1.npy"), str(tmp_path / "v2.npy")]
    main(["fit", *views, "-k", "3", "-o", str(tmp_path / "labels.npy"), "--model", str(tmp_path / "m.skops"),
          "--soft", str(tmp_path / "soft.npy"), "--n-runs", "4", "-q"])
    return tmp_path, views


def test_predict_and_transform_with_the_saved_model(fitted):
    tmp, views = fitted
    main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "new.npy"), "-q"])
    main(["transform", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "new_soft.csv"), "-q"])
    np.testing.assert_array_equal(np.load(tmp / "new.npy"), np.load(tmp / "labels.npy"))
    np.testing.assert_allclose(np.loadtxt(tmp / "new_soft.csv", delimiter=","), np.load(tmp / "soft.npy"), rtol=1e-6)
    # New rows: the first 10 rows alone get the labels they got among all rows.
    np.save(tmp / "a.npy", np.load(views[0])[:10])
    np.save(tmp / "b.npy", np.load(views[1])[:10])
    main(["predict", str(tmp / "a.npy"), str(tmp / "b.npy"), "--model", str(tmp / "m.skops"), "-o",
          str(tmp / "ten.csv"), "-q"])
    np.testing.assert_array_equal(np.loadtxt(tmp / "ten.csv", dtype=int), np.load(tmp / "labels.npy")[:10])


def test_predict_refuses_what_fit_refuses(fitted, capsys):
    tmp, views = fitted
    with pytest.raises(SystemExit, match="exists; pass --force"):
        main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "labels.npy")])
    with pytest.raises(SystemExit, match=r"views have \[6\] columns but the model was fitted on views of \[6, 8\]"):
        main(["predict", views[0], "--model", str(tmp / "m.skops"), "-o", str(tmp / "x.npy")])
    with pytest.raises(SystemExit, match="no such model file"):
        main(["predict", *views, "--model", str(tmp / "missing.skops"), "-o", str(tmp / "x.npy")])
    (tmp / "junk.skops").write_bytes(b"not a model")
    with pytest.raises(SystemExit, match="junk.skops: cannot load the model"):
        main(["predict", *views, "--model", str(tmp / "junk.skops"), "-o", str(tmp / "x.npy")])
    main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "labels.npy"), "--force", "-q"])


def test_a_joblib_model_loads_with_a_warning(fitted, capsys):
    tmp, views = fitted
    main(["fit", *views, "-k", "3", "-o", str(tmp / "l2.npy"), "--model", str(tmp / "m.joblib"), "--n-runs", "4",
          "-q"])
    main(["predict", *views, "--model", str(tmp / "m.joblib"), "-o", str(tmp / "p.npy"), "-q"])
    assert "is a pickle (joblib): loading it runs any code" in capsys.readouterr().err
    np.testing.assert_array_equal(np.load(tmp / "p.npy"), np.load(tmp / "l2.npy"))
    with pytest.warns(UserWarning, match="runs any code"):
        load_model(tmp / "m.joblib")


def test_skops_model_is_bit_identical_in_a_new_process(tmp_path):
    X1, X2, _ = make_two_views(seed=3)
    est = HumeClustering(n_clusters=3, n_runs=4, random_state=0).fit(X1, X2)
    save_model(est, tmp_path / "m.skops")
    np.save(tmp_path / "X1.npy", X1)
    np.save(tmp_path / "X2.npy", X2)
    code = ("import numpy as np, sys; from sklearn_hume import load_model; d = sys.argv[1]; "
            "m = load_model(d + '/m.skops'); X1, X2 = np.load(d + '/X1.npy'), np.load(d + '/X2.npy'); "
            "np.save(d + '/out.npy', m.transform(X1, X2)); np.save(d + '/lab.npy', m.predict(X1, X2))")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True)
    assert np.array_equal(np.load(tmp_path / "out.npy"), est.transform(X1, X2))  # bit for bit
    np.testing.assert_array_equal(np.load(tmp_path / "lab.npy"), est.labels_)


class Foreign:
    """A type that is not the package's: its skops file must not load unasked."""


def test_a_skops_file_with_foreign_types_is_refused(tmp_path):
    import skops.io as sio

    sio.dump(Foreign(), tmp_path / "other.skops")
    with pytest.raises(ValueError, match=r"not sklearn-hume's: \['tests.test_cli_model.Foreign'\]"):
        load_model(tmp_path / "other.skops")


def test_outputs_get_the_umask_mode(fitted):
    tmp, views = fitted
    old = os.umask(0o022)
    try:
        main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "mode.npy"), "-q"])
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp / "mode.npy").st_mode) == 0o644


def test_unwritable_outputs_are_found_before_the_fit(fitted, monkeypatch):
    tmp, views = fitted
    monkeypatch.setattr(HumeClustering, "fit", lambda *a, **k: pytest.fail("fitted before checking the output"))
    with pytest.raises(SystemExit, match="is a folder"):
        main(["fit", *views, "-k", "3", "-o", str(tmp)])
    if os.geteuid() != 0:  # root writes into read-only folders
        ro = tmp / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        with pytest.raises(SystemExit, match="cannot write in"):
            main(["fit", *views, "-k", "3", "-o", str(ro / "l.npy")])
    with pytest.raises(SystemExit, match="cannot write in|does not exist"):
        main(["fit", *views, "-k", "3", "-o", "/proc/sklearn-hume-test/l.npy"])


def test_force_writes_through_a_symlink_and_never_replaces_a_device(fitted):
    tmp, views = fitted
    target = tmp / "target.npy"
    np.save(target, np.zeros(3))
    (tmp / "link.npy").symlink_to(target)
    main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "link.npy"), "--force", "-q"])
    assert (tmp / "link.npy").is_symlink()
    np.testing.assert_array_equal(np.load(target), np.load(tmp / "labels.npy"))
    with pytest.raises(SystemExit, match="not a regular file"):
        main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", "/dev/null", "--force"])


def test_csv_with_pandas_column_numbers_as_header(tmp_path, capsys):
    from sklearn_hume._cli import _read_csv

    X = np.arange(12.0).reshape(4, 3) + 0.5
    (tmp_path / "v.csv").write_text("0,1,2\n" + "\n".join(",".join(str(v) for v in row) for row in X) + "\n")
    np.testing.assert_array_equal(_read_csv(tmp_path / "v.csv"), X)
    assert "numbers the columns" in capsys.readouterr().err


def test_sigterm_leaves_no_temporary_file(fitted):
    tmp, views = fitted
    proc = subprocess.Popen([sys.executable, "-c", _SIGTERM_CHILD, str(tmp), *views])
    for _ in range(600):
        if (tmp / "started").exists():
            break
        time.sleep(0.05)
    proc.terminate()
    assert proc.wait(timeout=30) == 128 + 15
    assert not [p.name for p in tmp.iterdir() if p.name.endswith(".tmp")]
    assert not (tmp / "slow.npy").exists()


# Run as a shell command would run it (main() with no argv), with np.save stalled.
_SIGTERM_CHILD = """
import sys, time
import sklearn_hume._cli as c
d, v1, v2 = sys.argv[1:4]
def stalled(fh, a):
    open(d + '/started', 'w').close()
    time.sleep(60)
c.np.save = stalled
sys.argv = ['sklearn-hume', 'predict', v1, v2, '--model', d + '/m.skops', '-o', d + '/slow.npy', '-q']
c.main()
"""


def test_help_does_not_import_torch():
    out = subprocess.run([sys.executable, "-c", "import sys; from sklearn_hume._cli import main\n"
                          "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\nprint('torch' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("False")


def test_predict_contamination_from_the_command_line(fitted, capsys):
    tmp, views = fitted
    main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "r.npy"), "--contamination", "0.1"])
    out = np.load(tmp / "r.npy")
    expected = load_model(tmp / "m.skops").predict(np.hstack([np.load(v) for v in views]).astype(np.float32),
                                                   contamination=0.1)
    np.testing.assert_array_equal(out, expected)
    assert 0 < (out == -1).sum() < len(out)
    assert f"{(out == -1).sum()} rows labelled -1" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["predict", *views, "--model", str(tmp / "m.skops"), "-o", str(tmp / "s.npy"),
              "--contamination", "0.1", "--threshold", "1"])
