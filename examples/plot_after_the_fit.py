"""
After the fit: the clusters, their representatives, and "none of the above"
===========================================================================

On scikit-learn's 8 x 8 digits (pixels and HOG views), fit with one digit left
out, then look at what the fit found: the per-cluster summary, each cluster's
most central and most doubtful rows, the rows of the digit nobody named
flagged by ``predict(..., contamination=...)``, and a self-contained HTML
report.
"""

# %%
import tempfile
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

from sklearn_hume import HumeClustering, report
from sklearn_hume.datasets import load_digits_views

d = load_digits_views()
images = load_digits().images
named = d.y != 9  # the fit never sees a 9
est = HumeClustering(n_clusters=9, random_state=0).fit(d.X1[named], d.X2[named])

# %%
# One row per cluster: pass it to ``pandas.DataFrame`` for a table.
summary = est.cluster_summary()
for k in summary["cluster"]:
    print(f"cluster {k}: {summary['size'][k]} rows, confidence {summary['mean_confidence'][k]:.2f}, "
          f"stability {summary['stability'][k]:.2f}, views' support "
          f"{summary['support_view1'][k]:.2f} / {summary['support_view2'][k]:.2f}")

# %%
# The most central and the most doubtful rows of each cluster.
import matplotlib.pyplot as plt

reps = est.representatives(n=4)
train_images = images[named]
fig, axes = plt.subplots(9, 8, figsize=(6, 7))
for k in range(9):
    rows = list(reps["central"][k]) + list(reps["doubtful"][k])
    for j, ax in enumerate(axes[k]):
        ax.axis("off")
        if j < len(rows):
            ax.imshow(train_images[rows[j]], cmap="gray_r")
axes[0, 0].set_title("central", fontsize=8, loc="left")
axes[0, 4].set_title("doubtful", fontsize=8, loc="left")
fig.tight_layout()
plt.show()

# %%
# Rows that no cluster explains get -1 when asked: the 5 % of the training
# rows that score lowest set the cut, and the 9s fall below it far more often.
labels = est.predict(d.X1, d.X2, contamination=0.05)
print(f"labelled -1: {np.mean(labels[~named] == -1):.0%} of the 9s, {np.mean(labels[named] == -1):.0%} of the others")

# %%
# One HTML file with the summary, a map of the rows and every cluster's
# representatives as thumbnails; it opens offline.
path = report(est, d.X1[named], d.X2[named], images=train_images, path=Path(tempfile.mkdtemp()) / "digits.html")
print("report:", path.name, f"{path.stat().st_size / 1e3:.0f} kB")
