"""
Pipelines and label-free model selection
========================================

Fill each view's missing values with a ``ColumnTransformer`` (HUME refuses
NaN; it needs no scaling: a ``StandardScaler`` here would cost accuracy, see
the user guide), then let ``GridSearchCV`` choose the label temperature by
HUME's label-free score (no labels used).
"""

# %%
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.datasets import load_mfeat

d = load_mfeat()
d1, d2 = d.view_sizes
X = d.data.copy()
X[::50, 3] = float("nan")  # a few gaps, as real tables have
pre = ColumnTransformer([("fou", SimpleImputer(), slice(0, d1)), ("pix", SimpleImputer(), slice(d1, d1 + d2))])
pipe = Pipeline([("impute", pre), ("hume", HumeClustering(10, view_sizes=[d1, d2], n_runs=8, random_state=0))])
# Shuffled folds: the digits are stored sorted by class.
grid = GridSearchCV(pipe, {"hume__temperature": [0.1, 0.2]}, cv=KFold(2, shuffle=True, random_state=0)).fit(X)
print("chosen:", grid.best_params_, "score", round(grid.best_score_, 3))
print("ACC of the chosen setting:", round(cluster_accuracy(d.y, grid.best_estimator_.predict(X)), 3))

# %%
# The label-free score of each setting (mean over the folds).
import matplotlib.pyplot as plt

temps = grid.cv_results_["param_hume__temperature"].data
fig, ax = plt.subplots(figsize=(4.5, 3))
ax.bar([str(t) for t in temps], grid.cv_results_["mean_test_score"])
ax.set_xlabel("temperature")
ax.set_ylabel("label-free score (held-out folds)")
fig.tight_layout()
plt.show()
