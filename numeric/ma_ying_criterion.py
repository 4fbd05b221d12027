"""Ma & Ying's PSD-constrained criterion for mean-square stability and the bounds it implies.

Setting (Mulayoff & Michaeli 2024, Thm 2 = Ma & Ying 2021, Thm 1 + Cor 3; inputs as in
:mod:`numeric.stability.hessians`).  At an interpolating minimum the second moment of linearized
SGD evolves by ``vec S <- C vec S`` with

    C = E[(I - alpha H_B) (x) (I - alpha H_B)] = (1-p) (I - alpha H) (x) (I - alpha H)
        + p mean_i (I - alpha H_i) (x) (I - alpha H_i),      p = (n - B)/(B (n - 1))      (their eq 10)

(the mixture form of their Prop 2), and it stays bounded iff ``<S, C S> <= ||S||_F^2`` for every
PSD ``S`` (their eq 11).  Expanding, ``<S, C S> - ||S||^2 = -alpha <S, (H (+) H) S> + alpha^2 <S, D S>``
with ``D = (1-p) H (x) H + p mean_i H_i (x) H_i``, so each PSD ``S`` allows exactly the steps

    alpha <= alpha(S) = <S, (H (+) H) S> / <S, D S> = 2 tr(S H S) / ((1-p) tr((H S)^2) + p mean_i tr((H_i S)^2))

(their eqs 89-91), and the criterion's threshold is ``inf_{S PSD} alpha(S)``.  Every fixed ``S``
(or family of ``S``) gives a necessary condition: ``S = v v^T`` with ``v`` a top eigenvector of
``H`` (their eq 15), ``S = I`` (eq 16), the best rank-one ``S = u u^T`` (eq 25) and, weakest,
``2 / lambda_max(H)`` (first moment).

This module evaluates ``<S, C S>`` and ``alpha(S)`` from the formulas above, minimizes
``alpha(S)`` over PSD ``S`` by a power iteration that never leaves the PSD cone and over rank-one
``S`` by Burer-Monteiro search (:func:`numeric.kronecker_systems.psd_generalized_rayleigh`);
neither uses an eigen-decomposition of the ``d^2 x d^2`` operators.  It also gives the closed
form for commuting (diagonal) Hessians.
"""
from __future__ import annotations

import numpy as np

from .kronecker_systems import psd_generalized_rayleigh
from .stability.closed_form import necessary_bounds
from .stability.hessians import as_problem, batch_p
from .validation import check_int, check_positive

__all__ = [
    "second_moment_matrices",
    "second_moment_quadratic_form",
    "step_bound",
    "psd_constrained_threshold",
    "rank_one_threshold",
    "necessary_thresholds",
    "commuting_threshold",
]


def second_moment_matrices(prob, B, alpha):
    """``(weights, matrices)`` with ``C = sum_k weights_k A_k (x) A_k`` (their eq 10, mixture form):
    ``A_0 = I - alpha H`` with weight ``1 - p``, ``A_i = I - alpha H_i`` with weight ``p / n``."""
    prob = as_problem(prob)
    check_positive(alpha, "alpha", allow_zero=True)
    p = batch_p(prob.n, B)
    eye = np.eye(prob.d)
    matrices = np.concatenate([(eye - alpha * prob.mean_hessian())[None], eye - alpha * prob.dense()])
    weights = np.concatenate([[1 - p], np.full(prob.n, p / prob.n)])
    return weights, matrices


def _operators(prob, B):
    """``S -> (H (+) H) S = H S + S H`` and ``S -> D S = (1-p) H S H + p mean_i H_i S H_i``."""
    p = batch_p(prob.n, B)
    H = prob.mean_hessian()

    def kronecker_sum(S):
        return H @ S + S @ H

    def batch_moment(S):
        return (1 - p) * H @ S @ H + p * prob.mean_sandwich(S)

    return kronecker_sum, batch_moment


def second_moment_quadratic_form(prob, B, alpha, S) -> float:
    """``<S, C S>`` of their eq 11 for a symmetric ``S``, ``C = E[(I - alpha H_B) (x) (I - alpha H_B)]``,
    computed as ``||S||^2 - alpha <S, (H (+) H) S> + alpha^2 <S, D S>``."""
    prob = as_problem(prob)
    check_positive(alpha, "alpha", allow_zero=True)
    S = np.asarray(S, dtype=float)
    if S.shape != (prob.d, prob.d):
        raise ValueError(f"S must have shape {(prob.d, prob.d)}, got {S.shape}")
    kronecker_sum, batch_moment = _operators(prob, B)
    return float(np.sum(S * S) - alpha * np.sum(S * kronecker_sum(S)) + alpha**2 * np.sum(S * batch_moment(S)))


def step_bound(prob, B, S, p=None) -> float:
    """``alpha(S) = <S, (H (+) H) S> / <S, D S>``: the largest step with ``<S, C S> <= ||S||^2``
    (their eqs 89-91); ``inf`` when ``<S, D S> = 0``.  ``p`` overrides the mixture weight."""
    prob = as_problem(prob)
    S = np.asarray(S, dtype=float)
    if S.shape != (prob.d, prob.d):
        raise ValueError(f"S must have shape {(prob.d, prob.d)}, got {S.shape}")
    H = prob.mean_hessian()
    p = batch_p(prob.n, B) if p is None else float(p)
    numerator = 2 * float(np.sum(S * (H @ S)))
    denominator = float((1 - p) * np.sum(S * (H @ S @ H)) + p * np.sum(S * prob.mean_sandwich(S)))
    return numerator / denominator if denominator > 0 else float("inf")


def _range_basis(prob, rank_tol=1e-10):
    lam, U = np.linalg.eigh(prob.mean_hessian())
    keep = lam > rank_tol * max(float(lam.max()), 1e-300)
    return U[:, keep]


def _restricted_search(prob, B, starts, p=None):
    """``max <S, D S> / <S, (H (+) H) S>`` over PSD ``S`` supported on ``range(H)`` (Burer-Monteiro)."""
    U = _range_basis(prob)
    r = U.shape[1]
    H = prob.mean_hessian()
    p = batch_p(prob.n, B) if p is None else float(p)

    def lift(Sr):
        return U @ Sr @ U.T

    def numerator(Sr):  # D, restricted to range(H)
        S = lift(Sr)
        return U.T @ ((1 - p) * H @ S @ H + p * prob.mean_sandwich(S)) @ U

    def denominator(Sr):  # H (+) H, restricted
        S = lift(Sr)
        return U.T @ (H @ S + S @ H) @ U

    value, Sr = psd_generalized_rayleigh(numerator, denominator, r, [U.T @ np.asarray(V).reshape(prob.d, -1)
                                                                    for V in starts])
    return value, lift(Sr)


def _rank_one_starts(prob, seed):
    """The top eigenvector of ``H``, the top eigenvector of the sample with the largest curvature, ``1``
    and one random vector."""
    rng = np.random.default_rng(seed)
    _, U = np.linalg.eigh(prob.mean_hessian())
    Hs = prob.dense()
    w, V = np.linalg.eigh(Hs[int(np.argmax(np.linalg.eigvalsh(Hs)[:, -1]))])
    return [U[:, -1:], V[:, -1:], np.ones((prob.d, 1)), rng.standard_normal((prob.d, 1))]


def psd_constrained_threshold(prob, B, p=None, rtol: float = 1e-15, max_iter: int = 100_000):
    """``inf_{S PSD} alpha(S)``: the step-size threshold of Ma & Ying's criterion (their eq 11).

    Power iteration of ``K = (H (+) H)^{-1} D`` on PSD matrices supported on ``range(H)`` (directions
    in the null space impose no condition, their eq 87), from ``S_0 = P``.  ``K`` maps PSD matrices
    to PSD matrices (``D`` does, and so does the inverse Lyapunov map ``(H (+) H)^{-1}``), so every
    iterate is feasible and ``alpha(S_k)`` is an upper bound of the infimum; by Krein-Rutman the
    iteration converges to it when the top eigenvalue of ``K`` is dominant.  Stops when
    ``alpha(S_k)`` changes by less than ``rtol`` (relative) over 10 steps.  Returns
    ``(threshold, S, info)``: the PSD iterate (Frobenius norm 1) and ``iterations``,
    ``min_eigenvalue`` (feasibility) and ``converged``.  ``p`` overrides the mixture weight.
    """
    prob = as_problem(prob)
    check_int(B, "batch", minimum=1, maximum=prob.n)
    p = batch_p(prob.n, B) if p is None else float(p)
    U = _range_basis(prob)
    H = prob.mean_hessian()
    lam = np.diag(U.T @ H @ U)
    lyapunov = lam[:, None] + lam[None, :]  # H (+) H acts entrywise in the eigenbasis of H

    def batch_moment(Sr):
        S = U @ Sr @ U.T
        return U.T @ ((1 - p) * H @ S @ H + p * prob.mean_sandwich(S)) @ U

    S = np.eye(U.shape[1]) / np.sqrt(U.shape[1])
    history, converged, k = [], False, 0
    for k in range(1, max_iter + 1):
        DS = batch_moment(S)
        history.append(float(np.sum(S * lyapunov * S) / np.sum(S * DS)))
        if len(history) > 10 and abs(history[-11] - history[-1]) <= rtol * history[-1]:
            converged = True
            break
        S = DS / lyapunov
        S = (S + S.T) / 2 / np.linalg.norm(S)
    full = U @ S @ U.T
    info = {"iterations": k, "converged": converged,
            "min_eigenvalue": float(np.linalg.eigvalsh(S).min() / np.abs(np.linalg.eigvalsh(S)).max())}
    return min(history), full / np.linalg.norm(full), info


def rank_one_threshold(prob, B, starts=None, seed: int = 0):
    """Their eq 25: ``min_{|u|=1} 2 u^T H u / ((1-p) (u^T H u)^2 + p mean_i (u^T H_i u)^2)``.

    ``alpha(u u^T)`` minimized over unit ``u`` (rank-one ``S = u u^T``; default starts: the top
    eigenvector of ``H`` and of the sharpest sample, ``1`` and a random vector).  Returns ``(threshold, u)``.  A local
    search (an upper bound of the minimum).
    """
    prob = as_problem(prob)
    check_int(B, "batch", minimum=1, maximum=prob.n)
    starts = _rank_one_starts(prob, seed) if starts is None else starts
    value, S = _restricted_search(prob, B, [np.asarray(s, dtype=float).reshape(prob.d, 1) for s in starts])
    w, U = np.linalg.eigh(S)
    return (1.0 / value if value > 0 else float("inf")), U[:, -1]


def necessary_thresholds(prob, B, seed: int = 0) -> dict:
    """Upper bounds on the threshold from fixed PSD ``S`` in eq 11 (each a necessary condition):
    ``gd = 2/lambda_max(H)``, ``top_eigenvector`` (eq 15, ``S = v v^T``), ``trace`` (eq 16,
    ``S = I``), ``rank_one`` (eq 25, best ``S = u u^T``)."""
    prob = as_problem(prob)
    bounds = necessary_bounds(prob, B)
    rank_one, _ = rank_one_threshold(prob, B, seed=seed)
    return {"gd": bounds["gd"], "top_eigenvector": bounds["top_eigenvector"], "trace": bounds["trace"],
            "rank_one": rank_one}


def commuting_threshold(diagonals, B) -> dict:
    """Closed form for commuting (simultaneously diagonal) Hessians ``H_i = diag(h_i)``.

    ``D`` and ``H (+) H`` act entrywise on ``S``: ``alpha(S)`` is a ratio of weighted sums of
    ``S_jk^2`` with entry ratios ``(hbar_j + hbar_k) / E[h_Bj h_Bk]``, and Cauchy-Schwarz shows the
    off-diagonal ones never bind, so ``alpha* = min_j 2 hbar_j / E[h_Bj^2]`` with
    ``E[h_Bj^2] = (1-p) hbar_j^2 + p mean_i h_ij^2``.  Returns ``threshold``, the binding
    coordinate ``j`` and every entry ratio (``(d, d)``).
    """
    h = np.asarray(diagonals, dtype=float)
    if h.ndim != 2 or not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError("diagonals must be a finite non-negative (n, d) array of Hessian diagonals")
    p = batch_p(h.shape[0], B)
    mean = h.mean(axis=0)
    cross = (1 - p) * np.outer(mean, mean) + p * (h.T @ h) / h.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(cross > 0, (mean[:, None] + mean[None, :]) / cross, np.inf)
    j = int(np.argmin(np.diag(ratios)))
    return {"threshold": float(ratios[j, j]), "coordinate": j, "entry_ratios": ratios, "p": p}
