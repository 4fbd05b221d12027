"""Gradient descent on a batch of deep linear networks, each with its own step size (Marion & Chizat, Sec 1, App C).

``W_k <- W_k - alpha_b grad_{W_k} R`` for every network ``b`` of the batch at once (one vectorized gradient per
iteration, :func:`numeric.deep_linear.network.batched_gradient`).  Each run stops on its own criterion:

* ``converged``: the excess risk ``R - R_min`` is ``<= loss_tol`` (a minimizer is reached to that accuracy);
* ``diverged``: the excess risk exceeds ``blowup`` or is not finite;
* otherwise, after ``max_iter`` iterations, the run is ``unsettled`` (it neither converged nor diverged: an
  oscillating or wandering run, as gradient descent does above ``2 / sharpness``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_int, check_positive
from .network import batched_excess_risk, batched_gradient, check_problem

__all__ = ["DescentRuns", "gradient_descent_batch"]


@dataclass
class DescentRuns:
    """Outcome per run: ``status`` (``"converged"``, ``"diverged"``, ``"unsettled"``), ``iterations``,
    ``final_excess`` and the final layers ``layers`` (each ``(B, m_k, m_{k-1})``)."""

    status: np.ndarray
    iterations: np.ndarray
    final_excess: np.ndarray
    layers: list

    def layers_of(self, b) -> list:
        return [W[b] for W in self.layers]


def gradient_descent_batch(W0, p, Sigma, wstar, steps, max_iter=20000, loss_tol=1e-20, blowup=1e8) -> DescentRuns:
    """Run GD from ``W0`` (layers of shape ``(B, m_k, m_{k-1})``) with step ``steps[b]`` for run ``b``."""
    W0 = [np.array(W, dtype=float) for W in W0]
    if any(W.ndim != 3 or W.shape[0] != W0[0].shape[0] for W in W0):
        raise ValueError("W0 must be a list of arrays of shape (B, m_k, m_{k-1}) with one batch size B")
    check_problem([W[0] for W in W0], p, Sigma, wstar)
    p, Sigma, wstar = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (p, Sigma, wstar))
    Sigma = Sigma.reshape(wstar.size, wstar.size)
    B = W0[0].shape[0]
    steps = np.asarray(steps, dtype=float)
    if steps.shape != (B,) or np.any(~np.isfinite(steps)) or np.any(steps <= 0):
        raise ValueError(f"steps must be {B} finite numbers > 0 (one per run)")
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    check_positive(loss_tol, "loss_tol")
    Ws = W0
    status = np.array(["unsettled"] * B, dtype=object)
    iterations = np.full(B, max_iter)
    active = np.ones(B, dtype=bool)
    excess = np.full(B, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for it in range(max_iter + 1):
            grads, w = batched_gradient(Ws, p, Sigma, wstar)
            current = batched_excess_risk(w, Sigma, wstar)
            excess = np.where(active, current, excess)
            done_now = active & (current <= loss_tol)
            blown = active & ~(current <= blowup)
            status[done_now], status[blown] = "converged", "diverged"
            iterations[done_now | blown] = it
            active &= ~(done_now | blown)
            if not active.any() or it == max_iter:
                break
            scale = (steps * active)[:, None, None]
            Ws = [W - scale * g for W, g in zip(Ws, grads)]
    return DescentRuns(status, iterations, excess, Ws)
