"""Figures for the related results: SGD threshold vs batch size, sharpness vs depth."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._style import save_figure

__all__ = ["FIGURES", "CAPTIONS", "CLAIMS", "sgd_threshold_vs_batch", "sharpness_vs_depth"]


def _save(fig, outdir: Path, name: str) -> list:
    return save_figure(fig, outdir, name)


def sgd_threshold_vs_batch(outdir: Path, seed: int = 0) -> list:
    """alpha*(B) (Thm 3) with Prop 3's bounds and the GD threshold, n = 40 rank-one H_i in d = 10."""
    import matplotlib.pyplot as plt

    from numeric.stability import closed_form

    rng = np.random.default_rng(seed)
    n, d = 40, 10
    X = rng.standard_normal((n, d)) * np.linspace(1.5, 0.3, d)
    Bs = np.arange(1, n + 1)
    thr = [closed_form.threshold(X, int(B)).threshold for B in Bs]
    nb = [closed_form.necessary_bounds(X, int(B)) for B in Bs]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(Bs, thr, "o-", ms=3, label=r"$\alpha^*(B) = 2/\lambda_{\max}(C^+D)$")
    ax.plot(Bs, [b["top_eigenvector"] for b in nb], "--", label="Prop 3, top eigenvector")
    ax.plot(Bs, [b["trace"] for b in nb], ":", label="Prop 3, trace")
    ax.axhline(nb[0]["gd"], color="k", lw=0.8, label=r"GD: $2/\lambda_{\max}(H)$")
    ax.set_xlabel("batch size $B$ (of $n = 40$ samples)")
    ax.set_ylabel("step-size threshold $\\alpha$")
    ax.set_title("SGD's mean-square stability threshold against the batch size", fontsize=10)
    ax.legend(fontsize=8)
    return _save(fig, outdir, "sgd-threshold-vs-batch")


def sharpness_vs_depth(outdir: Path, seed: int = 0) -> list:
    """Minimal sharpness of minimizers (diagonal whitened: 2 L max|w*|^{2-2/L}) vs depth, with the
    sharpness of L_R at S-SAM's stable critical points for several eta."""
    import matplotlib.pyplot as plt

    from numeric import critical_points
    from numeric.sharpness import diagonal_network

    wstar = np.array([1.0, 0.5])
    Ls = [2, 3, 4, 5]
    fig, ax = plt.subplots(figsize=(6, 4))
    minimal = [diagonal_network.diagonal_minimal_sharpness(wstar, L) for L in Ls]
    ax.plot(Ls, minimal, "ko-", label="minimal sharpness over the minimizers of $L$")
    for eta in (0.1, 0.2, 0.3):
        ys = []
        for L in Ls:
            pts = [q for q in critical_points.critical_points(L, eta, wstar)
                   if q.kind == "minimum" and np.all(q.lambdas > 0)]
            ys.append(diagonal_network.diagonal_sharpness(pts[0].weights, wstar, eta=eta) if pts else np.nan)
        ax.plot(Ls, ys, "s--", label=rf"$L_R$ at S-SAM's stable minimum, $\eta = {eta}$")
    ax.set_xlabel("depth $L$")
    ax.set_xticks(Ls)
    ax.set_ylabel("sharpness (top Hessian eigenvalue)")
    ax.set_title(r"Sharpness against the depth, $w^* = (1, 0.5)$", fontsize=10)
    ax.legend(fontsize=8)
    return _save(fig, outdir, "sharpness-vs-depth")


FIGURES = {"sgd-threshold-vs-batch": sgd_threshold_vs_batch, "sharpness-vs-depth": sharpness_vs_depth}
CAPTIONS = {
    "sgd-threshold-vs-batch": "Mulayoff & Michaeli's exact mean-square stability threshold $\\alpha^*(B)$ of SGD "
                              "for $n = 40$ rank-one per-sample Hessians in $d = 10$, against the batch size, with "
                              "the two necessary conditions of their Proposition 3 and GD's threshold "
                              "$2/\\lambda_{\\max}(H)$, which it reaches at $B = n$.",
    "sharpness-vs-depth": "The minimal sharpness over the minimizers of $L$ (diagonal network, whitened data, "
                          "$2L\\max_h |w^*_h|^{2-2/L}$) against the depth, and the sharpness of $L_R$ at S-SAM's "
                          "stable critical points for three noise levels: always below, decreasing in $\\eta$.",
}
CLAIMS = {"sgd-threshold-vs-batch": ["sgd-stability"], "sharpness-vs-depth": ["sharpness-minimizers", "ssam-sharpness"]}
