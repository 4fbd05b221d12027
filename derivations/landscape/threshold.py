"""Theorem 3.1(b), symbolically: the threshold ``tau_L(eta)`` (eq 14), the double root, the ``L -> oo`` limit.

The shrinkage polynomial derived from ``grad L_R``
(:mod:`derivations.landscape.shrinkage_polynomial`) is linear in ``m = |w*|``; solving ``P(a) = 0``
for ``m`` gives ``m = g(a) = (a^2+eta^2)^(L-1) / a^(L-2)``, so nonzero roots exist iff
``m >= min_a g``: the threshold is derived as that minimum, for a symbolic ``L``
(:func:`threshold_derived`), and compared with the paper's closed form (:func:`threshold_closed_form`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .coordinate_model import Ls, a, eta, m
from .shrinkage_polynomial import shrinkage_polynomial_derived, shrinkage_polynomial_symbolic_depth

__all__ = ["threshold_objective", "threshold_derived", "threshold_closed_form", "double_root_conditions", "threshold_asymptotics"]


def threshold_objective(L=None) -> sp.Expr:
    """``g(a)``: the ``m`` at which ``a`` is a root of ``P``, solved from the derived ``P`` (``P`` is linear in ``m``).

    ``L=None``: from :func:`derivations.landscape.shrinkage_polynomial.shrinkage_polynomial_symbolic_depth`;
    an integer ``L``: from :func:`derivations.landscape.shrinkage_polynomial.shrinkage_polynomial_derived`.
    ``P = c_1 m + c_0`` with ``c_1 = dP/dm`` and ``c_0 = P(m = 0)`` gives ``m = -c_0 / c_1``:
    ``(a^2+eta^2)^(L-1) / a^(L-2)``.  Raises ``ArithmeticError`` unless ``P = 0`` has exactly
    one solution ``m`` (``P`` of degree one in ``m``).
    """
    P = shrinkage_polynomial_symbolic_depth() if L is None else shrinkage_polynomial_derived(L)
    slope = sp.diff(P, m)
    if slope == 0 or sp.diff(slope, m) != 0:
        raise ArithmeticError(f"threshold_objective: P = 0 should have one solution m (P linear in m), got P = {P}")
    solution = -P.subs(m, 0) / slope
    return sp.powsimp(solution if L is None else sp.factor(solution), force=True)


def _positive_stationary_points(numerator, L):
    """Positive roots ``a`` of the numerator of ``d/da log g``: by :func:`sympy.roots` of the polynomial
    in ``a`` (integer ``L``), by :func:`sympy.solve` for a symbolic ``L``; roots known to be negative dropped."""
    if L is None:
        candidates = sp.solve(sp.Eq(numerator, 0), a)
    else:
        polynomial = sp.Poly(numerator, a)
        candidates = list(sp.roots(polynomial))
        if sum(sp.roots(polynomial).values()) != polynomial.degree():
            raise ArithmeticError(f"threshold_derived: not every root of {numerator} was found")
    return [x for x in candidates if x.is_positive is not False]


@lru_cache(maxsize=None)
def threshold_derived(L=None) -> dict:
    """The threshold as ``min_{a > 0} g(a)``, ``g`` from :func:`threshold_objective` (``P(a) = a^(L-2)(g(a) - m)``).

    ``L=None``: symbolic ``L``.  Solves ``d/da log g = 0`` (unique positive
    solution ``a_c``) and returns ``{"a_c": ..., "tau": g(a_c), "dlog": ...,
    "second": (d/da)^2 log g at a_c, "g": g}``.  For ``L = 2`` the infimum ``eta^2`` is
    the limit ``a -> 0`` (not attained).  Raises ``ArithmeticError`` unless the stationary
    point is unique.
    """
    g = threshold_objective(L)
    if L == 2:
        return {"a_c": sp.Integer(0), "tau": sp.limit(g, a, 0, "+"), "dlog": sp.diff(sp.log(g), a), "second": None,
                "g": g}
    log_g = sp.expand_log(sp.log(g), force=True)
    dlog = sp.together(sp.diff(log_g, a))
    solutions = _positive_stationary_points(sp.numer(dlog), L)
    if len(solutions) != 1:
        raise ArithmeticError(f"threshold_derived: expected one positive stationary point of log g, got {solutions}")
    a_c = sp.simplify(solutions[0]) if L is None else sp.radsimp(solutions[0])
    if L is None:
        tau = sp.simplify(g.subs(a, a_c))
        second = sp.simplify(sp.diff(log_g, a, 2).subs(a, a_c))
    else:  # integer L: rational functions of a and eta, simplified by cancellation
        tau = sp.factor(sp.powsimp(sp.expand(g.subs(a, a_c)), force=True))
        second = sp.factor(sp.radsimp(sp.cancel(sp.diff(log_g, a, 2).subs(a, a_c))))
    return {"a_c": a_c, "tau": tau, "dlog": dlog, "second": second, "g": g}


def threshold_closed_form(L=None, swap_exponent: bool = False) -> sp.Expr:
    """The paper's eq 14: ``eta^L (2(L-1))^(L-1) / (L^(L/2) (L-2)^((L-2)/2))`` (``0^0 = 1`` at ``L = 2``)."""
    depth = Ls if L is None else sp.Integer(L)
    if swap_exponent:
        return (eta ** depth * (2 * (depth - 1)) ** (depth - 2)
                / (depth ** (depth / 2) * (depth - 2) ** ((depth - 1) / 2)))
    return eta ** depth * (2 * (depth - 1)) ** (depth - 1) / (depth ** (depth / 2) * (depth - 2) ** ((depth - 2) / 2))


@lru_cache(maxsize=None)
def double_root_conditions(L: int) -> tuple:
    """``(P(a_c), P'(a_c))`` at ``m = tau_L(eta)`` with the derived ``a_c, tau``: both zero (a double root)."""
    derived = threshold_derived(L)
    P = shrinkage_polynomial_derived(L).subs(m, derived["tau"])
    return (sp.simplify(P.subs(a, derived["a_c"])), sp.simplify(sp.diff(P, a).subs(a, derived["a_c"])))


@lru_cache(maxsize=None)
def threshold_asymptotics() -> dict:
    """``lim_{L->oo} tau_L / (2^(L-1) eta^L)`` and ``lim (L-2)/(L-1)``, for the derived ``tau``.

    The limit is taken of the logarithm of the ratio (expanded), then
    exponentiated: ``log_limit = 0`` means ``tau_L ~ 2^(L-1) eta^L``.
    """
    derived = threshold_derived(None)
    ratio = sp.simplify(sp.powsimp(sp.expand_power_base(derived["tau"] / (2 ** (Ls - 1) * eta ** Ls), force=True),
                                   force=True))
    x = sp.Symbol("x", positive=True)
    log_ratio = sp.expand_log(sp.log(ratio.subs(Ls, x)), force=True)
    log_limit = sp.limit(log_ratio, x, sp.oo)
    return {"ratio": ratio, "log_ratio": log_ratio, "log_limit": log_limit, "limit": sp.exp(log_limit),
            "exponent_limit": sp.limit((x - 2) / (x - 1), x, sp.oo)}
