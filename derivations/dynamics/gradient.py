"""The gradient of ``L_R`` per coordinate, and the certificate of non-negativity used by every proof.

Everything in :mod:`derivations.dynamics` is per coordinate (the model separates by
coordinate), with the symbols of :func:`derivations.marginalized.coordinate_symbols`.
Notation: ``Q_{-S} = prod_{k not in S} (w_k^2 + eta^2)`` (:func:`Q_excluding`),
``pi_{-S} = prod_{k not in S} w_k`` (:func:`pi_excluding`).  Per coordinate
``L_R = (w* - pi)^2 + Q - pi^2 = w*^2 - 2 w* pi + Q`` (the ``pi^2`` terms of the loss and
of ``R`` cancel), hence the gradient ``d L_R / d w_l = 2 (w_l Q_{-l} - w* pi_{-l})``
(:func:`gradient_closed_form`).

"Non-negative" means a polynomial in ``w_1..w_L, eta`` whose monomials all have even
exponents and non-negative coefficients, hence non-negative for all real inputs
(:func:`is_nonnegative_polynomial`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..marginalized import coordinate_symbols, marginalized_loss
from ..polynomial_rings import has_square_certificate

__all__ = ["Q_excluding", "pi_excluding", "is_nonnegative_polynomial", "gradient", "gradient_closed_form"]


def Q_excluding(s, exclude=()):
    """``Q_{-S} = prod_{k not in S} (w_k^2 + eta^2)`` for the 0-based layer indices ``exclude``."""
    return sp.Mul(*[s.w[k] ** 2 + s.eta ** 2 for k in range(s.L) if k not in exclude])


def pi_excluding(s, exclude=()):
    """``pi_{-S} = prod_{k not in S} w_k`` for the 0-based layer indices ``exclude``."""
    return sp.Mul(*[s.w[k] for k in range(s.L) if k not in exclude])


def is_nonnegative_polynomial(expr, symbols) -> bool:
    """``True`` if ``expr`` expands to a polynomial in ``symbols`` whose every monomial
    has even exponents and a non-negative coefficient (a sufficient certificate of
    ``expr >= 0`` for all real inputs; the zero polynomial qualifies).  Decided by
    coefficients in ``QQ[symbols]`` (:func:`derivations.polynomial_rings.has_square_certificate`)."""
    return has_square_certificate(expr, tuple(symbols))


@lru_cache(maxsize=None)
def gradient(L: int) -> tuple:
    """``dL_R/dw_l`` for ``l = 1..L`` by differentiating :func:`marginalized_loss` (one coordinate).

    Returned as differentiated, not expanded (products of ``w_k^2 + eta^2`` kept: at ``L = 12``
    the expanded gradient has 2048 monomials per layer); identities with it are decided by
    coefficients (:func:`derivations.marginalized.prove_identity`).
    """
    s = coordinate_symbols(L)
    f = marginalized_loss(L)
    return tuple(sp.diff(f, wl) for wl in s.w)


def gradient_closed_form(L: int) -> tuple:
    """``2 (w_l Q_{-l} - w* pi_{-l})``: the gradient of ``L_R = w*^2 - 2 w* pi + Q`` (Lemma 2.2)."""
    s = coordinate_symbols(L)
    return tuple(2 * (s.w[l] * Q_excluding(s, (l,)) - s.wstar * pi_excluding(s, (l,))) for l in range(L))

