"""Pins of the decision rules of ``checks.stats`` that mutation testing found unguarded (docs/mutation.md).

Each expected value is computed here independently, from scipy's distributions and the
definitions in the module docstrings, never by calling the function under test twice: a
Bonferroni split, a quantile branch, a ``<=`` against ``<`` at the decision boundary, a default
argument or a key of the reported evidence that changes is seen.
"""
import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import beta as beta_dist
from scipy.stats import binom, norm
from scipy.stats import t as student_t

from checks import stats
from checks.stats.edgeworth import MAX_RELATIVE_CORRECTION, edgeworth_tail, studentized_critical_value
from numeric.montecarlo import Moments, clopper_pearson


def _moments(mean, var, n):
    return Moments(n=n, mean=np.asarray(mean, dtype=float), var=np.asarray(var, dtype=float), seed=7, chunk=n)


# ------------------------------------------------------------------ normal.py: design formulas
@pytest.mark.parametrize("alpha,k,power", [(1e-6, 1, 0.99), (1e-6, 7, 0.99), (1e-3, 3, 0.9)])
def test_critical_value_and_detectable_discrepancy_are_the_bonferroni_quantiles(alpha, k, power):
    z = norm.isf(alpha / (2 * k))
    assert stats.z_critical(alpha, k) == pytest.approx(z, rel=1e-14)
    assert stats.detectable_discrepancy(0.3, alpha, k, power) == pytest.approx((z + norm.ppf(power)) * 0.3, rel=1e-13)


def test_design_defaults_are_the_declared_rate_and_power():
    assert stats.DEFAULT_ALPHA == 1e-6 and stats.DEFAULT_POWER == 0.99
    assert stats.z_critical() == pytest.approx(norm.isf(0.5e-6), rel=1e-14)
    assert stats.detectable_discrepancy(1.0) == pytest.approx(norm.isf(0.5e-6) + norm.ppf(0.99), rel=1e-13)
    assert stats.samples_needed(1.0, 0.01) == stats.samples_needed(1.0, 0.01, 1e-6, 1, 0.99)


@pytest.mark.parametrize("sigma,delta,alpha,k,power", [(2.0, 0.1, 1e-6, 1, 0.99), ([0.5, 3.0], 0.07, 1e-6, 5, 0.99),
                                                       (1.0, 0.2, 1e-3, 2, 0.8)])
def test_samples_needed_is_the_smallest_n_that_detects_delta(sigma, delta, alpha, k, power):
    n = stats.samples_needed(sigma, delta, alpha, k, power)
    worst = float(np.max(sigma))
    z = norm.isf(alpha / (2 * k)) + norm.ppf(power)
    assert z * worst / math.sqrt(n) <= delta * (1 + 1e-12) < z * worst / math.sqrt(n - 1)


def test_z_critical_rejects_bad_levels_and_bonferroni_counts():
    for alpha in (0.0, 1.0, -0.1):
        with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\)"):
            stats.z_critical(alpha)
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        stats.z_critical(1e-6, 0)


# ------------------------------------------------------------------ normal.py: the z-test
def test_z_test_decides_at_the_bonferroni_boundary_and_reports_its_evidence():
    alpha, n, k = 1e-4, 400, 3
    crit = norm.isf(alpha / (2 * k))
    var = np.array([4.0, 1.0, 9.0])
    se = np.sqrt(var / n)
    for factor, expected in ((1 - 1e-9, True), (1 + 1e-9, False)):
        mean = np.array([0.0, 0.5, 0.0]) + np.array([0.0, 0.0, factor * crit * se[2]])
        passed, detail = stats.assert_means_equal(_moments(mean, var, n), [0.0, 0.5, 0.0], alpha, power=0.9)
        assert passed is expected
    assert detail["test"] == "two-sided z-test per entry, Bonferroni over entries"
    assert detail["samples"] == n and detail["seed"] == 7 and detail["entries"] == k
    assert detail["false_failure_probability"] == alpha and detail["power"] == 0.9
    assert detail["z_max"] == pytest.approx((1 + 1e-9) * crit, rel=1e-9) and detail["worst_entry"] == 2
    assert detail["z_critical"] == pytest.approx(crit, rel=1e-14)
    assert detail["standard_error_max"] == pytest.approx(se.max()) and detail["standard_error_min"] == pytest.approx(se.min())
    assert detail["detectable_discrepancy"] == pytest.approx((crit + norm.ppf(0.9)) * se.max(), rel=1e-12)
    assert detail["max_abs_error"] == pytest.approx((1 + 1e-9) * crit * se[2], rel=1e-12)
    with pytest.raises(ValueError, match="^a Monte Carlo estimator has zero variance: the test is degenerate$"):
        stats.assert_means_equal(_moments([0.0, 1.0], [1.0, 0.0], n), 0.0)


def test_z_test_with_the_draws_shape_uses_each_entrys_edgeworth_value():
    alpha, n = 1e-6, 20_000
    skewness, kurtosis = np.array([0.0, 3.0]), np.array([0.0, 20.0])
    mo = stats.ShapedMoments(n=n, mean=np.array([0.0, 1.0]), var=np.array([1.0, 1.0]), seed=1, chunk=n,
                             skewness=skewness, kurtosis=kurtosis)
    passed, detail = stats.assert_means_equal(mo, [0.0, 1.0], alpha)
    per_entry = [studentized_critical_value(alpha / 2, n, g, kap)["critical_value"] for g, kap in zip(skewness, kurtosis)]
    assert passed and detail["z_critical_by_entry"] == pytest.approx(per_entry, rel=1e-12)
    assert detail["z_critical_by_entry"][1] > detail["z_critical_by_entry"][0] > norm.isf(alpha / 4)
    assert detail["shape"]["skewness"] == [0.0, 3.0] and detail["shape"]["excess_kurtosis"] == [0.0, 20.0]
    assert detail["shape"]["normal_critical_value"] == pytest.approx(norm.isf(alpha / 4), rel=1e-12)
    tail = edgeworth_tail(per_entry[1], n, 3.0, 20.0)
    assert detail["shape"]["edgeworth_relative_correction"][1] == pytest.approx(
        max(tail["relative_correction_1"], tail["relative_correction_2"]), rel=1e-9)
    assert detail["test"].endswith("; Edgeworth critical values from the draws' skewness and kurtosis")
    single = stats.ShapedMoments(n=n, mean=np.array([1.0]), var=np.array([1.0]), seed=1, chunk=n,
                                 skewness=np.array([2.0]), kurtosis=np.array([9.0]))
    assert stats.assert_means_equal(single, 1.0, alpha)[1]["shape"]["normal_critical_value"] == pytest.approx(
        norm.isf(alpha / 2), rel=1e-12)


# ------------------------------------------------------------------ normal.py: tails, miss and rejection
def _credible(x, n, g, kap, side):
    tail = edgeworth_tail(x, n, g, kap, side)
    return max(tail["relative_correction_1"], tail["relative_correction_2"]) <= MAX_RELATIVE_CORRECTION


def test_studentized_tail_normal_edgeworth_and_beyond_the_credible_range():
    assert stats.studentized_tail(2.5, "upper") == pytest.approx(norm.sf(2.5), rel=1e-14)
    assert stats.studentized_tail(-1.0, "upper") == pytest.approx(0.5)  # clamped to x = 0
    n, g, kap = 2000, 2.0, 9.0
    for side in ("upper", "lower"):
        tail = edgeworth_tail(2.0, n, g, kap, side)
        assert _credible(2.0, n, g, kap, side)
        assert stats.studentized_tail(2.0, side, n, g, kap) == pytest.approx(max(tail["edgeworth"], tail["normal"]))
        # default shape is the normal one: no skewness, no excess kurtosis
        assert stats.studentized_tail(3.0, side, n) == pytest.approx(
            max(edgeworth_tail(3.0, n, 0.0, 0.0, side)["edgeworth"], norm.sf(3.0)), rel=1e-14)
    # far beyond the credible range of a heavy lower tail: the tail at the largest credible point
    n, g, kap = 300, 4.0, 40.0
    assert not _credible(12.0, n, g, kap, "lower")
    edge = brentq(lambda t: max(edgeworth_tail(t, n, g, kap, "lower")["relative_correction_1"],
                                edgeworth_tail(t, n, g, kap, "lower")["relative_correction_2"]) - MAX_RELATIVE_CORRECTION,
                  0.0, 12.0, xtol=1e-13)
    at_edge = edgeworth_tail(edge, n, g, kap, "lower")
    got = stats.studentized_tail(12.0, "lower", n, g, kap)
    assert got == pytest.approx(max(at_edge["edgeworth"], at_edge["normal"]), rel=1e-6)
    assert got > 1e3 * norm.sf(12.0)


def test_miss_and_rejection_probabilities_at_the_boundary_and_with_shape():
    c, n, g, kap = 4.0, 200_000, 1.5, 6.0
    assert all(_credible(x, n, g, kap, side) for x in (2.0, 2.5, 5.5) for side in ("upper", "lower"))
    # |s| == c exactly: the candidate sits on the critical value, rejected with probability 1 by convention
    assert stats.rejection_probability(8.0, 2.0, c) == 1.0
    assert stats.rejection_probability(-8.0, 2.0, c) == 1.0
    s = 1.5  # distance 3 with standard error 2
    upper = max(edgeworth_tail(c + s, n, g, kap, "upper")["edgeworth"], norm.sf(c + s))
    lower = max(edgeworth_tail(c - s, n, g, kap, "lower")["edgeworth"], norm.sf(c - s))
    assert stats.rejection_probability(3.0, 2.0, c, n, g, kap) == pytest.approx(upper + lower, rel=1e-12)
    assert stats.rejection_probability(3.0, 2.0, c) == pytest.approx(norm.sf(c + s) + norm.sf(c - s), rel=1e-12)
    assert stats.rejection_probability(3.0, 2.0, c, n) == pytest.approx(
        stats.rejection_probability(3.0, 2.0, c, n, 0.0, 0.0), rel=1e-14)
    # miss: s = 6 > c; s = -6 < -c; in between never rejected
    for distance, side in ((12.0, "upper"), (-12.0, "lower")):
        tail = edgeworth_tail(2.0, n, g, kap, side)
        assert stats.miss_probability(distance, 2.0, c, n, g, kap) == pytest.approx(
            max(tail["edgeworth"], tail["normal"]), rel=1e-12)
        assert stats.miss_probability(distance, 2.0, c, n) == pytest.approx(
            stats.miss_probability(distance, 2.0, c, n, 0.0, 0.0), rel=1e-14)
    assert stats.miss_probability(8.0, 2.0, c) == 1.0 and stats.miss_probability(-8.0, 2.0, c) == 1.0
    assert stats.miss_probability(8.0 + 1e-9, 2.0, c) == pytest.approx(0.5, rel=1e-6)


# ------------------------------------------------------------------ normal.py: tolerance test
def test_tolerance_test_decides_at_its_margin_with_normal_and_student_quantiles():
    R, shape, alpha, tol = 3, (2, 2), 1e-3, 0.5
    k = R * 4
    reference = np.arange(R * 4, dtype=float).reshape(R, *shape)
    se = np.full((R, *shape), 0.05)
    se_norm = 0.1  # sqrt(4 * 0.05^2)
    for dof, z in ((None, norm.isf(alpha / (2 * k))), (4, student_t.isf(alpha / (2 * k), 4))):
        for slack, expected in ((-1e-9, True), (1e-9, False)):
            mean = reference.copy()
            mean[1, 0, 0] += tol + z * se_norm + slack  # the distance at record 1, along one entry
            passed, detail = stats.assert_within_tolerance(mean.tolist(), se, reference, tol, alpha, 0.9, seeds=[1],
                                                           dof=dof)
            assert passed is expected
        assert detail["z_critical"] == pytest.approx(z, rel=1e-12)
        assert detail["records"] == R and detail["entries"] == k and detail["seeds"] == [1]
        assert detail["max_distance"] == pytest.approx(tol + z * se_norm, rel=1e-8)
        assert detail["max_distance_minus_margin"] == pytest.approx(tol, rel=1e-6)
        assert detail["standard_error_norm_max"] == pytest.approx(se_norm)
        assert detail["detectable_distance"] == pytest.approx(tol + (z + norm.ppf(0.9)) * se_norm, rel=1e-12)
        assert detail["tolerance"] == tol and detail["false_failure_probability"] == alpha and detail["power"] == 0.9
        assert detail["test"] == ("one-sided: distance minus z * ||se|| <= tol at every record (Bonferroni over entries"
                                  + (f"; Student t with {dof} degrees of freedom)" if dof else ")"))


# ------------------------------------------------------------------ binomial.py
def _cp_upper(k, n, alpha):
    return 1.0 if k == n else float(beta_dist.ppf(1 - alpha, k + 1, n - k))


def _cp_lower(k, n, alpha):
    return 0.0 if k == 0 else float(beta_dist.ppf(alpha, k, n - k + 1))


def test_proportion_test_boundary_and_detectable_proportion():
    n, alpha, power = 300, 1e-3, 0.9
    up = clopper_pearson(270, n, alpha)[1]
    assert stats.assert_proportion_at_least(270, n, up, alpha)[0]  # upper bound == p0: passes
    assert not stats.assert_proportion_at_least(270, n, up * (1 + 1e-12), alpha)[0]
    for p0 in (0.95, 0.025):
        passed, detail = stats.assert_proportion_at_least(10, n, p0, alpha, power)
        k_fail = max([k for k in range(n) if _cp_upper(k, n, alpha) < p0], default=-1)
        root = brentq(lambda p: binom.cdf(k_fail, n, p) - power, 1e-12, p0)
        assert root - p0 / 2000 <= detail["detectable_proportion"] <= root
        assert passed is (_cp_upper(10, n, alpha) >= p0)
    assert k_fail == 0  # p0 = 0.025: only k = 0 fails, still with a positive detectable proportion
    assert detail == {"test": "exact binomial (Clopper-Pearson) one-sided", "successes": 10, "trials": n,
                      "proportion": 10 / n, "upper_bound": pytest.approx(_cp_upper(10, n, alpha), rel=1e-12),
                      "p0": 0.025, "false_failure_probability": alpha, "power": power,
                      "detectable_proportion": detail["detectable_proportion"]}
    # no count fails: nothing is detectable
    assert stats.assert_proportion_at_least(0, 20, 0.01, 1e-6)[1]["detectable_proportion"] == 0.0


@pytest.mark.parametrize("n,alpha", [(5, 0.5), (8, 0.1), (300, 1e-6), (300, 4e-8)])
def test_upper_bound_design_largest_passing_count_and_false_failure_rate(n, alpha):
    for p_max in (0.05, 0.3, 0.8, 0.95, 1.0):
        design = stats.upper_bound_design(n, p_max, alpha, 1e-3)
        k_pass = max([k for k in range(n + 1) if _cp_upper(k, n, alpha) <= p_max], default=-1)
        assert design["largest_passing_count"] == k_pass
        rate = design["rate_with_false_failure_below"]
        if k_pass < 0:
            assert rate == 0.0
        elif binom.sf(k_pass, n, p_max) <= 1e-3:
            assert rate == p_max
        else:
            root = brentq(lambda r: binom.sf(k_pass, n, r) - 1e-3, 0.0, p_max)
            assert root - p_max / 4000 <= rate <= root
        assert design["false_pass_probability"] == alpha and design["false_failure_probability"] == 1e-3
    assert stats.upper_bound_design(300, 0.05, 4e-8)["largest_passing_count"] == -1


def test_rate_rejection_count_at_its_edges():
    assert stats.rate_rejection_count(50, 0.0, 1e-3) == 1  # p_max = 0: one event rejects
    assert stats.rate_rejection_count(3, 0.9, 1e-6) == 4  # no count rejects: n + 1
    n, alpha = 200, 1e-4
    for k in (1, 7, 40):
        lower = clopper_pearson(k, n, alpha)[0]
        assert stats.rate_rejection_count(n, lower, alpha) == k + 1  # lower bound == p_max does not reject
        assert stats.rate_rejection_count(n, lower * (1 - 1e-12), alpha) == k
    with pytest.raises(ValueError, match=r"p_max must be in \[0, 1\), got 1.0"):
        stats.rate_rejection_count(10, 1.0)


def test_rate_test_miss_probability_and_detectable_rate():
    n, p_max, alpha, power = 400, 0.02, 1e-4, 0.95
    k = min(j for j in range(n + 1) if _cp_lower(j, n, alpha) > p_max)
    assert stats.rate_miss_probability(n, 0.06, p_max, alpha) == pytest.approx(binom.cdf(k - 1, n, 0.06), rel=1e-12)
    passed, detail = stats.assert_rate_at_most(k - 1, n, p_max, alpha, power)
    assert passed and not stats.assert_rate_at_most(k, n, p_max, alpha, power)[0]
    root = brentq(lambda r: binom.sf(k - 1, n, r) - power, p_max, 1.0, xtol=1e-15)
    assert detail["detectable_rate"] == pytest.approx(root, rel=1e-9)
    assert detail["rejection_count"] == k and detail["lower_bound"] == pytest.approx(_cp_lower(k - 1, n, alpha))
    assert detail["upper_bound"] == pytest.approx(_cp_upper(k - 1, n, alpha))
    assert detail["upper_bound_95"] == pytest.approx(_cp_upper(k - 1, n, 0.05))
    assert (detail["events"], detail["trials"], detail["rate"], detail["p_max"]) == (k - 1, n, (k - 1) / n, p_max)
    assert detail["false_failure_probability"] == alpha and detail["power"] == power
    # n events reject, and only they: the detectable rate is the one seen with n of n
    n, p_max = 4, 0.4
    assert stats.rate_rejection_count(n, p_max, 0.05) == n
    detail = stats.assert_rate_at_most(0, n, p_max, 0.05, 0.9)[1]
    assert detail["detectable_rate"] == pytest.approx(0.9 ** (1 / n), rel=1e-9)
    assert stats.rate_miss_probability(n, 0.7, p_max, 0.05) == pytest.approx(1 - 0.7 ** n, rel=1e-12)
    # no count rejects: every rate is missed, nothing detectable
    assert stats.rate_miss_probability(3, 0.99, 0.9, 1e-6) == 1.0
    assert stats.assert_rate_at_most(0, 3, 0.9, 1e-6)[1]["detectable_rate"] == 1.0


# ------------------------------------------------------------------ edgeworth.py: shaped moments
def test_shaped_moments_equal_the_moments_of_the_recorded_draws():
    recorded = []

    def sampler(rng, k, scratch):
        scratch.setdefault("calls", 0)
        scratch["calls"] += 1
        x = np.stack([rng.exponential(size=k), 3.0 + rng.standard_normal(k) ** 2], axis=1)
        recorded.append(x)
        return x

    m = 20_000  # two chunks of the default 16384
    mo = stats.sample_shaped_moments(sampler, m, centre=[1.0, 4.0])
    x = np.concatenate(recorded)
    d = x - x.mean(0)
    mu2, mu3, mu4 = (np.mean(d ** p, 0) for p in (2, 3, 4))
    assert mo.n == m and mo.seed == 0 and mo.chunk == 16384
    np.testing.assert_allclose(mo.mean, x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(mo.var, x.var(0, ddof=1), rtol=1e-10)
    np.testing.assert_allclose(mo.skewness, mu3 / mu2 ** 1.5, rtol=1e-8)
    np.testing.assert_allclose(mo.kurtosis, mu4 / mu2 ** 2 - 3, rtol=1e-8)
    recorded.clear()
    again = stats.sample_shaped_moments(sampler, m, seed=0, centre=[1.0, 4.0], chunk=16384)
    assert np.array_equal(again.mean, mo.mean) and np.array_equal(again.kurtosis, mo.kurtosis)
    # a centre far from the mean: the binomial shift from the centre still gives the central moments
    far = stats.sample_shaped_moments(sampler, m, centre=[-2.0, 9.0])
    np.testing.assert_allclose(far.skewness, mo.skewness, rtol=1e-6)
    np.testing.assert_allclose(far.kurtosis, mo.kurtosis, rtol=1e-6)


def test_shaped_moments_of_scalar_draws_are_scalars():
    recorded = []

    def sampler(rng, k, scratch):
        recorded.append(rng.exponential(size=k))
        return recorded[-1]

    mo = stats.sample_shaped_moments(sampler, 5000, seed=3, centre=1.0, chunk=1000)
    x = np.concatenate(recorded)
    assert np.ndim(mo.mean) == 0 and np.ndim(mo.skewness) == 0 and mo.seed == 3 and mo.chunk == 1000
    d = x - x.mean()
    assert float(mo.skewness) == pytest.approx(np.mean(d ** 3) / np.mean(d ** 2) ** 1.5, rel=1e-9)
    assert float(mo.var) == pytest.approx(x.var(ddof=1), rel=1e-10)
