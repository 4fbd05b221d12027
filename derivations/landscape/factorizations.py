"""Lemma 3.2, symbolically: balanced factorizations minimize ``R`` and the Hessian trace of the loss.

Over the factorizations ``prod_l w_l = m`` of one coordinate, ``R = prod_l (w_l^2 + eta^2) - m^2``
and ``tr Hess L = 2 sum_l prod_{k != l} w_k^2`` (:func:`hessian_trace_loss`) are minimized exactly
at ``w_l^2 = m^(2/L)`` (Lagrange conditions in ``t = log w^2``, :func:`lagrange_balancing`), with
minima ``(m^(2/L) + eta^2)^L - m^2`` and ``2 L m^(2(L-1)/L)`` (:func:`factorization_minima`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from derivations.marginalized import coordinate_symbols

from .coordinate_model import Ls, eta, m

__all__ = ["hessian_trace_loss", "lagrange_balancing", "factorization_minima"]


@lru_cache(maxsize=None)
def hessian_trace_loss(L: int) -> tuple:
    """``(tr Hess L, 2 sum_l prod_{k != l} w_k^2)`` for one coordinate (Lemma 3.2): equal at every ``W``."""
    s = coordinate_symbols(L)
    loss = (s.wstar - sp.Mul(*s.w)) ** 2
    trace = sum(sp.diff(loss, w, 2) for w in s.w)
    closed = 2 * sum(sp.Mul(*[s.w[k] ** 2 for k in range(L) if k != l]) for l in range(L))
    return sp.expand(trace), sp.expand(closed)


@lru_cache(maxsize=None)
def lagrange_balancing(L: int) -> dict:
    """Lagrange conditions for ``min prod_l (x_l + eta^2)`` and ``min sum_l m^2/x_l`` s.t. ``prod_l x_l = m^2``.

    In ``t_l = log x_l`` the constraint is linear (``sum t_l = 2 log m``) and the
    objectives ``sum log(e^t + eta^2)`` and ``sum m^2 e^{-t}`` are strictly
    convex (second derivatives returned), so the stationary point is the global
    minimum; stationarity ``d/dt_l = mu`` has one solution ``t`` for every
    ``mu``, identical across ``l``: the balanced factorization.
    """
    t, mu = sp.symbols("t mu", real=True)
    regularizer_term = sp.log(sp.exp(t) + eta ** 2)
    trace_term = m ** 2 * sp.exp(-t)
    out = {}
    for name, f in (("R", regularizer_term), ("trace", trace_term)):
        first, second = sp.diff(f, t), sp.simplify(sp.diff(f, t, 2))
        stationary = sp.solve(sp.Eq(first, mu), t)
        out[name] = {"first": first, "second": second, "stationary_t": stationary}
    return out


@lru_cache(maxsize=None)
def factorization_minima(L=None) -> dict:
    """Values of ``R`` and ``tr Hess L`` at the balanced factorization ``|w_l| = m^(1/L)`` of ``m > 0``.

    ``R_min = (m^(2/L) + eta^2)^L - m^2`` and ``T_min = 2 L m^(2(L-1)/L)``, derived by substitution
    (symbolic ``L`` when ``L=None``).
    """
    depth = Ls if L is None else sp.Integer(L)
    balanced_square = m ** (2 / depth)  # balanced w_l^2
    R = (balanced_square + eta ** 2) ** depth - m ** 2
    trace = 2 * depth * sp.powsimp(balanced_square ** (depth - 1), force=True)
    return {"R_min": R, "trace_min": sp.powsimp(sp.expand_power_base(trace, force=True), force=True)}
