"""Sphinx configuration: builds offline (no intersphinx, no remote themes)."""

project = "sklearn-hume"
author = "sklearn-hume developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon", "sphinx.ext.mathjax"]
autosummary_generate = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
