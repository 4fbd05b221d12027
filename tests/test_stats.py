"""checks.stats: the Monte Carlo design is sound (TFP-style calibration).

Under the null the z-test rejects at the declared rate; a discrepancy of the
reported detectable size is caught with at least the declared power.  The
calibration runs at testable levels (alpha = 0.05), with exact normal draws.
"""
import numpy as np
import pytest
from scipy.stats import binom

from checks import stats
from numeric.montecarlo import Moments


def _moments(x):
    return Moments(n=x.shape[-1], mean=x.mean(-1), var=x.var(-1, ddof=1), seed=0, chunk=x.shape[-1])


def test_false_failure_rate_matches_alpha_under_the_null():
    rng = np.random.default_rng(0)
    reps, n, alpha = 4000, 400, 0.05
    x = rng.exponential(size=(reps, n))  # skewed, mean 1
    rejections = sum(not stats.assert_means_equal(_moments(x[i:i + 1]), 1.0, alpha=alpha)[0] for i in range(reps))
    # two-sided binomial acceptance region at 1e-6 around alpha (CLT slack allowed: 0.03..0.07)
    lo, hi = binom.ppf(1e-6, reps, 0.03), binom.isf(1e-6, reps, 0.07)
    assert lo <= rejections <= hi


def test_detectable_discrepancy_is_detected_with_the_declared_power():
    rng = np.random.default_rng(1)
    reps, n, alpha, power = 2000, 2000, 1e-3, 0.99
    x = rng.normal(size=(reps, n))
    se = 1 / np.sqrt(n)
    delta = float(stats.detectable_discrepancy(se, alpha, 1, power))
    caught = sum(not stats.assert_means_equal(_moments(x[i:i + 1] + delta), 0.0, alpha=alpha)[0]
                 for i in range(reps))
    assert caught >= binom.ppf(1e-6, reps, power - 0.01)


def test_bonferroni_and_sample_size_formulas():
    assert stats.z_critical(1e-6, 10) > stats.z_critical(1e-6, 1)
    n = stats.samples_needed(sigma=2.0, delta=0.1, alpha=1e-6, power=0.99)
    se = 2.0 / np.sqrt(n)
    assert stats.detectable_discrepancy(se, 1e-6, 1, 0.99) <= 0.1 + 1e-12
    with pytest.raises(ValueError, match="alpha"):
        stats.z_critical(0.0)


def test_tolerance_test_false_failure_rate_at_the_boundary():
    """True distance exactly tol (the worst case of the claim): failures at most alpha."""
    rng = np.random.default_rng(2)
    reps, alpha, tol = 4000, 0.05, 1.0
    ref = np.zeros((2, 3))
    truth = ref.copy()
    truth[:, 0] = tol  # distance exactly tol at both records
    se = 0.1 * np.ones((2, 3))
    fails = sum(not stats.assert_within_tolerance(truth + se * rng.standard_normal((2, 3)), se, ref, tol,
                                                  alpha=alpha)[0] for _ in range(reps))
    assert fails <= binom.isf(1e-6, reps, alpha)


def test_tolerance_test_detects_the_reported_distance():
    rng = np.random.default_rng(3)
    se = 0.01 * np.ones((1, 4))
    ref = np.zeros((1, 4))
    _, d = stats.assert_within_tolerance(ref, se, ref, 0.2)
    far = ref.copy()
    far[0, 0] = d["detectable_distance"]
    caught = sum(not stats.assert_within_tolerance(far + se * rng.standard_normal((1, 4)), se, ref, 0.2)[0]
                 for _ in range(500))
    assert caught >= binom.ppf(1e-6, 500, 0.99)


def test_proportion_test_false_failure_and_power():
    rng = np.random.default_rng(4)
    n, p0, alpha = 50, 0.9, 0.01
    decisions = {k: stats.assert_proportion_at_least(k, n, p0, alpha)[0] for k in range(n + 1)}  # the real test
    fails = sum(not decisions[int(k)] for k in rng.binomial(n, p0, size=3000))
    assert fails <= binom.isf(1e-6, 3000, alpha)
    _, d = stats.assert_proportion_at_least(n, n, p0, alpha)
    caught = sum(not decisions[int(k)] for k in rng.binomial(n, d["detectable_proportion"], size=1000))
    assert caught >= binom.ppf(1e-6, 1000, 0.99)


def test_upper_bound_design_is_consistent():
    from numeric.montecarlo import clopper_pearson

    d = stats.upper_bound_design(4000, 0.05)
    k = d["largest_passing_count"]
    assert clopper_pearson(k, 4000, 1e-6)[1] <= 0.05 < clopper_pearson(k + 1, 4000, 1e-6)[1]
    assert binom.sf(k, 4000, d["rate_with_false_failure_below"]) <= 1e-6
    assert binom.sf(k, 4000, d["rate_with_false_failure_below"] + 0.002) > 1e-6


# ---------------------------------------------------------------- Edgeworth critical values (heavy tails)
def test_edgeworth_tail_matches_simulation_of_students_t():
    """Exponential draws (skewness 2, excess kurtosis 6), n = 100: the expansion tracks the simulated tails (within
    25 % where its corrections are at most half the normal tail, the region the tests use)."""
    from checks.stats import edgeworth_tail

    rng = np.random.default_rng(5)
    reps, n = 100_000, 100
    x = rng.exponential(size=(reps, n))
    t = (x.mean(axis=1) - 1) / (x.std(axis=1, ddof=1) / np.sqrt(n))
    for c in (2.0, 2.5):
        for side, simulated in (("two-sided", np.mean(np.abs(t) > c)), ("lower", np.mean(t < -c)),
                                ("upper", np.mean(t > c))):
            tail = edgeworth_tail(c, n, 2.0, 6.0, side)
            if max(tail["relative_correction_1"], tail["relative_correction_2"]) > 0.5:
                # outside the region the tests use: still within 60 % here (upper tail: conservative)
                assert abs(tail["edgeworth"] - simulated) < 0.6 * simulated, (c, side, tail, simulated)
                continue
            assert abs(tail["edgeworth"] - simulated) < 0.25 * simulated + 5e-4, (c, side, tail, simulated)
            if side != "upper":
                assert abs(tail["normal"] - simulated) > 0.2 * simulated  # the normal tail is off here


def test_studentized_critical_value_is_conservative_and_refuses_heavy_tails():
    from checks.stats import studentized_critical_value

    light = studentized_critical_value(1e-7, 100_000, 0.0, 0.0)
    # Gaussian draws: only the studentization correction ((x^2 + 3)/4, the t distribution) remains
    assert stats.z_critical(1e-7) < light["critical_value"] < 1.001 * stats.z_critical(1e-7)
    skewed = studentized_critical_value(1e-7, 100_000, 3.0, 20.0)
    assert skewed["critical_value"] > light["critical_value"]
    assert skewed["tail"]["edgeworth"] == pytest.approx(1e-7, rel=1e-6)
    with pytest.raises(ValueError, match="heavy-tailed"):
        studentized_critical_value(1e-7, 20_000, 10.0, 200.0)
    with pytest.raises(ValueError, match="alpha"):
        studentized_critical_value(0.0, 100, 0.0, 0.0)


def test_shaped_moments_select_edgeworth_critical_values():
    from checks.stats import sample_shaped_moments, shape_of

    def sampler(rng, k, scratch):
        g = rng.standard_normal(k)
        return np.stack([g, g * g], axis=1)

    mo = sample_shaped_moments(sampler, 50_000, seed=3, centre=[0.0, 1.0])
    draws = sampler(np.random.default_rng(0), 200_000, {})
    skew, kurt = shape_of(draws)
    assert mo.skewness[1] == pytest.approx(skew[1], rel=0.15) and mo.kurtosis[1] == pytest.approx(kurt[1], rel=0.3)
    ok, detail = stats.assert_means_equal(mo, [0.0, 1.0], 1e-6)
    assert ok and detail["z_critical_by_entry"][1] > detail["z_critical_by_entry"][0] >= detail["shape"][
        "normal_critical_value"]
    plain = Moments(n=mo.n, mean=mo.mean, var=mo.var, seed=3, chunk=mo.chunk)
    assert "shape" not in stats.assert_means_equal(plain, [0.0, 1.0], 1e-6)[1]


def test_miss_and_rejection_probabilities():
    from scipy.stats import norm

    c = 5.0
    assert stats.miss_probability(8.0, 1.0, c) == pytest.approx(norm.sf(3.0))
    assert stats.miss_probability(-8.0, 1.0, c) == pytest.approx(norm.sf(3.0))
    assert stats.miss_probability(3.0, 1.0, c) == 1.0
    assert stats.rejection_probability(0.0, 1.0, c) == pytest.approx(2 * norm.sf(c))
    assert stats.rejection_probability(1.0, 1.0, c) == pytest.approx(norm.sf(6.0) + norm.sf(4.0))
    # right-skewed draws: a candidate below the truth is missed more often (the heavy lower tail of T)
    below = stats.miss_probability(-8.0, 1.0, c, n=10_000, skewness=2.0, kurtosis=6.0)
    above = stats.miss_probability(8.0, 1.0, c, n=10_000, skewness=2.0, kurtosis=6.0)
    assert below > norm.sf(3.0) and below > above


# ---------------------------------------------------------------- exact tests
@pytest.mark.parametrize("n", [50, 300, 1000, 4000])
def test_rate_test_has_exact_level_for_every_rate_up_to_p_max(n):
    alpha, p_max = 1e-3, 0.05
    k = stats.rate_rejection_count(n, p_max, alpha)
    for rate in (0.0, 0.01, 0.04, p_max):
        assert binom.sf(k - 1, n, rate) <= alpha * (1 + 1e-9)
    passed_below, _ = stats.assert_rate_at_most(k - 1, n, p_max, alpha)
    passed_at, detail = stats.assert_rate_at_most(k, n, p_max, alpha)
    assert passed_below and not passed_at
    assert binom.sf(k - 1, n, detail["detectable_rate"]) >= 0.99 - 1e-9
    assert stats.rate_miss_probability(n, detail["detectable_rate"], p_max, alpha) <= 0.01 + 1e-9


def test_rate_test_passes_one_violation_of_300_the_former_design_did_not():
    ok, detail = stats.assert_rate_at_most(1, 300, 0.05, 1e-6)
    assert ok and detail["upper_bound"] > 0.05  # the upper-bound design fails here
    assert stats.upper_bound_design(300, 0.05, 1e-6)["largest_passing_count"] == 0
    # at the claim's share (4e-8) the former design could not pass at all with 300 draws
    assert stats.upper_bound_design(300, 0.05, 4e-8)["largest_passing_count"] == -1
    assert stats.assert_rate_at_most(0, 300, 0.05, 4e-8)[0]


def test_empirical_bernstein_has_its_level_and_detects_its_discrepancy():
    rng = np.random.default_rng(8)
    reps, n, alpha = 3000, 400, 0.05
    x = rng.beta(0.5, 3.0, size=(reps, n))  # skewed, in [0, 1], mean 1/7
    fails = 0
    for r in range(reps):
        mo = Moments(n=n, mean=x[r].mean(), var=x[r].var(ddof=1), seed=0, chunk=n)
        fails += not stats.assert_bounded_means_equal(mo, 1 / 7, 0.0, 1.0, alpha)[0]
    assert fails <= binom.isf(1e-6, reps, alpha)
    mo = Moments(n=n, mean=x[0].mean(), var=x[0].var(ddof=1), seed=0, chunk=n)
    _, detail = stats.assert_bounded_means_equal(mo, 1 / 7, 0.0, 1.0, alpha)
    assert detail["halfwidth_over_standard_error_max"] > stats.z_critical(alpha)
    with pytest.raises(ValueError, match="range"):
        stats.assert_bounded_means_equal(mo, 1 / 7, 0.5, 1.0, alpha)


def test_bounded_miss_and_halfwidth_exceedance_bounds():
    assert stats.bounded_miss_probability(0.1, 1000, 1.0, 0.2) == 1.0
    assert stats.bounded_miss_probability(0.5, 1000, 1.0, 0.1) == pytest.approx(2 * np.exp(-2 * 1000 * 0.16))
    # a wide range: Hoeffding is weak, the empirical-Bernstein inversion with the variance is not
    assert stats.bounded_miss_probability(0.5, 100_000, 50.0, 0.1, variance=0.01) < 1e-20 < stats.bounded_miss_probability(
        0.5, 100_000, 50.0, 0.1)
    # the half-width at 1e-6 of 20000 draws of sd 0.3 in [0, 5] is about 0.03: exceeding 0.3 is very unlikely
    p = stats.halfwidth_exceedance_probability(0.3, 20_000, 0.09, 5.0, 1e-6)
    assert p < 1e-9
    assert stats.halfwidth_exceedance_probability(0.01, 20_000, 0.09, 5.0, 1e-6) == 1.0
