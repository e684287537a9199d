"""Do the fitted ``view_weights_`` show which embeddings are strong?

    python benchmarks/bench_view_weights.py [--cases mfeat6,wordnet10all,fashion10k+pixels]

For every view of the multi-view cases: ``view_scores_`` and ``view_weights_``
of a default fit (no labels), beside two label-using references that the fit
never sees: the LOO kappa of a ridge classifier on the view against the *true*
labels, and KMeans's ACC on that view alone. The Spearman correlation between
the label-free scores and the true-label kappas says whether the weights rank
the views as the truth does. Writes ``results/view_weights.md`` and ``.png``.
"""

import argparse
import warnings
from pathlib import Path

import numpy as np
import torch
from _common import CASES, DEFAULT_DATA, load
from scipy.stats import spearmanr
from sklearn.cluster import KMeans

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume._ridge import view_support
from sklearn_hume.benchmark import normalised

OUT = Path(__file__).resolve().parent / "results"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="mfeat6,wordnet10all,fashion10k+pixels")
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    lines = ["| case | view | dims | view_scores_ | view_weights_ | LOO kappa, true labels | KMeans ACC alone |",
             "|---|---|---|---|---|---|---|"]
    summary, figure = [], []
    for case in a.cases.split(","):
        views, y = load(a.data_dir, case)
        K = len(np.unique(y))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = HumeClustering(K, view_sizes=[v.shape[1] for v in views], random_state=a.seed).fit(np.hstack(views))
        # The references embed each view as the fit did and score the true labels instead.
        Zs = est._embed_new(np.hstack(views), None)
        truth = view_support(Zs, torch.as_tensor(y), K, est._settings.alpha).numpy()
        names = [k.removeprefix("V_") for k in CASES[case][1]]
        for name, v, s, w, t in zip(names, views, est.view_scores_, est.view_weights_, truth):
            km = cluster_accuracy(y, KMeans(K, n_init=10, random_state=a.seed).fit(normalised(v)).labels_)
            lines.append(f"| {case} | {name} | {v.shape[1]} | {s:.3f} | {w:.3f} | {t:.3f} | {km:.3f} |")
        rho = spearmanr(est.view_scores_, truth).statistic
        acc = cluster_accuracy(y, est.labels_)
        summary.append(f"- {case}: HumeClustering ACC {acc:.3f}; Spearman correlation of view_scores_ with the "
                       f"true-label kappas {rho:.2f}")
        figure.append((case, names, est.view_weights_, truth))
        print(summary[-1], flush=True)
    text = "\n".join(lines) + "\n\n" + "\n".join(summary) + "\n"
    print("\n" + text)
    OUT.mkdir(exist_ok=True)
    (OUT / "view_weights.md").write_text(text)
    _figure(figure, OUT / "view_weights.png")


def _figure(figure, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(figure), figsize=(4.2 * len(figure), 3.6), squeeze=False)
    for ax, (case, names, weights, truth) in zip(axes[0], figure):
        x = np.arange(len(names))
        ax.bar(x - 0.2, weights, 0.4, color="tab:red", label="view_weights_ (no labels)")
        # The true-label kappas on the same scale as the weights, for the ranking only.
        share = np.clip(truth, 0, None) / max(np.clip(truth, 0, None).sum(), 1e-12)
        ax.bar(x + 0.2, share, 0.4, color="tab:gray", label="true-label kappa, normalised")
        ax.set_xticks(x, names, rotation=30, ha="right", fontsize=8)
        ax.set_title(case, fontsize=10)
    axes[0][0].set_ylabel("share")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    torch.manual_seed(0)
    main()
