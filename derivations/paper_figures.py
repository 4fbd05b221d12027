"""The paper's Figures 2 and 3, symbolically: the two-layer, one-coordinate landscape they show.

Figure 2 plots ``f = (w* - w_2 w_1)^2 + eta^2 (w_1^2 + w_2^2)``, which is ``L_R - eta^4`` for ``L = 2``,
``d = 1`` (:func:`figure2_loss`).  Its critical points, solved directly from ``grad f = 0`` (not from the
shrinkage polynomial of Theorem 3.1(b)), are the origin and, for ``eta^2 < w*``, the balanced pair
``(+-a, +-a)`` with ``a^2 = w* - eta^2`` (:func:`figure2_critical_points`, ``w* > 0``).  The Hessian is
``diag(4 eta^2, 4 a^2)`` in the basis ``(1, 1), (1, -1)`` at the pair (:func:`figure2_hessian_eigenvalues`)
and has eigenvalues ``2 eta^2 +- 2 w*`` at the origin, which is a saddle for ``eta^2 < w*`` and the unique
global minimizer for ``eta^2 >= w*`` (at equality ``f - w*^2 = w_1^2 w_2^2 + w* (w_1 - w_2)^2``,
:func:`merge_point_certificate`).

Figure 3 runs gradient descent on ``L`` (``eta = 0``); per step the imbalance ``D = w_2^2 - w_1^2`` is
multiplied by ``1 - 4 alpha^2 (w* - w_1 w_2)^2`` (:func:`unregularized_imbalance_factor`, eq 50 at ``eta = 0``
from :func:`derivations.dynamics.descent.gd_multiplier`), so GD on ``L`` keeps its imbalance up to
``O(alpha^2)`` per step while GD on ``L_R`` balances.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .dynamics.descent import ALPHA, gd_balancing_next, gd_multiplier
from .marginalized import coordinate_symbols, marginalized_loss, prove_identity

__all__ = [
    "figure2_symbols",
    "figure2_loss",
    "figure2_loss_is_marginalized",
    "figure2_critical_points",
    "figure2_minimizer_square",
    "figure2_hessian_eigenvalues",
    "merge_point_certificate",
    "unregularized_imbalance_factor",
    "formulas",
]


def figure2_symbols():
    """``(w_1, w_2, w*, eta)``: the symbols of :func:`derivations.marginalized.coordinate_symbols` at ``L = 2``."""
    s = coordinate_symbols(2)
    return s.w[0], s.w[1], s.wstar, s.eta


def figure2_loss() -> sp.Expr:
    """``(w* - w_2 w_1)^2 + eta^2 (w_1^2 + w_2^2)``: the function of Figure 2."""
    w1, w2, ws, eta = figure2_symbols()
    return (ws - w2 * w1) ** 2 + eta ** 2 * (w1 ** 2 + w2 ** 2)


def figure2_loss_is_marginalized() -> bool:
    """``figure2_loss = L_R - eta^4`` for ``L = 2``, ``d = 1`` (Lemma 2.2): the figure shows ``L_R`` up to a constant"""
    _, _, _, eta = figure2_symbols()
    return prove_identity(figure2_loss(), marginalized_loss(2) - eta ** 4)


@lru_cache(maxsize=None)
def figure2_critical_points() -> list:
    """Solutions of ``grad figure2_loss = 0`` for ``w* > 0`` (SymPy ``solve`` on the polynomial system), as dicts."""
    w1, w2, ws, eta = figure2_symbols()
    positive = sp.Symbol("w^*", positive=True)
    f = figure2_loss().subs(ws, positive)
    solutions = sp.solve([sp.diff(f, w1), sp.diff(f, w2)], [w1, w2], dict=True)
    return [{k: v.subs(positive, ws) for k, v in sol.items()} for sol in solutions]


def figure2_minimizer_square() -> sp.Expr:
    """``a^2`` of the nonzero critical points, read off :func:`figure2_critical_points` (``w* - eta^2``)."""
    w1, w2, _, _ = figure2_symbols()
    nonzero = [sol for sol in figure2_critical_points() if sol[w1] != 0]
    squares = {sp.simplify(sol[w1] ** 2) for sol in nonzero} | {sp.simplify(sol[w2] ** 2) for sol in nonzero}
    if len(squares) != 1:
        raise ValueError(f"expected one nonzero critical value of w^2, got {squares}")
    return squares.pop()


def figure2_hessian_eigenvalues(point: dict) -> list:
    """Eigenvalues of the Hessian of :func:`figure2_loss` at a critical point (from :func:`figure2_critical_points`)."""
    w1, w2, _, _ = figure2_symbols()
    H = sp.hessian(figure2_loss(), (w1, w2)).subs(point)
    return [sp.simplify(e) for e in H.eigenvals(multiple=True)]


def merge_point_certificate() -> bool:
    """At ``eta^2 = w*``: ``f - w*^2 = w_1^2 w_2^2 + w* (w_1 - w_2)^2 >= 0``, so the origin is the global minimizer."""
    w1, w2, ws, eta = figure2_symbols()
    at_merge = figure2_loss().subs(eta ** 2, ws)
    return prove_identity(at_merge - ws ** 2, w1 ** 2 * w2 ** 2 + ws * (w1 - w2) ** 2)


def unregularized_imbalance_factor():
    """``1 - 4 alpha^2 (w* - w_1 w_2)^2``: GD on ``L`` multiplies ``w_2^2 - w_1^2`` by it (eq 50 at ``eta = 0``).

    Returns ``(factor, proven)``: the factor is :func:`derivations.dynamics.descent.gd_multiplier` at ``L = 2``,
    ``eta = 0``, and ``proven`` says that one GD step on ``L`` gives exactly ``factor (w_2^2 - w_1^2)``.
    """
    w1, w2, ws, eta = figure2_symbols()
    factor = sp.expand(gd_multiplier(2, 1).subs(eta, 0))
    proven = prove_identity(gd_balancing_next(2, 1).subs(eta, 0), factor * (w2 ** 2 - w1 ** 2))
    expected = 1 - 4 * ALPHA ** 2 * (ws - w1 * w2) ** 2
    return factor, bool(proven and prove_identity(factor, expected))


def formulas() -> list:
    """The figure formulas for LaTeX export: ``(claim id, equation, name, expression)``."""
    factor, _ = unregularized_imbalance_factor()
    return [
        ("figure-2", "", "the landscape of Figure 2 (L_R - eta^4, L = 2, d = 1)",
         sp.Eq(sp.Symbol("f"), figure2_loss(), evaluate=False)),
        ("figure-2", "", "squared coordinate of the two minimizers", sp.Eq(sp.Symbol("a^2"), figure2_minimizer_square(),
                                                                            evaluate=False)),
        ("figure-3", "50", "GD on L: factor of the imbalance per step",
         sp.Eq(sp.Symbol("m_0"), factor, evaluate=False)),
    ]
