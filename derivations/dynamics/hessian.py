"""Theorem 4.2 (our bound ``M``): the Hessian of ``L_R`` per coordinate and a proven bound on its norm.

The Hessian blocks are ``H_aa = 2 Q_{-a}``, ``H_ab = 4 w_a w_b Q_{-ab} - 2 w* pi_{-ab}``
(:func:`hessian_closed_form`), with ``0 <= H_aa <= 2 R / eta^2`` and
``|H_ab| <= (1 + sqrt 2)(r^2 + R) / eta^2``, ``r = w* - pi``; Gershgorin gives
``||Hess L_R(W)||_op <= (2 + (1 + sqrt 2)(L - 1)) (c - (d - 1) eta^{2L}) / eta^2``
on ``{L_R <= c}`` (:func:`hessian_bound`, proof steps in :func:`hessian_bound_proof`).
The spec's reading of the paper's constant is :func:`hessian_bound_paper_reading`.
"""
from __future__ import annotations

from itertools import combinations

import sympy as sp

from ..marginalized import coordinate_symbols, marginalized_loss, prove_identity, regularizer_closed_form
from .gradient import Q_excluding, is_nonnegative_polynomial, pi_excluding

__all__ = ["hessian_closed_form", "hessian_bound", "hessian_bound_paper_reading", "hessian_bound_proof"]


def hessian_closed_form(L: int) -> sp.Matrix:
    """Hessian of ``L_R`` (one coordinate): ``H_aa = 2 Q_{-a}``, ``H_ab = 4 w_a w_b Q_{-ab} - 2 w* pi_{-ab}``."""
    s = coordinate_symbols(L)

    def entry(a, b):
        if a == b:
            return 2 * Q_excluding(s, (a,))
        return 4 * s.w[a] * s.w[b] * Q_excluding(s, (a, b)) - 2 * s.wstar * pi_excluding(s, (a, b))

    return sp.Matrix(L, L, entry)


_SQRT2 = sp.sqrt(2)


def hessian_bound(L=None, factor=None):
    """Our bound ``M`` on ``||Hess L_R||_op`` over the sublevel set ``{L_R <= c}`` (Theorem 4.2).

    ``M = (2 + (1 + sqrt 2)(L - 1)) (c - (d - 1) eta^{2L}) / eta^2``.  Returns
    ``(M, (L, d, c, eta))`` as SymPy objects (``L`` symbolic unless given).
    ``factor`` replaces the constant ``2 + (1+sqrt2)(L-1)`` (negative controls).
    The step-size condition is ``alpha_k <= 2 (1 - delta) / M`` with ``c = L_R(W(0))``.
    """
    Ls, d, c, eta = sp.symbols("L d c eta", positive=True)
    Lv = Ls if L is None else sp.Integer(L)
    k = (2 + (1 + _SQRT2) * (Lv - 1)) if factor is None else factor
    return k * (c - (d - 1) * eta ** (2 * Lv)) / eta ** 2, (Lv, d, c, eta)


def hessian_bound_paper_reading():
    """The spec's "plausible reading" of the paper's bound: ``sqrt(L)(7 sqrt(L) + 2) c / eta^2`` (unconfirmed)."""
    Ls, c, eta = sp.symbols("L c eta", positive=True)
    return sp.sqrt(Ls) * (7 * sp.sqrt(Ls) + 2) * c / eta ** 2, (Ls, c, eta)


def hessian_bound_proof(L: int) -> dict:
    """Each step of the proof of :func:`hessian_bound` for depth ``L``, checked exactly.

    Per coordinate with ``f = r^2 + R`` (``r = w* - pi``), ``lambda = sqrt 2 - 1``:

    1. the Hessian of :func:`marginalized_loss` equals :func:`hessian_closed_form`;
    2. ``R - eta^2 Q_{-a}`` is non-negative: ``0 < H_aa <= 2 R / eta^2``;
    3. ``R -+ 2 eta^2 w_a w_b Q_{-ab} = [R - eta^2 Q_{-ab}(w_a^2 + w_b^2)] + eta^2 Q_{-ab}(w_a -+ w_b)^2``
       with the bracket non-negative: ``4 |w_a w_b| Q_{-ab} <= 2 R / eta^2``;
    4. ``H_ab = [4 w_a w_b Q_{-ab} - 2 w_a w_b pi_{-ab}^2] - 2 r pi_{-ab}`` and ``0 <= pi_{-ab}^2 <= Q_{-ab}``,
       so the bracket is at most ``4 |w_a w_b| Q_{-ab}`` in absolute value;
    5. ``r^2/lambda + lambda eta^4 pi_{-ab}^2 -+ 2 eta^2 r pi_{-ab} = (r/sqrt(lambda) -+ sqrt(lambda) eta^2 pi_{-ab})^2``
       and ``R - eta^4 pi_{-ab}^2`` non-negative: ``2 |r pi_{-ab}| <= (r^2/lambda + lambda R)/eta^2``;
    6. ``2 + lambda = 1 / lambda = 1 + sqrt 2``: ``|H_ab| <= (1 + sqrt 2) f / eta^2``;
    7. Gershgorin: ``|mu| <= max_a (H_aa + sum_{b != a} |H_ab|) <= (2 + (1 + sqrt 2)(L - 1)) f / eta^2``;
       over coordinates ``f_h <= c - (d - 1) eta^{2L}`` (each other coordinate has ``L_R >= eta^{2L}``,
       step 8: ``R - eta^{2L}`` non-negative).
    """
    s = coordinate_symbols(L)
    syms = list(s.w) + [s.eta]
    R = regularizer_closed_form(L)
    pi = sp.Mul(*s.w)
    r = s.wstar - pi
    H = hessian_closed_form(L)
    f = marginalized_loss(L)
    lam = _SQRT2 - 1
    steps = {}
    steps["1 Hessian closed form"] = all(
        prove_identity(sp.diff(f, s.w[a], s.w[b]), H[a, b]) for a in range(L) for b in range(L))
    steps["2 eta^2 Q_{-a} <= R"] = all(is_nonnegative_polynomial(R - s.eta ** 2 * Q_excluding(s, (a,)), syms)
                                       for a in range(L))
    ok3 = ok4 = ok5 = True
    for a, b in combinations(range(L), 2):
        Qab = Q_excluding(s, (a, b))
        pab = pi_excluding(s, (a, b))
        bracket = R - s.eta ** 2 * Qab * (s.w[a] ** 2 + s.w[b] ** 2)
        ok3 &= is_nonnegative_polynomial(bracket, syms)
        for sg in (1, -1):
            ok3 &= prove_identity(R - sg * 2 * s.eta ** 2 * s.w[a] * s.w[b] * Qab,
                                  bracket + s.eta ** 2 * Qab * (s.w[a] - sg * s.w[b]) ** 2)
        ok4 &= prove_identity(H[a, b], (4 * s.w[a] * s.w[b] * Qab - 2 * s.w[a] * s.w[b] * pab ** 2) - 2 * r * pab)
        ok4 &= is_nonnegative_polynomial(Qab - pab ** 2, syms)
        ok5 &= is_nonnegative_polynomial(R - s.eta ** 4 * pab ** 2, syms)
        for sg in (1, -1):
            lhs = r ** 2 / lam + lam * s.eta ** 4 * pab ** 2 - sg * 2 * s.eta ** 2 * r * pab
            ok5 &= sp.simplify(sp.expand(lhs - (r / sp.sqrt(lam) - sg * sp.sqrt(lam) * s.eta ** 2 * pab) ** 2)) == 0
    steps["3 4|w_a w_b| Q_{-ab} <= 2R/eta^2"] = bool(ok3)
    steps["4 off-diagonal split, pi_{-ab}^2 <= Q_{-ab}"] = bool(ok4)
    steps["5 2|r pi_{-ab}| <= (r^2/lambda + lambda R)/eta^2"] = bool(ok5)
    steps["6 2 + lambda = 1/lambda = 1 + sqrt 2"] = bool(
        sp.simplify(2 + lam - 1 / lam) == 0 and sp.simplify(1 / lam - (1 + _SQRT2)) == 0)
    M, (Lv, d, c, eta) = hessian_bound(L)
    row = 2 + (L - 1) * (1 + _SQRT2)
    steps["7 Gershgorin row sum constant"] = bool(sp.simplify(M.subs(d, 1) * eta ** 2 / c - row) == 0)
    steps["8 R >= eta^{2L} per coordinate"] = is_nonnegative_polynomial(R - s.eta ** (2 * L), syms)
    return steps
