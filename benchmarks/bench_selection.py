"""Label-free model selection on the shared real cases (issue targets):

1. GridSearchCV without labels: ACC of the setting it picks vs the best ACC in the grid.
2. Choosing K over K = 6..14 (true K = 10) with three seeds, and on held-out cases:
   the choice of ``select_n_clusters`` and of each criterion alone, with a figure.
3. Imbalanced clusters: a fashion10k subsample with geometrically falling class
   sizes (largest/smallest = 10), default vs ``cluster_prior``.
4. Reliable samples: accuracy of the 10 % most confident samples, per cluster and overall.

    python benchmarks/bench_selection.py [--parts grid,k,imbalance,reliable] [--data-dir DIR]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
from _common import DEFAULT_DATA  # this folder is on sys.path when a script runs
from scipy.optimize import linear_sum_assignment
from sklearn.metrics.cluster import contingency_matrix
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_hume import HumeClustering, cluster_accuracy, select_n_clusters

CASES = ["mfeat", "wordnet10", "fashion10k"]


def load(data_dir, name):
    d = np.load(Path(data_dir) / f"{name}.npz")
    X1, X2 = d["X1"].astype(np.float32), d["X2"].astype(np.float32)
    return np.hstack([X1, X2]), [X1.shape[1], X2.shape[1]], d["y"].astype(np.int64)


def matched(y, labels, K):
    """Labels mapped to classes by the Hungarian matching of the whole labeling."""
    clusters, classes = np.unique(labels), np.unique(y)
    rows, cols = linear_sum_assignment(-contingency_matrix(labels, y))
    mapping = np.zeros(max(K, labels.max() + 1), dtype=np.int64)
    mapping[clusters[rows]] = classes[cols]
    return mapping[labels]


def part_grid(data_dir, out):
    res = {}
    grid = {"temperature": [0.05, 0.1, 0.2], "entropy_weight": [2.0, 5.0]}
    for name in CASES:
        X, sizes, y = load(data_dir, name)
        t = time.perf_counter()
        gs = GridSearchCV(HumeClustering(10, view_sizes=sizes, random_state=0), grid,
                          cv=KFold(3, shuffle=True, random_state=0)).fit(X)
        accs = []
        for params in gs.cv_results_["params"]:
            est = HumeClustering(10, view_sizes=sizes, random_state=0, **params).fit(X)
            accs.append(cluster_accuracy(y, est.labels_))
        chosen = accs[int(np.argmax(gs.cv_results_["mean_test_score"]))]
        res[name] = dict(chosen=gs.best_params_, chosen_acc=chosen, best_acc=max(accs), grid_acc=accs,
                         scores=list(gs.cv_results_["mean_test_score"]), seconds=time.perf_counter() - t)
        print(f"grid {name}: picked {gs.best_params_} ACC {chosen:.3f}; best in grid {max(accs):.3f}; "
              f"gap {max(accs) - chosen:.3f}", flush=True)
    return res


def holdout_cases():
    """Cases the K rule was checked on after it was chosen: other mfeat views and the
    built WordNet dataset (skipped when its extra or data are missing)."""
    from sklearn_hume.datasets import load_mfeat, load_wordnet_glosses

    for views in (["fac", "zer"], ["kar", "mor"], ["fou", "pix", "fac", "kar", "zer", "mor"]):
        d = load_mfeat(views=views)
        yield "mfeat " + "+".join(views), d.data, d.view_sizes
    try:
        d = load_wordnet_glosses(verbose=0)
        yield "wordnet minilm+e5 (built)", d.data, d.view_sizes
    except (ImportError, FileNotFoundError) as exc:
        print(f"skipping the built wordnet case: {exc}")


def part_k(data_dir, out, seeds=(0, 1, 2)):
    res = {}

    def one(key, X, sizes, seed):
        r = select_n_clusters(X, n_clusters_range=range(6, 15),
                              estimator=HumeClustering(view_sizes=sizes, random_state=seed))
        pick = {k: int(r.candidates[np.argmax(r[k])]) for k in ("agreement", "run_agreement", "probe_score")}
        res[key] = dict(chosen=r.n_clusters, candidates=r.candidates.tolist(), criterion=r.criterion.tolist(),
                        agreement=r.agreement.tolist(), run_agreement=r.run_agreement.tolist(),
                        score=r.probe_score.tolist(), **{f"chosen_by_{k}_alone": v for k, v in pick.items()})
        print(f"K {key}: chose {r.n_clusters} (views' agreement alone {pick['agreement']}, run agreement alone "
              f"{pick['run_agreement']}, probe score alone {pick['score']})", flush=True)

    for name in CASES:
        X, sizes, _ = load(data_dir, name)
        for seed in seeds:
            one(f"{name}/seed{seed}", X, sizes, seed)
    for name, X, sizes in holdout_cases():
        one(f"held out: {name}/seed{seeds[0]}", X, sizes, seeds[0])
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(14, 4))
        for i, name in enumerate(CASES):
            r = res[f"{name}/seed{seeds[0]}"]
            for ax, key in zip(axes, ("criterion", "agreement", "run_agreement")):
                ax.plot(r["candidates"], r[key], marker="o", color=f"C{i}", label=f"{name} (chose {r['chosen']})")
        titles = ("criterion = product (maximised)", "views' agreement (score)", "run agreement")
        for ax, title in zip(axes, titles):
            ax.axvline(10, color="gray", ls="--", lw=1)
            ax.set_xlabel("n_clusters")
            ax.set_title(title)
        axes[0].legend(fontsize=8)
        fig.suptitle(f"Choosing K without labels (true K = 10, random_state={seeds[0]})")
        fig.tight_layout()
        fig.savefig(out / "choose_k.png", dpi=120)
    except ImportError:
        pass
    return res


def part_imbalance(data_dir, out):
    X, sizes, y = load(data_dir, "fashion10k")
    rng = np.random.RandomState(0)
    counts = np.round(1000 * 0.1 ** (np.arange(10) / 9)).astype(int)  # 1000 ... 100
    idx = np.concatenate([rng.choice(np.flatnonzero(y == k), c, replace=False) for k, c in enumerate(counts)])
    Xs, ys = X[idx], y[idx]
    prior = counts / counts.sum()
    res = {"class_sizes": counts.tolist()}
    for label, params in [("uniform (default)", {}), ("cluster_prior = true proportions", {"cluster_prior": prior}),
                          ("entropy_weight=1", {"entropy_weight": 1.0})]:
        accs = [cluster_accuracy(ys, HumeClustering(10, view_sizes=sizes, random_state=s, **params).fit(Xs).labels_)
                for s in range(3)]
        res[label] = float(np.mean(accs))
        print(f"imbalanced fashion10k ({len(ys)} rows, sizes {counts[0]}..{counts[-1]}): {label}: ACC "
              f"{np.mean(accs):.3f}", flush=True)
    return res


def part_reliable(data_dir, out):
    res = {}
    for name in CASES:
        X, sizes, y = load(data_dir, name)
        est = HumeClustering(10, view_sizes=sizes, random_state=0).fit(X)
        correct = matched(y, est.labels_, 10) == y
        top = est.reliable_samples(fraction=0.1)
        overall = est.reliable_samples(fraction=0.1, per_cluster=False)
        res[name] = dict(all=float(correct.mean()), top10=float(correct[top].mean()), n_top=int(top.size),
                         top10_overall=float(correct[overall].mean()),
                         clusters_overall=int(np.unique(est.labels_[overall]).size),
                         cluster_stability=est.cluster_stability_.tolist())
        print(f"reliable {name}: ACC all {correct.mean():.3f}; 10 % most confident per cluster ({top.size}) "
              f"{correct[top].mean():.3f}; 10 % most reliable overall {correct[overall].mean():.3f} "
              f"from {res[name]['clusters_overall']} clusters", flush=True)
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", default="grid,k,imbalance,reliable")
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--out", default="benchmark_results")
    a = ap.parse_args(argv)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    parts = {"grid": part_grid, "k": part_k, "imbalance": part_imbalance, "reliable": part_reliable}
    results = {p: parts[p](a.data_dir, out) for p in a.parts.split(",")}
    (out / "selection.json").write_text(json.dumps(results, indent=1, default=float))


if __name__ == "__main__":
    main()
