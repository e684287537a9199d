"""
Choosing the number of clusters without labels
===============================================

When the number of classes is unknown, fit one ``HumeClustering`` per
candidate and score each fit twice: do its independent random runs agree
(:func:`sklearn_hume.run_agreement`; with too few or too many clusters there
are several equally good ways to merge or split classes), and how well do
linear probes learn its labels (``score``)? :func:`sklearn_hume.select_n_clusters`
keeps the best-scoring candidate among the stable ones.
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
ax.plot(res.candidates, res.agreement, "-", color="tab:blue", label="run agreement")
ax.plot(res.candidates, res.score, "-", color="tab:green", label="score")
for values, color in ((res.agreement, "tab:blue"), (res.score, "tab:green")):
    ax.scatter(res.candidates, values, color=color, facecolors=[color if s else "white" for s in res.stable])
ax.axvline(res.n_clusters, color="tab:red", linestyle="--", label=f"chosen: {res.n_clusters}")
ax.set_xlabel("n_clusters")
ax.legend()
fig.tight_layout()
plt.show()
