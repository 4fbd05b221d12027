"""The Polyak-Lojasiewicz ratio along a gradient flow (Marion & Chizat, Thm 3, Lemma 8, Thm 4 eq 37).

``rho(W) = ||grad R(W)||_F^2 / (R(W) - R_min)``.  Two exact lower bounds hold at *every* ``W`` (Lemma 8 and the
rank-one form of the gradient, eq 5):

    rho(W) >= ||grad_{W_1} R||_F^2 / (R - R_min) = ||l_1||^2 ||grad R(w)||^2 / (R - R_min) >= 4 lambda_min^+ ||l_1||^2
    rho(W) >= 4 lambda_min^+ sum_k ||l_k||^2 ||W_{k-1} ... W_1 u||^2_min
           >= 4 lambda_min^+ ||p||^2 sum_k sigma_min(W_L ... W_{k+1})^2 sigma_min(W_{k-1} ... W_1)^2   (square layers)

(``l_1 = W_2^T ... W_L^T p``; ``lambda_min^+`` the smallest positive eigenvalue of ``Sigma``; ``w - w*`` lies in
the range of ``Sigma`` for the minimal-norm ``w*`` once ``w`` does).  Theorem 3 lower-bounds ``||l_1||``
along the flow from small initialization; Theorem 4 the singular values of the partial products of a
residual network.  All functions are vectorized over the samples of a trajectory.
"""
from __future__ import annotations

import numpy as np

from .flows import FlowTrajectory
from .network import batched_excess_risk, batched_gradient, unflatten_batch

__all__ = ["smallest_positive_eigenvalue", "pl_profile"]


def smallest_positive_eigenvalue(Sigma, relative_cutoff=1e-12) -> float:
    """``lambda_min^+(Sigma)``: the smallest eigenvalue above ``relative_cutoff * lambda_max``."""
    lam = np.linalg.eigvalsh(np.asarray(Sigma, dtype=float))
    positive = lam[lam > relative_cutoff * max(lam[-1], 0.0)]
    if positive.size == 0:
        raise ValueError("Sigma must have a positive eigenvalue")
    return float(positive[0])


def pl_profile(trajectory: FlowTrajectory, min_excess=0.0) -> dict:
    """``times``, ``excess`` ``R - R_min``, ``grad_sq`` ``||grad R||_F^2``, ``ratio`` ``rho``, ``first_layer``
    ``||l_1||^2`` and ``first_layer_bound`` ``4 lambda_min^+ ||l_1||^2`` at every sample whose excess risk is
    ``> min_excess`` (below it the ratio is rounding noise: ``w - w*`` loses relative accuracy)."""
    Ws = unflatten_batch(trajectory.states, trajectory.shapes)
    grads, w = batched_gradient(Ws, trajectory.p, trajectory.Sigma, trajectory.wstar)
    excess = batched_excess_risk(w, trajectory.Sigma, trajectory.wstar)
    grad_sq = sum(np.sum(g * g, axis=(1, 2)) for g in grads)
    l1 = np.broadcast_to(trajectory.p, (Ws[0].shape[0], trajectory.p.size))
    for W in reversed(Ws[1:]):
        l1 = np.einsum("bij,bi->bj", W, l1)
    first_layer = np.sum(l1 * l1, axis=1)
    keep = excess > min_excess
    lam = smallest_positive_eigenvalue(trajectory.Sigma)
    return {"times": trajectory.times[keep], "excess": excess[keep], "grad_sq": grad_sq[keep],
            "ratio": grad_sq[keep] / excess[keep], "first_layer": first_layer[keep],
            "first_layer_bound": 4 * lam * first_layer[keep], "lambda_min": lam}
