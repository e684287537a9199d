"""sklearn-hume: find the human labeling of a dataset from its feature views,
without labels (HUME, Gadetsky & Brbić, NeurIPS 2023), as a scikit-learn
estimator."""

import importlib

__version__ = "0.1.0"

# The public names and the private modules that define them. They are imported
# on first use, so that the command line's --help does not wait for torch.
_PUBLIC = {
    "HumeClustering": "._hume",
    "cluster_accuracy": "._metrics",
    "compare_known_labels": "._compare",
    "load_model": "._persistence",
    "report": "._report",
    "run_agreement": "._selection",
    "save_model": "._persistence",
    "select_n_clusters": "._selection",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
