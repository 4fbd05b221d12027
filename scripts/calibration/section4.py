"""Calibration rows of theorem-4.4: the Student-t tests over seeds of projected S-SAM and of the S-SAM drift.

The per-seed statistics (tail averages of projected S-SAM, per-seed drift residuals and contrasts) come
from a pool of real runs, 8-10 times the claim's number of seeds, recomputed here with the public
functions of :mod:`checks.section4.ssam_runs`.  The bootstrap resamples the claim's number of seeds from
the pool centred at its mean (the null holds exactly, tolerance 0) and runs the claim's test
(:func:`checks.stats.assert_within_tolerance` with Student t quantiles) at 1e-2.  The real level (1.7e-7 per
test) cannot be simulated and the matched-size argument does not apply to 128 seeds; the note gives the
pool's skewness and kurtosis and the ratio of the two-term Edgeworth tail of the studentized mean to the
Student t tail at the real critical value: the expansion's estimate of how far the real level is off.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import t as student_t

from checks import stats
from checks.framework import RunContext

from .core import LEVEL, pool_repetitions, row, scaled

PROJECTED_POOL, DRIFT_POOL = 1024, 3000


def _edgeworth_note(per_seed, K, level_real):
    """Pool shape and the Edgeworth / normal tail ratio at the real critical value (largest over entries)."""
    x = np.asarray(per_seed, dtype=float).reshape(len(per_seed), -1)
    skew, kurt = stats.shape_of(x)
    c = float(student_t.isf(level_real / (2 * x.shape[1]), K - 1))
    t_tail = 2 * float(student_t.sf(c, K - 1))
    ratios = [stats.edgeworth_tail(c, K, float(g), float(k))["edgeworth"] / t_tail
              for g, k in zip(np.atleast_1d(skew), np.atleast_1d(kurt))]
    return (f"pool skewness <= {np.max(np.abs(skew)):.2f}, excess kurtosis <= {np.max(kurt):.2f}; at the real level "
            f"(t critical value {c:.2f}) two-term Edgeworth tail / Student t tail <= {max(ratios):.2f}")


def _t_test_rows(name, statistic, pool, K, level_real, seed):
    reps = scaled(2000)
    samples = pool_repetitions(pool, K, reps, seed)
    samples = samples.reshape(reps, K, -1)
    rejections = power = 0
    for r in range(reps):
        per_seed = samples[r]
        mean, se = per_seed.mean(axis=0)[None], per_seed.std(axis=0, ddof=1)[None] / np.sqrt(K)
        ok, detail = stats.assert_within_tolerance(mean, se, np.zeros_like(mean), 0.0, alpha=LEVEL, dof=K - 1)
        rejections += not ok
        shift = np.zeros_like(mean)
        shift[0, 0] = detail["detectable_distance"]  # detectable with probability POWER (normal approximation)
        power += not stats.assert_within_tolerance(mean, se, shift, 0.0, alpha=LEVEL, dof=K - 1)[0]
    return row(name, "theorem-4.4", statistic, K, level_real, K, reps, rejections, False, power, reps,
               f"bootstrap from a pool of {len(pool)} real seeds; " + _edgeworth_note(pool, K, level_real))


def _projected_pool(ctx, seeds):
    from checks.section4 import ssam_runs
    from checks.section4.derived_functions import projection_radius_function
    from numeric.critical_points import critical_points
    from numeric.dynamics.stochastic import stochastic_descent

    L, eta, wstar, X, Y, W0 = ssam_runs.ssam_setting(ctx)
    radius = 1.2 * max(float(projection_radius_function(L)(np.linalg.norm(wstar), eta)),
                       max(float(np.linalg.norm(c.weights)) for c in critical_points(L, eta, wstar)))
    steps = 20_000
    tail = list(range(steps // 2, steps + 1, 10))
    run = stochastic_descent(W0, X, Y, eta, steps, 0.05, schedule="harmonic", decay_start=200, seeds=seeds,
                             seed=ctx.seed_for("calibration/theorem-4.4/ssam"), radius=radius, record_steps=tail)
    averages = run.weights.mean(axis=0)
    c, _ = ssam_runs.nearest_critical_weights(averages, eta, wstar)
    orientation = np.where(c != 0, np.sign(c), 1.0)
    h = ssam_runs.ETA_DIFFERENCE_STEP * eta
    g = (np.abs(ssam_runs.nearest_critical_weights(c, eta + h, wstar)[0])
         - np.abs(ssam_runs.nearest_critical_weights(c, eta - h, wstar)[0])) / (2 * h)
    delta = (averages - c) * orientation
    return delta.reshape(seeds, -1), np.sum(g * delta, axis=(1, 2)) / np.sum(g * g, axis=(1, 2))


def _drift_pool(ctx, seeds):
    from checks.section4 import ssam_runs
    from numeric.dynamics.batched_model import batch_grad
    from numeric.dynamics.stochastic import stochastic_descent

    L, eta, wstar, X, Y, W0 = ssam_runs.ssam_setting(ctx)
    steps, alpha = 1500, 0.002
    weights = stochastic_descent(W0, X, Y, eta, steps, alpha, seeds=seeds, seed=ctx.seed_for("calibration/drift"),
                                 record_quantities=False).weights
    previous = weights[:-1]
    residual = weights[1:] - previous + alpha * batch_grad(previous, wstar, eta)
    h = ssam_runs.ETA_DIFFERENCE_STEP * eta
    v = alpha * (batch_grad(previous, wstar, eta + h) - batch_grad(previous, wstar, eta - h)) / (2 * h)
    inverse_variance = 1 / residual.reshape(-1, *residual.shape[2:]).var(axis=0)
    contrast = np.sum(residual * v * inverse_variance, axis=(0, 2, 3)) / np.sum(v * v * inverse_variance,
                                                                                axis=(0, 2, 3))
    return (residual.sum(axis=0) / steps).reshape(seeds, -1), contrast


def theorem_4_4_rows(size):
    """The four Student-t tests of theorem-4.4 that the pools reach (the binomial one is exact)."""
    from checks.section4 import ssam_runs

    ctx = RunContext(seed=0)
    rows = []
    drift_vector, drift_contrast = _drift_pool(ctx, DRIFT_POOL if size == "full" else 1000)
    rows.append(_t_test_rows("Student t over seeds: drift residual (vector)", "per-seed mean residual, 4 entries",
                             drift_vector, 300, ssam_runs.ALPHA_SHARE, 61))
    rows.append(_t_test_rows("Student t over seeds: drift contrast (noise level)", "per-seed contrast",
                             drift_contrast, 300, ssam_runs.ALPHA_SHARE, 62))
    if size == "full":
        delta, shifts = _projected_pool(ctx, PROJECTED_POOL)
        rows.append(_t_test_rows("Student t over seeds: tail averages (vector)", "oriented tail average - critical "
                                 "point, 4 entries", delta, 128, ssam_runs.ALPHA_SHARE, 63))
        rows.append(_t_test_rows("Student t over seeds: effective noise level", "per-seed noise-level shift", shifts,
                                 128, ssam_runs.ALPHA_SHARE, 64))
    return rows
