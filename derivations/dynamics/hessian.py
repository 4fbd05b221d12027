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

from sympy.polys.domains import ZZ

from ..marginalized import coordinate_symbols, marginalized_loss
from ..polynomial_rings import polynomial_ring
from .gradient import Q_excluding, pi_excluding

__all__ = ["hessian_closed_form", "hessian_closed_form_entry", "hessian_bound", "hessian_bound_paper_reading",
           "hessian_bound_proof"]


def hessian_closed_form(L: int) -> sp.Matrix:
    """Hessian of ``L_R`` (one coordinate): ``H_aa = 2 Q_{-a}``, ``H_ab = 4 w_a w_b Q_{-ab} - 2 w* pi_{-ab}``."""
    s = coordinate_symbols(L)
    return sp.Matrix(L, L, lambda a, b: hessian_closed_form_entry(s, a, b))


def hessian_closed_form_entry(s, a: int, b: int) -> sp.Expr:
    """Entry ``(a, b)`` (0-based) of :func:`hessian_closed_form` for the symbols ``s`` (:func:`coordinate_symbols`)."""
    if a == b:
        return 2 * Q_excluding(s, (a,))
    return 4 * s.w[a] * s.w[b] * Q_excluding(s, (a, b)) - 2 * s.wstar * pi_excluding(s, (a, b))


def _ring_product(one, factors):
    """The product of the ring elements ``factors`` (``one``, the ring's unit, for none)."""
    result = one
    for x in factors:
        result = result * x
    return result


def _square_certificate(p) -> bool:
    """Every monomial of the ring element ``p`` in ``w, eta`` has even exponents and a coefficient ``>= 0``
    (``p`` free of ``w*``; the zero polynomial qualifies): ``p >= 0`` for all real inputs."""
    return all(c >= 0 and not any(e % 2 for e in monomial[:-1]) and monomial[-1] == 0 for monomial, c in p.terms())


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
    P = polynomial_ring(tuple(s.w) + (s.eta, s.wstar), ZZ)  # every step in ZZ[w, eta, w*], by coefficients
    w, eta, wstar = P.gens[:L], P.gens[L], P.gens[L + 1]
    square = [wl ** 2 + eta ** 2 for wl in w]

    def Q(exclude):
        return _ring_product(P.one, (square[k] for k in range(L) if k not in exclude))

    def pi_(exclude):
        return _ring_product(P.one, (w[k] for k in range(L) if k not in exclude))

    R = Q(()) - pi_(()) ** 2
    r = wstar - pi_(())
    f = P.from_expr(marginalized_loss(L))
    lam = _SQRT2 - 1
    steps = {}
    H = {(a, b): P.from_expr(hessian_closed_form_entry(s, a, b)) for a in range(L) for b in range(a, L)}
    gradient = [f.diff(wl) for wl in w]
    steps["1 Hessian closed form"] = all(  # symmetric (Schwarz; closed form by construction): a <= b suffice
        gradient[a].diff(w[b]) == H[a, b] for a, b in H)
    steps["2 eta^2 Q_{-a} <= R"] = all(_square_certificate(R - eta ** 2 * Q((a,))) for a in range(L))
    ok3 = ok4 = ok5 = True
    for a, b in combinations(range(L), 2):
        Qab, pab = Q((a, b)), pi_((a, b))
        bracket = R - eta ** 2 * Qab * (w[a] ** 2 + w[b] ** 2)
        ok3 &= _square_certificate(bracket)
        for sg in (1, -1):
            ok3 &= R - sg * 2 * eta ** 2 * w[a] * w[b] * Qab == bracket + eta ** 2 * Qab * (w[a] - sg * w[b]) ** 2
        ok4 &= H[a, b] == (4 * w[a] * w[b] * Qab - 2 * w[a] * w[b] * pab ** 2) - 2 * r * pab
        ok4 &= _square_certificate(Qab - pab ** 2)
        ok5 &= _square_certificate(R - eta ** 4 * pab ** 2)
    # step 5's square: a polynomial identity in independent symbols r, p, eta (so for every r, pi_{-ab})
    rs, ps = sp.symbols("r p", real=True)
    for sg in (1, -1):
        lhs = rs ** 2 / lam + lam * s.eta ** 4 * ps ** 2 - sg * 2 * s.eta ** 2 * rs * ps
        ok5 &= sp.expand(lhs - (rs / sp.sqrt(lam) - sg * sp.sqrt(lam) * s.eta ** 2 * ps) ** 2) == 0
    steps["3 4|w_a w_b| Q_{-ab} <= 2R/eta^2"] = bool(ok3)
    steps["4 off-diagonal split, pi_{-ab}^2 <= Q_{-ab}"] = bool(ok4)
    steps["5 2|r pi_{-ab}| <= (r^2/lambda + lambda R)/eta^2"] = bool(ok5)
    steps["6 2 + lambda = 1/lambda = 1 + sqrt 2"] = bool(
        sp.simplify(2 + lam - 1 / lam) == 0 and sp.simplify(1 / lam - (1 + _SQRT2)) == 0)
    M, (_, d, c, eta_symbol) = hessian_bound(L)
    row = 2 + (L - 1) * (1 + _SQRT2)
    steps["7 Gershgorin row sum constant"] = bool(sp.simplify(M.subs(d, 1) * eta_symbol ** 2 / c - row) == 0)
    steps["8 R >= eta^{2L} per coordinate"] = _square_certificate(R - eta ** (2 * L))
    return steps
