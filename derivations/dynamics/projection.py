"""Theorem 4.4 (projected S-SAM): the inner product ``<grad L_R(W), W>`` and the projection radius.

* eq 57: ``sum_l w_l dL_R/dw_l - (2 eta^{2(L-1)} sum_l w_l^2 + 2 L pi^2 - 2 L w* pi)`` is
  non-negative (:func:`inner_product`, :func:`inner_product_lower_bound`);
* the quadratic ``2 L x^2 - 2 L ||w*|| x + 2 eta^{2(L-1)} r^2`` is positive for all ``x`` iff
  ``r > sqrt(L) ||w*|| / (2 eta^{L-1})`` (:func:`radius_discriminant_condition`,
  :func:`projection_radius`); the third-party summary's radius is
  :func:`projection_radius_summary_reading`.
"""
from __future__ import annotations

import sympy as sp

from ..marginalized import coordinate_symbols
from ..polynomial_rings import ring_expand
from .gradient import gradient

__all__ = [
    "inner_product",
    "inner_product_lower_bound",
    "projection_radius",
    "projection_radius_summary_reading",
    "radius_discriminant_condition",
]


def inner_product(L: int) -> sp.Expr:
    """``sum_l w_l dL_R/dw_l`` (one coordinate): ``<grad L_R(W), W>`` summed over coordinates."""
    s = coordinate_symbols(L)
    return ring_expand(sum(s.w[l] * g for l, g in enumerate(gradient(L))))


def inner_product_lower_bound(L: int) -> sp.Expr:
    """Eq 57 per coordinate: ``2 eta^{2(L-1)} sum_l w_l^2 + 2 L pi^2 - 2 L w* pi``."""
    s = coordinate_symbols(L)
    pi = sp.Mul(*s.w)
    return 2 * s.eta ** (2 * (L - 1)) * sum(wl ** 2 for wl in s.w) + 2 * L * pi ** 2 - 2 * L * s.wstar * pi


def projection_radius(L=None, factor=sp.Rational(1, 2)):
    """Theorem 4.4 radius (re-derived): ``sqrt(L) ||w*|| / (2 eta^{L-1})``; returns ``(r, (L, norm_wstar, eta))``.

    ``factor`` (default 1/2) scales ``sqrt(L) ||w*|| / eta^{L-1}``; negative controls use others.
    """
    Ls, n, eta = sp.symbols("L n_wstar eta", positive=True)
    Lv = Ls if L is None else sp.Integer(L)
    return factor * sp.sqrt(Lv) * n / eta ** (Lv - 1), (Lv, n, eta)


def projection_radius_summary_reading(L=None):
    """The third-party summary's radius ``max{1, sqrt(L)/(2 eta^{L-1})} ||w*||``; returns ``(r, (L, n, eta))``."""
    Ls, n, eta = sp.symbols("L n_wstar eta", positive=True)
    Lv = Ls if L is None else sp.Integer(L)
    return sp.Max(1, sp.sqrt(Lv) / (2 * eta ** (Lv - 1))) * n, (Lv, n, eta)


def radius_discriminant_condition():
    """The discriminant of ``q(x) = 2 L x^2 - 2 L n x + 2 eta^{2(L-1)} r^2`` and the radius where it vanishes.

    Returns ``(discriminant, r_zero)``: ``q > 0`` for every real ``x`` iff the discriminant is
    negative iff ``r > r_zero = sqrt(L) n / (2 eta^{L-1})`` (``n = ||w*||``).
    """
    Ls, n, eta, r, x = sp.symbols("L n_wstar eta r x", positive=True)
    q = 2 * Ls * x ** 2 - 2 * Ls * n * x + 2 * eta ** (2 * (Ls - 1)) * r ** 2
    disc = sp.discriminant(q, x)
    # the discriminant is c2 r^2 + c0 with c2 < 0 < c0: it vanishes at r = sqrt(-c0/c2)
    polynomial = sp.Poly(disc, r)
    if polynomial.degree() != 2 or polynomial.coeff_monomial(r) != 0:
        raise ArithmeticError(f"discriminant is not of the form c2 r^2 + c0: {disc}")
    r_zero = sp.sqrt(sp.simplify(-polynomial.coeff_monomial(1) / polynomial.coeff_monomial(r ** 2)))
    return sp.factor(disc), r_zero
