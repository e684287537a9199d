"""What every benchmark script shares: where the shared cases live, loading
them, the KMeans reference input and scores."""

from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from sklearn_hume import cluster_accuracy
from sklearn_hume.benchmark import normalised

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "bench_data"

CASES = {
    "mfeat2": ("mfeat", ["X1", "X2"]),
    "mfeat6": ("mfeat", ["X1", "X2", "V_fac", "V_kar", "V_zer", "V_mor"]),
    "wordnet10": ("wordnet10", ["X1", "X2"]),
    "wordnet10all": ("wordnet10", ["X1", "X2", "V_minilm_l3", "V_e5_small_q4", "V_tfidf_lsa100"]),
    "fashion10k": ("fashion10k", ["X1", "X2"]),
    "fashion10k+pixels": ("fashion10k", ["X1", "X2", "V_pixels"]),
    # Held out: view pairs of the same files that no default was chosen on.
    "mfeat fac+zer": ("mfeat", ["V_fac", "V_zer"]),
    "mfeat pix+kar": ("mfeat", ["X2", "V_kar"]),
    "mfeat fou+mor": ("mfeat", ["X1", "V_mor"]),
    "wordnet10 l3+e5": ("wordnet10", ["V_minilm_l3", "V_e5_small_q4"]),
    "fashion10k X2+pixels": ("fashion10k", ["X2", "V_pixels"]),
}
HELD_OUT = ["mfeat fac+zer", "mfeat pix+kar", "mfeat fou+mor", "wordnet10 l3+e5", "fashion10k X2+pixels"]


def load(data_dir, case):
    """The views (float32) and labels of a shared case."""
    name, keys = CASES[case]
    d = np.load(Path(data_dir) / f"{name}.npz")
    return [np.asarray(d[k], dtype=np.float32) for k in keys], d["y"].astype(np.int64)


def kmeans_features(views):
    """Centre each view, L2-normalise its rows, concatenate (the reference KMeans input)."""
    return np.hstack([normalised(v) for v in views])


def scores(y, labels):
    return cluster_accuracy(y, labels), normalized_mutual_info_score(y, labels), adjusted_rand_score(y, labels)
