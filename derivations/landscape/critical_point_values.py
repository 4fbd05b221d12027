"""Values at the critical points of ``L_R``, derived: the Hessian (Theorem 3.1(b)) and the loss (Theorem 3.1(c)).

On the critical set ``m = (a^2+eta^2)^(L-1)/a^(L-2)`` the Hessian of one coordinate's
``L_R`` at ``w_l = a`` has two distinct eigenvalues (:func:`hessian_at_balanced_point`),
which classify the critical points; the loss at ``w_l = s_l lambda m^(1/L)`` is
``m^2 (1 - lambda^L)^2`` (:func:`loss_at_critical_point`), positive since ``lambda < 1``.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from derivations.marginalized import coordinate_symbols

from .coordinate_model import a, coordinate_L_R, lam, m

__all__ = ["hessian_at_balanced_point", "loss_at_critical_point"]


@lru_cache(maxsize=None)
def hessian_at_balanced_point(L: int) -> dict:
    """Eigenvalues of the Hessian of ``L_R`` (one coordinate) at ``w_l = a``, ``w* = m`` on the critical set.

    Derived: the Hessian is ``(D - O) I + O J`` (``structured``: checked entrywise); on ``P(a) = 0`` (``m = (a^2+eta^2)^(L-1)/a^(L-2)``)
    its eigenvalues are ``D - O = 4 eta^2 (a^2+eta^2)^(L-2)`` (multiplicity ``L-1``) and
    ``D + (L-1) O = 2 (a^2+eta^2)^(L-2) (L a^2 - (L-2) eta^2)``.  Returns the
    simplified ``D - O``, ``D + (L-1) O`` and the Hessian matrix.
    """
    s = coordinate_symbols(L)
    hessian = sp.hessian(coordinate_L_R(L), s.w)
    substitution = {w: a for w in s.w}
    substitution[s.wstar] = (a ** 2 + s.eta ** 2) ** (L - 1) / a ** (L - 2)
    on_critical_set = hessian.xreplace(substitution).applyfunc(sp.cancel)
    diagonal, off_diagonal = on_critical_set[0, 0], on_critical_set[0, 1]
    structured = all(sp.cancel(on_critical_set[i, j] - (diagonal if i == j else off_diagonal)) == 0
                     for i in range(L) for j in range(L))
    return {"hessian": on_critical_set, "D": sp.factor(diagonal), "O": sp.factor(off_diagonal),
            "structured": structured, "mu_perp": sp.factor(sp.cancel(diagonal - off_diagonal)),
            "mu_balanced": sp.factor(sp.cancel(diagonal + (L - 1) * off_diagonal))}


@lru_cache(maxsize=None)
def loss_at_critical_point(L: int, power=None) -> sp.Expr:
    """``L`` at a critical point, derived: substitute ``w_l = s_l lambda m^(1/L)``, ``w* = sign * m``.

    Returns ``m^2 (1 - lambda^L)^2`` (per coordinate); with ``power`` the
    paper-form candidate ``m^2 (1 - lambda^power)^2`` instead (negative controls).
    """
    if power is not None:
        return m ** 2 * (1 - lam ** power) ** 2
    s = coordinate_symbols(L)
    loss = (s.wstar - sp.Mul(*s.w)) ** 2
    substitution = {s.w[l]: lam * m ** sp.Rational(1, L) for l in range(L)}
    substitution[s.wstar] = m
    return sp.factor(sp.powsimp(sp.expand_power_base(loss.xreplace(substitution), force=True), force=True))
