"""scikit-learn's own estimator checks, for each objective."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_hume import HumeClustering

# Short fits: the checks exercise the contract, not the accuracy.
ESTIMATORS = [
    HumeClustering(n_runs=3, n_iter=60, random_state=0),
    HumeClustering(objective="turtle", n_runs=2, n_iter=5, inner_steps=2, random_state=0),
    HumeClustering(objective="hume", n_runs=2, n_iter=2, inner_steps=3, n_subsets=2, random_state=0),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
