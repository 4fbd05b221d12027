"""Argument validation at the public boundary of the numeric layer.

Every public function of :mod:`numeric` validates its arguments once, here, and
raises :class:`ValueError` with a message that names the argument and the
allowed range (scikit-learn convention).  Internals do not re-validate.

Object arrays (NumPy arrays of ``mpmath.mpf``) pass through unchanged so that
the same formulas can be evaluated at high precision.
"""
from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = [
    "check_depth",
    "check_width",
    "check_eta",
    "check_positive",
    "check_weights",
    "check_vector",
    "check_int",
    "check_seed",
]


def _is_object(a) -> bool:
    return isinstance(a, np.ndarray) and a.dtype == object


def check_int(value, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as int, or raise ``ValueError`` naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r:.60}")
    value = int(value)
    if minimum is not None and value < minimum:
        hi = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be >= {minimum}{hi}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_depth(L) -> int:
    """Depth ``L`` of the network: an integer ``>= 2``."""
    return check_int(L, "depth", minimum=2)


def check_width(d) -> int:
    """Width ``d`` of the network: an integer ``>= 1``."""
    return check_int(d, "width", minimum=1)


def check_positive(value, name: str, allow_zero: bool = False, maximum: float | None = None, why: str = ""):
    """A finite real ``> 0`` (``>= 0`` with ``allow_zero``), at most ``maximum`` if given (``why`` says
    why in the message); mpmath numbers pass."""
    try:
        import mpmath

        if isinstance(value, mpmath.mpf):
            ok = mpmath.isfinite(value) and (value >= 0 if allow_zero else value > 0)
            if not ok:
                rng = ">= 0" if allow_zero else "> 0"
                raise ValueError(f"{name} must be finite and {rng}, got {value}")
            return value
    except ImportError:  # pragma: no cover - mpmath is a dependency
        pass
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    try:
        v = float(value)
    except OverflowError:  # an int or Fraction beyond float64
        digits = int(abs(int(value)).bit_length() * 0.30103) + 1
        raise ValueError(f"{name} must be finite (within float64), got a number of about {digits} digits") from None
    rng = ">= 0" if allow_zero else "> 0"
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be finite and {rng}, got {value!r}")
    if maximum is not None and v > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}{why}, got {v:g}")
    return value


def check_eta(eta, allow_zero: bool = False):
    """Noise level ``eta``: finite and ``> 0`` (``>= 0`` where ``allow_zero``)."""
    return check_positive(eta, "eta", allow_zero=allow_zero)


_NOT_REAL = {"c": "complex", "b": "boolean", "U": "text", "S": "text", "V": "structured", "M": "datetime",
             "m": "timedelta"}


def _as_array(a, name: str) -> np.ndarray:
    """``a`` as a finite float array (object arrays of mpmath numbers pass unchanged).

    Complex, boolean and text entries are refused: ``np.asarray(x, dtype=float)`` would
    silently drop imaginary parts, read ``True`` as 1 and parse ``"1"`` as 1.0.
    """
    if _is_object(a):
        return a
    try:
        kind = np.asarray(a).dtype.kind
    except (TypeError, ValueError):  # ragged nesting
        raise ValueError(f"{name} must be an array of real numbers") from None
    if kind in _NOT_REAL:
        raise ValueError(f"{name} must be an array of real numbers, got {_NOT_REAL[kind]} entries")
    try:
        arr = np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return arr


def check_weights(W, name: str = "weights") -> np.ndarray:
    """Weights of shape ``(L, d)`` (row ``l`` = layer ``l+1``), ``L >= 2``, ``d >= 1``."""
    arr = _as_array(W, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (depth, width), got shape {arr.shape}")
    if arr.shape[0] < 2:
        raise ValueError(f"{name}: depth must be >= 2, got {arr.shape[0]} layer(s)")
    if arr.shape[1] < 1:
        raise ValueError(f"{name}: width must be >= 1, got {arr.shape[1]}")
    return arr


def check_vector(v, name: str, length: int | None = None) -> np.ndarray:
    """A finite 1-D vector, of the given length when ``length`` is set."""
    arr = _as_array(v, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D vector, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} must have length {length} (the width), got {arr.shape[0]}")
    if arr.shape[0] < 1:
        raise ValueError(f"{name} must have length >= 1")
    return arr


def check_seed(seed, name: str = "seed"):
    """A seed: an integer ``>= 0``, or a ``numpy.random.Generator`` (passed through)."""
    if isinstance(seed, np.random.Generator) or seed is None:
        return seed
    return check_int(seed, name, minimum=0)
