"""Exact integer arithmetic behind the root certificates of :mod:`.certified_roots`.

In the scaled variable ``u = a / eta`` the shrinkage polynomial is
``eta^(2(L-1)) F(u)``, ``F(u) = (u^2 + 1)^(L-1) - kappa u^(L-2)``, ``kappa = N / M``
(a rational).  A point ``u = A / 2^p`` is a binary rational, so the sign of
``F(u)`` and Newton steps on ``F`` are exact integer computations; nothing here rounds.
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
from mpmath.libmp import from_man_exp

__all__ = ["binary_rational_mpf", "integer_root_floor", "square_root_enclosure", "scaled_polynomial_sign",
           "integer_newton_polish"]


def binary_rational_mpf(mantissa: int, exponent: int):
    """The binary rational ``mantissa 2^exponent`` as an mpf, exactly (precision = bits of ``mantissa``)."""
    return mpmath.mp.make_mpf(from_man_exp(mantissa, exponent))  # no rounding: the mantissa is kept exactly


def integer_root_floor(n: int, k: int) -> int:
    """``floor(n^(1/k))`` for an integer ``n >= 0`` (integer Newton from above)."""
    if n < 2:
        return n
    x = 1 << ((n.bit_length() + k - 1) // k)  # >= the root
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            break
        x = y
    while x ** k > n:  # pragma: no cover - guard
        x -= 1
    while (x + 1) ** k <= n:  # pragma: no cover - guard
        x += 1
    return x


def square_root_enclosure(value: Fraction, target: int):
    """``(A, A + 1, p)`` with ``(A / 2^p)^2 <= value <= ((A+1) / 2^p)^2``, ``A ~ 2^target`` or more."""
    p = max(0, target + 2 - (value.numerator.bit_length() - value.denominator.bit_length()) // 2)
    A = math.isqrt((value.numerator << (2 * p)) // value.denominator)
    return A, A + 1, p


def scaled_polynomial_sign(A: int, p: int, L: int, N: int, M: int) -> int:
    """Exact sign of ``F(A / 2^p)``, ``F(u) = (u^2+1)^(L-1) - (N/M) u^(L-2)`` (integers only)."""
    scale = 1 << p
    value = M * (A * A + scale * scale) ** (L - 1) - N * A ** (L - 2) * scale ** L
    return (value > 0) - (value < 0)


def integer_newton_polish(U: int, p: int, L: int, N: int, M: int, iters: int = 100) -> int:
    """Newton on ``F`` in exact integer arithmetic at scale ``2^p`` (``u = U / 2^p``).

    ``Fs = M D^(2L-2) F(u)`` and ``dFs = M D^(2L-3) F'(u)`` (``D = 2^p``) are exact
    integers; the step in units of ``2^-p`` is ``Fs / dFs`` (rounded).  Stops when
    the step is at most 1 unit.
    """
    scale = 1 << p
    scale_to_L = scale ** L
    for _ in range(iters):
        s = U * U + scale * scale
        s_to_L_minus_2 = s ** (L - 2)
        U_to_L_minus_3 = U ** (L - 3)
        Fs = M * s_to_L_minus_2 * s - N * U_to_L_minus_3 * U * scale_to_L
        dFs = 2 * (L - 1) * M * U * s_to_L_minus_2 - (L - 2) * N * U_to_L_minus_3 * scale_to_L
        if dFs == 0:
            break
        step = (2 * Fs + dFs) // (2 * dFs) if dFs > 0 else -((2 * Fs - dFs) // (-2 * dFs))
        U -= step
        if abs(step) <= 1:
            break
    return U
