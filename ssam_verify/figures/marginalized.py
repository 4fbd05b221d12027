"""Section 2 figures: the regularizer ``R`` and the marginalized loss ``L_R``.

``regularizer-vs-depth``
    ``R`` (Lemma 2.2, eq 7) along the balanced ray ``w_l = t`` (one coordinate,
    ``d = 1``) for depths ``L = 2..6`` at ``eta = 0.5``: left, ``R`` from
    :func:`numeric.model.regularizer` (solid) with the weight-decay lower bound
    ``eta^{2(L-1)} sum_l w_l^2`` of eq 8 (dashed, lambdified from
    :func:`derivations.marginalized.weight_decay_bound`); right, the ratio
    ``R / bound``, which must stay ``>= 1`` (eq 8) and tends to infinity as
    ``t -> 0`` because ``R`` keeps the constant ``eta^{2L}``.

``marginalized-loss-monte-carlo``
    Lemma 2.2 seen by simulation: along ``w_l = t`` (``L = 3``, ``d = 1``,
    ``w* = 1``) Monte Carlo means of ``L(W + G)`` (:func:`numeric.noisy.noisy_loss_moments`)
    against ``L_R = L + R`` (:func:`numeric.model.marginalized_loss`) for three
    noise levels; lower panel, the standardized residuals ``(mean - L_R) / se``
    with the Bonferroni band of :func:`checks.stats.z_critical` (false-failure
    probability ``1e-6`` over all points).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._style import save_figure

__all__ = ["FIGURES", "CAPTIONS", "CLAIMS", "regularizer_vs_depth", "marginalized_loss_monte_carlo"]

DEPTHS = (2, 3, 4, 5, 6)
ETA = 0.5


def _save(fig, outdir: Path, name: str) -> list:
    return save_figure(fig, outdir, name, dpi=120)


def regularizer_vs_depth(outdir, seed: int = 0) -> list:
    """Draw ``regularizer-vs-depth`` (eqs 7-8) into ``outdir``; returns the PNG and SVG paths.

    Deterministic (``seed`` unused: no randomness).
    """
    import matplotlib.pyplot as plt
    import sympy as sp

    from derivations.marginalized import coordinate_symbols, weight_decay_bound
    from numeric.model import regularizer

    t = np.linspace(0.02, 1.6, 200)
    fig, (ax, axr) = plt.subplots(1, 2, figsize=(10, 4))
    colors = plt.cm.viridis(np.linspace(0, 0.9, len(DEPTHS)))
    for L, c in zip(DEPTHS, colors):
        s = coordinate_symbols(L)
        bound_fn = sp.lambdify((s.w, s.eta), weight_decay_bound(L), "numpy")
        R = np.array([regularizer(np.full((L, 1), ti), ETA) for ti in t])
        B = np.array([bound_fn([ti] * L, ETA) for ti in t])
        ax.semilogy(t, R, color=c, lw=2, label=f"$L = {L}$")
        ax.semilogy(t, B, color=c, lw=1.2, ls="--")
        axr.semilogy(t, R / B, color=c, lw=2, label=f"$L = {L}$")
    ax.set_xlabel("$t$ (balanced weights $w_l = t$, one coordinate)")
    ax.set_ylabel("$R$ and the bound $\\eta^{2(L-1)}\\sum_l w_l^2$")
    ax.set_title(rf"$R$ (solid) and eq 8 bound $\eta^{{2(L-1)}}\sum_l w_l^2$ (dashed), $\eta={ETA}$")
    ax.legend(fontsize=8)
    axr.axhline(1.0, color="k", lw=1, ls=":")
    axr.set_xlabel("$t$ (balanced weights $w_l = t$)")
    axr.set_ylabel(r"$R \,/\, \eta^{2(L-1)}\sum_l w_l^2$")
    axr.set_title("ratio to the weight-decay bound (eq 8: $\\geq 1$)")
    axr.legend(fontsize=8)
    fig.tight_layout()
    return _save(fig, outdir, "regularizer-vs-depth")


def marginalized_loss_monte_carlo(outdir, seed: int = 0, samples: int = 20_000) -> list:
    """Draw ``marginalized-loss-monte-carlo`` (Lemma 2.2) into ``outdir``; returns the PNG and SVG paths.

    ``samples`` draws of ``L(W + G)`` per point (seeded from ``seed``, one
    stream per point); error bars are ``z_critical`` standard errors.
    """
    import matplotlib.pyplot as plt

    from checks.stats import z_critical
    from numeric.model import marginalized_loss
    from numeric.noisy import noisy_loss_moments

    L, wstar = 3, np.array([1.0])
    t = np.linspace(0.0, 1.3, 14)
    etas = (0.2, 0.4, 0.6)
    zc = z_critical(1e-6, k=len(t) * len(etas))
    fig, (ax, axz) = plt.subplots(2, 1, figsize=(7, 6.5), sharex=True,
                                  gridspec_kw={"height_ratios": [2.2, 1]})
    tt = np.linspace(0.0, 1.3, 200)
    for j, (eta, c) in enumerate(zip(etas, ("tab:blue", "tab:orange", "tab:green"))):
        exact_line = [marginalized_loss(np.full((L, 1), ti), wstar, eta) for ti in tt]
        ax.plot(tt, exact_line, color=c, lw=1.5, label=rf"$L_R$, $\eta={eta}$")
        means, ses, exact = [], [], []
        for i, ti in enumerate(t):
            W = np.full((L, 1), ti)
            mom = noisy_loss_moments(W, wstar, eta, samples, seed=seed * 1000 + 37 * j + i, workers=1)
            means.append(float(mom.mean))
            ses.append(float(mom.standard_error))
            exact.append(marginalized_loss(W, wstar, eta))
        means, ses, exact = map(np.asarray, (means, ses, exact))
        ax.errorbar(t, means, yerr=zc * ses, fmt="o", ms=3.5, color=c, capsize=2)
        axz.plot(t, (means - exact) / ses, "o-", ms=3.5, color=c, lw=0.8, label=rf"$\eta={eta}$")
    ax.set_ylabel(r"$E\,L(W+G)$")
    ax.set_title(rf"Lemma 2.2: Monte Carlo ($n={samples}$ per point, bars $\pm{zc:.1f}$ se) vs $L_R$;"
                 + "\n" + rf"$L={L}$, $w^*=1$, $w_l=t$, seed {seed}", fontsize=10)
    ax.legend(fontsize=8)
    for s in (-zc, zc):
        axz.axhline(s, color="k", ls="--", lw=1)
    axz.axhline(0, color="k", lw=0.5)
    axz.set_ylabel("$(\\bar L - L_R)\\,/\\,\\mathrm{se}$")
    axz.set_xlabel("$t$ (balanced weights $w_l = t$)")
    axz.set_title("standardized residuals; dashed: the Bonferroni band", fontsize=9)
    axz.legend(fontsize=8, ncol=3)
    fig.tight_layout()
    return _save(fig, outdir, "marginalized-loss-monte-carlo")


FIGURES = {
    "regularizer-vs-depth": regularizer_vs_depth,
    "marginalized-loss-monte-carlo": marginalized_loss_monte_carlo,
}
CAPTIONS = {
    "regularizer-vs-depth": "The regularizer $R$ of Lemma 2.2 (eq 7) along the balanced ray $w_l = t$, one coordinate, "
                            "$\\eta = 0.5$, for depths 2 to 6 (left, solid) with the weight-decay lower bound of eq 8 "
                            "(dashed), and their ratio (right), which stays above 1 and grows without bound as "
                            "$t \\to 0$ because $R$ keeps the constant $\\eta^{2L}$.",
    "marginalized-loss-monte-carlo": "Lemma 2.2 by simulation: Monte Carlo means of $L(W+G)$ (dots, bars of "
                                     "$z_{crit}$ standard errors) against $L_R$ (lines) along $w_l = t$, $L = 3$, "
                                     "$w^* = 1$, three noise levels; below, the standardized residuals stay inside "
                                     "the Bonferroni band of false-failure probability $10^{-6}$ (dashed).",
}
CLAIMS = {"regularizer-vs-depth": ["lemma-2.2"], "marginalized-loss-monte-carlo": ["lemma-2.2"]}
