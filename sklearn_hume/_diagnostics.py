"""What a fit reports about its labeling, from the labels alone: how much
each view supports it, and the warnings when the runs disagree, clusters are
lost, known labels are contradicted or a view duplicates another."""

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from ._aggregate import vote_agreement
from ._prepare import REDUNDANT_SHARE
from ._ridge import view_support
from ._warnings import warn_user


def view_scores_and_weights(Zs, labels, n_clusters, alpha, groups=None):
    """Each view's chance-corrected leave-one-out support of ``labels``, the
    scores clipped at 0 and normalised to sum to one (equal weights when no
    view supports them), and per cluster and view the share of the cluster's
    rows that the view's leave-one-out prediction keeps in it,
    ``(n_clusters, n_views)``. Views of one group (``groups[v]``: the view
    they duplicate) share the group's one weight."""
    with torch.no_grad():
        scores, per_cluster = view_support(Zs, torch.as_tensor(labels, device=Zs[0].device), n_clusters, alpha,
                                           per_cluster=True)
    scores = scores.cpu().numpy().astype(np.float64)
    per_cluster = per_cluster.cpu().numpy().astype(np.float64)
    groups = np.arange(len(Zs)) if groups is None else np.asarray(groups)
    size = np.bincount(groups, minlength=len(Zs))[groups]
    support = np.clip(scores, 0, None) / size
    weights = support / support.sum() if support.sum() > 0 else 1.0 / size / (groups == np.arange(len(Zs))).sum()
    return scores, weights, per_cluster


def warn_fit(labels, run_labels, voters, n_clusters, contradicted, view_groups=None, weak=None, view_scores=None):
    """The fit's warnings, pointing at the user's call."""
    if weak is not None and weak.any():
        best, left_out = int(np.argmax(view_scores)), np.flatnonzero(weak)
        which = "View" + ("s " if len(left_out) > 1 else " ") + ", ".join(str(v + 1) for v in left_out)
        scores = ", ".join(f"{view_scores[v]:.2f}" for v in left_out)
        warn_user(f"{which} support{'s' if len(left_out) == 1 else ''} the labeling far less than view {best + 1} "
                  f"(view_scores_ {scores} against {view_scores[best]:.2f}): a linear model cannot learn the "
                  f"classes there, so {'it is' if len(left_out) == 1 else 'they are'} left out of the fit "
                  "(views_used_; drop_weak_views=False keeps every view).", UserWarning)
    if view_groups is not None:
        for v, g in enumerate(view_groups):
            if g != v:
                warn_user(f"View {v + 1} nearly duplicates view {g + 1} (one spans at least "
                          f"{REDUNDANT_SHARE:.0%} of the other's directions linearly): "
                          "it is left out of the fit, so that one embedding does not get twice the say "
                          "(view_groups_).", UserWarning)
    if contradicted is not None and contradicted.any():
        warn_user(f"{int(contradicted.sum())} of {len(contradicted)} known labels are contradicted by the fit "
                  "(rows in known_labels_contradicted_): the views do not support them, or they are "
                  "wrong. They keep their known class in labels_.", UserWarning)
    if len(voters) > 1:
        agreement = vote_agreement(labels, run_labels, voters)
        if agreement < 0.5:
            warn_user(
                f"The voting runs disagree (mean adjusted Rand index with the vote {agreement:.2f}): the "
                "labeling is not reproducible. More iterations (n_iter), more runs or another n_clusters may "
                "help; select_n_clusters compares candidates.", UserWarning)
    found = len(np.unique(labels))
    if found < n_clusters:
        warn_user(f"Number of distinct clusters ({found}) found smaller than n_clusters ({n_clusters}): the data "
                  "or the views may support fewer classes.", ConvergenceWarning)
