"""Out-of-core fit and predict on a dask LocalCluster, next to the in-memory path.

The data: the wordnet10 case's two views (all-MiniLM-L6-v2, 384 columns, and
all-mpnet-base-v2, 768 columns, float32), its 6,000 rows tiled to N rows with
Gaussian noise of 5 % of each feature's scale added to every copy, written to
disk as a stack of ``.npy`` files, one per chunk of rows (``dask.array.to_npy_stack``),
which ``dask.array.from_npy_stack`` memory-maps. ACC is against the tiled labels.

    python benchmarks/bench_dask.py [--sizes 1000000,10000000] [--in-memory 1000000]
        [--dir /tmp/sklearn-hume-dask] [--chunk 50000] [--workers 2]

For each size the script builds the stack (once; it is kept in ``--dir``),
then on a ``LocalCluster`` of ``--workers`` single-threaded worker processes
(127.0.0.1 only) fits ``HumeClustering`` on the dask array and computes
``labels_``. It reports fit time, labelling time, time per million rows, peak
resident memory of each worker process and of this process, and ACC. The
``--in-memory`` size is also loaded into memory and fitted as a NumPy array.
"""

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
from _common import DEFAULT_DATA

from sklearn_hume import HumeClustering, cluster_accuracy

BASE_ROWS = 6000


def base_views(data_dir):
    d = np.load(Path(data_dir) / "wordnet10.npz")
    X = np.hstack([d["X1"], d["X2"]]).astype(np.float32)
    return X, d["y"].astype(np.int64), [d["X1"].shape[1], d["X2"].shape[1]]


def tiled_block(start, stop, X, seed):
    """Rows ``start:stop`` of the tiled data: the base rows, cyclically, plus noise."""
    rng = np.random.default_rng([seed, start])
    scale = 0.05 * X.std(0, keepdims=True)
    rows = np.arange(start, stop) % len(X)
    return X[rows] + rng.standard_normal((stop - start, X.shape[1]), dtype=np.float32) * scale


def build(path, n, chunk, X):
    """Write the tiled rows as a dask npy stack (one file per chunk)."""
    import dask
    import dask.array as da

    if (path / "info").exists():
        return
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    starts = list(range(0, n, chunk))
    base = dask.delayed(X)  # one copy of the base rows in the graph, not one per block
    blocks = [da.from_delayed(dask.delayed(tiled_block)(s, min(s + chunk, n), base, 0),
                              shape=(min(s + chunk, n) - s, X.shape[1]), dtype=np.float32) for s in starts]
    t = time.perf_counter()
    da.to_npy_stack(str(path), da.concatenate(blocks), axis=0)
    print(f"built {n:,} rows x {X.shape[1]} float32 ({n * X.shape[1] * 4 / 1e9:.1f} GB) in {path} "
          f"in {time.perf_counter() - t:.0f}s", flush=True)


def run_dask(client, path, y_base, sizes, n):
    import dask.array as da

    client.run(_reset_peak)
    _reset_peak()
    M = da.from_npy_stack(str(path))
    est = HumeClustering(10, view_sizes=sizes, random_state=0)
    t = time.perf_counter()
    est.fit(M)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    labels = est.labels_.compute()
    label_s = time.perf_counter() - t
    acc = cluster_accuracy(np.resize(y_base, n), labels)
    workers = client.run(_peak_rss_mb)
    return dict(fit=fit_s, label=label_s, acc=acc, workers=max(workers.values()), client=_peak_rss_mb(),
                fit_rows=est.n_fit_rows_,
                chunks=len(M.chunks[0]), chunk_rows=M.chunks[0][0])


def _reset_peak():
    # Linux only: resets the high-water mark of the resident set.
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_rss_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_in_memory(path, y_base, sizes, n):
    import dask.array as da

    _reset_peak()
    X = da.from_npy_stack(str(path)).compute()
    est = HumeClustering(10, view_sizes=sizes, random_state=0)
    t = time.perf_counter()
    est.fit(X)
    fit_s = time.perf_counter() - t
    return dict(fit=fit_s, label=0.0, acc=cluster_accuracy(np.resize(y_base, n), est.labels_), workers=float("nan"),
                client=_peak_rss_mb(), fit_rows=est.n_fit_rows_, chunks=1, chunk_rows=n)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--in-memory", type=int, default=1_000_000, help="also fit this size in memory (0: skip)")
    ap.add_argument("--dir", default="/tmp/sklearn-hume-dask")
    ap.add_argument("--chunk", type=int, default=50_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--keep", action="store_true", help="keep the npy stacks afterwards")
    args = ap.parse_args()
    from dask.distributed import Client, LocalCluster

    X, y_base, sizes = base_views(args.data)
    rows = []
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        for n in [int(s) for s in args.sizes.split(",")]:
            path = Path(args.dir) / f"tiled_{n}"
            build(path, n, args.chunk, X)
            r = run_dask(client, path, y_base, sizes, n)
            rows.append(("dask LocalCluster", n, r))
            print_row(*rows[-1])
            if n == args.in_memory:
                r = run_in_memory(path, y_base, sizes, n)
                rows.append(("in memory (NumPy)", n, r))
                print_row(*rows[-1])
            if not args.keep:
                shutil.rmtree(path, ignore_errors=True)
    print("\n| path | rows | GB | chunks | fit (s) | label all rows (s) | s per 1M rows | worker peak (MB) | "
          "client peak (MB) | ACC |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, n, r in rows:
        gb = n * X.shape[1] * 4 / 1e9
        per = (r["fit"] + r["label"]) / (n / 1e6)
        print(f"| {name} | {n:,} | {gb:.1f} | {r['chunks']} x {r['chunk_rows']:,} | {r['fit']:.1f} | "
              f"{r['label']:.1f} | {per:.1f} | {r['workers']:.0f} | {r['client']:.0f} | {r['acc']:.3f} |")


def print_row(name, n, r):
    print(f"{name}: {n:,} rows fit {r['fit']:.1f}s, label {r['label']:.1f}s, worker peak {r['workers']:.0f} MB, "
          f"ACC {r['acc']:.3f}, optimised on {r['fit_rows']:,} rows", flush=True)


if __name__ == "__main__":
    main()
