"""Exact binomial tests of frequencies (Clopper-Pearson): no approximation, any true rate.

* :func:`assert_proportion_at_least`: a success probability is at least ``p0`` (fails iff the
  upper confidence bound is below ``p0``); false-failure probability ``<= alpha`` whenever the
  true probability is ``>= p0``.
* :func:`assert_rate_at_most`: an event rate (a bound's violations) is at most ``p_max``; fails iff
  the *lower* confidence bound exceeds ``p_max``, so the false-failure probability is ``<= alpha``
  for every true rate ``<= p_max``, whatever ``n``; the evidence also states what the draws
  establish (the upper bounds) and the smallest rate it detects.
  :func:`rate_miss_probability`: the probability that a rate above ``p_max`` is not detected
  (a negative control's share of the budget).
* :func:`upper_bound_design`: the other design, which *establishes* ``rate <= p_max`` (passes iff
  the upper bound is ``<= p_max``); its false-failure probability depends on the true rate and is
  small only for rates far below ``p_max`` (reported as ``rate_with_false_failure_below``).
"""
from __future__ import annotations

import numpy as np
from scipy.stats import beta as beta_dist
from scipy.stats import binom

from numeric.montecarlo import clopper_pearson

from .normal import DEFAULT_ALPHA, DEFAULT_POWER

__all__ = ["assert_proportion_at_least", "upper_bound_design", "assert_rate_at_most", "rate_rejection_count",
           "rate_miss_probability", "proportion_pass_count", "proportion_miss_probability"]


def assert_proportion_at_least(successes: int, n: int, p0: float, alpha: float = DEFAULT_ALPHA,
                               power: float = DEFAULT_POWER) -> tuple[bool, dict]:
    """Exact binomial test that a success probability is at least ``p0``.

    Fails iff the Clopper-Pearson upper bound at confidence ``1 - alpha`` is below ``p0``: if the
    true probability is ``>= p0``, that happens with probability ``<= alpha``.  Reports the
    largest true probability that is detected (fails) with probability ``>= power`` at this ``n``.
    """
    lo, up = clopper_pearson(successes, n, alpha)
    passed = up >= p0
    # the largest k that fails, then the largest p for which P(Bin(n, p) <= k_fail) >= power
    ks = np.arange(n)  # k = n has upper bound 1 and never fails
    uppers = beta_dist.ppf(1 - alpha, ks + 1, n - ks)
    failing = ks[uppers < p0]
    k_fail = int(failing.max()) if failing.size else -1
    if k_fail < 0:
        detectable = 0.0
    else:
        grid = np.linspace(0.0, p0, 2001)
        ok = grid[binom.cdf(k_fail, n, grid) >= power]
        detectable = float(ok.max()) if ok.size else 0.0
    return bool(passed), {
        "test": "exact binomial (Clopper-Pearson) one-sided", "successes": int(successes), "trials": int(n),
        "proportion": successes / n, "upper_bound": up, "p0": p0, "false_failure_probability": alpha,
        "power": power, "detectable_proportion": detectable,
    }


def proportion_pass_count(n: int, p0: float, alpha: float = DEFAULT_ALPHA) -> int:
    """The smallest count whose Clopper-Pearson upper bound (confidence ``1 - alpha``) is ``>= p0``.

    :func:`assert_proportion_at_least` passes iff the count is at least this (the upper bound increases with it).
    """
    if not 0 < p0 <= 1:
        raise ValueError(f"p0 must be in (0, 1], got {p0}")
    lo, hi = -1, n  # upper(n) = 1 >= p0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if clopper_pearson(mid, n, alpha)[1] >= p0:
            hi = mid
        else:
            lo = mid
    return hi


def proportion_miss_probability(n: int, rate: float, p0: float, alpha: float = DEFAULT_ALPHA) -> float:
    """Probability that :func:`assert_proportion_at_least` passes when the true probability is ``rate`` (``< p0``)."""
    return float(binom.sf(proportion_pass_count(n, p0, alpha) - 1, n, rate))


def upper_bound_design(n: int, p_max: float, alpha: float = DEFAULT_ALPHA,
                       false_failure: float = DEFAULT_ALPHA) -> dict:
    """Design of a check that *establishes* a rate ``<= p_max`` by a Clopper-Pearson upper bound.

    Such a check passes iff the upper bound at confidence ``1 - alpha`` of ``k / n`` is ``<= p_max``,
    so a true rate above ``p_max`` passes with probability ``<= alpha`` (false pass).  Its
    false-failure probability depends on the true rate ``r``; this returns the largest ``k`` that
    still passes and ``rate_with_false_failure_below``: the largest ``r`` at which the check fails
    with probability ``<= false_failure``.
    """
    ks = np.arange(n + 1)
    uppers = np.where(ks < n, beta_dist.ppf(1 - alpha, np.minimum(ks + 1, n), np.maximum(n - ks, 1)), 1.0)
    passing = ks[uppers <= p_max]
    k_pass = int(passing.max()) if passing.size else -1
    grid = np.linspace(0.0, p_max, 4001)
    fail_prob = binom.sf(k_pass, n, grid) if k_pass >= 0 else np.ones_like(grid)
    ok = grid[fail_prob <= false_failure]
    return {"largest_passing_count": k_pass, "false_pass_probability": alpha,
            "false_failure_probability": false_failure,
            "rate_with_false_failure_below": float(ok.max()) if ok.size else 0.0}


def rate_rejection_count(n: int, p_max: float, alpha: float = DEFAULT_ALPHA) -> int:
    """The smallest count ``k`` whose Clopper-Pearson lower bound (confidence ``1 - alpha``) exceeds ``p_max``.

    ``n + 1`` if none does.  :func:`assert_rate_at_most` fails iff the count is at least this.
    """
    if not 0 <= p_max < 1:
        raise ValueError(f"p_max must be in [0, 1), got {p_max}")
    # lower(k) = beta.ppf(alpha, k, n-k+1) increases with k: the smallest k above p_max by bisection
    lo, hi = 0, n + 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if clopper_pearson(mid, n, alpha)[0] > p_max:
            hi = mid
        else:
            lo = mid
    return hi


def rate_miss_probability(n: int, rate: float, p_max: float, alpha: float = DEFAULT_ALPHA) -> float:
    """Probability that :func:`assert_rate_at_most` passes (misses) when the true rate is ``rate``."""
    k = rate_rejection_count(n, p_max, alpha)
    return float(binom.cdf(k - 1, n, rate)) if k <= n else 1.0


def assert_rate_at_most(events: int, n: int, p_max: float, alpha: float = DEFAULT_ALPHA,
                        power: float = DEFAULT_POWER) -> tuple[bool, dict]:
    """Exact test of ``rate <= p_max`` from ``events`` of ``n`` independent trials.

    Fails iff the Clopper-Pearson lower bound at confidence ``1 - alpha`` exceeds ``p_max``: if the
    true rate is ``<= p_max`` that happens with probability ``<= alpha`` (for any ``n``, also 0
    events of 300).  Reports the rate detected with probability ``>= power``
    (``detectable_rate``) and what the draws establish: the upper bounds at ``1 - alpha`` and 95 %.
    """
    lower, upper = clopper_pearson(events, n, alpha)
    _, upper_95 = clopper_pearson(events, n, 0.05)
    k_reject = rate_rejection_count(n, p_max, alpha)
    if k_reject > n:
        detectable = 1.0
    else:  # the smallest rate with P(Bin(n, r) >= k_reject) >= power, by bisection
        lo, hi = p_max, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            if binom.sf(k_reject - 1, n, mid) >= power:
                hi = mid
            else:
                lo = mid
        detectable = hi
    passed = lower <= p_max
    return bool(passed), {
        "test": "exact binomial: fails iff the Clopper-Pearson lower bound exceeds p_max",
        "events": int(events), "trials": int(n), "rate": events / n, "p_max": float(p_max),
        "lower_bound": lower, "upper_bound": upper, "upper_bound_95": upper_95,
        "rejection_count": int(k_reject), "false_failure_probability": float(alpha), "power": power,
        "detectable_rate": float(detectable),
    }
