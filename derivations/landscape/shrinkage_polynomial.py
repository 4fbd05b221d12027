"""Theorem 3.1(b), symbolically: the shrinkage polynomial and the lambda equation, derived from ``grad L_R``.

At a balanced point ``w_l = s_l a`` with ``prod_l s_l = sign(w*)`` the critical-point
equation ``w_l d_l L_R = 0`` reads ``2 a^2 P(a) = 0`` with the shrinkage polynomial
``P(a) = (a^2 + eta^2)^(L-1) - m a^(L-2)``, ``m = |w*|``: for each integer ``L`` by
differentiating one coordinate of ``L_R`` (:func:`shrinkage_polynomial_derived`), and for a
symbolic ``L`` by differentiating ``L_R`` along one layer with the other ``L - 1`` layers at ``a``
(:func:`one_layer_free_L_R`, :func:`shrinkage_polynomial_symbolic_depth`; ``L_R`` is symmetric in
the layers, so every layer gives the same equation).  With the other sign pattern
``w_l d_l L_R`` is a sum of positive terms (:func:`wrong_sign_gradient`).  Splitting ``P`` into
its positive and negative parts, taking ``(L-1)``-th roots and substituting
``a = lambda m^(1/L)`` gives eq 13 (:func:`lambda_equation_derived`); Descartes' rule bounds
the positive roots by two (:func:`descartes_sign_changes`).  Nothing here re-types ``P``.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from derivations.marginalized import DEPTH, LAYER, coordinate_symbols, layer_weight
from derivations.polynomial_rings import ring_expand

from .coordinate_model import Ls, a, coordinate_L_R, eta, lam, m

__all__ = ["balanced_gradient", "shrinkage_polynomial_derived", "wrong_sign_gradient", "one_layer_free_L_R",
           "one_layer_free_matches_L_R", "shrinkage_polynomial_symbolic_depth", "lambda_equation_derived",
           "descartes_sign_changes", "symbolic_depth_critical_point_equation"]

#: The free layer of :func:`one_layer_free_L_R`.
free_layer = sp.Symbol("x", positive=True)


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
    return [ring_expand((s.w[l] * sp.diff(f, s.w[l])).xreplace(substitution), (a, m, eta)) for l in range(L)]


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


def one_layer_free_L_R(depth=None) -> sp.Expr:
    """One coordinate of ``L_R`` at ``(x, a, ..., a)``, ``w* = m``, for a symbolic (``None``) or integer depth.

    ``(m - x a^(L-1))^2 + (x^2 + eta^2)(a^2 + eta^2)^(L-1) - x^2 a^(2(L-1))``: the loss plus
    ``R = prod_l (w_l^2 + eta^2) - prod_l w_l^2`` (Lemma 2.2) with ``L - 1`` equal factors
    written as a power, which is what makes a symbolic ``L`` possible.
    :func:`one_layer_free_matches_L_R` proves it equal to
    :func:`derivations.landscape.coordinate_model.coordinate_L_R` restricted to that line for integer ``L``.
    """
    L = Ls if depth is None else sp.Integer(depth)
    x = free_layer
    return ((m - x * a ** (L - 1)) ** 2 + (x ** 2 + eta ** 2) * (a ** 2 + eta ** 2) ** (L - 1)
            - x ** 2 * a ** (2 * (L - 1)))


def one_layer_free_matches_L_R(L: int) -> bool:
    """Is :func:`one_layer_free_L_R` at depth ``L`` exactly ``coordinate_L_R(L)`` at ``w_1 = x``, ``w_l = a``, ``w* = m``?"""
    s = coordinate_symbols(L)
    restriction = {s.w[0]: free_layer, s.wstar: m, s.eta: eta}
    restriction.update({s.w[l]: a for l in range(1, L)})
    return sp.expand(coordinate_L_R(L).xreplace(restriction) - one_layer_free_L_R(L)) == 0


@lru_cache(maxsize=None)
def shrinkage_polynomial_symbolic_depth() -> sp.Expr:
    """``P(a)`` for a symbolic depth, derived: ``[x d_x L_R(x, a, ..., a)]_{x = a} / (2 a^2)``.

    ``L_R`` is symmetric in the layers, so ``x d_x`` at ``x = a`` is ``w_l d_l L_R`` at the
    balanced point for every ``l``.  Output ``(a^2 + eta^2)^(L-1) - m a^(L-2)``.
    """
    x = free_layer
    layer_gradient = (x * sp.diff(one_layer_free_L_R(None), x)).subs(x, a)
    return sp.simplify(sp.powsimp(sp.expand(layer_gradient / (2 * a ** 2)), force=True))


def _lambda_power_exponents_simplified(expr):
    """Powers of ``lambda`` and ``m`` with factored exponents (a canonical form for comparisons)."""
    for base in (lam, m):
        expr = expr.replace(lambda e, base=base: e.is_Pow and e.base == base,
                            lambda e, base=base: base ** sp.factor(sp.simplify(e.exp)))
    return expr


@lru_cache(maxsize=None)
def lambda_equation_derived(L=None, exponent=None) -> sp.Expr:
    """The lambda equation (eq 13), derived from the shrinkage polynomial derived from ``grad L_R``.

    ``P(a) = A - B`` with ``A = (a^2 + eta^2)^(L-1) > 0`` and ``B = m a^(L-2) > 0`` (the terms of
    :func:`shrinkage_polynomial_symbolic_depth` split by sign), so ``P = 0`` iff
    ``A^(1/(L-1)) = B^(1/(L-1))``; substituting ``a = lambda m^(1/L)`` and dividing by ``m^(2/L)``
    gives ``lambda^2 - lambda^((L-2)/(L-1)) + eta^2 m^(-2/L) = 0``.  ``L=None`` keeps ``L``
    symbolic.  ``exponent`` replaces the derived exponent of ``lambda`` (negative controls).
    Raises ``ArithmeticError`` if ``P`` does not split into one positive and one negative term
    or ``m`` does not cancel.
    """
    P = shrinkage_polynomial_symbolic_depth()
    terms = sp.Add.make_args(sp.expand(P, power_base=False, power_exp=False, multinomial=False))
    negative = [-t for t in terms if t.could_extract_minus_sign()]
    positive = [t for t in terms if not t.could_extract_minus_sign()]
    if len(negative) != 1 or len(positive) != 1:
        raise ArithmeticError(f"lambda_equation_derived: P does not split into A - B: {P}")
    depth = Ls if L is None else sp.Integer(L)

    def scaled_root(term):
        """``term^(1/(L-1))`` at ``a = lambda m^(1/L)``, divided by ``m^(2/L)``, powers combined."""
        rooted = sp.powdenest(term.subs(Ls, depth) ** (1 / (depth - 1)), force=True)
        scaled = sp.expand(rooted.subs(a, lam * m ** (1 / depth)) / m ** (2 / depth))
        combined = sp.Add(*[sp.powsimp(sp.expand_power_base(t, force=True), force=True)
                            for t in sp.Add.make_args(scaled)])
        return _lambda_power_exponents_simplified(combined)

    first, second = scaled_root(positive[0]), scaled_root(negative[0])
    if m in second.free_symbols:
        raise ArithmeticError(f"lambda_equation_derived: m does not cancel in {second}")
    return sp.expand(first - (second if exponent is None else lam ** exponent), deep=False, power_exp=False)


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


def symbolic_depth_critical_point_equation() -> sp.Expr:
    """``w_1 d L_R / d w_1 = 2 w_1^2 prod_{l=2}^{L} (w_l^2 + eta^2) - 2 w* prod_{l=1}^{L} w_l`` (depth ``L`` symbolic).

    The equation whose balanced solutions ``w_l = s_l a`` give eq 13 (at them it is ``2 a^2 P(a)``,
    :func:`shrinkage_polynomial_derived`); equals ``w_1`` times the derived gradient after
    :func:`derivations.marginalized.instantiate_depth` (checked for ``L = 2..6`` in the tests).
    """
    s, w = coordinate_symbols(2), layer_weight()
    return (2 * layer_weight(1) ** 2 * sp.Product(w ** 2 + s.eta ** 2, (LAYER, 2, DEPTH))
            - 2 * s.wstar * sp.Product(w, (LAYER, 1, DEPTH)))
