"""Residual deep linear networks: singular values of partial products (Marion & Chizat, Lemma 3, Thm 4, Cor 3).

With ``W_k = I + scale / sqrt(L d) N_k`` (eq 2), Lemma 3 states that with high probability every partial
product ``W_{k:j} = W_k ... W_j`` (``1 <= j <= k <= L``) has ``||W_{k:j}||_2 <= C_1`` and
``sigma_min(W_{k:j}) >= C_2`` for constants depending only on ``scale`` (not on ``L`` or ``d``), also in a ball
of radius of order ``1/L`` (Frobenius, per layer) around the initialization.  :func:`partial_product_extremes`
measures both extremes; :func:`residual_pl_bound` the lower bound of eq 37 that they give for the PL ratio.
"""
from __future__ import annotations

import numpy as np

from ..sharpness.dense_network import check_dense_network

__all__ = ["partial_product_extremes", "residual_pl_bound"]


def _square_layers(Ws):
    Ws, _ = check_dense_network(Ws, np.zeros(np.shape(Ws[-1])[0]))
    d = Ws[0].shape[1]
    if any(W.shape != (d, d) for W in Ws):
        raise ValueError(f"residual networks have square layers, got shapes {[W.shape for W in Ws]}")
    return Ws


def partial_product_extremes(Ws) -> dict:
    """``{"max_norm": max_{j<=k} ||W_k...W_j||_2, "min_singular": min_{j<=k} sigma_min(W_k...W_j)}`` over all
    ``L (L+1)/2`` partial products (Lemma 3), each by one SVD."""
    Ws = _square_layers(Ws)
    L = len(Ws)
    largest, smallest = 0.0, np.inf
    for j in range(L):
        P = np.eye(Ws[0].shape[0])
        for k in range(j, L):
            P = Ws[k] @ P
            s = np.linalg.svd(P, compute_uv=False)
            largest, smallest = max(largest, float(s[0])), min(smallest, float(s[-1]))
    return {"max_norm": largest, "min_singular": smallest}


def residual_pl_bound(Ws, p, lambda_min) -> float:
    """``4 lambda_min ||p||^2 sum_k sigma_min(W_L...W_{k+1})^2 sigma_min(W_{k-1}...W_1)^2`` (eq 37; empty
    products are the identity): a lower bound on ``||grad R||^2 / (R - R_min)`` at ``W``."""
    Ws = _square_layers(Ws)
    L, d = len(Ws), Ws[0].shape[0]
    prefix = [np.eye(d)]
    for W in Ws:
        prefix.append(W @ prefix[-1])
    suffix = [np.eye(d)]
    for W in reversed(Ws):
        suffix.append(suffix[-1] @ W)
    total = 0.0
    for k in range(L):
        below = np.linalg.svd(prefix[k], compute_uv=False)[-1]
        above = np.linalg.svd(suffix[L - 1 - k], compute_uv=False)[-1]
        total += (below * above) ** 2
    return float(4 * lambda_min * float(np.dot(p, p)) * total)
