"""Stochastic quantities of S-SAM: noisy gradients and noisy losses (Lemma 2.1, eq 6).

One S-SAM draw picks a sample ``i`` uniformly from the data and perturbs every
weight by independent ``N(0, eta^2)`` noise ``G``; with ``W~ = W + G`` and
``pi~ = prod_l W~_l`` the noisy loss is ``L~ = (Y_i - <pi~, X_i>)^2`` and its
gradient is (Lemma 2.1)

    grad_{W_l} L~ = -2 (Y_i - <pi~, X_i>) prod_{k != l} W~_k X_i .

Everything is vectorized over ``m`` independent draws (arrays of shape
``(m, L, d)``); nothing loops over draws in Python.
"""
from __future__ import annotations

import numpy as np

from .data import check_whitened
from .kernels import resolve_engine
from .montecarlo import sample_moments
from .validation import check_eta, check_int, check_seed, check_vector, check_weights

__all__ = [
    "perturb",
    "noisy_gradients",
    "noisy_gradients_from",
    "noisy_losses",
    "noisy_sample_losses",
    "noisy_gradient_moments",
    "noisy_loss_moments",
    "quadrature_mean_noisy_gradient",
    "quadrature_mean_perturbed_loss",
]

#: Largest number of weights ``L d`` for which :func:`quadrature_mean_noisy_gradient` builds its
#: ``2^(L d)`` nodes (``2^16 = 65536`` nodes times the data size).
MAX_QUADRATURE_WEIGHTS = 16


def _generator(seed):
    seed = check_seed(seed)
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _perturb_layer_major(W, eta, m, rng, out=None):
    """``W + G`` in layer-major layout ``(L, m, d)`` (fast cumulative products)."""
    Wt = rng.standard_normal((W.shape[0], m, W.shape[1])) if out is None else out
    if out is not None:
        rng.standard_normal(out=Wt)
    Wt *= eta
    Wt += W[:, None, :]
    return Wt


def perturb(W, eta, m, seed=None):
    """``m`` perturbed copies ``W + G`` of the weights, ``G`` iid ``N(0, eta^2)``; shape ``(m, L, d)``."""
    W = check_weights(W)
    eta = float(check_eta(eta, allow_zero=True))
    m = check_int(m, "m", minimum=1)
    return np.moveaxis(_perturb_layer_major(W, eta, m, _generator(seed)), 1, 0)


def _gradients_layer_major(Wt, X, Y, scratch=None):
    """Lemma 2.1 on layer-major perturbed weights ``Wt`` (L, m, d); returns (m, L, d).

    Overwrites ``Wt`` with the gradients (its values are not needed after the
    prefix and suffix products); ``scratch`` may hold reusable work buffers.
    """
    if scratch is not None and scratch.get("shape") == Wt.shape:
        prefix, suffix = scratch["prefix"], scratch["suffix"]
    else:
        prefix, suffix = np.empty_like(Wt), np.empty_like(Wt)
        if scratch is not None:
            scratch.update(shape=Wt.shape, prefix=prefix, suffix=suffix)
    np.cumprod(Wt, axis=0, out=prefix)  # prod_{k <= l}
    np.cumprod(Wt[::-1], axis=0, out=suffix[::-1])  # prod_{k >= l}
    residual = Y - np.einsum("md,md->m", prefix[-1], X)
    out = Wt
    out[0] = suffix[1]
    out[-1] = prefix[-2]
    np.multiply(prefix[:-2], suffix[2:], out=out[1:-1])
    out *= X[None, :, :]
    out *= (-2.0 * residual)[None, :, None]
    return np.moveaxis(out, 0, 1)


def noisy_gradients_from(Wt, X, Y):
    """Lemma 2.1 at given perturbed weights ``Wt`` (m, L, d) and inputs ``X`` (m, d), labels ``Y`` (m,).

    Returns ``-2 (Y - <prod_l Wt_l, X>) prod_{k != l} Wt_k * X``, shape ``(m, L, d)``.
    No validation: internal building block of :func:`noisy_gradients`.
    """
    # copy(): the kernel overwrites its input, and the caller's array must stay intact
    return _gradients_layer_major(np.moveaxis(np.asarray(Wt, dtype=float), 1, 0).copy(), X, Y)


def noisy_gradients(W, X, Y, eta, m, seed=None):
    """``m`` independent S-SAM noisy gradients (Lemma 2.1), shape ``(m, L, d)``.

    Each draw uses a fresh uniform sample index and fresh Gaussian noise.  The
    data must be whitened (``(1/n) X^T X = I``) so that the mean is
    ``grad L_R(W)`` (Lemma 2.2).  With ``eta = 0`` these are the SGD gradients of eq 4.
    """
    W = check_weights(W)
    X = check_whitened(X)
    Y = check_vector(Y, "Y", length=X.shape[0])
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have {W.shape[1]} columns (the width), got {X.shape[1]}")
    eta = float(check_eta(eta, allow_zero=True))
    m = check_int(m, "m", minimum=1)
    rng = _generator(seed)
    Wt = _perturb_layer_major(W, eta, m, rng)
    sample_index = rng.integers(0, X.shape[0], size=m)
    return _gradients_layer_major(Wt, X[sample_index], Y[sample_index])


def noisy_losses(W, wstar, eta, m, seed=None):
    """``m`` independent draws of ``L(W + G) = sum_h (w*_h - prod_l (W+G)_{l,h})^2``; shape ``(m,)``.

    Their mean is ``L_R(W)`` (Lemma 2.2: ``E[L(W+G)] = L(W) + R(W)``).
    """
    W = check_weights(W)
    wstar = check_vector(wstar, "wstar", length=W.shape[1])
    Wt = perturb(W, eta, m, seed)
    return np.sum((wstar[None, :] - np.prod(Wt, axis=1)) ** 2, axis=1)


def noisy_sample_losses(W, X, Y, eta, m, seed=None):
    """``m`` draws of the one-sample noisy loss ``L~ = (Y_i - <pi~, X_i>)^2`` (eq 6); shape ``(m,)``."""
    W = check_weights(W)
    X = check_whitened(X)
    Y = check_vector(Y, "Y", length=X.shape[0])
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have {W.shape[1]} columns (the width), got {X.shape[1]}")
    rng = _generator(seed)
    Wt = perturb(W, eta, m, rng)
    sample_index = rng.integers(0, X.shape[0], size=m)
    return (Y[sample_index] - np.einsum("md,md->m", np.prod(Wt, axis=1), X[sample_index])) ** 2


def _checked_data(W, X, Y):
    X = check_whitened(X)
    Y = check_vector(Y, "Y", length=X.shape[0])
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have {W.shape[1]} columns (the width), got {X.shape[1]}")
    return X, Y


def noisy_gradient_moments(W, X, Y, eta, m, seed=0, chunk=16384, workers=2, engine="auto"):
    """Mean and variance over ``m`` S-SAM noisy gradients (Lemma 2.1), streamed in chunks.

    Returns :class:`numeric.montecarlo.Moments` with arrays of shape ``(L, d)``;
    the mean estimates ``grad L_R(W)`` (Lemma 2.2).  Deterministic in ``seed``.
    ``engine="numba"``: the fused kernel :func:`numeric.kernels.montecarlo.gradient_chunk_moments`
    on the same random draws (agreeing with the NumPy reference to rounding); ``"auto"``: numba
    when installed.
    """
    engine = resolve_engine(engine)
    W = check_weights(W)
    X, Y = _checked_data(W, X, Y)
    eta = float(check_eta(eta, allow_zero=True))
    if engine == "numba":
        from .kernels.montecarlo import gradient_chunk_moments

        W_float, X_float, Y_float = (np.ascontiguousarray(a, dtype=float) for a in (W, X, Y))

        def fused(rng, k, scratch):
            normals = scratch.get("normals")
            if normals is None or normals.shape[1] != k:
                normals = scratch["normals"] = np.empty((W.shape[0], k, W.shape[1]))
            rng.standard_normal(out=normals)
            sample_index = rng.integers(0, X.shape[0], size=k)
            return gradient_chunk_moments(W_float, eta, normals, X_float, Y_float, sample_index)

        return sample_moments(fused, m, seed=seed, chunk=chunk, workers=workers, reduced=True)

    def sampler(rng, k, scratch):
        perturbed_buffer = scratch.get("Wt")
        if perturbed_buffer is None or perturbed_buffer.shape[1] != k:
            perturbed_buffer = scratch["Wt"] = np.empty((W.shape[0], k, W.shape[1]))
        Wt = _perturb_layer_major(W, eta, k, rng, out=perturbed_buffer)
        sample_index = rng.integers(0, X.shape[0], size=k)
        return _gradients_layer_major(Wt, X[sample_index], Y[sample_index], scratch)

    return sample_moments(sampler, m, seed=seed, chunk=chunk, workers=workers)


def noisy_loss_moments(W, wstar, eta, m, seed=0, chunk=16384, workers=2, engine="auto"):
    """Mean and variance over ``m`` draws of ``L(W + G)``; the mean estimates ``L_R(W)`` (Lemma 2.2).

    ``engine``: as for :func:`noisy_gradient_moments` (kernel :func:`numeric.kernels.montecarlo.loss_chunk_moments`).
    """
    engine = resolve_engine(engine)
    W = check_weights(W)
    wstar = check_vector(wstar, "wstar", length=W.shape[1])
    eta = float(check_eta(eta, allow_zero=True))
    if engine == "numba":
        from .kernels.montecarlo import loss_chunk_moments

        W_float, wstar_float = np.ascontiguousarray(W, dtype=float), np.ascontiguousarray(wstar, dtype=float)

        def fused(rng, k, scratch):
            normals = scratch.get("normals")
            if normals is None or normals.shape[1] != k:
                normals = scratch["normals"] = np.empty((W.shape[0], k, W.shape[1]))
            rng.standard_normal(out=normals)
            return loss_chunk_moments(W_float, wstar_float, eta, normals)

        return sample_moments(fused, m, seed=seed, chunk=chunk, workers=workers, reduced=True)

    def sampler(rng, k, scratch):
        Wt = _perturb_layer_major(W, eta, k, rng)
        return np.sum((wstar[None, :] - np.prod(Wt, axis=0)) ** 2, axis=1)

    return sample_moments(sampler, m, seed=seed, chunk=chunk, workers=workers)


def _sign_nodes(count: int) -> np.ndarray:
    """All ``2^count`` vectors of signs ``+-1``, shape ``(2^count, count)``."""
    bits = (np.arange(2 ** count)[:, None] >> np.arange(count)[None, :]) & 1
    return 1.0 - 2.0 * bits


def quadrature_mean_noisy_gradient(W, X, Y, eta):
    """``E_{i, G}`` of the noisy gradient of Lemma 2.1, exactly, by Gauss-Hermite quadrature; shape ``(L, d)``.

    ``i`` uniform over the data, ``G`` iid ``N(0, eta^2)``.  In the gradient
    ``-2 (Y_i - <prod_k W~_k, X_i>) prod_{k != l} W~_k X_i`` every perturbed weight appears with
    degree at most 2, so the two-point Gauss-Hermite rule (nodes ``+-eta``, weights ``1/2``), exact
    for degree <= 3, is exact in each weight; the product rule over all ``L d`` weights (``2^(L d)``
    nodes) and the exact average over the data give the expectation with rounding error only.
    Independent of the regularizer ``R``: nothing here uses Lemma 2.2.  ``L d`` is limited to
    :data:`MAX_QUADRATURE_WEIGHTS`.
    """
    W = check_weights(W)
    X, Y = _checked_data(W, X, Y)
    eta = float(check_eta(eta, allow_zero=True))
    L, d = W.shape
    if L * d > MAX_QUADRATURE_WEIGHTS:
        raise ValueError(f"weights: L * d must be <= {MAX_QUADRATURE_WEIGHTS} for the 2^(L d)-node quadrature, "
                         f"got {L * d}")
    nodes = W[None] + eta * _sign_nodes(L * d).reshape(-1, L, d)  # (2^(Ld), L, d)
    n = X.shape[0]
    perturbed = np.repeat(nodes, n, axis=0)
    inputs, labels = np.tile(X, (nodes.shape[0], 1)), np.tile(Y, nodes.shape[0])
    return noisy_gradients_from(perturbed, inputs, labels).mean(axis=0)


def quadrature_mean_perturbed_loss(W, wstar, eta):
    """``E_G[L(W + G)] = E_G sum_h (w*_h - prod_l (W + G)_{l,h})^2``, exactly, by Gauss-Hermite quadrature.

    Each perturbed weight appears with degree 2, so the two-point rule (nodes ``+-eta``) is exact
    per weight; the loss separates by coordinate, so ``2^L`` nodes per coordinate suffice.  With
    :func:`numeric.model.loss` subtracted this is the average sharpness ``S_avg`` of eq 9,
    computed without the regularizer ``R``.
    """
    W = check_weights(W)
    wstar = check_vector(wstar, "wstar", length=W.shape[1])
    eta = float(check_eta(eta, allow_zero=True))
    L = W.shape[0]
    perturbed = W[None] + eta * _sign_nodes(L)[:, :, None]  # (2^L, L, d)
    return float(np.sum(np.mean((wstar[None, :] - np.prod(perturbed, axis=1)) ** 2, axis=0)))
