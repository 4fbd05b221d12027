"""The Section 3 formulas for the LaTeX export (:mod:`ssam_verify.latex`), each produced by the derivations."""
from __future__ import annotations

import sympy as sp

from .balancing import eq29_terms
from .coordinate_model import Ls, a, eta, lam, m
from .factorizations import factorization_minima, hessian_trace_loss
from .secant_bracket import root_bracket
from .shrinkage_polynomial import lambda_equation_derived, symbolic_depth_critical_point_equation
from .threshold import threshold_closed_form

__all__ = ["formulas"]


def formulas(L=None) -> list:
    """The Section 3 formulas for LaTeX export: ``(claim id, equation, name, expression)``."""
    tau = sp.Symbol("tau_L")
    W_l, W_next = sp.Symbol("W_l"), sp.Symbol("W_{l+1}")
    return [
        ("theorem-3.1a", "29", "eq 29, one coordinate, L = 3, l = 1", sp.Eq(eq29_terms(3)[0][0], eq29_terms(3)[0][1],
                                                                              evaluate=False)),
        ("theorem-3.1a", "", "balancing at critical points", sp.Eq(W_next ** 2, W_l ** 2, evaluate=False)),
        ("theorem-3.1b", "", "shrinkage polynomial",
         sp.Eq(sp.Function("P")(a), (a ** 2 + eta ** 2) ** (Ls - 1) - m * a ** (Ls - 2), evaluate=False)),
        ("theorem-3.1b", "13", "critical-point equation of layer 1, one coordinate, depth L",
         sp.Eq(sp.Symbol(r"w_1 \partial_{w_1} L_R"), symbolic_depth_critical_point_equation(), evaluate=False)),
        ("theorem-3.1b", "13", "lambda equation", sp.Eq(lambda_equation_derived(None), 0, evaluate=False)),
        ("theorem-3.1b", "14", "threshold", sp.Eq(tau, threshold_closed_form(None), evaluate=False)),
        ("theorem-3.1b", "", "double root", sp.Eq(a ** 2, (Ls - 2) * eta ** 2 / Ls, evaluate=False)),
        ("theorem-3.1b", "", "L -> oo asymptotics", sp.Eq(sp.Limit(tau / (2 ** (Ls - 1) * eta ** Ls), Ls, sp.oo),
                                                         1, evaluate=False)),
        ("lemma-F.1", "", "lower end of the bracket of both shrinkage factors (Appendix F, reconstructed)",
         sp.Le(root_bracket(None)["lower"], lam, evaluate=False)),
        ("lemma-F.1", "", "upper end of the bracket of both shrinkage factors (Appendix F, reconstructed)",
         sp.Le(lam, root_bracket(None)["upper"], evaluate=False)),
        ("theorem-3.1c", "", "loss at a critical point, one coordinate",
         sp.Eq(sp.Symbol("L(W)"), m ** 2 * (1 - lam ** Ls) ** 2, evaluate=False)),
        ("lemma-3.2", "", "minimal average sharpness over factorizations",
         sp.Eq(sp.Symbol("R_min"), factorization_minima(None)["R_min"], evaluate=False)),
        ("lemma-3.2", "", "minimal Hessian trace over factorizations",
         sp.Eq(sp.Symbol("T_min"), factorization_minima(None)["trace_min"], evaluate=False)),
        ("lemma-3.2", "", "Hessian trace of L, L = 3", sp.Eq(sp.Symbol("tr H"), hessian_trace_loss(3)[1], evaluate=False)),
    ]
