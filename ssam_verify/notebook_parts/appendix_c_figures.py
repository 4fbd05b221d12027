"""Notebook part for Appendix C (Lemmas C.1, C.2, the rate of Theorem 4.2) and the paper's Figures 2 and 3."""
from __future__ import annotations

NOTEBOOK = "07-appendix-c-and-figures"
TITLE = "Appendix C and Figures 2-3: the Hessian bound, products of layers, the GD rate, the figures"


def cells() -> list:
    """The cells of the notebook, in order (each code cell runs in a few seconds)."""
    return [
        ("markdown", "# " + TITLE + "\n\n"
         "Claims `lemma-C.1`, `lemma-C.2`, `theorem-4.2-rate`, `figure-2` and `figure-3` of Clara, Langer & "
         "Schmidt-Hieber (arXiv 2503.11891). The formulas of Appendix C are lost in the sources; the versions "
         "checked here are reconstructed from the proofs (see each claim's notes)."),
        ("code", "import numpy as np\nimport sympy as sp\n"
                 "from derivations import appendix_c, paper_figures as derived_figures\n"
                 "from numeric import paper_figures\n"
                 "from numeric.ratio_search import hessian_ratio, maximize_from_starts\n"
                 "from checks.framework import RunContext, get_claim, run_claim"),
        ("markdown", "## Lemma C.2: products of layers are bounded by the regularizer\n"
                     "Per coordinate, `R - eta^{2(L-|S|)} prod_{l in S} w_l^2` is exactly the sum of the terms of "
                     "eq 7 that the left side does not use, hence non-negative, and the constant 1 is sharp."),
        ("code", "print(appendix_c.lemma_c2_proof(3))\n"
                 "for kind in appendix_c.LEMMA_C2_KINDS:\n"
                 "    print(kind, appendix_c.lemma_c2_tight_ratio(3, (0, 1), kind))"),
        ("markdown", "## Lemma C.1: the reading `sqrt(L)(7 sqrt(L)+2) L_R / eta^2` and the best constant\n"
                     "The reading dominates the suite's proven constant `2 + (1+sqrt2)(L-1)`; the best constant "
                     "`C*(L) = sup ||Hess L_R|| eta^2 / L_R` is found by an adversarial search and sits on balanced "
                     "points: `C*(2) = 1 + sqrt 2`, `C*(L) >= (2L-1)^2/(4(L-1))`."),
        ("code", "print(appendix_c.reading_dominates_proven_bound())\n"
                 "print(appendix_c.zero_target_balanced_supremum()[2], appendix_c.two_layer_origin_supremum()[2])\n"
                 "L = 3\nrng = np.random.default_rng(0)\n"
                 "search = maximize_from_starts(lambda p: hessian_ratio(p, L), rng.normal(size=(16, L + 1)),\n"
                 "                              xtol=1e-5)\n"
                 "print('C*(3) ~', search.best_value, 'at (w, w*) =', np.round(search.best_x, 4))\n"
                 "print('reading / C*:', np.sqrt(L) * (7 * np.sqrt(L) + 2) / search.best_value)"),
        ("markdown", "## The rate of Theorem 4.2\n"
                     "`eta^2 ||grad L_R||^2 <= L L_R^2` (a per-coordinate identity) caps the first-step ratio of "
                     "`min_{j<k} ||grad L_R(W(j))||^2 <= L_R(W(0)) / (delta alpha k)` at `2 delta (1-delta) L / K` "
                     "under the step bound; on the invariant axis the rate is nearly an equality."),
        ("code", "print(appendix_c.gradient_bound_proof(3))\nprint(appendix_c.axis_run_proof(2))"),
        ("markdown", "## Figure 2: the two minimizers shrink and merge\n"
                     "Minimizers found numerically (descent from a grid, Newton, Hessian classification)."),
        ("code", "for eta in (0.5, 1.0, 1.5, 1.75, 1.78, 1.9):\n"
                 "    found = paper_figures.figure2_minimizers(eta)\n"
                 "    print(eta, eta**2 / paper_figures.FIGURE_WSTAR, found.minimizers.round(6).tolist())\n"
                 "print('derived a^2 =', derived_figures.figure2_minimizer_square())"),
        ("markdown", "## Figure 3: where GD on L, GD on L_R and S-SAM end"),
        ("code", "panel = paper_figures.FIGURE3_PANELS[1]\n"
                 "runs = paper_figures.figure3_runs(panel, seed=0, seeds=500, record_every=panel.steps)\n"
                 "for name, tr in (('GD on L', runs.gd_loss), ('GD on L_R', runs.gd_marginalized)):\n"
                 "    w = tr.weights[-1, 0, :, 0]\n    print(name, w, 'imbalance', w[1]**2 - w[0]**2)\n"
                 "ends = runs.ssam.weights[-1, :, :, 0]\n"
                 "print('S-SAM median w1 w2', np.median(ends.prod(axis=1)), 'vs w* - eta^2 =', "
                 "paper_figures.FIGURE_WSTAR - panel.eta**2)"),
        ("code", "# the claims, quick mode\nfor cid in ['lemma-C.1', 'lemma-C.2', 'theorem-4.2-rate', 'figure-2', "
                 "'figure-3']:\n    r = run_claim(get_claim(cid), RunContext(quick=True))\n"
                 "    print(cid, r.verdict, round(r.seconds, 1))"),
        ("code", "from pathlib import Path\nfrom IPython.display import Image, display\n"
                 "from ssam_verify.figures.landscape import FIGURES as landscape_figures\n"
                 "from ssam_verify.figures.dynamics import FIGURES as dynamics_figures\n"
                 "display(Image(str(landscape_figures['figure-2'](Path('figures'))[0])))\n"
                 "display(Image(str(dynamics_figures['figure-3'](Path('figures'))[0])))"),
    ]
