"""nonwhitened-landscape: the landscape of ``L_R`` on non-whitened data (outlook, Section 5; paper assumes Sigma = I).

Claim.  With inputs of covariance ``Sigma`` (symmetric positive definite) and labels ``Y = <w*, X>``, the loss is
``L(W) = (w* - pi)^T Sigma (w* - pi)`` and S-SAM's marginalized loss is

    L_R(W) = E[L(W + G)] = (w* - pi)^T Sigma (w* - pi) + sum_h Sigma_hh (prod_l (W_{l,h}^2 + eta^2) - prod_l W_{l,h}^2).

* Balancing survives for every ``Sigma``: ``w_{l,h} d_{l,h} L_R - w_{l+1,h} d_{l+1,h} L_R = 2 eta^2 Sigma_hh
  prod_{k not in {l,l+1}} (w_{k,h}^2 + eta^2)(w_{l,h}^2 - w_{l+1,h}^2)``, so critical points are balanced.
* At a critical point each coordinate is zero or ``|W_{l,h}| = a_h``, a positive root of the whitened shrinkage
  polynomial ``(a^2 + eta^2)^{L-1} - |m_h| a^{L-2}`` at the **effective target**
  ``m_h = w*_h + sum_{k != h} (Sigma_hk / Sigma_hh)(w*_k - pi_k)``, with ``prod_l sign W_{l,h} = sign m_h``.
  The threshold ``tau_L(eta)`` (eq 14) survives as a condition on ``|m_h|``, not on ``|w*_h|``.
* Diagonal ``Sigma``: ``m_h = w*_h``; each coordinate's objective is ``Sigma_hh`` times the whitened one, so the
  critical points, their types and the threshold ``tau_L(eta)`` are exactly the whitened ones, for any
  ``Sigma_hh > 0``.  Neither a rescaled target (``sqrt(Sigma_hh) w*_h``, what whitening the data would give) nor
  a rescaled noise level describes S-SAM on the raw data.
* General ``Sigma``: the threshold on ``w*_h`` does not survive: for ``L = 2``, ``eta = 1/2``,
  ``Sigma = [[2, 0.7], [0.7, 1]]``, ``w* = (2, 0.2)`` the minimizers have ``|pi_2| = 0.1007 > 0`` although
  ``|w*_2| = 0.2 < tau_2 = 0.25`` (for ``L = 2`` the products solve a weighted lasso).

Evidence as for theorem-3.1b.  Symbolic: ``E[L(W + G)]`` by Gaussian moments, the balancing identity, the
critical-point equation in effective-target form (``d = 2``, ``L = 2, 3``), the numeric implementation
(:mod:`numeric.nonwhitened`) against the derivation.  High precision: for diagonal ``Sigma`` the roots of the
derived non-whitened polynomial (``mpmath.polyroots``) against the certified whitened roots on both sides of, near
and exactly at ``tau_L`` (exact regime); critical points found by Newton from random starts (not built from a
formula) against the enumeration (diagonal) and against certified roots at their effective targets (general).
Negative controls: whitened threshold on the whitened target, rescaled noise, thresholds 5% off, targets that
ignore the coupling or ``Sigma_hh``, the threshold on ``w*_h`` for general ``Sigma``; a near miss passes.
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from derivations import nonwhitened as nonwhitened_derivation
from derivations.landscape.coordinate_model import eta, m
from derivations.landscape.shrinkage_polynomial import shrinkage_polynomial_derived
from numeric import nonwhitened
from numeric.critical_points import coordinate_critical_points
from numeric.shrinkage import shrinkage_roots, threshold

from numeric import model
from numeric.data import whitened_data
from numeric.montecarlo import sample_moments
from numeric.noisy import noisy_gradients_from

from ..controls import boundary_control_evidence
from ..framework import DEFAULT_FALSE_FAILURE_BUDGET, Evidence, claim
from ..stats import assert_means_equal, miss_probability
from .nonwhitened_candidates import (CORRELATED, DIAGONAL_VARIANCES, ETA, EXAMPLE_TARGET, as_mpf,
                                     effective_target_check, exact_nonwhitened_roots, exact_threshold, found_points,
                                     nonwhitened_roots, threshold_candidate_check, true_effective_targets)

nonwhitened_landscape = claim(
    "nonwhitened-landscape", "The landscape of L_R on non-whitened data",
    statement="""
        For inputs of covariance Sigma, E[L(W+G)] = (w*-pi)^T Sigma (w*-pi) + sum_h Sigma_hh R_h; critical points are
        balanced for every Sigma; each coordinate is 0 or |W_{l,h}| = a_h with (a^2+eta^2)^{L-1} = |m_h| a^{L-2}, m_h
        = w*_h + sum_{k!=h} (Sigma_hk/Sigma_hh)(w*_k - pi_k) (effective target), prod_l sign W_{l,h} = sign m_h.
        Diagonal Sigma: m_h = w*_h, critical points and threshold tau_L(eta) exactly as for whitened data (Sigma_hh
        cancels). General Sigma: tau_L applies to |m_h|; a coordinate with |w*_h| < tau_L can be nonzero at a minimum.
        """,
    section="beyond", order=90.4, equations=("13", "14", "29"),
    false_failure_budget=DEFAULT_FALSE_FAILURE_BUDGET,
    notes="""
        Beyond the paper (the paper whitens the data). The outlook's guess that a coordinate decouples with a rescaled
        noise or target is wrong for S-SAM on raw data: with diagonal Sigma nothing is rescaled (the factor Sigma_hh
        multiplies the whole coordinate objective); whitening the data first would rescale the target to
        sqrt(Sigma_hh) w*_h and move the threshold to |w*_h| >= tau_L / sqrt(Sigma_hh), which is rejected. With
        correlated inputs the coordinates couple only through the loss, and the threshold moves to the effective
        target.
        """,
)

# --- symbolic ----------------------------------------------------------------------------

@nonwhitened_landscape.method("symbolic", "marginalized-loss-balancing-effective-target")
def derivation_identities(ctx):
    rows = []
    for L in ctx.size((3,), quick=(2,), thorough=(2, 3, 4)):
        s = nonwhitened_derivation.network(L)
        loss_gap = sp.expand(nonwhitened_derivation.marginalized_loss_derived(L)
                             - nonwhitened_derivation.marginalized_loss_closed_form(L))
        balancing = [nonwhitened_derivation.balancing_identity(L, l, h) for l in range(L - 1) for h in (0, 1)]
        critical = [sp.cancel(nonwhitened_derivation.critical_equation(L, signs, h)["difference"])
                    for signs in ((1,) * L, (1,) * (L - 1) + (-1,)) for h in (0, 1)]
        diagonal_gap = sp.expand(nonwhitened_derivation.coordinate_polynomial(L) - s["Sigma"][0, 0]
                                 * shrinkage_polynomial_derived(L).subs(m, s["wstar"][0]))
        rows.append({"L": L, "E[L(W+G)] - closed form": str(loss_gap),
                     "balancing_identity_all_zero": all(b == 0 for b in balancing),
                     "critical_equation_effective_target_all_zero": all(c == 0 for c in critical),
                     "diagonal: P_Sigma - Sigma_11 P_whitened(w*_1)": str(diagonal_gap)})
    numeric_ok, numeric_detail = _numeric_against_derivation(2 if ctx.quick else 3)
    ok = numeric_ok and all(r["E[L(W+G)] - closed form"] == "0" and r["balancing_identity_all_zero"]
                            and r["critical_equation_effective_target_all_zero"]
                            and r["diagonal: P_Sigma - Sigma_11 P_whitened(w*_1)"] == "0" for r in rows)
    return Evidence("symbolic", bool(ok), {"depths": rows, "numeric_vs_derivation": numeric_detail})


def _numeric_against_derivation(L=3):
    """:mod:`numeric.nonwhitened` (mpmath, 50 digits) against the exact derivation at a rational point."""
    s = nonwhitened_derivation.network(L)
    W = [["3/4", "-1/2"], ["6/5", "2/3"], ["-1/3", "5/4"]][:L]
    wstar, Sigma = ["1", "-2/3"], [["2", "7/10"], ["7/10", "1"]]
    flat = [s["w"][l][h] for l in range(L) for h in range(2)]
    constants = {s["wstar"][h]: sp.Rational(wstar[h]) for h in range(2)}
    constants.update({s["Sigma"][0, 0]: 2, s["Sigma"][0, 1]: sp.Rational(7, 10), s["Sigma"][1, 1]: 1,
                      eta: sp.Rational(1, 2)})
    loss = sp.Poly(nonwhitened_derivation.marginalized_loss_closed_form(L).xreplace(constants), *flat)
    point = [sp.Rational(W[l][h]) for l in range(L) for h in range(2)]

    def exact(poly):
        value = poly.eval(dict(zip(flat, point)))
        return as_mpf(Fraction(int(value.p), int(value.q)), 60)

    with mpmath.workdps(50):
        Wm = np.array([[as_mpf(x) for x in row] for row in W], dtype=object)
        wm = np.array([as_mpf(x) for x in wstar], dtype=object)
        Sm = np.array([[as_mpf(x) for x in row] for row in Sigma], dtype=object)
        value_error = abs(nonwhitened.marginalized_loss(Wm, wm, Sm, as_mpf(ETA)) - exact(loss))
        gradient = nonwhitened.grad_marginalized_loss(Wm, wm, Sm, as_mpf(ETA)).reshape(-1)
        hessian = nonwhitened.hessian_marginalized_loss(Wm, wm, Sm, as_mpf(ETA))
        first = [loss.diff(x) for x in flat]
        gradient_error = max(abs(gradient[i] - exact(first[i])) for i in range(2 * L))
        hessian_error = max(abs(hessian[i, j] - exact(first[i].diff(flat[j])))
                            for i in range(2 * L) for j in range(2 * L))
    worst = max(value_error, gradient_error, hessian_error)
    return bool(worst < mpmath.mpf("1e-40")), {"L": L, "max_abs_error": float(worst)}


# --- high precision -------------------------------------------------------------------------

@nonwhitened_landscape.method("high-precision", "diagonal-sigma-roots-at-and-near-threshold")
def diagonal_roots_near_threshold(ctx):
    rows, ok = [], True
    near = ("1e-20", "-1e-20") if ctx.quick else ("1e-20", "-1e-20", "1e-30", "-1e-30")
    depths = {2: near, 3: () if ctx.quick else near, 4: near if ctx.thorough else ()}
    for L, offsets in depths.items():
        eta_exact = "1" if L == 4 else ETA  # tau_4(1) = 27/4 and tau_2(1/2) = 1/4 are rational; tau_3(1/2) is not
        exact = exact_threshold(L, eta_exact)
        with mpmath.workdps(90):
            tau = threshold(L, ETA, digits=80)
            cases = [(offset, ETA, tau * (1 + mpmath.mpf(offset))) for offset in offsets]
        for offset, eta_value, wstar in cases + ([("exact", eta_exact, exact)] if exact is not None else []):
            certified = shrinkage_roots(L, eta_value, wstar, digits=30)
            wanted = "at" if offset == "exact" else ("below" if offset.startswith("-") else "above")
            for variance in DIAGONAL_VARIANCES:
                independent = (exact_nonwhitened_roots(L, eta_value, wstar, variance) if offset == "exact"
                               else nonwhitened_roots(L, eta_value, wstar, variance, dps=90))
                same = len(independent) == len(certified.roots_a)
                inside = same and all(lo <= r <= hi for r, (lo, hi) in zip(independent, certified.enclosures_a))
                with mpmath.workdps(60):
                    gap = max([float(abs(r / c - 1)) for r, c in zip(independent, certified.roots_a)] or [0.0]) \
                        if same else math.inf
                good = same and inside and gap < 1e-28 and certified.regime == wanted
                ok &= good
                rows.append({"L": L, "eta": eta_value, "offset": offset, "Sigma_hh": variance,
                             "regime": certified.regime, "expected_regime": wanted, "roots": len(independent),
                             "certified_roots": len(certified.roots_a), "multiplicities": certified.multiplicities,
                             "in_enclosures": inside, "max_rel_diff": gap, "passed": good})
    ok &= len(rows) >= 6  # both sides of the threshold and exactly at it, for both variances
    return Evidence("high-precision", ok, {"cases": rows, "independent": "mpmath.polyroots (90 digits; at "
                    "the exact threshold SymPy real-root isolation) on the derived non-whitened polynomial with "
                    "Sigma_hh; certified: whitened shrinkage roots at |w*|"})


@nonwhitened_landscape.method("high-precision", "critical-points-found-by-newton")
def critical_points_found_by_newton(ctx):
    evidence = []
    # diagonal Sigma: the found points, coordinate by coordinate, are the whitened enumeration
    L, wstar = 3, ("1", "0.3")
    Sigma = (("5/2", "0"), ("0", "2/5"))
    points = found_points(ctx, L, wstar, Sigma, "nonwhitened-diagonal")
    rows, ok = [], bool(points)
    for h in range(2):
        enumerated = coordinate_critical_points(L, ETA, wstar[h], digits=40)
        matched, unmatched = set(), 0
        for p in points:
            hits = [i for i, e in enumerate(enumerated) if max(abs(x - y) for x, y in zip(p.W[:, h], e.w_mp))
                    < mpmath.mpf("1e-30")]
            unmatched += len(hits) != 1
            matched.update(hits)
        ok &= unmatched == 0
        rows.append({"h": h, "wstar_h": wstar[h], "enumerated": len(enumerated), "found_not_enumerated": unmatched,
                     "enumerated_found": len(matched)})
    kinds_ok = all(p.kind in ("minimum", "saddle") for p in points)
    evidence.append(Evidence("high-precision", ok and kinds_ok, {"L": L, "Sigma": Sigma, "wstar": wstar,
                                                                 "found_points": len(points), "coordinates": rows,
                                                                 "max_gradient": float(max(p.gradient_norm for p in points))},
                             name="diagonal-sigma-found-points-are-the-whitened-ones"))
    # general Sigma: every found point is balanced with certified roots at the effective targets
    for L, wstar in ((2, EXAMPLE_TARGET),) if ctx.quick else ((2, EXAMPLE_TARGET), (3, ("2", "0.3"))):
        # L = 3 has up to 81 critical points, each polished at 40 digits: fewer starts outside thorough mode
        points = found_points(ctx, L, wstar, CORRELATED, f"nonwhitened-general-{L}",
                              starts=ctx.size(60, thorough=1000) if L == 3 else None)
        ok, detail = effective_target_check(points, wstar, CORRELATED, true_effective_targets)
        below = [r for r in detail["nonzero_coordinates"] if r["kind"] == "minimum" and abs(float(Fraction(
            wstar[r["h"]]))) < float(threshold(L, ETA, 20))]
        detail.update({"L": L, "wstar": wstar, "Sigma": CORRELATED, "tau_L": float(threshold(L, ETA, 20)),
                       "minima_with_a_nonzero_coordinate_below_tau_on_w*": len(below)})
        if L == 2:
            ok &= bool(below)  # the threshold on w*_h does not survive
        evidence.append(Evidence("high-precision", ok, detail, name=f"general-sigma-effective-targets-L{L}"))
    return evidence


# --- Monte Carlo -----------------------------------------------------------------------------------

#: False-failure budget 1e-6: all of it for the z-test of the mean noisy gradient (the near miss is exact).
ALPHA_MONTE_CARLO = nonwhitened_landscape.allocate("monte-carlo", 1.0)
MC_WEIGHTS = np.array([[0.9, -0.4], [1.1, 0.6]])
MC_TARGET = np.array([1.0, -0.5])


def noisy_gradient_moments_on_correlated_data(ctx):
    """S-SAM's noisy gradient (Lemma 2.1) on data of covariance ``Sigma = CORRELATED``: mean and variance over draws.

    Inputs ``X = Z C^T`` with ``Z`` whitened (``(1/n) Z^T Z = I``, :func:`numeric.data.whitened_data`) and
    ``C C^T = Sigma``, so ``(1/n) X^T X = Sigma`` exactly; labels ``Y = X w*``; each draw takes a uniform sample and
    fresh ``G ~ N(0, eta^2)``.  Cached per seed and mode.
    """
    key = (ctx.seed, ctx.quick, ctx.thorough)
    if _MOMENTS.get("key") != key:
        Sigma = np.array(CORRELATED, dtype=float)
        Z, _ = whitened_data(8, MC_TARGET, seed=5)
        X = Z @ np.linalg.cholesky(Sigma).T
        Y = X @ MC_TARGET
        eta_value = float(ETA)

        def sampler(rng, k, scratch):
            index = rng.integers(0, X.shape[0], size=k)
            perturbed = MC_WEIGHTS[None] + eta_value * rng.standard_normal((k,) + MC_WEIGHTS.shape)
            return noisy_gradients_from(perturbed, X[index], Y[index])

        draws = ctx.size(400_000, quick=300_000, thorough=2_000_000)
        _MOMENTS.update(key=key, moments=sample_moments(sampler, draws, seed=ctx.seed_for("nonwhitened-mc")))
    return _MOMENTS["moments"]


_MOMENTS = {}


def expected_gradient(Sigma=CORRELATED, eta_value=ETA, regularizer_weighted=True):
    """``grad L_R`` of :mod:`numeric.nonwhitened` (optionally with an unweighted regularizer: a wrong variant)."""
    Sigma = np.array(Sigma, dtype=float)
    gradient = nonwhitened.grad_marginalized_loss(MC_WEIGHTS, MC_TARGET, Sigma, float(eta_value))
    if not regularizer_weighted:
        gradient = gradient - (np.diagonal(Sigma) - 1) * model.grad_regularizer(MC_WEIGHTS, float(eta_value))
    return gradient


@nonwhitened_landscape.method("monte-carlo", "noisy-gradient-on-correlated-data-is-unbiased")
def noisy_gradient_unbiased(ctx):
    passed, detail = assert_means_equal(noisy_gradient_moments_on_correlated_data(ctx), expected_gradient(),
                                        alpha=ALPHA_MONTE_CARLO)
    detail.update({"budget_share": "monte-carlo", "Sigma": CORRELATED, "W": MC_WEIGHTS.tolist(), "wstar": MC_TARGET.tolist(), "eta": ETA,
                   "statistic": "z-test per entry of the mean noisy gradient (polynomial in Gaussians, all moments "
                                "finite; the design of lemma-2.2, calibrated in tests/test_stats.py)"})
    return Evidence("monte-carlo", passed, detail)


# --- negative controls --------------------------------------------------------------------------

@nonwhitened_landscape.method("negative-control", "wrong-thresholds-and-targets")
def wrong_threshold_and_target_controls(ctx):
    variants, near_misses = [], []
    for variance in DIAGONAL_VARIANCES:
        root = mpmath.sqrt(as_mpf(variance))
        for name, rule in ((f"whitened threshold on the whitened target sqrt(Sigma_hh) |w*_h| (Sigma_hh = "
                            f"{variance})", lambda tau, r=root: tau / r),
                           (f"rescaled noise eta sqrt(Sigma_hh) (Sigma_hh = {variance})",
                            lambda tau, r=root: tau * r ** 3)):
            ok, detail = threshold_candidate_check(3, variance, rule)
            variants.append({"name": name, "rejected": not ok, "distance_from_boundary": detail[
                "candidate_over_tau"], **detail})
    for factor in ("1.05", "0.95"):
        ok, detail = threshold_candidate_check(3, "5/2", lambda tau, f=factor: tau * mpmath.mpf(f))
        variants.append({"name": f"threshold tau_3 x {factor}", "rejected": not ok,
                         "distance_from_boundary": f"{abs(float(factor) - 1):.0%}", **detail})
    ok, detail = threshold_candidate_check(3, "5/2", lambda tau: tau * (1 + mpmath.mpf("1e-25")))
    near_misses.append({"name": "threshold tau_3 (1 + 1e-25) (near miss, must pass)", "passed": ok, **detail,
                        "distance_from_boundary": 1e-25})
    points = found_points(ctx, 2, EXAMPLE_TARGET, CORRELATED, "nonwhitened-general-2")

    def uncoupled(W, wstar, Sigma):
        return wstar

    def without_diagonal_division(W, wstar, Sigma):
        residual = wstar - np.prod(W, axis=0)
        return wstar + Sigma @ residual - np.diagonal(Sigma) * residual

    for name, rule in (("effective target m_h = w*_h (coupling ignored)", uncoupled),
                       ("effective target without the division by Sigma_hh", without_diagonal_division)):
        ok, detail = effective_target_check(points, EXAMPLE_TARGET, CORRELATED, rule)
        variants.append({"name": name, "rejected": not ok, "distance_from_boundary": "coupling ignored" if rule is
                         uncoupled else "no division by Sigma_hh", "certified_coordinates": sum(
            r["ok"] for r in detail["nonzero_coordinates"]), "nonzero_coordinates": len(detail["nonzero_coordinates"])})
    tau = float(threshold(2, ETA, 20))
    nonzero_below = [p for p in points if p.kind == "minimum" and abs(p.W[0, 1]) > mpmath.mpf("1e-30")]
    variants.append({"name": "whitened threshold on |w*_h| (general Sigma): coordinate 2 predicted zero",
                     "rejected": bool(nonzero_below) and abs(float(Fraction(EXAMPLE_TARGET[1]))) < tau,
                     "minima_with_coordinate_2_nonzero": len(nonzero_below), "wstar_2": EXAMPLE_TARGET[1],
                     "tau_2": tau, "distance_from_boundary": "Sigma ignored in the threshold"})
    moments = noisy_gradient_moments_on_correlated_data(ctx)
    for name, wrong in (("mean gradient of the whitened model (Sigma = I)", expected_gradient(
            Sigma=((1, 0), (0, 1)))), ("regularizer not weighted by Sigma_hh", expected_gradient(
            regularizer_weighted=False)), ("noise level eta x 1.05", expected_gradient(eta_value=0.525))):
        passed, detail = assert_means_equal(moments, wrong, alpha=ALPHA_MONTE_CARLO)
        difference = (wrong - expected_gradient()).ravel()
        misses = [miss_probability(x, se, detail["z_critical"])  # passes only if every entry does
                  for x, se in zip(difference, np.ravel(moments.standard_error))]
        variants.append({"name": f"S-SAM on correlated data: {name}", "rejected": not passed,
                         "z_max": detail["z_max"], "z_critical": detail["z_critical"],
                         "max_abs_difference_from_truth": float(np.max(np.abs(difference))),
                         "distance_from_boundary": name.split(": ")[-1], "miss_probability": min(misses)})
    return boundary_control_evidence(variants, near_misses)
