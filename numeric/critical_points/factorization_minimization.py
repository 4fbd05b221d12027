"""Minimize a per-coordinate objective over the factorizations of ``m`` from many random starts (Lemma 3.2).

The diagonal factorizations of one coordinate ``m != 0`` are ``w_l = s_l exp(t_l)`` with signs
``prod_l s_l = sign(m)`` and ``sum_l t_l = log |m|``.  With ``B`` an orthonormal basis of
``{v : sum_l v_l = 0}`` every factorization is ``t = log|m|/L + B u``, ``u in R^(L-1)``, so the
constrained problem is an unconstrained one in ``u``.  :func:`minimize_over_factorizations`
runs damped Newton in ``u`` on the logarithm of the (positive) objective, on all starts at once (the starts are the columns of one wide
network, so the objective is evaluated once per step for all of them), with gradients and
Hessians by central differences of the objective as :mod:`numeric.model` computes it; it knows
nothing of balanced points or closed-form minima.  Objectives (one value per column):

* ``"regularizer"``: ``R`` per coordinate (:func:`numeric.model.regularizer_by_coordinate`);
* ``"hessian_trace"``: ``tr Hess L`` per coordinate (trace of :func:`numeric.model.hessian_loss`).

Both objectives are positive (``R >= eta^(2L)``, the trace ``>= 2 L |m|^(2(L-1)/L)``) and convex in
``t`` (``R + m^2 = exp(sum_l log(e^(2 t_l) + eta^2))``; the trace is ``2 m^2 sum_l e^(-2 t_l)``), and
their logarithms are too, which makes Newton steps of ``log f`` well scaled far from the minimum.
Steps are at most 2 in ``u`` (a trust region) and halved until ``log f`` does not increase.
Convergence: a start has converged when its Newton step and its finite-difference gradient of
``log f`` are below ``1e-7``; iteration stops when all have converged or after ``max_iter`` steps
(reported).  Float64 throughout: minimum values are accurate to ~1e-13 relative, minimizers
(``|w_l|``) to ~1e-7 relative.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import model
from ..validation import check_depth, check_eta, check_int, check_positive

__all__ = ["FactorizationSearch", "minimize_over_factorizations", "OBJECTIVES", "factorization_weights"]

OBJECTIVES = ("regularizer", "hessian_trace")


@dataclass
class FactorizationSearch:
    """Outcome of :func:`minimize_over_factorizations`.

    weights: ``(L, n)`` the final factorization of each start (column); values: ``(n,)`` the
    objective there; converged: ``(n,)`` bool; gradient_norms: ``(n,)`` final finite-difference
    gradient norms in ``u``; iterations: Newton steps taken; seed, starts.
    """

    weights: np.ndarray
    values: np.ndarray
    converged: np.ndarray
    gradient_norms: np.ndarray
    iterations: int
    seed: int
    starts: int


def _sum_zero_basis(L: int) -> np.ndarray:
    """Orthonormal basis ``(L, L-1)`` of ``{v : sum v = 0}`` (QR of the centred unit vectors)."""
    centred = np.eye(L)[:, :L - 1] - 1.0 / L
    basis, _ = np.linalg.qr(centred)
    return basis


def factorization_weights(u, L: int, m: float, signs) -> np.ndarray:
    """The factorization ``w_l = s_l exp(log|m|/L + (B u)_l)`` for each column of ``u`` ``(L-1, n)``: ``(L, n)``."""
    t = np.log(abs(m)) / L + _sum_zero_basis(L) @ u
    return signs * np.exp(t)


def _objective(name: str, W: np.ndarray, eta: float) -> np.ndarray:
    if name == "regularizer":
        return model.regularizer_by_coordinate(W, eta)
    return np.trace(model.hessian_loss(W, np.prod(W, axis=0)), axis1=1, axis2=2)


def minimize_over_factorizations(L: int, m: float, eta: float, objective: str, starts: int = 64, seed: int = 0,
                                 spread: float = 1.5, max_iter: int = 200) -> FactorizationSearch:
    """Minimize ``objective`` over the factorizations of ``m`` (one coordinate) from ``starts`` random starts.

    Starts: ``u ~ N(0, spread^2 I)`` (the layers' magnitudes differ by factors up to ~``e^(3 spread)``)
    and random sign patterns with ``prod s = sign(m)``.  Returns a :class:`FactorizationSearch`.
    """
    L = check_depth(L)
    m = float(m)
    if not np.isfinite(m) or m == 0:
        raise ValueError(f"m must be finite and nonzero (factorizations of 0 are not a smooth manifold), got {m}")
    eta = float(check_eta(eta, allow_zero=True))
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    starts = check_int(starts, "starts", minimum=1)
    spread = float(check_positive(spread, "spread"))
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(L, starts))
    signs[-1] = np.sign(m) * np.prod(signs[:-1], axis=0)
    u = rng.normal(scale=spread, size=(L - 1, starts))
    k = L - 1
    h_gradient, h_hessian, max_step = 1e-5, 1e-4, 2.0
    identity = np.eye(k)

    def f(points):
        return np.log(_objective(objective, factorization_weights(points, L, m, signs), eta))

    converged = np.zeros(starts, dtype=bool)
    gradient_norms = np.full(starts, np.inf)
    iteration = 0
    for iteration in range(1, max_iter + 1):
        value = f(u)
        gradient = np.stack([(f(u + h_gradient * identity[:, [i]]) - f(u - h_gradient * identity[:, [i]]))
                             / (2 * h_gradient) for i in range(k)])
        hessian = np.empty((starts, k, k))
        for i in range(k):
            for j in range(i, k):
                e_i, e_j = h_hessian * identity[:, [i]], h_hessian * identity[:, [j]]
                second = (f(u + e_i + e_j) - f(u + e_i - e_j) - f(u - e_i + e_j) + f(u - e_i - e_j)) / (4 * h_hessian ** 2)
                hessian[:, i, j] = hessian[:, j, i] = second
        eigenvalues, vectors = np.linalg.eigh(hessian)
        eigenvalues = np.maximum(np.abs(eigenvalues), 1e-10)
        step = _newton_step(vectors, eigenvalues, gradient)
        step_length = np.sqrt(np.sum(step ** 2, axis=0))
        step = step * np.minimum(1.0, max_step / np.maximum(step_length, 1e-300))  # trust region in u
        # backtracking: halve the step until the objective does not increase (at most 30 halvings)
        scale = np.ones(starts)
        for _ in range(30):
            trial = f(u + scale * step)
            worse = trial > value + 1e-14
            if not worse.any():
                break
            scale = np.where(worse, scale / 2, scale)
        u = u + scale * step
        gradient_norms = np.sqrt(np.sum(gradient ** 2, axis=0))
        step_norms = np.sqrt(np.sum((scale * step) ** 2, axis=0))
        converged = (step_norms < 1e-7) & (gradient_norms < 1e-7)
        if converged.all():
            break
    W = factorization_weights(u, L, m, signs)
    return FactorizationSearch(W, _objective(objective, W, eta), converged, gradient_norms, iteration, seed, starts)


def _newton_step(vectors: np.ndarray, eigenvalues: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    """``-|H|^-1 g`` per column (``|H|``: eigenvalues by absolute value): a descent direction, Newton near a minimum."""
    coefficients = np.einsum("nji,jn->ni", vectors, gradient) / eigenvalues
    return -np.einsum("nij,nj->in", vectors, coefficients)
