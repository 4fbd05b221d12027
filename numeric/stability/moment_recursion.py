"""The exact second-moment recursion of linearized SGD (Mulayoff & Michaeli 2024).

The second moment ``S = E[theta theta^T]`` of linearized SGD at an interpolating
minimum (``g = 0``; inputs in :mod:`numeric.stability.hessians`) evolves by the
linear map (their eq 50; CLAIMS.md, sgd-stability)

    T_alpha(S) = S - alpha (H S + S H) + alpha^2 [(1-p) H S H + p mean_i H_i S H_i],

    p = (n - B) / (B (n - 1)),                                    (their eq 12)

because ``E[H_B (x) H_B] = (1-p) H (x) H + p mean_i H_i (x) H_i`` for sampling
without replacement.  In Kronecker form ``vec T_alpha(S) = (I - alpha (H (+) H) +
alpha^2 D) vec S`` with ``D = (1-p) H (x) H + p mean_i H_i (x) H_i``.  At a regular
minimum (``mean_i g_i = 0``) the first and second moments follow
:func:`regular_moment_trajectory`.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_int, check_positive
from .hessians import as_problem, batch_p

__all__ = [
    "kronecker_matrices",
    "recursion_matrix",
    "second_moment_step",
    "second_moment_trajectory",
    "regular_moment_trajectory",
]


def kronecker_matrices(prob, B, p=None):
    """Dense ``(H (+) H, D)`` as ``d^2 x d^2`` matrices (small ``d`` only), their eq 12.

    ``H (+) H = I (x) H + H (x) I`` and ``D = (1-p) H (x) H + p mean_i H_i (x) H_i``;
    ``p`` overrides the mixture weight (negative controls).
    """
    prob = as_problem(prob)
    p = batch_p(prob.n, B) if p is None else float(p)
    H = prob.mean_hessian()
    Hs = prob.dense()
    d = prob.d
    eye = np.eye(d)
    A = np.kron(eye, H) + np.kron(H, eye)
    D = (1 - p) * np.kron(H, H) + p * np.einsum("nij,nkl->ikjl", Hs, Hs).reshape(d * d, d * d) / prob.n
    return A, D


def recursion_matrix(prob, B, alpha, p=None) -> np.ndarray:
    """The second-moment map ``T_alpha`` as a ``d^2 x d^2`` matrix: ``I - alpha (H (+) H) + alpha^2 D``.

    ``vec(T_alpha(S)) = recursion_matrix @ vec(S)`` (row-major ``vec``; their eq 50, cf.
    :func:`second_moment_step`, which applies the same map without forming Kronecker products).
    At ``alpha = alpha*`` its spectral radius is 1 (Thm 3).  Small ``d`` only; ``p`` overrides
    the mixture weight.
    """
    check_positive(alpha, "alpha", allow_zero=True)
    A, D = kronecker_matrices(prob, B, p=p)
    return np.eye(A.shape[0]) - alpha * A + alpha**2 * D


def second_moment_step(prob, B, alpha, S: np.ndarray, p=None) -> np.ndarray:
    """One step of the exact second-moment recursion ``S <- T_alpha(S)`` (their eq 50).

    ``p`` overrides the mixture weight ``(n-B)/(B(n-1))`` (used by negative controls)."""
    prob = as_problem(prob)
    p = batch_p(prob.n, B) if p is None else float(p)
    H = prob.mean_hessian()
    S = np.asarray(S, dtype=float)
    out = S - alpha * (H @ S + S @ H) + alpha**2 * ((1 - p) * H @ S @ H + p * prob.mean_sandwich(S))
    return (out + out.T) / 2 if np.allclose(S, S.T) else out


def second_moment_trajectory(prob, B, alpha, steps: int, S0=None, p=None, log: bool = False) -> np.ndarray:
    """``tr S_t`` for ``t = 0..steps`` under ``S_{t+1} = T_alpha(S_t)``, ``S_0 = I/d`` by default.

    ``p`` overrides the mixture weight (used by negative controls).  Iterates are
    renormalized internally; the returned traces are exact up to rounding
    (``log`` accumulated), as ``float`` (may overflow to ``inf`` for long unstable runs);
    ``log=True`` returns ``log tr S_t`` instead (no overflow).
    """
    prob = as_problem(prob)
    steps = check_int(steps, "steps", minimum=0)
    p = batch_p(prob.n, B) if p is None else float(p)
    H = prob.mean_hessian()
    S = np.eye(prob.d) / prob.d if S0 is None else np.array(S0, dtype=float)
    logs = np.empty(steps + 1)
    logscale = 0.0
    logs[0] = np.log(np.trace(S))
    for t in range(1, steps + 1):
        HS = H @ S
        S = S - alpha * (HS + HS.T) + alpha**2 * ((1 - p) * H @ S @ H + p * prob.mean_sandwich(S))
        S = (S + S.T) / 2  # exact symmetry: rounding must not seed the skew part
        tr = np.trace(S)
        logs[t] = logscale + np.log(tr)
        logscale += np.log(tr)
        S = S / tr
    if log:
        return logs
    with np.errstate(over="ignore"):
        return np.exp(logs)


def regular_moment_trajectory(prob, grads, B, alpha, steps: int, theta0=None):
    """Exact first and second moments of SGD at a regular minimum after ``steps`` steps.

    Recursion (independence of ``theta_t`` and the batch at step ``t``):
    ``mu' = (I - alpha H) mu``,
    ``S' = T_alpha(S) + alpha^2 [E(H_B mu g_B^T) + E(g_B mu^T H_B)] + alpha^2 p G``,
    with ``E[H_B mu g_B^T] = p mean_i H_i mu g_i^T`` (``mean g_i = 0``).  Returns ``(mu, S)``.
    """
    prob = as_problem(prob)
    g = np.asarray(grads, dtype=float)
    p = batch_p(prob.n, B)
    H = prob.mean_hessian()
    Hs = prob.dense()
    G = g.T @ g / prob.n
    mu = np.zeros(prob.d) if theta0 is None else np.array(theta0, dtype=float)
    S = np.outer(mu, mu)
    for _ in range(check_int(steps, "steps", minimum=0)):
        S = (S + S.T) / 2
        HS = H @ S
        cross = p * np.einsum("nij,j,nk->ik", Hs, mu, g) / prob.n
        S = (S - alpha * (HS + HS.T) + alpha**2 * ((1 - p) * H @ S @ H + p * prob.mean_sandwich(S))
             + alpha**2 * (cross + cross.T) + alpha**2 * p * G)
        mu = mu - alpha * H @ mu
    return mu, S
