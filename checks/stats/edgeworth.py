"""Tails of the studentized mean beyond the normal approximation (Edgeworth), and the draws' shape.

The z-tests of :mod:`checks.stats.normal` compare ``T = (mean - mu) / se`` (``se`` from the
sample variance) with a normal quantile.  For skewed, heavy-tailed draws (products of
Gaussians, Student inputs, fourth powers) ``T`` is far from normal in the tails that a level of
``1e-7`` uses.  The two-term Edgeworth expansion of Student's t statistic (Hall 1987; Hall,
*The Bootstrap and Edgeworth Expansion*, 1992, Sec. 2.6) quantifies it::

    P(T <= x) = Phi(x) + n^{-1/2} q1(x) phi(x) + n^{-1} q2(x) phi(x) + o(1/n),
    q1(x) = gamma (2 x^2 + 1) / 6,
    q2(x) = x [ kappa (x^2 - 3) / 12 - gamma^2 (x^4 + 2 x^2 - 3) / 18 - (x^2 + 3) / 4 ],

with ``gamma`` the skewness and ``kappa`` the excess kurtosis of one draw.  Two-sided,
``P(|T| > c) = 2 Phi(-c) - 2 q2(c) phi(c) / n``: for right-skewed draws the relative excess
grows like ``gamma^2 c^6 / (18 n)`` (``gamma = 10``, ``c = 5.3``, ``n = 2e5``: about 0.8).

:func:`studentized_critical_value` returns the critical value whose Edgeworth tail is the
requested level (never below the normal one), and refuses (``ValueError``) when a correction
term exceeds half of the leading term: there the expansion itself is not to be trusted and
the design needs more draws or lighter-tailed draws (conditional Monte Carlo).
:func:`sample_shaped_moments` draws the sample moments together with each entry's skewness
and excess kurtosis (:class:`ShapedMoments`), which :func:`checks.stats.assert_means_equal`
then uses.  The calibration (``scripts/calibrate_statistics.py``, ``docs/statistics.md``)
measures the resulting rejection rates on the real statistics.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, ndtr, ndtri

from numeric.montecarlo import Moments, sample_moments

__all__ = ["SIDES", "MAX_RELATIVE_CORRECTION", "edgeworth_tail", "studentized_critical_value", "ShapedMoments",
           "sample_shaped_moments", "shape_of"]

SIDES = ("two-sided", "upper", "lower")
#: A correction term of the expansion may be at most this fraction of the normal tail (else: refuse).
MAX_RELATIVE_CORRECTION = 0.5


_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _polynomials(x, skewness, kurtosis):
    q1 = skewness * (2 * x * x + 1) / 6
    q2 = x * (kurtosis * (x * x - 3) / 12 - skewness**2 * (x**4 + 2 * x * x - 3) / 18 - (x * x + 3) / 4)
    return q1, q2


def edgeworth_tail(c, n, skewness=0.0, kurtosis=0.0, side: str = "two-sided") -> dict:
    """Tail probability of Student's t statistic of ``n`` draws at ``c >= 0`` by the two-term expansion.

    ``side``: ``"two-sided"`` ``P(|T| > c)``, ``"upper"`` ``P(T > c)``, ``"lower"`` ``P(T < -c)``.
    Returns ``{"normal", "edgeworth", "relative_correction_1", "relative_correction_2"}``: the normal
    tail, the expansion's (at least 0) and the size of each correction term relative to the normal tail.
    """
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, got {side!r}")
    if not (math.isfinite(c) and c >= 0):
        raise ValueError(f"c must be finite and >= 0, got {c}")
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    q1, q2 = _polynomials(float(c), float(skewness), float(kurtosis))
    upper = float(ndtr(-c))
    mills = math.exp(-0.5 * c * c - _LOG_SQRT_2PI - float(log_ndtr(-c)))  # phi(c) / Phi(-c), stable for large c
    first = q1 * mills / math.sqrt(n)  # n^{-1/2} q1 phi / Phi(-c)
    second = q2 * mills / n
    if side == "two-sided":
        normal, relative_1, relative_2 = 2 * upper, 0.0, -second
    elif side == "upper":
        normal, relative_1, relative_2 = upper, -first, -second
    else:
        normal, relative_1, relative_2 = upper, first, -second
    return {"normal": normal, "edgeworth": max(normal * (1 + relative_1 + relative_2), 0.0),
            "relative_correction_1": abs(relative_1), "relative_correction_2": abs(relative_2)}


def studentized_critical_value(alpha: float, n: int, skewness=0.0, kurtosis=0.0, side: str = "two-sided") -> dict:
    """The critical value ``c`` with Edgeworth tail ``alpha`` (and never below the normal quantile).

    Raises ``ValueError`` when at that ``c`` a correction term of the expansion exceeds
    :data:`MAX_RELATIVE_CORRECTION` of the normal tail: the draws are too heavy-tailed for
    ``n`` at this level.  Returns ``{"critical_value", "normal_critical_value", "tail"}``
    (``tail``: :func:`edgeworth_tail` at the critical value).
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    normal_c = float(-ndtri(alpha / 2 if side == "two-sided" else alpha))
    lo, hi = normal_c, normal_c + 8.0
    if edgeworth_tail(lo, n, skewness, kurtosis, side)["edgeworth"] > alpha:
        for _ in range(45):  # bisection to 2e-13: the tail decreases in c over this bracket
            mid = (lo + hi) / 2
            if edgeworth_tail(mid, n, skewness, kurtosis, side)["edgeworth"] > alpha:
                lo = mid
            else:
                hi = mid
        c = hi
    else:
        c = normal_c
    tail = edgeworth_tail(c, n, skewness, kurtosis, side)
    worst = max(tail["relative_correction_1"], tail["relative_correction_2"])
    if worst > MAX_RELATIVE_CORRECTION:
        raise ValueError(
            f"draws too heavy-tailed for a z-test at level {alpha:.1e} with n = {n}: skewness {skewness:.3g}, "
            f"excess kurtosis {kurtosis:.3g}; the Edgeworth correction is {worst:.2f} of the normal tail "
            f"(at most {MAX_RELATIVE_CORRECTION}); use more draws or lighter-tailed (conditional) draws")
    return {"critical_value": float(c), "normal_critical_value": normal_c, "tail": tail}


@dataclass
class ShapedMoments(Moments):
    """:class:`numeric.montecarlo.Moments` plus each entry's ``skewness`` and excess ``kurtosis`` (the sample's, or
    the law's where known exactly; then the sample's are kept in ``sample_skewness`` and ``sample_kurtosis``)."""

    skewness: np.ndarray | None = None
    kurtosis: np.ndarray | None = None
    sample_skewness: np.ndarray | None = None
    sample_kurtosis: np.ndarray | None = None


def shape_of(x, axis=0) -> tuple[np.ndarray, np.ndarray]:
    """Sample skewness and excess kurtosis of draws ``x`` along ``axis`` (moment estimators)."""
    x = np.asarray(x, dtype=float)
    d = x - x.mean(axis=axis, keepdims=True)
    m2 = np.mean(d * d, axis=axis)
    m3 = np.mean(d**3, axis=axis)
    m4 = np.mean(d**4, axis=axis)
    return m3 / m2**1.5, m4 / (m2 * m2) - 3.0


def sample_shaped_moments(sampler, m, seed=0, centre=0.0, chunk=16384, workers=2) -> ShapedMoments:
    """:func:`numeric.montecarlo.sample_moments` of ``sampler``'s draws with their skewness and kurtosis.

    Draws ``x`` (``(k, e)`` or ``(k,)``) and, on the same random numbers, the powers of
    ``x - centre`` up to 4; the central moments follow by the binomial shift from ``centre`` to
    the sample mean (``centre`` near the mean, e.g. the value under test, keeps the shift exact
    to rounding).  The numbers depend only on ``(seed, m, chunk)`` as in ``sample_moments``.
    """
    centre = np.asarray(centre, dtype=float)
    shape = {}

    def with_powers(rng, k, scratch):
        x = np.asarray(sampler(rng, k, scratch), dtype=float)
        shape.setdefault("ndim", x.ndim)
        x = x.reshape(k, -1)
        d = x - centre.reshape(1, -1)
        d2 = d * d
        return np.concatenate([x, d, d2, d2 * d, d2 * d2], axis=1)

    raw = sample_moments(with_powers, m, seed=seed, chunk=chunk, workers=workers)
    e = raw.mean.shape[0] // 5
    mean, a1, a2, a3, a4 = (raw.mean[j * e:(j + 1) * e] for j in range(5))
    mu2 = a2 - a1 * a1
    mu3 = a3 - 3 * a1 * a2 + 2 * a1**3
    mu4 = a4 - 4 * a1 * a3 + 6 * a1 * a1 * a2 - 3 * a1**4
    var = raw.var[:e]
    skewness = mu3 / np.maximum(mu2, 1e-300) ** 1.5
    kurtosis = mu4 / np.maximum(mu2 * mu2, 1e-300) - 3.0
    if shape.get("ndim", 2) == 1:
        mean, var, skewness, kurtosis = (np.asarray(v[0]) for v in (mean, var, skewness, kurtosis))
    return ShapedMoments(n=raw.n, mean=mean, var=var, seed=raw.seed, chunk=raw.chunk, skewness=skewness,
                         kurtosis=kurtosis)
