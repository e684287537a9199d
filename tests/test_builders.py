"""The offline dataset builders, on tiny hand-made inputs with stand-in
encoders (the real encoders are optional extras and take minutes)."""

import gzip

import numpy as np
import pytest

from sklearn_hume.datasets import _images, _text, embed_texts, read_wordnet_glosses
from sklearn_hume.datasets._base import require
from sklearn_hume.datasets._fashion import fashion_mnist_images

# data.noun lines: offset, lexicographer file number, ..., " | " gloss.
DATA_NOUN = """  1 This software and database is being provided to you, the LICENSEE, by Princeton University
00015388 05 n 01 animal 0 | a living organism characterized by voluntary movement; "an animal runs"
00017222 20 n 01 plant 0 | (botany) a living organism lacking the power of locomotion
00021265 13 n 01 food 0 | any substance that can be metabolized by an animal to give energy
00021939 13 n 01 snack 0 | light meal
02084071 05 n 01 dog 0 | a member of the genus Canis; "the dog barked all night"
14024882 26 n 01 sleep 0 | a natural and periodic state of rest
"""

DATA_VERB = """  1 This software and database is being provided to you, the LICENSEE, by Princeton University
00001740 29 v 04 breathe 0 | draw air into, and expel out of, the lungs; "I can breathe better now"
01835496 38 v 01 travel 0 | change location; move, travel, or proceed
02604760 42 v 01 be 0 | have the quality of being
"""


@pytest.fixture
def wordnet_dir(tmp_path):
    (tmp_path / "data.noun").write_text(DATA_NOUN, encoding="latin-1")
    (tmp_path / "data.verb").write_text(DATA_VERB, encoding="latin-1")
    return tmp_path


def test_read_wordnet_glosses(wordnet_dir):
    texts, labels = read_wordnet_glosses(wordnet_dir, supersenses=("animal", "food", "plant"))
    # Examples after '; "' are dropped, "light meal" is too short, noun.state is not asked for.
    assert texts == ["a living organism characterized by voluntary movement",
                     "(botany) a living organism lacking the power of locomotion",
                     "any substance that can be metabolized by an animal to give energy",
                     "a member of the genus Canis"]
    np.testing.assert_array_equal(labels, [0, 2, 1, 0])
    # Verbs: verb.body is file 29, verb.motion 38, verb.stative 42; by default all fifteen are classes.
    texts, labels = read_wordnet_glosses(wordnet_dir, pos="verb")
    assert texts == ["draw air into, and expel out of, the lungs", "change location; move, travel, or proceed",
                     "have the quality of being"]
    np.testing.assert_array_equal(labels, [0, 9, 13])
    texts, labels = read_wordnet_glosses(wordnet_dir, supersenses=("motion", "body"), pos="verb")
    np.testing.assert_array_equal(labels, [1, 0])


def test_wordnet_errors(tmp_path, wordnet_dir):
    with pytest.raises(FileNotFoundError, match="apt-get install wordnet-base"):
        read_wordnet_glosses(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="Unknown noun supersenses"):
        read_wordnet_glosses(wordnet_dir, supersenses=("animal", "gadget"))
    with pytest.raises(ValueError, match="Unknown verb supersenses"):
        read_wordnet_glosses(wordnet_dir, supersenses=("animal",), pos="verb")
    with pytest.raises(ValueError, match="pos must be"):
        read_wordnet_glosses(wordnet_dir, pos="adjective")


def test_missing_extra_names_it():
    with pytest.raises(ImportError, match=r"sklearn-hume\[text\]"):
        require("sklearn_hume_no_such_module", "text")


def _fake_encoder(calls):
    def encode(items, verbose):
        calls.append(len(items))
        return np.arange(len(items) * 3, dtype=np.float64).reshape(len(items), 3)
    return encode


def test_embed_texts_caches(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setitem(_text._ENCODE, "minilm", _fake_encoder(calls))
    X = embed_texts(["a b c", "d e f"], "minilm", data_home=tmp_path, verbose=0)
    again = embed_texts(["a b c", "d e f"], "minilm", data_home=tmp_path, verbose=0)
    assert calls == [2] and X.dtype == np.float32
    np.testing.assert_array_equal(X, again)
    embed_texts(["other"], "minilm", data_home=tmp_path, verbose=0)  # other texts, other cache entry
    assert calls == [2, 1]
    with pytest.raises(ValueError, match="Unknown text encoder"):
        embed_texts(["x"], "word2vec", data_home=tmp_path)


def test_load_wordnet_glosses_bunch(tmp_path, wordnet_dir, monkeypatch):
    for name in ("minilm", "e5"):
        monkeypatch.setitem(_text._ENCODE, name, _fake_encoder([]))
    d = _text.load_wordnet_glosses(n_per_class=1, supersenses=("animal", "food"), directory=wordnet_dir,
                                   data_home=tmp_path, verbose=0)
    assert d.X1.shape == d.X2.shape == (2, 3) and d.data.shape == (2, 6) and d.view_sizes == [3, 3]
    np.testing.assert_array_equal(d.y, [0, 1])
    assert d.target_names == ["animal", "food"] and len(d.texts) == 2 and "WordNet" in d.DESCR
    v = _text.load_wordnet_glosses(pos="verb", directory=wordnet_dir, data_home=tmp_path, verbose=0)
    assert len(v.target_names) == 15 and v.target_names[9] == "motion" and "verb definitions" in v.DESCR
    np.testing.assert_array_equal(v.y, [0, 9, 13])
    with pytest.raises(ValueError, match="two encoders"):
        _text.load_wordnet_glosses(encoders=("minilm",), directory=wordnet_dir)


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def fashion_dir(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 6), ("t10k", 4)):
        _write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", np.arange(n) % 10)
    return tmp_path


def test_fashion_images_subsets(fashion_dir):
    images, y = fashion_mnist_images(fashion_dir, "test")
    assert images.shape == (4, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(y, [0, 1, 2, 3])
    images, y = fashion_mnist_images(fashion_dir, "all")
    assert images.shape == (10, 28, 28)
    np.testing.assert_array_equal(y, [0, 1, 2, 3, 4, 5, 0, 1, 2, 3])  # train first, then test


def test_load_fashion_mnist_cnn_views_bunch(tmp_path, fashion_dir, monkeypatch):
    calls = []
    for name in ("effnet", "resnet50"):
        monkeypatch.setitem(_images._ENCODE, name, _fake_encoder(calls))
    d = _images.load_fashion_mnist_cnn_views(directory=fashion_dir, data_home=tmp_path / "c", verbose=0)
    assert d.X1.shape == (4, 3) and d.data.shape == (4, 6) and d.target_names[0] == "T-shirt/top"
    _images.load_fashion_mnist_cnn_views(directory=fashion_dir, data_home=tmp_path / "c", verbose=0)
    assert calls == [4, 4]  # the second load reads the cache
    with pytest.raises(ValueError, match="subset"):
        _images.load_fashion_mnist_cnn_views(subset="train")


def test_image_batches_resize_to_rgb():
    pytest.importorskip("torch")
    images = np.zeros((5, 28, 28), dtype=np.uint8)
    images[:, 10:18, 10:18] = 255
    batches = list(_images._batches(images, 56, 2, 0, "x"))
    assert [b.shape for b in batches] == [(2, 3, 56, 56), (2, 3, 56, 56), (1, 3, 56, 56)]
    assert float(batches[0].max()) == pytest.approx(255) and float(batches[0].min()) == 0


def test_feature_cache_key_covers_every_input_and_writes_atomically(tmp_path):
    from sklearn_hume.datasets._base import cached_features, content_key

    calls = []

    def compute():
        calls.append(1)
        return np.ones((3, 2))

    images = np.zeros((2, 4, 4), dtype=np.uint8)
    key = content_key(images, "hog_features", dict(cell=7, n_bins=9))
    cached_features(tmp_path, "hog", key, compute, "x", 0)
    cached_features(tmp_path, "hog", key, compute, "x", 0)
    assert len(calls) == 1
    # Another parameter or other images: another entry.
    for other in (content_key(images, "hog_features", dict(cell=4, n_bins=9)),
                  content_key(images + 1, "hog_features", dict(cell=7, n_bins=9))):
        assert other != key
        cached_features(tmp_path, "hog", other, compute, "x", 0)
    assert len(calls) == 3

    def broken():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached_features(tmp_path, "hog", "k2", broken, "x", 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"hog_{k}.npy" for k in [key, *(
        content_key(images, "hog_features", dict(cell=4, n_bins=9)),
        content_key(images + 1, "hog_features", dict(cell=7, n_bins=9)))])
