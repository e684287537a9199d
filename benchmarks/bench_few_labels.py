"""A few known labels: HumeClustering(known_labels=...) against what users
would otherwise use, on the shared cases.

    python benchmarks/bench_few_labels.py [--draws 3] [--budgets 1,5,20]

For each case, budget (labels per class) and random draw of the labelled rows,
every method gets the same labels and is scored by accuracy on all the
unlabelled rows:

- LogisticRegression on the labelled rows alone;
- LabelSpreading (kNN graph);
- SelfTrainingClassifier(LogisticRegression);
- unsupervised HumeClustering, clusters mapped to classes through the known
  labels (Hungarian matching on the labelled rows);
- HumeClustering with ``known_labels``;
- that fit's pseudo-labels (the 30 % most reliable samples per cluster, and
  the known rows) seeding SelfTrainingClassifier(LogisticRegression), the
  gallery's workflow;
- HumeClustering with ``known_labels``, ``label_weight=0.3`` and the
  neighbourhood term (``neighbor_weight=1``);
- with ``--compare`` (budgets of 2 or more labels per class), the method that
  ``compare_known_labels`` (5 folds of the known rows) prefers, between
  ``known_labels`` and its default classifier (logistic regression on the
  views centred, row-normalised and side by side, also listed alone), and
  how often its choice was the better one on the unlabelled rows.

The baselines see the views centred, row-normalised, concatenated and reduced
to at most 256 principal components (the same input KMeans gets elsewhere, reduced so
that self-training stays fast). Prints mean ± std over the draws and writes
``few_labels.png`` (accuracy against labels per class, one line per method).
"""

import argparse
import warnings

import numpy as np
from _common import DEFAULT_DATA, kmeans_features, load
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.cluster import contingency_matrix
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

from sklearn_hume import HumeClustering, compare_known_labels
from sklearn_hume._compare import default_classifier

METHODS = ["LogisticRegression", "LabelSpreading", "SelfTraining", "HUME unsupervised + mapping", "HUME known_labels",
           "HUME known_labels + self-training", "HUME known_labels, lw 0.3 + kNN term"]
# Softer anchors and the opt-in neighbourhood term, which spreads known labels along the views' consensus edges.
TUNED = dict(label_weight=0.3, neighbor_weight=1.0)
COMPARED = ["compare_known_labels' classifier", "chosen by compare_known_labels"]


def draw(y, per_class, rng):
    known = np.full(len(y), -1)
    for c in np.unique(y):
        known[rng.choice(np.flatnonzero(y == c), per_class, replace=False)] = c
    return known


def mapped(labels, known):
    """Cluster ids mapped to classes by the Hungarian matching on the labelled rows."""
    rows = known >= 0
    clusters, classes = np.unique(labels[rows]), np.unique(known[rows])
    r, c = linear_sum_assignment(-contingency_matrix(labels[rows], known[rows]))
    mapping = np.full(labels.max() + 1, -1)
    mapping[clusters[r]] = classes[c]
    return mapping[labels]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="mfeat2,wordnet10,fashion10k")
    ap.add_argument("--budgets", default="1,5,20")
    ap.add_argument("--draws", type=int, default=3)
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--out", default="benchmark_results")
    ap.add_argument("--compare", action="store_true", help="add compare_known_labels' choice (5 more fits per draw)")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    budgets = [int(b) for b in a.budgets.split(",")]
    methods = METHODS + (COMPARED if a.compare else [])
    results, right = {}, {}
    for case in a.cases.split(","):
        views, y = load(a.data_dir, case)
        K = len(np.unique(y))
        Xb = kmeans_features(views)
        Xb = PCA(min(256, *Xb.shape), random_state=0).fit_transform(Xb)  # narrow cases keep every axis
        unsup = HumeClustering(K, random_state=0).fit(views).labels_
        side_by_side = np.hstack(views) if a.compare else None  # as compare_known_labels' classifier sees them
        for per in budgets:
            accs = {m: [] for m in methods}
            for d in range(a.draws):
                known = draw(y, per, np.random.RandomState(d))
                unl, lab = known < 0, known >= 0

                def score(pred, unl=unl, y=y):
                    return float((pred[unl] == y[unl]).mean())

                accs["LogisticRegression"].append(score(LogisticRegression(max_iter=1000).fit(Xb[lab], y[lab])
                                                        .predict(Xb)))
                accs["LabelSpreading"].append(score(LabelSpreading(kernel="knn", n_neighbors=10).fit(Xb, known)
                                                    .transduction_))
                accs["SelfTraining"].append(score(SelfTrainingClassifier(LogisticRegression(max_iter=1000))
                                                  .fit(Xb, known).predict(Xb)))
                accs["HUME unsupervised + mapping"].append(score(mapped(unsup, known)))
                est = HumeClustering(K, random_state=0).fit(views, known_labels=known)
                accs["HUME known_labels"].append(score(est.labels_))
                seeds = np.full(len(y), -1)
                reliable = est.reliable_samples(fraction=0.3)
                seeds[reliable] = est.labels_[reliable]
                seeds[lab] = known[lab]
                accs["HUME known_labels + self-training"].append(score(
                    SelfTrainingClassifier(LogisticRegression(max_iter=1000)).fit(Xb, seeds).predict(Xb)))
                tuned = HumeClustering(K, random_state=0, **TUNED).fit(views, known_labels=known)
                accs["HUME known_labels, lw 0.3 + kNN term"].append(score(tuned.labels_))
                if a.compare and per >= 2:
                    clf = default_classifier([v.shape[1] for v in views]).fit(side_by_side[lab], y[lab])
                    accs[COMPARED[0]].append(score(clf.predict(side_by_side)))
                    best = compare_known_labels(views, known_labels=known, estimator=HumeClustering(K, random_state=0),
                                                random_state=d).best
                    pair = [accs["HUME known_labels"][-1], accs[COMPARED[0]][-1]]
                    accs[COMPARED[1]].append(pair[best == "classifier"])
                    right.setdefault((case, per), []).append(accs[COMPARED[1]][-1] == max(pair))
                print(f"{case} {per}/class draw {d}: " + ", ".join(f"{m} {accs[m][-1]:.3f}" for m in methods
                                                                   if accs[m]), flush=True)
            results[(case, per)] = accs
    print("\n| case | labels per class | " + " | ".join(methods) + " |\n|" + "---|" * (2 + len(methods)))
    for (case, per), accs in results.items():
        print(f"| {case} | {per} | " + " | ".join(f"{np.mean(accs[m]):.3f} ± {np.std(accs[m]):.3f}" if accs[m]
                                                  else "–" for m in methods) + " |")
    if right:
        print("\ncompare_known_labels chose the better method on the unlabelled rows: " + ", ".join(
            f"{case} {per}/class {sum(r)} of {len(r)}" for (case, per), r in right.items()))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    cases = a.cases.split(",")
    fig, axes = plt.subplots(1, len(cases), figsize=(4.2 * len(cases), 3.6), squeeze=False)
    for ax, case in zip(axes[0], cases):
        for m in METHODS:  # the chosen one coincides with one of these
            ax.plot(budgets, [np.mean(results[(case, b)][m]) for b in budgets], "o-", label=m)
        ax.set_xscale("log")
        ax.set_xticks(budgets, [str(b) for b in budgets])
        ax.set_title(case)
        ax.set_xlabel("known labels per class")
    axes[0][0].set_ylabel("accuracy on the unlabelled rows")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    from pathlib import Path

    Path(a.out).mkdir(parents=True, exist_ok=True)
    fig.savefig(Path(a.out) / "few_labels.png", dpi=110)
    print(f"\nwrote {Path(a.out) / 'few_labels.png'}")


if __name__ == "__main__":
    main()
