"""Fit times and accuracy on a GPU: a few minutes, one script.

Runs the default HumeClustering fit on the shipped mfeat digits, on the shared
real cases when ``../shared/bench_data`` is present, and on a 50,000-row case
(512 + 768 columns of wordnet10 features tiled with 5 % noise by ``bench_large.py``; the target
is a default fit under 10 s on an H100/H200), each on the chosen device after
a warm-up fit, with KMeans on the CPU beside it. Also checks that a model
fitted on CUDA predicts the same labels after moving to the CPU.

    python benchmarks/bench_gpu.py [--device cuda] [--data-dir DIR]
"""

import argparse
import pickle
import time
from pathlib import Path

import numpy as np
import torch
from _common import DEFAULT_DATA  # this folder is on sys.path when a script runs
from bench_large import tiled  # this folder is on sys.path when the script runs
from sklearn.cluster import KMeans

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.benchmark import normalised
from sklearn_hume.datasets import load_mfeat


def cases(data_dir):
    d = load_mfeat()
    yield "mfeat", d.data, d.view_sizes, d.y
    for name in ("wordnet10", "fashion10k"):
        path = Path(data_dir) / f"{name}.npz"
        if path.exists():
            f = np.load(path)
            X1, X2 = f["X1"].astype(np.float32), f["X2"].astype(np.float32)
            yield name, np.hstack([X1, X2]), [X1.shape[1], X2.shape[1]], f["y"].astype(np.int64)
    if (Path(data_dir) / "wordnet10.npz").exists():
        X, y, sizes = tiled(data_dir, 50_000)
        yield "wordnet10 tiled to 50k", X, sizes, y


def timed_fit(X, sizes, K, device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    t = time.perf_counter()
    est = HumeClustering(K, view_sizes=sizes, random_state=0, device=device).fit(X)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return est, time.perf_counter() - t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    a = ap.parse_args(argv)
    name = torch.cuda.get_device_name() if a.device.startswith("cuda") else "CPU"
    print(f"device: {a.device} ({name}), torch {torch.__version__}", flush=True)
    d = load_mfeat()
    timed_fit(d.data, d.view_sizes, 10, a.device)  # warm-up: CUDA context, kernels
    print("| case | N | HUME s | HUME ACC | KMeans s (CPU) | KMeans ACC |\n|---|---|---|---|---|---|", flush=True)
    for case, X, sizes, y in cases(a.data_dir):
        K = len(np.unique(y))
        est, secs = timed_fit(X, sizes, K, a.device)
        Xn = np.hstack([normalised(v) for v in np.split(X, np.cumsum(sizes)[:-1], axis=1)])
        t = time.perf_counter()
        km = KMeans(K, n_init=10, random_state=0).fit(Xn)
        ksecs = time.perf_counter() - t
        print(f"| {case} | {len(y)} | {secs:.2f} | {cluster_accuracy(y, est.labels_):.3f} | {ksecs:.2f} | "
              f"{cluster_accuracy(y, km.labels_):.3f} |", flush=True)
    # A model fitted here predicts the same after a round trip, on the CPU.
    est = HumeClustering(10, view_sizes=d.view_sizes, random_state=0, device=a.device).fit(d.data)
    moved = pickle.loads(pickle.dumps(est)).set_params(device="cpu")
    agree = float((moved.predict(d.data) == est.labels_).mean())
    print(f"labels predicted on the CPU by the model fitted on {a.device}: {agree:.4f} equal to its labels_")


if __name__ == "__main__":
    main()
