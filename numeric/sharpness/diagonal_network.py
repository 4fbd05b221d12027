"""Sharpness (top Hessian eigenvalue) of the diagonal network of the main paper.

Weights ``W`` of shape ``(L, d)`` (``numeric.model``), loss **without** a factor 1/2,
``L(W) = sum_h (w*_h - prod_l W[l,h])^2`` (eqs 2-3, whitened), and the S-SAM
objective ``L_R = L + R`` (Lemma 2.2).  The full ``(Ld) x (Ld)`` Hessian is
assembled from ``model``'s per-coordinate blocks; parameters are ordered as
``W.ravel()`` (index ``l * d + h``).  Minimal sharpness over minimizers (whitened):
``2 L max_h |w*_h|^{2-2/L}``, attained at the balanced factorizations.
"""
from __future__ import annotations

import numpy as np

from .. import model
from ..validation import check_depth, check_eta, check_positive, check_vector, check_weights

__all__ = [
    "diagonal_hessian",
    "diagonal_sharpness",
    "diagonal_minimal_sharpness",
    "balanced_minimizer",
    "rescale_layers",
    "diagonal_per_sample_features",
]


def diagonal_hessian(W, wstar, eta=None) -> np.ndarray:
    """Full ``(Ld) x (Ld)`` Hessian of ``L`` (``eta=None``) or of ``L_R = L + R`` (Lemma 2.2).

    Assembled from ``numeric.model``'s per-coordinate ``(L, L)`` blocks; the
    parameter order is ``W.ravel()`` (layer-major: index ``l * d + h``).
    """
    W = np.asarray(check_weights(W), dtype=float)
    L, d = W.shape
    wstar = check_vector(wstar, "wstar", length=d)
    blocks = model.hessian_loss(W, wstar) if eta is None else model.hessian_marginalized_loss(W, wstar, check_eta(eta))
    H = np.zeros((L, d, L, d))
    h = np.arange(d)
    H[:, h, :, h] = blocks  # blocks[h] is (L, L)
    return H.reshape(L * d, L * d)


def diagonal_sharpness(W, wstar, eta=None, method: str = "blocks") -> float:
    """Top Hessian eigenvalue of ``L`` or ``L_R`` at ``W``.

    ``method="blocks"``: the largest eigenvalue over the ``d`` per-coordinate
    blocks (the Hessian is block diagonal); ``"dense"``: ``eigh`` of the full matrix.
    """
    W = np.asarray(check_weights(W), dtype=float)
    wstar = check_vector(wstar, "wstar", length=W.shape[1])
    if method == "dense":
        return float(np.linalg.eigvalsh(diagonal_hessian(W, wstar, eta))[-1])
    if method != "blocks":
        raise ValueError(f"method must be 'blocks' or 'dense', got {method!r}")
    blocks = model.hessian_loss(W, wstar) if eta is None else model.hessian_marginalized_loss(W, wstar, check_eta(eta))
    return float(np.linalg.eigvalsh(blocks)[:, -1].max())


def diagonal_minimal_sharpness(wstar, L) -> float:
    """Minimal sharpness over minimizers of the diagonal whitened model: ``2 L max_h |w*_h|^{2-2/L}``.

    Per coordinate the Hessian at a minimizer is ``2 J J^T`` with
    ``||J||^2 = w*_h^2 sum_l 1/W_{l,h}^2 >= L |w*_h|^{2-2/L}`` (AM-GM, equality iff balanced).
    """
    L = check_depth(L)
    wstar = check_vector(wstar, "wstar")
    return float(2 * L * np.max(np.abs(wstar)) ** (2 - 2 / L))


def balanced_minimizer(wstar, L) -> np.ndarray:
    """Balanced minimizer ``|W[l,h]| = |w*_h|^{1/L}``, sign of ``w*_h`` on layer 1; shape ``(L, d)``."""
    L = check_depth(L)
    wstar = np.asarray(check_vector(wstar, "wstar"), dtype=float)
    W = np.tile(np.abs(wstar) ** (1 / L), (L, 1))
    W[0] *= np.where(wstar < 0, -1.0, 1.0)
    return W


def rescale_layers(W, c, i=0, j=1) -> np.ndarray:
    """``W`` with layer ``i`` multiplied by ``c`` and layer ``j`` by ``1/c`` (same product)."""
    W = np.array(check_weights(W), dtype=float)
    check_positive(c, "c")
    W[i] *= c
    W[j] /= c
    return W


def diagonal_per_sample_features(W, X) -> np.ndarray:
    """Rank-one per-sample Gauss-Newton Hessians of ``l_i(W) = (y_i - x_i^T pi(W))^2``: ``H_i = f_i f_i^T``.

    ``f_i = sqrt(2) J^T x_i`` with ``J = d pi / d W`` (``d x Ld``, parameter order ``W.ravel()``);
    ``mean_i H_i = 2 J^T (X^T X / n) J``, which for whitened ``X`` is the Gauss-Newton part of the
    Hessian of ``L``.  Returns ``F`` of shape ``(n, Ld)`` (use with :func:`numeric.stability.threshold`).
    """
    W = np.asarray(check_weights(W), dtype=float)
    L, d = W.shape
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != d:
        raise ValueError(f"X must have shape (n, {d}), got {X.shape}")
    first = model.products_excluding(W)  # (L, d): d pi_h / d W[l, h]
    return np.sqrt(2.0) * (X[:, None, :] * first[None, :, :]).reshape(X.shape[0], L * d)
