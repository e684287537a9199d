"""Labels of the shared cases before and after a change that must not move them.

``--save FILE`` writes every fit's labels; ``--against FILE`` refits and
reports, per fit, whether the labels are identical (else their ARI against the
saved labels and both ACCs). Fits: mfeat2, wordnet10 and fashion10k,
``random_state`` 0-2, objectives "loo" and "turtle" at their defaults and
"hume" shortened (``n_iter=3, n_subsets=2, inner_steps=20``: its loop, not its
accuracy, is what a change could move), and on dask (mfeat2, "loo"), in one
process so that the two runs compare like with like.

    python benchmarks/check_identity.py --save /tmp/before.npz
    python benchmarks/check_identity.py --against /tmp/before.npz
"""

import argparse

import numpy as np
from _common import DEFAULT_DATA, load
from sklearn.metrics import adjusted_rand_score

from sklearn_hume import HumeClustering, cluster_accuracy

PAPER_SHORT = dict(n_iter=3, n_subsets=2, inner_steps=20, subset_size=2000)


def fits(cases, seeds):
    for case in cases:
        views, y = load(DEFAULT_DATA, case)
        for seed in seeds:
            for objective in ("loo", "turtle", "hume"):
                extra = PAPER_SHORT if objective == "hume" else {}
                est = HumeClustering(n_clusters=len(np.unique(y)), objective=objective, random_state=seed, **extra)
                yield f"{case}/{objective}/{seed}", est.fit(views).labels_, y
            if case == "mfeat2":
                import dask.array as da

                dviews = [da.from_array(v, chunks=(500, -1)) for v in views]
                est = HumeClustering(n_clusters=len(np.unique(y)), random_state=seed).fit(dviews)
                yield f"{case}/dask/{seed}", np.asarray(est.labels_), y


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--save")
    g.add_argument("--against")
    p.add_argument("--cases", default="mfeat2,wordnet10,fashion10k")
    p.add_argument("--seeds", default="0,1,2")
    a = p.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    saved = {} if a.save else dict(np.load(a.against))
    out, same = {}, 0
    for key, labels, y in fits(a.cases.split(","), seeds):
        out[key] = labels
        if a.save:
            print(f"{key:28s} ACC {cluster_accuracy(y, labels):.4f}", flush=True)
            continue
        ref = saved[key]
        if np.array_equal(ref, labels):
            same += 1
            print(f"{key:28s} identical", flush=True)
        else:
            print(f"{key:28s} ARI {adjusted_rand_score(ref, labels):.5f}  ACC {cluster_accuracy(y, ref):.4f} -> "
                  f"{cluster_accuracy(y, labels):.4f}", flush=True)
    if a.save:
        np.savez(a.save, **out)
    else:
        print(f"{same} of {len(out)} fits identical")


if __name__ == "__main__":
    main()
