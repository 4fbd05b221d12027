"""Figures for the related results: SGD threshold vs batch size, sharpness vs depth."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def _save(fig, outdir: Path, name: str) -> list:
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [outdir / f"{name}.png", outdir / f"{name}.svg"]
    fig.savefig(paths[0], dpi=130, bbox_inches="tight")
    fig.savefig(paths[1], bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return paths


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
    ax.set_xlabel("batch size B (n = 40)")
    ax.set_ylabel("step-size threshold")
    ax.set_title("SGD mean-square stability threshold vs batch size")
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
    ax.plot(Ls, minimal, "ko-", label="min over minimizers of L")
    for eta in (0.1, 0.2, 0.3):
        ys = []
        for L in Ls:
            pts = [q for q in critical_points.critical_points(L, eta, wstar)
                   if q.kind == "minimum" and np.all(q.lambdas > 0)]
            ys.append(diagonal_network.diagonal_sharpness(pts[0].weights, wstar, eta=eta) if pts else np.nan)
        ax.plot(Ls, ys, "s--", label=rf"$L_R$ at S-SAM minimum, $\eta$={eta}")
    ax.set_xlabel("depth L")
    ax.set_ylabel("sharpness (top Hessian eigenvalue)")
    ax.set_title(r"Sharpness vs depth, $w^* = (1, 0.5)$")
    ax.legend(fontsize=8)
    return _save(fig, outdir, "sharpness-vs-depth")


FIGURES = {"sgd-threshold-vs-batch": sgd_threshold_vs_batch, "sharpness-vs-depth": sharpness_vs_depth}
