"""The imbalanced subsamples of issue 27, shared by the benchmarks: class k
gets ``round(n_max * factor ** (-k / (K - 1)))`` rows (at least 2), the sizes
permuted at random per draw, ``n_max`` the file's smallest class capped so
that the subsample holds at most 10,000 rows, rows drawn without replacement
with ``np.random.default_rng(1000 + draw)``. Factor 1 ("equal") is a balanced
subsample with as many rows as the factor-10 one."""

import numpy as np

MAX_ROWS = 10_000


def class_sizes(n_max, K, factor):
    return np.maximum(2, np.round(n_max * factor ** (-np.arange(K) / (K - 1)))).astype(int)


def _n_max(y, K, factor):
    smallest = np.bincount(y).min()
    n_max = smallest
    while class_sizes(n_max, K, factor).sum() > MAX_ROWS:
        n_max -= 1
    return n_max


def subsample(y, factor, draw):
    """Row indices of draw ``draw`` at ``factor`` (sorted)."""
    classes = np.unique(y)
    K = len(classes)
    rng = np.random.default_rng(1000 + draw)
    if factor == 1:
        total = class_sizes(_n_max(y, K, 10), K, 10).sum()
        sizes = np.full(K, total // K)
        sizes[: total - sizes.sum()] += 1
    else:
        sizes = class_sizes(_n_max(y, K, factor), K, factor)
    sizes = sizes[rng.permutation(K)]
    rows = [rng.choice(np.flatnonzero(y == c), s, replace=False) for c, s in zip(classes, sizes)]
    return np.sort(np.concatenate(rows))
