"""HumeClustering against the clusterers users would otherwise reach for, on
every shared case: Hungarian ACC, peers at random_state 0, HumeClustering as
the mean over ``--seeds`` seeds (with the range), views centred and
row-normalised for the peers.

    python benchmarks/bench_peers.py [--cases mfeat2,mfeat6,...] [--seeds 3]

Peers: KMeans (n_init=10) and spectral clustering (kNN graph, 10 neighbours)
on the views side by side, Ward on a 64-component PCA of them, and mvlearn's
multi-view spectral, co-regularised spectral and multi-view KMeans (the best
of the three by ACC is shown) when mvlearn imports, on two-view cases of at
most 2,000 rows (on wordnet10's 6,000 rows they ran for over 12 minutes on 2
cores without finishing). HumeClustering: the default, without the final
ridge refit (``refine=False``), the runs' vote alone as before the final steps
existed (``propagation=0, refine=False``), and the opt-in neighbourhood term
(``neighbor_weight=1``). ``--cases held-out`` runs the
view pairs no setting was chosen on (see ``_common.HELD_OUT``), ``--cases built``
cases built here and never tuned on: scikit-learn's digits (pixels and HOG), 24
WordNet noun classes (balanced, and at the classes' natural frequencies) and the 15
verb classes (see ``_common.BUILT``).
"""

import argparse
import time

import numpy as np
from _common import BUILT, DEFAULT_DATA, HELD_OUT, kmeans_features, load
from sklearn.cluster import AgglomerativeClustering, KMeans, SpectralClustering
from sklearn.decomposition import PCA

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.benchmark import _MVLEARN_MAX_ROWS, _MVLEARN_MAX_VIEWS, normalised


def peers(views, K):
    X = kmeans_features(views)
    out = {
        "KMeans": lambda: KMeans(K, n_init=10, random_state=0).fit_predict(X),
        "Spectral": lambda: SpectralClustering(K, affinity="nearest_neighbors", n_neighbors=10,
                                               random_state=0).fit_predict(X),
        "Ward (PCA-64)": lambda: AgglomerativeClustering(K).fit_predict(
            PCA(min(64, X.shape[1]), random_state=0).fit_transform(X)),
    }
    if len(views) > _MVLEARN_MAX_VIEWS or len(X) > _MVLEARN_MAX_ROWS:  # the main job's bounds
        return out
    try:
        from mvlearn.cluster import MultiviewCoRegSpectralClustering, MultiviewKMeans, MultiviewSpectralClustering
    except Exception:  # not installed, or broken against this scikit-learn
        return out
    vs = [normalised(v) for v in views]
    out["mvlearn best"] = lambda: max(
        (f() for f in (lambda: MultiviewSpectralClustering(K, random_state=0, affinity="nearest_neighbors",
                                                           n_neighbors=10).fit_predict(vs),
                       lambda: MultiviewCoRegSpectralClustering(K, random_state=0, affinity="nearest_neighbors",
                                                                n_neighbors=10).fit_predict(vs),
                       lambda: MultiviewKMeans(K, random_state=0).fit_predict(vs))),
        key=lambda labels: cluster_accuracy(y_current, labels))
    return out


def diagnostics(cases, data):
    """Label-free properties of three labelings of each case: 5-fold CV accuracy
    of a ridge classifier on each view's embedding, and the share of 10-NN
    pairs (views side by side) that share a label."""
    import torch
    from sklearn.linear_model import RidgeClassifier
    from sklearn.model_selection import cross_val_score

    from sklearn_hume._graph import knn_indices, unit_rows

    print("| case | labeling | ACC | ridge CV per view | kNN agreement |\n|---|---|---|---|---|")
    for case in cases:
        views, y = load(data, case)
        K = len(np.unique(y))
        est = HumeClustering(K, random_state=0).fit(views)
        Zs = est._embed_new(views, None)
        neighbours = knn_indices(unit_rows(torch.cat([unit_rows(Z) for Z in Zs], 1)), 10).numpy()
        spectral = SpectralClustering(K, affinity="nearest_neighbors", n_neighbors=10,
                                      random_state=0).fit_predict(kmeans_features(views))
        for name, labels in (("HUME", est.labels_), ("spectral", spectral), ("truth", y)):
            cv = [cross_val_score(RidgeClassifier(alpha=1.0), Z.numpy(), labels, cv=5).mean() for Z in Zs]
            agree = (labels[neighbours] == labels[:, None]).mean()
            print(f"| {case} | {name} | {cluster_accuracy(y, labels):.3f} | {' / '.join(f'{c:.3f}' for c in cv)} | "
                  f"{agree:.3f} |", flush=True)


y_current = None  # mvlearn's three methods are compared by ACC: "best" is an upper bound on that peer


def main():
    global y_current
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="mfeat2,mfeat6,wordnet10,wordnet10all,fashion10k,fashion10k+pixels")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--diagnostics", action="store_true",
                    help="only print how learnable and kNN-consistent HUME's, spectral's and the true labelings are")
    args = ap.parse_args()
    if args.diagnostics:
        return diagnostics(args.cases.split(","), args.data)
    hume = {"HUME default": {}, "HUME refine=False": {"refine": False},
            "HUME vote only (propagation=0, refine=False)": {"propagation": 0.0, "refine": False},
            "HUME neighbor_weight=1": {"neighbor_weight": 1.0}}
    table = {}
    cases = {"held-out": HELD_OUT, "built": list(BUILT)}.get(args.cases) or args.cases.split(",")
    n_views = {}
    for case in cases:
        views, y = load(args.data, case)
        y_current, K = y, len(np.unique(y))
        row, n_views[case] = {}, len(views)
        for name, fit in peers(views, K).items():
            t = time.perf_counter()
            row[name] = (cluster_accuracy(y, fit()), None, time.perf_counter() - t)
            print(f"{case} {name}: ACC {row[name][0]:.3f} ({row[name][2]:.1f}s)", flush=True)
        for name, params in hume.items():
            accs, times = [], []
            for seed in range(args.seeds):
                t = time.perf_counter()
                est = HumeClustering(K, random_state=seed, **params).fit(views)
                times.append(time.perf_counter() - t)
                accs.append(cluster_accuracy(y, est.labels_))
            row[name] = (float(np.mean(accs)), (min(accs), max(accs)), float(np.mean(times)))
            print(f"{case} {name}: ACC {row[name][0]:.3f} [{min(accs):.3f}, {max(accs):.3f}] "
                  f"({row[name][2]:.1f}s)", flush=True)
        table[case] = row
    methods = list(next(iter(table.values())))
    print(f"\n| case | views | {' | '.join(methods)} |")
    print("|---|---|" + "---|" * len(methods))
    for case, row in table.items():
        best = max(v[0] for v in row.values())
        cells = []
        for m in methods:
            if m not in row:
                cells.append("–")
                continue
            acc, span, secs = row[m]
            text = f"{acc:.3f}" + (f" [{span[0]:.3f}-{span[1]:.3f}]" if span else "") + f" ({secs:.1f}s)"
            cells.append(f"**{text}**" if acc == best else text)
        print(f"| {case} | {n_views[case]} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
