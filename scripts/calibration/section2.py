"""Calibration rows of Section 2: the Edgeworth formula, lemma-2.1, lemma-2.2 and lemma-2.3.

lemma-2.1 and lemma-2.2 run plain z-tests (normal quantiles) at the nominal level 1e-7 (split over
their tests) and *declare* ``1e-7 * inflation``, the inflation estimated from a 20 000-draw pilot by
the two-term Edgeworth expansion (:mod:`checks.section2.monte_carlo_design`).  Their rows run the real
test on the claims' own instances and samplers at the matched size and compare the rejection rate
with ``1e-2 * inflation`` (the inflation at the calibration's size and critical value, which the
matching makes the real one).
"""
from __future__ import annotations

import math

import numpy as np

from checks import stats
from checks.framework import RunContext

from .core import LEVEL, calibrate_z_test, row, scaled

PILOT_SEED = 31


def edgeworth_formula_rows(size):
    """The two-term expansion itself against simulation: Student's t of exponential draws (skewness 2)."""
    rng, reps, n = np.random.default_rng(23), scaled(20_000 if size == "small" else 200_000), 400
    x = rng.exponential(size=(reps, n))
    t = (x.mean(axis=1) - 1) / (x.std(axis=1, ddof=1) / math.sqrt(n))
    c = stats.studentized_critical_value(LEVEL, n, 2.0, 6.0)["critical_value"]
    rejections = int(np.sum(np.abs(t) > c))
    return [row("Edgeworth critical value, exponential draws", "(formula)", "Student t, n = 400", n, LEVEL, n, reps,
                rejections, False, note=f"normal quantile rejects {np.mean(np.abs(t) > 2.576):.4f}")]


def _declared_inflation(draw, seed):
    """``(n, z) -> inflation``: Section 2's declared Edgeworth inflation from a pilot of the real draws."""
    from checks.section2.monte_carlo_design import PILOT_DRAWS, edgeworth_inflation, pilot_tails

    tails = pilot_tails(draw(np.random.default_rng(seed), PILOT_DRAWS))
    return lambda n, z: edgeworth_inflation(tails["skewness_max"], tails["excess_kurtosis_max"], n, z)


def _noisy_draws(function, *arguments):
    def draw(rng, m):
        return np.asarray(function(*arguments, m, seed=int(rng.integers(2**62)))).reshape(m, -1)
    return draw


def lemma_2_1_rows(size):
    """The two z-tests of lemma-2.1 (mean gradient at eta = 0 and 0.4) on the claim's instance, default size."""
    from checks.section2 import lemma_2_1
    from checks.section2.instances import LEMMA_2_1_WEIGHTS, MONTE_CARLO_TARGET, bounded_whitened_data
    from checks.section2.monte_carlo_design import NOMINAL_ALPHA
    from numeric.noisy import noisy_gradients

    X, Y = bounded_whitened_data(MONTE_CARLO_TARGET)
    rows = []
    for eta in lemma_2_1.MONTE_CARLO_ETAS if size == "full" else lemma_2_1.MONTE_CARLO_ETAS[1:]:
        draw = _noisy_draws(noisy_gradients, LEMMA_2_1_WEIGHTS, X, Y, eta)
        rows.append(calibrate_z_test(
            f"z-test (normal), declared 1e-7 x inflation: mean gradient at eta = {eta}", "lemma-2.1",
            "noisy gradient, L = 4, d = 3 (12 entries)", draw, lemma_2_1.expected_mean_gradient(eta, X, Y), 800_000,
            NOMINAL_ALPHA / len(lemma_2_1.MONTE_CARLO_ETAS), 2000, 41, shaped=False,
            declared_factor=_declared_inflation(draw, PILOT_SEED), note="the claim's instance and sampler"))
    return rows


def lemma_2_2_rows(size):
    """The three z-tests of lemma-2.2 (S_avg, one-sample loss, gradient) on the claim's instance, default size."""
    from checks.section2 import lemma_2_2
    from checks.section2.instances import LEMMA_2_2_WEIGHTS, MONTE_CARLO_TARGET, bounded_whitened_data
    from checks.section2.monte_carlo_design import NOMINAL_ALPHA
    from numeric import model
    from numeric.noisy import noisy_gradients, noisy_losses, noisy_sample_losses

    W, wstar, eta = LEMMA_2_2_WEIGHTS, MONTE_CARLO_TARGET, lemma_2_2.MONTE_CARLO_ETA
    X, Y = bounded_whitened_data(wstar)
    loss = float(model.loss(W, wstar))
    tests = [("S_avg = E L(W+G) - L(W) (eq 9)", "L(W+G) - L(W)",
              lambda rng, m: noisy_losses(W, wstar, eta, m, seed=int(rng.integers(2**62))).reshape(m, 1) - loss,
              model.average_sharpness(W, wstar, eta)),
             ("E grad L~ = grad L_R", "noisy gradient (9 entries)", _noisy_draws(noisy_gradients, W, X, Y, eta),
              model.grad_marginalized_loss(W, wstar, eta)),
             ("E (Y_i - <pi~, X_i>)^2 = L_R", "one-sample noisy loss", _noisy_draws(noisy_sample_losses, W, X, Y, eta),
              model.loss(W, wstar) + model.regularizer(W, eta))]
    return [calibrate_z_test(f"z-test (normal), declared 1e-7 x inflation: {name}", "lemma-2.2",
                             f"{statistic}, L = 3, eta = {eta}", draw, truth, 800_000, NOMINAL_ALPHA / 3, 2000, 43 + i,
                             shaped=False, declared_factor=_declared_inflation(draw, PILOT_SEED + i),
                             note="the claim's instance and sampler")
            for i, (name, statistic, draw, truth) in enumerate(tests if size == "full" else tests[:1])]


def lemma_2_3_rows(size):
    """lemma-2.3's conditional-moment z-tests, Edgeworth and normal critical values, and the former statistic."""
    from checks.section2 import lemma_2_3, pacbayes_moment_cases as cases

    rows = []
    names = ["diagonal-near-zero"] if size == "small" else list(cases.MC_CASES)
    for case in names:
        sampler = cases.case_sampler(case)
        truth = cases.closed_form_moments(case)
        shape = cases.exact_draw_shape(case)  # the check's Edgeworth critical values use the law's exact shape
        level = lemma_2_3.ALPHA_PER_SAMPLING_CHECK / 2
        real = [stats.studentized_critical_value(level, 100_000, g, k)["tail"]
                for g, k in zip(shape["skewness"], shape["excess_kurtosis"])]
        correction = max(max(t["relative_correction_1"], t["relative_correction_2"]) for t in real)
        note = (f"exact shape: skewness {max(shape['skewness']):.2f}, excess kurtosis "
                f"{max(shape['excess_kurtosis']):.1f}; at the real size the Edgeworth correction is "
                f"{correction:.3f} of the normal tail")
        for shaped in (True, False):
            rows.append(calibrate_z_test(
                f"z-test {'(Edgeworth, exact shape)' if shaped else '(normal quantiles)'}: {case}", "lemma-2.3",
                "E[l|G,s], E[l^2|G,s]", lambda rng, m, s=sampler: s(rng, m, {}), truth, 100_000,
                lemma_2_3.ALPHA_PER_SAMPLING_CHECK, 2000 if size == "small" else 4000, 11, shaped,
                note if shaped else "",
                exact_shape=(shape["skewness"], shape["excess_kurtosis"]) if shaped else None))
    if size == "full":  # the former statistic: sampling the data, l^2 = r^4 (Student t_20 inputs, 2e5 draws)
        from numeric.pacbayes.posterior import posterior_loss_moments
        from numeric.pacbayes.sampling import diagonal_end_to_end

        W, sigma, tau = np.array([[0.0] * 3] * 2), 0.05, 0.1
        wstar, cov = np.array(cases.COMMON_WSTAR), np.array(cases.COMMON_INPUT_COVARIANCE)
        chol = np.linalg.cholesky(cov)

        def former(rng, m):
            P = diagonal_end_to_end(W, sigma)(rng, m)
            X = (rng.standard_normal((m, 3)) @ chol.T) * np.sqrt(18.0 / rng.chisquare(20.0, size=(m, 1)))
            r = X @ wstar + tau * rng.standard_normal(m) - np.sum(P * X, axis=1)
            return np.stack([r * r, r**4], axis=1)

        truth = posterior_loss_moments(W, wstar, sigma, cov, tau, "student-t", 20.0)
        rows.append(calibrate_z_test("z-test (normal quantiles), data sampled: near-zero, t_20", "lemma-2.3 (former)",
                                     "l, l^2 = r^4", former, truth, 200_000, 5e-7, 4000, 12, False,
                                     "the design replaced on main"))
    return rows


def coverage_rows(size):
    """Exact binomial rate test: Bernoulli(delta) and the real coverage draws with the bound lowered to rate delta."""
    from checks.section2 import lemma_2_3, pacbayes_scenarios as scenarios
    from checks.stats import assert_rate_at_most

    rows, rng = [], np.random.default_rng(17)
    for n in (300, 1000):
        reps = scaled(20_000)
        decision = {}  # the decision of the real test for each count (one call per distinct count)

        def rejects(count):
            if count not in decision:
                decision[count] = not assert_rate_at_most(int(count), n, 0.05, LEVEL)[0]
            return decision[count]

        rejections = sum(rejects(e) for e in rng.binomial(n, 0.05, size=reps))
        _, design = assert_rate_at_most(0, n, 0.05, LEVEL)
        power = sum(rejects(h) for h in rng.binomial(n, design["detectable_rate"], size=reps))
        rows.append(row(f"exact rate test, Bernoulli(delta) (n = {n})", "lemma-2.3", "violations of n", n,
                        lemma_2_3.ALPHA_PER_COVERAGE_TEST, n, reps, rejections, True, power, reps,
                        f"power at the detectable rate {design['detectable_rate']:.3f}"))
    if size == "full":
        ctx = RunContext(seed=0, quick=True)
        slack = scenarios.pilot_slack("fixed-gaussian", ctx)
        settings = scenarios._simulation_arguments(scenarios.SCENARIOS["fixed-gaussian"][0])
        from numeric.pacbayes.coverage import coverage_summary, simulate_bound

        shift = float(np.quantile(slack, 0.05))
        reps, n = 2000, 1000
        rejections = power = 0
        _, design = assert_rate_at_most(0, n, 0.05, LEVEL)
        boundary = float(np.quantile(slack, min(0.5, 1.75 * design["detectable_rate"])))
        for rep in range(reps):
            sim = simulate_bound(draws=n, seed=10_000 + rep, **settings)
            s = coverage_summary(sim, shift=shift)
            rejections += not assert_rate_at_most(s["violations"], n, 0.05, LEVEL)[0]
            power += not assert_rate_at_most(coverage_summary(sim, shift=boundary)["violations"], n, 0.05, LEVEL)[0]
        rows.append(row("exact rate test, coverage draws at rate ~delta", "lemma-2.3",
                        "violations of the lowered bound (fixed-gaussian)", n, lemma_2_3.ALPHA_PER_COVERAGE_TEST, n,
                        reps, rejections, True, power, reps, "rate delta from a 10000-draw pilot (+-0.006)"))
    return rows
