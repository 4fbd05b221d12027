"""checks.beyond.median_of_means: the design, and its false-failure rate on heavy-tailed draws."""
import numpy as np
import pytest
from scipy.stats import binom

from checks.beyond.median_of_means import (assert_mean_by_median_of_means, binomial_tail_multiple,
                                           median_of_means_design, pass_probability_lower_bound)


def test_design_at_one_in_a_million():
    design = median_of_means_design()
    k, u = design["groups"], design["critical_multiple"]
    assert k == 33 and u == pytest.approx(2.449, abs=1e-3)
    # the bound it rests on, recomputed directly
    assert 2 * binom.sf((k + 1) // 2 - 1, k, 1 / (1 + u * u)) == pytest.approx(1e-6, rel=1e-6)
    assert binomial_tail_multiple(k, 0.01) == pytest.approx(design["power_multiple"])


def test_false_failure_rate_holds_for_heavy_tails():
    """Draws X = (g1 g2 g3)^2 (mean 1, variance 26, kurtosis in the thousands), test at alpha = 0.05.

    The distribution-free bound must hold: over 400 replications the rejection rate stays below 0.05
    (with a binomial allowance), and the median-of-means errors sit well inside the critical distance.
    """
    design = dict(median_of_means_design(alpha=0.05))
    rng = np.random.default_rng(0)
    k, m, sigma = design["groups"], 200, np.sqrt(26.0)
    draws = np.prod(rng.standard_normal((400, k, m, 3)), axis=-1) ** 2
    rejections = sum(not assert_mean_by_median_of_means(row.mean(axis=1), 1.0, sigma, m, design)[0] for row in draws)
    assert rejections <= binom.isf(1e-6, 400, 0.05)


def test_power_and_near_miss_bounds():
    design = median_of_means_design()
    rng = np.random.default_rng(1)
    k, m = design["groups"], 2000
    means = rng.standard_normal((k, m)).mean(axis=1)  # sigma = 1, mean 0
    passed, detail = assert_mean_by_median_of_means(means, 0.0, 1.0, m, design, seed=1)
    assert passed and detail["samples"] == k * m and detail["false_failure_probability"] == 1e-6
    assert not assert_mean_by_median_of_means(means, detail["detectable_discrepancy"], 1.0, m, design)[0]
    critical = detail["critical_distance"]
    assert pass_probability_lower_bound(0.1 * critical, 1.0, m, design) > 0.9999
    assert pass_probability_lower_bound(critical, 1.0, m, design) == 0.0
    with pytest.raises(ValueError, match="group_means"):
        assert_mean_by_median_of_means(means[:-1], 0.0, 1.0, m, design)
