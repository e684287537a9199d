"""
Quickstart: two views of the digits
===================================

Cluster the shipped UCI Multiple Features digits from two of their views
(Fourier coefficients and pixel averages) and compare with KMeans.
"""

# %%
import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import normalize

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.datasets import load_mfeat

d = load_mfeat()
est = HumeClustering(n_clusters=10, random_state=0).fit(d.X1, d.X2)
print(f"HUME ACC: {cluster_accuracy(d.y, est.labels_):.3f}")

# %%
# KMeans on the centred, row-normalised views side by side.
Xn = np.hstack([normalize(v - v.mean(0)) for v in (d.X1, d.X2)])
km = KMeans(10, n_init=10, random_state=0).fit(Xn)
print(f"KMeans ACC: {cluster_accuracy(d.y, km.labels_):.3f}")

# %%
# Each run's final objective (label-free, lower is better) tracks its unknown accuracy.
import matplotlib.pyplot as plt

acc = [cluster_accuracy(d.y, lab) for lab in est.run_labels_]
plt.scatter(est.run_losses_, acc)
plt.xlabel("final objective of the run (run_losses_)")
plt.ylabel("ACC")
plt.show()

# %%
# Which views the labeling rests on
# ---------------------------------
# With all six views, ``view_weights_`` shows each view's share of the
# labeling's linear support (no labels used): the 6-column morphological
# view carries almost none of it.
six = load_mfeat(views=("fou", "pix", "fac", "kar", "zer", "mor"))
est6 = HumeClustering(n_clusters=10, view_sizes=six.view_sizes, random_state=0).fit(six.data)
print(f"HUME ACC with six views: {cluster_accuracy(six.y, est6.labels_):.3f}")
plt.figure()
plt.barh(six.view_names, est6.view_weights_)
plt.xlabel("view_weights_")
plt.show()
