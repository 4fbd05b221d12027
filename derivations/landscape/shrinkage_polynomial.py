"""Theorem 3.1(b), symbolically: the shrinkage polynomial and the lambda equation, derived.

At a balanced point ``w_l = s_l a`` with ``prod_l s_l = sign(w*)`` the critical-point
equation ``w_l d_l L_R = 0`` reads ``2 a^2 P(a) = 0`` with the shrinkage polynomial
``P(a) = (a^2 + eta^2)^(L-1) - m a^(L-2)``, ``m = |w*|`` (:func:`shrinkage_polynomial_derived`);
with the other sign pattern it is a sum of positive terms (:func:`wrong_sign_gradient`).
Substituting ``a = lambda m^(1/L)`` gives eq 13 (:func:`lambda_equation_derived`);
Descartes' rule bounds the positive roots by two (:func:`descartes_sign_changes`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from derivations.marginalized import coordinate_symbols

from .coordinate_model import Ls, a, coordinate_L_R, eta, lam, m

__all__ = ["balanced_gradient", "shrinkage_polynomial_derived", "wrong_sign_gradient", "lambda_equation_derived",
           "descartes_sign_changes"]


def balanced_gradient(L: int, signs: tuple, target_sign: int = 1) -> list:
    """``w_l d_{w_l} L_R`` at the balanced point ``w_l = s_l a`` with ``w* = target_sign * m`` (``a, m > 0``).

    Derived by differentiating :func:`derivations.landscape.coordinate_model.coordinate_L_R` and
    substituting; one expression per layer (they coincide: the dependence on ``l`` is only
    through ``s_l^2 = 1``).
    """
    s = coordinate_symbols(L)
    f = coordinate_L_R(L)
    substitution = {s.w[l]: signs[l] * a for l in range(L)}
    substitution[s.wstar] = target_sign * m
    return [sp.expand((s.w[l] * sp.diff(f, s.w[l])).xreplace(substitution)) for l in range(L)]


@lru_cache(maxsize=None)
def shrinkage_polynomial_derived(L: int) -> sp.Expr:
    """The shrinkage polynomial, derived: ``w_l d_l L_R / (2 a^2)`` at a balanced point with ``prod s_l = sign(w*)``.

    Output (proof of Theorem 3.1(b)): ``(a^2 + eta^2)^(L-1) - m a^(L-2)``, ``m = |w*|``
    (returned expanded; :func:`sympy.factor_terms` shows the structure).
    """
    s = coordinate_symbols(L)
    layer_gradient = balanced_gradient(L, (1,) * L, 1)[0]
    P = sp.expand(sp.cancel(layer_gradient / (2 * a ** 2)))
    return P.xreplace({s.eta: eta})


def wrong_sign_gradient(L: int) -> sp.Expr:
    """``w_l d_l L_R`` when ``prod s_l = -sign(w*)``: a sum of positive terms (no nonzero critical point)."""
    signs = (-1,) + (1,) * (L - 1)
    return balanced_gradient(L, signs, 1)[0]


@lru_cache(maxsize=None)
def lambda_equation_derived(L=None, exponent=None) -> sp.Expr:
    """The lambda equation (eq 13), derived from the shrinkage polynomial.

    With ``a = lambda m^(1/L)``: ``P = m^(2(L-1)/L) [(lambda^2 + c)^(L-1) - lambda^(L-2)]``,
    ``c = eta^2 m^(-2/L)``; both bracketed terms are positive, so taking the
    ``(L-1)``-th root gives ``lambda^2 - lambda^((L-2)/(L-1)) + eta^2 m^(-2/L) = 0``.
    ``L=None`` works with a symbolic ``L``.  ``exponent`` overrides the derived
    exponent (negative controls).
    """
    depth = Ls if L is None else sp.Integer(L)
    P = (a ** 2 + eta ** 2) ** (depth - 1) - m * a ** (depth - 2)
    scaled = sp.powsimp(sp.expand_power_base(P.subs(a, lam * m ** (1 / depth)), force=True), force=True)
    # the two terms, divided by m^(2(L-1)/L)
    first_term = sp.powsimp(sp.expand_power_base(
        ((lam ** 2 * m ** (2 / depth) + eta ** 2) / m ** (2 / depth)) ** (depth - 1), force=True), force=True)
    second_term = sp.powsimp(sp.expand_power_base(
        m * (lam * m ** (1 / depth)) ** (depth - 2) / m ** (2 * (depth - 1) / depth), force=True), force=True)
    assert sp.simplify(scaled / m ** (2 * (depth - 1) / depth) - (first_term - second_term)) == 0 or L is None
    base = sp.expand(sp.powdenest(first_term ** (1 / (depth - 1)), force=True))
    rhs = sp.powdenest(second_term ** (1 / (depth - 1)), force=True)
    rhs = sp.powsimp(rhs, force=True)
    if exponent is not None:
        rhs = lam ** exponent
    out = sp.expand(base - rhs)
    return out.replace(lambda e: e.is_Pow and e.base == lam, lambda e: lam ** sp.factor(sp.simplify(e.exp)))


@lru_cache(maxsize=None)
def descartes_sign_changes(L: int) -> dict:
    """Signs of the coefficients of ``P(a)`` (powers of ``a`` descending) and the maximal number of sign changes.

    All coefficients are positive except possibly that of ``a^(L-2)``
    (``binom(L-1, (L-2)/2) eta^L - m`` for even ``L``, ``-m`` for odd ``L``), so
    the sequence has 0 or 2 sign changes (``L >= 3``; 1 for ``L = 2``): at most
    two positive roots counting multiplicity.
    """
    P = sp.Poly(shrinkage_polynomial_derived(L), a)
    coefficients = [c for c in P.all_coeffs() if c != 0]
    signs = []
    undetermined = None
    for c in coefficients:
        if c.is_positive:
            signs.append(1)
        elif c.is_negative:
            signs.append(-1)
        else:
            signs.append(0)  # sign depends on m and eta
            undetermined = c
    changes = []
    for choice in (1, -1):
        sequence = [choice if x == 0 else x for x in signs]
        changes.append(sum(1 for u, v in zip(sequence, sequence[1:]) if u != v))
    return {"degree": P.degree(), "coefficients": coefficients, "signs": signs, "undetermined": undetermined,
            "max_sign_changes": max(changes)}
