"""The docstring examples run and print what they show."""

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["sklearn_hume._hume", "sklearn_hume._metrics", "sklearn_hume._selection",
                                    "sklearn_hume._compare", "sklearn_hume.datasets._base",
                                    "sklearn_hume.datasets._digits"])
def test_docstring_examples(module):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(module), optionflags=flags)
    assert result.attempted > 0, f"{module} has no examples"
    assert result.failed == 0
