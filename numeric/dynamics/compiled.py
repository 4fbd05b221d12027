"""The simulators' loops on the compiled kernels of :mod:`numeric.kernels` (``engine="numba"``).

Each driver fills the same record array as the NumPy loop it replaces, calling a
kernel for every stretch of steps between two records (at most
:data:`PROGRESS_STRIDE` steps, so that a progress bar moves on long runs).
"""
from __future__ import annotations

import numpy as np

__all__ = ["descend", "step_blocks", "PROGRESS_STRIDE"]

#: The most steps one kernel call runs, so that progress bars update.
PROGRESS_STRIDE = 10_000


def descend(W, wstar_wide, eta, alphas, recorded_steps, out, regularized, bar=None) -> None:
    """GD (eq 18) on the layer-major ``W`` (L, n) in place, recording ``W`` into ``out`` at ``recorded_steps``.

    Bit-identical to the NumPy loop of :func:`numeric.dynamics.deterministic.gradient_descent`.
    """
    from ..kernels.descent import descend_plain, descend_regularized

    coefficients = 2.0 * np.asarray(alphas, dtype=float)
    eta_squared = float(eta) ** 2
    compiled_regularized = regularized and eta_squared > 0
    done = 0
    for index, target in enumerate(recorded_steps):
        while done < target:
            stop = min(target, done + PROGRESS_STRIDE)
            if compiled_regularized:
                descend_regularized(W, wstar_wide, eta_squared, coefficients[done:stop])
            else:
                descend_plain(W, wstar_wide, coefficients[done:stop])
            if bar is not None:
                bar.update(stop - done)
            done = stop
        out[index] = W


def step_blocks(W, X, Y, eta, alphas, recorded_steps, out, blocks, block, radius, bar=None) -> None:
    """SGD / S-SAM / projected S-SAM (eqs 4, 6, 22) on the layer-major ``W`` (L, K, d) in place.

    ``blocks`` yields ``(sample_indices (B, K), normals (B, L, K, d) or None)`` for consecutive
    blocks of ``block`` steps, the normals **unscaled** (the kernel multiplies by ``eta``).
    ``out[r]`` receives the run-major weights (K, L, d) at ``recorded_steps[r]``.
    """
    from ..kernels.stochastic import noisy_steps

    X = np.ascontiguousarray(X, dtype=float)
    Y = np.ascontiguousarray(Y, dtype=float)
    radius = -1.0 if radius is None else float(radius)
    steps = len(alphas)
    no_normals = np.empty((0, 0, 0, 0))
    sample_indices = normals = None
    step = 0
    for index, target in enumerate(recorded_steps):
        while step < target:
            offset = step % block
            if offset == 0:
                sample_indices, normals = next(blocks)
            stop = min(target, step - offset + block, step + PROGRESS_STRIDE, steps)
            count = stop - step
            noisy_steps(W, X, Y, float(eta), alphas[step:stop], sample_indices[offset:offset + count],
                        no_normals if normals is None else normals[offset:offset + count], radius)
            if bar is not None:
                bar.update(count)
            step = stop
        out[index] = np.moveaxis(W, 0, 1)
