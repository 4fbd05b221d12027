"""The model's losses, gradient and balancing gaps for a batch of runs ``Wb`` of shape (..., L, d).

The same formulas as :mod:`numeric.model` (Lemma 2.2), vectorized over a leading
axis of independent runs; the simulators of :mod:`numeric.dynamics` record them
along their trajectories.
"""
from __future__ import annotations

import numpy as np

from ..model import products_excluding

__all__ = ["batch_loss", "batch_marginalized_loss", "batch_grad", "balancing_gaps"]


def batch_loss(Wb, wstar):
    """``L(W)`` for each run of ``Wb`` (K, L, d): ``sum_h (w*_h - pi_h)^2`` (eq 3); shape (K,)."""
    return np.sum((wstar - np.prod(Wb, axis=-2)) ** 2, axis=-1)


def batch_marginalized_loss(Wb, wstar, eta):
    """``L_R(W) = L(W) + R(W)`` (Lemma 2.2, eq 7) for each run of ``Wb`` (K, L, d); shape (K,)."""
    W2 = Wb * Wb
    return batch_loss(Wb, wstar) + np.sum(np.prod(W2 + eta * eta, axis=-2) - np.prod(W2, axis=-2), axis=-1)


def batch_grad(Wb, wstar, eta, regularized=True):
    """``grad L_R`` (or ``grad L``) for each run, shape like ``Wb`` (..., L, d).

    ``grad_{W_l} L_R = -2 (w* - pi) prod_{k!=l} W_k + 2 W_l [prod_{k!=l}(W_k^2+eta^2) - prod_{k!=l} W_k^2]``
    (Lemma 2.1 averaged, Lemma 2.2).  Uses ``prod_{k!=l} W_k^2 = (prod_{k!=l} W_k)^2``.
    """
    excl = products_excluding(Wb)
    pi = np.prod(Wb, axis=-2)
    g = -2.0 * (wstar - pi)[..., None, :] * excl
    if regularized:
        g += 2.0 * Wb * (products_excluding(Wb * Wb + eta * eta) - excl * excl)
    return g


def balancing_gaps(Wb):
    """``||W_{l+1}^2 - W_l^2||_F`` for ``l = 1..L-1`` (Theorem 4.1); shape (..., L-1)."""
    W2 = Wb * Wb
    return np.sqrt(np.sum((W2[..., 1:, :] - W2[..., :-1, :]) ** 2, axis=-1))
