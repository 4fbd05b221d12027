"""Prefix and suffix products over the layers, the building block of every compiled gradient.

``prod_{m != l} x_m = prefix[l-1] * suffix[l+1]`` (no division, so exact zeros are fine):
Lemma 2.1's noisy gradient and eq 18's gradient of ``L`` both need it per coordinate.
"""
from __future__ import annotations

from numba import njit

__all__ = ["fill_prefix_suffix_products"]


@njit(cache=True, nogil=True, inline="always")
def fill_prefix_suffix_products(X, prefix, suffix):  # pragma: no cover - compiled
    """Fill ``prefix[l] = prod_{m <= l} X[m]`` and ``suffix[l] = prod_{m >= l} X[m]``, each (L, d)."""
    L, d = X.shape
    for j in range(d):
        prefix[0, j] = X[0, j]
        suffix[L - 1, j] = X[L - 1, j]
    for l in range(1, L):
        for j in range(d):
            prefix[l, j] = prefix[l - 1, j] * X[l, j]
            suffix[L - 1 - l, j] = suffix[L - l, j] * X[L - 1 - l, j]
