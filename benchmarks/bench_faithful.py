"""objective="hume" against the public training loop, side by side on mfeat.

The public loop is re-created here with the modules the authors' ``hume.py``
uses (``parametrizations.orthogonal(nn.Linear)`` task encoder, a fresh
``nn.Linear`` inner classifier per subset adapted by unrolled SGD as
learn2learn's MAML does, Adam, ``clip_grad_norm_``, ``MultiStepLR`` with the
temperature annealed alongside), seeded with ``torch.manual_seed`` and
``np.random.seed`` as their ``fix_seed`` does. Both see the same embedded
views (the package's preprocessing: centred, row-normalised, PCA-128), view 1
= Fourier coefficients (task encoder), view 2 = pixel averages (inner).

    python benchmarks/bench_faithful.py                  # 5 seeds, reduced budget
    python benchmarks/bench_faithful.py --n-iter 1000 --n-subsets 20 --subset-size 10000 --inner-steps 300 \\
        --inner-lr 0.001                                 # the public budget (GPU)

Prints ACC per seed for both, their mean and spread, and seconds per outer
iteration.
"""

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from sklearn_hume import HumeClustering, cluster_accuracy
from sklearn_hume.datasets import load_mfeat


def sparsemax(z):
    """The public code's Sparsemax activation over the last axis (Martins &
    Astudillo, 2016), kept beside the loop it belongs to."""
    zs, _ = torch.sort(z, dim=-1, descending=True)
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cssv = zs.cumsum(-1) - 1
    k_z = (k * zs > cssv).sum(-1, keepdim=True)
    return torch.clamp(z - cssv.gather(-1, k_z - 1) / k_z, min=0)


def public_loop(phi1, phi2, K, seed, a):
    """The public training loop for one seed; returns argmax labels."""
    torch.manual_seed(seed)
    np.random.seed(seed)
    n, d1 = phi1.shape
    inner = nn.Linear(phi2.shape[1], K)
    encoder = nn.utils.parametrizations.orthogonal(nn.Linear(d1, K, bias=False))
    opt = torch.optim.Adam(list(encoder.parameters()), lr=a.outer_lr)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[100, 200], gamma=0.1)
    old_lr, tau = a.outer_lr, 0.1
    m = min(n, a.subset_size)
    for _ in range(a.n_iter):
        opt.zero_grad()
        for _ in range(a.n_subsets):
            subset = np.random.choice(n, size=m, replace=False)
            tr, te = subset[:int(m * 0.9)], subset[int(m * 0.9):]
            lab_tr = sparsemax(encoder(phi1[tr]) / tau)
            lab_te = sparsemax(encoder(phi1[te]) / tau)
            inner.reset_parameters()
            W, b = inner.weight.clone(), inner.bias.clone()
            for _ in range(a.inner_steps):
                err = F.cross_entropy(F.linear(phi2[tr], W, b), lab_tr)
                gW, gb = torch.autograd.grad(err, (W, b), create_graph=True)
                W, b = W - a.inner_lr * gW, b - a.inner_lr * gb
            entr = torch.special.entr(torch.cat([lab_tr, lab_te]).mean(0)).sum()
            (F.cross_entropy(F.linear(phi2[te], W, b), lab_te) - 10.0 * entr).backward()
        for p in encoder.parameters():
            p.grad.mul_(1.0 / a.n_subsets)
        nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
        opt.step()
        sched.step()
        if sched.get_last_lr()[0] != old_lr:
            old_lr, tau = sched.get_last_lr()[0], tau / 10
    with torch.no_grad():
        return encoder(phi1).argmax(1).numpy()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--n-iter", type=int, default=200)
    ap.add_argument("--n-subsets", type=int, default=2)
    ap.add_argument("--subset-size", type=int, default=2000)
    ap.add_argument("--inner-steps", type=int, default=30)
    ap.add_argument("--inner-lr", type=float, default=0.5)
    ap.add_argument("--outer-lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=1, help="torch threads for both (1 is fastest here)")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    d = load_mfeat()
    X1, X2, y = d.views["fou"], d.views["pix"], d.target
    K = 10
    kw = dict(n_clusters=K, objective="hume", n_iter=a.n_iter, n_subsets=a.n_subsets, subset_size=a.subset_size,
              inner_steps=a.inner_steps, inner_lr=a.inner_lr, learning_rate=a.outer_lr, n_threads=a.threads)
    # The package's embedding of the views, for the public loop too.
    Zs = HumeClustering(**{**kw, "n_iter": 0, "n_runs": 1}, random_state=0).fit(X1, X2)._embed_new(X1, X2)
    pub, pkg, t_pub, t_pkg = [], [], 0.0, 0.0
    for seed in range(a.seeds):
        t = time.perf_counter()
        pub.append(cluster_accuracy(y, public_loop(Zs[0], Zs[1], K, seed, a)))
        t_pub += time.perf_counter() - t
        t = time.perf_counter()
        est = HumeClustering(n_runs=1, random_state=seed, **kw).fit(X1, X2)
        t_pkg += time.perf_counter() - t
        pkg.append(cluster_accuracy(y, est.labels_))
        print(f"seed {seed}: public loop ACC {pub[-1]:.3f}, objective='hume' ACC {pkg[-1]:.3f}", flush=True)
    per_it = lambda t: t / (a.seeds * a.n_iter)
    print(f"\nmfeat, {a.n_iter} outer iterations x {a.n_subsets} subsets of {a.subset_size} rows x "
          f"{a.inner_steps} inner SGD steps (inner lr {a.inner_lr}, outer lr {a.outer_lr}), {a.seeds} seeds, "
          f"{a.threads} thread(s)\n")
    print("| code | ACC per seed | mean | std | s per outer iteration |\n|---|---|---|---|---|")
    for name, accs, t in [("public loop (re-created)", pub, t_pub), ('objective="hume"', pkg, t_pkg)]:
        print(f"| {name} | {', '.join(f'{x:.3f}' for x in accs)} | {np.mean(accs):.3f} | {np.std(accs):.3f} "
              f"| {per_it(t):.3f} |")


if __name__ == "__main__":
    main()
