"""
A few known labels, and pseudo-labels for a classifier
======================================================

Users rarely have *no* labels. Here one label per class (10 of 2,000 digits)
is known. ``known_labels`` (scikit-learn's convention: ``-1`` for unknown)
anchors HUME's search and numbers the clusters by the known classes; the
fitted labeling then yields pseudo-labels, and its most reliable samples
train an ordinary scikit-learn classifier, alone or inside
``SelfTrainingClassifier``. With more labels, the labels themselves tell
whether ``known_labels`` or a plain classifier suits the data better.
"""

# %%
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier

from sklearn_hume import HumeClustering, compare_known_labels
from sklearn_hume.datasets import load_mfeat

d = load_mfeat()
rng = np.random.RandomState(0)
known = np.full(len(d.y), -1)
for c in range(10):
    known[rng.choice(np.flatnonzero(d.y == c))] = c
unknown = known < 0


def accuracy(pred):
    return float((pred[unknown] == d.y[unknown]).mean())


# %%
# Ten labels alone train a weak classifier.
clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
alone = accuracy(clf.fit(d.data[~unknown], d.y[~unknown]).predict(d.data))
print(f"LogisticRegression on the 10 labelled rows: {alone:.3f}")

# %%
# HUME with the same ten labels: clusters come out numbered as the classes.
est = HumeClustering(n_clusters=10, random_state=0).fit(d.X1, d.X2, known_labels=known)
hume = accuracy(est.labels_)
print(f"HumeClustering(known_labels=...): {hume:.3f}")

# %%
# Pseudo-labels: the 30 % most reliable samples of every cluster train a
# classifier, which then labels everything (and new samples).
reliable = est.reliable_samples(fraction=0.3)
pseudo = accuracy(clf.fit(d.data[reliable], est.labels_[reliable]).predict(d.data))
print(f"classifier on HUME's reliable pseudo-labels: {pseudo:.3f}")

# %%
# The same pseudo-labels compose with SelfTrainingClassifier: -1 marks the rest.
y_semi = np.full(len(d.y), -1)
y_semi[reliable] = est.labels_[reliable]
y_semi[~unknown] = known[~unknown]
self_training = SelfTrainingClassifier(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)))
selft = accuracy(self_training.fit(d.data, y_semi).predict(d.data))
print(f"SelfTrainingClassifier seeded with them: {selft:.3f}")

# %%
import matplotlib.pyplot as plt

names = ["LogReg on\n10 labels", "HUME\nknown_labels", "LogReg on\npseudo-labels", "self-training\nfrom pseudo-labels"]
fig, ax = plt.subplots(figsize=(6, 3.2))
ax.bar(names, [alone, hume, pseudo, selft], color=["tab:gray", "tab:red", "tab:blue", "tab:blue"])
ax.set_ylim(0.5, 1.0)
ax.set_ylabel("accuracy, unlabelled digits")
fig.tight_layout()
plt.show()

# %%
# With more labels a classifier on the labelled rows alone may overtake
# ``known_labels`` (it did with 20 labels per class on 24 WordNet classes).
# ``compare_known_labels`` asks the labels: it hides a fifth of them at a
# time, lets both methods learn from the rest and counts the hidden rows each
# gets right. Here with five labels per class:
five = np.full(len(d.y), -1)
for c in range(10):
    five[rng.choice(np.flatnonzero(d.y == c), 5, replace=False)] = c
res = compare_known_labels(d.X1, d.X2, known_labels=five, random_state=0,
                           estimator=HumeClustering(n_clusters=10, random_state=0))
print(f"held-out accuracy: known_labels {res.known_labels_accuracy:.2f}, classifier "
      f"{res.classifier_accuracy:.2f} ({res.only_known_labels_right} and {res.only_classifier_right} of "
      f"{res.n_held_out} rows right by one only): use {res.best}")
