"""The negative controls and near-misses of Lemma 2.3, each through the same check as the positive evidence.

* **Fourth-moment factor** (:func:`fourth_moment_controls`): the draws of
  :data:`~checks.section2.pacbayes_moment_cases.K4_CONTROL_CASE` (``t_40`` inputs, where
  ``k4 E Q^2`` is 99 % of ``E l^2``) test ``E l^2`` computed with a wrong ``k4``: the
  Gaussian 3 (5.3 % low), ``k4`` 5 % high and 2.5 % low must be rejected; ``k4`` shifted by
  0.2 standard errors of the estimate (a near-miss: the largest shift whose failure
  probability fits the budget) must pass.  Each records its distance in standard errors and
  its miss (or failure) probability from the Edgeworth tail of the draws.
* **Coverage** (:func:`coverage_controls`): the bound without its KL term, without
  ``log(1/delta)`` and with the rate ``1/n`` must be violated significantly more often than
  ``delta`` where they should be (:data:`~checks.section2.pacbayes_scenarios.CONTROLS`); and at
  the boundary, the stated bound lowered by a constant so that it is violated at 1.75 times the
  rate the check detects with probability 0.99 (about ``3-4 delta``) must be rejected, lowered so
  that it is violated at ``delta / 2`` must pass (the shifts from an independent pilot run,
  :func:`~checks.section2.pacbayes_scenarios.pilot_slack`).  Miss probabilities are exact
  binomial ones at a conservative plug-in rate (lower confidence bound at ``1 - 1e-9``).
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.stats import binom

from numeric.montecarlo import clopper_pearson
from numeric.pacbayes.coverage import coverage_summary

from ..stats import assert_rate_at_most, miss_probability, rate_miss_probability, rate_rejection_count
from ..stats import rejection_probability
from .pacbayes_moment_cases import (K4_CONTROL_CASE, MC_CASES, MONTE_CARLO_STUDENT_NU, check_loss_moments,
                                    closed_form_moments, fourth_moment_factor_exact, loss_moment_draws,
                                    second_moment_with_k4)
from .pacbayes_scenarios import BOUNDARY_SCENARIO, CONTROLS, pilot_slack, scenario

__all__ = ["fourth_moment_controls", "coverage_check", "coverage_controls", "PLUG_IN_CONFIDENCE"]

#: Confidence of the plug-in rates of the coverage controls' miss probabilities.
PLUG_IN_CONFIDENCE = 1 - 1e-9
#: The near-miss of the k4 check: this many standard errors of the E l^2 estimate.
NEAR_MISS_STANDARD_ERRORS = 0.2
#: The boundary control's violation rate, in units of the rate the coverage test detects with probability 0.99.
BOUNDARY_FACTOR = 1.75
#: The coverage near-miss's violation rate, in units of delta.
NEAR_MISS_RATE_FACTOR = 0.5


def fourth_moment_controls(ctx, alpha) -> tuple[list, list]:
    """Wrong fourth-moment factors (rejected) and a near-miss (passes), on the draws of the positive check.

    Returns ``(variants, near_misses)``: dicts with ``name``, ``rejected``, the relative error of
    ``k4``, the distance of the candidate ``E l^2`` in standard errors, and ``miss_probability``
    (variants) or ``failure_probability`` (near-misses).
    """
    _, inputs = MC_CASES[K4_CONTROL_CASE]
    k4 = fourth_moment_factor_exact(inputs, MONTE_CARLO_STUDENT_NU)
    population, second_moment = closed_form_moments(K4_CONTROL_CASE)
    moments = loss_moment_draws(ctx, K4_CONTROL_CASE)
    se = float(np.atleast_1d(moments.standard_error)[1])
    skewness, kurtosis = float(moments.skewness[1]), float(moments.kurtosis[1])
    slope = second_moment_with_k4(K4_CONTROL_CASE, k4 + 1) - second_moment_with_k4(K4_CONTROL_CASE, k4)  # E Q^2
    near_miss_factor = 1 + NEAR_MISS_STANDARD_ERRORS * se / (slope * float(k4))
    candidates = {"Gaussian k4 = 3 for t_40 inputs": sp.Integer(3), "k4 5% too large": k4 * sp.Rational(105, 100),
                  "k4 2.5% too small": k4 * sp.Rational(975, 1000),
                  "near-miss: k4 off by 0.2 standard errors": k4 * sp.nsimplify(near_miss_factor)}
    variants, near_misses = [], []
    for name, k4_candidate in candidates.items():
        candidate = second_moment_with_k4(K4_CONTROL_CASE, k4_candidate)
        ok, detail = check_loss_moments(ctx, K4_CONTROL_CASE, (population, candidate), alpha)
        distance = candidate - second_moment
        critical = detail["z_critical_by_entry"][1]
        row = {"name": name, "rejected": not ok, "k4": float(k4_candidate),
               "k4_relative_error": float(k4_candidate / k4 - 1), "distance_standard_errors": distance / se,
               "z_max": detail["z_max"], "z_critical": critical, "samples": detail["samples"],
               "seed": detail["seed"], "detectable_discrepancy": detail["detectable_discrepancy"],
               "discrepancy": distance}
        if name.startswith("near-miss"):
            row["failure_probability"] = rejection_probability(distance, se, critical, moments.n, skewness, kurtosis)
            near_misses.append(row)
        else:
            row["miss_probability"] = miss_probability(distance, se, critical, moments.n, skewness, kurtosis)
            variants.append(row)
    return variants, near_misses


def coverage_check(sim, variant="lemma-2.3", alpha=1e-6, shift=0.0) -> tuple[bool, dict]:
    """The coverage test: ``rate <= delta`` by :func:`checks.stats.assert_rate_at_most` (exact level ``alpha``)."""
    summary = coverage_summary(sim, variant, alpha, shift=shift)
    ok, test = assert_rate_at_most(summary["violations"], summary["draws"], summary["delta"], alpha)
    summary.update(test=test["test"], false_failure_probability=test["false_failure_probability"],
                   detectable_rate=test["detectable_rate"], rejection_count=test["rejection_count"])
    return ok, summary


def _plug_in_miss(violations, draws, delta, alpha) -> float:
    """Miss probability at the rate's lower confidence bound (the observed violations' own, conservative)."""
    rate_lower, _ = clopper_pearson(violations, draws, 1 - PLUG_IN_CONFIDENCE)
    return rate_miss_probability(draws, rate_lower, delta, alpha)


def coverage_controls(ctx, alpha) -> tuple[list, list]:
    """Wrong bounds and the boundary control (rejected), the near-miss (passes), by :func:`coverage_check`."""
    variants, near_misses = [], []
    for variant, name in CONTROLS:
        ok, summary = coverage_check(scenario(name, ctx), variant, alpha)
        variants.append({"name": variant, "scenario": name, "rejected": not ok,
                         "violation_rate": summary["violation_rate"], "violation_lower": summary["violation_lower"],
                         "draws": summary["draws"], "delta": summary["delta"],
                         "miss_probability": _plug_in_miss(summary["violations"], summary["draws"],
                                                           summary["delta"], alpha)})
    sim = scenario(BOUNDARY_SCENARIO, ctx)
    slack = pilot_slack(BOUNDARY_SCENARIO, ctx)
    delta, draws = sim["delta"], sim["draws"]
    _, design = assert_rate_at_most(0, draws, delta, alpha)
    for label, target in (("boundary", min(0.5, BOUNDARY_FACTOR * design["detectable_rate"])),
                          ("near-miss", NEAR_MISS_RATE_FACTOR * delta)):
        shift = float(np.quantile(slack, target))
        pilot_count = int(np.sum(slack < shift))
        pilot_lower, pilot_upper = clopper_pearson(pilot_count, slack.size, 1 - PLUG_IN_CONFIDENCE)
        ok, summary = coverage_check(sim, "lemma-2.3", alpha, shift=shift)
        row = {"name": f"{label}: bound lowered by {shift:.4g} (pilot violation rate {pilot_count / slack.size:.3f}"
                       f" = {pilot_count / slack.size / delta:.2f} delta)",
               "scenario": BOUNDARY_SCENARIO, "rejected": not ok, "shift": shift, "target_rate": target,
               "pilot_draws": int(slack.size), "pilot_rate": pilot_count / slack.size,
               "violation_rate": summary["violation_rate"], "violation_lower": summary["violation_lower"],
               "draws": draws, "delta": delta, "detectable_rate": design["detectable_rate"]}
        # the true rate lies in the pilot's bounds except with probability 1 - PLUG_IN_CONFIDENCE (added)
        if label == "near-miss":
            k_reject = rate_rejection_count(draws, delta, alpha)
            row["failure_probability"] = (float(binom.sf(k_reject - 1, draws, pilot_upper))
                                          + (1 - PLUG_IN_CONFIDENCE))
            near_misses.append(row)
        else:
            row["miss_probability"] = rate_miss_probability(draws, pilot_lower, delta, alpha) + (1 - PLUG_IN_CONFIDENCE)
            variants.append(row)
    return variants, near_misses
