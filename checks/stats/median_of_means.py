"""Median of means: a test of a mean valid for any distribution with a known (or bounded) variance.

Why: the z-tests of :mod:`checks.stats.normal` rest on a normal (or Edgeworth) approximation of the
studentized mean, which fails in the far tails for heavy-tailed draws (the dense S-SAM loss, a degree
``2L`` polynomial in Gaussians; second moments of linearized SGD, products of random matrices).  This
test needs only the standard deviation ``sigma`` of one draw, exact or an upper bound (a larger
``sigma`` only widens the test).

Design.  ``k`` (odd) independent blocks of ``b`` draws; statistic: the median of the block means.  A
block mean misses the true mean ``mu`` by more than ``r = u sigma / sqrt(b)`` with probability at most
``p``, by one of two inequalities (:data:`INEQUALITIES`):

* ``"cantelli"`` (one-sided): ``P(block mean - mu >= r) <= 1 / (1 + u^2)`` on each side, and the
  level ``alpha / 2`` is spent per side;
* ``"chebyshev"`` (two-sided): ``P(|block mean - mu| > r) <= 1 / u^2``, the level ``alpha`` on both sides.

The median misses by more than ``r`` only if at least ``(k+1)/2`` blocks do, so the false-failure
probability is at most ``P(Binomial(k, p) >= (k+1)/2)``, computed exactly (``I_p((k+1)/2, (k+1)/2)``,
the regularized incomplete beta function); :func:`median_of_means_design` picks the ``k`` that minimizes
the radius ``u sqrt(k)`` (in units of ``sigma / sqrt(kb)``).  At ``alpha = 1e-6``: Cantelli ``k = 33``,
``u = 2.45``, radius ``14.1 sigma / sqrt(n)`` (a z-test's: ``4.9``); at ``1e-7`` Chebyshev ``k = 31``,
``q = 0.12``, ``16.0 sigma / sqrt(n)``.  That factor ~3 is the price of no normal approximation.

Power and controls (one-sided Cantelli, whatever the design, valid for any law with that ``sigma``):
:func:`deviation_probability` bounds ``P(median - mu >= t)``; a claimed value at ``distance`` from the
truth passes with probability at most :func:`miss_probability` (a negative control's cost) and, if inside
the radius, fails with probability at most :func:`failure_probability` (a near miss's cost).

Two entry points with the outputs the claims use: :func:`assert_mean_by_median_of_means` (block means
given, one statistic) and :func:`median_of_means_interval` (draws given, entries tested separately with
Bonferroni).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import betaincinv
from scipy.stats import binom

from .normal import DEFAULT_ALPHA, DEFAULT_POWER

__all__ = ["INEQUALITIES", "MedianOfMeansDesign", "median_of_means_design", "block_means", "median_of_means_radius",
           "deviation_probability", "miss_probability", "failure_probability", "assert_mean_by_median_of_means",
           "median_of_means_interval"]

#: Per-block inequalities: ``"cantelli"`` (one-sided, alpha / 2 per side), ``"chebyshev"`` (two-sided).
INEQUALITIES = ("cantelli", "chebyshev")
#: The odd numbers of blocks searched by each design (the ranges the claims were designed with).
_BLOCK_RANGES = {"cantelli": range(5, 201, 2), "chebyshev": range(1, 152, 2)}


@dataclass(frozen=True)
class MedianOfMeansDesign:
    """``blocks`` (odd) and the per-block miss probability ``per_block`` that give the level ``alpha``.

    ``radius_multiple`` ``u``: the radius is ``u sigma / sqrt(block size)``; ``power_multiple`` ``v``:
    a true mean ``(u + v) sigma / sqrt(b)`` away is rejected with probability ``>= power`` (Cantelli).
    """

    blocks: int
    per_block: float
    radius_multiple: float
    power_multiple: float
    alpha: float
    power: float
    inequality: str

    @property
    def majority(self) -> int:
        """Blocks that must miss for the median to miss: ``(k + 1) / 2``."""
        return (self.blocks + 1) // 2

    def __getitem__(self, key):  # the dict interface of the former checks.beyond.median_of_means design
        legacy = {"groups": self.blocks, "critical_multiple": self.radius_multiple}
        return legacy[key] if key in legacy else getattr(self, key)


def _majority_quantile(blocks: int, probability: float) -> float:
    """The per-block ``p`` with ``P(Binomial(blocks, p) >= (blocks+1)/2) = probability`` (a beta quantile)."""
    need = (blocks + 1) // 2
    return float(betaincinv(need, blocks - need + 1, probability))


def _cantelli_multiple(p: float) -> float:
    return float(np.sqrt(1.0 / p - 1.0))


@lru_cache(maxsize=64)
def median_of_means_design(alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER,
                           inequality: str = "cantelli") -> MedianOfMeansDesign:
    """The number of blocks minimizing the radius at level ``alpha`` (two-sided), and its multiples.

    ``ValueError`` for ``alpha`` outside ``(0, 0.5)``, ``power`` outside ``(0, 1)`` or an unknown ``inequality``.
    """
    if inequality not in INEQUALITIES:
        raise ValueError(f"inequality must be one of {INEQUALITIES}, got {inequality!r}")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 0.5), got {alpha}")
    if not 0 < power < 1:
        raise ValueError(f"power must be in (0, 1), got {power}")
    best = None
    for k in _BLOCK_RANGES[inequality]:
        if inequality == "cantelli":
            p = _majority_quantile(k, alpha / 2)
            u = _cantelli_multiple(p)
        else:
            p = min(_majority_quantile(k, alpha), 0.5)
            u = float(1 / np.sqrt(p))
        if best is None or u * u * k < best[0]:
            best = (u * u * k, k, p, u)
    _, k, p, u = best
    return MedianOfMeansDesign(blocks=k, per_block=p, radius_multiple=u,
                               power_multiple=_cantelli_multiple(_majority_quantile(k, 1 - power)),
                               alpha=float(alpha), power=float(power), inequality=inequality)


def block_means(draws, blocks: int) -> tuple[np.ndarray, int]:
    """Means of ``blocks`` consecutive blocks of ``draws`` (axis 0; a remainder is dropped) and the block size."""
    x = np.asarray(draws, dtype=float)
    b = x.shape[0] // blocks
    if b < 1:
        raise ValueError(f"draws: need at least {blocks} samples, got {x.shape[0]}")
    return x[: blocks * b].reshape(blocks, b, *x.shape[1:]).mean(axis=1), b


def median_of_means_radius(sigma, block_size: int, design: MedianOfMeansDesign):
    """The radius ``u sigma / sqrt(b)`` (Chebyshev: written ``sigma / sqrt(b q)``, the same number)."""
    sigma = np.asarray(sigma, dtype=float)
    if design.inequality == "chebyshev":
        return sigma / np.sqrt(block_size * design.per_block)
    return design.radius_multiple * sigma / np.sqrt(block_size)


def deviation_probability(deviation, sigma, block_size: int, design: MedianOfMeansDesign) -> float:
    """An upper bound on ``P(median - mu >= deviation)`` (and on the other side), ``deviation > 0``.

    Cantelli per block: ``p = 1 / (1 + (deviation sqrt(b) / sigma)^2)``; the median deviates only if a
    majority of blocks do: ``P(Binomial(k, p) >= (k+1)/2)``.  1 for ``deviation <= 0``.
    """
    deviation, sigma = float(deviation), float(sigma)
    if deviation <= 0:
        return 1.0
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    u = deviation * np.sqrt(block_size) / sigma
    return float(binom.sf(design.majority - 1, design.blocks, 1.0 / (1.0 + u * u)))


def miss_probability(distance, sigma, block_size: int, design: MedianOfMeansDesign, radius=None) -> float:
    """Probability that a claimed value ``distance`` from the true mean is *not* rejected (at most).

    It passes only if the median deviates from the truth by at least ``|distance| - radius`` toward it.
    """
    radius = median_of_means_radius(sigma, block_size, design) if radius is None else radius
    return deviation_probability(abs(float(distance)) - float(radius), sigma, block_size, design)


def failure_probability(distance, sigma, block_size: int, design: MedianOfMeansDesign, radius=None) -> float:
    """Probability that a claimed value ``distance`` inside the radius is rejected (at most): a near miss's cost.

    It fails if the median deviates by more than ``radius - |distance|`` toward one side or
    ``radius + |distance|`` toward the other.  1 if ``|distance| >= radius``.
    """
    radius = float(median_of_means_radius(sigma, block_size, design) if radius is None else radius)
    gap = radius - abs(float(distance))
    if gap <= 0:
        return 1.0
    return min(1.0, deviation_probability(gap, sigma, block_size, design)
               + deviation_probability(radius + abs(float(distance)), sigma, block_size, design))


def assert_mean_by_median_of_means(block_means_, claimed_mean: float, sigma: float, block_size: int,
                                   design: MedianOfMeansDesign, seed=None) -> tuple[bool, dict]:
    """Test ``E[draw] == claimed_mean`` from the ``design.blocks`` block means of ``block_size`` draws each.

    Passes iff ``|median - claimed_mean| <= radius``; ``(passed, detail)``.  The detail reports the radius
    (``critical_distance``), the statistic in standard errors of the overall mean (``z_max``, compared with
    ``z_critical = u sqrt(k)``, not with a normal quantile), the level and the detectable discrepancy
    ``(u + v) sigma / sqrt(b)``.
    """
    means = np.asarray(block_means_, dtype=float)
    if means.shape != (design.blocks,):
        raise ValueError(f"group_means must hold {design.blocks} group means, got shape {means.shape}")
    if not sigma > 0:
        raise ValueError(f"sigma must be > 0, got {sigma}")
    root_m = np.sqrt(block_size)
    critical = design.radius_multiple * sigma / root_m
    median = float(np.median(means))
    passed = abs(median - claimed_mean) <= critical
    standard_error = sigma / np.sqrt(design.blocks * block_size)  # of the mean of all draws
    return bool(passed), {
        "test": f"median of means, {design.inequality.capitalize()} per group + exact binomial over groups "
                "(distribution-free)",
        "samples": int(design.blocks * block_size), "groups": design.blocks, "group_size": int(block_size),
        "seed": seed, "statistic": "median of group means", "median_of_means": median, "claimed_mean": claimed_mean,
        "sigma_exact": sigma, "critical_distance": critical, "distance": abs(median - claimed_mean),
        "ratio_to_critical": abs(median - claimed_mean) / critical,
        "z_max": abs(median - claimed_mean) / standard_error,
        "z_critical": critical / standard_error,
        "z_note": "z = |median - claimed| / (sigma / sqrt(n)), in standard errors of the overall mean; the "
                  "verdict compares it with z_critical = u sqrt(k) (distribution-free), not with a normal quantile",
        "false_failure_probability": design.alpha, "power": design.power,
        "detectable_discrepancy": (design.radius_multiple + design.power_multiple) * sigma / root_m,
    }


def median_of_means_interval(draws, sigma, alpha: float, inequality: str = "chebyshev") -> dict:
    """Median of means of ``draws`` (axis 0; trailing entries tested separately) with radius ``r``.

    ``sigma``: the standard deviation of one draw per entry (exact, or an upper bound).  Each entry's
    interval ``[median - r, median + r]`` holds the true mean with probability ``>= 1 - alpha / entries``
    (Bonferroni), so all of them with ``>= 1 - alpha``.  Returns ``median``, ``radius``, ``blocks``,
    ``block_size``, ``chebyshev_level`` (the per-block miss probability), ``sample_size``,
    ``false_failure_probability``, ``detectable_discrepancy`` (``2 r``: detected with probability
    ``>= 1 - alpha / entries``), ``design`` and ``test``.
    """
    x = np.asarray(draws, dtype=float)
    entries = int(np.prod(x.shape[1:])) if x.ndim > 1 else 1
    design = median_of_means_design(alpha / entries, inequality=inequality)
    means, b = block_means(x, design.blocks)
    radius = median_of_means_radius(sigma, b, design)
    return {"median": np.median(means, axis=0), "radius": radius, "blocks": design.blocks, "block_size": b,
            "chebyshev_level": design.per_block, "sample_size": int(design.blocks * b),
            "false_failure_probability": alpha, "detectable_discrepancy": 2 * radius, "design": design,
            "test": f"median of means, {inequality.capitalize()} per block with the exact variance, exact binomial "
                    "over blocks"}
