"""Calibration rows of the Mulayoff & Michaeli claims: empirical Bernstein (sgd-stability) and median of means.

Both tests are exact at every level and sample size (a proved range; a proved variance), so they are
calibrated on their real draws at smaller sizes: the rate at 1e-2 may only be at most 1e-2.
"""
from __future__ import annotations

import numpy as np

from checks import stats
from checks.framework import RunContext
from numeric.montecarlo import Moments

from .core import LEVEL, row, scaled


def bounded_rows(size):
    """Empirical-Bernstein tests of sgd-stability on their real draws (exact at every n: calibrated at small n)."""
    from checks.related import sgd_stability, stability_threshold_checks as st
    from numeric.stability import closed_form, moment_recursion, sgd_simulation

    ctx = RunContext(seed=0, quick=True)
    rows = []
    prob, S, _ = st.one_step_problem(ctx)
    B, upper = 2, np.triu_indices(prob.d)
    step = 0.9 * closed_form.threshold(prob, B).threshold
    truth = moment_recursion.second_moment_step(prob, B, step, S)[upper]
    low, high = st._outcome_range(prob, B, step, S, "sgd")
    targets = [("empirical Bernstein: one SGD step", "one step, B = 2 (6 entries)",
                lambda r, m: sgd_simulation.one_step_draws(prob, B, step, S, r, m)[:, upper[0], upper[1]],
                truth, low, high, 100_000, sgd_stability.ALPHA_ONE_STEP / 4, 2000)]
    if size == "full":
        setting = st.regular_minimum_setting(ctx)
        _, S_reg = moment_recursion.regular_moment_trajectory(setting["prob"], setting["grads"], 2, setting["step"],
                                                              setting["steps"], theta0=setting["theta0"])
        sampler = st.regular_minimum_sampler(setting)
        targets.append(("empirical Bernstein: regular minimum", "theta theta^T after 5 steps (10 entries)",
                        lambda r, m: sampler(r, m), S_reg[setting["entries"]], setting["lower"], setting["upper"],
                        60_000, sgd_stability.ALPHA_REGULAR, 2000))
    for name, statistic, draw, truth, low, high, n_real, level_real, n_cal in targets:
        reps, rng = scaled(2000), np.random.default_rng(19)
        rejections = power = 0
        for _ in range(0, reps, 50):
            x = np.asarray(draw(rng, 50 * n_cal), dtype=float).reshape(50, n_cal, -1)
            for r in range(50):
                mo = Moments(n=n_cal, mean=x[r].mean(axis=0), var=x[r].var(axis=0, ddof=1), seed=0, chunk=n_cal)
                ok, detail = stats.assert_bounded_means_equal(mo, truth, low, high, LEVEL)
                rejections += not ok
                shifted = np.array(truth, dtype=float)
                shifted[0] += detail["detectable_discrepancy"]
                power += not stats.assert_bounded_means_equal(mo, shifted, low, high, LEVEL)[0]
        rows.append(row(name, "sgd-stability", statistic, n_real, level_real, n_cal, reps, rejections, True,
                        power, reps, "exact at every n (calibrated at small n)"))
    return rows


def _linearized_sgd_targets(size):
    """``[(claim, statistic, draw(seed, runs) -> (runs, entries), truth, sd, n_real, level_real)]`` on each claim's
    instance: the simulated statistics and their exact means and standard deviations (exact moments)."""
    from checks.mulayoff_michaeli import mm_corollary_1, mm_theorem_1, mm_theorem_4
    from checks.mulayoff_michaeli.instances import regular_minimum
    from numeric import linearized_sgd as lsgd
    from numeric.stability import closed_form

    ctx = RunContext(seed=0)
    targets = []  # every draw binds its instance (A, start, ...) as defaults: the loop below rebinds the names
    prob, grads, _ = regular_minimum(ctx.seed_for("mm-theorem-1/instance"), gradient_scale=0.1)
    lam, U = np.linalg.eigh(prob.mean_hessian())
    alpha, theta0 = 0.95 * 2 / lam[-1], U @ np.ones(3)
    A = lsgd.augmented_step_matrices(prob, 3, alpha, grads)
    exact = lsgd.exact_moments(A, theta0, 20, orders=(1, 2))
    sd = np.sqrt([lsgd.linear_statistic_moments(exact, U[:, j])[1] for j in range(3)])
    targets.append(("mm-theorem-1", "eigen-coordinates of theta_20 at 0.95 x 2/lambda_max (3 entries)",
                    lambda seed, runs, A=A, theta0=theta0, U=U: lsgd.simulate_batches(A, theta0, 20, runs, seed) @ U,
                    (1 - alpha * lam) ** 20, sd, 10_000, mm_theorem_1.ALPHA_SIMULATION / 4))
    if size == "full":
        for claim, module, steps in (("mm-theorem-4", mm_theorem_4, 20), ("mm-corollary-1", mm_corollary_1, None)):
            prob, grads, theta0 = regular_minimum(ctx.seed_for(f"{claim}/instance"))
            factor = 1.05 if claim == "mm-theorem-4" else 0.5
            alpha = factor * closed_form.threshold(prob, 2).threshold
            A = lsgd.augmented_step_matrices(prob, 2, alpha, grads)
            P = lsgd.range_projector(prob)
            H = prob.mean_hessian()
            forms = (P, np.eye(prob.d) - P) if claim == "mm-theorem-4" else (P, H / 2, H @ H)
            start = theta0 if claim == "mm-theorem-4" else np.zeros(prob.d)
            T = steps or 16  # the corollary's burn-in doubles from 4 until the exact means settle: 16 here
            exact = lsgd.exact_moments(A, start, T, orders=(2, 4))
            moments = [lsgd.quadratic_statistic_moments(exact, Q) for Q in forms]

            def draw(seed, runs, A=A, start=start, T=T, forms=forms):
                theta = lsgd.simulate_batches(A, start, T, runs, seed)
                return np.stack([np.einsum("ri,ij,rj->r", theta, Q, theta) for Q in forms], axis=1)

            targets.append((claim, f"quadratic statistics after {T} steps at {factor} alpha* ({len(forms)} entries)", draw,
                            np.array([m[0] for m in moments]), np.sqrt([m[1] for m in moments]), 20_000,
                            module.ALPHA_SIMULATION / (2 if claim == "mm-theorem-4" else 1)))
    return targets


def median_of_means_rows(size):
    """Median of means with the exact variance (Chebyshev blocks) on linearized SGD: null and power at 1e-2."""
    rows = []
    for claim, statistic, draw, truth, sd, n_real, level_real in _linearized_sgd_targets(size):
        reps, block = scaled(2000), 40
        design = stats.median_of_means_design(LEVEL / truth.size, inequality="chebyshev")
        runs = design.blocks * block
        rejections = power = 0
        for rep in range(reps):
            out = stats.median_of_means_interval(draw(1000 + rep, runs), sd, LEVEL)
            error = np.abs(out["median"] - truth)
            rejections += bool(np.any(error > out["radius"]))
            shifted = truth.copy()
            shifted[0] += out["detectable_discrepancy"][0]  # 2 radii: detected w.p. >= 1 - LEVEL / entries
            power += bool(np.any(np.abs(out["median"] - shifted) > out["radius"]))
        rows.append(row("median of means (Chebyshev, exact sd)", claim, statistic, n_real, level_real, runs, reps,
                        rejections, True, power, reps, f"{design.blocks} blocks of {block}; exact at every n"))
    return rows
