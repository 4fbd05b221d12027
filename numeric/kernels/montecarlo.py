"""Monte Carlo moments of S-SAM noisy gradients and noisy losses, fused into one pass per chunk.

:func:`gradient_chunk_moments` takes a chunk's raw standard normals ``(L, k, d)`` and
sample indices ``(k,)`` (drawn in the same order and from the same generator as the
NumPy reference of :mod:`numeric.noisy`, so the perturbed weights ``W + eta g`` are
bit-identical), computes every noisy gradient of Lemma 2.1 and accumulates the
chunk's mean and sum of squared deviations without storing the gradients: sums of
deviations from the chunk's first draw (a shift that keeps the one-pass variance
stable), ``mean = x_0 + S_1/k``, ``M_2 = S_2 - S_1^2/k``.  The reference stores the
``(k, L, d)`` gradients and takes two passes; the engines agree to a relative
``1e-12`` on the mean (tested) — the difference is summation order only.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .products import fill_prefix_suffix_products

__all__ = ["gradient_chunk_moments", "loss_chunk_moments"]


@njit(cache=True, nogil=True)
def gradient_chunk_moments(W, eta, normals, X, Y, sample_index):  # pragma: no cover - compiled
    """``(mean, M2)``, each (L, d), of the ``k`` noisy gradients of one chunk (Lemma 2.1)."""
    L, k, d = normals.shape
    Wt = np.empty((L, d))
    prefix = np.empty((L, d))
    suffix = np.empty((L, d))
    gradient = np.empty((L, d))
    shift = np.empty((L, d))
    first_sum = np.zeros((L, d))
    second_sum = np.zeros((L, d))
    for m in range(k):
        for l in range(L):
            for j in range(d):
                Wt[l, j] = normals[l, m, j] * eta + W[l, j]
        fill_prefix_suffix_products(Wt, prefix, suffix)
        i = sample_index[m]
        dot = 0.0
        for j in range(d):
            dot += prefix[L - 1, j] * X[i, j]
        factor = -2.0 * (Y[i] - dot)
        for j in range(d):
            gradient[0, j] = suffix[1, j] * X[i, j] * factor
            gradient[L - 1, j] = prefix[L - 2, j] * X[i, j] * factor
        for l in range(1, L - 1):
            for j in range(d):
                gradient[l, j] = prefix[l - 1, j] * suffix[l + 1, j] * X[i, j] * factor
        if m == 0:
            shift[:, :] = gradient
        for l in range(L):
            for j in range(d):
                deviation = gradient[l, j] - shift[l, j]
                first_sum[l, j] += deviation
                second_sum[l, j] += deviation * deviation
    mean = shift + first_sum / k
    second = second_sum - first_sum * first_sum / k
    return mean, second


@njit(cache=True, nogil=True)
def loss_chunk_moments(W, wstar, eta, normals):  # pragma: no cover - compiled
    """``(mean, M2)`` (scalars as 0-d arrays) of the ``k`` draws of ``L(W + G)`` of one chunk (Lemma 2.2)."""
    L, k, d = normals.shape
    shift = 0.0
    first_sum = 0.0
    second_sum = 0.0
    for m in range(k):
        loss = 0.0
        for j in range(d):
            product = 1.0
            for l in range(L):
                product *= normals[l, m, j] * eta + W[l, j]
            residual = wstar[j] - product
            loss += residual * residual
        if m == 0:
            shift = loss
        deviation = loss - shift
        first_sum += deviation
        second_sum += deviation * deviation
    mean = np.array(shift + first_sum / k)
    second = np.array(second_sum - first_sum * first_sum / k)
    return mean, second
