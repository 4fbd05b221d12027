"""Notebook part for Section 3: the landscape of L_R (Theorem 3.1, Lemma 3.2, Lemma F.1)."""
from __future__ import annotations

NOTEBOOK = "03-landscape"
TITLE = "Section 3: the landscape of $L_R$: balancing, shrinkage-thresholding, certified roots"


def cells() -> list:
    """The cells of the notebook, in order: ``[("markdown" | "code", source), ...]``."""
    return [
        ("markdown",
         "Theorem 3.1 says that every critical point of the marginalized loss $L_R = L + R$ is balanced "
         "($W_l^2 = W_{l+1}^2$), that each coordinate is either zero or a *shrunk* copy of "
         "$|w^*_h|^{1/L}$, and that the shrinkage only exists above a threshold $\\tau_L(\\eta)$. "
         "Everything below is computed, not typed in: SymPy derives the formulas from $L_R$, and "
         "mpmath computes the roots with certified enclosures."),
        ("markdown", "## Theorem 3.1(a): balancing\n"
         "The loss gradients satisfy a cyclic identity and the regularizer satisfies eq 29; both are exact "
         "polynomial identities (here for $L = 4$)."),
        ("code", "import sympy as sp\n"
                 "from derivations.landscape.balancing import cyclic_identity_terms, eq29_terms\n"
                 "from derivations.marginalized import prove_identity\n"
                 "from ssam_verify.notebook_parts.display import (show_claims, show_figure, show_formula, "
                 "show_formulas, show_table, show_values)\n"
                 "show_table([[L, all(prove_identity(x, y) for x, y in cyclic_identity_terms(L)),\n"
                 "             all(prove_identity(x, y) for x, y in eq29_terms(L))] for L in (2, 3, 4, 5)],\n"
                 "           ['depth $L$', 'cyclic identity', 'eq 29'])\n"
                 "left, right = eq29_terms(3)[0]\n"
                 "show_formula(sp.Eq(left, right, evaluate=False), 'eq 29, L = 3, l = 1')"),
        ("markdown", "## Theorem 3.1(b): the shrinkage polynomial, derived\n"
         "At a balanced point $w_l = s_l a$ with $\\prod_l s_l = \\mathrm{sign}(w^*)$, "
         "$w_l\\,\\partial_{w_l} L_R = 2a^2 P(a)$. SymPy finds $P$ from the critical-point equation:"),
        ("code", "from derivations.landscape.shrinkage_polynomial import lambda_equation_derived, "
                 "shrinkage_polynomial_derived\n"
                 "show_formulas([(f'$P(a)$, $L = {L}$', sp.factor_terms(shrinkage_polynomial_derived(L))) "
                 "for L in (2, 3, 4)])"),
        ("markdown", "The threshold is the minimum over $a$ of $(a^2+\\eta^2)^{L-1}/a^{L-2}$, here for a "
         "symbolic depth $L$; it matches eq 14, and $\\tau_L/(2^{L-1}\\eta^L) \\to 1$."),
        ("code", "from derivations.landscape.threshold import (threshold_asymptotics, threshold_closed_form, "
                 "threshold_derived)\n"
                 "derived = threshold_derived(None)\n"
                 "show_formulas([('minimizer $a_c$', derived['a_c']), ('threshold $\\\\tau_L(\\\\eta)$', derived['tau']),\n"
                 "               ('$\\\\log$(derived / eq 14)', sp.simplify(sp.expand_log(sp.log(derived['tau']) "
                 "- sp.log(threshold_closed_form(None)), force=True))),\n"
                 "               ('$\\\\lim_{L\\\\to\\\\infty} \\\\tau_L / (2^{L-1}\\\\eta^L)$', "
                 "threshold_asymptotics()['limit']),\n"
                 "               ('the $\\\\lambda$ equation (eq 13)', sp.Eq(lambda_equation_derived(None), 0))])"),
        ("markdown", "## Certified roots at any precision\n"
         "The regime is decided in exact rational arithmetic; each root comes with an interval whose end "
         "points have opposite signs of $P$ (exact integer arithmetic), and Descartes' rule bounds the "
         "number of positive roots by two. Close to the threshold the two roots are still separated:"),
        ("code", "import mpmath\n"
                 "from numeric.shrinkage.certified_roots import shrinkage_roots\n"
                 "from numeric.shrinkage.threshold_regime import threshold\n"
                 "rows = []\n"
                 "with mpmath.workdps(80):\n"
                 "    tau = threshold(3, 1, digits=70)\n"
                 "    for rel in ('1e-30', '-1e-30'):\n"
                 "        r = shrinkage_roots(3, 1, tau * (1 + mpmath.mpf(rel)), digits=40)\n"
                 "        rows.append([3, f'$\\\\tau_3 (1 {rel[0] if rel[0] == \"-\" else \"+\"} 10^{{-30}})$', r.regime,\n"
                 "                     ', '.join(mpmath.nstr(x, 40) for x in r.lambdas) or 'none'])\n"
                 "r = shrinkage_roots(4, 1, '6.75')\n"
                 "rows.append([4, '$\\\\tau_4 = 27/4$ exactly', r.regime, f'{mpmath.nstr(r.lambdas[0], 30)} (double root)'])\n"
                 "show_table(rows, ['depth $L$', '$|w^*|$ ($\\\\eta = 1$)', 'regime', 'certified shrinkage factors $\\\\lambda$'])"),
        ("markdown", "## All critical points and their type\n"
         "The critical set is a product over coordinates. For $L \\ge 3$ the origin is a strict local "
         "minimum, the smaller root gives saddles and the larger root local minima (beyond the paper)."),
        ("code", "from collections import Counter\n"
                 "from numeric.critical_points.enumeration import critical_points\n"
                 "from numeric.critical_points.newton_search import search_critical_points\n"
                 "pts = critical_points(3, '0.5', [1.0, -2.0])\n"
                 "found = search_critical_points(3, '0.5', [1.0, -2.0], starts=150**2, design='factorial')\n"
                 "show_values({'critical points enumerated ($L = 3$, $\\\\eta = 0.5$, $w^* = (1, -2)$)': len(pts),\n"
                 "             **{f'of kind {kind}': n for kind, n in sorted(Counter(p.kind for p in pts).items())},\n"
                 "             'found by an independent Newton search ($150^2$ starts)': len(found.points)})"),
        ("markdown", "## Figure 2 and the shrinkage map\n"
         "The paper's Figure 2 (the two-layer landscape for several $\\eta$) and the nonzero shrinkage factors "
         "against $|w^*|$ for depths 2 to 6."),
        ("code", "show_figure('figure-2')\nshow_figure('shrinkage-lambda')"),
        ("markdown", "## The claims\n"
         "Each claim runs its symbolic, high-precision and negative-control evidence (three of them here, "
         "quick mode; `ssam-verify run --claims theorem-3.1a,theorem-3.1b` runs the others)."),
        ("code", "show_claims(['theorem-3.1c', 'lemma-3.2', 'lemma-F.1'])"),
    ]
