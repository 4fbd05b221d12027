"""Figures of Section 3: the shrinkage map and the two-layer landscape (Figure 2).

* ``shrinkage-lambda``: the nonzero shrinkage factors ``lambda`` against ``|w*|``
  for several depths, thresholds ``tau_L(eta)`` marked (Theorem 3.1(b)).
* ``figure-2``: contours of ``(w* - w_2 w_1)^2 + eta^2 (w_1^2 + w_2^2)`` (two
  layers, one coordinate; ``L_R`` up to the constant ``eta^4``) at
  ``w* = 3.14159`` for ``eta in (0, 0.5, 1.0, 1.5, 1.9)``, with the critical
  points and global minimizers found by :mod:`numeric.paper_figures` (the
  computation the claim ``figure-2`` checks) marked.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from numeric.shrinkage.certified_roots import shrinkage_roots
from numeric.shrinkage.threshold_regime import threshold

from ._style import add_colorbar, save_figure

__all__ = ["FIGURES", "CAPTIONS", "CLAIMS", "plot_shrinkage_lambda", "plot_figure2", "shrinkage_curves"]

_MARK = {"minimum": ("o", "tab:green"), "saddle": ("X", "tab:red"), "maximum": ("^", "tab:purple"),
         "degenerate": ("D", "tab:orange")}


def shrinkage_curves(eta, depths=(2, 3, 4, 5, 6), points: int = 100, wmax_factor: float = 3.0):
    """``{L: (w_grid, lambda_small, lambda_large, tau)}`` computed with :func:`numeric.shrinkage.shrinkage_roots` (15 digits).

    ``w_grid`` runs from 0 to ``wmax_factor * max_L tau_L(eta)``; missing roots are NaN.
    """
    taus = {L: float(threshold(L, eta, digits=15)) for L in depths}
    wmax = wmax_factor * max(taus.values())
    out = {}
    for L in depths:
        grid = np.unique(np.concatenate([np.linspace(0, wmax, points), taus[L] * (1 + np.logspace(-8, -1, 20))]))
        lo, hi = np.full(grid.size, np.nan), np.full(grid.size, np.nan)
        for i, w in enumerate(grid):
            r = shrinkage_roots(L, eta, float(w), digits=15)
            if r.lambdas:
                lo[i], hi[i] = float(r.lambdas[0]), float(r.lambdas[-1])
        out[L] = (grid, lo, hi, taus[L])
    return out


def plot_shrinkage_lambda(path, eta="0.5", depths=(2, 3, 4, 5, 6), highlight=None) -> list:
    """Plot ``lambda`` against ``|w*|`` for several ``L`` (thresholds dashed); writes ``path`` (+ ``.svg``).

    ``highlight``: optional ``(L, |w*|, [lambdas])`` to mark one computed case.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    curves = shrinkage_curves(eta, depths)
    fig, ax = plt.subplots(figsize=(9.5, 4.5))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(depths)))
    for (L, (g, lo, hi, tau)), col in zip(curves.items(), colors):
        ax.plot(g, hi, color=col, lw=2, label=f"$L = {L}$: " + ("root (minima)" if L == 2 else "larger root (minima)"))
        if L > 2:
            ax.plot(g, lo, color=col, lw=1.2, ls=":", label=f"$L = {L}$: smaller root (saddles)")
        ax.axvline(tau, color=col, ls="--", lw=0.8)
        ax.text(tau, 1.01, f"$\\tau_{L}$", color=col, ha="center", va="bottom", fontsize=8)
    if highlight is not None:
        L, w, lams = highlight
        ax.plot([float(w)] * len(lams), [float(x) for x in lams], "k*", ms=12, label=f"requested ($L = {L}$)")
    ax.set_xlabel("target magnitude $|w^*_h|$ of one coordinate")
    ax.set_ylabel("shrinkage factor $\\lambda_h$ ($|w_l| = \\lambda_h |w^*_h|^{1/L}$)")
    ax.set_ylim(0, 1.08)
    ax.set_title(f"Theorem 3.1(b): nonzero shrinkage factors at $\\eta = {eta}$ (dashed: thresholds $\\tau_L(\\eta)$)",
                 fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    png, svg = save_figure(fig, path.parent, path.stem, dpi=120)
    return [png, svg]


def plot_figure2(outdir, wstar: str = "3.14159", etas=("0", "0.5", "1.0", "1.5", "1.9")) -> list:
    """Figure 2 of the paper: contours of the two-layer ``L_R - eta^4`` with its critical points.

    Drawn from :mod:`numeric.paper_figures`, the computation the claim ``figure-2`` checks: the landscape
    (:func:`~numeric.paper_figures.figure2_landscape`) and the numerically found critical points and global
    minimizers (:func:`~numeric.paper_figures.figure2_minimizers`, circled).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numeric.paper_figures import figure2_landscape, figure2_minimizers

    outdir = Path(outdir)
    ws = float(wstar)
    fig, axes = plt.subplots(1, len(etas), figsize=(3.3 * len(etas), 3.9), sharey=True, layout="constrained")
    axes = np.atleast_1d(axes)
    log_levels = np.linspace(-2, 4, 25)  # one scale for every panel: log10 of the loss up to eta^4
    for ax, eta in zip(axes, etas):
        e = float(eta)
        _, X, Y, Z = figure2_landscape(e, ws, extent=3.0, points=401)
        logZ = np.log10(np.maximum(Z, 1e-2))
        filled = ax.contourf(X, Y, logZ, levels=log_levels, cmap="Blues_r", extend="both")
        ax.contour(X, Y, logZ, levels=log_levels[::2], colors="k", linewidths=0.4, alpha=0.6)
        if e == 0:
            # no regularizer: the critical set is the hyperbola w1 w2 = w* (global minima) and the origin (saddle)
            xs = np.linspace(ws / 3, 3, 200)
            ax.plot(xs, ws / xs, color="tab:green", lw=2)
            ax.plot(-xs, -ws / xs, color="tab:green", lw=2, label="minima: $w_1 w_2 = w^*$ ($\\eta = 0$)")
            ax.plot([0], [0], _MARK["saddle"][0], color=_MARK["saddle"][1], ms=9, label="saddle")
        else:
            found = figure2_minimizers(e, ws)
            seen = set()
            for cp in found.critical_points:
                m, col = _MARK[cp["kind"]]
                ax.plot(cp["point"][0], cp["point"][1], m, color=col, ms=9, mec="k",
                        label=cp["kind"] if cp["kind"] not in seen else None)
                seen.add(cp["kind"])
            ax.plot(found.minimizers[:, 0], found.minimizers[:, 1], "o", mfc="none", mec="k", ms=15,
                    label="global minimizers (found numerically)")
            a = float(np.abs(found.minimizers).max())
            note = (f"found $a = {a:.4g}$; $\\sqrt{{w^* - \\eta^2}} = {np.sqrt(max(ws - e ** 2, 0.0)):.4g}$"
                    if len(found.minimizers) > 1 else "$\\eta^2 \\geq w^*$: one minimizer, merged at 0")
            ax.text(0.02, 0.02, note, transform=ax.transAxes, fontsize=8,
                    bbox=dict(fc="white", ec="none", alpha=0.8))
        ax.set_title(f"$\\eta = {eta}$")
        ax.set_xlabel("first-layer weight $w_1$")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
    axes[0].set_ylabel("second-layer weight $w_2$")
    handles = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    fig.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=len(handles), fontsize=8)
    add_colorbar(fig, filled, list(axes), "$\\log_{10}\\,[(w^* - w_2 w_1)^2 + \\eta^2 (w_1^2 + w_2^2)]$")
    fig.suptitle(f"Figure 2: the two-layer landscape $(w^* - w_2 w_1)^2 + \\eta^2 (w_1^2 + w_2^2)$ at $w^* = {wstar}$; "
                 "critical points found numerically (claim figure-2: $a^2 = w^* - \\eta^2$, merged for "
                 "$\\eta^2 \\geq w^*$)", fontsize=10)
    return save_figure(fig, outdir, "figure-2", dpi=110)


def _shrinkage_fig(outdir: Path, seed: int = 0) -> list:
    return plot_shrinkage_lambda(Path(outdir) / "shrinkage-lambda.png", eta="0.7")


def _figure2(outdir: Path, seed: int = 0) -> list:
    return plot_figure2(outdir)


FIGURES = {"shrinkage-lambda": _shrinkage_fig, "figure-2": _figure2}
CAPTIONS = {
    "shrinkage-lambda": "The nonzero shrinkage factors $\\lambda$ of Theorem 3.1(b) against the target $|w^*|$ for depths 2 "
                        "to 6 at $\\eta = 0.7$, computed as certified roots of the shrinkage polynomial (15 digits). "
                        "Below the threshold $\\tau_L(\\eta)$ (dashed) only $\\lambda = 0$ exists; for $L \\ge 3$ two "
                        "roots appear at $\\tau_L$: the larger gives local minima, the smaller saddles.",
    "figure-2": "The paper's Figure 2: the marginalized loss of one coordinate of a two-layer network (without the "
                "constant $\\eta^4$), $w^* = 3.14159$, for five noise levels, on one colour scale. The two minimizers "
                "$(\\pm a, \\pm a)$, $a^2 = w^* - \\eta^2$, shrink toward the origin and merge there once "
                "$\\eta^2 \\ge w^*$; the markers are the critical points enumerated by the suite.",
}
CLAIMS = {"shrinkage-lambda": ["theorem-3.1b"], "figure-2": ["theorem-3.1b", "figure-2"]}
