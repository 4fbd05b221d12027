"""The diagonal network on non-whitened data: marginalized loss, derivatives, critical points (beyond the paper).

With inputs of covariance ``Sigma`` (symmetric positive definite, ``(1/n) sum_i X_i X_i^T = Sigma``) and labels
``Y = <w*, X>``, the loss is ``L(W) = (w* - pi)^T Sigma (w* - pi)``, ``pi_h = prod_l W_{l,h}``.  Averaging over
S-SAM's perturbation (:mod:`derivations.nonwhitened` derives it) gives

    L_R(W) = E[L(W + G)] = (w* - pi)^T Sigma (w* - pi) + sum_h Sigma_hh R_h(W_h),
    R_h = prod_l (W_{l,h}^2 + eta^2) - prod_l W_{l,h}^2:

the regularizer is weighted by the diagonal of ``Sigma`` only.  At a critical point every coordinate is balanced
and ``a_h = |W_{l,h}|`` is zero or a positive root of the whitened shrinkage polynomial
``(a^2 + eta^2)^(L-1) - |m_h| a^(L-2)`` with the **effective target**
``m_h = w*_h + sum_{k != h} (Sigma_hk / Sigma_hh) (w*_k - pi_k)`` (:func:`effective_targets`).

Functions accept float arrays or object arrays of ``mpmath.mpf`` (then they evaluate at that precision).
:func:`search_critical_points` finds critical points by damped Newton from random starts (float64, batched over
starts) and polishes them at high precision; it uses none of the formulas above.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from .critical_points.classification import classify_eigenvalues
from .model import products_excluding
from .validation import check_eta, check_int, check_vector, check_weights

__all__ = ["check_covariance", "marginalized_loss", "grad_marginalized_loss", "hessian_marginalized_loss",
           "effective_targets", "FoundPoint", "search_critical_points"]


def check_covariance(Sigma, d=None):
    """``Sigma`` as a symmetric positive definite ``(d, d)`` array, else ``ValueError`` naming ``Sigma``."""
    if isinstance(Sigma, np.ndarray) and Sigma.dtype == object:
        values = np.array(Sigma.tolist(), dtype=float)
    else:
        try:
            values = Sigma = np.asarray(Sigma, dtype=float)
        except (TypeError, ValueError):
            raise ValueError("Sigma must be a square array of real numbers") from None
    if values.ndim != 2 or values.shape[0] != values.shape[1] or (d is not None and values.shape[0] != d):
        raise ValueError(f"Sigma must have shape ({d or 'd'}, {d or 'd'}) (the width), got shape {values.shape}")
    if not np.all(np.isfinite(values)) or not np.allclose(values, values.T, rtol=0, atol=1e-12):
        raise ValueError("Sigma must be finite and symmetric")
    if not np.all(np.linalg.eigvalsh(values) > 0):
        raise ValueError(f"Sigma must be positive definite, got eigenvalues {np.linalg.eigvalsh(values)}")
    return Sigma


def _checked(W, wstar, Sigma, eta):
    W = check_weights(W, "W")
    wstar = check_vector(wstar, "wstar", length=W.shape[1])
    return W, wstar, check_covariance(Sigma, W.shape[1]), check_eta(eta)


def _value(W, wstar, Sigma, eta):
    residual = wstar - np.prod(W, axis=-2)
    squares = W * W
    regularizer = np.prod(squares + eta * eta, axis=-2) - np.prod(squares, axis=-2)
    return np.sum((residual @ Sigma) * residual, axis=-1) + regularizer @ np.diagonal(Sigma)


def marginalized_loss(W, wstar, Sigma, eta):
    """``L_R(W) = (w* - pi)^T Sigma (w* - pi) + sum_h Sigma_hh R_h`` (module docstring)."""
    return _value(*_checked(W, wstar, Sigma, eta))


def _gradient(W, wstar, Sigma, eta):
    """The gradient for ``W`` of shape (..., L, d) (a leading batch axis is allowed)."""
    residual = wstar - np.prod(W, axis=-2)
    pulled = residual @ Sigma  # [Sigma (w* - pi)]_h (Sigma symmetric)
    squares = W * W
    regularizer_gradient = 2 * W * (products_excluding(squares + eta * eta) - products_excluding(squares))
    return -2 * pulled[..., None, :] * products_excluding(W) + np.diagonal(Sigma) * regularizer_gradient


def grad_marginalized_loss(W, wstar, Sigma, eta):
    """``d L_R / d W_{l,h} = -2 [Sigma (w* - pi)]_h prod_{k != l} W_{k,h} + Sigma_hh d R_h / d W_{l,h}``; ``(L, d)``."""
    return _gradient(*_checked(W, wstar, Sigma, eta))


def _at(A, *index):
    """``A[..., index]``; a plain element (not a 0-d array) when ``index`` is complete (fast for mpf arrays)."""
    return A[index] if A.ndim == len(index) else A[(Ellipsis,) + index]


def _product_over(values, excluded, L, one):
    """``prod_{k not in excluded} values[..., k]`` for a small number of layers (``one`` when empty)."""
    out = one
    for k in range(L):
        if k not in excluded:
            out = out * _at(values, k)
    return out


def _hessian(W, wstar, Sigma, eta):
    """The Hessian for ``W`` of shape (..., L, d), as (..., L d, L d) with layer-major index ``l d + h``."""
    L, d = W.shape[-2:]
    one = W.dtype.type(1) if W.dtype != object else mpmath.mpf(1)
    excluding = products_excluding(W)  # d pi_h / d W_{l,h}, (..., L, d)
    pulled = (wstar - np.prod(W, axis=-2)) @ Sigma
    H = np.empty(W.shape[:-2] + (L, d, L, d), dtype=W.dtype)
    for l in range(L):
        for h in range(d):
            for m in range(L):
                for k in range(d):
                    H[..., l, h, m, k] = 2 * Sigma[h, k] * _at(excluding, l, h) * _at(excluding, m, k)
    for h in range(d):
        w = W[..., :, h]
        for c, sign in ((eta * eta, 1), (0 * eta, -1)):  # R_h = prod (w^2 + eta^2) - prod w^2
            shifted = w * w + c
            for l in range(L):
                H[..., l, h, l, h] += sign * Sigma[h, h] * 2 * _product_over(shifted, (l,), L, one)
                for m in range(L):
                    if m != l:
                        H[..., l, h, m, h] += sign * Sigma[h, h] * 4 * _at(w, l) * _at(w, m) * _product_over(
                            shifted, (l, m), L, one)
        for l in range(L):
            for m in range(L):
                if m != l:
                    H[..., l, h, m, h] -= 2 * _at(pulled, h) * _product_over(w, (l, m), L, one)
    return H.reshape(W.shape[:-2] + (L * d, L * d))


def hessian_marginalized_loss(W, wstar, Sigma, eta):
    """The full ``(L d) x (L d)`` Hessian of ``L_R`` (layer-major index ``l d + h``); coordinates couple via ``Sigma``."""
    return _hessian(*_checked(W, wstar, Sigma, eta))


def effective_targets(W, wstar, Sigma):
    """``m_h = w*_h + sum_{k != h} (Sigma_hk / Sigma_hh) (w*_k - pi_k)``: the target each coordinate sees."""
    W = check_weights(W, "W")
    wstar = check_vector(wstar, "wstar", length=W.shape[1])
    Sigma = check_covariance(Sigma, W.shape[1])
    residual = wstar - np.prod(W, axis=0)
    diagonal = np.diagonal(Sigma)
    return wstar + (Sigma @ residual - diagonal * residual) / diagonal


@dataclass
class FoundPoint:
    """A critical point found by :func:`search_critical_points`: ``W`` (object array of mpf), ``gradient_norm``
    (max abs entry, mpf), ``eigenvalues`` (of the Hessian, float64, ascending) and ``kind``."""

    W: np.ndarray
    gradient_norm: object
    eigenvalues: list
    kind: str


def _batched_newton(W, wstar, Sigma, eta, saddle_free, iters=120):
    """Damped (saddle-free on a subset) Newton on ``grad L_R = 0`` for a batch ``W`` of shape (S, L, d)."""
    S, L, d = W.shape
    for iteration in range(iters):
        g = _gradient(W, wstar, Sigma, eta).reshape(S, L * d)
        H = _hessian(W, wstar, Sigma, eta)
        mu, V = np.linalg.eigh(H)
        use_abs = saddle_free[:, None] & (iteration < iters - 20)
        mu = np.where(use_abs, np.maximum(np.abs(mu), 1e-8), np.where(np.abs(mu) < 1e-12, 1e-12, mu))
        step = np.einsum("sij,sj->si", V, np.einsum("sji,sj->si", V, g) / mu)
        norm = np.linalg.norm(step, axis=1)
        limit = 0.5 * (1 + np.linalg.norm(W.reshape(S, -1), axis=1))
        step *= np.where(norm > limit, limit / np.maximum(norm, 1e-300), 1.0)[:, None]
        W = W - step.reshape(S, L, d)
        W = np.where(np.isfinite(W), W, 0.0)
        if np.all(norm < 1e-13):
            break
    g = _gradient(W, wstar, Sigma, eta).reshape(S, L * d)
    return W, np.max(np.abs(g), axis=1)


def _polish(W, wstar, Sigma, eta, digits):
    """Newton at ``digits`` digits from a float64 critical point, with the float64 Hessian as the Newton matrix.

    Each step multiplies the error by about ``1e-16 cond(H)`` (the gradient is evaluated in mpmath), so a few steps
    reach ``digits`` digits; stops when ``max |grad| < 10^-(digits + 5)`` (at most 12 steps).  Returns the mpf point,
    its gradient norm and the Hessian's eigenvalues (float64, for the classification).
    """
    inverse = np.linalg.inv(_hessian(np.asarray(W, dtype=float), np.array([float(x) for x in wstar]),
                                     np.array(Sigma.tolist(), dtype=float), float(eta)))
    with mpmath.workdps(digits + 10):
        Wm = np.array([[mpmath.mpf(float(x)) for x in row] for row in W], dtype=object)
        tolerance = mpmath.mpf(10) ** (-(digits + 5))
        for _ in range(12):
            g = _gradient(Wm, wstar, Sigma, eta).reshape(-1)
            if max(abs(x) for x in g) < tolerance:
                break
            step = inverse @ np.array([float(x) for x in g])
            Wm = Wm - np.array([mpmath.mpf(x) for x in step], dtype=object).reshape(Wm.shape)
        gradient_norm = max(abs(x) for x in _gradient(Wm, wstar, Sigma, eta).reshape(-1))
    eigenvalues = np.linalg.eigvalsh(_hessian(np.array(Wm.tolist(), dtype=float), np.array([float(x) for x in wstar]),
                                              np.array(Sigma.tolist(), dtype=float), float(eta))).tolist()
    return Wm, gradient_norm, eigenvalues


def search_critical_points(L, eta, wstar, Sigma, starts=400, seed=0, digits=40, scale=1.5):
    """Critical points of ``L_R`` on data of covariance ``Sigma``, by Newton's method from random starts.

    Starts: ``W_{l,h} = s u r_h`` with random signs ``s``, ``u ~ U(0, scale)`` and ``r_h = max(|w*_h|^(1/L), eta)``;
    half the starts run saddle-free Newton (finds minima), half plain Newton (finds every kind).  Converged
    starts (``max |grad| < 1e-9``) are deduplicated (6 decimals) and polished at ``digits`` digits (mpmath);
    float64 eigenvalues of the Hessian at the polished point classify it.  ``eta``, ``wstar`` and ``Sigma`` are
    used as given (floats or mpf); pass mpf for the polish to be exact to ``digits``.
    """
    L = check_int(L, "depth", minimum=2)
    starts = check_int(starts, "starts", minimum=1)
    wstar_values = np.asarray(wstar.tolist() if isinstance(wstar, np.ndarray) else wstar, dtype=object)
    d = wstar_values.shape[0]
    Sigma_object = np.array([[mpmath.mpf(x) for x in row] for row in np.asarray(Sigma, dtype=object).tolist()],
                            dtype=object)
    Sigma_float = check_covariance(np.array(Sigma_object.tolist(), dtype=float), d)
    wstar_float = np.array([float(x) for x in wstar_values])
    eta_float = float(check_eta(float(eta)))
    rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    radii = np.maximum(np.abs(wstar_float) ** (1.0 / L), eta_float)
    W0 = rng.choice([-1.0, 1.0], size=(starts, L, d)) * rng.uniform(0, scale, size=(starts, L, d)) * radii
    W, gradient = _batched_newton(W0, wstar_float, Sigma_float, eta_float, rng.random(starts) < 0.5)
    converged = W[(gradient < 1e-9) & np.all(np.abs(W) < 1e6, axis=(1, 2))]
    unique = np.unique(np.round(converged, 6), axis=0)
    found, seen = [], []
    wstar_mp = np.array([mpmath.mpf(x) for x in wstar_values], dtype=object)
    for u in unique:
        start = converged[np.argmin(np.sum((converged - u) ** 2, axis=(1, 2)))]
        Wm, gradient_norm, eigenvalues = _polish(start, wstar_mp, Sigma_object, mpmath.mpf(eta), digits)
        with mpmath.workdps(digits):
            if any(max(abs(x - y) for x, y in zip(Wm.ravel(), other.ravel())) < mpmath.mpf(10) ** (-digits // 2)
                   for other in seen):
                continue
            seen.append(Wm)
            found.append(FoundPoint(Wm, gradient_norm, eigenvalues, classify_eigenvalues(eigenvalues, 15)))
    return found
