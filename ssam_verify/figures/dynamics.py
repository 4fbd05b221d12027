"""Figures of Section 4: trajectories (Figure 3) and balancing decay (Theorems 4.1, 4.3)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from numeric.dynamics.deterministic import gradient_descent
from numeric.dynamics.flows import gradient_flow

from ._style import label_contours, save_figure

__all__ = ["FIGURES", "CAPTIONS", "CLAIMS", "figure_3", "balancing_decay"]


def figure_3(outdir: Path, seed: int = 0) -> list:
    """Figure 3: from one start, GD on L, GD on L_R and S-SAM over the contours of (w* - w2 w1)^2.

    Drawn from :func:`numeric.paper_figures.figure3_runs` with the panels
    :data:`numeric.paper_figures.FIGURE3_PANELS`, the computation the claim ``figure-3`` checks: ``w* = 3.14159``,
    ``L = 2``, ``d = 1``, start ``(0.25, 2.9)``, a constant and a harmonic step schedule.  One S-SAM path
    (the first seed) is drawn, with the end points of 200 S-SAM runs; the minimizers of ``L_R`` found by
    :func:`numeric.paper_figures.figure2_minimizers` are starred.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numeric.paper_figures import FIGURE3_PANELS, FIGURE3_START, FIGURE_WSTAR, figure2_minimizers, figure3_runs

    fig, axes = plt.subplots(1, len(FIGURE3_PANELS), figsize=(5 * len(FIGURE3_PANELS), 4.6))
    g = np.linspace(-0.5, 3.5, 300)
    A, B = np.meshgrid(g, g)
    Z = (FIGURE_WSTAR - A * B) ** 2
    for ax, panel in zip(np.atleast_1d(axes), FIGURE3_PANELS):
        contours = ax.contour(A, B, Z, levels=[0.1, 0.5, 1, 2, 4, 8, 16, 32], colors="0.55", linewidths=0.7)
        label_contours(ax, contours, fmt="%g")
        runs = figure3_runs(panel, seed=seed, seeds=200)
        ends = runs.ssam.weights[-1, :, :, 0]
        ax.plot(ends[:, 0], ends[:, 1], ".", color="#1f5fbf", ms=2, alpha=0.4, label="S-SAM end points (200 runs)")
        for trajectory, color, label, width in ((runs.gd_loss, "#d4a017", "GD on $L$", 1.2),
                                                (runs.gd_marginalized, "#2e8b57", "GD on $L_R$", 1.2),
                                                (runs.ssam, "#1f5fbf", "S-SAM (one run)", 0.6)):
            w = trajectory.weights[:, 0, :, 0]
            ax.plot(w[:, 0], w[:, 1], color=color, lw=width, alpha=1 if width > 1 else 0.8, label=label)
        minimizers = figure2_minimizers(panel.eta).minimizers
        ax.plot(minimizers[:, 0], minimizers[:, 1], "k*", ms=10, label="minimizers of $L_R$")
        ax.plot(FIGURE3_START[0], FIGURE3_START[1], "ko", ms=5, label="start")
        ax.set_xlim(-0.5, 3.5)
        ax.set_ylim(-0.5, 3.5)
        ax.set_aspect("equal")
        ax.set_xlabel("first-layer weight $w_1$")
        ax.set_ylabel("second-layer weight $w_2$")
        steps_text = ("constant step" if panel.schedule == "constant"
                      else f"{panel.schedule} steps $a\\,k_0/(k + k_0)$, $k_0 = {panel.decay_start}$")
        ax.set_title(f"$\\eta = {panel.eta:g}$, {steps_text}, $a = {panel.step:g}$, {panel.steps} steps", fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
    fig.suptitle(f"Figure 3: trajectories over the contours of $(w^* - w_2 w_1)^2$ (labelled), $w^* = {FIGURE_WSTAR}$ "
                 "(claim figure-3)")
    fig.tight_layout()
    return save_figure(fig, outdir, "figure-3")


def balancing_decay(outdir: Path, seed: int = 0) -> list:
    """Balancing gaps ``||W_{l+1}^2 - W_l^2|| / ||.||(0)`` against the bound of Theorem 4.1.

    Left: gradient flows of ``L_R`` (``eta = 0.8``, ``L = 2..5``, random starts), with the bound
    ``exp(-4 eta^{2(L-1)} t)`` dashed, and the flow of ``L`` (gaps conserved).  Right: GD with a
    constant step, with the first-order factor ``(1 - 4 alpha eta^{2(L-1)})^k`` dotted.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    eta = 0.8
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    colors = plt.get_cmap("viridis")(np.linspace(0, 0.9, 4))
    T = 4.0
    t = np.linspace(0, T, 200)
    for c, L in zip(colors, range(2, 6)):
        W0 = rng.normal(size=(L, 3))
        wstar = rng.normal(size=3)
        tr = gradient_flow(W0, wstar, eta, t)
        g = tr.records["balancing_gap"][:, 0, :]
        for l in range(L - 1):
            ax1.semilogy(t, g[:, l] / g[0, l], color=c, lw=1, label=f"$L = {L}$" if l == 0 else None)
        ax1.semilogy(t, np.exp(-4 * eta ** (2 * (L - 1)) * t), "--", color=c, lw=1.6)
        if L == 3:
            tu = gradient_flow(W0, wstar, eta, t, regularized=False)
            gu = tu.records["balancing_gap"][:, 0, :]
            ax1.semilogy(t, gu[:, 0] / gu[0, 0], ":", color="red", label="flow of $L$ ($\\eta = 0$), $L = 3$")
    ax1.set_ylim(1e-6, 3)
    ax1.set_xlabel("gradient-flow time $t$")
    ax1.set_ylabel("imbalance $|w_{l+1}^2 - w_l^2|(t)$, relative to $t = 0$")
    ax1.set_title("Theorem 4.1, flows of $L_R$ at $\\eta = 0.8$:\nbound $e^{-4\\eta^{2(L-1)} t}$ dashed", fontsize=10)
    ax1.legend(fontsize=7)
    steps, alpha = 3000, 0.01
    k = np.arange(steps + 1)
    for c, L in zip(colors, range(2, 6)):
        W0 = rng.normal(size=(L, 3)) * 0.8
        wstar = rng.normal(size=3)
        tr = gradient_descent(W0, wstar, eta, steps, alpha)
        g = tr.records["balancing_gap"][:, 0, :]
        for l in range(L - 1):
            ax2.semilogy(k, g[:, l] / g[0, l], color=c, lw=1, label=f"$L = {L}$" if l == 0 else None)
        ax2.semilogy(k, (1 - 4 * alpha * eta ** (2 * (L - 1))) ** k, ":", color=c, lw=1.6)
    ax2.set_xlabel("GD step $k$ (iterations)")
    ax2.set_ylabel("imbalance $|w_{l+1}^2 - w_l^2|(k)$, relative to $k = 0$")
    ax2.set_title(f"Theorem 4.3, GD with $\\alpha = {alpha}$: $(1 - 4\\alpha\\eta^{{2(L-1)}})^k$ dotted;\n"
                  "the floor near $10^{-14}$ is float64 rounding", fontsize=10)
    ax2.set_ylim(1e-16, 3)
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, outdir, "balancing-decay")


FIGURES = {"figure-3": figure_3, "balancing-decay": balancing_decay}
CAPTIONS = {
    "figure-3": "The paper's Figure 3: from one start, GD on the loss $L$ (yellow), GD on the marginalized loss $L_R$ "
                "(green) and one S-SAM run (blue) for a two-layer network, one coordinate, $w^* = 3.14159$, over the "
                "labelled level lines of $L$. GD on $L$ keeps its imbalance and stops on the hyperbola $w_1 w_2 = w^*$; "
                "GD on $L_R$ and S-SAM move to the balanced minimizer of $L_R$ (star).",
    "balancing-decay": "Balancing: the imbalance $|w_{l+1}^2 - w_l^2|$ of neighbouring layers, relative to its start, "
                       "for depths 2 to 5 ($\\eta = 0.8$, random starts). Left: gradient flows of $L_R$ against the "
                       "bound $e^{-4\\eta^{2(L-1)} t}$ of Theorem 4.1 (dashed; equality for $L = 2$), and the flow "
                       "of $L$, which conserves it. Right: GD against the first-order factor of Theorem 4.3.",
}
CLAIMS = {"figure-3": ["theorem-4.2", "lemma-2.2", "figure-3"], "balancing-decay": ["theorem-4.1", "theorem-4.3"]}
