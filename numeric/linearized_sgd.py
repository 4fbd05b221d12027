"""Linearized SGD at a regular minimum: exact moments of every order, and simulation.

Setting (Mulayoff & Michaeli 2024, Def 1 and Def 3; inputs as in :mod:`numeric.stability.hessians`).
With ``theta* = 0``, per-sample Hessians ``H_i`` (PSD) and gradients ``g_i`` (``mean_i g_i = 0``;
``g = 0`` at an interpolating minimum), one step with a batch ``b`` of ``B`` of ``n`` samples drawn
uniformly without replacement is ``theta <- (I - alpha H_b) theta - alpha g_b``.  In the augmented
state ``y = (theta, 1)`` this is linear, ``y <- A_b y`` with ``A_b = [[I - alpha H_b, -alpha g_b], [0, 1]]``,
so with the batch law enumerated (all ``C(n, B)`` batches equally likely)

    E[y_t^{(x) k}] = (mean_b A_b^{(x) k})^t y_0^{(x) k}        for every order k,

exactly: :func:`exact_moments` gives the mean (``k = 1``), the second moment (``k = 2``) and the
fourth moment (``k = 4``, hence the exact variance of any quadratic statistic, which is what a
Monte Carlo test of a second moment needs).  No formula in ``p`` enters: the enumeration is the
independent reference for the recursions of the paper.

* :func:`batch_hessians`, :func:`augmented_step_matrices`: the enumerated batch law;
* :func:`range_projector`: ``P`` onto ``range(H)`` (``I - P`` onto the null space);
* :func:`regular_transition_matrix`: the paper's joint recursion for ``(E theta, vec E[theta theta^T], 1)``
  (their eqs 51/116: ``T_alpha`` plus the cross term ``alpha^2 p (mean_i H_i mu g_i^T + .^T)`` plus the
  extra noise term ``alpha^2 p G``, ``G = mean_i g_i g_i^T``), built from their formulas in ``p``;
* :func:`dense_limit_covariance`, :func:`commuting_limit_covariance`, :func:`taylor_limits`: Thm 5's limit
  ``Sigma = alpha p mat((H (+) H - alpha D)^+ vec(P G P))`` by a dense pseudo-inverse (their eq 17 as
  written), entrywise for commuting Hessians, and Cor 1's three limits from it;
* :func:`mean_step_matrix`, :func:`log_spectral_radius`, :func:`stability_boundary`: the mean's
  one-step map ``E[I - alpha H_b]`` from the enumerated batches, its spectral radius by repeated
  squaring (Gelfand's formula, no eigen-decomposition) and a bisection for where a step size stops
  being stable (Thm 1's threshold found by search);
* :func:`simulate_batches`: Monte Carlo of linearized SGD, vectorized over runs.
"""
from __future__ import annotations

import itertools
from math import comb

import numpy as np

from .stability.hessians import as_problem, batch_p
from .stability.moment_recursion import recursion_matrix
from .validation import check_int, check_positive

__all__ = [
    "enumerate_batches",
    "batch_hessians",
    "augmented_step_matrices",
    "exact_moments",
    "quadratic_statistic_moments",
    "linear_statistic_moments",
    "range_projector",
    "regular_transition_matrix",
    "dense_limit_covariance",
    "commuting_limit_covariance",
    "taylor_limits",
    "mean_step_matrix",
    "log_spectral_radius",
    "stability_boundary",
    "simulate_batches",
]

MAX_BATCHES = 5000


def enumerate_batches(n, B) -> np.ndarray:
    """All ``C(n, B)`` batches (rows of sorted indices); at most :data:`MAX_BATCHES`."""
    n = check_int(n, "n (number of samples)", minimum=1)
    B = check_int(B, "batch", minimum=1, maximum=n)
    if comb(n, B) > MAX_BATCHES:
        raise ValueError(f"batch: C(n, B) = {comb(n, B)} batches exceed {MAX_BATCHES}; use a smaller n")
    return np.array(list(itertools.combinations(range(n), B)), dtype=int)


def _gradients(prob, grads):
    if grads is None:
        return np.zeros((prob.n, prob.d))
    g = np.asarray(grads, dtype=float)
    if g.shape != (prob.n, prob.d) or not np.all(np.isfinite(g)):
        raise ValueError(f"grads must be a finite array of shape (n, d) = {(prob.n, prob.d)}")
    scale = max(float(np.abs(g).max()), 1e-300)
    if np.abs(g.mean(axis=0)).max() > 1e-9 * scale:
        raise ValueError("grads must average to zero (a minimum: mean_i g_i = 0)")
    return g


def batch_hessians(prob, B):
    """``(H_b, batches)``: ``H_b = mean_{i in b} H_i`` for every batch ``b`` (shape ``(C(n,B), d, d)``)."""
    prob = as_problem(prob)
    batches = enumerate_batches(prob.n, B)
    return prob.dense()[batches].mean(axis=1), batches


def augmented_step_matrices(prob, B, alpha, grads=None) -> np.ndarray:
    """``A_b = [[I - alpha H_b, -alpha g_b], [0, 1]]`` for every batch, shape ``(C(n,B), d+1, d+1)``."""
    prob = as_problem(prob)
    check_positive(alpha, "alpha", allow_zero=True)
    g = _gradients(prob, grads)
    Hb, batches = batch_hessians(prob, B)
    d = prob.d
    A = np.zeros((len(batches), d + 1, d + 1))
    A[:, :d, :d] = np.eye(d) - alpha * Hb
    A[:, :d, d] = -alpha * g[batches].mean(axis=1)
    A[:, d, d] = 1.0
    return A


def _kron_power(A, k):
    out = A
    for _ in range(k - 1):
        out = np.einsum("bij,bkl->bikjl", out, A).reshape(A.shape[0], out.shape[1] * A.shape[1], -1)
    return out


def exact_moments(step_matrices, theta0, steps, orders=(1, 2)) -> dict:
    """``{k: E[y_steps^{(x) k}]}`` for ``y = (theta, 1)``, ``theta_0`` deterministic (flat vectors).

    ``step_matrices``: :func:`augmented_step_matrices` (uniform law over them).  Exact up to
    rounding: ``(mean_b A_b^{(x) k})^steps y_0^{(x) k}``.  Orders up to 4 (``(d+1)^4`` entries).
    """
    A = np.asarray(step_matrices, dtype=float)
    steps = check_int(steps, "steps", minimum=0)
    y0 = np.append(np.asarray(theta0, dtype=float), 1.0)
    if A.ndim != 3 or A.shape[1:] != (y0.size, y0.size):
        raise ValueError(f"theta0 must have length d = {A.shape[1] - 1}")
    out = {}
    for k in orders:
        k = check_int(k, "order", minimum=1, maximum=4)
        Mk = _kron_power(A, k).mean(axis=0)
        v = y0
        for _ in range(k - 1):
            v = np.kron(v, y0)
        out[k] = np.linalg.matrix_power(Mk, steps) @ v
    return out


def quadratic_statistic_moments(moments, Q) -> tuple[float, float]:
    """``(E[theta^T Q theta], Var[theta^T Q theta])`` from :func:`exact_moments` with orders 2 and 4."""
    Q = np.asarray(Q, dtype=float)
    d = Q.shape[0]
    Qa = np.zeros((d + 1, d + 1))
    Qa[:d, :d] = Q
    q = Qa.ravel()
    mean = float(q @ moments[2])
    second = float(np.kron(q, q) @ moments[4])
    return mean, max(second - mean**2, 0.0)


def linear_statistic_moments(moments, c) -> tuple[float, float]:
    """``(E[c^T theta], Var[c^T theta])`` from :func:`exact_moments` with orders 1 and 2."""
    c = np.append(np.asarray(c, dtype=float), 0.0)
    mean = float(c @ moments[1])
    return mean, max(float(np.kron(c, c) @ moments[2]) - mean**2, 0.0)


def range_projector(prob, rank_tol: float = 1e-10) -> np.ndarray:
    """Orthogonal projector ``P`` onto ``range(H)``, ``H = mean_i H_i`` (``I - P``: the null space)."""
    prob = as_problem(prob)
    lam, U = np.linalg.eigh(prob.mean_hessian())
    keep = lam > rank_tol * max(float(lam.max()), 1e-300)
    return U[:, keep] @ U[:, keep].T


def regular_transition_matrix(prob, grads, B, alpha, p=None) -> np.ndarray:
    """The joint recursion of ``z = (mu, vec S, 1)``, ``mu = E theta``, ``S = E[theta theta^T]`` (their eq 116).

    ``mu' = (I - alpha H) mu``;  ``S' = T_alpha(S) + alpha^2 p (mean_i H_i mu g_i^T + mean_i g_i mu^T H_i)
    + alpha^2 p G`` with ``G = mean_i g_i g_i^T`` (the extra noise term of a regular minimum) and
    ``T_alpha`` of :func:`numeric.stability.moment_recursion.recursion_matrix`.  Built from the
    formulas in ``p = (n - B)/(B (n - 1))`` (``p`` overrides it, for negative controls).
    Returns the ``(d + d^2 + 1)`` square matrix; ``z_t = matrix^t z_0``.
    """
    prob = as_problem(prob)
    g = _gradients(prob, grads)
    check_positive(alpha, "alpha", allow_zero=True)
    p = batch_p(prob.n, B) if p is None else float(p)
    d, n = prob.d, prob.n
    Hs = prob.dense()
    T = recursion_matrix(prob, B, alpha, p=p)
    cross = np.einsum("nij,nk->ikj", Hs, g) / n  # cross[i, k, j]: (mean_n H_n e_j g_n^T)[i, k]
    cross = cross + np.swapaxes(cross, 0, 1)
    G = g.T @ g / n
    size = d + d * d + 1
    Z = np.zeros((size, size))
    Z[:d, :d] = np.eye(d) - alpha * prob.mean_hessian()
    Z[d:d + d * d, :d] = alpha**2 * p * cross.reshape(d * d, d)
    Z[d:d + d * d, d:d + d * d] = T
    Z[d:d + d * d, -1] = alpha**2 * p * G.ravel()
    Z[-1, -1] = 1.0
    return Z


def dense_limit_covariance(prob, grads, B, alpha, p=None) -> np.ndarray:
    """Thm 5 (their eq 17): ``Sigma = alpha p mat((H (+) H - alpha D)^+ vec(P G P))``, ``G = mean_i g_i g_i^T``,
    by a dense Moore-Penrose pseudo-inverse of the ``d^2 x d^2`` matrix (small ``d``).  ``p`` overrides the weight."""
    prob = as_problem(prob)
    g = _gradients(prob, grads)
    check_positive(alpha, "alpha")
    p = batch_p(prob.n, B) if p is None else float(p)
    d = prob.d
    T = recursion_matrix(prob, B, alpha, p=p)  # I - alpha (H (+) H) + alpha^2 D
    operator = (np.eye(d * d) - T) / alpha  # H (+) H - alpha D
    P = range_projector(prob)
    rhs = alpha * p * (P @ (g.T @ g / prob.n) @ P).ravel()
    Sigma = (np.linalg.pinv(operator, rcond=1e-13) @ rhs).reshape(d, d)
    return (Sigma + Sigma.T) / 2


def commuting_limit_covariance(diagonals, grads, B, alpha) -> np.ndarray:
    """Thm 5 for commuting Hessians ``H_i = diag(h_i)``: ``H (+) H - alpha D`` acts entrywise, so
    ``Sigma_jk = alpha p G_jk / (hbar_j + hbar_k - alpha E[h_Bj h_Bk])`` on the range (0 where ``hbar_j`` or
    ``hbar_k`` is 0), ``E[h_Bj h_Bk] = (1-p) hbar_j hbar_k + p mean_i h_ij h_ik``."""
    h = np.asarray(diagonals, dtype=float)
    if h.ndim != 2 or not np.all(np.isfinite(h)) or np.any(h < 0):
        raise ValueError("diagonals must be a finite non-negative (n, d) array of Hessian diagonals")
    g = np.asarray(grads, dtype=float)
    if g.shape != h.shape:
        raise ValueError(f"grads must have the shape of diagonals {h.shape}, got {g.shape}")
    check_positive(alpha, "alpha")
    p = batch_p(h.shape[0], B)
    mean = h.mean(axis=0)
    cross = (1 - p) * np.outer(mean, mean) + p * (h.T @ h) / h.shape[0]
    denominator = mean[:, None] + mean[None, :] - alpha * cross
    support = (mean[:, None] > 0) & (mean[None, :] > 0)
    G = g.T @ g / h.shape[0]
    return np.where(support, alpha * p * G / np.where(support, denominator, 1.0), 0.0)


def taylor_limits(prob, Sigma) -> dict:
    """Cor 1's limits from ``Sigma = lim E[P Delta Delta^T P]``: ``distance`` ``tr Sigma`` (``E||P Delta||^2``),
    ``loss`` ``tr(H Sigma)/2`` (``E[L_2(theta)] - L(theta*)``, ``L_2`` the second-order Taylor expansion) and
    ``gradient`` ``tr(H^2 Sigma)`` (``E||grad L_2(theta)||^2 = E||H Delta||^2``)."""
    prob = as_problem(prob)
    H = prob.mean_hessian()
    Sigma = np.asarray(Sigma, dtype=float)
    return {"distance": float(np.trace(Sigma)), "loss": float(np.trace(H @ Sigma)) / 2,
            "gradient": float(np.trace(H @ H @ Sigma))}


def mean_step_matrix(prob, B, alpha) -> np.ndarray:
    """``E[I - alpha H_b]``, averaged over every batch ``b`` (their eq 37: the mean's one-step map)."""
    check_positive(alpha, "alpha", allow_zero=True)
    Hb, _ = batch_hessians(prob, B)
    return np.eye(Hb.shape[1]) - alpha * Hb.mean(axis=0)


def log_spectral_radius(M, squarings: int = 60) -> float:
    """``log rho(M)`` by Gelfand's formula, ``log ||M^N|| / N`` with ``N = 2^squarings`` (repeated squaring,
    renormalized at every step; no eigen-decomposition).  Error ``O(log(cond) / N)``; ``-inf`` if ``M^N = 0``."""
    X = np.asarray(M, dtype=float)
    if X.ndim != 2 or X.shape[0] != X.shape[1] or not np.all(np.isfinite(X)):
        raise ValueError(f"M must be a finite square matrix, got shape {X.shape}")
    squarings = check_int(squarings, "squarings", minimum=1, maximum=1000)
    log_scale = 0.0
    for _ in range(squarings):
        norm = np.linalg.norm(X)
        if norm == 0:
            return float("-inf")
        X = X / norm
        log_scale = 2 * (log_scale + np.log(norm))
        X = X @ X
    norm = np.linalg.norm(X)
    return float("-inf") if norm == 0 else float((log_scale + np.log(norm)) / 2.0**squarings)


def stability_boundary(is_stable, start: float = 1.0, rtol: float = 1e-13, max_iter: int = 400) -> float:
    """The step size where ``is_stable(alpha)`` switches from ``True`` to ``False`` (bisection).

    Brackets from ``start`` by halving/doubling, then bisects to relative width ``rtol``.  Assumes
    the stable set is an interval ``(0, alpha_c]``.  Returns the stable end of the final bracket.
    """
    check_positive(start, "start")
    check_positive(rtol, "rtol")
    lo = hi = float(start)
    step = 2.0 if is_stable(lo) else 0.5
    for _ in range(max_iter):  # bracket: lo stable, hi unstable
        if step > 1:
            lo, hi = hi, 2 * hi
            if not is_stable(hi):
                break
        else:
            hi, lo = lo, lo / 2
            if is_stable(lo):
                break
    else:
        raise ValueError("stability_boundary: could not bracket the boundary by halving/doubling")
    for _ in range(max_iter):
        if hi - lo <= rtol * hi:
            break
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if is_stable(mid) else (lo, mid)
    return lo


def simulate_batches(step_matrices, theta0, steps, runs, seed) -> np.ndarray:
    """Monte Carlo of ``y <- A_b y`` with ``b`` uniform over the enumerated batches (= a uniform batch
    without replacement), independent across steps and runs; returns ``theta_steps``, ``(runs, d)``."""
    A = np.asarray(step_matrices, dtype=float)
    steps = check_int(steps, "steps", minimum=0)
    runs = check_int(runs, "runs", minimum=1)
    rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence(check_int(seed, "seed", minimum=0))))
    d = A.shape[1] - 1
    theta0 = np.asarray(theta0, dtype=float)
    if theta0.shape != (d,):
        raise ValueError(f"theta0 must have length d = {d}")
    linear, offset = A[:, :d, :d], A[:, :d, d]
    theta = np.broadcast_to(theta0, (runs, d)).copy()
    for _ in range(steps):
        b = rng.integers(0, A.shape[0], size=runs)
        theta = np.einsum("rij,rj->ri", linear[b], theta) + offset[b]
    return theta
