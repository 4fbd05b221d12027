"""Gradient descent ``w' = w - alpha grad L_R`` (eq 18): the balancing recursion of Theorem 4.3.

* eq 50: one GD step gives
  ``D' = (1 - 4 alpha eta^2 Q_{-{l,l+1}}) D + alpha^2 (g_{l+1}^2 - g_l^2)`` (:func:`gd_balancing_recursion`);
* beyond the paper, the exact factorization
  ``g_{l+1}^2 - g_l^2 = 4 D (eta^4 A^2 - s^2)``, ``A = Q_{-{l,l+1}}``, ``s = A w_l w_{l+1} - w* pi_{-{l,l+1}}``
  (:func:`gd_gradient_square_difference`), so ``D' = m D`` with
  ``m = (1 - 2 alpha eta^2 A)^2 - 4 alpha^2 s^2`` per coordinate (:func:`gd_multiplier`);
* with ``R <= c`` this gives Theorem 4.3 with the explicit constant
  ``C = 4 max(c^2, c^2/2 + 2 w*_inf^2 c) / eta^4`` (:func:`contraction_constant`, proof steps in
  :func:`contraction_constant_proof`, the last step -- combining them into ``|m| <= 1 - 4 alpha
  eta^{2(L-1)} + C alpha^2`` -- in :func:`contraction_constant_combination_proof`, the bound in
  :func:`contraction_factor_bound`).
"""
from __future__ import annotations

import sympy as sp

from ..marginalized import coordinate_symbols, prove_identity, regularizer_closed_form
from .gradient import Q_excluding, gradient, is_nonnegative_polynomial, pi_excluding

__all__ = [
    "ALPHA",
    "gd_balancing_next",
    "gd_balancing_recursion",
    "gd_gradient_square_difference",
    "gd_multiplier",
    "contraction_constant",
    "contraction_constant_proof",
    "contraction_constant_combination_proof",
    "is_nonnegative_in_nonnegative_variables",
    "contraction_factor_bound",
]

#: Step size ``alpha`` of gradient descent (eq 18).
ALPHA = sp.Symbol("alpha", positive=True)


def gd_balancing_next(L: int, l: int) -> sp.Expr:
    """``w_{l+1}'^2 - w_l'^2`` after one GD step ``w' = w - alpha grad L_R`` (eq 18)."""
    s = coordinate_symbols(L)
    g = gradient(L)
    a, b = l - 1, l
    return (s.w[b] - ALPHA * g[b]) ** 2 - (s.w[a] - ALPHA * g[a]) ** 2


def gd_balancing_recursion(L: int, l: int, include_alpha2=True) -> sp.Expr:
    """Eq 50: ``(1 - 4 alpha eta^2 Q_{-{l,l+1}}) D + alpha^2 (g_{l+1}^2 - g_l^2)``.

    ``include_alpha2=False`` drops the ``alpha^2`` term (a negative control).
    """
    s = coordinate_symbols(L)
    g = gradient(L)
    a, b = l - 1, l
    D = s.w[b] ** 2 - s.w[a] ** 2
    out = (1 - 4 * ALPHA * s.eta ** 2 * Q_excluding(s, (a, b))) * D
    if include_alpha2:
        out += ALPHA ** 2 * (g[b] ** 2 - g[a] ** 2)
    return out


def _pair_terms(L, l):
    """``(symbols, A, s)`` for the pair ``(l, l+1)``: ``A = Q_{-{l,l+1}}``, ``s = A w_l w_{l+1} - w* pi_{-{l,l+1}}``."""
    s = coordinate_symbols(L)
    a, b = l - 1, l
    A = Q_excluding(s, (a, b))
    s_pair = A * s.w[a] * s.w[b] - s.wstar * pi_excluding(s, (a, b))
    return s, A, s_pair


def gd_gradient_square_difference(L: int, l: int) -> sp.Expr:
    """``4 D (eta^4 A^2 - s^2)`` -- the exact factorization of ``g_{l+1}^2 - g_l^2`` (beyond the paper)."""
    s, A, s_pair = _pair_terms(L, l)
    D = s.w[l] ** 2 - s.w[l - 1] ** 2
    return 4 * D * (s.eta ** 4 * A ** 2 - s_pair ** 2)


def gd_multiplier(L: int, l: int, include_alpha2=True) -> sp.Expr:
    """Per-coordinate factor ``m`` with ``D' = m D``: ``(1 - 2 alpha eta^2 A)^2 - 4 alpha^2 s^2``.

    ``A = Q_{-{l,l+1}}``, ``s = A w_l w_{l+1} - w* pi_{-{l,l+1}}``.  With
    ``include_alpha2=False``: ``1 - 4 alpha eta^2 A`` (the negative control "no alpha^2 term").
    """
    s, A, s_pair = _pair_terms(L, l)
    if not include_alpha2:
        return 1 - 4 * ALPHA * s.eta ** 2 * A
    return (1 - 2 * ALPHA * s.eta ** 2 * A) ** 2 - 4 * ALPHA ** 2 * s_pair ** 2


def contraction_constant():
    """Theorem 4.3 constant (ours): ``C = 4 max(c^2, c^2/2 + 2 w_inf^2 c) / eta^4``.

    For GD under the step condition of Theorem 4.2 (so ``R(W(k)) <= c = L_R(W(0))``)
    and ``alpha_k <= 1 / (4 eta^{2(L-1)})``:
    ``||D(k+1)||_F <= (1 - 4 alpha_k eta^{2(L-1)} + C alpha_k^2) ||D(k)||_F``.
    Returns ``(C, (c, w_inf, eta))`` with ``w_inf = max_h |w*_h|``.
    Proof: ``|m| <= 1 - 4 alpha eta^{2(L-1)} + 4 alpha^2 max(eta^4 A^2, s^2)`` (if ``m >= 0``
    drop ``-s^2``; if ``m < 0``, ``|m| <= 4 alpha^2 s^2``), ``eta^4 A <= R`` and
    ``s^2 <= 2 (A w_l w_{l+1})^2 + 2 w*^2 pi_{-{l,l+1}}^2 <= R^2 / (2 eta^4) + 2 w*^2 R / eta^4``
    (steps proven in :func:`derivations.dynamics.hessian.hessian_bound_proof` / :func:`contraction_constant_proof`).
    """
    c, w, eta = sp.symbols("c w_inf eta", positive=True)
    return 4 * sp.Max(c ** 2, c ** 2 / 2 + 2 * w ** 2 * c) / eta ** 4, (c, w, eta)


def contraction_constant_proof(L: int, l: int) -> dict:
    """The polynomial steps behind :func:`contraction_constant` for depth ``L``, pair ``l``."""
    s, A, s_pair = _pair_terms(L, l)
    R = regularizer_closed_form(L)
    a, b = l - 1, l
    syms = list(s.w) + [s.eta]
    p = pi_excluding(s, (a, b))
    return {
        "eta^4 A <= R": is_nonnegative_polynomial(R - s.eta ** 4 * A, syms),
        "eta^4 pi_{-{l,l+1}}^2 <= R": is_nonnegative_polynomial(R - s.eta ** 4 * p ** 2, syms),
        "2 eta^2 |w_l w_{l+1}| A <= R (both signs)": all(
            is_nonnegative_polynomial(R - sg * 2 * s.eta ** 2 * s.w[a] * s.w[b] * A
                                      - s.eta ** 2 * A * (s.w[a] - sg * s.w[b]) ** 2, syms)
            and prove_identity(
                R - sg * 2 * s.eta ** 2 * s.w[a] * s.w[b] * A,
                (R - s.eta ** 2 * A * (s.w[a] ** 2 + s.w[b] ** 2)) + s.eta ** 2 * A * (s.w[a] - sg * s.w[b]) ** 2)
            for sg in (1, -1)),
        # 2x^2 + 2y^2 - (x - y)^2 = (x + y)^2 with x = A w_l w_{l+1}, y = w* pi_{-{l,l+1}}
        "s^2 <= 2 (A w_l w_{l+1})^2 + 2 w*^2 pi^2": prove_identity(
            2 * (A * s.w[a] * s.w[b]) ** 2 + 2 * s.wstar ** 2 * p ** 2 - s_pair ** 2,
            (A * s.w[a] * s.w[b] + s.wstar * p) ** 2),
    }


def is_nonnegative_in_nonnegative_variables(expr, variables) -> bool:
    """``True`` if ``expr`` expands to a polynomial in ``variables`` with non-negative coefficients
    (a certificate of ``expr >= 0`` whenever every variable is ``>= 0``)."""
    p = sp.Poly(sp.expand(expr), *variables)
    return all(coeff >= 0 for coeff in p.coeffs())


def contraction_constant_combination_proof() -> dict:
    """The last step of :func:`contraction_constant`: the per-piece bounds give ``|m| <= 1 - 4 alpha eta^{2(L-1)} + C alpha^2``.

    Independent of ``L``: write ``e = eta^{2(L-2)}`` (so ``eta^{2(L-1)} = eta^2 e``) and encode every
    hypothesis as a non-negative slack variable:

    * eq 36, ``A >= e``: ``A = e + p``;
    * ``eta^4 A <= R <= c`` (:func:`contraction_constant_proof`, ``L_R`` non-increasing): ``c = eta^4 A + q``;
    * ``s^2 <= S2 = (c^2/2 + 2 w_inf^2 c)/eta^4`` (pieces of :func:`contraction_constant_proof`):
      ``S2 = sigma + t`` with ``sigma = s^2``; the pieces ``2 (A w_l w_{l+1})^2 <= c^2/(2 eta^4)`` (from
      ``2 eta^2 X <= R = 2 eta^2 X + v1``, ``R <= c``) and ``2 w*^2 pi^2 <= 2 w_inf^2 c/eta^4`` (from
      ``eta^4 P <= R``, ``w*^2 <= w_inf^2``) are checked as certificates too;
    * ``C = 4 max(c^2, S2 eta^4)/eta^4``: ``C = 4 c^2/eta^4 + r1 = 4 S2 + r2``;
    * the step condition ``alpha <= 1/(4 eta^{2(L-1)})``: ``1 - 4 alpha eta^2 e = u``.

    With ``m = (1 - 2 alpha eta^2 A)^2 - 4 alpha^2 sigma`` and ``b = 1 - 4 alpha eta^2 e + C alpha^2``:
    ``b - m`` and ``b + m`` are (after substitution, times ``eta^4``) polynomials with non-negative
    coefficients in non-negative variables, plus the square ``(1 - 2 alpha eta^2 A)^2``; so ``|m| <= b``
    and ``||D(k+1)||_F <= b ||D(k)||_F``.
    """
    alpha, eta, e, p, q, sigma, t, r1, r2, u = sp.symbols("alpha eta e p q sigma t r1 r2 u", nonnegative=True)
    X, v1, v2, v4, P, w_inf, v3 = sp.symbols("X v1 v2 v4 P w_inf v3", nonnegative=True)
    A = e + p
    c = eta ** 4 * A + q
    m = (1 - 2 * alpha * eta ** 2 * A) ** 2 - 4 * alpha ** 2 * sigma
    C_first = 4 * c ** 2 / eta ** 4 + r1
    S2 = sigma + t
    C_second = 4 * S2 + r2
    bound_first = 1 - 4 * alpha * eta ** 2 * e + C_first * alpha ** 2
    # the step condition: 1 - 4 alpha eta^2 e = u >= 0, so b = u + C alpha^2
    bound_second = u + C_second * alpha ** 2
    minus_square = sp.expand(bound_second + m - (1 - 2 * alpha * eta ** 2 * A) ** 2)
    # the two pieces of s^2 <= S2, with R = 2 eta^2 X + v1 = eta^4 P + v2, c = R + v4, w*^2 = w_inf^2 - v3
    R_from_X, R_from_P = 2 * eta ** 2 * X + v1, eta ** 4 * P + v2
    piece_x = (R_from_X + v4) ** 2 / 2 - 2 * eta ** 4 * X ** 2
    piece_y = 2 * w_inf ** 2 * (R_from_P + v4) - 2 * (w_inf ** 2 - v3) * eta ** 4 * P
    variables = [alpha, eta, e, p, q, sigma, t, r1, r2, u]
    return {
        "b - m >= 0 (C >= 4 c^2/eta^4, A >= eta^{2(L-2)}, eta^4 A <= c)": is_nonnegative_in_nonnegative_variables(
            sp.expand((bound_first - m) * eta ** 4), variables),
        "b + m >= 0 (C >= 4 S2 >= 4 s^2, alpha <= 1/(4 eta^{2(L-1)}))": is_nonnegative_in_nonnegative_variables(
            minus_square, variables),
        "2 (A w_l w_{l+1})^2 <= c^2/(2 eta^4)": is_nonnegative_in_nonnegative_variables(
            sp.expand(piece_x), [eta, X, v1, v4]),
        "2 w*^2 pi_{-{l,l+1}}^2 <= 2 w_inf^2 c/eta^4": is_nonnegative_in_nonnegative_variables(
            sp.expand(piece_y), [eta, P, v2, v4, w_inf, v3]),
        "C = 4 max(...)/eta^4 >= both": _max_dominates_both(),
    }


def _max_dominates_both() -> bool:
    """``contraction_constant`` is at least ``4 c^2/eta^4`` and ``4 (c^2/2 + 2 w^2 c)/eta^4`` (at sampled rationals)."""
    C, (c, w, eta) = contraction_constant()
    for cv, wv in ((sp.Rational(1, 3), sp.Rational(5, 2)), (sp.Integer(7), sp.Rational(1, 10)), (sp.Integer(2), 1)):
        values = {c: cv, w: wv, eta: sp.Rational(3, 4)}
        first = (4 * c ** 2 / eta ** 4).subs(values)
        second = (4 * (c ** 2 / 2 + 2 * w ** 2 * c) / eta ** 4).subs(values)
        if C.subs(values) != max(first, second):
            return False
    return True


def contraction_factor_bound(L: int, rate_factor=4, with_c=True):
    """Theorem 4.3: ``1 - rate_factor alpha eta^{2(L-1)} + C alpha^2`` (``with_c=False`` drops ``C alpha^2``).

    Returns ``(expr, (alpha, eta, C))``; ``rate_factor = 5`` and ``with_c = False`` are negative controls.
    """
    eta, C = sp.symbols("eta C", positive=True)
    expr = 1 - rate_factor * ALPHA * eta ** (2 * (L - 1))
    if with_c:
        expr += C * ALPHA ** 2
    return expr, (ALPHA, eta, C)
