"""The main job: HumeClustering against KMeans (and other references) on real
multi-view data.

    python -m sklearn_hume.benchmark                      # shipped mfeat digits, 2 views
    python -m sklearn_hume.benchmark --views all          # all six mfeat views
    python -m sklearn_hume.benchmark --dataset digits     # scikit-learn's digits: pixels + HOG
    python -m sklearn_hume.benchmark --dataset wordnet    # built offline: WordNet glosses, 2 text encoders
    python -m sklearn_hume.benchmark --dataset fashion-cnn  # built offline: Fashion-MNIST, 2 ImageNet CNNs
    python -m sklearn_hume.benchmark --dataset fashion-hog  # built offline: Fashion-MNIST 70k, pixels + HOG
    python -m sklearn_hume.benchmark --dataset case.npz   # any .npz with X1, X2[, V_*], y

Prints a table of ACC (Hungarian-matched accuracy), NMI, ARI, fit time and peak
memory per method, saves it as Markdown and CSV, and draws three PNG figures
(needs matplotlib): the scores per method; the paper's central claim, the
label-free score of each HUME run against its agreement with the true labels;
and the fitted ``view_weights_``, which views the labeling rests on.
"""

import argparse
import csv
import threading
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.cluster import AgglomerativeClustering, KMeans, SpectralClustering
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._hume import HumeClustering
from ._metrics import cluster_accuracy
from .datasets import (
    load_digits_views,
    load_fashion_mnist_cnn_views,
    load_fashion_mnist_views,
    load_mfeat,
    load_wordnet_glosses,
)
from .datasets._base import MFEAT_VIEWS


class PeakMemory:
    """Peak resident memory above the starting level while the block runs
    (sampled every 5 ms from /proc; NaN where /proc is unavailable)."""

    def __enter__(self):
        self.start = self.peak = _rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())
        self.mib = (self.peak - self.start) / 2**20


def _rss():
    try:
        with open("/proc/self/statm") as f:
            import os

            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return float("nan")


def normalised(view):
    """Centre the view and L2-normalise its rows (the KMeans reference input)."""
    v = view - view.mean(0)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


_WARD_MAX_ROWS = 20_000
# mvlearn's multi-view spectral clustering eigen-decomposes a dense N x N
# affinity per view and iteration: 31 s on mfeat's 2,000 rows and two views,
# 180 s with six, on 2 cores. Beyond these sizes the main job leaves it out.
_MVLEARN_MAX_ROWS, _MVLEARN_MAX_VIEWS = 2000, 2


def mvlearn_spectral(n_clusters, seed):
    """mvlearn's ``MultiviewSpectralClustering`` (kNN affinity, 10 neighbours)
    as a function of the list of views, or ``None`` when mvlearn does not
    import (``pip install seaborn && pip install --no-deps mvlearn``: its
    0.5.0 pins a matplotlib older than any with wheels for current Pythons)."""
    try:
        from mvlearn.cluster import MultiviewSpectralClustering
    except Exception:  # not installed, or broken against this scikit-learn
        return None
    return lambda views: MultiviewSpectralClustering(n_clusters, random_state=seed, affinity="nearest_neighbors",
                                                     n_neighbors=10).fit_predict(views)

# Datasets built offline by sklearn_hume.datasets (cached after the first run).
BUILT = {
    "wordnet": (load_wordnet_glosses, ["minilm", "e5"]),
    "fashion-cnn": (load_fashion_mnist_cnn_views, ["effnet", "resnet50"]),
    "fashion-hog": (load_fashion_mnist_views, ["pixels", "hog"]),
}
# Every dataset the main job knows by name besides mfeat: the built ones and
# scikit-learn's digits (nothing to build).
NAMED = {"digits": (load_digits_views, ["pixels", "hog"]), **BUILT}


def load_dataset(dataset, views):
    if dataset == "mfeat":
        names = list(MFEAT_VIEWS) if views == "all" else views.split(",")
        d = load_mfeat(views=names)
        return [d.views[n] for n in names], names, d.target
    if dataset in NAMED:
        loader, names = NAMED[dataset]
        d = loader()
        return [d.X1, d.X2], names, d.target
    f = np.load(dataset)
    extra = sorted(k for k in f.files if k.startswith("V_"))
    names = ["X1", "X2"] + (extra if views == "all" else [])
    return [np.asarray(f[n], dtype=np.float32) for n in names], names, np.asarray(f["y"]).astype(np.int64)


def warm_up_rows(n_rows, seed, size=200):
    """The rows a method is warmed up on before it is timed: ``size`` drawn at
    random (sorted). A dataset sorted by class, as mfeat is, would give its
    first rows a single class."""
    return np.sort(np.random.default_rng(seed).choice(n_rows, min(size, n_rows), replace=False))


def warm_up(fit, data):
    """Call ``fit(data)`` so that imports, thread pools and first-call costs
    stay out of the timing. Its warnings are dropped: a fit on a few rows may
    lose clusters, and its warnings would read as if they were about the
    table's fits."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit(data)


def run(dataset="mfeat", views="fou,pix", seed=0, out="hume_benchmark", hume_params=None, spectral=True,
        verbose=1, mvlearn=True):
    """Run the benchmark; returns the rows of the table (list of dicts).

    ``mvlearn=True`` adds mvlearn's multi-view spectral clustering where it
    imports and the data has at most 2,000 rows and two views."""
    Xs, names, y = load_dataset(dataset, views)
    K = len(np.unique(y))
    X = np.hstack(Xs)
    Xn = np.hstack([normalised(v) for v in Xs])
    print(f"{dataset}: {len(y)} samples, {K} classes, views {dict(zip(names, [v.shape[1] for v in Xs]))}", flush=True)
    rows = []

    warm = warm_up_rows(len(y), seed)

    def record(method, fit, data):
        """Time ``fit(data)`` (labels out) after a warm-up on ``warm``'s rows."""
        warm_up(fit, data[warm])
        print(f"- {method} ...", end=" ", flush=True)
        with PeakMemory() as mem:
            t = time.perf_counter()
            labels = fit(data)
            secs = time.perf_counter() - t
        row = dict(method=method, acc=cluster_accuracy(y, labels), nmi=normalized_mutual_info_score(y, labels),
                   ari=adjusted_rand_score(y, labels), seconds=secs, peak_mib=mem.mib)
        print(f"ACC {row['acc']:.3f}  ({secs:.1f}s)", flush=True)
        rows.append(row)
        return labels

    kmeans = lambda A: KMeans(K, n_init=10, random_state=seed).fit(A).labels_
    spectral_fit = lambda A: SpectralClustering(K, affinity="nearest_neighbors", n_neighbors=15,
                                                random_state=seed).fit(A).labels_
    for name, v in zip(names, Xs):
        record(f"KMeans on {name}", lambda A: kmeans(normalised(A)), v)
    record("KMeans on all views", kmeans, Xn)
    if spectral:
        record("Spectral on all views", spectral_fit, Xn)
    if len(y) <= _WARD_MAX_ROWS:  # Ward's merge tree needs O(N^2) memory
        ward = lambda A: make_pipeline(PCA(min(64, A.shape[1]), random_state=seed),
                                       AgglomerativeClustering(K, linkage="ward")).fit(A)[-1].labels_
        record("Ward on all views (PCA-64)", ward, Xn)
    multiview = mvlearn_spectral(K, seed) if mvlearn else None
    if multiview is not None and len(y) <= _MVLEARN_MAX_ROWS and len(Xs) <= _MVLEARN_MAX_VIEWS:
        cuts = np.cumsum([v.shape[1] for v in Xs])[:-1]  # Xn's views, side by side
        try:
            record("mvlearn multi-view spectral", lambda A: multiview(np.hsplit(A, cuts)), Xn)
        except Exception as exc:  # an optional third-party peer must not end the main job
            print(f"mvlearn's multi-view spectral clustering failed ({type(exc).__name__}: {exc}); "
                  "it is left out of the table.", flush=True)
    # verbose=0: a progress bar would land inside the table's lines.
    est = HumeClustering(n_clusters=K, view_sizes=[v.shape[1] for v in Xs], random_state=seed,
                         **{**(hume_params or {}), "verbose": 0})
    if est.objective != "hume":
        # The previous default beside the current one: the runs' vote without the final steps.
        vote_only = clone(est).set_params(propagation=0.0, refine=False)
        record("HumeClustering, runs' vote only", lambda A: vote_only.fit(A).labels_, X)
    record("HumeClustering", lambda A: est.fit(A).labels_, X)
    support = dict(zip(names, zip(est.view_scores_, est.view_weights_)))
    print("  view weights (share of the labeling's linear support, no labels): "
          + ", ".join(f"{n} {w:.2f} (kappa {k:.2f})" for n, (k, w) in support.items()), flush=True)

    # The supervised upper reference: a linear probe trained on 70 % of the labels.
    tr, te = train_test_split(np.arange(len(y)), test_size=0.3, stratify=y, random_state=seed)
    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    with PeakMemory() as mem:
        t = time.perf_counter()
        probe.fit(X[tr], y[tr])
        pred = probe.predict(X[te])
        secs = time.perf_counter() - t
    rows.append(dict(method="Linear probe (supervised, 70/30)", acc=float((pred == y[te]).mean()),
                     nmi=normalized_mutual_info_score(y[te], pred), ari=adjusted_rand_score(y[te], pred),
                     seconds=secs, peak_mib=mem.mib))

    table = format_table(rows)
    print("\n" + table)
    # The paper's claim across runs, with enough runs to see it (not timed).
    many = clone(est).set_params(n_runs=32).fit(X)
    run_acc = np.array([cluster_accuracy(y, lab) for lab in many.run_labels_])
    run_obj = many.run_losses_
    corr = float(np.corrcoef(run_obj, run_acc)[0, 1]) if np.ptp(run_obj) > 0 else float("nan")
    print(f"\nAcross 32 runs: correlation of the final objective (label-free, lower is better) with ACC = "
          f"{corr:.2f}; best run by objective ACC {run_acc[np.argmin(run_obj)]:.3f}, the table's vote ACC "
          f"{rows[-2]['acc']:.3f}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    weights_table = "\n".join(["| view | view_scores_ (LOO kappa) | view_weights_ |", "|---|---|---|"]
                              + [f"| {n} | {k:.3f} | {w:.3f} |" for n, (k, w) in support.items()])
    (out / "results.md").write_text(table + "\n\nHumeClustering's views:\n\n" + weights_table + "\n")
    with open(out / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    np.savez(out / "runs.npz", run_losses=run_obj, run_acc=run_acc)
    title = dataset if dataset == "mfeat" or dataset in NAMED else Path(dataset).stem
    _figures(rows, run_obj, run_acc, corr, out, title, support)
    print(f"Saved results.md, results.csv, runs.npz (the 32 runs' objectives and ACCs) and figures under {out}/")
    return rows


def format_table(rows):
    lines = ["| method | ACC | NMI | ARI | fit s | peak MiB |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['method']} | {r['acc']:.3f} | {r['nmi']:.3f} | {r['ari']:.3f} | {r['seconds']:.1f} "
                     f"| {r['peak_mib']:.0f} |")
    return "\n".join(lines)


def _accuracy_title(rows, title):
    """The accuracy figure's title: HumeClustering among its peers, naming
    an unsupervised peer that beats it on this dataset."""
    acc = {r["method"]: r["acc"] for r in rows}
    peers = {n: a for n, a in acc.items() if "probe" not in n and "Hume" not in n}
    best = max(peers, key=peers.get, default=None)
    if best is not None and "HumeClustering" in acc and peers[best] > acc["HumeClustering"]:
        return f"{title}: HumeClustering and its peers\n({best} leads on this dataset)"
    return f"{title}: HumeClustering and its peers"


def _figures(rows, scores, run_acc, corr, out, title, support):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no figures (pip install 'sklearn-hume[bench]').")
        return
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.2))
    names = [r["method"] for r in rows][::-1]
    accs = [r["acc"] for r in rows][::-1]
    colors = ["tab:gray" if "probe" in n else "tab:red" if n == "HumeClustering" else "salmon" if "Hume" in n
              else "tab:blue" for n in names]
    ax.barh(names, accs, color=colors)
    for i, a in enumerate(accs):
        ax.text(a + 0.005, i, f"{a:.3f}", va="center", fontsize=8)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel("ACC (Hungarian-matched)")
    ax.set_title(_accuracy_title(rows, title), fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "accuracy.png", dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.scatter(scores, run_acc, s=18)
    ax.set_xlabel("final objective of the run (run_losses_, no labels; lower is better)")
    ax.set_ylabel("ACC of the run (true labels)")
    ax.locator_params(nbins=5)
    ax.set_title(f"{title}: {len(scores)} random runs, correlation {corr:.2f}", fontsize=10)
    fig.text(0.01, 0.01, "HUME's claim: the label-free objective ranks labelings like the truth does.\n"
             "A strongly negative correlation means the lowest-objective runs are the most accurate.",
             fontsize=7, va="bottom")
    fig.tight_layout()
    fig.subplots_adjust(bottom=0.24)
    fig.savefig(out / "score_vs_accuracy.png", dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 0.4 * len(support) + 1.4))
    views = list(support)[::-1]
    ax.barh(views, [support[v][1] for v in views], color="tab:red")
    for i, v in enumerate(views):
        ax.text(support[v][1] + 0.005, i, f"{support[v][1]:.2f} (kappa {support[v][0]:.2f})", va="center", fontsize=8)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel("view_weights_: share of the labeling's linear support (no labels used)")
    ax.set_title(f"{title}: which views the labeling rests on", fontsize=10)
    fig.tight_layout()
    fig.savefig(out / "view_weights.png", dpi=120)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m sklearn_hume.benchmark", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", default="mfeat",
                    help="'mfeat' (shipped), 'digits' (scikit-learn's, pixels + HOG), a built dataset ("
                         + ", ".join(BUILT) + "; see sklearn_hume.datasets) or a .npz file with X1, X2, y")
    ap.add_argument("--views", default=None,
                    help="mfeat: comma-separated views or 'all' (default fou,pix); .npz: 'all' adds its V_* views")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="hume_benchmark")
    ap.add_argument("--objective", default="loo", choices=["loo", "turtle", "hume"])
    ap.add_argument("--no-spectral", action="store_true")
    ap.add_argument("--no-mvlearn", action="store_true",
                    help="leave out mvlearn's multi-view spectral clustering (shown where mvlearn is installed, "
                         "pip install seaborn && pip install --no-deps mvlearn, for at most 2,000 rows and two views)")
    a = ap.parse_args(argv)
    views = a.views or ("fou,pix" if a.dataset == "mfeat" else "")
    run(a.dataset, views, a.seed, a.out, {"objective": a.objective}, spectral=not a.no_spectral,
        mvlearn=not a.no_mvlearn)


if __name__ == "__main__":
    main()
