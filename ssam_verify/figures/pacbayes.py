"""Lemma 2.3 figure: how loose the PAC-Bayes bound is.

``pacbayes-slack``
    Left: the distribution over independent data sets of the slack
    ``bound - E_G L_pop(W+G)`` of Lemma 2.3 (``delta = 0.05``, ``beta = 1``) for
    the coverage scenarios of :mod:`checks.section2.pacbayes_scenarios` (fixed W with Gaussian and
    Student-t_5 inputs, W learned by GD and by S-SAM); a negative slack would be
    a violation.  The dotted line at 0 is the violation threshold; each label
    gives the violation count.  Right: median bound against ``beta`` for the
    fixed-W Gaussian scenario, split into its terms (``E_G L_emp``,
    ``(KL + log 1/delta)/(beta sqrt n)``, ``beta E[l^2]/(2 sqrt n)``), with the
    median population loss and the best beta in hindsight (not a valid choice:
    beta must be fixed before the data).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ._style import save_figure

__all__ = ["FIGURES", "CAPTIONS", "CLAIMS", "pacbayes_slack"]

_SCENARIOS = ("fixed-gaussian", "fixed-student-t", "gd-gaussian", "ssam-student-t")


def _save(fig, outdir: Path, name: str) -> list:
    return save_figure(fig, outdir, name, dpi=120)


def pacbayes_slack(outdir, seed: int = 0) -> list:
    """Draw ``pacbayes-slack`` into ``outdir``; returns the PNG and SVG paths (deterministic in ``seed``)."""
    import matplotlib.pyplot as plt

    from checks.framework import RunContext
    from checks.section2.pacbayes_scenarios import scenario
    from numeric import pacbayes as pb

    ctx = RunContext(seed=seed)
    fig, (ax, axb) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = plt.cm.tab10(np.arange(len(_SCENARIOS)))
    for name, c in zip(_SCENARIOS, colors):
        sim = scenario(name, ctx)
        s = pb.coverage_summary(sim)
        slack = pb.bound_value(sim["empirical"], sim["kl"], sim["second_moment"], sim["n"], sim["delta"],
                               sim["beta"]) - sim["population"]
        ax.hist(slack, bins=60, histtype="step", lw=1.5, color=c, density=True,
                label=f"{name}: {s['violations']}/{s['draws']} violations, median slack ${np.median(slack):.2f}$")
    ax.axvline(0, color="k", ls=":", lw=1)
    ax.set_xlabel("slack: bound $- \\,\\mathbb{E}_G L_{pop}(W+G)$ (negative: a violation)")
    ax.set_ylabel("density over data sets")
    ax.set_title("Lemma 2.3: slack over independent data sets ($n = 50$, $\\delta = 0.05$, $\\beta = 1$)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left")

    sim = scenario("fixed-gaussian", ctx)
    betas = np.geomspace(0.2, 30, 120)
    emp, kl, m2 = np.median(sim["empirical"]), np.median(sim["kl"]), np.median(sim["second_moment"])
    terms = [pb.bound_terms(emp, kl, m2, sim["n"], sim["delta"], b) for b in betas]
    axb.plot(betas, [t["bound"] for t in terms], "k-", lw=2, label="bound (median terms)")
    axb.plot(betas, [t["complexity"] for t in terms], "--",
             label="$(\\mathrm{KL} + \\log 1/\\delta)\\,/\\,(\\beta\\sqrt{n})$")
    axb.plot(betas, [t["variance"] for t in terms], "-.", label="$\\beta\\,\\mathbb{E}[\\ell^2]\\,/\\,(2\\sqrt{n})$")
    axb.axhline(emp, color="tab:green", lw=1.5, ls=(0, (4, 4)), zorder=3,
                label="$\\mathbb{E}_G L_{emp}(W+G)$ (dashed: close to $L_{pop}$ here)")
    axb.axhline(np.median(sim["population"]), color="tab:red", lw=1, label="$\\mathbb{E}_G L_{pop}(W+G)$")
    bstar = float(np.median(pb.best_beta(sim["kl"], sim["second_moment"], sim["delta"])))
    axb.axvline(bstar, color="gray", ls=":", lw=1, label=f"best $\\beta$ in hindsight $= {bstar:.2f}$")
    axb.axvline(sim["beta"], color="gray", ls="-", lw=0.8, label=f"$\\beta$ used $= {sim['beta']:g}$")
    axb.set_xscale("log")
    axb.set_yscale("log")
    axb.set_xlabel("temperature $\\beta$ (fixed before the data)")
    axb.set_ylabel("bound and its terms (medians over data sets)")
    axb.set_title(f"Fixed $W$, Gaussian inputs: $\\mathrm{{KL}} = {kl:.1f}$, $\\mathbb{{E}}[\\ell^2] = {m2:.2f}$",
                  fontsize=10)
    axb.legend(fontsize=6.5, loc="lower left", framealpha=0.85)
    fig.tight_layout()
    return _save(fig, outdir, "pacbayes-slack")


FIGURES = {"pacbayes-slack": pacbayes_slack}
CAPTIONS = {"pacbayes-slack": "How loose Lemma 2.3 is. Left: the slack of the bound over independent data sets for "
                              "fixed weights (Gaussian and Student-$t_5$ inputs) and weights learned by GD and by "
                              "S-SAM; a negative slack would be a violation, and none occurs. Right: the median bound "
                              "against $\\beta$ split into its terms, with the population loss it bounds and the best "
                              "$\\beta$ in hindsight (not a valid choice: $\\beta$ must be fixed before the data)."}
CLAIMS = {"pacbayes-slack": ["lemma-2.3"]}
