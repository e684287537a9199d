"""How many torch threads a fit uses.

An outer iteration issues many small operations; each one forks and joins
torch's OpenMP pool. On an idle machine two threads pay for that; beside
another busy process every join waits for a descheduled thread, and a fit
measured 11x slower than alone. So the optimisation loop times its own
iterations with one thread and with the most it may use, keeps the faster,
and checks again now and then (the load can change during a fit).

The most a fit may use is ``torch.get_num_threads()`` at the start of
``fit``, which already reflects ``OMP_NUM_THREADS``, ``torch.set_num_threads``,
``threadpoolctl`` limits on OpenMP, joblib's per-worker limits and dask
workers' settings. The caller's setting is restored when the fit ends.
"""

import time
from contextlib import contextmanager

import torch


@contextmanager
def restored_num_threads():
    """Restore torch's intra-op thread count on exit."""
    before = torch.get_num_threads()
    try:
        yield before
    finally:
        torch.set_num_threads(before)


class ThreadTuner:
    """Chooses between one thread and ``max_threads`` by timing iterations.

    ``n_threads`` set: always that many. Otherwise iteration 0 warms up, the
    next four alternate between the candidates, the faster (by its best time)
    is kept, and every ``recheck`` iterations one iteration tries the other;
    it takes over when it is clearly faster than the recent iterations.
    """

    def __init__(self, max_threads, n_threads=None, active=True, recheck=25):
        self.fixed = n_threads if n_threads is not None else (max_threads if not active or max_threads <= 1 else None)
        self.candidates = (1, max_threads)
        self.current = max_threads
        self.recheck = recheck
        self.times = {c: [] for c in self.candidates}
        self.recent = []

    def choose(self, it):
        if self.fixed is not None:
            return self.fixed
        if it == 0:
            return self.candidates[1]
        if it <= 4:
            return self.candidates[it % 2]
        if it % self.recheck == 0:
            return self.candidates[0] if self.current == self.candidates[1] else self.candidates[1]
        return self.current

    def record(self, it, n, seconds):
        if self.fixed is not None or it == 0:
            return
        if it <= 4:
            self.times[n].append(seconds)
            if it == 4:
                self.current = min(self.candidates, key=lambda c: min(self.times[c]))
            return
        if n != self.current:
            typical = sorted(self.recent)[len(self.recent) // 2] if self.recent else float("inf")
            if seconds < 0.8 * typical:
                self.current, self.recent = n, []
            return
        self.recent = (self.recent + [seconds])[-10:]

    @contextmanager
    def iteration(self, it):
        n = self.choose(it)
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
        t = time.perf_counter()
        yield
        self.record(it, n, time.perf_counter() - t)
