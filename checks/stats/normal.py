"""z-tests of Monte Carlo means: the normal approximation, with Edgeworth tails when the draws' shape is known.

* :func:`assert_means_equal`: two-sided z-test per entry, Bonferroni over the ``k`` entries
  (each at ``alpha / k``).  With :class:`~checks.stats.edgeworth.ShapedMoments` (skewness and
  kurtosis of the draws) the critical value is the one whose two-term Edgeworth tail is
  ``alpha / k`` (:func:`~checks.stats.edgeworth.studentized_critical_value`), and the test refuses
  draws too heavy-tailed for the expansion; with plain ``Moments`` it is the normal quantile.
* :func:`assert_within_tolerance`: a vector mean within a tolerance of a reference at every record.
* :func:`detectable_discrepancy`, :func:`samples_needed`: the power side (TFP style):
  ``delta = (z_{alpha/(2k)} + z_{1-power}) se``; :func:`miss_probability`: the probability that a
  wrong expected value at a known distance is *not* rejected (a negative control's share of the
  false-failure budget).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from .edgeworth import MAX_RELATIVE_CORRECTION, edgeworth_tail, studentized_critical_value

__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_POWER",
    "z_critical",
    "detectable_discrepancy",
    "samples_needed",
    "assert_means_equal",
    "assert_within_tolerance",
    "miss_probability",
    "rejection_probability",
    "studentized_tail",
]

#: Declared false-failure probability of every Monte Carlo check.
DEFAULT_ALPHA = 1e-6
#: Probability of detecting a discrepancy of the reported size.
DEFAULT_POWER = 0.99


def z_critical(alpha: float = DEFAULT_ALPHA, k: int = 1) -> float:
    """Two-sided critical value at level ``alpha / k`` (Bonferroni over ``k`` entries)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return float(norm.isf(alpha / (2 * k)))


def detectable_discrepancy(se, alpha: float = DEFAULT_ALPHA, k: int = 1, power: float = DEFAULT_POWER):
    """Smallest error detected with probability ``>= power``: ``(z_crit + z_power) * se``."""
    return (z_critical(alpha, k) + float(norm.isf(1 - power))) * np.asarray(se)


def samples_needed(sigma, delta, alpha: float = DEFAULT_ALPHA, k: int = 1,
                   power: float = DEFAULT_POWER) -> int:
    """Draws needed to detect an error ``delta`` when one draw has standard deviation ``sigma``."""
    z = z_critical(alpha, k) + float(norm.isf(1 - power))
    return int(math.ceil((z * float(np.max(sigma)) / float(delta)) ** 2))


def _entry_critical_values(moments, alpha, k, n):
    """Per-entry two-sided critical values at ``alpha / k``: Edgeworth if the draws' shape is known."""
    skewness = getattr(moments, "skewness", None)
    if skewness is None:
        return np.full(k, z_critical(alpha, k)), None
    skewness = np.broadcast_to(np.atleast_1d(np.asarray(skewness, dtype=float)), (k,))
    kurtosis = np.broadcast_to(np.atleast_1d(np.asarray(moments.kurtosis, dtype=float)), (k,))
    designs = [studentized_critical_value(alpha / k, n, g, kap) for g, kap in zip(skewness, kurtosis)]
    return (np.array([d["critical_value"] for d in designs]),
            {"skewness": skewness.tolist(), "excess_kurtosis": kurtosis.tolist(),
             "normal_critical_value": designs[0]["normal_critical_value"],
             "edgeworth_relative_correction": [max(d["tail"]["relative_correction_1"],
                                                   d["tail"]["relative_correction_2"]) for d in designs]})


def assert_means_equal(moments, expected, alpha: float = DEFAULT_ALPHA,
                       power: float = DEFAULT_POWER) -> tuple[bool, dict]:
    """z-test of ``E[draw] == expected`` entrywise, with Bonferroni over the entries.

    ``moments`` is a :class:`numeric.montecarlo.Moments` (normal quantiles) or a
    :class:`checks.stats.edgeworth.ShapedMoments` (critical values from the Edgeworth tail of
    each entry's draws; ``ValueError`` if they are too heavy-tailed for it).  Returns
    ``(passed, detail)``; ``detail`` reports the sample size, the seed, the largest |z|, the
    critical value (the largest over entries), the standard errors, the false-failure
    probability and the detectable discrepancy (absolute, largest over entries).
    """
    mean = np.atleast_1d(np.asarray(moments.mean, dtype=float))
    expected = np.broadcast_to(np.asarray(expected, dtype=float), mean.shape)
    se = np.atleast_1d(moments.standard_error)
    if np.any(se <= 0):
        raise ValueError("a Monte Carlo estimator has zero variance: the test is degenerate")
    k = mean.size
    z = (mean - expected) / se
    critical, shape = _entry_critical_values(moments, alpha, k, int(moments.n))
    passed = bool(np.all(np.abs(z).ravel() <= critical))
    worst = int(np.argmax(np.abs(z)))
    z_power = float(norm.isf(1 - power))
    detail = {
        "test": "two-sided z-test per entry, Bonferroni over entries"
                + ("; Edgeworth critical values from the draws' skewness and kurtosis" if shape else ""),
        "samples": int(moments.n),
        "seed": moments.seed,
        "entries": int(k),
        "false_failure_probability": alpha,
        "z_max": float(np.abs(z).max()),
        "z_critical": float(critical.max()),
        "worst_entry": worst,
        "standard_error_max": float(se.max()),
        "standard_error_min": float(se.min()),
        "detectable_discrepancy": float(((critical + z_power) * se.ravel()).max()),
        "power": power,
        "max_abs_error": float(np.abs(mean - expected).max()),
    }
    if shape:
        detail["z_critical_by_entry"] = critical.tolist()
        detail["shape"] = shape
    return passed, detail


def studentized_tail(x, side: str, n=None, skewness=0.0, kurtosis=0.0) -> float:
    """An upper bound for ``P(T > x)`` (``side="upper"``) or ``P(T < -x)`` (``"lower"``), ``x >= 0``.

    Without ``n``: the normal tail.  With the draws' ``n``, skewness and kurtosis: the larger of
    the normal and the Edgeworth tail (:func:`checks.stats.edgeworth.edgeworth_tail`) where the
    expansion is credible (corrections at most ``MAX_RELATIVE_CORRECTION`` of the normal tail);
    beyond, the tail is decreasing in ``x``, so its value at the largest credible point bounds it.
    """
    x = max(float(x), 0.0)
    if n is None:
        return float(norm.sf(x))

    def credible(t):
        tail = edgeworth_tail(t, int(n), float(skewness), float(kurtosis), side)
        return max(tail["relative_correction_1"], tail["relative_correction_2"]) <= MAX_RELATIVE_CORRECTION, tail

    ok, tail = credible(x)
    if not ok:
        lo, hi = 0.0, x
        for _ in range(40):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if credible(mid)[0] else (lo, mid)
        tail = credible(lo)[1]
    return float(min(1.0, max(tail["edgeworth"], tail["normal"])))


def miss_probability(distance, standard_error, critical_value, n=None, skewness=0.0, kurtosis=0.0) -> float:
    """Probability that a two-sided z-test at ``critical_value`` does *not* reject a value ``distance`` from the truth.

    ``distance = candidate - true mean`` (signed).  The studentized deviation ``T`` of the
    estimate from the truth must land in ``[s - c, s + c]``, ``s = distance / standard_error``:
    for ``s > c`` at most the upper tail at ``s - c``, for ``s < -c`` the lower tail at
    ``-s - c`` (:func:`studentized_tail`, Edgeworth with the draws' shape if ``n`` is given).
    A negative control's share of the false-failure probability.
    """
    s = float(distance) / float(standard_error)
    c = float(critical_value)
    if s > c:
        return studentized_tail(s - c, "upper", n, skewness, kurtosis)
    if s < -c:
        return studentized_tail(-s - c, "lower", n, skewness, kurtosis)
    return 1.0


def rejection_probability(distance, standard_error, critical_value, n=None, skewness=0.0, kurtosis=0.0) -> float:
    """Probability that a two-sided z-test at ``critical_value`` rejects a value ``distance`` from the truth.

    For ``|s| < c`` (``s = distance / standard_error``): ``P(T > c + s) + P(T < -(c - s))``,
    bounded above by :func:`studentized_tail`.  A near-miss's false-failure probability.
    """
    s = float(distance) / float(standard_error)
    c = float(critical_value)
    if abs(s) >= c:
        return 1.0
    return min(1.0, studentized_tail(c + s, "upper", n, skewness, kurtosis)
               + studentized_tail(c - s, "lower", n, skewness, kurtosis))


def assert_within_tolerance(mean, se, reference, tol, alpha: float = DEFAULT_ALPHA,
                            power: float = DEFAULT_POWER, seeds=None, dof=None) -> tuple[bool, dict]:
    """One-sided test that a Monte Carlo mean stays within ``tol`` of ``reference`` (Euclidean).

    ``mean``, ``se`` and ``reference`` have shape ``(R, ...)``: ``R`` records (times) of a
    vector-valued estimate and its entrywise standard errors.  The claim is
    ``||E[mean_t] - reference_t|| <= tol`` for every record ``t``.  With probability
    ``>= 1 - alpha`` every entry's error is below ``z * se`` (Bonferroni over all ``k`` entries,
    ``z = z_{alpha/(2k)}``), hence ``||mean_t - E mean_t|| <= z ||se_t||``; the check fails iff
    ``||mean_t - reference_t|| - z ||se_t|| > tol`` for some ``t``.  So the false-failure
    probability is at most ``alpha`` whenever the claim holds, and a true distance above
    ``tol + (z + z_power) ||se_t||`` is detected (reported as ``detectable_distance``).
    With ``dof`` (few independent runs, standard errors estimated from ``dof + 1`` of them)
    Student's t quantile with ``dof`` degrees of freedom replaces the normal one.
    """
    mean, se, reference = (np.asarray(a, dtype=float) for a in (mean, se, reference))
    R = mean.shape[0]
    k = mean.size
    z = z_critical(alpha, k) if dof is None else float(student_t.isf(alpha / (2 * k), dof))
    dist = np.sqrt(np.sum((mean - reference).reshape(R, -1) ** 2, axis=1))
    se_norm = np.sqrt(np.sum(se.reshape(R, -1) ** 2, axis=1))
    excess = dist - z * se_norm
    passed = bool(np.all(excess <= tol))
    return passed, {
        "test": "one-sided: distance minus z * ||se|| <= tol at every record (Bonferroni over entries"
                + (f"; Student t with {dof} degrees of freedom)" if dof is not None else ")"),
        "records": int(R), "entries": int(k), "seeds": seeds, "tolerance": float(tol),
        "max_distance": float(dist.max()), "max_distance_minus_margin": float(excess.max()),
        "standard_error_norm_max": float(se_norm.max()), "z_critical": z,
        "false_failure_probability": alpha, "power": power,
        "detectable_distance": float(tol + (z + float(norm.isf(1 - power))) * se_norm.max()),
    }


