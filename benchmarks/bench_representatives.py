"""Representatives (issue 29): how often the ``n`` most central rows of a
cluster (``representatives(n)["central"]``, the most confident members)
carry the cluster's majority class, mean over clusters, on the shared cases
(every row, default settings).

    python benchmarks/bench_representatives.py [--cases mfeat2,wordnet10,fashion10k] [--seeds 0,1,2] [--n 5,20]
"""

import argparse

import numpy as np
from _common import DEFAULT_DATA, load

from sklearn_hume import HumeClustering


def purity(y, labels, groups):
    """Mean over clusters of the share of ``groups[k]`` whose class is cluster ``k``'s majority class."""
    out = []
    for k, rows in enumerate(groups):
        members = labels == k
        if len(rows) == 0:
            continue
        majority = np.bincount(y[members]).argmax()
        out.append(np.mean(y[rows] == majority))
    return float(np.mean(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="mfeat2,wordnet10,fashion10k")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--n", default="5,20")
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    a = ap.parse_args()
    ns = [int(n) for n in a.n.split(",")]
    print("| case | " + " | ".join(f"central n={n}" for n in ns) + " | " + " | ".join(f"doubtful n={n}" for n in ns)
          + " |")
    print("|---" * (2 * len(ns) + 1) + "|")
    for case in a.cases.split(","):
        views, y = load(a.data, case)
        cells = {n: ([], []) for n in ns}
        for seed in [int(s) for s in a.seeds.split(",")]:
            est = HumeClustering(len(np.unique(y)), random_state=seed).fit(views)
            for n in ns:
                reps = est.representatives(n)
                cells[n][0].append(purity(y, est.labels_, reps["central"]))
                cells[n][1].append(purity(y, est.labels_, reps["doubtful"]))
        print(f"| {case} | " + " | ".join(f"{np.mean(cells[n][0]):.3f}" for n in ns) + " | "
              + " | ".join(f"{np.mean(cells[n][1]):.3f}" for n in ns) + " |", flush=True)


if __name__ == "__main__":
    main()
