"""The model's losses, gradient and balancing gaps for a batch of runs ``Wb`` of shape (..., L, d).

The same formulas as :mod:`numeric.model` (Lemma 2.2), vectorized over a leading
axis of independent runs; the simulators of :mod:`numeric.dynamics` record them
along their trajectories.
"""
from __future__ import annotations

import numpy as np


__all__ = ["batch_loss", "batch_marginalized_loss", "batch_grad", "balancing_gaps"]


def batch_loss(Wb, wstar):
    """``L(W)`` for each run of ``Wb`` (K, L, d): ``sum_h (w*_h - pi_h)^2`` (eq 3); shape (K,)."""
    return np.sum((wstar - np.prod(Wb, axis=-2)) ** 2, axis=-1)


def batch_marginalized_loss(Wb, wstar, eta):
    """``L_R(W) = L(W) + R(W)`` (Lemma 2.2, eq 7) for each run of ``Wb`` (K, L, d); shape (K,)."""
    W2 = Wb * Wb
    return batch_loss(Wb, wstar) + np.sum(np.prod(W2 + eta * eta, axis=-2) - np.prod(W2, axis=-2), axis=-1)


def _excluding_products(rows):
    """``[prod_{k != l} rows[k] for l]`` for a list of equally shaped arrays (prefix times suffix products)."""
    L = len(rows)
    prefix = [rows[0]]
    for l in range(1, L - 1):
        prefix.append(prefix[-1] * rows[l])
    suffix = [rows[L - 1]]
    for l in range(L - 2, 0, -1):
        suffix.append(suffix[-1] * rows[l])
    suffix = suffix[::-1]  # suffix[j] = prod_{k >= j + 1} rows[k]
    out = [suffix[0]]
    out += [prefix[l - 1] * suffix[l] for l in range(1, L - 1)]
    out.append(prefix[L - 2])
    return out


def batch_grad(Wb, wstar, eta, regularized=True):
    """``grad L_R`` (or ``grad L``) for each run, shape like ``Wb`` (..., L, d).

    ``grad_{W_l} L_R = -2 (w* - pi) prod_{k!=l} W_k + 2 W_l [prod_{k!=l}(W_k^2+eta^2) - prod_{k!=l} W_k^2]``
    (Lemma 2.1 averaged, Lemma 2.2).  Uses ``prod_{k!=l} W_k^2 = (prod_{k!=l} W_k)^2``; the products over
    the few layers are taken row by row (prefix times suffix, exact at zero weights).
    """
    Wb = np.asarray(Wb, dtype=float)
    L = Wb.shape[-2]
    rows = [Wb[..., l, :] for l in range(L)]
    excluded = _excluding_products(rows)
    residual = -2.0 * (wstar - excluded[0] * rows[0])  # -2 (w* - pi)
    g = np.empty_like(Wb)
    eta_squared = float(eta) * float(eta)
    shifted = _excluding_products([r * r + eta_squared for r in rows]) if regularized else None
    for l in range(L):
        if regularized:
            g[..., l, :] = residual * excluded[l] + 2.0 * rows[l] * (shifted[l] - excluded[l] * excluded[l])
        else:
            g[..., l, :] = residual * excluded[l]
    return g


def balancing_gaps(Wb):
    """``||W_{l+1}^2 - W_l^2||_F`` for ``l = 1..L-1`` (Theorem 4.1); shape (..., L-1)."""
    W2 = Wb * Wb
    return np.sqrt(np.sum((W2[..., 1:, :] - W2[..., :-1, :]) ** 2, axis=-1))
