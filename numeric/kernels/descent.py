"""Gradient descent on ``L_R`` (eq 18) and on ``L`` as compiled loops over steps.

The state is the layer-major wide array ``W`` (L, n) of
:func:`numeric.dynamics.deterministic.gradient_descent` (``n = K d`` coordinates of
``K`` runs).  Per coordinate, with ``c = 2 alpha_k`` and ``Q_l = W_l^2 + eta^2``::

    c grad_l L_R / 2 = c W_l prod_{k != l} Q_k - c w* prod_{k != l} W_k    (regularized, eta > 0)
    c grad_l L   / 2 = c (pi - w*) prod_{k != l} W_k                      (eta = 0, or GD on L)

The products excluding one layer come from prefix and suffix products (no
division: a division costs as much as the rest of a step here).  GD on ``L``
performs the same operations in the same order as the NumPy reference
(``numeric.dynamics.deterministic._descent_step_kernel``) and is bit-identical to
it; GD on ``L_R`` differs from the reference (which divides ``prod_k Q_k`` by
``Q_l``) by rounding only: the tests require a relative agreement of ``1e-12``
after 500 steps, and the trajectories are compared in the benchmarks too.
"""
from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["descend_regularized", "descend_plain"]


@njit(cache=True, nogil=True)
def descend_regularized(W, wstar, eta_squared, coefficients):  # pragma: no cover - compiled
    """Steps ``W -= (c_k / 2) grad L_R(W)`` for every ``c_k`` in ``coefficients`` (``c_k = 2 alpha_k``), in place.

    ``c grad_l L_R / 2 = c W_l prod_{k != l} Q_k - c w* prod_{k != l} W_k`` with ``Q = W^2 + eta^2``;
    both products excluding ``l`` from prefix and suffix products (no division).
    """
    L, n = W.shape
    Q = np.empty((L, n))
    q_prefix = np.empty((L, n))
    q_suffix = np.empty((L, n))
    w_prefix = np.empty((L, n))
    w_suffix = np.empty((L, n))
    scaled_wstar = np.empty(n)
    for c in coefficients:
        for l in range(L):
            for j in range(n):
                Q[l, j] = W[l, j] * W[l, j] + eta_squared
        for j in range(n):
            q_prefix[0, j] = Q[0, j]
            w_prefix[0, j] = W[0, j]
            q_suffix[L - 1, j] = Q[L - 1, j]
            w_suffix[L - 1, j] = W[L - 1, j]
            scaled_wstar[j] = wstar[j] * c
        for l in range(1, L - 1):
            for j in range(n):
                q_prefix[l, j] = q_prefix[l - 1, j] * Q[l, j]
                w_prefix[l, j] = w_prefix[l - 1, j] * W[l, j]
                q_suffix[L - 1 - l, j] = q_suffix[L - l, j] * Q[L - 1 - l, j]
                w_suffix[L - 1 - l, j] = w_suffix[L - l, j] * W[L - 1 - l, j]
        for j in range(n):  # l = 0 and l = L - 1
            W[0, j] -= (W[0, j] * c) * q_suffix[1, j] - scaled_wstar[j] * w_suffix[1, j]
            W[L - 1, j] -= (W[L - 1, j] * c) * q_prefix[L - 2, j] - scaled_wstar[j] * w_prefix[L - 2, j]
        for l in range(1, L - 1):
            for j in range(n):
                W[l, j] -= ((W[l, j] * c) * (q_prefix[l - 1, j] * q_suffix[l + 1, j])
                            - scaled_wstar[j] * (w_prefix[l - 1, j] * w_suffix[l + 1, j]))


@njit(cache=True, nogil=True)
def descend_plain(W, wstar, coefficients):  # pragma: no cover - compiled
    """Steps ``W -= (c_k / 2) grad L(W)`` (GD on the unregularized loss, or on ``L_R`` at ``eta = 0``), in place."""
    L, n = W.shape
    prefix = np.empty((L, n))
    suffix = np.empty((L, n))
    g = np.empty((L, n))
    scratch = np.empty(n)
    for c in coefficients:
        # prefix[l] = prod_{k <= l} W_k (prefix[0] = W[0]); suffix[l] = prod_{k >= l} W_k (suffix[L-1] = W[L-1])
        for l in range(1, L - 1):
            before = W[0] if l == 1 else prefix[l - 1]
            for j in range(n):
                prefix[l, j] = before[j] * W[l, j]
            source = W[L - 1] if l == 1 else suffix[L - l]
            for j in range(n):
                suffix[L - 1 - l, j] = source[j] * W[L - 1 - l, j]
        last_prefix = W[0] if L == 2 else prefix[L - 2]
        first_suffix = W[L - 1] if L == 2 else suffix[1]
        for j in range(n):
            scratch[j] = last_prefix[j] * W[L - 1, j] - wstar[j]  # pi - w*
        for j in range(n):
            g[0, j] = first_suffix[j] * scratch[j]
            g[L - 1, j] = last_prefix[j] * scratch[j]
        for l in range(1, L - 1):
            before = W[0] if l == 1 else prefix[l - 1]
            after = W[L - 1] if l + 1 == L - 1 else suffix[l + 1]
            for j in range(n):
                g[l, j] = (before[j] * after[j]) * scratch[j]
        for l in range(L):
            for j in range(n):
                W[l, j] = W[l, j] - g[l, j] * c
