"""The gradient flow ``dw/dt = -grad L_R`` (eq 12): the facts of eqs 15-17 and Theorem 4.1.

* eq 16: ``sum_l ||W_l||^2 <= L_R(W(0)) / eta^{2(L-1)}`` (:func:`parameter_norm_bound`);
* eq 35 (Theorem 4.1): under the flow,
  ``d/dt (w_{l+1}^2 - w_l^2) = -4 eta^2 Q_{-{l,l+1}} (w_{l+1}^2 - w_l^2)``
  (:func:`flow_balancing_derivative`, :func:`balancing_ode_rhs`), and
  ``Q_{-{l,l+1}} - eta^{2(L-2)}`` is non-negative (eq 36, :func:`balancing_rate_floor_gap`),
  so the gaps decay at least like ``exp(-4 eta^{2(L-1)} t)`` (:func:`balancing_bound`).
"""
from __future__ import annotations

import sympy as sp

from ..marginalized import DEPTH, LAYER, coordinate_symbols, layer_weight
from .gradient import Q_excluding, gradient

__all__ = [
    "TIME",
    "parameter_norm_bound",
    "flow_balancing_derivative",
    "balancing_ode_rhs",
    "balancing_rate_floor_gap",
    "balancing_bound",
    "symbolic_depth_gradient",
    "symbolic_depth_balancing_ode_rhs",
]

#: Time ``t`` of the gradient flow (eq 12).
TIME = sp.Symbol("t", nonnegative=True)


def parameter_norm_bound(L: int, exponent_shift=0, factor=1):
    """Eq 16: ``sum_l ||W_l||^2 <= L_R(W(0)) / eta^{2(L-1)}``; returns ``(bound, (c, eta))`` with ``c = L_R(W(0))``.

    ``exponent_shift`` and ``factor`` build negative controls (``eta^{2L}``, half the bound).
    """
    c, eta = sp.symbols("c eta", positive=True)
    return factor * c / eta ** (2 * (L - 1) + exponent_shift), (c, eta)



def flow_balancing_derivative(L: int, l: int) -> sp.Expr:
    """``d/dt (w_{l+1}^2 - w_l^2)`` under the flow ``dw/dt = -grad L_R`` (eq 12), ``l`` 1-based.

    Not expanded (the gradient keeps its products); compare with :func:`derivations.marginalized.prove_identity`.
    """
    s = coordinate_symbols(L)
    g = gradient(L)
    a, b = l - 1, l
    return -2 * s.w[b] * g[b] + 2 * s.w[a] * g[a]


def balancing_ode_rhs(L: int, l: int, rate_factor=4) -> sp.Expr:
    """Right side of eq 35: ``-4 eta^2 Q_{-{l,l+1}} (w_{l+1}^2 - w_l^2)`` (``rate_factor`` for negative controls)."""
    s = coordinate_symbols(L)
    a, b = l - 1, l
    return -rate_factor * s.eta ** 2 * Q_excluding(s, (a, b)) * (s.w[b] ** 2 - s.w[a] ** 2)


def balancing_rate_floor_gap(L: int, l: int) -> sp.Expr:
    """``Q_{-{l,l+1}} - eta^{2(L-2)}`` (eq 36): non-negative, so the rate is at least ``4 eta^{2(L-1)}``.

    Not expanded; :func:`derivations.dynamics.gradient.is_nonnegative_polynomial` decides it by coefficients.
    """
    s = coordinate_symbols(L)
    return Q_excluding(s, (l - 1, l)) - s.eta ** (2 * (L - 2))


def balancing_bound(L: int, rate_factor=4) -> sp.Expr:
    """Theorem 4.1: the factor ``exp(-rate_factor eta^{2(L-1)} t)`` bounding ``||D(t)||_F / ||D(0)||_F``."""
    eta = coordinate_symbols(L).eta
    return sp.exp(-rate_factor * eta ** (2 * (L - 1)) * TIME)


def symbolic_depth_gradient() -> sp.Expr:
    """``d L_R / d w_1 = 2 w_1 prod_{l=2}^{L} (w_l^2 + eta^2) - 2 w* prod_{l=2}^{L} w_l`` (eq 12, depth ``L`` symbolic).

    Equals :func:`derivations.dynamics.gradient.gradient` ``(L)[0]`` after
    :func:`derivations.marginalized.instantiate_depth` (checked for ``L = 2..6`` in the tests).
    """
    s, w = coordinate_symbols(2), layer_weight()
    return (2 * layer_weight(1) * sp.Product(w ** 2 + s.eta ** 2, (LAYER, 2, DEPTH))
            - 2 * s.wstar * sp.Product(w, (LAYER, 2, DEPTH)))


def symbolic_depth_balancing_ode_rhs(rate_factor=4) -> sp.Expr:
    """Right side of eq 35 for ``l = 1``, depth ``L`` symbolic: ``-4 eta^2 prod_{l=3}^{L} (w_l^2 + eta^2) (w_2^2 - w_1^2)``.

    Equals :func:`flow_balancing_derivative` ``(L, 1)`` (derived from the gradient) after
    :func:`derivations.marginalized.instantiate_depth`; ``rate_factor`` for negative controls.
    """
    eta, w = coordinate_symbols(2).eta, layer_weight()
    return (-rate_factor * eta ** 2 * sp.Product(w ** 2 + eta ** 2, (LAYER, 3, DEPTH))
            * (layer_weight(2) ** 2 - layer_weight(1) ** 2))
