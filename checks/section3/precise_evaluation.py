"""Exact rationals and SymPy expressions as mpmath numbers, for the high-precision comparisons of Section 3."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy as sp

__all__ = ["rational_to_mpf", "evaluate_at"]


def rational_to_mpf(q, dps=60):
    """The rational ``q`` (a Fraction, int or decimal string) as an mpf rounded once at ``dps`` digits."""
    with mpmath.workdps(dps):
        q = Fraction(q)
        return mpmath.mpf(q.numerator) / q.denominator


def evaluate_at(expr, substitution, dps=60):
    """A SymPy expression evaluated at ``substitution`` (symbol -> exact rational / mpf) to ``dps`` digits, as mpf.

    Non-mpf values are taken as exact rationals through their ``str``; a value SymPy
    cannot show to be real gives ``nan``.
    """
    with mpmath.workdps(dps):
        value = sp.N(expr.subs({symbol: (sp.Rational(str(v)) if not isinstance(v, mpmath.mpf) else sp.Float(v, dps))
                                for symbol, v in substitution.items()}), dps)
        return mpmath.mpf(sp.re(value)) if value.is_real is not False else mpmath.mpf("nan")
