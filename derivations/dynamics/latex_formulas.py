"""The Section 4 formulas exported to LaTeX (``ssam-verify latex``), one per claim statement."""
from __future__ import annotations

import sympy as sp

from .descent import contraction_constant, gd_multiplier
from .flow import TIME, balancing_bound, balancing_ode_rhs, symbolic_depth_balancing_ode_rhs, symbolic_depth_gradient
from .gradient import gradient_closed_form
from .hessian import hessian_bound
from .projection import inner_product_lower_bound, projection_radius

__all__ = ["formulas"]


def formulas(L: int = 3) -> list:
    """The Section 4 formulas for LaTeX export: ``(claim id, equation, name, expression)``."""
    gap = sp.Function("D_1")(TIME)
    hessian_bound_expr, _ = hessian_bound()
    radius, _ = projection_radius()
    constant_C, _ = contraction_constant()
    return [
        ("gradient-flow-facts", "12", "gradient of L_R, one coordinate",
         sp.Eq(sp.Symbol(r"\partial_{w_1} L_R"), gradient_closed_form(L)[0], evaluate=False)),
        ("theorem-4.1", "35", "balancing ODE (l = 1)",
         sp.Eq(sp.Derivative(gap, TIME), balancing_ode_rhs(L, 1), evaluate=False)),
        ("gradient-flow-facts", "12", "gradient of L_R, one coordinate, depth L",
         sp.Eq(sp.Symbol(r"\partial_{w_1} L_R"), symbolic_depth_gradient(), evaluate=False)),
        ("theorem-4.1", "35", "balancing ODE (l = 1), depth L",
         sp.Eq(sp.Derivative(gap, TIME), symbolic_depth_balancing_ode_rhs(), evaluate=False)),
        ("theorem-4.1", "", "balancing bound factor",
         sp.Eq(sp.Symbol(r"\|D(t)\|/\|D(0)\|"), balancing_bound(L), evaluate=False)),
        ("theorem-4.2", "", "Hessian bound M on {L_R <= c} (ours)",
         sp.Eq(sp.Symbol("M"), hessian_bound_expr, evaluate=False)),
        ("theorem-4.3", "50", "GD balancing recursion, exact factor m (l = 1)",
         sp.Eq(sp.Symbol("m"), gd_multiplier(L, 1), evaluate=False)),
        ("theorem-4.3", "", "contraction constant C (ours)", sp.Eq(sp.Symbol("C"), constant_C, evaluate=False)),
        ("theorem-4.4", "57", "inner-product lower bound, one coordinate",
         sp.GreaterThan(sp.Symbol(r"\langle \nabla L_R, W \rangle"), inner_product_lower_bound(L), evaluate=False)),
        ("theorem-4.4", "", "projection radius", sp.Eq(sp.Symbol("r"), radius, evaluate=False)),
    ]
