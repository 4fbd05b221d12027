"""The dense linear network, its loss and S-SAM's marginalized loss (beyond the paper).

Conventions: ``layers = [W_1, .., W_L]`` with ``W_l`` of shape ``(d_l, d_{l-1})`` (layer 1 first); the
end-to-end map ``P = W_L ... W_1`` has shape ``(d_L, d_0)``; the target ``W*`` is a matrix of that
shape (a row vector ``(1, d_0)`` when ``d_L = 1``); whitened data, so ``L(W) = ||W* - P||_F^2`` (no
factor 1/2).  S-SAM adds iid ``N(0, eta^2)`` noise to every entry of every layer.

Formulas (derived and proved in :mod:`derivations.dense`):

* ``N_0 = I``, ``N_l = W_l N_{l-1} W_l^T + eta^2 tr(N_{l-1}) I``  (``N_l = E[P~_l P~_l^T]``, eq D2);
* ``M_L = I``, ``M_{l-1} = W_l^T M_l W_l + eta^2 tr(M_l) I``  (``M_l = E[S~_l^T S~_l]``, eq D3);
* ``R = tr N_L - ||P||_F^2`` and ``L_R = L + R = E[L(W + G)]``;
* ``grad_{W_l} L_R = -2 A_l^T W* B_l^T + 2 M_l W_l N_{l-1}``, ``A_l = W_L..W_{l+1}``, ``B_l = W_{l-1}..W_1``.

Every private ``_batched_*`` function accepts layers with leading batch axes (``(..., d_l, d_{l-1})``)
and object arrays of ``mpmath.mpf`` (then it evaluates in that precision); the public functions
validate one network at the boundary.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_eta

__all__ = ["check_layers", "check_target", "end_to_end", "dense_loss", "noisy_prefix_moments",
           "noisy_suffix_moments", "dense_regularizer", "dense_marginalized_loss", "grad_dense_loss",
           "grad_dense_marginalized_loss", "balance_sides", "balance_gaps", "weighted_balance_sides",
           "weighted_balance_gaps"]


def check_layers(layers, name: str = "layers") -> list:
    """``L >= 2`` finite 2-D arrays with chained shapes ``W_l: (d_l, d_{l-1})``, else a ``ValueError``."""
    if isinstance(layers, np.ndarray) or not hasattr(layers, "__len__") or len(layers) < 2:
        raise ValueError(f"{name} must be a list of at least 2 matrices (layer 1 first)")
    out = []
    for l, W in enumerate(layers):
        arr = W if isinstance(W, np.ndarray) and W.dtype == object else np.asarray(W, dtype=float)
        if arr.ndim != 2 or min(arr.shape) < 1:
            raise ValueError(f"{name}[{l}] must be a non-empty matrix, got shape {arr.shape}")
        if arr.dtype != object and not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}[{l}] must contain only finite numbers")
        if out and arr.shape[1] != out[-1].shape[0]:
            raise ValueError(f"{name}[{l}] must have {out[-1].shape[0]} columns (the rows of {name}[{l - 1}]), "
                             f"got shape {arr.shape}")
        out.append(arr)
    return out


def check_target(wstar, layers, name: str = "wstar") -> np.ndarray:
    """The target ``W*`` of shape ``(d_L, d_0)``; a 1-D vector is read as a row vector (``d_L = 1``)."""
    arr = wstar if isinstance(wstar, np.ndarray) and wstar.dtype == object else np.asarray(wstar, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    shape = (layers[-1].shape[0], layers[0].shape[1])
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape (d_L, d_0) = {shape}, got {np.shape(wstar)}")
    if arr.dtype != object and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers")
    return arr


def _transpose(A):
    return np.swapaxes(A, -1, -2)


def _identity(size: int, like) -> np.ndarray:
    eye = np.eye(size)
    return eye.astype(object) if like.dtype == object else eye


def _trace(A):
    """``tr A`` over the last two axes, kept as a ``(..., 1, 1)`` array (broadcasts against matrices)."""
    trace = np.trace(A, axis1=-2, axis2=-1)
    return np.asarray(trace, dtype=object if A.dtype == object else float)[..., None, None]


def _batched_product(layers, first: int, stop: int, size: int, like):
    """``W_stop .. W_{first+1}`` for 0-based ``layers[first:stop]``; the identity of ``size`` if empty."""
    out = None
    for W in layers[first:stop]:
        out = W if out is None else W @ out
    return _identity(size, like) if out is None else out


def _batched_prefix_moments(layers, eta) -> list:
    N = [_identity(layers[0].shape[-1], layers[0])]
    for W in layers:
        N.append(W @ N[-1] @ _transpose(W) + eta * eta * _trace(N[-1]) * _identity(W.shape[-2], W))
    return N


def _batched_suffix_moments(layers, eta) -> list:
    M = [_identity(layers[-1].shape[-2], layers[-1])]
    for W in layers[::-1]:
        M.append(_transpose(W) @ M[-1] @ W + eta * eta * _trace(M[-1]) * _identity(W.shape[-1], W))
    return M[::-1]


def _batched_marginalized_loss(layers, wstar, eta):
    P = _batched_product(layers, 0, len(layers), 0, layers[0])
    noisy_square = np.trace(_batched_prefix_moments(layers, eta)[-1], axis1=-2, axis2=-1)
    return (wstar * wstar).sum(axis=(-2, -1)) - 2 * (wstar * P).sum(axis=(-2, -1)) + noisy_square


def _batched_grad_marginalized_loss(layers, wstar, eta) -> list:
    N, M = _batched_prefix_moments(layers, eta), _batched_suffix_moments(layers, eta)
    d_out, d_in = layers[-1].shape[-2], layers[0].shape[-1]
    grads = []
    for l, W in enumerate(layers):
        above = _batched_product(layers, l + 1, len(layers), d_out, W)
        below = _batched_product(layers, 0, l, d_in, W)
        grads.append(-2 * _transpose(above) @ wstar @ _transpose(below) + 2 * M[l + 1] @ W @ N[l])
    return grads


def _batched_grad_loss(layers, wstar) -> list:
    d_out, d_in = layers[-1].shape[-2], layers[0].shape[-1]
    residual = wstar - _batched_product(layers, 0, len(layers), d_in, layers[0])
    return [-2 * _transpose(_batched_product(layers, l + 1, len(layers), d_out, W)) @ residual
            @ _transpose(_batched_product(layers, 0, l, d_in, W)) for l, W in enumerate(layers)]


def _batched_weighted_balance_sides(layers, eta) -> list:
    N, M = _batched_prefix_moments(layers, eta), _batched_suffix_moments(layers, eta)
    return [(_trace(M[l + 2]) * layers[l] @ N[l] @ _transpose(layers[l]),
             _trace(N[l]) * _transpose(layers[l + 1]) @ M[l + 2] @ layers[l + 1]) for l in range(len(layers) - 1)]


def _batched_balance_sides(layers) -> list:
    return [(layers[l] @ _transpose(layers[l]), _transpose(layers[l + 1]) @ layers[l + 1])
            for l in range(len(layers) - 1)]


def end_to_end(layers) -> np.ndarray:
    """``P = W_L ... W_1``, shape ``(d_L, d_0)``."""
    layers = check_layers(layers)
    return _batched_product(layers, 0, len(layers), 0, layers[0])


def dense_loss(layers, wstar):
    """``L(W) = ||W* - W_L ... W_1||_F^2`` (whitened data, no factor 1/2)."""
    layers = check_layers(layers)
    wstar = check_target(wstar, layers)
    return ((wstar - _batched_product(layers, 0, len(layers), 0, layers[0])) ** 2).sum()


def noisy_prefix_moments(layers, eta) -> list:
    """``[N_0, .., N_L]``, ``N_l = E[P~_l P~_l^T] = W_l N_{l-1} W_l^T + eta^2 tr(N_{l-1}) I`` (eq D2)."""
    layers = check_layers(layers)
    return _batched_prefix_moments(layers, check_eta(eta, allow_zero=True))


def noisy_suffix_moments(layers, eta) -> list:
    """``[M_0, .., M_L]``, ``M_{l-1} = E[S~^T S~] = W_l^T M_l W_l + eta^2 tr(M_l) I``, ``M_L = I`` (eq D3)."""
    layers = check_layers(layers)
    return _batched_suffix_moments(layers, check_eta(eta, allow_zero=True))


def dense_regularizer(layers, eta):
    """``R(W) = E[L(W + G)] - L(W) = tr N_L - ||W_L ... W_1||_F^2`` (recursion D2)."""
    layers = check_layers(layers)
    eta = check_eta(eta, allow_zero=True)
    P = _batched_product(layers, 0, len(layers), 0, layers[0])
    return np.trace(_batched_prefix_moments(layers, eta)[-1]) - (P * P).sum()


def dense_marginalized_loss(layers, wstar, eta):
    """``L_R(W) = E[L(W + G)] = ||W*||^2 - 2 <W*, P> + tr N_L`` (= ``L + R``)."""
    layers = check_layers(layers)
    return _batched_marginalized_loss(layers, check_target(wstar, layers), check_eta(eta, allow_zero=True))


def grad_dense_loss(layers, wstar) -> list:
    """``grad_{W_l} L = -2 A_l^T (W* - P) B_l^T`` with ``A_l = W_L..W_{l+1}``, ``B_l = W_{l-1}..W_1``."""
    layers = check_layers(layers)
    return _batched_grad_loss(layers, check_target(wstar, layers))


def grad_dense_marginalized_loss(layers, wstar, eta) -> list:
    """``grad_{W_l} L_R = -2 A_l^T W* B_l^T + 2 M_l W_l N_{l-1}``; ``E||P~||^2 = tr(M_l W_l N_{l-1} W_l^T) + c``."""
    layers = check_layers(layers)
    return _batched_grad_marginalized_loss(layers, check_target(wstar, layers), check_eta(eta, allow_zero=True))


def balance_sides(layers) -> list:
    """``(W_l W_l^T, W_{l+1}^T W_{l+1})`` for ``l = 1..L-1``: the network is balanced iff the sides agree."""
    return _batched_balance_sides(check_layers(layers))


def balance_gaps(layers) -> list:
    """``W_{l+1}^T W_{l+1} - W_l W_l^T`` for ``l = 1..L-1`` (zero iff the network is balanced)."""
    return [right - left for left, right in balance_sides(layers)]


def weighted_balance_sides(layers, eta) -> list:
    """``(tr(M_{l+1}) W_l N_{l-1} W_l^T, tr(N_{l-1}) W_{l+1}^T M_{l+1} W_{l+1})``: equal at critical points (eq D6)."""
    layers = check_layers(layers)
    return _batched_weighted_balance_sides(layers, check_eta(eta, allow_zero=True))


def weighted_balance_gaps(layers, eta) -> list:
    """``tr(M_{l+1}) W_l N_{l-1} W_l^T - tr(N_{l-1}) W_{l+1}^T M_{l+1} W_{l+1}`` (zero at critical points, eq D6)."""
    return [left - right for left, right in weighted_balance_sides(layers, eta)]
