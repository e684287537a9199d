"""From the runs to one labeling: the fitted :class:`Consensus`.

The runs are aligned to the best-scored one (Hungarian matching), the best
``n_voters`` vote, and, when the objective allows it, two final steps label
the rows (``_propagation``, ``_refine``): the vote's mean soft labels spread
over the views' consensus kNN graph, one ridge classifier per view refitted
to them, spread again. Everything those steps need (voters, permutations,
refit heads, the graph rows and their propagated labels) is held in one small
fitted object, and :meth:`Consensus.apply` labels any rows from it alone:
``fit`` labels its own rows with it, so ``predict`` on the training rows gives
``labels_`` by construction.
"""

from dataclasses import dataclass, replace

import numpy as np
import torch

from ._aggregate import align_runs, match_clusters, vote
from ._graph import neighbor_mean_operator, unit_rows
from ._merge import merge_map
from ._propagation import graph_rows, mix, n_graph_rows, propagate, without_self
from ._refine import ridge_head_probabilities, ridge_heads


@dataclass
class Consensus:
    """How the runs' soft labels become labels, as NumPy fitted state.

    Attributes
    ----------
    n_clusters : int
    voters : ndarray of int
        The runs that vote.
    permutations : ndarray of shape (n_runs, n_run_clusters)
        ``permutations[r, k]``: the consensus cluster of run ``r``'s cluster
        ``k``; a permutation unless the runs' clusters were merged
        (``n_run_clusters > n_clusters``).
    temperature : float
        The refit heads' temperature (the runs' final one).
    propagation : float
        Weight of the neighbours in the propagation; 0 when it is off.
    n_neighbors : int
    heads : list of (ndarray, ndarray) or None
        The refit ridge heads, one ``(weights, bias)`` per view.
    graph_views : list of ndarray or None
        The graph rows' embedded views, rows of unit norm.
    graph_soft : ndarray or None
        The graph rows' propagated soft labels.
    graph_index : ndarray of int or None
        Which fit rows are the graph rows: set by the fit for
        :func:`~sklearn_hume._novelty.graph_reference`, not kept in a fitted
        estimator.
    regroup : ndarray of shape (n_clusters, n_clusters) or None
        After :func:`~sklearn_hume._regroup.regroup`: which of the final
        clusters a vote for each voted cluster counts for (the vote counts
        are mapped through it; the refit heads, fitted to the regrouped
        labels, label the rows).
    """

    n_clusters: int
    voters: np.ndarray
    permutations: np.ndarray
    temperature: float
    propagation: float
    n_neighbors: int
    heads: object = None
    graph_views: object = None
    graph_soft: object = None
    graph_index: object = None
    regroup: object = None

    def vote(self, soft):
        """Majority vote of the aligned voting runs on soft labels ``(N, R, K)``;
        ties go to their mean soft assignment. Returns ``(labels, mean, counts)``."""
        soft = soft[:, self.voters].transpose(0, 1).cpu().numpy()
        perms = self.permutations[self.voters]
        merged = perms.shape[1] > self.n_clusters
        aligned = np.zeros(soft.shape[:2] + (self.n_clusters,), dtype=soft.dtype)
        for r in range(len(soft)):
            if merged:  # several of a run's clusters map to one: sum them (add.at is 6x slower)
                np.add.at(aligned[r].T, perms[r], soft[r].T)
            else:  # a permutation
                aligned[r][:, perms[r]] = soft[r]
        mean = aligned.mean(0)
        labels, counts = vote(soft.argmax(-1), perms, self.n_clusters, tie_break=mean)
        return labels, mean, counts

    def apply(self, Zs, soft, neighbors=None):
        """Labels, soft labels and vote counts of rows with embedded views
        ``Zs`` and runs' soft labels ``soft``: the vote, then the fitted refit
        and propagation. ``neighbors``: the rows' operator on the graph rows,
        when the caller has it already."""
        labels, P, counts = self.vote(soft)
        if self.regroup is not None:
            counts = (counts @ self.regroup).astype(counts.dtype)
        if self.heads is None and self.graph_soft is None:
            return labels, P, counts
        device, dtype = Zs[0].device, Zs[0].dtype
        P = torch.as_tensor(P, device=device, dtype=dtype)
        if self.heads is not None:
            heads = [tuple(torch.as_tensor(t, device=device) for t in h) for h in self.heads]
            P = ridge_head_probabilities(Zs, heads, self.temperature)
        if self.graph_soft is not None:
            if neighbors is None:
                graph = [torch.as_tensor(A, device=device) for A in self.graph_views]
                neighbors = neighbor_mean_operator(Zs, self.n_neighbors, reference=graph)
            P = mix(P, neighbors, torch.as_tensor(self.graph_soft, device=device), self.propagation)
        P = P.cpu().numpy()
        return P.argmax(1), P, counts

    def confidence(self, labels, P, counts):
        """Agreement of the voting runs times the probability of the label."""
        rows = np.arange(len(labels))
        return (counts[rows, labels] / len(self.voters) * P[rows, labels]).astype(np.float64)


def consensus_graph(Zs, known, generator, n_neighbors):
    """The propagation's graph: the graph rows' indices ``idx``
    (:func:`~sklearn_hume._propagation.graph_rows`, at most
    :func:`~sklearn_hume._propagation.n_graph_rows` of them), their views' unit rows,
    their operator on themselves without self edges, and the fit rows'
    operator on them. Built once, it may serve several
    :func:`fit_consensus` calls on the same rows (``balance="auto"``'s
    families)."""
    device = Zs[0].device
    n = Zs[0].shape[0]
    idx = graph_rows(n, None if known is None else known[0], generator, max_rows=n_graph_rows(n)).to(device)
    every_row = len(idx) == Zs[0].shape[0]
    graph_views = Zs if every_row else [Z[idx] for Z in Zs]
    graph = [unit_rows(Z) for Z in graph_views]
    S_graph = neighbor_mean_operator(graph_views, n_neighbors, reference=graph)
    S_rows = S_graph if every_row else neighbor_mean_operator(Zs, n_neighbors, reference=graph)
    return idx, graph, without_self(S_graph), S_rows


def shared_graph(Zs, known, generator, final):
    """:func:`consensus_graph` built once for several :func:`fit_consensus`
    calls on the same rows with settings ``final``, or ``None`` when they do
    not propagate."""
    if final.propagation <= 0:
        return None
    with torch.no_grad():
        return consensus_graph(Zs, known, generator, final.n_neighbors)


def _final_steps(consensus, Zs, mean, known, generator, refine, alpha, graph=None):
    """Fit the propagation and the refit from the vote's mean soft labels
    ``mean`` (known rows clamped to their class); store them in ``consensus``.
    ``graph``: :func:`consensus_graph`'s output, built here when ``None``.
    Returns the fit rows' operator on the graph rows (None without propagation)."""
    K, weight = consensus.n_clusters, consensus.propagation
    device, dtype = Zs[0].device, Zs[0].dtype
    P = torch.as_tensor(mean, device=device, dtype=dtype)
    S_rows = None
    if weight > 0:
        if graph is None:
            graph = consensus_graph(Zs, known, generator, consensus.n_neighbors)
        idx, anchors, S_graph, S_rows = graph
        clamp = None
        if known is not None:
            clamp = (torch.searchsorted(idx, torch.as_tensor(known[0], device=device)),
                     torch.as_tensor(known[1], device=device))

        def spread(P0):
            graph_soft = propagate(P0[idx], S_graph, weight, clamp)
            return mix(P0, S_rows, graph_soft, weight), graph_soft

        P, graph_soft = spread(P)
    if refine:
        targets = torch.nn.functional.one_hot(P.argmax(1), K).to(dtype)
        if known is not None:
            targets[known[0]] = torch.nn.functional.one_hot(torch.as_tensor(known[1], device=device), K).to(dtype)
        heads = ridge_heads(Zs, targets, alpha)
        consensus.heads = [tuple(t.cpu().numpy() for t in h) for h in heads]
        P = ridge_head_probabilities(Zs, heads, consensus.temperature)
        if weight > 0:
            P, graph_soft = spread(P)
    if weight > 0:
        consensus.graph_views = [A.cpu().numpy() for A in anchors]
        consensus.graph_index = idx.cpu().numpy()
        consensus.graph_soft = graph_soft.cpu().numpy()
    return S_rows


def plain_vote(runs, final):
    """The :class:`Consensus` of the runs' vote alone (no merge, no final
    steps): best-scored runs aligned to the best one."""
    K = runs.soft.shape[-1]
    run_labels = runs.labels.T.cpu().numpy()
    scores = runs.scores.cpu().numpy()
    best = int(np.argmax(scores))
    voters = np.sort(np.argsort(-scores, kind="stable")[:final.n_voters])
    return Consensus(K, voters, align_runs(run_labels, best, K), final.temperature, 0.0, final.n_neighbors)


def fit_consensus(Zs, runs, final, known, generator, graph=None):
    """The fitted :class:`Consensus` of ``runs`` (:class:`~sklearn_hume._runs.Runs`)
    and what it gives the fit rows.

    ``graph``: the propagation's graph (:func:`consensus_graph` of the same
    rows, known rows and ``final.n_neighbors``), built here when ``None``.

    With ``known`` rows (``(rows, classes)``), clusters are numbered by the
    known classes before the final steps, which clamp those rows.

    Returns
    -------
    consensus : Consensus
    labels, P, counts : ndarray
        :meth:`Consensus.apply` on the fit rows.
    contradicted : ndarray of bool or None
        Which known rows the vote gives another class.
    """
    K_runs, K = runs.soft.shape[-1], final.n_clusters
    consensus = plain_vote(runs, final)
    consensus.propagation = final.propagation
    if K_runs > K:
        with torch.no_grad():
            idx = graph_rows(Zs[0].shape[0], None, generator).to(Zs[0].device)
            S = neighbor_mean_operator([Z[idx] for Z in Zs], final.n_neighbors)
        merge = merge_map(consensus.vote(runs.soft[idx])[0], S, K_runs, K)
        consensus.permutations, consensus.n_clusters = merge[consensus.permutations], K
    voted, mean, _ = consensus.vote(runs.soft)
    contradicted = None
    if known is not None:
        # Number the clusters by the known classes, re-vote in that numbering.
        numbering = match_clusters(voted[known[0]], known[1], K)
        consensus.permutations = numbering[consensus.permutations]
        voted, mean, _ = consensus.vote(runs.soft)
        contradicted = voted[known[0]] != known[1]
    neighbors = None
    if final.propagation > 0 or final.refine:
        with torch.no_grad():
            neighbors = _final_steps(consensus, Zs, mean, known, generator, final.refine, final.alpha, graph)
    with torch.no_grad():
        labels, P, counts = consensus.apply(Zs, runs.soft, neighbors)
    return consensus, labels, P, counts, contradicted


def regrouped_consensus(consensus, Zs, runs, labels, support, final, generator, graph=None):
    """:func:`fit_consensus`'s output after
    :func:`~sklearn_hume._regroup.regroup` moved the labels of ``consensus``
    (fitted on ``runs``) to ``labels`` with ``support``: the final steps
    (propagation, ridge refit: ``final.refine`` must be on) fitted afresh to
    the regrouped labels, so that the refit heads label any rows, the fit's
    own included, in the regrouped clusters."""
    consensus = replace(consensus, heads=None, graph_views=None, graph_soft=None, graph_index=None,
                        regroup=support)
    targets = np.eye(consensus.n_clusters)[labels]
    with torch.no_grad():
        neighbors = _final_steps(consensus, Zs, targets, None, generator, True, final.alpha, graph)
        labels, P, counts = consensus.apply(Zs, runs.soft, neighbors)
    return consensus, labels, P, counts, None
