"""Shared fixtures: small two-view problems with a known labeling."""

from pathlib import Path

import numpy as np
import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """One torch thread for the suite: the test data are small, and on a
    shared CI runner one thread per process avoids OpenMP barrier stalls.
    Tests that need two threads set them and restore this."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

BENCH_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "bench_data"


def some_known(y, per_class, classes=None, seed=0):
    """``known_labels`` with ``per_class`` random rows of each class (of
    ``classes``, default every class of ``y``) known, ``-1`` elsewhere."""
    rng = np.random.RandomState(seed)
    known = np.full(len(y), -1)
    for c in np.unique(y) if classes is None else classes:
        known[rng.choice(np.flatnonzero(y == c), per_class, replace=False)] = c
    return known


def make_two_views(n_per_class=30, n_classes=3, seed=0):
    """Two noisy linear views of the same well-separated classes."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(n_classes), n_per_class)
    centres = rng.normal(size=(n_classes, 6)) * 4
    X1 = centres[y] + rng.normal(size=(len(y), 6))
    X2 = centres[y] @ rng.normal(size=(6, 8)) + rng.normal(size=(len(y), 8))
    return X1, X2, y


@pytest.fixture
def two_views():
    return make_two_views()


@pytest.fixture
def fast_params():
    """Settings that keep a fit well under a second on the toy data."""
    return dict(n_runs=4, n_iter=60, random_state=0)


def load_case(name):
    path = BENCH_DATA / f"{name}.npz"
    if not path.exists():
        pytest.skip(f"{path} is absent (shared bench data only exists beside the checkout)")
    return np.load(path)
