"""Monte Carlo of linearized SGD and of the mixture process ALG(p) (Mulayoff & Michaeli 2024).

Linearized SGD ``theta <- theta - alpha (H_B theta + g_B)`` with batches of ``B`` of
``n`` samples drawn without replacement (Def 1; ``g = 0`` at an interpolating
minimum, :func:`simulate_sgd`; ``mean_i g_i = 0`` at a regular minimum,
:func:`simulate_sgd_regular`), and their ALG(p) (Prop 2, eq 14): a single-sample step
w.p. ``p``, else a full-batch step (:func:`simulate_mixture`).  Vectorized over
independent runs; seeded by ``seed`` (``SFC64``).  The means of these draws are
what :mod:`numeric.stability.moment_recursion` computes exactly.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_int, check_positive
from .hessians import StabilityProblem, as_problem

__all__ = ["one_step_draws", "simulate_sgd", "simulate_mixture", "simulate_sgd_regular"]


def _sample_batches(rng, runs, n, B):
    """``(runs, B)`` indices: one batch of ``B`` of ``n`` without replacement per run."""
    if B == n:
        return np.broadcast_to(np.arange(n), (runs, n))
    return np.argpartition(rng.random((runs, n)), B - 1, axis=1)[:, :B]


def _batch_hessian_times(prob: StabilityProblem, idx, theta):
    """``H_batch theta`` per run: ``mean_{i in idx[r]} H_i theta[r]``."""
    if prob.features is not None:
        Xb = prob.features[idx]  # (runs, B, d)
        return np.einsum("rbi,rb->ri", Xb, np.einsum("rbj,rj->rb", Xb, theta)) / idx.shape[1]
    return np.einsum("rbij,rj->ri", prob.hessians[idx], theta) / idx.shape[1]


def one_step_draws(prob, B, alpha, S, rng, k: int, mixture_p=None) -> np.ndarray:
    """``k`` independent draws of ``(I - alpha H_b) S (I - alpha H_b)`` for one step, shape ``(k, d, d)``.

    ``H_b`` is the batch Hessian of SGD (``B`` of ``n`` without replacement) or, with
    ``mixture_p``, of ALG(p) (a single uniform sample w.p. ``p``, else the full batch).
    Their mean is ``T_alpha(S)`` (Monte Carlo check of the recursion; finitely many outcomes,
    so the draws are bounded).
    """
    prob = as_problem(prob)
    Hs = prob.dense()
    n = prob.n
    if mixture_p is None:
        idx = _sample_batches(rng, k, n, B)
        HB = Hs[idx].mean(axis=1)
    else:
        single = rng.random(k) < mixture_p
        i = rng.integers(0, n, size=k)
        HB = np.where(single[:, None, None], Hs[i], Hs.mean(axis=0)[None])
    M = np.eye(prob.d)[None] - alpha * HB
    return np.einsum("kij,jl,kml->kim", M, np.asarray(S, dtype=float), M)


def _initial_state(prob, runs, theta0):
    """``runs`` copies of ``theta0`` (default: the first basis vector), shape ``(runs, d)``."""
    theta = np.zeros((runs, prob.d))
    if theta0 is None:
        theta[:, 0] = 1.0
    else:
        theta[:] = theta0
    return theta


def simulate_sgd(prob, B, alpha, steps: int, runs: int, seed: int, theta0=None) -> np.ndarray:
    """Linearized SGD ``theta <- theta - alpha H_B theta`` (Def 1, ``g_i = 0``), ``runs`` copies.

    Batches of ``B`` without replacement, independent across steps and runs;
    vectorized over runs.  ``theta0`` (``(d,)`` or ``(runs, d)``) defaults to
    ``e_1``.  Returns ``theta_steps`` of shape ``(runs, d)``.
    """
    prob = as_problem(prob)
    steps = check_int(steps, "steps", minimum=0)
    runs = check_int(runs, "runs", minimum=1)
    rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed)))
    theta = _initial_state(prob, runs, theta0)
    for _ in range(steps):
        idx = _sample_batches(rng, runs, prob.n, B)
        theta = theta - alpha * _batch_hessian_times(prob, idx, theta)
    return theta


def simulate_mixture(prob, p, alpha, steps: int, runs: int, seed: int, theta0=None) -> np.ndarray:
    """The mixture process ALG(p) of their Prop 2 (eq 14): per step, w.p. ``p`` a single-sample
    step ``theta <- theta - alpha H_i theta`` (``i`` uniform), else a full-batch step
    ``theta <- theta - alpha H theta``.  Its second moment obeys the same recursion as SGD
    with ``p = (n-B)/(B(n-1))``.  Returns ``theta_steps``, shape ``(runs, d)``.
    """
    prob = as_problem(prob)
    check_positive(p, "p", allow_zero=True)
    if p > 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    steps = check_int(steps, "steps", minimum=0)
    runs = check_int(runs, "runs", minimum=1)
    rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed)))
    H = prob.mean_hessian()
    theta = _initial_state(prob, runs, theta0)
    for _ in range(steps):
        single = rng.random(runs) < p
        idx = rng.integers(0, prob.n, size=(runs, 1))
        step_single = _batch_hessian_times(prob, idx, theta)
        step_full = theta @ H
        theta = theta - alpha * np.where(single[:, None], step_single, step_full)
    return theta


def simulate_sgd_regular(prob, grads, B, alpha, steps: int, runs: int, seed: int, theta0=None):
    """Linearized SGD at a regular minimum, ``theta <- theta - alpha (H_B theta + g_B)``; ``(runs, d)``."""
    prob = as_problem(prob)
    g = np.asarray(grads, dtype=float)
    rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed)))
    theta = np.zeros((runs, prob.d))
    if theta0 is not None:
        theta[:] = theta0
    for _ in range(check_int(steps, "steps", minimum=0)):
        idx = _sample_batches(rng, runs, prob.n, B)
        theta = theta - alpha * (_batch_hessian_times(prob, idx, theta) + g[idx].mean(axis=1))
    return theta
