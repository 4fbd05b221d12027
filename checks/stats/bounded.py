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

__all__ = ["empirical_bernstein_halfwidth", "assert_bounded_means_equal", "bounded_miss_probability",
           "halfwidth_exceedance_probability"]


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


def bounded_miss_probability(distance, n: int, width, halfwidth, variance=None) -> float:
    """Probability that a value ``distance`` from the true mean is *not* rejected by the two-sided test.

    It passes only if the mean deviates from the truth by ``t >= |distance| - halfwidth``.
    Hoeffding's inequality (draws in an interval of ``width``) bounds that by
    ``2 exp(-2 n t^2 / width^2)``; with the sample ``variance``, so does the empirical-Bernstein
    bound itself: ``t = sqrt(2 V L / n) + 7 w L / (3 (n-1))`` solved for ``L`` gives ``2 exp(-L)``
    (evaluated at the observed ``V`` and half-width).  Returns the smaller (1 if ``t <= 0``).
    """
    gap = abs(float(distance)) - float(halfwidth)
    if gap <= 0:
        return 1.0
    width = float(width)
    bound = 2 * math.exp(-2 * n * gap * gap / width**2)
    if variance is not None:
        # t = a sqrt(L) + b L with a = sqrt(2 V / n), b = 7 w / (3 (n - 1)): solve the quadratic in sqrt(L)
        a, b = math.sqrt(2 * max(float(variance), 0.0) / n), 7 * width / (3 * (n - 1))
        root = (-a + math.sqrt(a * a + 4 * b * gap)) / (2 * b)
        bound = min(bound, 2 * math.exp(-root * root))
    return float(min(1.0, bound))


def halfwidth_exceedance_probability(h, n: int, variance, width, delta: float, delta_sigma: float = 1e-10) -> float:
    """An upper bound on ``P(halfwidth >= h)`` for :func:`empirical_bernstein_halfwidth` at ``delta``.

    The half-width grows with the sample variance ``V``; it reaches ``h`` only if
    ``sqrt(V) >= v* = sqrt(n / (2 log(2/delta))) (h - 7 w log(2/delta) / (3 (n-1)))``.  Maurer &
    Pontil (Thm 10) for draws in an interval of width ``w``: ``sqrt(V) <= sigma + w sqrt(2 log(1/e)/(n-1))``
    except with probability ``e``, and, the other way, ``sigma <= sqrt(V_obs) + w sqrt(2 log(1/delta_sigma)/(n-1))``
    except with probability ``delta_sigma``.  Returns ``delta_sigma + exp(-(n-1) (v* - sigma_up)^2 / (2 w^2))``
    (1 if ``v* <= sigma_up``).  Used for checks that pass when a confidence interval excludes a
    value at distance ``2 h`` from the truth (then they fail only if the interval is that wide).
    """
    log_term = math.log(2 / delta)
    fixed = 7 * float(width) * log_term / (3 * (n - 1))
    if h <= fixed:
        return 1.0
    v_star = math.sqrt(n / (2 * log_term)) * (h - fixed)
    sigma_up = math.sqrt(float(variance)) + float(width) * math.sqrt(2 * math.log(1 / delta_sigma) / (n - 1))
    if v_star <= sigma_up:
        return 1.0
    return float(min(1.0, delta_sigma + math.exp(-(n - 1) * (v_star - sigma_up) ** 2 / (2 * float(width) ** 2))))
