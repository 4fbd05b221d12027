"""The shrinkage polynomial, the lambda equation and its constant term: numeric evaluators at any precision.

At a balanced critical point ``|w_{l,h}| = a`` and ``a > 0`` is a positive root of
``P(a) = (a^2 + eta^2)^(L-1) - |w*| a^(L-2)`` (proof of Theorem 3.1(b)); the
shrinkage factor ``lambda = a / |w*|^(1/L)`` solves
``f(lambda) = lambda^2 - lambda^((L-2)/(L-1)) + c = 0``, ``c = eta^2 |w*|^(-2/L)`` (eq 13).
These evaluators take whatever numbers they are given (float or mpf) and do not validate.
"""
from __future__ import annotations

import mpmath

__all__ = ["shrinkage_polynomial", "lambda_equation", "shrinkage_offset"]


def shrinkage_polynomial(a, L: int, eta, wstar_abs):
    """``P(a) = (a^2 + eta^2)^(L-1) - |w*| a^(L-2)`` (proof of Theorem 3.1(b)); works for mpf and float."""
    return (a * a + eta * eta) ** (L - 1) - wstar_abs * a ** (L - 2)


def lambda_equation(lam, L: int, eta, wstar_abs):
    """``f(lambda) = lambda^2 - lambda^((L-2)/(L-1)) + eta^2 |w*|^(-2/L)`` (eq 13); mpf in, mpf out."""
    exponent = mpmath.mpf(L - 2) / (L - 1)
    return lam * lam - lam ** exponent + eta * eta * wstar_abs ** (mpmath.mpf(-2) / L)


def shrinkage_offset(L: int, eta, wstar_abs):
    """``c = eta^2 |w*|^(-2/L)``: the constant term of the lambda equation (eq 13); mpf in, mpf out.

    Appendix F brackets both nonzero shrinkage factors by ``[c^((L-1)/(L-2)), sqrt(1 - c)]``
    (Lemma F.1); ``f(lambda) = lambda^2 - lambda^((L-2)/(L-1)) + c``.
    """
    return eta * eta * wstar_abs ** (mpmath.mpf(-2) / L)
