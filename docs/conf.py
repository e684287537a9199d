"""Sphinx configuration: builds offline (no intersphinx, no remote themes).

The gallery executes every ``examples/plot_*.py``; an example that raises fails
the build.
"""

project = "sklearn-hume"
author = "sklearn-hume developers"
copyright = "2026, sklearn-hume developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]
autosummary_generate = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "show_memory": False,
    "remove_config_comments": True,
}
