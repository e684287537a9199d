"""The HumeClustering estimator: a thin face over the modules that do the work.

A fit is a short list of steps, each one call into the module named for it:

1. validate the input (``_prepare.fit_input``, ``check_known_labels``);
2. resolve every setting once (``_settings.resolve_settings``);
3. prepare the training views (``_prepare.prepare_training_views``);
4. fit the runs (``_runs.fit_runs``, with an objective from ``_objectives``;
   with known labels ``_known.fit_runs_with_known``);
5. fit the consensus (``_consensus.fit_consensus``), which labels the fit rows;
6. set every public fitted attribute in one place, and warn (``_diagnostics``).

``predict``, ``transform`` and ``score`` read only the fitted state: embed the
rows (``_views``), the runs' soft labels, then the fitted consensus.
"""

import time
from dataclasses import replace
from functools import partial
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._aggregate import cluster_stability, members_by_confidence
from ._balance import (
    AUTO_RESOLUTION,
    JUDGE_RUNS,
    LOW_RESOLUTION,
    MODULARITY_NEIGHBORS,
    family_scores,
    keeps_density,
    keeps_free,
    views_agreement,
)
from ._consensus import fit_consensus, regrouped_consensus, shared_graph
from ._dask import as_one_dask_matrix, holds_dask, map_rows
from ._density import density_weights_and_neighbours
from ._diagnostics import view_scores_and_weights, warn_fit
from ._known import few_known, fit_runs_with_known
from ._malloc import allocations_off_mmap
from ._novelty import graph_reference, reject, rejection_threshold, row_scores, training_scores
from ._objectives import OBJECTIVES
from ._prepare import (
    as_tensor,
    check_known_labels,
    fit_input,
    fit_rows,
    prepare_training_views,
    used_views,
    validate_views,
)
from ._propagation import graph_rows
from ._regroup import regroup
from ._ridge import probe_kappa
from ._runs import family_runs, fit_runs, runs_subset
from ._settings import auto_balance, check_integer_params, resolve_device, resolve_settings, warn_unused
from ._threads import restored_num_threads
from ._views import (
    check_view_count,
    collect_views,
    core_input,
    embed_view,
    params_as_tensors,
    resolve_view_sizes,
    split_columns,
    stack_views,
)
from ._warnings import warn_user
from ._weak_views import CHECK_RUNS, view_support_check, weak_views

# Fitted attributes with one entry per training row (lazy dask arrays after a dask fit).
_PER_ROW = ("labels_", "confidence_", "run_labels_")


# balance="auto": up to AUTO_ALL_ROWS rows the families are fitted on every
# row (the entropy and density families in one batch of twice the runs, 1.7x
# the entropy fit's time at 10,000 rows; with the size-free family's runs 2.5x).
# Above it they are fitted on AUTO_PROBE_ROWS random rows and the kept family
# on every row, which costs less from twice AUTO_PROBE_ROWS on. A quarter of
# the rows, as first built, was too few: on wordnet10 (6,000 balanced rows)
# 1,500 rows kept the density fit for random_state=0 (ACC 0.868 against
# 0.882 with every row compared; the entropy fit on all three seeds). Both at
# most _density.MAX_REFERENCE_ROWS: the families are compared on rows that are
# all reference rows of the density weights.
AUTO_ALL_ROWS, AUTO_PROBE_ROWS = 10_000, 5_000


def _fit_runs(objective_name, Zs, known, resolved, generator, **kwargs):
    """The runs; through ``_known`` when some known class has few known rows."""
    fit = fit_runs_with_known if known is not None and few_known(known[1]) else fit_runs
    return fit(objective_name, Zs, known, resolved, generator, **kwargs)


def _families(objective_name, Zs, known, resolved, generator, *, verbose, log):
    """``n_runs`` runs with the entropy term and as many, from other random
    heads, with the density-weighted one, fitted as one batch, then ``n_runs``
    with ``balance="free"``; each family's runs, its
    :func:`~sklearn_hume._consensus.fit_consensus` output and its
    :func:`~sklearn_hume._balance.family_scores` on the views' kNN graph."""
    start = generator.get_state()
    n_runs = resolved.settings.n_runs
    both = replace(resolved, settings=replace(resolved.settings, balance="auto", n_runs=2 * n_runs,
                                              entropy_runs=n_runs))
    # Each family's heads drawn as its own fit draws them: on balanced classes,
    # where the entropy family is kept, the labels are balance="entropy"'s.
    dims = [Z.shape[1] for Z in Zs]
    init = OBJECTIVES[objective_name].init
    heads = [torch.cat(pair) for pair in zip(init(dims, resolved.settings, generator),
                                             init(dims, resolved.settings, generator))]
    # One pass over the rows for the density weights and the judges' kNN graph
    # (at most AUTO_ALL_ROWS rows here: every row is a reference row).
    weights, neighbours = density_weights_and_neighbours(Zs, MODULARITY_NEIGHBORS)
    runs = _fit_runs(objective_name, Zs, known, both, generator, init=heads, row_weights=weights, verbose=verbose,
                     log=log)
    neighbours = neighbours.cpu().numpy()
    families = {name: runs_subset(runs, part) for name, part in family_runs(both.settings).items()}
    # The free family from a generator that starts where the fit's did: its
    # runs and vote are balance="free"'s, and the fit's own generator goes on
    # as without it (the other families' labels do not depend on it).
    side = torch.Generator()
    side.set_state(start)
    free = replace(resolved, settings=replace(resolved.settings, balance="free"))
    # fit_runs leaves torch at the thread count its loop chose last: the consensus below uses it.
    families["free"] = _fit_runs(objective_name, Zs, known, free, side, verbose=verbose, log=log)
    out = {}
    graph = shared_graph(Zs, known, generator, resolved.final)  # the same rows: one graph for every family
    for name, family in families.items():
        fitted = fit_consensus(Zs, family, resolved.final, known, side if name == "free" else generator, graph)
        out[name] = (family, fitted, family_scores(fitted[1], family.labels.cpu().numpy(), neighbours))
    return out, neighbours, graph


def _compares_on_sample(n_rows):
    """Whether ``balance="auto"`` compares the families on a sample of the
    rows (:data:`AUTO_PROBE_ROWS`) rather than on every row."""
    return n_rows > AUTO_ALL_ROWS


def _pick_balance(objective_name, Zs, known, resolved, generator, *, verbose, log):
    """``balance="auto"``: the entropy, density-weighted and size-free
    families (:func:`_families`); the density family is kept over the entropy
    family when its vote's labels have the higher modularity, or its best
    runs' labels a higher one by more than
    :data:`~sklearn_hume._balance.JUDGE_MARGIN`, or its vote's a higher one
    at :data:`~sklearn_hume._balance.LOW_RESOLUTION` while its runs agree
    with its vote more (:func:`~sklearn_hume._balance.keeps_density`); the
    size-free family replaces the one kept when its vote's modularity at
    :data:`~sklearn_hume._balance.LOW_RESOLUTION` is higher by more than
    :data:`~sklearn_hume._balance.FREE_MARGIN` and its runs agree with its
    vote more or its best runs' labels have the higher modularity
    (:func:`~sklearn_hume._balance.keeps_free`). Where the density or the
    size-free family is kept, its labels are moved by
    :func:`~sklearn_hume._regroup.regroup` on the judges' graph and its final
    steps refitted to them (:func:`~sklearn_hume._consensus.regrouped_consensus`),
    on every row and without known labels only. Up to :data:`AUTO_ALL_ROWS`
    rows the families are fitted on every row; beyond, on
    :data:`AUTO_PROBE_ROWS` random rows (with the known ones), and the kept
    family is then fitted on every row. Returns its runs, settings, name and
    ``fit_consensus`` output (or ``None`` when it is left to the caller)."""
    n = Zs[0].shape[0]
    probe = _compares_on_sample(n)
    compared, known_compared = Zs, known
    if probe:
        start = generator.get_state()
        rows = graph_rows(n, None if known is None else known[0], generator, max_rows=AUTO_PROBE_ROWS)
        compared = [Z[rows.to(Z.device)] for Z in Zs]
        known_compared = None if known is None else (np.searchsorted(rows.numpy(), known[0]), known[1])
    families, neighbours, graph = _families(objective_name, compared, known_compared, resolved, generator,
                                            verbose=verbose, log=log)
    scores = {name: family[2] for name, family in families.items()}
    chosen = "density" if keeps_density(scores["entropy"], scores["density"]) else "entropy"
    if keeps_free(scores[chosen], scores["free"]):
        chosen = "free"
    e, d, f = (" / ".join(f"{v:.3f}" for v in scores[name]) for name in ("entropy", "density", "free"))
    log(f"balance='auto': kNN-graph modularity (resolution {AUTO_RESOLUTION}) of the vote / of the {JUDGE_RUNS} "
        f"best runs / of the vote at resolution {LOW_RESOLUTION}, and the runs' agreement with the vote: "
        f"{e} with the entropy term, {d} with the density-weighted one, {f} size-free"
        f"{f' on {len(rows)} of the {n} rows' if probe else ''}; kept {chosen!r}")
    kept = replace(resolved, settings=replace(resolved.settings, balance=chosen))
    if probe:
        # The kept family's fit on every row starts where the fit started: the
        # same runs as a fit with that balance term.
        generator.set_state(start)
        return _fit_runs(objective_name, Zs, known, kept, generator, verbose=verbose, log=log), kept, chosen, None
    runs, fitted = families[chosen][0], families[chosen][1]
    if chosen != "entropy" and known is None and resolved.final.refine:
        # The judges found the classes unequal: merge-and-split moves on their graph.
        labels, support, moves = regroup(fitted[1], neighbours, resolved.final.n_clusters)
        if moves:
            fitted = regrouped_consensus(fitted[0], Zs, runs, labels, support, resolved.final, generator, graph)
            log(f"balance='auto': {moves} merge-and-split move(s) on the kNN graph")
    return runs, kept, chosen, fitted


def _auto_runs_note(n_runs, n_rows, kept):
    """What the fit's last log line adds with ``balance="auto"``: the runs it
    fitted to compare the three families, not only the kept family's."""
    if _compares_on_sample(n_rows):
        return (f" (balance='auto': {3 * n_runs} runs on a sample of the rows compared the three families, "
                f"then the kept {kept!r} family's {n_runs} on every row)")
    return f" (balance='auto': {3 * n_runs} runs, {n_runs} per family, the {kept!r} family's kept)"


class HumeClustering(ClassNamePrefixFeaturesOutMixin, TransformerMixin, ClusterMixin, BaseEstimator):
    """Find the human labeling of a dataset from one or more feature views.

    HUME (Gadetsky & Brbić, 2023) searches for the labeling that linear models
    in every representation space learn and *generalise* best: a labeling made
    by linear task heads is scored by how well a linear classifier on each view
    predicts it on samples it was not fitted on, with an entropy term against
    collapse. Many random runs are fitted together; the best by a label-free
    score is the reference, the others are aligned to it with the Hungarian
    algorithm and the labels are the majority vote of the best-scoring runs.

    How views are passed (the same in every method):

    - ``fit(X)``: one matrix is **one view**, unless ``view_sizes`` splits it
      into column blocks;
    - ``fit(X1, X2)``: a 2-D second argument is a second view (a 1-D one is
      ``y``, which a clusterer ignores);
    - ``fit([X1, X2, X3])``: a list of 2-D arrays, one view each.

    The parameters that matter: ``n_clusters``; ``balance="entropy"`` for
    fits up to 2.5x as fast when the classes are known to be of about
    equal size; ``device`` and ``batch_size`` for large data; ``n_runs`` for
    steadier labels (proportional cost); ``random_state``.
    The others have measured defaults (``docs/benchmarks.rst``) and are for
    experiments; ``objective`` switches to TURTLE's or the paper's loop.

    Read more in the user guide (``docs/``): "How HUME works".

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters (classes) to find.

    view_sizes : array-like of int, default=None
        Number of columns of each view, in order, for one matrix holding the
        views side by side; they must add up to the number of features.
        ``None``: one matrix is one view. With views passed separately it may
        be omitted; if given it must agree with their widths.

    drop_weak_views : bool, default=True
        With three views or more, leave out of the fit the views that
        support a short first pass's labeling far less than the best view
        (leave-one-out kappa below 2/3 of the best view's): HUME asks that a
        linear model learn the labels in every view, and a view in which none
        can (noise, a degraded or low-capacity embedding) pulls the labeling
        towards one it can learn. A warning names them; ``views_used_`` says
        which views the fit used. The pass (2 runs on at most 3,000 rows)
        made fits at most 1.4x slower on the shared cases; with two views
        it does not run.

    objective : {"loo", "turtle", "hume"}, default="loo"
        What is optimised.

        - ``"loo"``: a task head on every view (labels are the softmax of the
          mean of their logits) and, per view, a ridge classifier whose *exact*
          leave-one-out error is computed in closed form from one SVD per view.
        - ``"turtle"``: heads on every view, a warm-started linear classifier
          per view trained by a few Adam steps per iteration, first-order
          gradient (TURTLE, Gadetsky et al. 2024).
        - ``"hume"``: the paper's method as its public code runs it: an
          orthonormal task encoder on view 1 (Householder parametrisation),
          sparsemax labels, a fresh linear classifier on view 2 trained by
          unrolled SGD on random train/held-out subsets, the exact
          second-order hypergradient. Two views (with one, it plays both
          roles). Costly: meant for GPUs or small problems.

    n_runs : int, default=8
        Number of independent random runs, optimised together as one batched
        tensor program.

    vote_fraction : float in (0, 1], default=0.5
        Fraction of the runs, best label-free scores first, whose aligned
        labels are majority-voted (the paper votes over all, ``1.0``).

    n_iter : int, default=None
        Outer iterations. ``None``: 150 for ``"loo"`` and ``"turtle"``, 1000
        for ``"hume"``.

    learning_rate : float, default=None
        Adam step size of the task heads. ``None``: 0.1, or 1e-3 for
        ``"hume"``.

    temperature : float, default=None
        Label temperature: logits are divided by it. ``None``: 0.1.

    entropy_weight : float, default=None
        Weight of the entropy of the mean label distribution, which keeps
        clusters from collapsing. ``None``: 5 for ``"loo"`` and ``"turtle"``
        (their losses live on a smaller scale), 10 for ``"hume"`` (the
        paper's).

    cluster_prior : array-like of shape (n_clusters,), default=None
        Expected relative cluster sizes. ``None``: the balance term that
        ``balance`` names. A prior replaces the entropy by ``KL(mean labels ||
        prior)`` with the same weight, and ``balance="auto"`` then fits only
        that. Normalised to sum to one. Not used by ``"hume"``.

    balance : {"auto", "entropy", "density", "free"}, default="auto"
        What keeps clusters from collapsing, and which cluster sizes it
        favours (``objective="loo"`` only).

        - ``"entropy"``: the entropy of the mean label distribution, which
          pulls every cluster towards ``1 / n_clusters`` of the rows (the
          paper's term; right when the classes are of about equal size,
          while a class ten times larger than another gets split).
        - ``"density"``: the same entropy with each row weighted by
          ``c ** -0.5``, ``c`` the number of rows within a common similarity
          radius of it (the views side by side), so that the many rows of a
          dense region count for less: it follows classes of unequal size,
          and splits classes that spread wider than others.
        - ``"free"``: no size preference: each cluster's error counts
          relative to its share and only clusters below ``0.3 /
          n_clusters`` of the rows are pushed back.
        - ``"auto"``: fit ``n_runs`` runs with each of the three. The
          density family is kept over the entropy family when its labeling
          has the higher modularity on the views' kNN graph (the share of
          each row's 10 nearest rows in its own cluster, less the share
          chance gives), or its three best runs' labels a higher mean
          modularity by more than 0.002, or its labeling a higher modularity
          at half the chance share while its runs agree with it more than
          the entropy runs with theirs. The size-free family replaces the
          one kept when its labeling's modularity at half the chance share
          is higher by more than 0.02 and its runs agree with it more or
          its three best runs' labels have the higher modularity (one class
          holding most rows, which the other two terms split).
          ``balance_`` says which family was kept. Where the density or
          size-free family is kept (up to 10,000 rows, without known
          labels), the labels are then moved on the same graph: two
          clusters merged and a third split while that raises the
          modularity at half the chance share by more than 0.008
          (``_regroup``), and the refit heads are fitted to them.
          Fits take about 2.5x as long as with ``"entropy"`` at 2,000 and
          10,000 rows on an idle 2-core machine, where the three families
          are fitted on every row, and 1.6x from 50,000 rows on.

        Measured figures: the user guide's "Classes of unequal size".

    n_components : int or None, default=128
        Each view is centred, its rows L2-normalised (views of fewer than 4
        columns are scaled as a whole instead), and projected onto its first
        ``n_components`` principal axes (not whitened). ``None`` keeps every
        dimension. Every step is scale-free.

    alpha : float, default=0.1
        Ridge penalty of the ``"loo"`` inner classifiers and of the probe
        scores, relative to the mean squared singular value of the view.

    inner_steps : int, default=None
        Inner training steps per outer iteration (``"turtle"``: 10 Adam steps;
        ``"hume"``: 300 SGD steps). Not used by ``"loo"``.

    inner_lr : float, default=None
        Inner step size (``"turtle"``: 0.05; ``"hume"``: 1e-3). Not used by
        ``"loo"``.

    batch_size : int, "auto" or None, default="auto"
        Rows per optimisation step for ``"loo"`` and ``"turtle"``, one random
        batch per step shared by all runs. ``None``: every row in every step.
        ``"auto"``: ``"loo"`` uses every row up to 10,000 samples and batches
        of 6,144 beyond; ``"turtle"`` batches of 10,000 (TURTLE's). Not used
        by ``"hume"``.

    n_subsets : int, default=20
        ``"hume"``: random subsets per outer iteration (gradients averaged).

    subset_size : int, default=10000
        ``"hume"``: samples per subset (at most all of them).

    train_fraction : float, default=0.9
        ``"hume"``: fraction of each subset the inner classifier trains on; the
        rest is held out for the outer loss.

    anneal_at : array-like of int, default=None
        Outer iterations at which the learning rate and the temperature are
        multiplied by ``anneal_factor``. ``None``: ``(100, 200)`` for
        ``"hume"``, none otherwise.

    anneal_factor : float, default=0.1
        See ``anneal_at``.

    max_grad_norm : float, default=None
        Per-run gradient norm clipping. ``None``: 1.0 for ``"hume"``, none
        otherwise.

    label_weight : float, default=1.0
        With ``fit(..., known_labels=...)``: weight of the cross-entropy that
        pulls the rows with a known class to it. Not used by ``"hume"``.

    neighbor_weight : float, default=0.0
        Not used by ``"hume"``, nor by steps that see a mini-batch (beyond
        10,000 rows for ``"loo"`` and ``"turtle"``, by default): a
        batch holds too few of a row's neighbours. Weight of an opt-in
        neighbourhood term: the probability that a row's label differs from
        that of a neighbour, where neighbours are pairs that at least half of
        the views (and at least two) place among each other's
        ``n_neighbors`` nearest rows (cosine similarity on the embedded
        views). It adds what kNN-graph methods know to the cross-view
        objective; its measured effect is on the benchmarks page (small and
        of either sign, so it is off by default).

    n_neighbors : int, default=20
        Neighbours per row and view for ``neighbor_weight`` and
        ``propagation``.

    overcluster : float >= 1, default=1.0
        Not used by ``"hume"``. The runs fit ``ceil(overcluster *
        n_clusters)`` clusters; their vote is then merged down to
        ``n_clusters`` on the views' consensus kNN graph (edges as for
        ``neighbor_weight``), joining first the two clusters with the most
        edges between them relative to the smaller one's edges, and the final
        steps below run on the merged labels. For classes of unequal size:
        the balance term splits large classes and merges small ones, and the
        merge undoes the splits. ``heads_``, ``run_labels_`` and
        ``run_permutations_`` keep the runs' own clusters. The measured
        effect (better on unequal classes, not yet on equal ones) is on the
        benchmarks page; ``1`` turns it off. Incompatible with
        ``cluster_prior``.

    propagation : float in [0, 1), default=0.5
        Not used by ``"hume"``; 0 for fits of more than 100,000 rows (every
        row costs a kNN search against the graph rows). Weight of the
        neighbours in a last label-propagation step. The runs' mean soft
        labels are spread over the consensus kNN graph of the views (edges as
        for ``neighbor_weight``), as LabelSpreading spreads labels with this
        ``alpha``. The graph joins the graph rows: the fit rows, or a random
        10,000 of them beyond that, and from 50,000 fit rows on as many as
        keep fit rows x graph rows at 5e8 (5,000 at 100,000 rows), with
        every row of ``known_labels``.
        Every row, in ``fit`` and in :meth:`predict`, then takes
        ``(1 - propagation)`` times its own soft label plus ``propagation``
        times the mean propagated label of its consensus neighbours among the
        graph rows, so the labels depend only on the row and the fitted
        state (``propagation_`` is the weight applied). ``0`` turns it off,
        and the majority vote of the runs labels the rows. Its measured
        gains are on the benchmarks page.

    refine : bool, default=True
        Between two propagations, refit one ridge classifier per view (penalty
        ``alpha``) to the propagated labels, rows with a known label to
        theirs; their mean output, softmaxed at the final temperature,
        replaces the runs' soft labels, here and in :meth:`predict`. HUME's
        premise is that the human labeling is what a linear model learns in
        every view: this asks it once more of the settled labels. Without
        propagation it refits to the vote. One round; more drifted on the
        shared cases. Not used by ``"hume"``.

    tol : float, default=1e-4
        Stop once no run's objective moved by more than ``tol`` over 10
        iterations (after the last annealing step). Applies when every step
        sees the full objective (``"loo"`` without mini-batches); ``0`` runs
        all ``n_iter`` iterations.

    device : {"auto", "cpu", "cuda", "cuda:N"} or torch.device, default="auto"
        Where the torch core runs. ``"auto"`` picks CUDA when available.
        Fitted attributes are NumPy arrays on the CPU either way, and a model
        fitted on a GPU predicts on the CPU where no GPU is present.

    n_jobs : int, default=None
        Split the runs into this many chunks fitted in parallel by joblib
        (``-1``: all workers); the labels equal those of a fit without
        ``n_jobs``. Inside ``joblib.parallel_config(backend="dask")`` the
        chunks run on a dask cluster. Not used by ``"hume"``.

    n_threads : int, default=None
        Torch threads for a fit on the CPU. ``None``: each fit probes the
        thread pool, times its iterations with one thread and with
        ``torch.get_num_threads()`` (which ``OMP_NUM_THREADS``,
        ``torch.set_num_threads``, threadpoolctl and joblib worker limits
        set) and keeps the faster, trying the other count now and then;
        beside other busy processes one thread is often much faster. The
        caller's setting is restored after the fit.

    verbose : int, default=0
        1: a progress bar over iterations and a line per phase (stderr and
        stdout); 0: silent.

    random_state : int, RandomState instance or None, default=None
        Seeds a local torch generator; the global random state is untouched.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        The labels of the training data, equal to :meth:`predict` on the same
        rows: the majority vote of the aligned voting runs, then (by default)
        spread over the views' kNN graph, refitted by one ridge classifier per
        view and spread again (``propagation``, ``refine``). After
        a fit on a dask array, ``labels_``, ``confidence_`` and
        ``run_labels_`` are lazy dask arrays (computed when asked for); after
        a fit on a memmap, NumPy arrays computed block by block.

    confidence_ : ndarray of shape (n_samples,)
        Reliability of each label in ``[0, 1]``: the share of voting runs that
        agree with it times its probability (after the propagation, when one
        ran).

    cluster_stability_ : ndarray of shape (n_clusters,)
        How reproducible each cluster is across the runs, in ``[0, 1]``: the
        mean Jaccard index between the cluster and each run's aligned cluster.

    cluster_shares_ : ndarray of shape (n_clusters,)
        The share of the fit rows (``n_fit_rows_``; every row for in-memory
        data) in each cluster of ``labels_``, summing to one: the class sizes
        the fit settled on (near ``1 / n_clusters`` when ``balance_`` is
        ``"entropy"``, which pulls them there; the user guide's "Classes of
        unequal size").

    view_scores_ : ndarray of shape (n_views,)
        How well each view alone supports the labeling: Cohen's kappa between
        ``labels_`` and the exact leave-one-out predictions of a ridge
        classifier on that view's embedding (the per-view part of
        :meth:`probe_score`, on the rows in ``n_fit_rows_``). 1 when the view
        predicts every row's label from the others, 0 for chance. Measured
        after the fit, from the labels alone: a weak or unrelated view scores
        low whatever its width.

    view_weights_ : ndarray of shape (n_views,)
        ``view_scores_`` clipped at 0 and normalised to sum to 1: the share
        of the labeling's linear support each view carries, to see which
        embeddings the labeling rests on. Near-duplicate views (see
        ``view_groups_``) count once: their group's share is split among
        them. A diagnostic: the fit counts every view it uses alike, and
        leaves out the weak ones (``drop_weak_views``).

    view_groups_ : ndarray of shape (n_views,)
        ``view_groups_[v]``: the earlier view that view ``v`` nearly
        duplicates, or ``v``. A view duplicates an earlier one when either
        one's embedding spans linearly at least 55 % of the other's
        directions beyond the ``n_clusters - 1`` that any two views of the
        same classes share (a copy, a rescaled, rotated or noisy copy, a
        projection, a nonlinear layer on the view). The
        runs, ``predict`` and ``transform`` use only the views with
        ``view_groups_[v] == v``, so passing one embedding twice (or two
        checkpoints of one model) does not give it twice the say; a warning
        says which views were left out. At least two views are kept.

    views_used_ : ndarray of bool of shape (n_views,)
        Which views the runs, ``predict`` and ``transform`` use: ``False``
        for a near-duplicate (``view_groups_``) and for a weak view
        (``drop_weak_views``). ``view_scores_`` still scores every view.

    known_labels_contradicted_ : ndarray of int or None
        The rows given in ``known_labels`` whose class the vote contradicts
        (they keep their known class in ``labels_``, and a warning counts
        them); ``None`` when ``fit`` had no known labels.

    balance_ : str
        The balance term of the runs that voted: ``"entropy"``,
        ``"density"`` or ``"free"`` (with ``balance="auto"``, the one its
        judges kept: the kNN-graph modularity of the families' votes and best
        runs, and their runs' agreement).

    cluster_prior_ : ndarray of shape (n_clusters,) or None
        The normalised ``cluster_prior``.

    heads_ : list of (ndarray, ndarray)
        The fitted linear task heads, one ``(weights, biases)`` pair per view
        that has one: weights ``(n_runs, r_v, n_clusters)`` on the view's
        embedding (unit-norm columns), biases ``(n_runs, n_clusters)``. For
        ``"hume"`` one pair, for view 1, with zero biases.

    temperature_ : float
        The label temperature after annealing, used by :meth:`transform`.

    propagation_ : float
        The propagation weight the fit applied and :meth:`predict` applies:
        ``propagation``, or 0 for ``"hume"`` and for fits of more than
        100,000 rows.

    run_labels_ : ndarray of shape (n_runs, n_samples)
        Each run's labels, in its own cluster numbering.

    n_fit_rows_ : int
        Rows the optimisation drew its batches from: every row for in-memory
        data; for dask or memmap input a uniform sample of at most 200,000
        rows (all rows when fewer), plus the rows with known labels.
        Preprocessing statistics, ``labels_``
        and ``confidence_`` always cover every row; ``cluster_stability_``
        and the run ranking come from these rows.

    run_losses_ : ndarray of shape (n_runs,)
        Final value of the optimised objective (lower is better).

    run_scores_ : ndarray of shape (n_runs,)
        How the runs are ranked, higher is better: the negated final objective
        for ``"loo"`` and ``"turtle"``; the probe score on the inner view for
        ``"hume"`` (the paper's choice). Not :meth:`score`, which measures the
        voted model on given samples.

    best_run_ : int
        Index of the best-ranked run, the alignment reference.

    voters_ : ndarray of int
        The runs that vote: the best-ranked ``vote_fraction`` of them.

    run_permutations_ : ndarray of shape (n_runs, n_run_clusters)
        ``run_permutations_[r, k]``: the aggregated cluster id of run ``r``'s
        cluster ``k`` (``n_run_clusters`` is ``n_clusters`` unless
        ``overcluster`` is above 1; several of a run's clusters then map to one).

    view_sizes_ : ndarray of shape (n_views,)
        Columns per view.

    n_iter_ : int
        Outer iterations run (fewer than ``n_iter`` when ``tol`` stopped it).

    n_features_in_ : int
        Number of features (all views) seen during fit.

    feature_names_in_ : ndarray of str
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.cluster.KMeans : Clustering by distances in one space.
    select_n_clusters : Choosing ``n_clusters`` without labels.

    Notes
    -----
    Per outer iteration, ``"loo"`` costs ``O(n_runs * N * (sum_v r_v) * K)``
    with ``r_v`` the reduced dimension of view ``v``, plus one SVD per view per
    fit. The optimisation runs in float32; :meth:`transform` returns float32.
    Preprocessing runs in the input's precision.

    References
    ----------
    A. Gadetsky and M. Brbić, "The Pursuit of Human Labeling: A New Perspective
    on Unsupervised Learning", NeurIPS 2023.

    A. Gadetsky, Y. Jiang and M. Brbić, "Let Go of Your Labels with
    Unsupervised Transfer", ICML 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_hume import HumeClustering
    >>> rng = np.random.RandomState(0)
    >>> y = np.repeat([0, 1, 2], 30)
    >>> centres = rng.normal(size=(3, 6)) * 4
    >>> X1 = centres[y] + rng.normal(size=(90, 6))
    >>> X2 = centres[y] @ rng.normal(size=(6, 8)) + rng.normal(size=(90, 8))
    >>> est = HumeClustering(n_clusters=3, n_runs=4, random_state=0).fit(X1, X2)
    >>> est.labels_.shape
    (90,)
    >>> est.transform(X1, X2).shape
    (90, 3)
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "view_sizes": ["array-like", None],
        "objective": [StrOptions(set(OBJECTIVES))],
        "n_runs": [Interval(Integral, 1, None, closed="left")],
        "vote_fraction": [Interval(Real, 0, 1, closed="right")],
        "n_iter": [Interval(Integral, 0, None, closed="left"), None],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "temperature": [Interval(Real, 0, None, closed="neither"), None],
        "entropy_weight": [Interval(Real, 0, None, closed="left"), None],
        "balance": [StrOptions({"entropy", "free", "density", "auto"})],
        "cluster_prior": ["array-like", None],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "inner_steps": [Interval(Integral, 1, None, closed="left"), None],
        "inner_lr": [Interval(Real, 0, None, closed="neither"), None],
        "batch_size": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"}), None],
        "n_subsets": [Interval(Integral, 1, None, closed="left")],
        "subset_size": [Interval(Integral, 2, None, closed="left")],
        "train_fraction": [Interval(Real, 0, 1, closed="neither")],
        "anneal_at": ["array-like", None],
        "anneal_factor": [Interval(Real, 0, None, closed="neither")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "label_weight": [Interval(Real, 0, None, closed="neither")],
        "neighbor_weight": [Interval(Real, 0, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "overcluster": [Interval(Real, 1, None, closed="left")],
        "propagation": [Interval(Real, 0, 1, closed="left")],
        "refine": ["boolean"],
        "drop_weak_views": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str, torch.device],
        "n_jobs": [Integral, None],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        view_sizes=None,
        drop_weak_views=True,
        objective="loo",
        n_runs=8,
        vote_fraction=0.5,
        n_iter=None,
        learning_rate=None,
        temperature=None,
        entropy_weight=None,
        cluster_prior=None,
        balance="auto",
        n_components=128,
        alpha=0.1,
        inner_steps=None,
        inner_lr=None,
        batch_size="auto",
        n_subsets=20,
        subset_size=10000,
        train_fraction=0.9,
        anneal_at=None,
        anneal_factor=0.1,
        max_grad_norm=None,
        label_weight=1.0,
        neighbor_weight=0.0,
        n_neighbors=20,
        overcluster=1.0,
        propagation=0.5,
        refine=True,
        tol=1e-4,
        device="auto",
        n_jobs=None,
        n_threads=None,
        verbose=0,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.view_sizes = view_sizes
        self.drop_weak_views = drop_weak_views
        self.objective = objective
        self.n_runs = n_runs
        self.vote_fraction = vote_fraction
        self.n_iter = n_iter
        self.learning_rate = learning_rate
        self.temperature = temperature
        self.entropy_weight = entropy_weight
        self.cluster_prior = cluster_prior
        self.balance = balance
        self.n_components = n_components
        self.alpha = alpha
        self.inner_steps = inner_steps
        self.inner_lr = inner_lr
        self.batch_size = batch_size
        self.n_subsets = n_subsets
        self.subset_size = subset_size
        self.train_fraction = train_fraction
        self.anneal_at = anneal_at
        self.anneal_factor = anneal_factor
        self.max_grad_norm = max_grad_norm
        self.label_weight = label_weight
        self.neighbor_weight = neighbor_weight
        self.n_neighbors = n_neighbors
        self.overcluster = overcluster
        self.propagation = propagation
        self.refine = refine
        self.tol = tol
        self.device = device
        self.n_jobs = n_jobs
        self.n_threads = n_threads
        self.verbose = verbose
        self.random_state = random_state

    def _log(self, msg):
        if self.verbose:
            print(f"[HumeClustering] {msg}", flush=True)

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, *, known_labels=None):
        """Fit the labeling.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of array-likes
            One matrix (one view, or several side by side with
            ``view_sizes``), the first view when a second follows, or a list
            of 2-D views. Dask arrays and NumPy memmaps are read block by
            block of rows and never loaded whole (see ``n_fit_rows_``); dask
            chunks along the columns are merged, as a block must hold whole
            views.
        y : array-like of shape (n_samples, n_features_2) or (n_samples,), default=None
            A 2-D array is the second view. A 1-D array is ``y`` (labels):
            checked for length and ignored, as by every clusterer.
        known_labels : array-like of shape (n_samples,), default=None
            Opt-in semi-supervision, scikit-learn's convention: the class
            (``0 .. n_clusters - 1``) of the rows whose class is known, ``-1``
            for the others. Clusters are then numbered by these classes, the
            rows keep their known class in ``labels_``, classes without a
            known row stay free clusters, and known labels that the fit
            contradicts are reported (``known_labels_contradicted_`` and a
            warning). Where a known class has fewer than 5 known rows, the
            runs are first fitted without the known rows, their clusters
            named after the known classes, and the runs then go on with the
            known rows for a third of the schedule (``_known``), so that one
            atypical row per class does not shape its cluster.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        # An interrupted or failed fit must not leave a half-fitted estimator.
        state = dict(self.__dict__)
        try:
            return self._fit(X, y, known_labels)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fit(self, X, y, known_labels):
        params = self.get_params(deep=False)
        check_integer_params(params)
        inp = fit_input(X, y, self._validate_training_matrix)
        if inp.data is not None:
            self.n_features_in_ = inp.n_features
            self.__dict__.pop("feature_names_in_", None)
        if inp.n_samples < self.n_clusters:
            raise ValueError(f"n_samples={inp.n_samples} should be >= n_clusters={self.n_clusters}.")
        sizes = resolve_view_sizes(self.view_sizes, inp.n_features, inp.widths if inp.explicit else None)
        objective = OBJECTIVES[self.objective]
        objective.check_views(len(sizes))
        warn_unused(type(self), params, self.objective, objective)
        if self.n_iter == 0:
            warn_user("n_iter=0: the runs are not optimised, so the labels come from their random initial heads.",
                      UserWarning)
        known_all = check_known_labels(known_labels, inp.n_samples, self.n_clusters)
        if known_all is not None and not objective.KNOWN_LABELS:
            raise ValueError(f'objective="{self.objective}" takes no known labels; use objective="loo" or "turtle".')
        device = resolve_device(self.device)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        gen = torch.Generator(device="cpu").manual_seed(seed)
        rows, known = fit_rows(inp, known_all, seed)
        t0 = time.perf_counter()
        with restored_num_threads() as max_threads, allocations_off_mmap():
            resolved = resolve_settings(params, objective, n_samples=inp.n_samples, device=device,
                                        n_fit_rows=inp.n_samples if rows is None else len(rows),
                                        max_threads=max_threads)
            torch.set_num_threads(resolved.runtime.start_threads)
            views = prepare_training_views(inp, sizes, rows, known, known_all, n_components=self.n_components,
                                           n_clusters=self.n_clusters, device=device)
            self._log(f"{len(views.Zs)} view(s) embedded to {[Z.shape[1] for Z in views.Zs]} dims on {device} "
                      f"in {time.perf_counter() - t0:.1f}s")
            if self.drop_weak_views:
                support = view_support_check(self.objective, views.distinct, known, resolved, seed)
                views.weak = np.zeros(len(views.Zs), dtype=bool)
                if support is not None:
                    views.weak[views.distinct_mask] = weak_views(support)
                    self._log(f"views' support of a {CHECK_RUNS}-run pass: {np.round(support, 3).tolist()} "
                              f"({time.perf_counter() - t0:.1f}s)")
            balance, fitted, runs_note = resolved.settings.balance, None, ""
            if auto_balance(params, objective):
                runs, resolved, balance, fitted = _pick_balance(self.objective, views.used, known, resolved, gen,
                                                                verbose=self.verbose, log=self._log)
                runs_note = _auto_runs_note(resolved.settings.n_runs, views.used[0].shape[0], balance)
            else:
                runs = _fit_runs(self.objective, views.used, known, resolved, gen, verbose=self.verbose,
                                 log=self._log)
            torch.set_num_threads(runs.threads)
            if fitted is None:
                fitted = fit_consensus(views.used, runs, resolved.final, known, gen)
            consensus, labels, P, counts, contradicted = fitted
            self._set_fitted(objective, resolved, views, runs, consensus, labels, P, counts, contradicted)
            self.balance_ = balance
        warn_fit(self.labels_, self.run_labels_, self.voters_, self._n_clusters, contradicted, self.view_groups_,
                 views.weak, self.view_scores_)
        self._log(f"fitted {resolved.settings.n_runs} runs ({runs.n_iter} iterations){runs_note} in "
                  f"{time.perf_counter() - t0:.1f}s; best run {self.best_run_}, "
                  f"final objective {self.run_losses_[self.best_run_]:.4f}")
        if views.data is not None:
            self._label_every_row(views.data, known_all)
        return self

    def _validate_training_matrix(self, X):
        return validate_data(self, X, reset=True, dtype=[np.float32, np.float64], ensure_min_samples=2)

    def _set_fitted(self, objective, resolved, views, runs, consensus, labels, P, counts, contradicted):
        """Every fitted attribute, in one place."""
        settings, K, Zs = resolved.settings, resolved.final.n_clusters, views.used
        if views.known is not None:
            labels[views.known[0]] = views.known[1]
        self._objective, self._settings, self._n_clusters = self.objective, settings, K
        self._device, self._view_params = resolved.runtime.device, views.view_params
        self._model = [p.detach().cpu().numpy() for p in runs.params]
        self.view_sizes_, self.view_groups_, self.n_fit_rows_ = views.sizes, views.groups, int(Zs[0].shape[0])
        self.views_used_ = views.mask
        self.heads_ = objective.public_heads(runs.params, [Z.shape[1] for Z in Zs])
        self.temperature_, self.propagation_ = settings.final_temperature, consensus.propagation
        self.cluster_prior_, self.n_iter_ = settings.cluster_prior, runs.n_iter
        self.run_losses_, self.run_scores_ = runs.losses.cpu().numpy(), runs.scores.cpu().numpy()
        self.run_labels_ = runs.labels.T.cpu().numpy()
        self.best_run_ = int(np.argmax(self.run_scores_))
        self.run_permutations_, self.voters_ = consensus.permutations, consensus.voters
        self.labels_, self.confidence_ = labels, consensus.confidence(labels, P, counts)
        self.known_labels_contradicted_ = None if contradicted is None else views.known_all[0][contradicted]
        self.view_scores_, self.view_weights_, self._cluster_view_support = view_scores_and_weights(
            views.Zs, labels, K, settings.alpha, self.view_groups_)
        self.cluster_stability_ = cluster_stability(labels, self.run_labels_, consensus.permutations, K)
        self.cluster_shares_ = np.bincount(labels, minlength=K) / len(labels)
        # What predict's contamination is a share of.
        self._graph_norms, self._graph_residual = graph_reference(Zs, views.used_residual, consensus.graph_index)
        # Which fit rows were the graph rows is read only above: the fitted state does not keep it.
        self._consensus = replace(consensus, graph_index=None)
        graph_labels = None if consensus.graph_index is None else labels[consensus.graph_index]
        self._score_scales, self._training_scores = training_scores(
            P, consensus.graph_views, self._graph_norms, self._graph_residual, graph_labels, K)

    def _label_every_row(self, data, known):
        """``labels_``, ``confidence_`` and ``run_labels_`` of every row of
        out-of-core data, block by block: lazy dask arrays for dask input.
        Rows with a known label keep it."""
        packed = data.map_rows(self._for_workers()._row_outputs, 2 + self._settings.n_runs, np.float64)
        self.labels_ = packed[:, 0].astype(np.int64)
        if known is not None:
            given = np.full(data.n_rows, -1, dtype=np.int64)
            given[known[0]] = known[1]
            if data.dask:
                import dask.array as da

                given = da.from_array(given, chunks=self.labels_.chunks)
                self.labels_ = da.where(given >= 0, given, self.labels_)
            else:
                self.labels_ = np.where(given >= 0, given, self.labels_)
        self.confidence_ = packed[:, 1]
        self.run_labels_ = packed[:, 2:].T.astype(np.int64)

    def _for_workers(self):
        """A copy without the per-row fitted attributes: what a dask task pickles."""
        light = object.__new__(type(self))  # not copy.copy: __getstate__ would compute them
        light.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _PER_ROW})
        return light

    def __getstate__(self):
        # A dask fit's per-row attributes are lazy arrays whose graph holds the
        # input: a saved or pickled model stores their values instead.
        state = dict(super().__getstate__())  # a copy: the model itself stays lazy
        for name in _PER_ROW:
            if holds_dask(state.get(name)):
                state[name] = state[name].compute()
        return state

    def _row_outputs(self, block):
        """Label, confidence and each run's label of a block of rows (one matrix), as float64 columns."""
        Zs = self._embed_new(block, None)
        with torch.no_grad():
            soft = self._run_probabilities(Zs)
            labels, P, counts = self._consensus.apply(Zs, soft)
        return np.column_stack([labels, self._consensus.confidence(labels, P, counts),
                                soft.argmax(-1).cpu().numpy()]).astype(np.float64)

    def reliable_samples(self, n_per_cluster=None, *, fraction=None, per_cluster=True):
        """Indices of the most reliably labelled training samples.

        For example to seed semi-supervised learning with pseudo-labels.

        - ``per_cluster=True`` (default): the most confident samples of every
          cluster, ranked by ``confidence_`` (the share of voting runs that
          agree with the label times their mean probability of it). Every
          cluster is represented, including clusters that mix classes.
        - ``per_cluster=False``: the most reliable samples overall, ranked by
          ``confidence_`` times the ``cluster_stability_`` of their cluster, so
          confident members of clusters that the runs do not reproduce come
          last. Purer, but the selection may cover few clusters (measured
          figures for both: the benchmarks page).

        Parameters
        ----------
        n_per_cluster : int, default=None
            ``per_cluster=True`` only: take this many from each cluster (all of
            a smaller cluster).
        fraction : float in (0, 1], default=None
            Or take this fraction of each cluster (``per_cluster=True``, at
            least one per cluster) or of all samples (``per_cluster=False``).
            Without either, 10 %.
        per_cluster : bool, default=True
            See above.

        Returns
        -------
        indices : ndarray of int
            Per cluster: sorted by cluster, then by decreasing confidence.
            Overall: by decreasing reliability.
        """
        check_is_fitted(self)
        if n_per_cluster is not None and fraction is not None:
            raise ValueError("Give n_per_cluster or fraction, not both.")
        if n_per_cluster is not None and not per_cluster:
            raise ValueError("n_per_cluster needs per_cluster=True; give fraction with per_cluster=False.")
        if n_per_cluster is not None and (not isinstance(n_per_cluster, Integral) or n_per_cluster < 1):
            raise ValueError(f"n_per_cluster must be a positive integer, got {n_per_cluster!r}.")
        if fraction is None and n_per_cluster is None:
            fraction = 0.1
        if fraction is not None and not (isinstance(fraction, Real) and 0 < fraction <= 1):
            raise ValueError(f"fraction must be in (0, 1], got {fraction!r}.")
        # After a dask fit these are lazy: one number per row, small enough to compute here.
        labels, confidence = np.asarray(self.labels_), np.asarray(self.confidence_)
        if not per_cluster:
            reliability = confidence * self.cluster_stability_[labels]
            n = max(1, int(round(fraction * len(labels))))
            return np.argsort(-reliability, kind="stable")[:n]
        out = []
        for members in members_by_confidence(labels, confidence, self._n_clusters):
            if members.size == 0:
                continue
            n = n_per_cluster if n_per_cluster is not None else max(1, int(round(fraction * members.size)))
            out.append(members[:n])
        return np.concatenate(out) if out else np.empty(0, dtype=np.intp)

    def cluster_summary(self):
        """One row per cluster, ready for ``pandas.DataFrame``: how large,
        how sure and how reproducible each cluster is, and how well each view
        supports it.

        Returns
        -------
        summary : dict of ndarray
            ``cluster`` (its number), ``size`` (training rows in it),
            ``share`` (of all training rows), ``mean_confidence`` (mean
            ``confidence_`` of its rows; NaN when empty), ``stability``
            (``cluster_stability_``), and per view ``support_view<v>`` (v from
            1): the share of the cluster's fit rows that a ridge classifier on
            that view alone, refitted without each row, puts back in the
            cluster (NaN when empty). A low support in every view marks a
            cluster the views do not learn; low in one view, a class that this
            view does not separate.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_hume import HumeClustering
        >>> rng = np.random.RandomState(0)
        >>> y = np.repeat([0, 1], 30)
        >>> X1 = np.array([[-4.0, 0, 0], [4.0, 0, 0]])[y] + rng.normal(size=(60, 3))
        >>> X2 = np.array([[0, 4.0, 0, 0], [0, -4.0, 0, 0]])[y] + rng.normal(size=(60, 4))
        >>> est = HumeClustering(n_clusters=2, n_runs=2, random_state=0).fit(X1, X2)
        >>> s = est.cluster_summary()
        >>> s["size"].tolist(), s["support_view1"].round(2).tolist()
        ([30, 30], [1.0, 1.0])
        """
        check_is_fitted(self)
        labels, confidence = np.asarray(self.labels_), np.asarray(self.confidence_)
        K = self._n_clusters
        size = np.bincount(labels, minlength=K)
        total = np.bincount(labels, weights=confidence, minlength=K)
        mean_confidence = np.where(size > 0, total / np.maximum(size, 1), np.nan)
        summary = dict(cluster=np.arange(K), size=size, share=size / max(len(labels), 1),
                       mean_confidence=mean_confidence, stability=np.asarray(self.cluster_stability_))
        for v in range(self._cluster_view_support.shape[1]):
            summary[f"support_view{v + 1}"] = self._cluster_view_support[:, v]
        return summary

    def representatives(self, n=5):
        """Training rows to look at, per cluster: the ``n`` most central
        (the most confident: every voting run agrees and is sure) and the
        ``n`` most doubtful (the least confident members).

        Parameters
        ----------
        n : int, default=5
            Rows of each kind per cluster (all of a smaller cluster).

        Returns
        -------
        representatives : dict
            ``"central"`` and ``"doubtful"``: lists of ``n_clusters`` index
            arrays (cluster ``k`` at position ``k``; empty for an empty
            cluster), each ordered from the most to the least typical of its
            kind (``doubtful`` starts with the least confident row).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_hume import HumeClustering
        >>> rng = np.random.RandomState(0)
        >>> y = np.repeat([0, 1], 30)
        >>> X1 = np.array([[-4.0, 0, 0], [4.0, 0, 0]])[y] + rng.normal(size=(60, 3))
        >>> X2 = np.array([[0, 4.0, 0, 0], [0, -4.0, 0, 0]])[y] + rng.normal(size=(60, 4))
        >>> est = HumeClustering(n_clusters=2, n_runs=2, random_state=0).fit(X1, X2)
        >>> reps = est.representatives(n=3)
        >>> [len(r) for r in reps["central"]]
        [3, 3]
        >>> c = est.confidence_
        >>> bool(c[reps["central"][0]].min() >= c[reps["doubtful"][0]].max())
        True
        """
        check_is_fitted(self)
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        labels, confidence = np.asarray(self.labels_), np.asarray(self.confidence_)
        ranked = members_by_confidence(labels, confidence, self._n_clusters)
        return {"central": [order[:n] for order in ranked], "doubtful": [order[::-1][:n] for order in ranked]}

    # ------------------------------------------------------------------ fitted state
    def _predict_device(self):
        # A model fitted on a GPU must still predict where there is none.
        device = torch.device(self._device)
        if device.type == "cuda" and not torch.cuda.is_available():
            return torch.device("cpu")
        return device

    def _fitted_model(self, device):
        return [torch.as_tensor(a, device=device) for a in self._model]

    def _embed_new(self, X, X2, y_allowed=False, residual=False):
        """Validate new rows like ``fit`` does; return their embedded views
        (float32 tensors), and with ``residual`` also their squared distances
        from the used views' subspaces, summed (``(N,)``)."""
        check_is_fitted(self)
        if holds_dask(X) or holds_dask(X2):
            raise TypeError("score and probe_score take in-memory rows: pass a sample, e.g. X[:100_000].compute(); "
                            "predict and transform take dask arrays.")
        views, explicit = collect_views(X, X2, y_allowed=y_allowed)
        X, widths = stack_views(views)
        check_view_count(widths, explicit, self.view_sizes_, type(self).__name__)
        if explicit and list(widths) != self.view_sizes_.tolist():
            wrong = [i + 1 for i, (a, b) in enumerate(zip(widths, self.view_sizes_)) if a != b]
            raise ValueError(
                f"The views passed have {list(widths)} columns but the model was fitted on views of "
                f"{self.view_sizes_.tolist()} columns (view {wrong[0]} has {widths[wrong[0] - 1]}, not "
                f"{self.view_sizes_[wrong[0] - 1]}): are they in the wrong order, or is one cut?")
        X = validate_views(lambda A: validate_data(self, A, reset=False, dtype=[np.float32, np.float64]), X,
                           self.view_sizes_)
        device = self._predict_device()
        with torch.no_grad():
            parts = [embed_view(as_tensor(block, device), params_as_tensors(p, device), residual)
                     for block, p in zip(split_columns(X, self.view_sizes_), self._view_params)]
        # The views the fit left out (near-duplicates, weak views) are left out here too.
        if not residual:
            return used_views([core_input(Z) for Z in parts], self.views_used_)
        used = used_views(parts, self.views_used_)
        return [core_input(Z) for Z, _ in used], sum(core_input(r2) for _, r2 in used)

    def _run_probabilities(self, Zs):
        """Soft labels of every run, ``(N, R, K)``, in each run's own numbering."""
        objective = OBJECTIVES[self._objective]
        return objective.probabilities(Zs, self._fitted_model(Zs[0].device), self.temperature_)

    def _predict_all(self, X, X2, y_allowed=False, residual=False):
        """Labels, soft labels, embedded views and, with ``residual`` (what
        the score needs), the squared distances from the views' subspaces
        (:meth:`_embed_new`; else ``None``) of new rows."""
        embedded = self._embed_new(X, X2, y_allowed, residual)
        Zs, residual = embedded if residual else (embedded, None)
        with torch.no_grad():
            labels, soft, _ = self._consensus.apply(Zs, self._run_probabilities(Zs))
        return labels, soft.astype(np.float32, copy=False), Zs, residual

    def _row_scores(self, labels, P, Zs, residual):
        if self._score_scales is not None and np.ndim(self._score_scales) != 2:
            # Saved before the score read its distance in two parts: one scale per cluster.
            raise ValueError("This model was fitted by an earlier sklearn-hume, whose score_samples kept one "
                             "scale per cluster; this version reads two. Refit it to use score_samples or "
                             "predict's contamination / threshold.")
        return row_scores(labels, P, Zs, residual, self._consensus.graph_views, self._graph_norms,
                          self._score_scales)

    def predict(self, X, X2=None, *, contamination=None, threshold=None):
        """Label new samples as ``fit`` labelled its own: the majority vote of
        the aligned voting runs, then, when they ran, the fitted per-view
        ridge refit and the propagation over the training rows' neighbours
        (the argmax of :meth:`transform`; on the training rows, ``labels_``).

        Opt-in, rows that the labeling does not explain (samples of a class
        nobody named) get ``-1``: those whose :meth:`score_samples` is below
        ``threshold``, or below the score of the ``contamination`` share of
        the training rows that score lowest. Off by default, and the other
        rows keep their labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of array-likes
            The views as in :meth:`fit`.
        X2 : array-like of shape (n_samples, n_features_2), default=None
            The second view, when ``X`` holds only the first.
        contamination : float in (0, 0.5], default=None
            The share of the training rows that would be labelled ``-1``
            (as ``IsolationForest`` reads it); the cut is their score at that
            quantile, read on at most 10,000 of them (the propagation's graph
            rows, a random sample beyond that).
        threshold : float, default=None
            Or the cut itself, a :meth:`score_samples` value.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            A lazy dask array, row-chunked like ``X``, when ``X`` is a dask array.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_hume import HumeClustering
        >>> rng = np.random.RandomState(0)
        >>> y = np.repeat([0, 1], 30)
        >>> X1 = np.array([[-4.0, 0, 0], [4.0, 0, 0]])[y] + rng.normal(size=(60, 3))
        >>> X2 = np.array([[0, 4.0, 0, 0], [0, -4.0, 0, 0]])[y] + rng.normal(size=(60, 4))
        >>> est = HumeClustering(n_clusters=2, n_runs=2, random_state=0).fit(X1, X2)
        >>> new1, new2 = np.vstack([X1[[10, 40]], X1[:1] + 30]), np.vstack([X2[[10, 40]], X2[:1] + 30])
        >>> est.predict(new1, new2).tolist()
        [0, 1, 1]
        >>> est.predict(new1, new2, contamination=0.05).tolist()   # the far row is "none of the above"
        [0, 1, -1]
        """
        check_is_fitted(self)
        cut = rejection_threshold(self._training_scores, contamination, threshold)
        if holds_dask(X):
            return map_rows(partial(self._for_workers().predict, threshold=cut),
                            as_one_dask_matrix(X, X2, self.view_sizes_), None, np.int64)
        if cut is None:
            return self._predict_all(X, X2)[0]
        labels, P, Zs, residual = self._predict_all(X, X2, residual=True)
        return reject(labels, self._row_scores(labels, P, Zs, residual), cut)

    def transform(self, X, X2=None):
        """Soft cluster assignments (float32) whose argmax is :meth:`predict`:
        the mean of the aligned voting runs' label distributions, after the
        fitted ridge refit and propagation when they ran.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of array-likes
            The views as in :meth:`fit`.
        X2 : array-like of shape (n_samples, n_features_2), default=None
            The second view, when ``X`` holds only the first.

        Returns
        -------
        P : ndarray of shape (n_samples, n_clusters)
            Non-negative, rows sum to one. A lazy dask array, row-chunked like
            ``X``, when ``X`` is a dask array.
        """
        if holds_dask(X):
            check_is_fitted(self)
            M = as_one_dask_matrix(X, X2, self.view_sizes_)
            return map_rows(self._for_workers().transform, M, self._n_clusters, np.float32)
        return self._predict_all(X, X2)[1]

    def score_samples(self, X, X2=None):
        """How well the fitted labeling explains each row: higher is more
        normal (scikit-learn's convention), for new rows and training rows.

        Minus the row's squared distance to the training rows, in each used
        view's preprocessed space (centred, rows scaled to unit norm), summed
        over the views, in two parts: the mean squared distance to its 10
        nearest training rows along the principal axes fitted on the
        training rows (the embedding the runs see), and its own squared
        distance from those axes, where rows of a class the fit never saw
        can lie. Each part is divided by the square root of its median over
        the training rows of the row's cluster (:meth:`predict`), so that a
        cluster whose members lie far apart does not flag its own rows. A
        training row is not its own neighbour, so training rows score as new
        ones do. At most 0.

        The training rows' embedded views are kept for the propagation
        (fitted state, at most 10,000 rows), which is what the score reads;
        without the propagation (``propagation=0``, more than 100,000 rows,
        ``objective="hume"``) the score is the row's largest soft assignment
        (:meth:`transform`) instead. Measured figures: the user guide.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of array-likes
            The views as in :meth:`fit`.
        X2 : array-like of shape (n_samples, n_features_2), default=None
            The second view, when ``X`` holds only the first.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            float64.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_hume import HumeClustering
        >>> rng = np.random.RandomState(0)
        >>> y = np.repeat([0, 1], 30)
        >>> X1 = np.array([[-4.0, 0, 0], [4.0, 0, 0]])[y] + rng.normal(size=(60, 3))
        >>> X2 = np.array([[0, 4.0, 0, 0], [0, -4.0, 0, 0]])[y] + rng.normal(size=(60, 4))
        >>> est = HumeClustering(n_clusters=2, n_runs=2, random_state=0).fit(X1, X2)
        >>> far = est.score_samples(X1 + 30, X2 + 30)   # rows far from every training row
        >>> bool(far.max() < est.score_samples(X1, X2).min())
        True
        """
        labels, P, Zs, residual = self._predict_all(X, X2, residual=True)
        return self._row_scores(labels, P, Zs, residual)

    def fit_predict(self, X, y=None, *, known_labels=None):
        """Fit and return ``labels_``; arguments as in :meth:`fit`."""
        return self.fit(X, y, known_labels=known_labels).labels_

    def fit_transform(self, X, y=None, *, known_labels=None):
        """Fit and return the soft assignments of the training samples;
        arguments as in :meth:`fit`."""
        self.fit(X, y, known_labels=known_labels)
        views, _ = collect_views(X, y, y_allowed=True)
        return self.transform(views if len(views) > 1 else views[0])

    def score(self, X, y=None):
        """Label-free score of the fitted model on the given samples; higher is better.

        HUME's premise is that the human labeling is what a linear model
        produces in *every* strong representation space. The score asks that
        of the given samples: each view's task head labels them on its own,
        and the score is the adjusted Rand index between the views'
        labelings, averaged over pairs of views and over the voting runs:
        1 when every view alone labels the samples alike, about 0 when they
        agree no more than chance. It is comparable across hyperparameters,
        so ``GridSearchCV`` can select settings without labels.

        With one view, or ``objective="hume"`` (a single task head), it is the
        probe score instead (see :meth:`probe_score`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of array-likes
            The views as in :meth:`fit`.
        y : array-like of shape (n_samples, n_features_2) or (n_samples,), default=None
            A 2-D array is the second view; a 1-D ``y`` is ignored.

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        objective = OBJECTIVES[self._objective]
        Zs = self._embed_new(X, y, y_allowed=True)
        with torch.no_grad():
            alone = objective.view_labels(Zs, self._fitted_model(Zs[0].device))
            if alone is None or len(alone) < 2:
                labels, _, _ = self._consensus.vote(self._run_probabilities(Zs))
                return self._probe(Zs, labels)
        return views_agreement([a.cpu().numpy() for a in alone], self.voters_)

    def probe_score(self, X, y=None):
        """Probe score of the predicted labels: linear learnability on each view.

        On each view (only the inner view for ``objective="hume"``, the
        paper's choice) a ridge classifier is fitted to the labels
        :meth:`predict` gives and its *exact* leave-one-out predictions are
        compared with them. The score is Cohen's kappa of that agreement,
        averaged over the views: 1 when every sample's label is predicted from
        the others, 0 for chance (a collapsed labeling scores 0).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or list of array-likes
            The views as in :meth:`fit`.
        y : array-like of shape (n_samples, n_features_2) or (n_samples,), default=None
            A 2-D array is the second view; a 1-D ``y`` is ignored.

        Returns
        -------
        score : float
        """
        labels, _, Zs, _ = self._predict_all(X, y, y_allowed=True)
        return self._probe(Zs, labels)

    def _probe(self, Zs, labels):
        objective = OBJECTIVES[self._objective]
        with torch.no_grad():
            labels = torch.as_tensor(labels, device=Zs[0].device)[:, None]
            return float(probe_kappa(objective.probe_views(Zs), labels, self._n_clusters, self._settings.alpha)[0])

    @property
    def _n_features_out(self):
        return getattr(self, "_n_clusters", self.n_clusters)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        # The optimisation runs in float32 and transform returns float32.
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
