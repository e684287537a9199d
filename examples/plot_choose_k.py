"""
Choosing the number of clusters without labels
===============================================

When the number of classes is unknown, fit one ``HumeClustering`` per
candidate and score each fit twice: do the views' linear heads, each on its
own, label the samples alike (``score``, HUME's own criterion), and how well do
linear probes learn the labels (``probe_score``)? Merging classes makes both
easier, so neither alone is enough: :func:`sklearn_hume.select_n_clusters`
keeps the most learnable candidate among those whose views agree nearly as
well as the best.
"""

# %%
import matplotlib.pyplot as plt

from sklearn_hume import HumeClustering, cluster_accuracy, select_n_clusters
from sklearn_hume.datasets import load_mfeat

d = load_mfeat()
res = select_n_clusters(d.X1, d.X2, n_clusters_range=range(7, 14),
                        estimator=HumeClustering(n_runs=8, random_state=0), verbose=1)
print("chosen number of clusters:", res.n_clusters, "(the digits have 10 classes)")
print("ACC of the chosen fit:", round(cluster_accuracy(d.y, res.estimator.labels_), 3))

# %%
# Both criteria over the candidates; the stable candidates are filled.
fig, ax = plt.subplots(figsize=(5.5, 3.5))
ax.plot(res.candidates, res.agreement, "-", color="tab:blue", label="views' agreement")
ax.plot(res.candidates, res.score, "-", color="tab:green", label="probe score")
for values, color in ((res.agreement, "tab:blue"), (res.score, "tab:green")):
    ax.scatter(res.candidates, values, color=color, facecolors=[color if s else "white" for s in res.stable])
ax.axvline(res.n_clusters, color="tab:red", linestyle="--", label=f"chosen: {res.n_clusters}")
ax.set_xlabel("n_clusters")
ax.legend()
fig.tight_layout()
plt.show()
