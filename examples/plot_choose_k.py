"""
Choosing the number of clusters without labels
===============================================

When the number of classes is unknown, fit one ``HumeClustering`` per
candidate and ask how reproducible its partition is: do the views' linear
heads, each on its own, label the samples alike (``score``, HUME's own
criterion), and do independent random runs find the same partition
(:func:`sklearn_hume.run_agreement`)? With too few or too many clusters there
are several equally good ways to merge or split classes, and views or runs
choose differently. :func:`sklearn_hume.select_n_clusters` keeps the candidate
with the highest product of the two.
"""

# %%
import matplotlib.pyplot as plt

from sklearn_hume import HumeClustering, cluster_accuracy, select_n_clusters
from sklearn_hume.datasets import load_mfeat

d = load_mfeat()
res = select_n_clusters(d.X1, d.X2, n_clusters_range=range(8, 13), estimator=HumeClustering(n_runs=8),
                        random_state=0)
for k, c, a, r in zip(res.candidates, res.criterion, res.agreement, res.run_agreement):
    print(f"n_clusters={k}: criterion {c:.3f} (views' agreement {a:.3f}, run agreement {r:.3f})")
print("chosen number of clusters:", res.n_clusters, "(the digits have 10 classes)")
print("ACC of the chosen fit:", round(cluster_accuracy(d.y, res.estimator.labels_), 3))

# %%
# The criterion and its two factors over the candidates.
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(res.candidates, res.criterion, "o-", label="criterion (product)")
ax.plot(res.candidates, res.agreement, "--", label="views' agreement")
ax.plot(res.candidates, res.run_agreement, ":", label="run agreement")
ax.axvline(res.n_clusters, color="tab:red", linestyle="--", label=f"chosen: {res.n_clusters}")
ax.set_xlabel("n_clusters")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
