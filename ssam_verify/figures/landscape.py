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

__all__ = ["FIGURES", "plot_shrinkage_lambda", "plot_figure2", "shrinkage_curves"]

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
        ax.plot(g, hi, color=col, lw=2, label=f"L = {L}: " + ("root (minima)" if L == 2 else "larger root (minima)"))
        if L > 2:
            ax.plot(g, lo, color=col, lw=1.2, ls=":", label=f"L = {L}: smaller root (saddles)")
        ax.axvline(tau, color=col, ls="--", lw=0.8)
        ax.text(tau, 1.01, f"$\\tau_{L}$", color=col, ha="center", va="bottom", fontsize=8)
    if highlight is not None:
        L, w, lams = highlight
        ax.plot([float(w)] * len(lams), [float(x) for x in lams], "k*", ms=12, label=f"requested (L={L})")
    ax.set_xlabel("|w*|")
    ax.set_ylabel("shrinkage factor $\\lambda$")
    ax.set_ylim(0, 1.08)
    ax.set_title(f"Theorem 3.1(b): nonzero shrinkage factors, $\\eta$ = {eta} (dashed: thresholds $\\tau_L(\\eta)$)",
                 fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    svg = path.with_suffix(".svg")
    fig.savefig(svg)
    plt.close(fig)
    return [path, svg]


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
    fig, axes = plt.subplots(1, len(etas), figsize=(3.3 * len(etas), 3.6), sharey=True)
    for ax, eta in zip(np.atleast_1d(axes), etas):
        e = float(eta)
        _, X, Y, Z = figure2_landscape(e, ws, extent=3.0, points=401)
        levels = np.geomspace(max(Z.min(), 1e-2), np.quantile(Z, 0.9), 22)
        ax.contourf(X, Y, np.log(Z + 1e-3), levels=np.log(np.concatenate([[1e-3], levels]) + 1e-3), cmap="Blues_r",
                    alpha=0.55)
        ax.contour(X, Y, Z, levels=levels, colors="k", linewidths=0.4, alpha=0.6)
        if e == 0:
            # no regularizer: the critical set is the hyperbola w1 w2 = w* (global minima) and the origin (saddle)
            xs = np.linspace(ws / 3, 3, 200)
            ax.plot(xs, ws / xs, color="tab:green", lw=2)
            ax.plot(-xs, -ws / xs, color="tab:green", lw=2, label="minima: $w_1 w_2 = w^*$")
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
                    label="global minimizers")
            a = float(np.abs(found.minimizers).max())
            note = f"found: $a$ = {a:.4g}" if len(found.minimizers) > 1 else "found: one minimizer, 0 (merged)"
            ax.text(0.02, 0.02, note, transform=ax.transAxes, fontsize=8, bbox=dict(fc="white", ec="none", alpha=0.8))
        ax.set_title(f"$\\eta$ = {eta}")
        ax.set_xlabel("$w_1$")
        ax.set_xlim(-3, 3)
        ax.set_ylim(-3, 3)
        ax.set_aspect("equal")
        ax.legend(fontsize=7, loc="upper right")
    np.atleast_1d(axes)[0].set_ylabel("$w_2$")
    fig.suptitle(f"Figure 2: $(w^* - w_2 w_1)^2 + \\eta^2 (w_1^2 + w_2^2)$, $w^*$ = {wstar}; critical points found "
                 "numerically (claim figure-2: $a^2 = w^* - \\eta^2$, merged for $\\eta^2 \\geq w^*$)", fontsize=10)
    fig.tight_layout()
    outdir.mkdir(parents=True, exist_ok=True)
    png, svg = outdir / "figure-2.png", outdir / "figure-2.svg"
    fig.savefig(png, dpi=110)
    fig.savefig(svg)
    plt.close(fig)
    return [png, svg]


def _shrinkage_fig(outdir: Path, seed: int = 0) -> list:
    return plot_shrinkage_lambda(Path(outdir) / "shrinkage-lambda.png", eta="0.7")


def _figure2(outdir: Path, seed: int = 0) -> list:
    return plot_figure2(outdir)


FIGURES = {"shrinkage-lambda": _shrinkage_fig, "figure-2": _figure2}
