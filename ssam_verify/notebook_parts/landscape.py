"""Notebook part for Section 3: the landscape of L_R (Theorem 3.1, Lemma 3.2, Lemma F.1)."""
from __future__ import annotations

NOTEBOOK = "03-landscape"
TITLE = "Section 3: the landscape of L_R: balancing, shrinkage-thresholding, certified roots"


def cells() -> list:
    """The cells of the notebook, in order: ``[("markdown" | "code", source), ...]``."""
    return [
        ("markdown", f"# {TITLE}\n\n"
         "Theorem 3.1 says that every critical point of the marginalized loss $L_R = L + R$ is balanced "
         "($W_l^2 = W_{l+1}^2$), that each coordinate is either zero or a *shrunk* copy of "
         "$|w^*_h|^{1/L}$, and that the shrinkage only exists above a threshold $\\tau_L(\\eta)$. "
         "Everything below is computed, not typed in: SymPy derives the formulas from $L_R$, and "
         "mpmath computes the roots with certified enclosures."),
        ("markdown", "## Theorem 3.1(a): balancing\n"
         "The loss gradients satisfy a cyclic identity and the regularizer satisfies eq 29; both are exact "
         "polynomial identities (here for $L = 4$)."),
        ("code", "from derivations.landscape.balancing import cyclic_identity_terms, eq29_terms\n"
                 "from derivations.marginalized import prove_identity\n"
                 "L = 4\n"
                 "print('cyclic identity:', all(prove_identity(x, y) for x, y in cyclic_identity_terms(L)))\n"
                 "print('eq 29:', all(prove_identity(x, y) for x, y in eq29_terms(L)))\n"
                 "eq29_terms(3)[0][1]"),
        ("markdown", "## Theorem 3.1(b): the shrinkage polynomial, derived\n"
         "At a balanced point $w_l = s_l a$ with $\\prod_l s_l = \\mathrm{sign}(w^*)$, "
         "$w_l\\,\\partial_{w_l} L_R = 2a^2 P(a)$. SymPy finds $P$ from the critical-point equation:"),
        ("code", "import sympy as sp\n"
                 "from derivations.landscape.shrinkage_polynomial import lambda_equation_derived, "
                 "shrinkage_polynomial_derived\n"
                 "[sp.factor_terms(shrinkage_polynomial_derived(L)) for L in (2, 3, 4)]"),
        ("markdown", "The threshold is the minimum over $a$ of $(a^2+\\eta^2)^{L-1}/a^{L-2}$, here for a "
         "symbolic depth $L$; it matches eq 14, and $\\tau_L/(2^{L-1}\\eta^L) \\to 1$."),
        ("code", "from derivations.landscape.threshold import (threshold_asymptotics, threshold_closed_form, "
                 "threshold_derived)\n"
                 "derived = threshold_derived(None)\n"
                 "print('a_c =', derived['a_c'])\n"
                 "print('tau =', derived['tau'])\n"
                 "print('log(derived / eq 14) =', sp.simplify(sp.expand_log(sp.log(derived['tau']) - "
                 "sp.log(threshold_closed_form(None)), force=True)))\n"
                 "print('lim tau_L / (2^(L-1) eta^L) =', threshold_asymptotics()['limit'])\n"
                 "lambda_equation_derived(None)"),
        ("markdown", "## Certified roots at any precision\n"
         "The regime is decided in exact rational arithmetic; each root comes with an interval whose end "
         "points have opposite signs of $P$ (exact integer arithmetic), and Descartes' rule bounds the "
         "number of positive roots by two. Close to the threshold the two roots are still separated:"),
        ("code", "import mpmath\n"
                 "from numeric.shrinkage.certified_roots import shrinkage_roots\n"
                 "from numeric.shrinkage.threshold_regime import threshold\n"
                 "with mpmath.workdps(80):\n"
                 "    tau = threshold(3, 1, digits=70)\n"
                 "    for rel in ('1e-30', '-1e-30'):\n"
                 "        r = shrinkage_roots(3, 1, tau * (1 + mpmath.mpf(rel)), digits=40)\n"
                 "        print(rel, r.regime, [mpmath.nstr(x, 40) for x in r.lambdas])\n"
                 "r = shrinkage_roots(4, 1, '6.75')\n"
                 "print('exactly at the threshold:', r.regime, r.multiplicities, mpmath.nstr(r.lambdas[0], 30))"),
        ("markdown", "## All critical points and their type\n"
         "The critical set is a product over coordinates. For $L \\ge 3$ the origin is a strict local "
         "minimum, the smaller root gives saddles and the larger root local minima (beyond the paper)."),
        ("code", "from collections import Counter\n"
                 "from numeric.critical_points.enumeration import critical_points\n"
                 "from numeric.critical_points.newton_search import search_critical_points\n"
                 "pts = critical_points(3, '0.5', [1.0, -2.0])\n"
                 "print(len(pts), Counter(p.kind for p in pts))\n"
                 "found = search_critical_points(3, '0.5', [1.0, -2.0], starts=150**2, design='factorial')\n"
                 "print('independent Newton search found', len(found.points), 'points')"),
        ("markdown", "## Figure 2 and the shrinkage map"),
        ("code", "import tempfile, pathlib\n"
                 "from IPython.display import Image, display\n"
                 "from ssam_verify.figures.landscape import plot_figure2, plot_shrinkage_lambda\n"
                 "out = pathlib.Path(tempfile.mkdtemp())\n"
                 "display(Image(str(plot_figure2(out)[0])))\n"
                 "display(Image(str(plot_shrinkage_lambda(out / 'lambda.png', eta='0.7')[0])))"),
        ("markdown", "## The claims\n"
         "Each claim runs its symbolic, high-precision and negative-control evidence (three of them here, "
         "quick mode; `ssam-verify run --claims theorem-3.1a,theorem-3.1b` runs the others)."),
        ("code", "from checks.framework import RunContext, get_claim, run_claim\n"
                 "for cid in ('theorem-3.1c', 'lemma-3.2', 'lemma-F.1'):\n"
                 "    r = run_claim(get_claim(cid), RunContext(quick=True))\n"
                 "    print(cid, r.verdict, f'{r.seconds:.1f}s')"),
    ]
