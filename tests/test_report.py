"""The HTML report: what it shows, that it is self-contained, the command
line, and (where Debian's chromium is installed) that a real headless
browser opens it without console errors and renders every cluster."""

import base64
import re
import shutil
import struct
import subprocess
import zlib

import numpy as np
import pytest

from sklearn_hume import HumeClustering, report, save_model
from sklearn_hume._cli import main
from sklearn_hume._report import build_report, png_bytes

from .conftest import make_two_views


@pytest.fixture(scope="module")
def fitted():
    X1, X2, y = make_two_views(n_per_class=25)
    return HumeClustering(n_clusters=3, n_runs=3, random_state=0).fit(X1, X2), X1, X2


def test_png_bytes_by_hand():
    data = png_bytes(np.array([[0.0, 1.0], [2.0, 4.0]]))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (width, height, depth, colour) == (2, 2, 8, 0)
    start = data.index(b"IDAT") + 4
    (length,) = struct.unpack(">I", data[start - 8:start - 4])
    raw = zlib.decompress(data[start:start + length])
    # Each row: filter byte 0, then the values scaled by their range 0..4 to 0..255.
    assert raw == bytes([0, 0, 64, 0, 128, 255])
    assert struct.unpack(">IIBB", png_bytes(np.zeros((3, 5, 3)))[16:26]) == (5, 3, 8, 2)


def test_report_shows_summary_map_and_every_cluster(fitted, tmp_path):
    est, X1, X2 = fitted
    texts = [f"sample <{i}> & friends" for i in range(len(X1))]
    page = build_report(est, X1, X2, texts=texts, n=2)
    for k in range(3):
        assert f'id="cluster-{k}"' in page and f'href="#cluster-{k}"' in page
    assert page.count("<circle") == len(X1)  # every row on the map (fewer than MAP_POINTS)
    assert "sample &lt;" in page and "&amp; friends" in page  # texts escaped
    # Self-contained: no script, nothing fetched from anywhere.
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page)
    reps = est.representatives(2)
    for i in reps["central"][0]:
        assert f"<b>{i}</b>" in page
    # Images as arrays become inline PNGs; without images or texts, indices.
    images = np.random.RandomState(0).rand(len(X1), 4, 4)
    page = build_report(est, X1, X2, images=images, n=2)
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(uris) == 3 * 2 * 2 and base64.b64decode(uris[0])[:4] == b"\x89PNG"
    assert 'class="index"' in build_report(est, X1, X2, n=2)
    out = report(est, [X1, X2], path=tmp_path / "r.html")
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_report_refuses_rows_it_cannot_describe(fitted):
    est, X1, X2 = fitted
    with pytest.raises(ValueError, match="training rows"):
        build_report(est, X1[:10], X2[:10])
    with pytest.raises(ValueError, match="texts has 3 entries"):
        build_report(est, X1, X2, texts=["a", "b", "c"])
    with pytest.raises(ValueError, match="not square"):
        build_report(est, X1, X2, images=np.zeros((len(X1), 6)))
    with pytest.raises(ValueError, match="n must be a positive integer"):
        build_report(est, X1, X2, n=0)


def test_report_from_the_command_line(fitted, tmp_path, capsys):
    est, X1, X2 = fitted
    np.save(tmp_path / "a.npy", X1)
    np.save(tmp_path / "b.npy", X2)
    save_model(est, tmp_path / "m.joblib")
    (tmp_path / "t.txt").write_text("\n".join(f"text {i}" for i in range(len(X1))) + "\n", encoding="utf-8")
    main(["report", str(tmp_path / "a.npy"), str(tmp_path / "b.npy"), "--model", str(tmp_path / "m.joblib"),
          "-o", str(tmp_path / "r.html"), "--texts", str(tmp_path / "t.txt"), "-n", "2"])
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    for rows in est.representatives(2)["central"]:  # the saved model is this one
        for i in rows:
            assert f"<b>{i}</b>: text {i}</blockquote>" in page
    assert "wrote the report" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # exists: refused without --force
        main(["report", str(tmp_path / "a.npy"), str(tmp_path / "b.npy"), "--model", str(tmp_path / "m.joblib"),
              "-o", str(tmp_path / "r.html"), "-q"])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_a_headless_browser_renders_every_cluster(fitted, tmp_path):
    est, X1, X2 = fitted
    images = np.random.RandomState(0).rand(len(X1), 8, 8)
    path = report(est, X1, X2, path=tmp_path / "r.html", images=images, n=3)
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]
    url = path.resolve().as_uri()
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120)
    if dom.returncode != 0 and not dom.stdout.strip():
        pytest.skip(f"chromium does not start on this machine: {dom.stderr[-500:]}")  # the machine, not the page
    assert dom.returncode == 0, dom.stderr[-2000:]
    for k in range(3):
        assert f'id="cluster-{k}"' in dom.stdout
    assert dom.stdout.count("<img") == 3 * 2 * 3
    assert "CONSOLE" not in dom.stderr  # the page logs nothing: no errors, no warnings
    shot = tmp_path / "shot.png"
    run = subprocess.run([*flags, "--window-size=1000,3000", f"--screenshot={shot}", url], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0 and shot.stat().st_size > 10_000


def test_image_files_are_embedded_and_missing_ones_shown_as_indices(fitted, tmp_path):
    est, X1, X2 = fitted
    paths = []
    for i in range(len(X1)):
        p = tmp_path / f"img{i}.png"
        if i % 2 == 0:  # every other file exists
            p.write_bytes(png_bytes(np.full((3, 3), float(i))))
        paths.append(str(p))
    page = build_report(est, X1, X2, images=paths, n=2)
    shown = [int(i) for k in range(3) for kind in ("central", "doubtful") for i in est.representatives(2)[kind][k]]
    for i in shown:
        if i % 2 == 0:
            assert f'alt="row {i}"' in page  # embedded as a data URI, not linked
        else:
            assert f'<span class="index">{i}</span>' in page
    assert str(tmp_path) not in page
    with pytest.raises(ValueError, match="paths for"):
        build_report(est, X1, X2, images=paths[:3])
