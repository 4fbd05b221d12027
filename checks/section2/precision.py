"""Tolerances and error measures of the high-precision checks of Lemmas 2.1 and 2.2.

The reference values are SymPy derivations evaluated with mpmath at
:data:`DIGITS` digits (``mpmath.workdps``, local to each check).
"""
from __future__ import annotations

import numpy as np

__all__ = ["FLOAT64_RTOL", "MP_RTOL", "DIGITS", "mpmath_array", "max_relative_error"]

#: Relative tolerance of float64 against 50-digit values at the sampled points (weights of
#: modulus in [0.2, 2], eta in [0.2, 1]): ~1e4 units of roundoff, far below any variant's error.
FLOAT64_RTOL = 1e-12
#: Relative tolerance of the numeric formulas run in 50-digit mpmath against the derivation.
MP_RTOL = 1e-40
#: Working precision (decimal digits) of the reference values.
DIGITS = 50


def mpmath_array(values):
    """``values`` as an object array of ``mpmath.mpf`` (exact conversion of the float64 entries), same shape."""
    import mpmath

    return np.array([mpmath.mpf(float(x)) for x in np.ravel(values)], dtype=object).reshape(np.shape(values))


def max_relative_error(values, reference):
    """``max |values - reference| / max |reference|`` over all entries (the scale floored at 1e-300)."""
    values = np.asarray(values, dtype=object).ravel()
    reference = np.asarray(reference, dtype=object).ravel()
    scale = max(max(abs(x) for x in reference), 1e-300)
    return float(max(abs(x - y) for x, y in zip(values, reference)) / scale)
