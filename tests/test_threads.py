"""Thread choice: the tuner keeps the faster count on an idle machine, drops to
one thread while a probe finds the pool stalling and comes back after, and
fits restore the caller's setting."""

import torch

from sklearn_hume import HumeClustering
from sklearn_hume._threads import ThreadTuner, probe_threads

from .conftest import make_two_views


def drive(tuner, seconds_for, n_iter):
    """Run the tuner's schedule with made-up iteration times; return the counts used."""
    used = []
    for it in range(n_iter):
        n = tuner.choose(it)
        used.append(n)
        tuner.record(it, n, seconds_for(it, n))
    return used


def test_idle_machine_keeps_the_faster_count_for_the_problem():
    probes = []
    idle = lambda m: probes.append(m) or m
    used = drive(ThreadTuner(2, initial=2, probe=idle), lambda it, n: 1.0 if n == 1 else 1.3, 100)
    assert used[:9] == [2, 2, 1, 2, 1, 2, 1, 2, 1]  # iterations 1-8 alternate
    assert set(used[9:]) == {1}  # one thread was clearly faster on this (small) problem
    assert len(probes) == 3  # re-probed at 33, 58, 83
    used = drive(ThreadTuner(2, initial=2, probe=idle), lambda it, n: 1.0 if n == 2 else 1.6, 100)
    assert set(used[9:]) == {2}
    # A tie keeps the larger count (large products gain from it).
    used = drive(ThreadTuner(2, initial=2, probe=idle), lambda it, n: 1.0, 100)
    assert set(used[9:]) == {2}


def test_load_drops_to_one_thread_and_recovers():
    # The probe finds the pool stalling between iterations 40 and 120.
    state = {"it": 0}
    probe = lambda m: 1 if 40 <= state["it"] < 120 else m
    tuner = ThreadTuner(2, initial=2, probe=probe)
    used = []
    for it in range(200):
        state["it"] = it
        n = tuner.choose(it)
        used.append(n)
        tuner.record(it, n, 1.0 if n == 2 else 1.5)
    assert used[30] == 2 and set(used[58:133]) == {1} and used[-1] == 2
    # Starting loaded (the fit's first probe said so): no warm-up at two threads.
    tuner = ThreadTuner(2, initial=1, probe=lambda m: 1)
    assert set(drive(tuner, lambda it, n: 1.0, 100)) == {1}


def test_fixed_or_single_thread_never_probes():
    never = lambda m: (_ for _ in ()).throw(AssertionError("probed"))
    assert set(drive(ThreadTuner(2, n_threads=1, probe=never), lambda it, n: 1.0, 100)) == {1}
    assert set(drive(ThreadTuner(1, probe=never), lambda it, n: 1.0, 100)) == {1}
    assert set(drive(ThreadTuner(4, active=False, probe=never), lambda it, n: 1.0, 100)) == {4}  # on a GPU


def test_probe_answers_and_restores_the_thread_count():
    before = torch.get_num_threads()
    assert probe_threads(1) == 1
    assert probe_threads(2) in (1, 2)
    assert torch.get_num_threads() == before


def test_fit_restores_the_callers_thread_count():
    X1, X2, _ = make_two_views()
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        HumeClustering(n_clusters=3, n_runs=2, n_iter=40, n_threads=1, random_state=0).fit(X1, X2)
        assert torch.get_num_threads() == 2
        HumeClustering(n_clusters=3, n_runs=2, n_iter=40, random_state=0).fit(X1, X2)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
