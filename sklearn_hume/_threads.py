"""How many torch threads a fit uses.

An outer iteration issues many small operations; each one forks and joins
torch's OpenMP pool. On an idle machine two threads pay for that; beside
another busy process a join often waits for a descheduled thread, and a fit
measured 11x slower than alone. Measured beside a busy neighbour on 2 cores:
an iteration at two threads took 5 to 60 times one at one thread, worst just
after the count was switched (the pool's threads have gone to sleep and each
join waits for one to be scheduled again).

So a fit probes the pool once (:func:`probe_threads`, a few milliseconds) for
the work before its loop; the loop times its own iterations and keeps the
faster count, and now and then tries the other one: an iteration at one
thread (cheap), or a probe before going back to more threads (an iteration
there would cost many) (:class:`ThreadTuner`). The work after the loop uses
the loop's last choice.

The most a fit may use is ``torch.get_num_threads()`` at the start of
``fit``, which already reflects ``OMP_NUM_THREADS``, ``torch.set_num_threads``,
``threadpoolctl`` limits on OpenMP, joblib's per-worker limits and dask
workers' settings. The caller's setting is restored when the fit ends.
"""

import time
from collections import deque
from contextlib import contextmanager
from statistics import median

import torch

# The probe: softmaxes just above ATen's parallel grain, each one fork/join of
# the thread pool (a small matrix product would not use the pool at all).
_PROBE_SHAPE, _PROBE_REPEATS = (256, 512), 50


@contextmanager
def restored_num_threads(n_threads=None):
    """Restore torch's intra-op thread count on exit; inside, use
    ``n_threads`` when given. Yields the count before."""
    before = torch.get_num_threads()
    try:
        if n_threads is not None:
            torch.set_num_threads(n_threads)
        yield before
    finally:
        torch.set_num_threads(before)


def probe_threads(max_threads):
    """One thread or ``max_threads`` for the work ahead: ``max_threads`` if
    a round of small parallel operations is faster with them than with one.

    Measured on 2 cores: idle, the round at two threads takes 0.54 times the
    round at one (6 ms for both) and two are kept in 39 of 40 probes; beside
    a busy process every probe of 40 chose one thread (12 ms). The round at
    ``max_threads`` follows one at one thread, as a switch back does in a
    fit, and stops as soon as it is slower than that (stalled joins cost
    milliseconds each).
    """
    if max_threads <= 1:
        return 1
    A = torch.randn(*_PROBE_SHAPE, generator=torch.Generator().manual_seed(0))
    with restored_num_threads(1):
        t = time.perf_counter()
        for _ in range(_PROBE_REPEATS):
            torch.softmax(A, 1)
        one = time.perf_counter() - t
        torch.set_num_threads(max_threads)
        t = time.perf_counter()
        for _ in range(_PROBE_REPEATS):
            torch.softmax(A, 1)
            if time.perf_counter() - t > one:
                return 1
    return max_threads


class ThreadTuner:
    """Chooses the thread count of each iteration of an optimisation loop
    from the iterations' own times.

    ``n_threads`` set (or one thread only, or not on a CPU): always that many.
    Otherwise the loop starts at ``initial`` (the fit's probe) and uses the
    count whose last ``window`` iterations took the lower median time (one
    thread only if clearly, 10 %, faster: large products gain from more).
    Now and then it tries the other count: at ``max_threads`` one iteration
    runs at one thread; at one thread :func:`probe` runs first, and more
    threads are tried only if it finds the pool free. Tries are spaced for
    their expected cost to stay within ``budget`` of the loop's time, and at
    least ``explore_every`` iterations apart (a probe's own time counts).
    Iteration 0, which pays one-off costs, is not timed.
    """

    def __init__(self, max_threads, n_threads=None, active=True, initial=None, probe=probe_threads,
                 explore_every=16, window=3, budget=0.05, clock=time.perf_counter):
        single = not active or max_threads <= 1
        self.fixed = n_threads if n_threads is not None else (max_threads if single else None)
        self.counts = (1, max_threads)
        self.current = initial if initial in self.counts else max_threads
        self.probe, self.explore_every, self.budget, self.clock = probe, explore_every, budget, clock
        self.next_try = 2 if self.current != 1 else explore_every
        self.probe_cost = 0.0
        self.times = {n: deque(maxlen=window) for n in self.counts}

    @property
    def threads(self):
        """The count the loop would use now (for the work after it)."""
        return self.fixed if self.fixed is not None else self.current

    def _space(self, it, cost):
        """The next try after ``it``, for a try costing ``cost`` seconds."""
        per_iteration = median(self.times[self.current]) if self.times[self.current] else cost
        gap = cost / max(per_iteration * self.budget, 1e-9)
        self.next_try = it + max(self.explore_every, int(gap))

    def choose(self, it):
        if self.fixed is not None:
            return self.fixed
        if it != self.next_try:
            return self.current
        if self.current != 1:
            return 1
        t = self.clock()
        free = self.probe(self.counts[1]) != 1
        self.probe_cost = self.clock() - t
        if not free:
            self._space(it, self.probe_cost)
            return 1
        self.times[self.counts[1]].clear()  # older times may be from another load
        return self.counts[1]

    def record(self, it, n, seconds):
        if self.fixed is not None or it == 0:
            return
        self.times[n].append(seconds)
        one, most = (self.times[c] for c in self.counts)
        if one and most:
            self.current = 1 if median(one) < 0.9 * median(most) else self.counts[1]
        if it == self.next_try:
            others = self.times[1 if n != 1 else self.counts[1]]
            cost = abs(seconds - median(others)) if others else seconds
            self._space(it, cost + (self.probe_cost if n != 1 else 0.0))

    @contextmanager
    def iteration(self, it):
        n = self.choose(it)
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
        t = self.clock()
        yield
        self.record(it, n, self.clock() - t)
