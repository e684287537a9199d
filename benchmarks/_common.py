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

# Built here (extra "text" and Debian's wordnet-base; embeddings cached after the
# first build): 24 classes, not tuned on. Every noun supersense with at least
# 300 definitions (all but "motive"), balanced, and drawn at the supersenses'
# natural frequencies (from 30 to 1,004 rows per class); and WordNet's 15 verb
# supersenses, at most 400 definitions each (5,384 rows; verb.weather has 64).
# And scikit-learn's own 8 x 8 digits (1,797 rows) as load_digits_views gives
# them: pixels, and the HOG of the digits scaled up threefold (144 columns).
WORDNET24_ROWS = 7200


def _digits():
    from sklearn_hume.datasets import load_digits_views

    d = load_digits_views()
    return [d.X1, d.X2], d.y


def _wordnet_verbs():
    from sklearn_hume.datasets import load_wordnet_glosses

    d = load_wordnet_glosses(n_per_class=400, pos="verb", verbose=0)
    return [d.X1, d.X2], d.y


def _wordnet24(natural):
    from sklearn_hume.datasets import embed_texts, load_wordnet_glosses, read_wordnet_glosses
    from sklearn_hume.datasets._text import _LEX_FILES

    supersenses = tuple(sorted(set(_LEX_FILES.values()) - {"motive"}))
    if not natural:
        d = load_wordnet_glosses(n_per_class=WORDNET24_ROWS // len(supersenses), supersenses=supersenses, verbose=0)
        return [d.X1, d.X2], d.y
    texts, labels = read_wordnet_glosses(supersenses=supersenses)
    keep = np.sort(np.random.default_rng(0).choice(len(texts), WORDNET24_ROWS, replace=False))
    texts = [texts[i] for i in keep]
    return [embed_texts(texts, e, verbose=0) for e in ("minilm", "e5")], labels[keep]


BUILT = {
    "digits pixels+HOG": _digits,
    "wordnet24": lambda: _wordnet24(natural=False),
    "wordnet24 natural": lambda: _wordnet24(natural=True),
    "wordnet verbs": _wordnet_verbs,
}


def load(data_dir, case):
    """The views (float32) and labels of a shared case, or of a built one."""
    if case in BUILT:
        views, y = BUILT[case]()
        return [np.asarray(v, dtype=np.float32) for v in views], np.asarray(y, dtype=np.int64)
    name, keys = CASES[case]
    d = np.load(Path(data_dir) / f"{name}.npz")
    return [np.asarray(d[k], dtype=np.float32) for k in keys], d["y"].astype(np.int64)


def kmeans_features(views):
    """Centre each view, L2-normalise its rows, concatenate (the reference KMeans input)."""
    return np.hstack([normalised(v) for v in views])


def scores(y, labels):
    return cluster_accuracy(y, labels), normalized_mutual_info_score(y, labels), adjusted_rand_score(y, labels)
