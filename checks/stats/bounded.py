"""Means of bounded draws: the empirical-Bernstein test, valid at any level without a normal approximation.

Maurer & Pontil (2009, *Empirical Bernstein bounds and sample variance penalization*, Thm 4):
for ``n`` i.i.d. draws in an interval of width ``w`` with sample variance ``V`` (ddof 1), with
probability ``>= 1 - delta``::

    E X <= mean + sqrt(2 V log(2/delta) / n) + 7 w log(2/delta) / (3 (n - 1)),

and the same from below.  :func:`assert_bounded_means_equal` fails iff some entry's
``|mean - expected|`` exceeds this half-width at ``delta = alpha / (2 k)`` (both sides, Bonferroni
over ``k`` entries), so its false-failure probability is ``<= alpha`` exactly, whatever the
law of the draws, provided they lie in ``[lower, upper]`` (the caller's range must be a proven
one, e.g. the extremes over finitely many outcomes).  The price over a z-test is small when
``w`` is not much larger than ``sqrt(n V)``: ``sqrt(2 log(2/delta))`` replaces ``z_{delta}``.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

from .normal import DEFAULT_ALPHA, DEFAULT_POWER

__all__ = ["empirical_bernstein_halfwidth", "assert_bounded_means_equal", "bounded_miss_probability"]


def empirical_bernstein_halfwidth(variance, n: int, width, delta: float) -> np.ndarray:
    """One side of Maurer & Pontil's bound: ``sqrt(2 V log(2/delta)/n) + 7 w log(2/delta)/(3 (n-1))``."""
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    log_term = math.log(2 / delta)
    return (np.sqrt(2 * np.asarray(variance, dtype=float) * log_term / n)
            + 7 * np.asarray(width, dtype=float) * log_term / (3 * (n - 1)))


def assert_bounded_means_equal(moments, expected, lower, upper, alpha: float = DEFAULT_ALPHA,
                               power: float = DEFAULT_POWER) -> tuple[bool, dict]:
    """Empirical-Bernstein test of ``E[draw] == expected`` entrywise for draws in ``[lower, upper]``.

    ``moments``: :class:`numeric.montecarlo.Moments` of the draws.  Fails iff some entry is
    farther from ``expected`` than the half-width at ``alpha / (2 k)`` per side.  Exact level
    ``alpha``; reports the half-widths and the discrepancy detected with probability ``power``
    (half-width plus ``z_{1-power}`` standard errors, normal approximation of the power only).
    """
    mean = np.atleast_1d(np.asarray(moments.mean, dtype=float))
    expected = np.broadcast_to(np.asarray(expected, dtype=float), mean.shape)
    lower = np.broadcast_to(np.asarray(lower, dtype=float), mean.shape)
    upper = np.broadcast_to(np.asarray(upper, dtype=float), mean.shape)
    if np.any(upper < lower) or np.any(mean < lower - 1e-12 * np.abs(lower)) or np.any(
            mean > upper + 1e-12 * np.abs(upper)):
        raise ValueError("lower <= mean <= upper must hold entrywise: the range does not contain the draws")
    k = mean.size
    n = int(moments.n)
    variance = np.atleast_1d(np.asarray(moments.var, dtype=float))
    halfwidth = empirical_bernstein_halfwidth(variance, n, upper - lower, alpha / (2 * k))
    error = np.abs(mean - expected)
    passed = bool(np.all(error <= halfwidth))
    se = np.sqrt(variance / n)
    return passed, {
        "test": "empirical Bernstein (Maurer-Pontil), two-sided per entry, Bonferroni over entries; exact level",
        "samples": n, "seed": getattr(moments, "seed", None), "entries": int(k),
        "false_failure_probability": float(alpha), "power": power,
        "z_max": float(np.max(error / np.maximum(se, 1e-300))),
        "halfwidth_over_standard_error_max": float(np.max(halfwidth / np.maximum(se, 1e-300))),
        "halfwidth_max": float(halfwidth.max()), "max_abs_error": float(error.max()),
        "max_error_over_halfwidth": float(np.max(error / halfwidth)),
        "range_width_max": float(np.max(upper - lower)), "standard_error_max": float(se.max()),
        "detectable_discrepancy": float(np.max(halfwidth + float(norm.isf(1 - power)) * se)),
    }


def bounded_miss_probability(distance, n: int, width, halfwidth) -> float:
    """Probability that a value ``distance`` from the true mean is *not* rejected (Hoeffding, exact).

    It passes only if the mean deviates from the truth by ``>= |distance| - halfwidth`` towards
    it; Hoeffding's inequality for draws in an interval of ``width`` bounds that by
    ``exp(-2 n (|distance| - halfwidth)^2 / width^2)`` (1 if ``|distance| <= halfwidth``).
    """
    gap = abs(float(distance)) - float(halfwidth)
    if gap <= 0:
        return 1.0
    return float(math.exp(-2 * n * gap * gap / float(width) ** 2))
