"""The S-SAM runs of ``theorem-4.4`` and the statistical checks on them.

Two runs, each cached per run context, on ``L = 2``, ``eta = 0.5``, ``w* = (1.5, -0.8)`` and 8
whitened samples:

* :func:`projected_run`: projected S-SAM (eq 22) with harmonic steps over many seeds; per seed the
  tail average (Polyak-Ruppert: the mean of the iterates over the second half of the run);
* :func:`drift_run`: S-SAM (eq 6, no projection, constant step) recorded at every step.

Each check returns ``(passed, detail)`` for a *candidate* noise level (the claim's ``eta``, or 5% off
for a negative control) and combines two Student-t tests over seeds (the seeds are independent):
a test of the whole vector (Euclidean, Bonferroni over entries), and a contrast along the direction
in which the statement moves with ``eta`` -- the *effective noise level* the data reveal, which
resolves ``eta`` to a few percent.  Each test gets :data:`ALPHA_SHARE` of the claim's
false-failure probability 1e-6 (six tests in all, two of them in :func:`check_tail_at_critical_set`
and :func:`check_drift` each, one binomial and one ``L_R`` test in the claim module).
"""
from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np

from numeric import data
from numeric.critical_points import coordinate_critical_points, critical_points
from numeric.dynamics.batched_model import batch_grad
from numeric.dynamics.stochastic import stochastic_descent

from ..framework import RunContext
from ..stats import DEFAULT_ALPHA, assert_proportion_at_least, assert_within_tolerance
from .derived_functions import projection_radius_function

__all__ = ["ALPHA_SHARE", "TAIL_TOLERANCE", "NOISE_LEVEL_TOLERANCE", "NEAR_DISTANCE", "NEAR_PROPORTION",
           "ssam_setting", "projected_run", "nearest_critical_weights", "check_tail_at_critical_set", "check_seeds_near_critical_set",
           "drift_run", "check_drift"]

#: Share of the claim's false-failure probability (1e-6) given to each of its six statistical tests.
ALPHA_SHARE = DEFAULT_ALPHA / 6
#: Tail averages: the mean over seeds of (tail average - nearest critical point), oriented by the
#: critical point's signs, is within this Euclidean distance of 0.  It covers the O(alpha) bias of
#: the stationary mean at the tail steps (alpha_k <= 1e-3; measured about 0.004).
TAIL_TOLERANCE = 0.01
#: The effective noise level of the tail averages is within this fraction of the claimed one.  The
#: O(alpha) bias moves it by about +0.6%; a noise level 5% off is 3.3 tolerances away.
NOISE_LEVEL_TOLERANCE = 0.015
#: Each seed's tail average lies within this distance of the critical set ...
NEAR_DISTANCE = 0.1
#: ... with probability at least this (exact binomial test).
NEAR_PROPORTION = 0.9
#: Relative step of the central differences in ``eta``.
ETA_DIFFERENCE_STEP = 1e-4


def ssam_setting(ctx):
    """``(L, eta, wstar, X, Y, W0)`` of the S-SAM checks: L = 2 on 8 whitened samples."""
    L, eta, wstar = 2, 0.5, np.array([1.5, -0.8])
    X, Y = data.whitened_data(8, wstar, seed=ctx.seed_for("theorem-4.4/data"))
    W0 = np.array([[0.3, 1.2], [1.5, -0.2]])
    return L, eta, wstar, X, Y, W0


@lru_cache(maxsize=4)
def projected_run(seed, quick, thorough):
    """Projected S-SAM with harmonic steps over many seeds, radius 1.2 x max(claimed radius, critical norms).

    Returns the per-seed tail averages (the mean of the iterates recorded every 10 steps over the
    second half of the run), the final ``L_R`` per seed and the setting.
    """
    ctx = RunContext(seed, quick, thorough)
    L, eta, wstar, X, Y, W0 = ssam_setting(ctx)
    radius = 1.2 * max(float(projection_radius_function(L)(np.linalg.norm(wstar), eta)),
                       max(float(np.linalg.norm(c.weights)) for c in critical_points(L, eta, wstar)))
    steps = ctx.size(20000, quick=20000, thorough=100000)
    seeds = ctx.size(128, quick=128, thorough=512)
    tail = list(range(steps // 2, steps + 1, 10))
    trajectory = stochastic_descent(W0, X, Y, eta, steps, 0.05, schedule="harmonic", decay_start=200,
                                    seeds=seeds, seed=ctx.seed_for("theorem-4.4/ssam"), radius=radius,
                                    record_steps=tail)
    return {"key": (seed, quick, thorough), "tail_average": trajectory.weights.mean(axis=0), "final_marginalized_loss":
            trajectory.records["marginalized_loss"][-1], "radius": radius, "steps": steps,
            "tail": f"steps {tail[0]}..{tail[-1]} every 10", "seed": trajectory.info["seed"]}


def _kurtosis(x):
    """Largest sample kurtosis over the columns of ``x`` (rows are draws)."""
    centered = x - x.mean(axis=0)
    return float(np.max(np.mean(centered ** 4, axis=0) / np.mean(centered ** 2, axis=0) ** 2))


def _t_test(per_seed, tolerance):
    """Student t over seeds (rows): ``||E[row]|| <= tolerance``, Bonferroni over the entries."""
    per_seed = per_seed.reshape(per_seed.shape[0], -1)
    K = per_seed.shape[0]
    ok, detail = assert_within_tolerance(per_seed.mean(axis=0)[None], per_seed.std(axis=0, ddof=1)[None] / np.sqrt(K),
                                         np.zeros((1, per_seed.shape[1])), tolerance, alpha=ALPHA_SHARE, seeds=K,
                                         dof=K - 1)
    detail["sample_kurtosis_max"] = _kurtosis(per_seed)
    return ok, detail


def nearest_critical_weights(points, eta, wstar):
    """The critical points of ``L_R`` nearest to each of ``points`` (K, L, d) in Frobenius norm, and the distances.

    Vectorized :func:`numeric.critical_points.nearest_critical_point`: per coordinate the nearest of
    :func:`numeric.critical_points.coordinate_critical_points` (squared distances add over coordinates).
    """
    nearest = np.empty_like(points)
    squared = np.zeros(points.shape[0])
    for h, wstar_h in enumerate(wstar):
        candidates = np.array([p.w for p in coordinate_critical_points(points.shape[1], eta, wstar_h)])  # (P, L)
        distances = np.sum((points[:, None, :, h] - candidates[None]) ** 2, axis=-1)  # (K, P)
        index = np.argmin(distances, axis=1)
        nearest[:, :, h] = candidates[index]
        squared += distances[np.arange(points.shape[0]), index]
    return nearest, np.sqrt(squared)


@lru_cache(maxsize=16)
def _tail_statistics(seed, quick, thorough, eta_candidate, wstar):
    """Per seed: the oriented difference to the nearest critical point, the effective noise-level shift, the distance."""
    run = projected_run(seed, quick, thorough)
    tail = run["tail_average"]
    wstar = np.array(wstar)
    c, distance = nearest_critical_weights(tail, eta_candidate, wstar)
    orientation = np.where(c != 0, np.sign(c), 1.0)
    h = ETA_DIFFERENCE_STEP * eta_candidate
    up = np.abs(nearest_critical_weights(c, eta_candidate + h, wstar)[0])
    down = np.abs(nearest_critical_weights(c, eta_candidate - h, wstar)[0])
    g = (up - down) / (2 * h)
    delta = (tail - c) * orientation
    shifts = np.sum(g * delta, axis=(1, 2)) / np.sum(g * g, axis=(1, 2))
    return delta, shifts, distance


def check_tail_at_critical_set(run, eta_candidate, wstar):
    """The tail averages sit at the critical set of ``L_R`` at ``eta_candidate``.

    Per seed ``delta = (tail average - c) sign(c)`` with ``c`` the nearest critical point at
    ``eta_candidate``: (1) ``||E delta|| <= TAIL_TOLERANCE``; (2) the effective noise level: with
    ``g = d|c|/d eta`` (central difference, the same critical branch) the per-seed estimate
    ``eta_candidate + g . delta / ||g||^2`` has mean within ``NOISE_LEVEL_TOLERANCE eta_candidate`` of
    ``eta_candidate``.  The tail averages are independent across seeds and each averages 1000 iterates of
    a bounded (projected) process; their sample kurtosis is reported (3 for a normal law).
    """
    delta, shifts, _ = _tail_statistics(*run["key"], float(eta_candidate), tuple(map(float, wstar)))
    vector_ok, vector = _t_test(delta, TAIL_TOLERANCE)
    noise_ok, noise = _t_test(shifts, NOISE_LEVEL_TOLERANCE * eta_candidate)
    noise["effective_noise_level"] = eta_candidate + float(np.mean(shifts))
    return vector_ok and noise_ok, {"vector": vector, "effective_noise_level": noise,
                                    "max_distance": vector["max_distance"],
                                    "noise_level_offset": float(np.mean(shifts)) / eta_candidate}


def check_seeds_near_critical_set(run, eta_candidate, wstar):
    """Exact binomial test: P(tail average within NEAR_DISTANCE of the critical set) >= NEAR_PROPORTION."""
    _, _, distances = _tail_statistics(*run["key"], float(eta_candidate), tuple(map(float, wstar)))
    ok, detail = assert_proportion_at_least(int(np.sum(distances <= NEAR_DISTANCE)), distances.size,
                                            NEAR_PROPORTION, alpha=ALPHA_SHARE)
    detail.update({"median_distance": float(np.median(distances)), "max_distance": float(distances.max()),
                   "near_distance": NEAR_DISTANCE})
    return ok, detail


@lru_cache(maxsize=4)
def drift_run(seed, quick, thorough):
    """S-SAM (no projection, constant step 0.002) over many seeds, recorded at every step."""
    ctx = RunContext(seed, quick, thorough)
    L, eta, wstar, X, Y, W0 = ssam_setting(ctx)
    steps, alpha = ctx.size(1500, quick=1000, thorough=3000), 0.002
    seeds = ctx.size(300, quick=200, thorough=2000)
    trajectory = stochastic_descent(W0, X, Y, eta, steps, alpha, seeds=seeds, seed=ctx.seed_for("theorem-4.4/drift"),
                                    record_quantities=False)
    return trajectory.weights, alpha, wstar, eta


@lru_cache(maxsize=4)
def _drift_direction(seed, quick, thorough):
    """``v_k = alpha d(grad L_R)/d eta (W(k))`` at the claimed ``eta`` (central difference)."""
    weights, alpha, wstar, eta = drift_run(seed, quick, thorough)
    previous = weights[:-1]
    h = ETA_DIFFERENCE_STEP * eta
    return alpha * (batch_grad(previous, wstar, eta + h) - batch_grad(previous, wstar, eta - h)) / (2 * h)


def check_drift(ctx, target="L_R", eta_factor=1.0):
    """Eq 11 along trajectories: the per-step residual ``r_k = W(k+1) - W(k) + alpha grad(W(k))`` has mean zero.

    ``grad`` is ``grad L_R`` at ``eta_candidate = eta_factor eta`` (``target="L_R"``) or ``grad L`` (``"L"``).
    Given ``W(k)`` the residual has conditional mean zero under the claim (a martingale difference), so
    (1) the per-seed mean of ``r_k`` and (2) the per-seed contrast ``sum_k r_k . S v_k / sum_k v_k . S v_k`` with
    ``v_k = alpha d(grad L_R)/d eta (W(k))`` at the claimed ``eta`` (``W(k)``-measurable, so still a
    martingale transform; it estimates ``eta_true - eta_candidate`` to first order) and ``S`` the inverse
    residual variance per entry have mean zero: both tested with tolerance 0.  The per-seed values are
    independent across seeds and, as sums of ``>= 1000`` terms, close to normal although one residual is
    heavy-tailed (products of Gaussians; both sample kurtoses are reported).
    """
    ok, detail = _drift_check(ctx.seed, ctx.quick, ctx.thorough, target, float(eta_factor))
    return ok, copy.deepcopy(detail)


@lru_cache(maxsize=16)
def _drift_check(seed, quick, thorough, target, eta_factor):
    weights, alpha, wstar, eta = drift_run(seed, quick, thorough)
    eta_candidate = eta * eta_factor
    previous = weights[:-1]
    g = batch_grad(previous, wstar, eta_candidate, regularized=target == "L_R")
    residual = weights[1:] - previous + alpha * g  # (steps, seeds, L, d)
    steps, seeds = residual.shape[:2]
    v = _drift_direction(seed, quick, thorough)
    # weight each entry (layer, coordinate) by its inverse residual variance (estimated from all 1e5+ residuals:
    # effectively a constant), which makes the contrast nearly the most powerful linear one
    inverse_variance = 1 / residual.reshape(steps * seeds, *residual.shape[2:]).var(axis=0)
    contrast = (np.sum(residual * v * inverse_variance, axis=(0, 2, 3))
                / np.sum(v * v * inverse_variance, axis=(0, 2, 3)))
    vector_ok, vector = _t_test(residual.sum(axis=0) / steps, 0.0)
    noise_ok, noise = _t_test(contrast, 0.0)
    noise["effective_noise_level"] = eta_candidate + float(np.mean(contrast))
    vector.update({"steps": int(steps), "step_size": alpha, "eta": eta, "target": target,
                   "eta_candidate": eta_candidate})
    if target == "L_R" and eta_factor == 1.0:  # the tails of one residual, for the record (the claim's statement)
        vector["sample_kurtosis_one_residual_max"] = _kurtosis(residual.reshape(steps * seeds, -1)[::7])
    return vector_ok and noise_ok, {"vector": vector, "effective_noise_level": noise,
                                    "max_distance": vector["max_distance"],
                                    "noise_level_offset": float(np.mean(contrast)) / eta_candidate}
