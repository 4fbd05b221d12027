"""The threshold ``tau_L(eta)`` of Theorem 3.1(b) (eq 14), the exact regime, and the double root.

Nonzero shrinkage factors exist iff ``|w*| >= tau_L(eta)``::

    tau_L(eta) = eta^L (2(L-1))^(L-1) / (L^(L/2) (L-2)^((L-2)/2)),   tau_2 = eta^2.

``tau_L(eta)^2 = kappa_c^2 eta^(2L)`` with the rational ``kappa_c^2``
(:func:`threshold_exact_power`), so whether ``|w*|`` is below, at or above the
threshold is decided in rational arithmetic (:func:`regime`), with no rounding.
At the threshold the two roots merge at ``a_c^2 = (L-2) eta^2 / L``
(:func:`double_root`).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath

from .exact_inputs import (MAX_THRESHOLD_DEPTH, checked_depth, checked_digits, fraction_to_mpf, positive_eta,
                           target_magnitude)

__all__ = ["threshold_exact_power", "threshold", "regime", "double_root"]


def threshold_exact_power(L: int) -> Fraction:
    """``kappa_c^2 = (2(L-1))^(2(L-1)) / (L^L (L-2)^(L-2))``: the squared threshold constant, exactly.

    ``tau_L(eta)^2 = kappa_c^2 eta^(2L)`` (eq 14), with ``0^0 = 1`` for ``L = 2``.
    """
    L = checked_depth(L, MAX_THRESHOLD_DEPTH)
    return Fraction((2 * (L - 1)) ** (2 * (L - 1)), L ** L * (L - 2) ** (L - 2))


def threshold(L: int, eta, digits: int = 50):
    """``tau_L(eta) = eta^L (2(L-1))^(L-1) / (L^(L/2) (L-2)^((L-2)/2))`` (eq 14); ``tau_2 = eta^2``.

    Returns an ``mpmath.mpf`` correct to ``digits`` significant digits (computed
    with 20 guard digits and rounded once).  ``eta`` is taken as an exact
    rational (see :func:`numeric.shrinkage.exact_inputs.to_fraction`).

    >>> str(threshold(2, "0.5", digits=10))
    '0.25'
    >>> str(threshold(4, 1, digits=10))
    '6.75'
    """
    L = checked_depth(L, MAX_THRESHOLD_DEPTH)
    eta_exact = positive_eta(eta)
    digits = checked_digits(digits)
    with mpmath.workdps(digits + 20):
        eta_mp = fraction_to_mpf(eta_exact)
        if L == 2:
            tau = eta_mp * eta_mp
        else:
            tau = eta_mp ** L * mpmath.sqrt(fraction_to_mpf(threshold_exact_power(L)))
    with mpmath.workdps(digits):
        return +tau


def regime(L: int, eta, wstar_abs) -> str:
    """``"below"``, ``"at"`` or ``"above"``: ``|w*|`` against ``tau_L(eta)``, decided exactly.

    Compares ``|w*|^2`` with ``kappa_c^2 eta^(2L)`` in rational arithmetic
    (:func:`threshold_exact_power`); inputs are exact rationals.
    """
    L = checked_depth(L, MAX_THRESHOLD_DEPTH)
    eta_exact, magnitude = positive_eta(eta), target_magnitude(wstar_abs)
    target_squared, threshold_squared = magnitude * magnitude, threshold_exact_power(L) * eta_exact ** (2 * L)
    if target_squared < threshold_squared:
        return "below"
    return "at" if target_squared == threshold_squared else "above"


def double_root(L: int, eta, digits: int = 50):
    """``(a_c, lambda_c)`` at the threshold: ``a_c^2 = (L-2) eta^2 / L``, ``lambda_c = ((L-2)/(2(L-1)))^((L-1)/L)``.

    ``lambda_c`` is the minimizer of ``f`` (eq 13) over ``(0, 1)``.  For ``L = 2``
    the merged root is ``a = 0``.
    """
    L = checked_depth(L, MAX_THRESHOLD_DEPTH)
    eta_exact = positive_eta(eta)
    digits = checked_digits(digits)
    with mpmath.workdps(digits + 20):
        a_c = fraction_to_mpf(eta_exact) * mpmath.sqrt(mpmath.mpf(L - 2) / L)
        lambda_c = (mpmath.mpf(L - 2) / (2 * (L - 1))) ** (mpmath.mpf(L - 1) / L)
    with mpmath.workdps(digits):
        return +a_c, +lambda_c
