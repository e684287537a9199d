"""Time and peak memory of a default fit at 100k, 300k and 1M rows.

Real features tiled to size, 512 + 768 float32 columns: from the wordnet10 case
(6,000 WordNet glosses), view 1 is all-MiniLM-L6-v2 (384) beside the first 128
columns of paraphrase-MiniLM-L3 (its extra view ``V_minilm_l3``), view 2 is
all-mpnet-base-v2 (768). The rows are repeated and each copy perturbed by
Gaussian noise of 5 % of the feature scale, so the data keeps its real structure
at any N. ACC is measured against the tiled labels.

    python benchmarks/bench_large.py [--sizes 100000,300000,1000000] [--device cpu]
        [--batch-size auto|none|INT]

Set ``MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296`` on
glibc (see the user guide): large temporaries are then reused, not re-faulted.
"""

import argparse
import time
from pathlib import Path

import numpy as np
from _common import DEFAULT_DATA  # this folder is on sys.path when a script runs

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.benchmark import PeakMemory


def tiled(data_dir, n, seed=0):
    d = np.load(Path(data_dir) / "wordnet10.npz")
    X = np.hstack([d["X1"], d["V_minilm_l3"][:, :128], d["X2"]]).astype(np.float32)
    y = d["y"].astype(np.int64)
    reps = -(-n // len(y))
    rng = np.random.default_rng(seed)
    out = np.empty((n, X.shape[1]), dtype=np.float32)
    scale = 0.05 * X.std(0, keepdims=True)
    for i in range(reps):
        rows = slice(i * len(y), min((i + 1) * len(y), n))
        m = rows.stop - rows.start
        out[rows] = X[:m] + rng.standard_normal((m, X.shape[1]), dtype=np.float32) * scale
    return out, np.tile(y, reps)[:n], [d["X1"].shape[1] + 128, d["X2"].shape[1]]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--device", default="auto")
    ap.add_argument("--batch-size", default="auto", help="auto (default), none (full batch) or rows per step")
    a = ap.parse_args(argv)
    batch = (int(a.batch_size) if a.batch_size.isdigit()
             else {"auto": "auto", "none": None}.get(a.batch_size.lower()))
    rows = []
    for n in [int(s) for s in a.sizes.split(",")]:
        X, y, sizes = tiled(a.data_dir, n)
        with PeakMemory() as mem:
            t = time.perf_counter()
            est = HumeClustering(10, view_sizes=sizes, random_state=0, device=a.device, batch_size=batch,
                                 verbose=1).fit(X)
            secs = time.perf_counter() - t
        rows.append((n, X.nbytes / 2**20, secs, mem.mib, cluster_accuracy(y, est.labels_)))
        print(f"N={n}: {secs:.1f}s, peak +{mem.mib:.0f} MiB over the {X.nbytes / 2**20:.0f} MiB input, "
              f"ACC {rows[-1][4]:.3f}", flush=True)
        del X
    print("\n| N | input MiB | fit s | s per 100k rows | peak MiB above input | ACC |\n|---|---|---|---|---|---|")
    for n, mib, secs, peak, acc in rows:
        print(f"| {n} | {mib:.0f} | {secs:.1f} | {secs / n * 1e5:.1f} | {peak:.0f} | {acc:.3f} |")


if __name__ == "__main__":
    main()
