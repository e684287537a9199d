"""HumeClustering against KMeans on the shared real two-view cases (issue targets).

For each case and seed, fits KMeans(n_clusters=K, n_init=10) on the centred,
row-L2-normalised, concatenated views and HumeClustering with the given
settings, side by side in one process, and prints ACC (Hungarian), NMI, ARI,
fit times and their ratio as a Markdown table (also saved under --out).

    python benchmarks/bench_objectives.py                       # all cases, defaults
    python benchmarks/bench_objectives.py --cases mfeat2 --set objective=turtle

The cases are read from ``--data-dir`` (default: ``../shared/bench_data`` beside
the checkout); see ``shared/bench_data/README.md`` for their provenance.
"""

import argparse
import ast
import json
import time
from pathlib import Path

import numpy as np
from _common import CASES, DEFAULT_DATA, HELD_OUT, kmeans_features, load, scores
from sklearn.cluster import KMeans

from sklearn_hume import HumeClustering


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(c for c in CASES if c not in HELD_OUT),
                    help="comma-separated, from: " + ", ".join(CASES))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--data-dir", default=str(DEFAULT_DATA))
    ap.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                    help="HumeClustering parameter, e.g. --set objective=turtle (repeatable)")
    ap.add_argument("--no-kmeans", action="store_true", help="skip the KMeans baseline")
    ap.add_argument("--out", default="benchmark_results")
    a = ap.parse_args(argv)
    params = {}
    for kv in a.set:
        k, v = kv.split("=", 1)
        try:
            params[k] = ast.literal_eval(v)
        except (ValueError, SyntaxError):
            params[k] = v
    rows = []
    for case in a.cases.split(","):
        views, y = load(a.data_dir, case)
        K = len(np.unique(y))
        Xk = kmeans_features(views)
        X = np.hstack(views)
        sizes = [v.shape[1] for v in views]
        res = {"hume": [], "kmeans": []}
        for seed in range(a.seeds):
            if not a.no_kmeans:
                t = time.perf_counter()
                km = KMeans(n_clusters=K, n_init=10, random_state=seed).fit(Xk)
                res["kmeans"].append((*scores(y, km.labels_), time.perf_counter() - t))
            t = time.perf_counter()
            est = HumeClustering(n_clusters=K, view_sizes=sizes, random_state=seed, **params).fit(X)
            res["hume"].append((*scores(y, est.labels_), time.perf_counter() - t))
            print(f"{case} seed {seed}: HUME acc {res['hume'][-1][0]:.3f} ({res['hume'][-1][3]:.1f}s)"
                  + ("" if a.no_kmeans else f", KMeans acc {res['kmeans'][-1][0]:.3f} ({res['kmeans'][-1][3]:.1f}s)"),
                  flush=True)
        h = np.mean(res["hume"], 0)
        k = np.mean(res["kmeans"], 0) if res["kmeans"] else np.full(4, np.nan)
        rows.append(dict(case=case, views=len(views), n=len(y), kmeans_acc=k[0], hume_acc=h[0],
                         hume_acc_min=np.min(res["hume"], 0)[0], hume_nmi=h[1], hume_ari=h[2],
                         kmeans_nmi=k[1], kmeans_ari=k[2], hume_s=h[3], kmeans_s=k[3], ratio=h[3] / k[3]))
    head = ("| case | views | N | KMeans ACC | HUME ACC (min) | HUME NMI | HUME ARI | KMeans NMI | KMeans ARI "
            "| HUME s | KMeans s | time ratio |\n|" + "---|" * 12)
    lines = [head] + [
        f"| {r['case']} | {r['views']} | {r['n']} | {r['kmeans_acc']:.3f} "
        f"| {r['hume_acc']:.3f} ({r['hume_acc_min']:.3f}) "
        f"| {r['hume_nmi']:.3f} | {r['hume_ari']:.3f} | {r['kmeans_nmi']:.3f} | {r['kmeans_ari']:.3f} "
        f"| {r['hume_s']:.1f} | {r['kmeans_s']:.1f} | {r['ratio']:.2f} |" for r in rows]
    table = "\n".join(lines)
    print(f"\nHumeClustering({', '.join(f'{k}={v!r}' for k, v in params.items())}), mean of {a.seeds} seeds\n")
    print(table)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "objectives.md").write_text(table + "\n")
    (out / "objectives.json").write_text(json.dumps({"params": params, "rows": rows}, indent=1, default=float))


if __name__ == "__main__":
    main()
