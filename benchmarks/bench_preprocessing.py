"""What a per-view preprocessing step before HumeClustering costs (issue 30):
ACC of the default fit without a step and with StandardScaler, MaxAbsScaler,
Normalizer or PCA(0.95) on each view (a ColumnTransformer), ``random_state``
0-2, on the two datasets that ship (mfeat; scikit-learn's digits as
``load_digits_views`` gives them).

    python benchmarks/bench_preprocessing.py
"""

import warnings

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.preprocessing import MaxAbsScaler, Normalizer, StandardScaler

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.datasets import load_digits_views, load_mfeat

STEPS = {"none": None, "StandardScaler": StandardScaler, "MaxAbsScaler": MaxAbsScaler, "Normalizer": Normalizer,
         "PCA(0.95)": lambda: PCA(0.95, random_state=0)}


def views_of(name):
    if name == "mfeat":
        d = load_mfeat()
        return d.data, list(d.view_sizes), d.y
    d = load_digits_views()
    return np.hstack([d.X1, d.X2]), [d.X1.shape[1], d.X2.shape[1]], d.y


def main():
    warnings.filterwarnings("ignore", category=UserWarning)
    print("| data | step | ACC seeds 0 / 1 / 2 | mean |\n|---|---|---|---|")
    for name in ("digits", "mfeat"):
        X, (d1, d2), y = views_of(name)
        for step_name, step in STEPS.items():
            accs = []
            for seed in range(3):
                if step is None:
                    Xt, sizes = X, [d1, d2]
                else:
                    pre = ColumnTransformer([("a", step(), slice(0, d1)), ("b", step(), slice(d1, d1 + d2))])
                    Xt = pre.fit_transform(X)
                    sizes = [getattr(pre.named_transformers_[k], "n_components_", w)
                             for k, w in (("a", d1), ("b", d2))]
                est = HumeClustering(10, view_sizes=sizes, random_state=seed)
                accs.append(cluster_accuracy(y, est.fit_predict(Xt)))
            cells = " / ".join(f"{a:.3f}" for a in accs)
            print(f"| {name} | {step_name} | {cells} | {np.mean(accs):.3f} |", flush=True)


if __name__ == "__main__":
    main()
