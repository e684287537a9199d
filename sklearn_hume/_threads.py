"""How many torch threads a fit uses.

An outer iteration issues many small operations; each one forks and joins
torch's OpenMP pool. On an idle machine two threads pay for that; beside
another busy process every join waits for a descheduled thread, and a fit
measured 11x slower than alone. So a fit first probes the pool with a few
small parallel operations (:func:`probe_threads`), uses one thread if it
stalls, and probes again every few dozen iterations (the load can change
during a fit); on an idle machine the loop also times a few iterations with
each count, since small problems can be faster on one thread.

The most a fit may use is ``torch.get_num_threads()`` at the start of
``fit``, which already reflects ``OMP_NUM_THREADS``, ``torch.set_num_threads``,
``threadpoolctl`` limits on OpenMP, joblib's per-worker limits and dask
workers' settings. The caller's setting is restored when the fit ends.
"""

import time
from contextlib import contextmanager

import torch

# The probe: a few softmaxes just above ATen's parallel grain, each one fork/join of
# the thread pool (a small matrix product would not use the pool at all).
_PROBE_SHAPE, _PROBE_REPEATS = (256, 512), 8


@contextmanager
def restored_num_threads():
    """Restore torch's intra-op thread count on exit."""
    before = torch.get_num_threads()
    try:
        yield before
    finally:
        torch.set_num_threads(before)


def probe_threads(max_threads, rounds=3):
    """One thread or ``max_threads`` for the work ahead, by timing a few small
    parallel operations with each (about 3 ms on an idle machine).

    Idle, more threads are faster (measured 0.34 against 0.65 ms per round on
    2 cores) and are kept. Beside a busy process every join of the pool waits
    for a descheduled thread and the multi-threaded round takes many times
    longer (measured 60 ms against 0.64 ms): one thread is chosen, after the
    first round already.
    """
    if max_threads <= 1:
        return 1
    A = torch.randn(*_PROBE_SHAPE, generator=torch.Generator().manual_seed(0))
    best = {1: float("inf"), max_threads: float("inf")}
    with restored_num_threads():
        for _ in range(rounds):
            for n in best:
                torch.set_num_threads(n)
                t = time.perf_counter()
                for _ in range(_PROBE_REPEATS):
                    torch.softmax(A, 1)
                best[n] = min(best[n], time.perf_counter() - t)
            if best[max_threads] > 3 * best[1]:
                break
    return max_threads if best[max_threads] < 1.5 * best[1] else 1


class ThreadTuner:
    """Chooses the thread count of each iteration of an optimisation loop.

    ``n_threads`` set (or one thread only, or not on a CPU): always that many.
    Otherwise it starts from ``initial``, what :func:`probe_threads` found when
    the fit began. On an idle machine (``initial == max_threads``) iterations
    1 to 8 alternate between one thread and ``max_threads``, and one thread is
    kept only if its best iteration is clearly (10 %) faster: small problems
    can be faster on one thread. Every
    ``recheck`` iterations the probe runs again (a few milliseconds, not a
    whole iteration at a stalling count): if the pool stalls, one thread until
    the next probe; once it stops stalling, back to the idle choice.
    """

    def __init__(self, max_threads, n_threads=None, active=True, initial=None, probe=probe_threads, recheck=25):
        single = not active or max_threads <= 1
        self.fixed = n_threads if n_threads is not None else (max_threads if single else None)
        self.max_threads, self.probe, self.recheck = max_threads, probe, recheck
        self.loaded = initial == 1
        self.preferred = max_threads  # the faster count on an idle machine
        self.current = 1 if self.loaded else max_threads
        self.warm_up = 0 if self.loaded else 8
        self.times = {1: [], max_threads: []}
        self.next_check = self.warm_up + recheck

    def choose(self, it):
        if self.fixed is not None:
            return self.fixed
        if self.warm_up and 1 <= it <= self.warm_up:
            return (1, self.max_threads)[it % 2]
        if it == self.next_check:
            self.next_check += self.recheck
            self.loaded = self.probe(self.max_threads) == 1
            self.current = 1 if self.loaded else self.preferred
        return self.current

    def record(self, it, n, seconds):
        if self.fixed is None and self.warm_up and 1 <= it <= self.warm_up:
            self.times[n].append(seconds)
            if it == self.warm_up:
                one_faster = min(self.times[1]) < 0.9 * min(self.times[self.max_threads])
                self.preferred = self.current = 1 if one_faster else self.max_threads

    @contextmanager
    def iteration(self, it):
        n = self.choose(it)
        if torch.get_num_threads() != n:
            torch.set_num_threads(n)
        t = time.perf_counter()
        yield
        self.record(it, n, time.perf_counter() - t)
