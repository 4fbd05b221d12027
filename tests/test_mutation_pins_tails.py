"""Pins of ``checks.stats`` (continued from tests/test_mutation_pins.py): the Edgeworth expansion and
critical values, ``shape_of`` and the empirical-Bernstein test and its bounds (docs/mutation.md)."""
import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import norm
from scipy.stats import t as student_t

from checks import stats
from checks.stats.edgeworth import edgeworth_tail, studentized_critical_value
from numeric.montecarlo import Moments


def _moments(mean, var, n):
    return Moments(n=n, mean=np.asarray(mean, dtype=float), var=np.asarray(var, dtype=float), seed=7, chunk=n)


# ------------------------------------------------------------------ edgeworth.py: expansion and critical values
def test_edgeworth_polynomials_are_halls_and_normal_draws_give_students_t():
    """Hall (1992, Sec. 2.6), Student's t statistic: q1 = g (2x^2+1)/6,
    q2 = x [k (x^2-3)/12 - g^2 (x^4+2x^2-3)/18 - (x^2+3)/4] (the literature's coefficients, pinned)."""
    from scipy.stats import norm as normal

    n, x, g, kap = 400, 2.2, 1.3, 4.0
    q1 = g * (2 * x * x + 1) / 6
    q2 = x * (kap * (x * x - 3) / 12 - g * g * (x ** 4 + 2 * x * x - 3) / 18 - (x * x + 3) / 4)
    phi, tail = normal.pdf(x), normal.sf(x)
    upper = edgeworth_tail(x, n, g, kap, "upper")
    lower = edgeworth_tail(x, n, g, kap, "lower")
    assert upper["edgeworth"] == pytest.approx(tail - q1 * phi / np.sqrt(n) - q2 * phi / n, rel=1e-12)
    assert lower["edgeworth"] == pytest.approx(tail + q1 * phi / np.sqrt(n) - q2 * phi / n, rel=1e-12)
    assert upper["relative_correction_1"] == pytest.approx(q1 * phi / np.sqrt(n) / tail, rel=1e-12)
    assert upper["relative_correction_2"] == pytest.approx(abs(q2) * phi / n / tail, rel=1e-12)
    # normal draws: Hall's T divides by n (not n - 1), so T > x iff Student's t_{n-1} > x sqrt((n-1)/n); the
    # expansion matches it to O(1/n^2) (the suite's ddof=1 statistic is conservatively covered: docs/mutation.md)
    for n, tol in ((200, 3e-3), (1000, 1.5e-4)):
        exact = student_t.sf(2.5 * np.sqrt((n - 1) / n), n - 1)
        assert edgeworth_tail(2.5, n, 0.0, 0.0, "upper")["edgeworth"] == pytest.approx(exact, rel=tol)


@pytest.mark.parametrize("side,level", [("two-sided", 2), ("upper", 1), ("lower", 1)])
def test_studentized_critical_value_solves_its_tail_equation_per_side(side, level):
    alpha, n = 1e-5, 200_000
    for g, kap in ((0.0, 0.0), (1.0, 4.0), (-1.0, 3.0), (0.0, 30.0)):
        design = studentized_critical_value(alpha, n, g, kap, side)
        assert design["normal_critical_value"] == pytest.approx(norm.isf(alpha / level), rel=1e-12)
        c = design["critical_value"]
        assert design["tail"] == edgeworth_tail(c, n, g, kap, side)
        if c > design["normal_critical_value"]:
            assert edgeworth_tail(c, n, g, kap, side)["edgeworth"] == pytest.approx(alpha, rel=1e-8)
        else:  # the expansion's tail is already below alpha at the normal value: keep it
            assert edgeworth_tail(c, n, g, kap, side)["edgeworth"] <= alpha
    assert studentized_critical_value(alpha, n, side=side) == studentized_critical_value(alpha, n, 0.0, 0.0, side)
    assert studentized_critical_value(alpha, n, 0.0, 0.0, side)["critical_value"] > norm.isf(alpha / level)
    # a large kurtosis thins the tail below the normal one: the normal value is kept
    thin = studentized_critical_value(alpha, n, 0.0, 30.0, side)
    assert thin["critical_value"] == thin["normal_critical_value"]
    # skewness moves the one-sided values apart: the heavy side needs the larger value
    right, left = (studentized_critical_value(alpha, n, 1.0, 4.0, s)["critical_value"] for s in ("upper", "lower"))
    assert left > right == pytest.approx(norm.isf(alpha), rel=1e-12)
    with pytest.raises(ValueError, match=r"alpha must be in \(0, 1\), got 1.0"):
        studentized_critical_value(1.0, n, side=side)


def test_shape_of_uses_the_moment_estimators_along_the_axis():
    from scipy.stats import kurtosis, skew

    x = np.random.default_rng(5).exponential(size=(300, 3)) + np.array([0.0, 10.0, -5.0])
    g, k = stats.shape_of(x)
    np.testing.assert_allclose(g, skew(x, axis=0, bias=True), rtol=1e-10)
    np.testing.assert_allclose(k, kurtosis(x, axis=0, fisher=True, bias=True), rtol=1e-10)
    g1, k1 = stats.shape_of(x.T, axis=1)
    np.testing.assert_allclose(g1, g, rtol=1e-12)
    np.testing.assert_allclose(k1, k, rtol=1e-12)


# ------------------------------------------------------------------ bounded.py: miss and exceedance bounds
def test_bounded_miss_probability_is_the_smaller_of_hoeffding_and_the_bernstein_inversion():
    n, width, halfwidth = 5000, 4.0, 0.05
    for distance, variance in ((0.2, None), (0.2, 0.5), (0.09, 0.01), (-0.3, 2.0)):
        gap = abs(distance) - halfwidth
        hoeffding = 2 * np.exp(-2 * n * gap * gap / width ** 2)
        expected = hoeffding
        if variance is not None:  # t = sqrt(2 V L / n) + 7 w L / (3 (n - 1)) at t = gap, solved for L
            L = brentq(lambda L: np.sqrt(2 * variance * L / n) + 7 * width * L / (3 * (n - 1)) - gap, 0.0, 1e6)
            expected = min(hoeffding, 2 * np.exp(-L))
        assert stats.bounded_miss_probability(distance, n, width, halfwidth, variance) == pytest.approx(
            min(1.0, expected), rel=1e-9)
    assert stats.bounded_miss_probability(0.0501, n, width, halfwidth) == 1.0  # Hoeffding's 2 e^{-tiny} capped
    assert stats.bounded_miss_probability(0.05, n, width, halfwidth, 0.3) == 1.0


def test_halfwidth_exceedance_probability_inverts_the_halfwidth():
    n, variance, width, delta, ds = 20_000, 0.09, 5.0, 1e-6, 1e-10
    for h in (0.031, 0.033, 0.036, 0.1):  # across the transition, where the exponential term is not negligible
        # the sample sd at which the half-width reaches h, found from the half-width itself
        v_star = brentq(lambda s: float(stats.empirical_bernstein_halfwidth(s * s, n, width, delta)) - h, 0.0, 10.0,
                        xtol=1e-14)
        sigma_up = np.sqrt(variance) + width * np.sqrt(2 * np.log(1 / ds) / (n - 1))  # Maurer-Pontil Thm 10
        expected = 1.0 if v_star <= sigma_up else min(1.0, ds + np.exp(-(n - 1) * (v_star - sigma_up) ** 2
                                                                       / (2 * width ** 2)))
        assert stats.halfwidth_exceedance_probability(h, n, variance, width, delta, ds) == pytest.approx(expected,
                                                                                                       rel=1e-7)
    fixed = 7 * width * np.log(2 / delta) / (3 * (n - 1))
    assert stats.halfwidth_exceedance_probability(fixed, n, variance, width, delta) == 1.0
    assert stats.halfwidth_exceedance_probability(0.061, n, variance, width, delta) < 1.0


def test_bernstein_test_decides_at_its_halfwidth_and_reports_its_evidence():
    """Maurer & Pontil (2009, Thm 4) at delta = alpha / (2 k) per side and entry."""
    n, alpha, k = 500, 1e-4, 2
    var, lower, upper = np.array([0.04, 0.25]), np.array([0.0, -1.0]), np.array([1.0, 3.0])
    log_term = np.log(2 / (alpha / (2 * k)))
    halfwidth = np.sqrt(2 * var * log_term / n) + 7 * (upper - lower) * log_term / (3 * (n - 1))
    np.testing.assert_allclose(stats.empirical_bernstein_halfwidth(var, n, upper - lower, alpha / (2 * k)), halfwidth,
                               rtol=1e-13)
    expected = np.array([0.3, 0.5])
    for factor, verdict in ((1 - 1e-9, True), (1 + 1e-9, False)):
        mean = expected + np.array([0.0, -factor * halfwidth[1]])
        passed, detail = stats.assert_bounded_means_equal(_moments(mean, var, n), expected, lower, upper, alpha, 0.9)
        assert passed is verdict
    se = np.sqrt(var / n)
    assert detail == {
        "test": "empirical Bernstein (Maurer-Pontil), two-sided per entry, Bonferroni over entries; exact level",
        "samples": n, "seed": 7, "entries": k, "false_failure_probability": alpha, "power": 0.9,
        "z_max": pytest.approx((1 + 1e-9) * halfwidth[1] / se[1]),
        "halfwidth_over_standard_error_max": pytest.approx(np.max(halfwidth / se)),
        "halfwidth_max": pytest.approx(halfwidth.max()), "max_abs_error": pytest.approx((1 + 1e-9) * halfwidth[1]),
        "max_error_over_halfwidth": pytest.approx(1 + 1e-9), "range_width_max": 4.0,
        "standard_error_max": pytest.approx(se.max()),
        "detectable_discrepancy": pytest.approx(np.max(halfwidth + norm.ppf(0.9) * se))}
    for lo, up in (([0.0, 0.6], [1.0, 3.0]), ([0.0, -1.0], [1.0, 0.4]), ([0.0, 4.0], [1.0, 3.0])):
        with pytest.raises(ValueError, match="^lower <= mean <= upper must hold entrywise: the range does not contain"):
            stats.assert_bounded_means_equal(_moments([0.3, 0.5], var, n), expected, lo, up, alpha)
    assert stats.assert_bounded_means_equal(_moments([1.0, 3.0], var, n), [1.0, 3.0], lower, upper, alpha)[0]
    for bad, message in ((dict(delta=0.0), r"^delta must be in \(0, 1\), got 0.0"),
                         (dict(delta=1.0), r"^delta must be in \(0, 1\), got 1.0"), (dict(n=1), "^n must be >= 2, got 1")):
        args = dict(variance=0.1, n=10, width=1.0, delta=0.1) | bad
        with pytest.raises(ValueError, match=message):
            stats.empirical_bernstein_halfwidth(**args)
    assert stats.empirical_bernstein_halfwidth(0.1, 2, 1.0, 0.1) > 0
