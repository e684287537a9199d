"""
Quickstart: two views of the digits
===================================

Cluster the shipped UCI Multiple Features digits from two of their views
(Fourier coefficients and pixel averages) and compare with KMeans.
"""

# %%
import numpy as np
from sklearn.cluster import KMeans

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.benchmark import normalised
from sklearn_hume.datasets import load_mfeat

d = load_mfeat()
est = HumeClustering(n_clusters=10, random_state=0).fit(d.X1, d.X2)
print(f"HUME ACC: {cluster_accuracy(d.y, est.labels_):.3f}")

# %%
# KMeans on the centred, row-normalised views side by side.
Xn = np.hstack([normalised(d.X1), normalised(d.X2)])
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
