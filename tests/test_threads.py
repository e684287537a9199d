"""Thread choice: the tuner keeps the faster count on an idle machine, drops to
one thread while iterations or a probe find the pool stalling and comes back
after, spaces its tries by their cost, and fits restore the caller's setting."""

import torch

from sklearn_hume import HumeClustering
from sklearn_hume._threads import ThreadTuner, probe_threads, restored_num_threads

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
    free = lambda m: m  # the probe finds the pool free
    # Two threads faster: iteration 2 tries one thread, later tries are rare and cheap.
    used = drive(ThreadTuner(2, initial=2, probe=free), lambda it, n: 1.0 if n == 2 else 1.6, 200)
    assert used[:4] == [2, 2, 1, 2]
    assert used.count(1) <= 1 + 200 // 16 and used[-1] == 2
    # One thread clearly faster (a small problem): kept, after the probe and one
    # iteration at two threads now and then.
    used = drive(ThreadTuner(2, initial=2, probe=free), lambda it, n: 1.0 if n == 1 else 1.3, 200)
    assert used[2] == 1 and used.count(1) > 180
    # A tie keeps the larger count (large products gain from it).
    used = drive(ThreadTuner(2, initial=2, probe=free), lambda it, n: 1.0, 200)
    assert used.count(2) > 180


def test_load_drops_to_one_thread_and_recovers():
    # Iterations 40-120 share the machine: two threads stall (20x), the probe sees it.
    state = {"it": 0}
    loaded = lambda: 40 <= state["it"] < 120
    probes = []
    probe = lambda m: probes.append(state["it"]) or (1 if loaded() else m)
    tuner = ThreadTuner(2, initial=2, probe=probe)
    used = []
    for it in range(200):
        state["it"] = it
        n = tuner.choose(it)
        used.append(n)
        tuner.record(it, n, (20.0 if n == 2 else 1.5) if loaded() else (1.0 if n == 2 else 1.5))
    assert used[30] == 2 and used[-1] == 2
    # Under load at most one stalled iteration before the switch and one after
    # the probe: the probe, not an iteration, asks whether the pool is free.
    assert used[40:120].count(2) <= 2 and used[45:120].count(2) == 0
    assert any(40 <= p < 120 for p in probes) and any(p >= 120 for p in probes)
    assert 2 in used[120:140]  # back within a probe's spacing once the load is gone


def test_starting_loaded_never_stalls_a_whole_iteration():
    tuner = ThreadTuner(2, initial=1, probe=lambda m: 1)
    used = drive(tuner, lambda it, n: 1.0 if n == 1 else 20.0, 200)
    assert set(used) == {1} and tuner.threads == 1


def test_tries_are_spaced_by_their_cost():
    # One thread 3x slower (idle, a large problem): a try costs two iterations'
    # time, so with a 5 % budget about one try every 40 iterations.
    tuner = ThreadTuner(2, initial=2, probe=lambda m: m)
    used = drive(tuner, lambda it, n: 1.0 if n == 2 else 3.0, 400)
    assert 5 <= used.count(1) <= 12


def test_fixed_or_single_thread_never_probes():
    never = lambda m: (_ for _ in ()).throw(AssertionError("probed"))
    assert set(drive(ThreadTuner(2, n_threads=1, probe=never), lambda it, n: 1.0, 100)) == {1}
    assert set(drive(ThreadTuner(1, probe=never), lambda it, n: 1.0, 100)) == {1}
    assert set(drive(ThreadTuner(4, active=False, probe=never), lambda it, n: 1.0, 100)) == {4}  # on a GPU


def test_probe_answers_and_restores_the_thread_count():
    before = torch.get_num_threads()
    assert probe_threads(1) == 1
    assert probe_threads(2) in (1, 2)
    assert probe_threads(4) in (1, 4)
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


def test_probing_is_spaced_by_its_own_cost():
    # A tiny problem, idle: one thread faster, and each probe takes as long as
    # 20 iterations. Probing every explore_every iterations would double the
    # loop's time; spaced by its cost it stays within the 5 % budget.
    clock = {"t": 0.0}

    def free_but_slow_probe(m):
        clock["t"] += 20.0
        return m

    tuner = ThreadTuner(2, initial=1, probe=free_but_slow_probe, clock=lambda: clock["t"])
    with restored_num_threads():
        for it in range(400):
            with tuner.iteration(it):
                clock["t"] += 1.0 if torch.get_num_threads() == 1 else 1.5
    assert clock["t"] < 1.1 * 400
    assert tuner.threads == 1
