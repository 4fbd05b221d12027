"""Whitened regression data (main paper, Section 2).

The paper assumes whitened inputs, ``(1/n) sum_i X_i X_i^T = I_d``, and noiseless
labels ``Y_i = <w*, X_i>``; then the empirical loss equals ``||W* - W||_F^2``
(eq 3).  :func:`whitened_data` produces such a data set exactly (to rounding)
from a seed; :func:`check_whitened` refuses data that is not whitened.
"""
from __future__ import annotations

import numpy as np

from .validation import check_int, check_seed, check_vector, check_width

__all__ = ["whitened_data", "check_whitened", "WHITENING_TOLERANCE"]

#: Largest entry of ``|(1/n) X^T X - I|`` accepted as "whitened" (float64 rounding is ~1e-15).
WHITENING_TOLERANCE = 1e-10


def whitened_data(n, wstar, seed=0):
    """Return ``(X, Y)``: ``n`` whitened inputs in ``R^d`` and labels ``Y = X w*``.

    ``X`` has shape ``(n, d)`` with ``(1/n) X^T X = I_d`` exactly up to rounding:
    a Gaussian matrix is orthonormalized by a QR decomposition and scaled by
    ``sqrt(n)``.  Requires ``n >= d``.  The same seed gives the same data.
    """
    wstar = check_vector(wstar, "wstar")
    d = check_width(wstar.shape[0])
    n = check_int(n, "n", minimum=d)
    rng = np.random.default_rng(check_seed(seed))
    Z = rng.standard_normal((n, d))
    Q, R = np.linalg.qr(Z)
    Q = Q * np.sign(np.diag(R))[None, :]  # a deterministic orientation
    X = np.sqrt(n) * Q
    return X, X @ wstar


def check_whitened(X, tol=WHITENING_TOLERANCE):
    """Return ``X`` as an array if ``(1/n) X^T X = I`` within ``tol``; else raise ``ValueError``."""
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("X must be an array of real numbers") from None
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (n, d) with n, d >= 1, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers (no NaN or inf)")
    n, d = X.shape
    largest_deviation = np.max(np.abs(X.T @ X / n - np.eye(d)))
    if not largest_deviation <= tol:
        raise ValueError(
            f"X must be whitened, (1/n) X^T X = I within {tol:g}; largest deviation is {largest_deviation:.3g}"
        )
    return X
