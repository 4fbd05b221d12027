"""Exact inputs for the shrinkage solver: every number becomes the rational it denotes.

A float or ``mpmath.mpf`` is the binary rational it stores; a ``Decimal`` or a
string is its decimal value.  The threshold regime (:mod:`.threshold_regime`)
and the root certificates (:mod:`.certified_roots`) work on these rationals, so
no rounding enters before the arithmetic that certifies.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import mpmath

from ..validation import check_int

__all__ = ["to_fraction", "positive_eta", "target_magnitude", "checked_digits", "fraction_to_mpf"]


def to_fraction(x, name: str) -> Fraction:
    """The exact rational value of ``x`` (int, Fraction, Decimal, str, float, numpy float, mpf).

    Raises ``ValueError`` naming ``name`` for non-finite or non-numeric input.
    """
    if isinstance(x, bool):
        raise ValueError(f"{name} must be a real number, got {x!r}")
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise ValueError(f"{name} must be finite, got {x}")
        sign, mantissa, exponent, _ = x._mpf_
        value = Fraction(int(mantissa)) * (Fraction(2) ** exponent)
        return -value if sign else value
    if isinstance(x, (str, Decimal)):
        try:
            decimal_value = Decimal(str(x).strip())
        except Exception:
            raise ValueError(f"{name}: cannot parse {x!r} as a number") from None
        if not decimal_value.is_finite():
            raise ValueError(f"{name} must be finite, got {x!r}")
        return Fraction(decimal_value)
    try:
        float_value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {x!r}") from None
    if not math.isfinite(float_value):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, int):
        return Fraction(x)
    return Fraction(float_value)


def positive_eta(eta) -> Fraction:
    """``eta`` as an exact rational; ``ValueError`` unless it is finite and > 0."""
    eta_exact = to_fraction(eta, "eta")
    if eta_exact <= 0:
        raise ValueError(f"eta must be finite and > 0, got {eta!r}")
    return eta_exact


def target_magnitude(wstar_abs) -> Fraction:
    """``|w*|`` as an exact rational; ``ValueError`` if it is negative (the caller passes ``|w*|``)."""
    magnitude = to_fraction(wstar_abs, "wstar_abs")
    if magnitude < 0:
        raise ValueError(f"wstar_abs must be >= 0 (pass |w*|), got {wstar_abs!r}")
    return magnitude


def checked_digits(digits) -> int:
    """The requested number of correct digits, an integer in ``[5, 100000]``."""
    return check_int(digits, "digits", minimum=5, maximum=100000)


def fraction_to_mpf(q: Fraction):
    """``q`` rounded to the current working precision."""
    return mpmath.mpf(q.numerator) / q.denominator
