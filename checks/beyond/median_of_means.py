"""A distribution-free Monte Carlo test of a mean: median of means with a known variance.

Why not the z-test of :mod:`checks.stats`: the dense S-SAM loss ``||W* - prod_l (W_l + G_l)||_F^2`` is a
degree-``2L`` polynomial in Gaussians (skewness about 5, excess kurtosis about 50 at ``L = 3``), so the
normal approximation of its mean's tail at ``1e-6`` is not trustworthy.  This test needs only the exact
variance ``sigma^2`` of one draw (:func:`numeric.dense_marginalized.dense_loss_exact_moments`).

Design.  ``k`` (odd) independent groups of ``m`` draws; statistic: the median of the group means.  Reject
the claimed mean ``mu_0`` iff ``|median - mu_0| > t = u sigma / sqrt(m)``.  By Cantelli's inequality a group
mean exceeds ``mu + t`` with probability at most ``p = 1 / (1 + u^2)``, and the median does so only if at
least ``(k+1)/2`` groups do: the false-failure probability is at most ``2 P(Bin(k, p) >= (k+1)/2)``,
exactly computed, with no distributional assumption.  Power: a true mean ``mu_0 + delta`` is detected with
probability at least ``power`` when ``delta >= (u + v) sigma / sqrt(m)``, ``v`` from the same binomial bound.
``k`` minimizes ``u sqrt(k)`` (``k = 33``, ``u = 2.45`` at ``1e-6``): ``t = 14.1 sigma / sqrt(n)``, about 2.9
times the z-test's critical distance, the price of validity without a normal approximation.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.stats import beta as beta_dist
from scipy.stats import binom

from .. import stats

__all__ = ["binomial_tail_multiple", "median_of_means_design", "assert_mean_by_median_of_means",
           "pass_probability_lower_bound"]


def binomial_tail_multiple(groups: int, probability: float) -> float:
    """The ``u`` with ``P(Bin(groups, 1/(1+u^2)) >= (groups+1)/2) = probability``.

    ``P(Bin(k, p) >= j) = I_p(j, k - j + 1)`` (the regularized incomplete beta function), so ``p`` is a
    beta quantile.
    """
    need = (groups + 1) // 2
    p = float(beta_dist.ppf(probability, need, groups - need + 1))
    return float(np.sqrt(1.0 / p - 1.0))


@lru_cache(maxsize=8)
def median_of_means_design(alpha: float = stats.DEFAULT_ALPHA, power: float = stats.DEFAULT_POWER) -> dict:
    """The number of groups ``k`` minimizing the critical distance, its ``u`` (two-sided) and ``v`` (power)."""
    best = None
    for groups in range(5, 201, 2):
        u = binomial_tail_multiple(groups, alpha / 2)
        if best is None or u * np.sqrt(groups) < best[0]:
            best = (u * np.sqrt(groups), groups, u)
    _, groups, u = best
    return {"groups": groups, "critical_multiple": u, "power_multiple": binomial_tail_multiple(groups, 1 - power),
            "alpha": alpha, "power": power}


def pass_probability_lower_bound(offset: float, sigma: float, group_size: int, design: dict) -> float:
    """A lower bound on the probability of passing when the claimed mean is off by ``offset`` < ``t``."""
    root_m = np.sqrt(group_size)
    t = design["critical_multiple"] * sigma / root_m
    if abs(offset) >= t:
        return 0.0
    need, k = (design["groups"] + 1) // 2, design["groups"]
    failure = 0.0
    for margin in (t - abs(offset), t + abs(offset)):
        u = margin * root_m / sigma
        failure += binom.sf(need - 1, k, 1.0 / (1.0 + u * u))
    return float(max(0.0, 1.0 - failure))


def assert_mean_by_median_of_means(group_means, claimed_mean: float, sigma: float, group_size: int,
                                   design: dict, seed=None) -> tuple[bool, dict]:
    """The median-of-means test of ``E[draw] == claimed_mean`` (module docstring); ``(passed, detail)``."""
    group_means = np.asarray(group_means, dtype=float)
    if group_means.shape != (design["groups"],):
        raise ValueError(f"group_means must hold {design['groups']} group means, got shape {group_means.shape}")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    root_m = np.sqrt(group_size)
    critical = design["critical_multiple"] * sigma / root_m
    median = float(np.median(group_means))
    passed = abs(median - claimed_mean) <= critical
    standard_error = sigma / np.sqrt(design["groups"] * group_size)  # of the mean of all draws
    return bool(passed), {
        "test": "median of means, Cantelli per group + exact binomial over groups (distribution-free)",
        "samples": int(design["groups"] * group_size), "groups": design["groups"], "group_size": int(group_size),
        "seed": seed, "statistic": "median of group means", "median_of_means": median, "claimed_mean": claimed_mean,
        "sigma_exact": sigma, "critical_distance": critical, "distance": abs(median - claimed_mean),
        "ratio_to_critical": abs(median - claimed_mean) / critical,
        "z_max": abs(median - claimed_mean) / standard_error,
        "z_critical": critical / standard_error,
        "z_note": "z = |median - claimed| / (sigma / sqrt(n)), in standard errors of the overall mean; the "
                  "verdict compares it with z_critical = u sqrt(k) (distribution-free), not with a normal quantile",
        "false_failure_probability": design["alpha"], "power": design["power"],
        "detectable_discrepancy": (design["critical_multiple"] + design["power_multiple"]) * sigma / root_m,
    }
