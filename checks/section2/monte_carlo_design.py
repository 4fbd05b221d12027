"""The Monte Carlo design of Lemmas 2.1 and 2.2: how their false-failure budget is spent and justified.

Each claim declares the budget 1e-6 (:mod:`checks.framework`) and spends it in two shares:

* ``monte-carlo`` (5e-7): its positive z-tests (:func:`checks.stats.assert_means_equal`, Bonferroni over
  tests and entries) run at the nominal level :data:`NOMINAL_ALPHA` = 1e-7, and declare
  ``NOMINAL_ALPHA * inflation``: the error of the normal approximation in the tails, estimated from the
  summands' skewness ``g`` and excess kurtosis ``k`` (a pilot sample of :data:`PILOT_DRAWS` draws) by the
  second-order Edgeworth expansion of the studentized mean (Hall 1992, sec. 2.6): two-sided,
  ``P(|T| > z) = 2 Phi(-z) - 2 p2(z) phi(z) / n``,
  ``p2(z) = z (k (z^2-3)/12 - g^2 (z^4+2z^2-3)/18 - (z^2+3)/4)`` (:func:`edgeworth_inflation`).  The designs
  (bounded whitened data, ``eta`` at most half the weights) keep ``g <= ~6``, ``k <= ~100`` and the inflation
  near 1; the evidence fails if it exceeds :data:`MAX_INFLATION` = 5 (the share would not cover it, and the
  approximation would not be justified).  ``scripts/calibrate_statistics.py`` measures the rate on the real
  draws at a raised level and the matched size;
* ``near-misses`` (5e-7): a near miss (a discrepancy of 2 % of the detectable one) must pass: it fails with
  the probability :func:`miss_probability` leaves, ``1 - miss``, times the same inflation.

A negative control (a wrong mean ``s`` standard errors from the truth) escapes with probability
``Phi(z_c - s) - Phi(-z_c - s)`` (:func:`miss_probability`); the controls are placed at ``s >= 11`` (10 % off
in quick mode, 5 % off by default, where the sample is 4 times larger), so each escapes with probability
below ~1e-7.  A miss is a type II error: recorded (``miss_probability``), not spent.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import kurtosis, norm, skew

from ..stats import DEFAULT_POWER

__all__ = ["NOMINAL_ALPHA", "PILOT_DRAWS", "MAX_INFLATION", "MONTE_CARLO_SHARE", "NEAR_MISS_SHARE", "pilot_tails",
           "edgeworth_inflation", "miss_probability", "shift_in_standard_errors", "allocate_shares",
           "wrong_mean_control", "near_miss_shift", "near_miss_record"]

#: The nominal level of a claim's positive z-tests (all of them together).
NOMINAL_ALPHA = 1e-7
#: Draws of the pilot sample that estimates the summands' skewness and kurtosis.
PILOT_DRAWS = 20_000
#: The fractions of the claim's budget 1e-6 spent by its z-tests and by its Monte Carlo near miss.
MONTE_CARLO_SHARE, NEAR_MISS_SHARE = 0.5, 0.5
#: The near miss's distance from the truth, as a fraction of the detectable discrepancy.
NEAR_MISS_FRACTION = 0.02
#: Largest Edgeworth inflation of the nominal level that the design accepts (the share covers 5e-7).
MAX_INFLATION = 5.0


def pilot_tails(draws) -> dict:
    """Largest |skewness| and excess kurtosis over the entries of ``draws`` (shape ``(m, ...)``)."""
    flat = np.asarray(draws, dtype=float).reshape(len(draws), -1)
    return {"pilot_draws": int(flat.shape[0]), "skewness_max": float(np.max(np.abs(skew(flat, axis=0)))),
            "excess_kurtosis_max": float(np.max(kurtosis(flat, axis=0)))}


def edgeworth_inflation(skewness: float, excess_kurtosis: float, n: int, z: float) -> float:
    """``P(|T| > z) / (2 Phi(-z))`` for the studentized mean of ``n`` draws, second-order Edgeworth, at least 1."""
    p2 = z * (excess_kurtosis * (z * z - 3) / 12 - skewness ** 2 * (z ** 4 + 2 * z * z - 3) / 18 - (z * z + 3) / 4)
    mills = float(norm.pdf(z) / norm.sf(z))
    return max(1.0, 1.0 - p2 * mills / n)


def miss_probability(shift: float, z_critical: float) -> float:
    """Probability that ``|Z + shift| <= z_critical`` (a two-sided z-test misses a true shift of ``shift`` se)."""
    return float(norm.cdf(z_critical - shift) - norm.cdf(-z_critical - shift))


def shift_in_standard_errors(moments, expected, claimed) -> float:
    """Largest ``|claimed - expected| / se`` over the entries: how far a control sits from the truth."""
    se = np.atleast_1d(moments.standard_error)
    difference = np.atleast_1d(np.asarray(claimed, dtype=float) - np.asarray(expected, dtype=float))
    return float(np.max(np.abs(difference) / se))


def allocate_shares(claim) -> None:
    """Reserve this design's two shares (``monte-carlo``, ``near-misses``) in ``claim``'s budget."""
    claim.allocate("monte-carlo", MONTE_CARLO_SHARE)
    claim.allocate("near-misses", NEAR_MISS_SHARE)


def wrong_mean_control(name, passed, moments, expected, claimed, z_critical, z_max, distance) -> dict:
    """The record of a wrong mean ``claimed`` (the truth is ``expected``) run through the z-tests: whether they
    rejected it, its shift in standard errors and the probability that it escapes (:func:`miss_probability`)."""
    shift = shift_in_standard_errors(moments, expected, claimed)
    return {"name": "MC: " + name, "rejected": not passed, "z_max": z_max, "shift_in_standard_errors": shift,
            "distance_from_boundary": distance, "miss_probability": miss_probability(shift, z_critical)}


def near_miss_shift(z_critical: float) -> float:
    """The near miss's shift in standard errors: :data:`NEAR_MISS_FRACTION` of the detectable discrepancy
    (``z_critical + z_power`` standard errors at :data:`checks.stats.DEFAULT_POWER`)."""
    return NEAR_MISS_FRACTION * (z_critical + float(norm.isf(1 - DEFAULT_POWER)))


def near_miss_record(name: str, passed: bool, entries: int, shift: float, z_critical: float, inflation: float,
                     **extra) -> dict:
    """The record of a near miss ``shift`` standard errors off in ``entries`` entries: whether it passed and its
    failure probability (union over the entries of ``1 - miss``, times the Edgeworth ``inflation`` of the tails)."""
    failure = entries * (1 - miss_probability(shift, z_critical)) * inflation
    return {"name": "MC: " + name, "passed": passed, "shift_in_standard_errors": shift, **extra,
            "failure_probability": failure, "edgeworth_inflation": inflation,
            "distance_from_boundary": f"{NEAR_MISS_FRACTION:g} x detectable discrepancy"}
