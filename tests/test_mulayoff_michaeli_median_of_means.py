"""The median-of-means test: its design, its false-failure rate on heavy-tailed data, its power."""
import numpy as np
import pytest
from scipy.stats import binom

from checks.mulayoff_michaeli.median_of_means import block_design, median_of_means_interval


def test_design_meets_the_rate():
    for alpha in (1e-3, 1e-6, 1e-8):
        k, q = block_design(alpha)
        assert k % 2 == 1 and 0 < q <= 0.5
        assert binom.sf((k + 1) // 2 - 1, k, q) <= alpha * (1 + 1e-9)
    with pytest.raises(ValueError, match="alpha"):
        block_design(0.7)


def test_false_failure_rate_holds_for_heavy_tails():
    """Student t with 2.5 degrees of freedom (finite variance, infinite 4th moment) at alpha = 0.05: the observed
    miss frequency over 400 repetitions stays below 0.05 (binomial margin)."""
    rng = np.random.default_rng(0)
    dof = 2.5
    sigma = np.sqrt(dof / (dof - 2))
    misses = 0
    for _ in range(400):
        x = rng.standard_t(dof, size=2000)
        out = median_of_means_interval(x, sigma, 0.05)
        misses += abs(out["median"]) > out["radius"]
    assert misses <= binom.isf(1e-6, 400, 0.05)


def test_detects_a_discrepancy_of_twice_the_radius():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(20_000)
    out = median_of_means_interval(x, 1.0, 1e-6)
    shifted = median_of_means_interval(x + out["detectable_discrepancy"], 1.0, 1e-6)
    assert abs(shifted["median"]) > shifted["radius"]
    assert out["sample_size"] <= 20_000 and out["blocks"] % 2 == 1


def test_vector_entries_share_the_rate():
    x = np.random.default_rng(2).standard_normal((5000, 3))
    out = median_of_means_interval(x, np.ones(3), 1e-6)
    assert out["median"].shape == (3,) and out["radius"].shape == (3,)
    with pytest.raises(ValueError, match="samples"):
        median_of_means_interval(np.zeros(3), 1.0, 1e-6)
