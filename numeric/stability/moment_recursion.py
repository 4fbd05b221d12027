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

Two iterations run to a convergence criterion with a stated error bound:

* :func:`certified_stability`: ``T_alpha`` is a *positive* map (``(1-p) (I - aH) S (I - aH) +
  p mean_i (I - aH_i) S (I - aH_i)`` maps PSD to PSD for ``0 <= p <= 1``), so for every
  ``S > 0``, ``rho(T) <= lambda_max(S^{-1/2} T(S) S^{-1/2})`` (Collatz-Wielandt: ``T(S) <= r S``
  gives ``T^k(S) <= r^k S``, and every PSD matrix is below a multiple of ``S``); and ``T`` is
  symmetric for the Frobenius inner product, so ``rho(T) = lambda_max(T)`` is at least any
  Rayleigh quotient ``<S, T(S)>/<S, S>``.  Iterating ``S <- T(S)/tr`` shrinks this bracket
  towards ``rho``; the iteration stops when it excludes 1: mean-square decay (``rho < 1``) or
  growth (``rho > 1``) is then proved, not estimated from a finite run.
* :func:`regular_moment_limit`: the range block of the second moment at a regular minimum,
  ``S_{t+1} = T(S_t) + alpha^2 p G + f_t`` (``f_t`` the cross terms of the decaying mean),
  has the fixed point ``Sigma`` of Thm 5; with ``e_t = S_t - Sigma``, ``e_{t+1} = T e_t + f_t``,
  so ``e_t = (I - T)^{-1} (f_t - (S_{t+1} - S_t))`` and, ``T`` being symmetric (Frobenius) with
  top eigenvalue ``lambda < 1`` on the range, ``||e_t||_F <= (||f_t||_F + ||S_{t+1} - S_t||_F) / (1 - lambda)``.
  The iteration stops when this bound is below ``rtol ||S_t||_F``.
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
    "collatz_wielandt_bracket",
    "certified_stability",
    "range_recursion_top_eigenvalue",
    "regular_moment_limit",
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


def regular_moment_trajectory(prob, grads, B, alpha, steps: int, theta0=None, p=None):
    """Exact first and second moments of SGD at a regular minimum after ``steps`` steps.

    Recursion (independence of ``theta_t`` and the batch at step ``t``):
    ``mu' = (I - alpha H) mu``,
    ``S' = T_alpha(S) + alpha^2 [E(H_B mu g_B^T) + E(g_B mu^T H_B)] + alpha^2 p G``,
    with ``E[H_B mu g_B^T] = p mean_i H_i mu g_i^T`` (``mean g_i = 0``).  Returns ``(mu, S)``.
    ``p`` overrides the mixture weight (negative controls).
    """
    prob = as_problem(prob)
    g = np.asarray(grads, dtype=float)
    p = batch_p(prob.n, B) if p is None else float(p)
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


class _SecondMomentMap:
    """``S -> T_alpha(S)`` with the problem's matrices cached (no validation per call: internal)."""

    def __init__(self, prob, B, alpha, p=None):
        self.H = prob.mean_hessian()
        self.Hs = prob.dense()
        self.p = batch_p(prob.n, B) if p is None else float(p)
        self.alpha = float(alpha)

    def __call__(self, S):
        a, H = self.alpha, self.H
        HS = H @ S
        sandwich = np.einsum("nij,jk,nlk->il", self.Hs, S, self.Hs) / self.Hs.shape[0]
        out = S - a * (HS + HS.T) + a * a * ((1 - self.p) * HS @ H + self.p * sandwich)
        return (out + out.T) / 2


def _bracket(apply, S) -> tuple[float, float]:
    image = apply(S)
    lower = float(np.sum(S * image) / np.sum(S * S))
    upper = np.inf
    scale = float(np.trace(S))
    for eps in (1e-3, 1e-6, 1e-9):
        R = S + eps * scale * np.eye(S.shape[0])
        eigenvalues, U = np.linalg.eigh(R)
        if eigenvalues[0] <= 0:
            continue
        inverse_root = (U / np.sqrt(eigenvalues)) @ U.T
        quotient = inverse_root @ apply(R) @ inverse_root
        upper = min(upper, float(np.linalg.eigvalsh((quotient + quotient.T) / 2)[-1]))
    return lower, upper


def collatz_wielandt_bracket(prob, B, alpha, S, p=None) -> tuple[float, float]:
    """A proved bracket ``(lower, upper)`` of ``rho(T_alpha)`` from one PSD matrix ``S != 0``.

    ``lower``: the Rayleigh quotient ``<S, T(S)> / <S, S>`` (``T`` is symmetric for the Frobenius
    inner product and its spectral radius is an eigenvalue, so ``rho = lambda_max >= `` any
    Rayleigh quotient).  ``upper``: the Collatz-Wielandt quotient ``lambda_max(R^{-1/2} T(R) R^{-1/2})``
    at ``R = S + eps I`` (positive definite), the smallest over ``eps = 1e-3, 1e-6, 1e-9`` times
    ``tr S`` (each is an upper bound because ``T`` is a positive map, ``0 <= p <= 1``; the
    regularization matters when the maximizing ``S`` is singular, e.g. at ``B = n``).
    """
    prob = as_problem(prob)
    S = np.asarray(S, dtype=float)
    return _bracket(_SecondMomentMap(prob, B, check_positive(alpha, "alpha"), p), (S + S.T) / 2)


def certified_stability(prob, B, alpha, p=None, max_steps: int = 20000, S0=None) -> dict:
    """Decide mean-square stability at ``alpha`` by the recursion, with a proof (Collatz-Wielandt bracket).

    Iterates ``S <- T_alpha(S) / tr`` from ``S0`` (default ``I/d``) until the bracket
    ``[lower, upper]`` of the spectral radius (:func:`collatz_wielandt_bracket`) excludes 1 or
    ``max_steps`` steps were taken.  Returns ``{"verdict": "stable" | "unstable" | "undecided",
    "lower", "upper", "steps"}`` (``stable``: ``upper < 1``, proved decay of ``E theta theta^T``;
    ``unstable``: ``lower > 1``, proved growth).
    """
    prob = as_problem(prob)
    p_value = batch_p(prob.n, B) if p is None else float(p)
    if not 0 <= p_value <= 1:
        raise ValueError(f"p must be in [0, 1] (a positive map), got {p_value}")
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    apply = _SecondMomentMap(prob, B, check_positive(alpha, "alpha"), p_value)
    S = np.eye(prob.d) / prob.d if S0 is None else np.array(S0, dtype=float)
    lower, upper = _bracket(apply, S)
    steps = 0
    while steps < max_steps and lower <= 1 <= upper:
        S = apply(S)
        S = S / np.trace(S)
        steps += 1
        lower, upper = _bracket(apply, S)
    verdict = "stable" if upper < 1 else "unstable" if lower > 1 else "undecided"
    return {"verdict": verdict, "lower": lower, "upper": upper, "steps": steps}


def _range_basis(prob, rank_tol=1e-10):
    H = prob.mean_hessian()
    lam, U = np.linalg.eigh((H + H.T) / 2)
    return U[:, lam > rank_tol * max(float(lam.max()), 0.0)]


def range_recursion_top_eigenvalue(prob, B, alpha) -> float:
    """Top eigenvalue of ``T_alpha`` on symmetric matrices supported on the range of ``H`` (small ``d``)."""
    prob = as_problem(prob)
    U = _range_basis(prob)
    basis = np.kron(U, U)  # orthonormal columns: vec of U A U^T
    T = recursion_matrix(prob, B, alpha)
    restricted = basis.T @ T @ basis
    return float(np.linalg.eigvalsh((restricted + restricted.T) / 2)[-1])


def regular_moment_limit(prob, grads, B, alpha, theta0=None, rtol: float = 1e-11, max_steps: int = 200000) -> dict:
    """The limit of the range block of ``E theta_t theta_t^T`` at a regular minimum, by the recursion.

    Runs :func:`regular_moment_trajectory`'s recursion until the a-posteriori bound of the
    module docstring, ``(||f_t|| + ||S_{t+1} - S_t||) / (1 - lambda)``, is below
    ``rtol ||S_t||`` (Frobenius norms on the range of ``H``).  Returns ``{"sigma"`` (``d x d``,
    supported on the range), ``"error_bound"`` (Frobenius), ``"steps"``, ``"top_eigenvalue"``
    (``lambda``)}; ``ValueError`` if ``alpha`` is not below the threshold or no convergence.
    """
    prob = as_problem(prob)
    g = np.asarray(grads, dtype=float)
    top = range_recursion_top_eigenvalue(prob, B, alpha)
    if not top < 1:
        raise ValueError(f"alpha = {alpha} is not below the stability threshold (top eigenvalue {top:.6g} >= 1)")
    U = _range_basis(prob)
    projector = U @ U.T
    p = batch_p(prob.n, B)
    H, Hs = prob.mean_hessian(), prob.dense()
    G = g.T @ g / prob.n
    mu = np.zeros(prob.d) if theta0 is None else np.array(theta0, dtype=float)
    S = np.outer(mu, mu)
    for step in range(1, check_int(max_steps, "max_steps", minimum=1) + 1):
        cross = p * np.einsum("nij,j,nk->ik", Hs, mu, g) / prob.n
        forcing = alpha**2 * (cross + cross.T)
        HS = H @ S
        S_next = (S - alpha * (HS + HS.T) + alpha**2 * ((1 - p) * H @ S @ H + p * prob.mean_sandwich(S))
                  + forcing + alpha**2 * p * G)
        S_next = (S_next + S_next.T) / 2
        increment = np.linalg.norm(projector @ (S_next - S) @ projector)
        bound = (np.linalg.norm(projector @ forcing @ projector) + increment) / (1 - top)
        S, mu = S_next, mu - alpha * H @ mu
        if bound <= rtol * np.linalg.norm(projector @ S @ projector):
            return {"sigma": projector @ S @ projector, "error_bound": float(bound), "steps": step,
                    "top_eigenvalue": top}
    raise ValueError(f"the regular-minimum recursion did not reach rtol = {rtol} in {max_steps} steps")
