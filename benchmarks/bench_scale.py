"""Fit time and peak memory against N on all of Fashion-MNIST (70,000 rows),
views: raw pixels (784) and HOG (144), from the Debian package
dataset-fashion-mnist. HumeClustering (defaults) and KMeans(n_init=10) on the
same rows, side by side.

    python benchmarks/bench_scale.py [--sizes 10000,35000,70000] [--device cuda]

On a GPU machine, ``--sizes 50000 --device cuda`` times the default fit of a
50k-row case.
"""

import argparse
import time

import numpy as np
from sklearn.cluster import KMeans

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.benchmark import PeakMemory, normalised
from sklearn_hume.datasets import load_fashion_mnist_views


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,35000,70000")
    ap.add_argument("--device", default="auto", help="auto, cpu or cuda")
    a = ap.parse_args(argv)
    full = load_fashion_mnist_views()
    rows = []
    for n in [int(s) for s in a.sizes.split(",")]:
        d = load_fashion_mnist_views(n_samples=n) if n < len(full.y) else full
        X, y = d.data, d.y
        with PeakMemory() as mem:
            t = time.perf_counter()
            est = HumeClustering(10, view_sizes=d.view_sizes, random_state=0, device=a.device).fit(X)
            secs = time.perf_counter() - t
        Xk = np.hstack([normalised(d.X1), normalised(d.X2)])
        t = time.perf_counter()
        km = KMeans(10, n_init=10, random_state=0).fit(Xk)
        ksecs = time.perf_counter() - t
        rows.append((n, X.nbytes / 2**20, secs, mem.mib, cluster_accuracy(y, est.labels_), ksecs,
                     cluster_accuracy(y, km.labels_)))
        print(f"N={n}: HUME {secs:.1f}s, peak +{mem.mib:.0f} MiB (input {X.nbytes / 2**20:.0f} MiB), "
              f"ACC {rows[-1][4]:.3f}; KMeans {ksecs:.1f}s ACC {rows[-1][6]:.3f}", flush=True)
    print("\n| N | input MiB | HUME s | HUME s per 10k rows | peak MiB above start | peak / input | HUME ACC "
          "| KMeans s | KMeans ACC |\n|---|---|---|---|---|---|---|---|---|")
    for n, mib, secs, peak, acc, ks, kacc in rows:
        print(f"| {n} | {mib:.0f} | {secs:.1f} | {secs / n * 1e4:.2f} | {peak:.0f} | {peak / mib:.2f} | {acc:.3f} "
              f"| {ks:.1f} | {kacc:.3f} |")


if __name__ == "__main__":
    main()
