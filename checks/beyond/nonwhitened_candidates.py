"""Candidate checks of nonwhitened-landscape, shared by its evidence and its negative controls.

Each function takes a *candidate* (a threshold rule, an effective-target rule) and runs it through the same
comparison with the derivation (:mod:`derivations.nonwhitened`), the certified whitened roots
(:mod:`numeric.shrinkage`) and the critical points found by Newton (:mod:`numeric.nonwhitened`): the evidence
passes the right candidate, the controls pass wrong ones and must see them rejected.  :func:`nonwhitened_roots`
is the uncertified oracle (``mpmath.polyroots`` on the derived non-whitened polynomial).
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from derivations import nonwhitened as nonwhitened_derivation
from derivations.landscape.coordinate_model import a, eta
from numeric import nonwhitened
from numeric.shrinkage import shrinkage_roots, threshold, threshold_exact_power, to_fraction

__all__ = ["ETA", "DIAGONAL_VARIANCES", "CORRELATED", "EXAMPLE_TARGET", "PROBES", "exact_threshold",
           "nonwhitened_roots", "exact_nonwhitened_roots", "threshold_candidate_check", "found_points",
           "effective_target_check", "true_effective_targets", "as_mpf", "as_fraction", "as_matrix"]

ETA = "0.5"
DIAGONAL_VARIANCES = ("5/2", "2/5")
CORRELATED = (("2", "0.7"), ("0.7", "1"))
EXAMPLE_TARGET = ("2", "0.2")     # L = 2: coordinate 2 below tau_2 = 1/4 yet nonzero at the minimizers
PROBES = ("1e-20", "-1e-20", "0.025", "-0.025")


def as_fraction(x, name="value"):
    """An exact rational from a string (``"5/2"``, ``"0.3"``) or a number (:func:`numeric.shrinkage.to_fraction`)."""
    return Fraction(x) if isinstance(x, str) else to_fraction(x, name)


def as_mpf(x, dps=60):
    with mpmath.workdps(dps):
        q = as_fraction(x)
        return mpmath.mpf(q.numerator) / q.denominator


def exact_threshold(L, eta_value):
    """``tau_L(eta)`` as an exact rational when ``tau^2 = kappa_c^2 eta^(2L)`` is a rational square, else ``None``."""
    q = to_fraction(threshold_exact_power(L), "kappa_c^2") * as_fraction(eta_value, "eta") ** (2 * L)
    n, d = math.isqrt(q.numerator), math.isqrt(q.denominator)
    return Fraction(n, d) if n * n == q.numerator and d * d == q.denominator else None


def nonwhitened_roots(L, eta_value, wstar, variance, dps=60):
    """Positive roots ``a`` of the derived non-whitened coordinate polynomial (diagonal ``Sigma``), by ``polyroots``.

    Independent of the certified whitened roots: the coefficients come from
    :func:`derivations.nonwhitened.coordinate_polynomial` with ``Sigma_11 = variance``.
    """
    coefficient_functions = _polynomial_coefficients(L)
    with mpmath.workdps(dps):
        arguments = [as_mpf(x, dps) for x in (variance, wstar, eta_value)]
        coefficients = [f(*arguments) for f in coefficient_functions]
        roots = mpmath.polyroots(coefficients, maxsteps=2000, extraprec=2 * dps)
        tolerance = mpmath.mpf(10) ** (-dps // 3)
        positive = sorted(mpmath.re(r) for r in roots if abs(mpmath.im(r)) < tolerance and mpmath.re(r) > 0)
        distinct = []
        for r in positive:
            if not distinct or abs(r - distinct[-1]) > tolerance * r:
                distinct.append(r)
    return distinct


@lru_cache(maxsize=None)
def _polynomial_coefficients(L):
    """The coefficients of the derived non-whitened polynomial as mpmath functions of ``(Sigma_11, w*_1, eta)``."""
    s = nonwhitened_derivation.network(L)
    P = sp.Poly(nonwhitened_derivation.coordinate_polynomial(L), a)
    return [sp.lambdify((s["Sigma"][0, 0], s["wstar"][0], eta), c, "mpmath") for c in P.all_coeffs()]


def exact_nonwhitened_roots(L, eta_value, wstar, variance):
    """Distinct positive real roots of the derived non-whitened polynomial at rational inputs, exactly (SymPy real
    root isolation; a double root is reported once), as 40-digit mpf."""
    s = nonwhitened_derivation.network(L)
    values = {s["Sigma"][0, 0]: sp.Rational(str(as_fraction(variance))), s["wstar"][0]: sp.Rational(str(as_fraction(wstar))),
              eta: sp.Rational(str(as_fraction(eta_value)))}
    roots = sp.Poly(nonwhitened_derivation.coordinate_polynomial(L).subs(values), a).real_roots()
    with mpmath.workdps(40):
        return [mpmath.mpf(str(sp.N(r, 45))) for r in sorted(set(roots), key=lambda r: sp.N(r)) if r.is_positive]


@lru_cache(maxsize=None)
def _probe_root_count(L, variance, offset):
    """Number of positive roots of the non-whitened polynomial at ``|w*| = tau_L(eta) (1 + offset)`` (cached: the
    truth does not depend on the candidate)."""
    with mpmath.workdps(80):
        return len(nonwhitened_roots(L, ETA, threshold(L, ETA, digits=70) * (1 + mpmath.mpf(offset)), variance))


def threshold_candidate_check(L, variance, candidate_of, probes=PROBES):
    """Does ``|w*| >= candidate`` predict when the non-whitened polynomial has nonzero roots, at every probe?

    Probes ``|w*| = tau_L(eta) (1 + offset)``; ``candidate_of(tau)`` gives the candidate threshold (mpf).  The truth
    is the root count of :func:`nonwhitened_roots`; ``L = 2`` needs the strict inequality.
    """
    rows, ok = [], True
    with mpmath.workdps(80):
        tau = threshold(L, ETA, digits=70)
        candidate = candidate_of(tau)
        for offset in probes:
            wstar = tau * (1 + mpmath.mpf(offset))
            count = _probe_root_count(L, variance, offset)
            predicted = wstar > candidate if L == 2 else wstar >= candidate
            good = (count > 0) == bool(predicted)
            ok &= good
            rows.append({"offset": offset, "roots": count, "candidate_predicts_roots": bool(predicted), "ok": good})
    return ok, {"L": L, "variance": variance, "candidate_over_tau": float(candidate / tau), "probes": rows}


def as_matrix(rows):
    return np.array([[as_mpf(x) for x in row] for row in rows], dtype=object)


_FOUND = {}


def found_points(ctx, L, wstar, Sigma, salt, starts=None):
    """Critical points of the non-whitened ``L_R`` found by Newton from random starts (40 digits; cached per run)."""
    key = (ctx.seed, ctx.quick, ctx.thorough, L, wstar, Sigma)
    if key not in _FOUND:
        if any(k[:3] != key[:3] for k in _FOUND):
            _FOUND.clear()
        with mpmath.workdps(60):
            _FOUND[key] = nonwhitened.search_critical_points(
                L, as_mpf(ETA), [as_mpf(x) for x in wstar], as_matrix(Sigma),
                starts=starts or ctx.size(200, quick=150, thorough=2000), seed=ctx.seed_for(salt), digits=40)
    return _FOUND[key]


def effective_target_check(points, wstar, Sigma, target_rule):
    """Are the found points balanced, with every nonzero coordinate a certified root at its (candidate) target?

    ``target_rule(W, wstar, Sigma) -> m`` (mpf vector) gives the candidate effective targets; a coordinate passes
    iff ``|W_{l,h}|`` is the same in every layer (to 1e-30), ``prod_l sign W_{l,h} = sign m_h`` and ``|W_{l,h}|``
    lies in a certified enclosure of a shrinkage root at ``|m_h|`` (:func:`numeric.shrinkage.shrinkage_roots`).
    """
    rows, ok = [], True
    with mpmath.workdps(50):
        wstar_mp = np.array([as_mpf(x) for x in wstar], dtype=object)
        Sigma_mp = as_matrix(Sigma)
        for point in points:
            targets = target_rule(point.W, wstar_mp, Sigma_mp)
            for h in range(point.W.shape[1]):
                column = point.W[:, h]
                size = abs(column[0])
                if size < mpmath.mpf("1e-30"):
                    continue
                balanced = all(abs(abs(x) - size) < mpmath.mpf("1e-30") for x in column)
                sign = 1
                for x in column:
                    sign *= 1 if x > 0 else -1
                target = targets[h]
                roots = shrinkage_roots(point.W.shape[0], ETA, abs(target), digits=30) if target != 0 else None
                certified = roots is not None and any(lo <= size <= hi for lo, hi in roots.enclosures_a)
                good = balanced and sign == (1 if target > 0 else -1) and certified
                ok &= good
                rows.append({"kind": point.kind, "h": h, "a": float(size), "target": float(target),
                             "balanced": balanced, "certified_root_at_target": certified, "ok": good})
    return bool(ok and rows), {"points": len(points), "nonzero_coordinates": rows}


def true_effective_targets(W, wstar, Sigma):
    return nonwhitened.effective_targets(W, wstar, Sigma)
