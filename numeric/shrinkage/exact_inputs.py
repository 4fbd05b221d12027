"""Exact inputs for the shrinkage solver: every number becomes the rational it denotes.

A float or ``mpmath.mpf`` is the binary rational it stores; a ``Decimal`` or a
string is its decimal value.  The threshold regime (:mod:`.threshold_regime`)
and the root certificates (:mod:`.certified_roots`) work on these rationals, so
no rounding enters before the arithmetic that certifies.

Sizes are bounded, because exact arithmetic costs time in proportion to them: a
decimal exponent within ``+-MAX_DECIMAL_EXPONENT`` (``Fraction(Decimal("1e999999999"))``
alone would build a billion-digit integer), numerator and denominator of at most
``MAX_RATIONAL_BITS`` bits, at most ``MAX_DIGITS`` digits, and depth at most
``MAX_ROOT_DEPTH`` for the roots (``MAX_THRESHOLD_DEPTH`` for the threshold alone);
each limit is named in the ``ValueError``.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import mpmath

from ..validation import check_int

__all__ = ["to_fraction", "positive_eta", "target_magnitude", "checked_digits", "checked_depth", "fraction_to_mpf",
           "MAX_DECIMAL_EXPONENT", "MAX_RATIONAL_BITS", "MAX_DIGITS", "MAX_ROOT_DEPTH", "MAX_THRESHOLD_DEPTH"]

#: Inputs ``x`` with ``|x| >= 10^(MAX_DECIMAL_EXPONENT + 1)`` or ``0 < |x| < 10^-MAX_DECIMAL_EXPONENT`` are refused.
MAX_DECIMAL_EXPONENT = 1000
#: The most bits of the numerator or denominator of an exact input.
MAX_RATIONAL_BITS = 8000
#: The most significant digits of a certified result (10^4 digits: about 2 s for the roots).
MAX_DIGITS = 10_000
#: The deepest network for certified roots (cost grows like L^2.3: L = 500 about 1.5 s, L = 1000 about 6 s).
MAX_ROOT_DEPTH = 500
#: The deepest network for the threshold alone (exact powers of L: L = 10^4 in a fraction of a second).
MAX_THRESHOLD_DEPTH = 10_000


def _checked_size(q: Fraction, name: str) -> Fraction:
    if max(q.numerator.bit_length(), q.denominator.bit_length()) > MAX_RATIONAL_BITS:
        raise ValueError(f"{name}: too many digits or too large an exponent for exact arithmetic (numerator "
                         f"and denominator of at most {MAX_RATIONAL_BITS} bits, i.e. about "
                         f"{int(MAX_RATIONAL_BITS * 0.30103)} digits)")
    return q


def to_fraction(x, name: str) -> Fraction:
    """The exact rational value of ``x`` (int, Fraction, Decimal, str, float, numpy float, mpf).

    Raises ``ValueError`` naming ``name`` for non-finite or non-numeric input.
    """
    if isinstance(x, bool):
        raise ValueError(f"{name} must be a real number, got {x!r}")
    if isinstance(x, Fraction):
        return _checked_size(x, name)
    if isinstance(x, int):
        return _checked_size(Fraction(x), name)
    if isinstance(x, mpmath.mpf):
        if not mpmath.isfinite(x):
            raise ValueError(f"{name} must be finite, got {x}")
        sign, mantissa, exponent, _ = x._mpf_
        if int(mantissa).bit_length() + abs(exponent) > MAX_RATIONAL_BITS:
            raise ValueError(f"{name}: too many bits or too large an exponent for exact arithmetic "
                             f"(at most {MAX_RATIONAL_BITS} bits)")
        value = Fraction(int(mantissa)) * (Fraction(2) ** exponent)
        return -value if sign else value
    if isinstance(x, (str, Decimal)):
        try:
            decimal_value = Decimal(str(x).strip())
        except Exception:
            raise ValueError(f"{name}: cannot parse {x!r} as a number") from None
        if not decimal_value.is_finite():
            raise ValueError(f"{name} must be finite, got {x!r}")
        if decimal_value != 0 and abs(decimal_value.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise ValueError(f"{name}: {str(x)[:40]!r} is out of range: the magnitude must lie in "
                             f"[1e-{MAX_DECIMAL_EXPONENT}, 1e{MAX_DECIMAL_EXPONENT + 1})")
        if len(decimal_value.as_tuple().digits) > MAX_RATIONAL_BITS * 0.3:
            raise ValueError(f"{name}: at most {int(MAX_RATIONAL_BITS * 0.3)} significant digits")
        return _checked_size(Fraction(decimal_value), name)
    try:
        float_value = float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number, got {x!r}") from None
    if not math.isfinite(float_value):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, int):
        return _checked_size(Fraction(x), name)
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
    """The requested number of correct digits, an integer in ``[5, MAX_DIGITS]``."""
    return check_int(digits, "digits", minimum=5, maximum=MAX_DIGITS)


def checked_depth(L, maximum: int = MAX_ROOT_DEPTH) -> int:
    """The depth ``L``: an integer in ``[2, maximum]`` (the cost of exact arithmetic grows with ``L``)."""
    return check_int(L, "depth", minimum=2, maximum=maximum)


def fraction_to_mpf(q: Fraction):
    """``q`` rounded to the current working precision."""
    return mpmath.mpf(q.numerator) / q.denominator
