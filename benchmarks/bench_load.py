"""Speed on an idle machine and beside a busy neighbour, HumeClustering and
KMeans measured side by side in one run; cross-validation with n_jobs 1 and 2;
a fit's runs spread over a dask LocalCluster against a local fit.

    python benchmarks/bench_load.py [--cases mfeat2,wordnet10,fashion10k]

The neighbour is ``../shared/tools/with-neighbour``'s work: another process
doing small-to-medium torch matrix products on every core (what a second fit,
a GridSearchCV worker or a CI neighbour does). Each fit runs once to warm up,
then ``--repeats`` times; the median is reported, with ACC beside every time.
"""

import argparse
import multiprocessing as mp
import os
import time

import numpy as np
from _common import DEFAULT_DATA, kmeans_features, load
from sklearn.cluster import KMeans
from sklearn.model_selection import KFold, cross_val_score

from sklearn_hume import HumeClustering, cluster_accuracy


def neighbour(stop):
    """The same work as shared/tools/with-neighbour, until ``stop`` is set."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    g = torch.Generator().manual_seed(0)
    Z = torch.randn(6000, 128, generator=g)
    W = torch.randn(128, 80, generator=g)
    while not stop.is_set():
        for _ in range(50):
            P = torch.softmax(Z @ W, dim=1)
            W = W - 1e-4 * (Z.T @ (P - P.mean(0)))


def timed(fit, repeats):
    fit()  # warm-up
    times, labels = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        labels = fit()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), labels


def measure(views, y, repeats):
    K = len(np.unique(y))
    X, sizes, Xk = np.hstack(views), [v.shape[1] for v in views], kmeans_features(views)
    out = {}
    t, lab = timed(lambda: HumeClustering(K, view_sizes=sizes, random_state=0).fit(X).labels_, repeats)
    out["hume"] = (t, cluster_accuracy(y, lab))
    t, lab = timed(lambda: KMeans(K, n_init=10, random_state=0).fit(Xk).labels_, repeats)
    out["kmeans"] = (t, cluster_accuracy(y, lab))
    return out


def cross_validation(views, y):
    K = len(np.unique(y))
    X, sizes = np.hstack(views), [v.shape[1] for v in views]
    est = HumeClustering(K, view_sizes=sizes, random_state=0)
    cv = KFold(4, shuffle=True, random_state=0)
    res = {}
    # n_jobs=2 twice: the first call starts the worker processes (each imports
    # torch), the second reuses them, as a GridSearchCV over several settings does.
    for key, n_jobs in ((1, 1), (2, 2), ("2 warm", 2)):
        t = time.perf_counter()
        cross_val_score(est, X, cv=cv, n_jobs=n_jobs)
        res[key] = time.perf_counter() - t
    return res


def dask_runs(views, y, repeats=3):
    """A local fit against the same fit's runs spread over a warm dask
    LocalCluster of 2 single-threaded workers (``n_jobs=-1`` under joblib's
    dask backend): medians of ``repeats`` fits and their ACC."""
    import joblib
    from distributed import Client, LocalCluster

    K = len(np.unique(y))
    X, sizes = np.hstack(views), [v.shape[1] for v in views]
    local = lambda: HumeClustering(K, view_sizes=sizes, random_state=0).fit(X).labels_
    spread = lambda: HumeClustering(K, view_sizes=sizes, random_state=0, n_jobs=-1).fit(X).labels_
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster):
        with joblib.parallel_config(backend="dask"):
            t_dask, lab_dask = timed(spread, repeats)
    t_local, lab_local = timed(local, repeats)
    return (t_local, cluster_accuracy(y, lab_local)), (t_dask, cluster_accuracy(y, lab_dask))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="mfeat2,wordnet10,fashion10k")
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cv-case", default="wordnet10", help="case for the cross-validation timing")
    ap.add_argument("--cv-only", action="store_true", help="only the cross-validation timing")
    a = ap.parse_args(argv)
    rows = []
    for case in ([] if a.cv_only else a.cases.split(",")):
        views, y = load(a.data_dir, case)
        idle = measure(views, y, a.repeats)
        # spawn, not fork: a forked child inherits torch's OpenMP pool in a broken state.
        ctx = mp.get_context("spawn")
        stop = ctx.Event()
        proc = ctx.Process(target=neighbour, args=(stop,), daemon=True)
        proc.start()
        time.sleep(3)
        try:
            assert proc.is_alive(), "the neighbour process did not start"
            busy = measure(views, y, a.repeats)
        finally:
            stop.set()
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
        rows.append((case, idle, busy))
        print(f"{case}: HUME {idle['hume'][0]:.2f}s idle, {busy['hume'][0]:.2f}s loaded; "
              f"KMeans {idle['kmeans'][0]:.2f}s idle, {busy['kmeans'][0]:.2f}s loaded", flush=True)
    if rows:
        print("\n| case | HUME idle s | HUME loaded s | ratio | HUME ACC idle / loaded | KMeans idle s | "
              "KMeans loaded s | ratio | HUME / KMeans idle | HUME / KMeans loaded |\n|" + "---|" * 10)
    for case, idle, busy in rows:
        h, hb, k, kb = idle["hume"], busy["hume"], idle["kmeans"], busy["kmeans"]
        print(f"| {case} | {h[0]:.2f} | {hb[0]:.2f} | {hb[0] / h[0]:.2f} | {h[1]:.3f} / {hb[1]:.3f} | {k[0]:.2f} "
              f"| {kb[0]:.2f} | {kb[0] / k[0]:.2f} | {h[0] / k[0]:.2f} | {hb[0] / kb[0]:.2f} |")
    views, y = load(a.data_dir, a.cv_case)
    cv = cross_validation(views, y)
    print(f"\ncross_val_score (4 folds, {a.cv_case}, idle): n_jobs=1 {cv[1]:.1f}s, n_jobs=2 {cv[2]:.1f}s with "
          f"worker start-up ({cv[1] / cv[2]:.2f}x), {cv['2 warm']:.1f}s with warm workers "
          f"({cv[1] / cv['2 warm']:.2f}x)")
    (t_local, acc_local), (t_dask, acc_dask) = dask_runs(views, y)
    print(f"runs on a dask LocalCluster (2 workers x 1 thread, warm, {a.cv_case}): {t_dask:.2f}s (ACC {acc_dask:.3f}) "
          f"against {t_local:.2f}s for a local fit (ACC {acc_local:.3f}); dask / local {t_dask / t_local:.2f}")


if __name__ == "__main__":
    main()
