"""The balance law of the dense marginalized loss: what its critical points satisfy instead of balance.

For every ``W`` (not only at critical points), with ``N_j``, ``M_j`` the noisy prefix and suffix second
moments (:mod:`.regularizer`) and ``1 <= l <= L-1``::

    W_{l+1}^T grad_{l+1} L_R - grad_l L_R W_l^T = 2 eta^2 (tr(N_{l-1}) M_l - tr(M_{l+1}) N_l)

Proof.  ``E||P~||_F^2 = tr(M_l W_l N_{l-1} W_l^T) + eta^2 tr(M_l) tr(N_{l-1})`` (expand layer ``l`` in
``tr(M_l N_l)``), so ``grad_l L_R = -2 A_l^T W* B_l^T + 2 M_l W_l N_{l-1}`` with ``A_l = W_L..W_{l+1}``,
``B_l = W_{l-1}..W_1``.  The ``W*`` parts cancel as in the paper's eq 28; with
``W_{l+1}^T M_{l+1} W_{l+1} = M_l - eta^2 tr(M_{l+1}) I`` and ``W_l N_{l-1} W_l^T = N_l - eta^2 tr(N_{l-1}) I``
the rest is ``2 (M_l - eta^2 tr(M_{l+1}) I) N_l - 2 M_l (N_l - eta^2 tr(N_{l-1}) I)``.  Hence at a critical
point ``tr(M_{l+1}) N_l = tr(N_{l-1}) M_l``, and the ``eta^4`` parts cancelling,
``tr(M_{l+1}) W_l N_{l-1} W_l^T = tr(N_{l-1}) W_{l+1}^T M_{l+1} W_{l+1}`` (:func:`weighted_balance_gap`).
For ``L = 2``: ``d_2 W_1 W_1^T = d_0 W_2^T W_2``, balanced iff ``d_0 = d_2`` (or ``W = 0``).
"""
from __future__ import annotations

import sympy as sp

from .moments import marginalized_loss_by_moments
from .regularizer import noisy_prefix_moments, noisy_suffix_moments
from .symbols import RingMatrices, dense_symbols

__all__ = ["balance_identity_gap", "weighted_balance_gap", "two_layer_balance_gap"]


def balance_identity_gap(dims, l: int, marginalized_loss=None, width_factors=None) -> sp.Matrix:
    """``W_{l+1}^T grad_{l+1} L_R - grad_l L_R W_l^T - 2 eta^2 (tr(N_{l-1}) M_l - tr(M_{l+1}) N_l)``.

    ``l`` is 1-based (``1 <= l <= L-1``); ``L_R`` is :func:`marginalized_loss_by_moments` unless given.
    The identity (the dense analogue of the paper's eq 29) holds iff the result is the zero matrix.
    Derivatives and products are taken in a sparse polynomial ring; the result is expanded.
    ``width_factors`` (negative controls only) is passed to :func:`noisy_prefix_moments`.
    """
    s = dense_symbols(dims)
    if not 1 <= l < s.depth:
        raise ValueError(f"l must be in 1..{s.depth - 1}, got {l}")
    LR_expr = marginalized_loss_by_moments(s.dims) if marginalized_loss is None else marginalized_loss
    rm = RingMatrices([*s.wstar, *(w for W in s.W for w in W), s.eta])
    LR = rm.ring.from_expr(LR_expr)

    def gradient(k):
        return [[LR.diff(w) for w in row] for row in rm.of(s.W[k])]

    N, M = noisy_prefix_moments(s.dims, width_factors), noisy_suffix_moments(s.dims)
    lhs = rm.plus(rm.times(rm.transpose(rm.of(s.W[l])), gradient(l)),
                  rm.times(gradient(l - 1), rm.transpose(rm.of(s.W[l - 1]))), scale=-1)
    eta2 = rm.ring.from_expr(s.eta**2)
    rhs = rm.plus([[2 * eta2 * rm.trace(rm.of(N[l - 1])) * m for m in row] for row in rm.of(M[l])],
                  [[2 * eta2 * rm.trace(rm.of(M[l + 1])) * n for n in row] for row in rm.of(N[l])], scale=-1)
    return rm.to_matrix(rm.plus(lhs, rhs, scale=-1))


def weighted_balance_gap(dims, l: int) -> sp.Matrix:
    """``tr(M_{l+1}) W_l N_{l-1} W_l^T - tr(N_{l-1}) W_{l+1}^T M_{l+1} W_{l+1}`` (zero at critical points).

    It equals ``tr(M_{l+1}) N_l - tr(N_{l-1}) M_l`` (the ``eta^2 tr(N_{l-1}) tr(M_{l+1}) I`` terms cancel).
    """
    s = dense_symbols(dims)
    if not 1 <= l < s.depth:
        raise ValueError(f"l must be in 1..{s.depth - 1}, got {l}")
    N, M = noisy_prefix_moments(s.dims), noisy_suffix_moments(s.dims)
    W_l, W_next = s.W[l - 1], s.W[l]
    return M[l + 1].trace() * W_l * N[l - 1] * W_l.T - N[l - 1].trace() * W_next.T * M[l + 1] * W_next


def two_layer_balance_gap(dims) -> sp.Matrix:
    """For ``L = 2`` the law reads ``d_2 W_1 W_1^T = d_0 W_2^T W_2``: returns ``d_2 W_1 W_1^T - d_0 W_2^T W_2``."""
    s = dense_symbols(dims)
    if s.depth != 2:
        raise ValueError(f"dims must have depth 2 (three widths), got {s.dims}")
    return s.dims[2] * s.W[0] * s.W[0].T - s.dims[0] * s.W[1].T * s.W[1]
