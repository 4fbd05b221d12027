"""SGD, S-SAM and projected S-SAM steps (eqs 4, 6, 22) on a block of pre-drawn randomness, compiled.

The state is layer-major ``W`` (L, K, d) (``K`` runs), as in
:func:`numeric.dynamics.stochastic.stochastic_descent`.  One call advances every run
through a block of ``B`` steps, given the block's sample indices ``(B, K)`` and
standard normal draws ``(B, L, K, d)`` (unscaled: the kernel multiplies by ``eta``,
exactly as the NumPy reference does before adding, so the perturbed weights are
bit-identical).  Per run and step, with ``Wt = W + eta g`` and the sample ``i``
(Lemma 2.1)::

    r = Y_i - <prod_l Wt_l, X_i>,     W_l += 2 alpha r prod_{m != l} Wt_m * X_i

then, with a radius, the whole parameter of the run is projected onto the ball (eq 22).
The dot product is summed in coordinate order (the reference uses ``einsum``), so
the two engines agree to rounding, not bit for bit (``tests/test_kernels.py``).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .products import fill_prefix_suffix_products

__all__ = ["noisy_steps"]


@njit(cache=True, nogil=True)
def noisy_steps(W, X, Y, eta, alphas, sample_indices, normals, radius):  # pragma: no cover - compiled
    """Advance ``W`` (L, K, d) in place through ``len(alphas)`` steps; ``radius <= 0``: no projection.

    ``normals`` may be an empty array when ``eta == 0`` (SGD).
    """
    L, K, d = W.shape
    Wt = np.empty((L, d))
    prefix = np.empty((L, d))
    suffix = np.empty((L, d))
    scaled = np.empty(d)
    noisy = eta > 0.0
    for b in range(alphas.shape[0]):
        two_alpha = 2.0 * alphas[b]
        for k in range(K):
            i = sample_indices[b, k]
            for l in range(L):
                for j in range(d):
                    if noisy:
                        Wt[l, j] = W[l, k, j] + eta * normals[b, l, k, j]
                    else:
                        Wt[l, j] = W[l, k, j]
            fill_prefix_suffix_products(Wt, prefix, suffix)
            dot = 0.0
            for j in range(d):
                dot += prefix[L - 1, j] * X[i, j]
            residual = (Y[i] - dot) * two_alpha
            for j in range(d):
                scaled[j] = X[i, j] * residual
            for j in range(d):
                W[0, k, j] += suffix[1, j] * scaled[j]
                W[L - 1, k, j] += prefix[L - 2, j] * scaled[j]
            for l in range(1, L - 1):
                for j in range(d):
                    W[l, k, j] += (prefix[l - 1, j] * suffix[l + 1, j]) * scaled[j]
            if radius > 0.0:
                squared_norm = 0.0
                for l in range(L):
                    for j in range(d):
                        squared_norm += W[l, k, j] * W[l, k, j]
                norm = np.sqrt(squared_norm)
                if norm > radius:
                    factor = radius / norm
                    for l in range(L):
                        for j in range(d):
                            W[l, k, j] *= factor
