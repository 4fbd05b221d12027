"""The type of a critical point from its Hessian eigenvalues.

An eigenvalue with ``|mu| <= 10^(-0.6 digits) max(1, max |mu|)`` counts as zero
(the eigenvalues are computed at ``digits`` digits).  A point is a
``"saddle"`` if its eigenvalues have both signs, else ``"degenerate"`` if any is
zero, else ``"minimum"`` / ``"maximum"``.  For a product point the eigenvalues
are the union over coordinates (the Hessian is block diagonal), so the per-block
sign flags are combined with ``any`` before :func:`kind_from_sign_flags`.
"""
from __future__ import annotations

import mpmath

__all__ = ["eigenvalue_sign_flags", "kind_from_sign_flags", "classify_eigenvalues"]


def eigenvalue_sign_flags(eigenvalues, digits: int = 50):
    """``(any positive, any negative, any zero)`` among the eigenvalues, with the tolerance of the module doc."""
    eigenvalues = [mpmath.mpf(e) for e in eigenvalues]
    scale = max([mpmath.mpf(1)] + [abs(e) for e in eigenvalues])
    tol = scale * mpmath.mpf(10) ** (-int(0.6 * digits))
    return (any(e > tol for e in eigenvalues), any(e < -tol for e in eigenvalues),
            any(abs(e) <= tol for e in eigenvalues))


def kind_from_sign_flags(positive: bool, negative: bool, zero: bool) -> str:
    """``"saddle" | "degenerate" | "minimum" | "maximum"`` from the three sign flags."""
    if positive and negative:
        return "saddle"
    if zero:
        return "degenerate"
    return "minimum" if positive else "maximum"


def classify_eigenvalues(eigenvalues, digits: int = 50) -> str:
    """``"minimum" | "maximum" | "saddle" | "degenerate"`` from Hessian eigenvalues (tolerance as in the module doc)."""
    return kind_from_sign_flags(*eigenvalue_sign_flags(eigenvalues, digits))
