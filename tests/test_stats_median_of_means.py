"""checks.stats.median_of_means: both designs, their level on heavy-tailed draws, power, miss and failure bounds."""
import numpy as np
import pytest
from scipy.stats import binom

from checks.stats import assert_mean_by_median_of_means, median_of_means_design, median_of_means_interval
from checks.stats.median_of_means import (block_means, deviation_probability, failure_probability, miss_probability,
                                          median_of_means_radius)


def test_cantelli_design_at_one_in_a_million():
    design = median_of_means_design()
    k, u = design.blocks, design.radius_multiple
    assert design.inequality == "cantelli" and k == 33 and u == pytest.approx(2.449, abs=1e-3)
    # the bound it rests on, recomputed directly: Cantelli per side, a majority of blocks on one side
    assert 2 * binom.sf((k + 1) // 2 - 1, k, 1 / (1 + u * u)) == pytest.approx(1e-6, rel=1e-6)
    assert binom.sf((k + 1) // 2 - 1, k, 1 / (1 + design.power_multiple**2)) == pytest.approx(0.01, rel=1e-6)
    assert design["groups"] == k and design["critical_multiple"] == u  # the former dict interface


def test_chebyshev_design_meets_the_rate():
    for alpha in (1e-3, 1e-6, 1e-8):
        design = median_of_means_design(alpha, inequality="chebyshev")
        k, q = design.blocks, design.per_block
        assert k % 2 == 1 and 0 < q <= 0.5
        assert binom.sf((k + 1) // 2 - 1, k, q) <= alpha * (1 + 1e-9)
        assert median_of_means_radius(1.0, 1, design) == pytest.approx(design.radius_multiple)
    assert median_of_means_design(1e-7, inequality="chebyshev").blocks == 31
    with pytest.raises(ValueError, match="alpha"):
        median_of_means_design(0.7)
    with pytest.raises(ValueError, match="inequality"):
        median_of_means_design(1e-6, inequality="hoeffding")


def test_false_failure_rate_holds_for_heavy_tails():
    """Draws X = (g1 g2 g3)^2 (mean 1, variance 26, kurtosis in the thousands) at alpha = 0.05 (Cantelli), and
    Student t with 2.5 degrees of freedom (infinite fourth moment, Chebyshev): over 400 replications each the
    rejection rate stays below 0.05 (binomial allowance at 1e-6)."""
    design = median_of_means_design(alpha=0.05)
    rng = np.random.default_rng(0)
    k, m, sigma = design.blocks, 200, np.sqrt(26.0)
    draws = np.prod(rng.standard_normal((400, k, m, 3)), axis=-1) ** 2
    rejections = sum(not assert_mean_by_median_of_means(row.mean(axis=1), 1.0, sigma, m, design)[0] for row in draws)
    assert rejections <= binom.isf(1e-6, 400, 0.05)
    dof = 2.5
    misses = 0
    for _ in range(400):
        out = median_of_means_interval(rng.standard_t(dof, size=2000), np.sqrt(dof / (dof - 2)), 0.05)
        misses += abs(out["median"]) > out["radius"]
    assert misses <= binom.isf(1e-6, 400, 0.05)


def test_power_and_near_miss_bounds():
    design = median_of_means_design()
    rng = np.random.default_rng(1)
    k, m = design.blocks, 2000
    means = rng.standard_normal((k, m)).mean(axis=1)  # sigma = 1, mean 0
    passed, detail = assert_mean_by_median_of_means(means, 0.0, 1.0, m, design, seed=1)
    assert passed and detail["samples"] == k * m and detail["false_failure_probability"] == 1e-6
    assert not assert_mean_by_median_of_means(means, detail["detectable_discrepancy"], 1.0, m, design)[0]
    critical = detail["critical_distance"]
    assert 1 - failure_probability(0.1 * critical, 1.0, m, design) > 0.9999
    assert failure_probability(critical, 1.0, m, design) == 1.0
    # at distance 0 the failure bound is the design's level (two sides of the Cantelli bound)
    assert failure_probability(0.0, 1.0, m, design) == pytest.approx(2 * deviation_probability(critical, 1.0, m, design))
    assert failure_probability(0.0, 1.0, m, design) == pytest.approx(1e-6, rel=1e-6)
    with pytest.raises(ValueError, match="group_means"):
        assert_mean_by_median_of_means(means[:-1], 0.0, 1.0, m, design)


def test_miss_probability_bounds_the_simulated_pass_rate():
    """A claimed value 1.5 radii from the truth: the bound is above the simulated pass rate (normal draws, level
    1e-2 so that passes are frequent enough to count) and decreases with the distance."""
    design = median_of_means_design(1e-2)
    rng = np.random.default_rng(3)
    m = 50
    radius = median_of_means_radius(1.0, m, design)
    medians = np.median(rng.standard_normal((4000, design.blocks, m)).mean(axis=2), axis=1)
    simulated = np.mean(np.abs(medians - 1.5 * radius) <= radius)
    bound = miss_probability(1.5 * radius, 1.0, m, design)
    assert simulated <= bound < 1
    assert miss_probability(2.5 * radius, 1.0, m, design) < bound
    assert miss_probability(0.5 * radius, 1.0, m, design) == 1.0


def test_interval_detects_twice_its_radius_and_handles_entries():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(20_000)
    out = median_of_means_interval(x, 1.0, 1e-6)
    shifted = median_of_means_interval(x + out["detectable_discrepancy"], 1.0, 1e-6)
    assert abs(shifted["median"]) > shifted["radius"]
    assert out["sample_size"] <= 20_000 and out["blocks"] % 2 == 1
    x = rng.standard_normal((5000, 3))
    out = median_of_means_interval(x, np.ones(3), 1e-6)
    assert out["median"].shape == (3,) and out["radius"].shape == (3,)
    assert out["design"].alpha == pytest.approx(1e-6 / 3)
    with pytest.raises(ValueError, match="samples"):
        median_of_means_interval(np.zeros(3), 1.0, 1e-6)
    means, b = block_means(np.arange(10.0), 3)
    assert b == 3 and means.tolist() == [1.0, 4.0, 7.0]
