"""Calibration rows of the claims beyond the paper and the figures: dense-regularizer, nonwhitened-landscape,
ssam-stationary and figure-3, each on its own instance and sampler (or a pool of its real runs)."""
from __future__ import annotations

import numpy as np

from checks import stats

from .core import LEVEL, calibrate_z_test, matched_size, row, scaled, shape_note


def dense_regularizer_rows(size):
    """Median of means (Cantelli groups, exact variance) of the dense noisy loss: null and power at 1e-2."""
    from checks.beyond import dense_regularizer
    from checks.beyond.dense_instances import monte_carlo_instance
    from numeric import dense_marginalized as dm

    dims, layers, wstar, eta = monte_carlo_instance()
    first, second = dm.dense_loss_exact_moments(layers, wstar, eta)
    sigma, truth = float(np.sqrt(second - first * first)), float(dm.dense_marginalized_loss(layers, wstar, eta))
    design = stats.median_of_means_design(LEVEL)
    group_size, reps = 100, scaled(2000)
    rejections = power = 0
    for rep in range(reps):
        means = dm.dense_noisy_loss_group_means(layers, wstar, eta, design.blocks, group_size, seed=5000 + rep)
        ok, detail = stats.assert_mean_by_median_of_means(means, truth, sigma, group_size, design)
        rejections += not ok
        power += not stats.assert_mean_by_median_of_means(means, truth + detail["detectable_discrepancy"], sigma,
                                                          group_size, design)[0]
    return [row("median of means (Cantelli, exact sigma)", "dense-regularizer", f"||W* - prod(W_l + G_l)||^2, dims "
                f"{list(dims)}", 12_000 * 39, dense_regularizer.ALPHA_MONTE_CARLO, design.blocks * group_size, reps,
                rejections, True, power, reps, "distribution-free: exact at every n (calibrated at small n)")]


def nonwhitened_rows(size):
    """The z-test (normal quantiles) of the mean noisy gradient on correlated data, the claim's sampler."""
    from checks.beyond import nonwhitened_landscape as nw
    from numeric.data import whitened_data
    from numeric.noisy import noisy_gradients_from

    Sigma = np.array(nw.CORRELATED, dtype=float)
    Z, _ = whitened_data(8, nw.MC_TARGET, seed=5)
    X = Z @ np.linalg.cholesky(Sigma).T
    Y, eta = X @ nw.MC_TARGET, float(nw.ETA)

    def draw(rng, m):
        index = rng.integers(0, X.shape[0], size=m)
        perturbed = nw.MC_WEIGHTS[None] + eta * rng.standard_normal((m,) + nw.MC_WEIGHTS.shape)
        return noisy_gradients_from(perturbed, X[index], Y[index]).reshape(m, -1)

    note = shape_note(draw(np.random.default_rng(7), 20_000)) + "; the claim's sampler"
    return [calibrate_z_test("z-test (normal quantiles): noisy gradient, correlated data", "nonwhitened-landscape",
                             "noisy gradient, L = 2, d = 2 (4 entries)", draw, nw.expected_gradient(), 400_000,
                             nw.ALPHA_MONTE_CARLO, 2000, 51, shaped=False, note=note)]


def ssam_stationary_rows(size):
    """The drift z-test on fresh draws; the spread test (Edgeworth-corrected tolerance test) on a pool of runs."""
    from checks.beyond import ssam_stationary as ss
    from numeric import stationary
    from numeric.noisy import noisy_gradients

    W, X, Y, eta = ss.instance()

    def drift_draw(rng, m):
        after = ss.DRIFT_POINT[None] - ss.DRIFT_STEP * noisy_gradients(ss.DRIFT_POINT, X, Y, eta, m,
                                                                        seed=int(rng.integers(2**62)))
        return (after[:, 1, 0] ** 2 - after[:, 0, 0] ** 2).reshape(m, 1)

    rows = [calibrate_z_test("z-test (normal quantiles): one-step imbalance drift", "ssam-stationary", "D' after one "
                             "S-SAM step", drift_draw, ss.predicted_drift(), 400_000, ss.DRIFT_ALPHA, 2000, 53,
                             shaped=False, note=shape_note(drift_draw(np.random.default_rng(8), 20_000)))]
    if size != "full":
        return rows
    moments = stationary.noise_moments(W, X, Y, eta)
    burn_in = stationary.burn_in_steps(moments, ss.TEST_STEP, ss.BURN_IN_TRANSIENT)
    pool = stationary.stationary_deviations(W, X, Y, eta, ss.TEST_STEP, 200_000, burn_in, seed=77)
    S = pool.T @ pool / pool.shape[0]  # the bootstrap world's true second moment: the null holds exactly
    n_cal, reps = matched_size(30_000, ss.SPREAD_ALPHA, 3), scaled(2000)
    index = np.random.default_rng(55).integers(0, pool.shape[0], size=(reps, n_cal))
    rejections = power = 0
    for r in range(reps):
        ok, detail = ss.spread_test(pool[index[r]], S, tolerance=0.0, alpha=LEVEL)
        rejections += not ok
        power += not ss.spread_test(pool[index[r]], S / (1 + detail["detectable_relative_error"]), tolerance=0.0,
                                    alpha=LEVEL)[0]
    products = stationary.whitened_second_moments(pool[:20_000], S)[2]
    rows.append(row("tolerance test, one-term Edgeworth critical value (2x skewness)", "ssam-stationary",
                    "E[z z^T] of whitened stationary deviations (3 entries), tolerance 0", 30_000, ss.SPREAD_ALPHA,
                    n_cal, reps, rejections, False, power, reps,
                    f"bootstrap from a pool of 2e5 real runs; {shape_note(products)}"))
    return rows


def figure_3_rows(size):
    """The exact one-sided median test on a pool of S-SAM end points (the band's edge at the pool median)."""
    from checks.figures import figure_3
    from numeric.paper_figures import FIGURE3_PANELS, figure3_runs

    panel = next(p for p in FIGURE3_PANELS if p.schedule != "constant")
    seeds = 8000 if size == "full" else 2000
    end = figure3_runs(panel, seed=91, seeds=seeds, record_every=panel.steps).ssam.weights[-1, :, :, 0]
    pool = np.where(np.all(np.isfinite(end), axis=1), end[:, 0] * end[:, 1], -np.inf)
    edge = float(np.median(pool))  # P(X >= edge) = 1/2 in the bootstrap world (continuous draws)
    n, reps = 2000, scaled(2000)
    index = np.random.default_rng(57).integers(0, pool.size, size=(reps, n))
    _, design = stats.assert_proportion_at_least(n // 2, n, 0.5, LEVEL)
    alternative = float(np.quantile(pool, design["detectable_proportion"]))  # P(X >= alternative) = 1 - detectable
    rejections = power = 0
    for r in range(reps):
        x = pool[index[r]]
        rejections += not stats.assert_proportion_at_least(int(np.sum(x >= edge)), n, 0.5, LEVEL)[0]
        power += not stats.assert_proportion_at_least(int(np.sum(x < alternative)), n, 0.5, LEVEL)[0]
    return [row("exact binomial median test (one side)", "figure-3", "w1 w2 at the end of S-SAM (harmonic panel)", 2000,
                figure_3.MEDIAN_ALPHA, n, reps, rejections, True, power, reps,
                f"bootstrap from {seeds} real runs; the power row: P = detectable proportion")]
