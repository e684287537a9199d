"""Known labels (``fit(..., known_labels=...)``): where the runs start.

Runs that start from random heads with the known rows' cross-entropy must
fit those rows from the first step. With one known row per class, one
atypical row then bends its class's cluster: one label per class cost 3.7
points on digits and 10.7 on wordnet10 against no labels at all
(``benchmarks/bench_few_labels.py``). So the runs are first fitted without
the known rows; their consensus' clusters are named after the known classes
by the known rows' soft labels (not their hard votes: an atypical row still
says which cluster is its class's second choice); every run's heads
are renumbered by that naming; and the runs go on with the known rows for
a third of the schedule, at its final temperature and learning rate. The
known rows then move the boundaries they contradict, from a labeling that
is already good, instead of shaping the clusters from scratch. With
:data:`ENOUGH_ROWS` known rows in every known class the runs start with them.
"""

import math
from dataclasses import replace

import numpy as np
import torch

from ._aggregate import best_numbering
from ._consensus import fit_consensus, plain_vote, shared_graph
from ._objectives import OBJECTIVES
from ._runs import family_runs, fit_runs, runs_subset

# Classes with at least this many known rows each are fitted with them from
# the start: their known rows no longer hinge on one atypical row, and the
# runs from scratch were as good or better (five draws, 5 and 20 rows per
# class: digits 0.942 / 0.962 against 0.940 / 0.962 continued, fashion10k
# 0.766 / 0.813 against 0.751 / 0.806; mfeat and wordnet10 within 0.1 point),
# for three quarters of the time.
ENOUGH_ROWS = 5
# The share of the schedule the runs continue with the known rows (measured,
# digits and mfeat, one and three labels per class: 20, 50 and 150 of 150
# iterations gave 0.879 / 0.885 / 0.885 and 0.929 / 0.928 / 0.925 on digits).
CONTINUATION = 1 / 3


def few_known(classes):
    """Whether some known class has fewer than :data:`ENOUGH_ROWS` known rows
    (``classes``: the known rows' classes), so that the runs are first fitted
    without them (:func:`fit_runs_with_known`)."""
    return bool(np.bincount(np.asarray(classes))[np.unique(classes)].min() < ENOUGH_ROWS)


def name_clusters(soft, classes, n_clusters):
    """The naming of the clusters that makes the known rows most likely.

    ``soft`` ``(R, K)``: the known rows' soft labels; ``classes`` ``(R,)``
    their classes. Returns ``naming`` ``(K,)``, a permutation: cluster ``k``
    is named ``naming[k]``. The Hungarian algorithm maximises the summed log
    probability of the known rows' classes; clusters that no known class
    claims take the remaining ids.
    """
    log_p = np.log(np.clip(np.asarray(soft, dtype=np.float64), 1e-12, None))
    score = np.zeros((n_clusters, n_clusters))  # cluster x class: summed log probability
    np.add.at(score.T, np.asarray(classes), log_p)
    return best_numbering(score)


def continuation(settings):
    """The settings of the continued runs: the last :data:`CONTINUATION` of
    the schedule, at its final temperature and learning rate."""
    return replace(settings, n_iter=math.ceil(settings.n_iter * CONTINUATION), anneal_at=(),
                   temperature=settings.final_temperature, learning_rate=settings.final_learning_rate)


def _named_heads(objective_name, Zs, free, known, final, generator, graph=None):
    """The heads of the runs ``free`` (fitted without the known rows), every
    run's clusters renumbered so that their consensus names them after the
    known classes. ``graph``: the propagation's graph of ``Zs`` without known
    rows (:func:`~sklearn_hume._consensus.consensus_graph`), or ``None``."""
    if free.soft.shape[-1] == final.n_clusters:
        # The consensus' final soft labels, not the vote's: the runs' own are
        # nearly hard at the final temperature, and a hard vote names by
        # counts (mfeat, one row per class: 0.76 against 0.95 on one draw).
        consensus, _, P, _, _ = fit_consensus(Zs, free, final, None, generator, graph)
        soft = P[known[0]]
    else:  # over-clustered runs, merged in the consensus: the vote names the runs' own clusters
        consensus = plain_vote(free, final)
        _, soft, _ = consensus.vote(free.soft[known[0]])
    naming = name_clusters(soft, known[1], free.soft.shape[-1])
    return OBJECTIVES[objective_name].permute_clusters(free.params, naming[consensus.permutations])


def fit_runs_with_known(objective_name, Zs, known, resolved, generator, *, init=None, row_weights=None, verbose=0,
                        log=print):
    """The runs of a fit with known rows ``known`` (``(rows, classes)``):
    fitted without them, named after the known classes, continued with them
    (see the module's docstring), from heads ``init`` when given, with the
    density weights ``row_weights`` when given (:func:`~sklearn_hume._runs.fit_runs`). Returns
    :class:`~sklearn_hume._runs.Runs`.
    With ``balance="auto"`` each family's runs are named by their own
    consensus: one vote over both would align them to one family's clusters."""
    settings = resolved.settings
    free = fit_runs(objective_name, Zs, None, resolved, generator, init=init, row_weights=row_weights, verbose=verbose,
                    log=log)
    families = family_runs(settings).values()
    graph = None  # one graph for both families' consensus (over-clustered runs are named by the vote alone)
    if len(families) > 1 and free.soft.shape[-1] == resolved.final.n_clusters:
        graph = shared_graph(Zs, None, generator, resolved.final)
    named = [_named_heads(objective_name, Zs, runs_subset(free, runs), known, resolved.final, generator, graph)
             for runs in families]
    params = [torch.cat(parts) for parts in zip(*named)]
    log(f"runs fitted without the {len(known[0])} known rows, named after their classes; "
        f"continued with them")
    more = replace(resolved, settings=continuation(settings))
    runs = fit_runs(objective_name, Zs, known, more, generator, init=params, row_weights=row_weights, verbose=verbose,
                    log=log)
    return replace(runs, n_iter=free.n_iter + runs.n_iter)
