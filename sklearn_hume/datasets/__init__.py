"""Real multi-view datasets for trying and benchmarking HUME."""

from ._base import get_data_home, load_mfeat

__all__ = ["get_data_home", "load_mfeat"]
