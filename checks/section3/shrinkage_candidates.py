"""Candidate checks of theorem-3.1b: a lambda equation or a threshold value, right or deliberately wrong.

Each function takes a *candidate* (an exponent of the lambda equation, a threshold value,
an exact ``|w*|``) and runs it through the same comparison with the derivation
(:mod:`derivations.landscape.shrinkage_polynomial`, :mod:`derivations.landscape.threshold`)
and the certified roots (:mod:`numeric.shrinkage.certified_roots`): the positive evidence
passes the right candidate, the negative controls pass wrong ones and must see them
rejected.  :func:`independent_roots` is the uncertified oracle (``mpmath.polyroots``).
:func:`asymptotic_rate_check` and :func:`global_switch_check` take a candidate constant (the base of
``tau_L ~ c 2^(L-1) eta^L``, the switch ratio ``r_L``) in the same way.
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import sympy as sp

from derivations.landscape import shrinkage_polynomial as shrinkage_derivation
from derivations.landscape import threshold as threshold_derivation
from derivations.landscape.coordinate_model import Ls, a, eta, lam, m
from numeric.critical_points import enumeration
from numeric.shrinkage import certified_roots, exact_inputs, threshold_regime

from .precise_evaluation import evaluate_at, rational_to_mpf

__all__ = ["lambda_equation_check", "threshold_candidate_check", "independent_roots", "exact_threshold",
           "exact_threshold_check", "asymptotic_rate_check", "global_switch_check", "ASYMPTOTIC_DEPTHS"]

#: Depths at which the derived ``tau_L / (2^(L-1) eta^L)`` is evaluated for the ``L -> oo`` asymptotics.
ASYMPTOTIC_DEPTHS = (10 ** 4, 10 ** 6, 10 ** 8)


def lambda_equation_check(exponent=None, L_values=(3, 4, 5)) -> tuple:
    """Candidate lambda equation ``lambda^2 - lambda^exponent + eta^2 m^(-2/L)`` (exponent as a function of L).

    Passes iff it equals the derived equation for symbolic ``L`` and vanishes
    (to 1e-40) at the certified roots for the given depths.
    """
    exponent_of = (lambda L: (L - 2) / (L - 1)) if exponent is None else exponent
    candidate = lam ** 2 - lam ** exponent_of(Ls) + eta ** 2 * m ** (-2 / Ls)
    derived = shrinkage_derivation.lambda_equation_derived(None)
    symbolic_match = sp.simplify(sp.powsimp(candidate - derived, force=True)) == 0
    worst = mpmath.mpf(0)
    with mpmath.workdps(60):
        for L in L_values:
            for eta_value, wstar in (("0.5", "1"), ("0.3", "0.7")):
                roots = certified_roots.shrinkage_roots(L, eta_value, wstar, digits=50)
                candidate_at_L = sp.lambdify((lam, eta, m), candidate.subs(Ls, L), "mpmath")
                for lambda_value in roots.lambdas:
                    worst = max(worst, abs(candidate_at_L(lambda_value, rational_to_mpf(eta_value),
                                                          rational_to_mpf(wstar))))
    ok = bool(symbolic_match) and worst < mpmath.mpf("1e-40")
    return ok, {"symbolic_match": bool(symbolic_match), "max_residual_at_certified_roots": float(worst)}


def threshold_candidate_check(L, eta_value, candidate, rel=mpmath.mpf("1e-10")) -> tuple:
    """A threshold value is right iff no nonzero root exists just below it and two (one for L=2) just above.

    Uses the certified :func:`numeric.shrinkage.certified_roots.shrinkage_roots` at ``candidate (1 -+ rel)``
    and the derived ``tau`` (SymPy, 60 digits).
    """
    with mpmath.workdps(80):
        below, above = candidate * (1 - rel), candidate * (1 + rel)
        roots_below = len(certified_roots.shrinkage_roots(L, eta_value, below, digits=40).lambdas)
        roots_above = len(certified_roots.shrinkage_roots(L, eta_value, above, digits=40).lambdas)
        derived_tau = evaluate_at(threshold_derivation.threshold_derived(L)["tau"], {eta: eta_value}, 70)
        relative_gap = abs(candidate / derived_tau - 1)
    roots_wanted_above = 1 if L == 2 else 2
    ok = roots_below == 0 and roots_above == roots_wanted_above and relative_gap < mpmath.mpf("1e-40")
    return ok, {"L": L, "eta": str(eta_value), "roots_below": roots_below, "roots_above": roots_above,
                "relative_gap_to_derived_tau": float(relative_gap)}


def independent_roots(L, eta_value, wstar, dps=80):
    """Positive real roots of P via mpmath.polyroots (coefficients from the derived polynomial), as lambdas.

    Returns ``(lambdas, roots_a)``; roots with ``|Im| < 10^(-dps/3)`` count as real and roots within
    ``10^(-dps/3)`` relative are merged.
    """
    P = sp.Poly(shrinkage_derivation.shrinkage_polynomial_derived(L), a)
    with mpmath.workdps(dps):
        wstar_mp = rational_to_mpf(Fraction(wstar), dps)
        substitution = {eta: sp.Rational(str(Fraction(eta_value))), m: sp.Rational(str(Fraction(wstar)))}
        coefficients = [mpmath.mpf(sp.N(c.subs(substitution), dps)) for c in P.all_coeffs()]
        roots = mpmath.polyroots(coefficients, maxsteps=2000, extraprec=4 * dps)
        positive = sorted(mpmath.re(r) for r in roots
                          if abs(mpmath.im(r)) < mpmath.mpf(10) ** (-dps // 3) and mpmath.re(r) > 0)
        distinct = []
        for r in positive:
            if not distinct or abs(r - distinct[-1]) > mpmath.mpf(10) ** (-dps // 3) * r:
                distinct.append(r)
        return [r / mpmath.root(wstar_mp, L) for r in distinct], [r for r in distinct]


def exact_threshold(L, eta_value):
    """``tau_L(eta)`` as an exact rational from :func:`numeric.shrinkage.threshold_regime.threshold_exact_power`, or ``None``.

    ``tau_L(eta)^2 = kappa_c^2 eta^(2L)`` (eq 14); when numerator and denominator are perfect
    squares the threshold is their rational square root (``L = 2``: ``eta^2``; ``L = 4``:
    ``27/4 eta^4``; ``L = 6``: ``3125/108 eta^6``).
    """
    q = (exact_inputs.to_fraction(threshold_regime.threshold_exact_power(L), "kappa_c^2")
         * exact_inputs.to_fraction(eta_value, "eta") ** (2 * L))
    root_numerator, root_denominator = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if root_numerator ** 2 == q.numerator and root_denominator ** 2 == q.denominator:
        return Fraction(root_numerator, root_denominator)
    return None


def exact_threshold_check(L, eta_value, wstar) -> tuple:
    """Is ``|w*| = wstar`` exactly the threshold, with the double root reported once?

    Passes iff ``wstar`` is rational and equals the derived ``tau_L(eta)`` (SymPy, exact) and
    :func:`numeric.shrinkage.threshold_regime.threshold` (to 1e-35),
    :func:`numeric.shrinkage.certified_roots.shrinkage_roots` reports regime ``"at"`` and
    multiplicities ``[2]`` (``L >= 3``: one double root) or ``[]`` (``L = 2``: nonzero roots
    need the strict inequality).
    """
    derived_tau = threshold_derivation.threshold_derived(L)["tau"].subs(
        eta, sp.Rational(str(exact_inputs.to_fraction(eta_value, "eta"))))
    rational = wstar is not None
    equals_derived = rational and bool(sp.Rational(wstar.numerator, wstar.denominator) == derived_tau)
    with mpmath.workdps(50):
        numeric_tau = threshold_regime.threshold(L, eta_value, digits=40)
        gap = abs((rational_to_mpf(wstar, 50) if rational else numeric_tau) / numeric_tau - 1)
    roots = certified_roots.shrinkage_roots(L, eta_value, wstar if rational else numeric_tau, digits=30)
    wanted = [] if L == 2 else [2]
    ok = equals_derived and gap < mpmath.mpf("1e-35") and roots.regime == "at" and roots.multiplicities == wanted
    return bool(ok), {"L": L, "eta": str(eta_value), "wstar": str(wstar), "rational": rational,
                      "equals_derived_tau_exactly": equals_derived, "derived_tau": str(derived_tau),
                      "relative_gap_to_numeric_threshold": float(gap), "regime": roots.regime,
                      "multiplicities": roots.multiplicities, "expected_multiplicities": wanted}


def asymptotic_rate_check(constant=1, base=2, depths=ASYMPTOTIC_DEPTHS) -> tuple:
    """Candidate asymptotics ``tau_L ~ constant base^(L-1) eta^L``, against the derived ``tau_L`` at large ``L``.

    Evaluates ``rho(L) = log(tau_L / (constant base^(L-1) eta^L))`` from the derived symbolic
    ``tau_L`` (:func:`derivations.landscape.threshold.threshold_derived`, ``eta`` cancels) at
    ``depths`` with mpmath (80 digits: the terms are ``~ L log L`` and cancel to ``~ 1/L``).
    Expanding ``(L-1) log(L-1) - (L/2) log L - ((L-2)/2) log(L-2)`` in ``1/L`` gives
    ``rho(L) = -1/(2L) + O(1/L^2)`` for the right candidate, so the check passes iff
    ``|L rho(L) + 1/2| <= 10/L`` at every depth (then ``rho -> 0``: the ratio tends to 1).  A
    wrong constant ``c`` shifts ``rho`` by ``-log c``, a wrong base by ``-(L-1) log(base/2)``.
    """
    tau = threshold_derivation.threshold_derived(None)["tau"]
    log_ratio = sp.expand_log(sp.log(tau / (sp.sympify(constant) * sp.sympify(base) ** (Ls - 1) * eta ** Ls)),
                              force=True)
    rho = sp.lambdify(Ls, log_ratio.subs(eta, 1), "mpmath")
    rows, ok = [], True
    with mpmath.workdps(80):
        for L in depths:
            scaled = L * rho(mpmath.mpf(L))
            good = abs(scaled + mpmath.mpf(1) / 2) <= mpmath.mpf(10) / L
            ok &= bool(good)
            rows.append({"L": L, "L_times_log_ratio": float(scaled), "within_10_over_L_of_minus_half": bool(good)})
    return ok, {"constant": str(constant), "base": str(base), "depths": rows}


def global_switch_check(L, switch_ratio, eta_value="0.5", band=mpmath.mpf("1e-3"), digits=30) -> tuple:
    """Is ``switch_ratio`` where the nonzero minima of one coordinate's ``L_R`` become global?

    At ``|w*| = switch_ratio tau_L(eta) (1 -+ band)`` the smallest ``L_R`` over the enumerated
    critical points (:func:`numeric.critical_points.enumeration.coordinate_critical_points`: values
    of :func:`numeric.model.marginalized_loss` at ``digits`` digits) must be at the zero point
    (root index -1) below and at the larger root (index 1) above.  A candidate more than ``band``
    (relative) from the true ratio puts both evaluation points on the same side and is rejected.
    """
    rows, ok = [], True
    with mpmath.workdps(digits + 20):
        tau = threshold_regime.threshold(L, eta_value, digits + 15)
        for side, wanted in ((-1, -1), (1, 1)):
            wstar = tau * mpmath.mpf(switch_ratio) * (1 + side * band)
            points = enumeration.coordinate_critical_points(L, eta_value, mpmath.nstr(wstar, digits + 10), digits)
            best = min(points, key=lambda p: p.value)
            zero_value = [p.value for p in points if p.root_index == -1][0]
            larger = [p.value for p in points if p.root_index == 1]
            ok &= best.root_index == wanted
            rows.append({"wstar_over_tau": float(mpmath.mpf(switch_ratio) * (1 + side * band)),
                         "global_minimum_root_index": best.root_index, "expected_root_index": wanted,
                         "L_R_larger_root_minus_zero_point": float(min(larger) - zero_value) if larger else None})
    return bool(ok), {"L": L, "eta": eta_value, "switch_ratio": float(switch_ratio), "band": float(band),
                      "sides": rows}
