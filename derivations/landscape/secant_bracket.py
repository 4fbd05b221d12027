"""Lemma F.1 (Appendix F), symbolically: the convex function ``f`` of eq 13, its minimizer, and the root bracket.

``f(lambda) = lambda^2 - lambda^p + c`` with ``p = (L-2)/(L-1)``, ``c = eta^2 |w*|^(-2/L)`` is strictly
convex on ``(0, oo)``; the secant scheme runs on each side of its minimizer ``lambda_c``
(:func:`lambda_minimizer`), and both roots lie in Appendix F's bracket (:func:`root_bracket`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .coordinate_model import Ls, lam

__all__ = ["root_bracket", "stationary_points", "lambda_minimizer"]


@lru_cache(maxsize=None)
def root_bracket(L=None) -> dict:
    """Appendix F: both nonzero shrinkage factors lie in ``[c^((L-1)/(L-2)), sqrt(1 - c)]``.

    Reconstructed (the formula was lost in extraction; the appendix says both roots satisfy two
    inequalities that make ``f`` non-negative at the ends of the secant intervals).  With
    ``f(lambda) = lambda^2 - lambda^p + c``, ``p = (L-2)/(L-1)``, ``c = eta^2 |w*|^(-2/L)``, a root
    has ``lambda^p - c = lambda^2 > 0`` (so ``lambda > c^(1/p)``) and, being in ``(0, 1)``,
    ``1 - c - lambda^2 = 1 - lambda^p > 0`` (so ``lambda < sqrt(1 - c)``).  At the bracket ends
    ``f(c^(1/p)) = c^(2/p) > 0`` and ``f(sqrt(1 - c)) = 1 - (1 - c)^(p/2) > 0``: the two
    "simpler functions" are ``lambda^p - c`` and ``1 - c - lambda^2``.  Returns the ends, ``f``
    at the ends (simplified), and the two root identities (each ``0`` at a root).
    """
    depth = Ls if L is None else sp.Integer(L)
    c = sp.Symbol("c", positive=True)
    p = (depth - 2) / (depth - 1)
    f = lam ** 2 - lam ** p + c
    lower, upper = c ** (1 / p), sp.sqrt(1 - c)
    f_lower = sp.powsimp(sp.powdenest(f.subs(lam, lower), force=True), force=True)
    f_upper = sp.simplify(f.subs(lam, upper))
    c_at_root = lam ** p - lam ** 2  # the lambda equation solved for c
    return {"c": c, "p": p, "f": f, "lower": lower, "upper": upper, "f_lower": sp.simplify(f_lower),
            "f_upper": f_upper,
            "lower_gap_at_root": sp.simplify((lam ** p - c_at_root) - lam ** 2),
            "upper_gap_at_root": sp.simplify((1 - c_at_root - lam ** 2) - (1 - lam ** p))}


@lru_cache(maxsize=None)
def stationary_points(L=None) -> tuple:
    """Every solution ``lambda > 0`` of ``f'(lambda) = 0`` that SymPy's ``solve`` returns (symbolic ``L`` for ``None``).

    ``f`` from :func:`root_bracket`.  Lemma F.1 needs exactly one (the minimizer ``lambda_c``):
    the check counts them, so a second stationary point would show as a failure.
    """
    depth = Ls if L is None else sp.Integer(L)
    f = root_bracket(None)["f"].subs(Ls, depth)
    return tuple(sp.solve(sp.Eq(sp.diff(f, lam), 0), lam))


@lru_cache(maxsize=None)
def lambda_minimizer(L=None) -> sp.Expr:
    """``lambda_c``: the unique stationary point of ``f(lambda) = lambda^2 - lambda^p + c`` (Lemma F.1).

    Solves ``f'(lambda) = 0`` with SymPy for a symbolic ``L`` (:func:`stationary_points`), giving
    ``((L-2)/(2(L-1)))^((L-1)/L)``, then substitutes ``L`` if given.  ``f`` is strictly convex on
    ``(0, oo)``, so this is its minimizer, and ``lambda_c tau_L^(1/L) = a_c`` (double root).
    Raises ``ArithmeticError`` unless there is exactly one stationary point.
    """
    if L is not None:
        return sp.simplify(lambda_minimizer(None).subs(Ls, sp.Integer(L)))
    solutions = stationary_points(None)
    if len(solutions) != 1:
        raise ArithmeticError(f"lambda_minimizer: expected one stationary point, got {solutions}")
    return solutions[0]
