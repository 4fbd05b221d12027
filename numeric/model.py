"""The diagonal linear network and its losses (main paper, Section 2).

Conventions (``shared/spec/CLAIMS.md``, "Setting and conventions"):

* weights ``W`` have shape ``(L, d)``; row ``l`` holds the diagonal of layer
  ``l + 1`` (layer 1 first); the end-to-end map is ``pi_h = prod_l W[l, h]``;
* the loss has **no factor 1/2**: ``L(W) = sum_h (w*_h - pi_h)^2`` (eqs 2-3);
* S-SAM perturbs every weight by independent ``N(0, eta^2)`` noise.

The model separates by coordinate ``h``; every function here is vectorized
over coordinates and layers (products use prefix/suffix cumulative products,
never division, so zeros are handled exactly).  Every function also accepts
object arrays of ``mpmath.mpf`` and then evaluates in that precision.

Precision of ``R`` and its derivatives: ``prod_l (w_l^2 + eta^2) - prod_l w_l^2``
is never formed as that difference, which cancels catastrophically when
``eta^2 << w_l^2`` (a relative error of ``1e-4`` at ``eta = 1e-6``, ``w = 1``; all
digits lost at 60-digit precision for ``|w| ~ 1e33``).  Eq 7's subset expansion,
grouped by the largest index of the subset, is a sum of non-negative terms,

    prod_l (x_l + c) - prod_l x_l = c sum_m prod_{k<m} (x_k + c) prod_{k>m} x_k,   x_l = w_l^2, c = eta^2,

accurate to a few ulps (:func:`_shifted_product_difference`).
"""
from __future__ import annotations

import numpy as np

from .validation import check_eta, check_vector, check_weights

__all__ = [
    "product",
    "loss",
    "regularizer",
    "regularizer_by_coordinate",
    "marginalized_loss",
    "average_sharpness",
    "grad_loss",
    "grad_regularizer",
    "grad_marginalized_loss",
    "hessian_loss",
    "hessian_regularizer",
    "hessian_marginalized_loss",
    "products_excluding",
]


_ABSENT = object()  # "argument not taken" (None is a bad value, refused with a clear message)


def _validated(W, wstar=_ABSENT, eta=_ABSENT, eta_zero=False):
    W = check_weights(W)
    out = [W]
    if wstar is not _ABSENT:
        out.append(check_vector(wstar, "wstar", length=W.shape[1]))
    if eta is not _ABSENT:
        out.append(check_eta(eta, allow_zero=eta_zero))
    return out


def _excluding_layer_major(X: np.ndarray) -> np.ndarray:
    """``out[l] = prod_{k != l} X[k]`` for the leading (layer) axis; any trailing shape."""
    prefix = np.cumprod(X, axis=0)  # prod_{k <= l}
    suffix = np.cumprod(X[::-1], axis=0)[::-1]  # prod_{k >= l}
    out = np.empty_like(X)
    out[0] = suffix[1]
    out[-1] = prefix[-2]
    np.multiply(prefix[:-2], suffix[2:], out=out[1:-1])
    return out


def products_excluding(X: np.ndarray) -> np.ndarray:
    """``out[..., l, :] = prod_{k != l} X[..., k, :]`` along the layer axis (-2).

    Prefix times suffix cumulative products: exact for zero entries and free of
    division.  Works on any leading batch shape and on object (mpmath) arrays;
    batches are processed layer-major, where cumulative products are fastest.
    """
    if X.ndim == 2:
        return _excluding_layer_major(X)
    layer_major = np.ascontiguousarray(np.moveaxis(X, -2, 0))
    return np.moveaxis(_excluding_layer_major(layer_major), 0, -2)


def _products_excluding_pairs(X: np.ndarray) -> np.ndarray:
    """``out[a, b, h] = prod_{k not in {a, b}} X[k, h]`` for a 2-D ``X`` of shape (L, d)."""
    L = X.shape[0]
    k = np.arange(L)
    mask = (k[None, None, :] == k[:, None, None]) | (k[None, None, :] == k[None, :, None])
    one = np.ones_like(X[:1, :])
    stacked = np.where(mask[..., None], one[None, None], X[None, None, :, :])
    return np.prod(stacked, axis=2)


def product(W) -> np.ndarray:
    """End-to-end diagonal ``pi = diag(W_L ... W_1)``, i.e. ``pi_h = prod_l w_{l,h}`` (eq 2)."""
    (W,) = _validated(W)
    return np.prod(W, axis=0)


def loss(W, wstar):
    """Empirical loss ``L(W) = ||W* - W_L...W_1||_F^2 = sum_h (w*_h - pi_h)^2`` (eqs 2-3, whitened data)."""
    W, wstar = _validated(W, wstar)
    return np.sum((wstar - np.prod(W, axis=0)) ** 2)


def _shifted_product_difference(X, c, excluded=None):
    """``prod_l (X_l + c) - prod_l X_l`` over the layers (axis -2) for ``X >= 0``, ``c >= 0``, without cancellation.

    Eq 7's expansion grouped by the largest index ``m`` of the subset:
    ``c sum_m prod_{k<m}(X_k + c) prod_{k>m} X_k`` (every term ``>= 0``).  ``excluded``: a
    boolean array broadcasting against ``X`` along the layer axis (shape ``(..., L, 1)``)
    marking layers left out of both products (all left out: 0).  Vectorized; object arrays work.
    """
    plain, shifted = X, X + c
    if excluded is not None:
        plain, shifted = np.where(excluded, 1, plain), np.where(excluded, 1, shifted)
    ones = np.ones_like(shifted[..., :1, :])
    shifted_before = np.concatenate([ones, np.cumprod(shifted, axis=-2)[..., :-1, :]], axis=-2)
    plain_after = np.flip(np.concatenate([ones, np.cumprod(np.flip(plain, axis=-2), axis=-2)[..., :-1, :]],
                                         axis=-2), axis=-2)
    terms = shifted_before * plain_after
    if excluded is not None:
        terms = np.where(excluded, 0 * c, terms)
    return c * np.sum(terms, axis=-2)


def _regularizer_by_coordinate(W, eta):
    return _shifted_product_difference(W * W, eta * eta)


def _regularizer(W, eta):
    return np.sum(_regularizer_by_coordinate(W, eta))


def regularizer_by_coordinate(W, eta) -> np.ndarray:
    """The terms of ``R`` per coordinate, ``prod_l (w_{l,h}^2 + eta^2) - prod_l w_{l,h}^2``; shape ``(d,)`` (eq 7).

    The model separates by coordinate: ``R = sum_h`` of these (:func:`regularizer`).
    """
    W, eta = _validated(W, eta=eta, eta_zero=True)
    return _regularizer_by_coordinate(W, eta)


def regularizer(W, eta):
    """``R(W) = tr prod_l (W_l^2 + eta^2 I) - tr prod_l W_l^2`` (Lemma 2.2, eq 7).

    Includes the constant ``d eta^{2L}`` (the ``S = {}`` term of eq 7), so that
    ``L + R = E[L(W + G)]`` exactly.
    """
    W, eta = _validated(W, eta=eta, eta_zero=True)
    return _regularizer(W, eta)


def marginalized_loss(W, wstar, eta):
    """``L_R(W) = L(W) + R(W) = E_G[L(W + G)]`` (Lemma 2.2)."""
    W, wstar, eta = _validated(W, wstar, eta, eta_zero=True)
    return np.sum((wstar - np.prod(W, axis=0)) ** 2) + _regularizer(W, eta)


def average_sharpness(W, wstar, eta):
    """``S_avg(W) = E[L(W + G)] - L(W)``, which equals ``R(W)`` (Lemma 2.2, eq 9)."""
    W, wstar, eta = _validated(W, wstar, eta, eta_zero=True)
    return _regularizer(W, eta)


def _grad_loss(W, wstar):
    residual = wstar - np.prod(W, axis=0)
    return -2 * residual[None, :] * products_excluding(W)


def grad_loss(W, wstar) -> np.ndarray:
    """``grad_{W_l} L = -2 (w* - pi) prod_{k != l} W_k`` (Lemma 2.1 with ``eta = 0``); shape ``(L, d)``."""
    W, wstar = _validated(W, wstar)
    return _grad_loss(W, wstar)


def _grad_regularizer(W, eta):
    L = W.shape[0]
    excluded = np.eye(L, dtype=bool)[:, :, None]  # row l leaves layer l out
    return 2 * W * _shifted_product_difference(W * W, eta * eta, excluded)


def grad_regularizer(W, eta) -> np.ndarray:
    """``grad_{W_l} R = 2 W_l [prod_{k != l}(W_k^2 + eta^2) - prod_{k != l} W_k^2]`` (from eq 7)."""
    W, eta = _validated(W, eta=eta, eta_zero=True)
    return _grad_regularizer(W, eta)


def grad_marginalized_loss(W, wstar, eta) -> np.ndarray:
    """``grad L_R = grad L + grad R`` (Lemma 2.2): the mean of the noisy gradient of Lemma 2.1."""
    W, wstar, eta = _validated(W, wstar, eta, eta_zero=True)
    return _grad_loss(W, wstar) + _grad_regularizer(W, eta)


def _product_derivatives(X):
    """First and second derivatives of ``pi_h = prod_l x_{l,h}`` in the layers, per coordinate (for Hessians)."""
    first = products_excluding(X)  # (L, d)
    second = _products_excluding_pairs(X)  # (L, L, d); diagonal entries are not second derivatives
    L = X.shape[0]
    eye = np.eye(L, dtype=bool)[..., None]
    second = np.where(eye, 0 * second, second)
    return first, second


def _hessian_loss(W, wstar):
    first, second = _product_derivatives(W)
    residual = wstar - np.prod(W, axis=0)
    H = 2 * first[:, None, :] * first[None, :, :] - 2 * residual[None, None, :] * second
    return np.moveaxis(H, -1, 0)


def hessian_loss(W, wstar) -> np.ndarray:
    """Hessian of ``L`` as ``d`` per-coordinate blocks, shape ``(d, L, L)``.

    The model separates by coordinate, so the full ``(Ld) x (Ld)`` Hessian is
    block diagonal: ``H_h[a, b] = 2 d_a pi_h d_b pi_h - 2 (w*_h - pi_h) d_a d_b pi_h``.
    """
    W, wstar = _validated(W, wstar)
    return _hessian_loss(W, wstar)


def _hessian_regularizer(W, eta):
    """Per-coordinate Hessian blocks of ``R`` (eq 7), shape (d, L, L), each entry without cancellation.

    ``d^2 R / dw_a^2 = 2 D_{-a}``, ``d^2 R / dw_a dw_b = 4 w_a w_b D_{-ab}``, where ``D_{-S}`` is
    ``prod_{k not in S} (w_k^2 + eta^2) - prod_{k not in S} w_k^2`` (:func:`_shifted_product_difference`).
    """
    L = W.shape[0]
    k = np.arange(L)
    excluded = ((k[None, None, :] == k[:, None, None]) | (k[None, None, :] == k[None, :, None]))[..., None]
    D = _shifted_product_difference(W * W, eta * eta, excluded)  # (L, L, d); the diagonal is D_{-a}
    eye = np.eye(L, dtype=bool)[..., None]
    H = np.where(eye, 2 * D, 4 * W[:, None, :] * W[None, :, :] * D)
    return np.moveaxis(H, -1, 0)


def hessian_regularizer(W, eta) -> np.ndarray:
    """Hessian of ``R`` (eq 7) as per-coordinate blocks, shape ``(d, L, L)``."""
    W, eta = _validated(W, eta=eta, eta_zero=True)
    return _hessian_regularizer(W, eta)


def hessian_marginalized_loss(W, wstar, eta) -> np.ndarray:
    """Hessian of ``L_R = L + R`` as per-coordinate blocks, shape ``(d, L, L)``."""
    W, wstar, eta = _validated(W, wstar, eta, eta_zero=True)
    return _hessian_loss(W, wstar) + _hessian_regularizer(W, eta)
