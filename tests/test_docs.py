"""The documentation builds without warnings and the gallery examples run."""

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("plot_*.py")), ids=lambda p: p.name)
def test_example_runs(script, monkeypatch, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(script), run_name="__main__")


def test_docs_build_without_warnings(tmp_path):
    sphinx_cmd = pytest.importorskip("sphinx.cmd.build")
    out = tmp_path / "html"
    # -W: warnings are errors; -E: fresh environment; autosummary writes into a copy.
    import shutil

    src = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", src, ignore=shutil.ignore_patterns("_build", "generated"))
    assert sphinx_cmd.build_main(["-W", "-E", "-q", "-b", "html", str(src), str(out)]) == 0
    assert (out / "how_hume_works.html").is_file()
