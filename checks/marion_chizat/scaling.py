"""Checks of a measured law's form, shared by the Marion & Chizat claims that measure a constant.

Where the paper says "``Q <= C f(x)`` for some ``C`` depending only on ...", a claim states the form ``f``,
measures ``Q`` over a sweep, reports the constant ``C = max Q / f`` and checks the *dependence*:

* :func:`check_exponent`: along a sweep where the law is asymptotically an equality (``Q ~ c x^beta`` as
  ``x -> 0``), every local slope ``d log Q / d log x`` between consecutive sweep points must be within ``tol`` of
  the stated exponent ``beta``.  The measurements are deterministic (flows at tight tolerances, no sampling), so
  the slopes are exact up to the integration error and the remaining higher-order terms, which the tolerance
  covers; an exponent off by 10% (``beta (1 +- 0.1)``) is outside it and must be rejected;
* :func:`check_extrapolated_exponent`: where ``Q ~ c x^beta (1 + O(1/x))`` as ``x -> oo`` (depth, doubling), the
  local slopes of the last three points, Richardson-extrapolated (``2 s_2 - s_1``), must be within ``tol`` of
  ``beta``; an exponent off by 10% is outside a 3% tolerance;
* :func:`check_constant_band`: where ``C`` must not depend on a variable (condition number, depth), the constants
  ``Q / f`` of the stated form, per value of the variable, must stay within a factor ``max_spread`` of each other;
  a wrong form (``kappa^{1/2}`` instead of ``kappa``, an extra ``1/L``) multiplies them by the ratio of the sweep's
  ends to that power and leaves the band.
"""
from __future__ import annotations

import numpy as np

__all__ = ["local_slopes", "check_exponent", "check_constant_band", "check_extrapolated_exponent"]


def local_slopes(x, y) -> np.ndarray:
    """``d log y / d log x`` between consecutive points (``x``, ``y`` positive, sorted or not)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("local_slopes: x and y must be positive")
    order = np.argsort(x)
    return np.diff(np.log(y[order])) / np.diff(np.log(x[order]))


def check_exponent(x, y, exponent, tol) -> tuple[bool, dict]:
    """Every local slope of ``log y`` against ``log x`` is within ``tol`` of ``exponent``."""
    slopes = local_slopes(x, y)
    worst = float(np.max(np.abs(slopes - exponent)))
    return bool(worst <= tol), {"exponent": float(exponent), "tolerance": float(tol),
                                "local_slopes": slopes.tolist(), "worst_deviation": worst}


def check_extrapolated_exponent(x, y, exponent, tol) -> tuple[bool, dict]:
    """For ``x`` doubling (depths) and ``y ~ c x^beta (1 + O(1/x))``: the local slopes ``s_1, s_2`` of the last three
    points extrapolated to ``s_oo = 2 s_2 - s_1`` (Richardson: the ``O(1/x)`` term halves per doubling) must be within
    ``tol`` of ``exponent``."""
    order = np.argsort(np.asarray(x, dtype=float))
    x, y = np.asarray(x, dtype=float)[order][-3:], np.asarray(y, dtype=float)[order][-3:]
    if not np.allclose(x[1:] / x[:-1], 2.0):
        raise ValueError("check_extrapolated_exponent: the last three x must double")
    s1, s2 = local_slopes(x, y)
    extrapolated = 2 * s2 - s1
    return bool(abs(extrapolated - exponent) <= tol), {"exponent": float(exponent), "tolerance": float(tol),
                                                       "local_slopes": [float(s1), float(s2)],
                                                       "extrapolated_slope": float(extrapolated)}


def check_constant_band(groups, constants, max_spread) -> tuple[bool, dict]:
    """Per group (e.g. per ``kappa``) the median of ``constants``; passes iff the largest median is at most
    ``max_spread`` times the smallest (the constant of the stated form stays in one band along the sweep)."""
    groups, constants = np.asarray(groups), np.asarray(constants, dtype=float)
    keys = sorted(set(groups.tolist()))
    medians = [float(np.median(constants[groups == k])) for k in keys]
    spread = max(medians) / min(medians)
    return bool(spread <= max_spread), {"groups": keys, "medians": medians, "spread": float(spread),
                                        "max_spread": float(max_spread), "max_constant": float(constants.max())}
