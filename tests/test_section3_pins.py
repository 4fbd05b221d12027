"""Section 3: derived constants and decision rules pinned, and mutations of what the claims look up make them fail."""
import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from checks.framework import RunContext, get_claim, run_claim
from checks.section3 import lemma_3_2, lemma_F_1, shrinkage_candidates, theorem_3_1b, theorem_3_1c
from derivations.landscape import secant_bracket
from derivations.landscape import shrinkage_polynomial as shrinkage_derivation
from derivations.landscape import threshold as threshold_derivation
from derivations.landscape.coordinate_model import Ls, a, eta, lam, m
from numeric import model
from numeric.critical_points import factorization_minimization, global_switch, newton_search
from numeric.shrinkage import certified_roots, secant_scheme

QUICK = RunContext(seed=0, quick=True)

#: r_L (global switch ratio), 8 digits; the docs and theorem-3.1b's notes quote them to 4 decimals.
GLOBAL_SWITCH_RATIOS = {3: 1.08151115, 4: 1.09833339, 5: 1.09588742, 6: 1.08770, 7: 1.07860, 8: 1.07000}


def _evidence(result, name):
    (ev,) = [e for e in result.evidence if e.name == name]
    return ev


# --- pins -----------------------------------------------------------------------------

@pytest.mark.parametrize("L", sorted(GLOBAL_SWITCH_RATIOS))
def test_global_switch_ratio_pinned(L):
    assert float(global_switch.global_switch_ratio(L, 15)) == pytest.approx(GLOBAL_SWITCH_RATIOS[L], abs=2e-4 if L > 5
                                                                              else 2e-8)


def test_global_switch_ratio_by_an_independent_float_route():
    """r_3 with numpy.roots and brentq on L_R(larger root) - L_R(0) in the scaled variables (no certified roots)."""
    L = 3
    kappa_c = (2 * (L - 1)) ** (L - 1) / (L ** (L / 2) * (L - 2) ** ((L - 2) / 2))  # eq 14 at eta = 1

    def value_gap(ratio):
        kappa = kappa_c * ratio
        roots = np.roots([1, 0, 2, -kappa, 1])  # (u^2 + 1)^2 - kappa u = 0
        u = max(r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 0)
        return (kappa - u ** 3) ** 2 + (u * u + 1) ** 3 - u ** 6 - (kappa ** 2 + 1)

    assert brentq(value_gap, 1.0001, 2.0, xtol=1e-13) == pytest.approx(GLOBAL_SWITCH_RATIOS[3], abs=1e-8)


def test_threshold_constants_pinned():
    for L, tau in [(2, eta ** 2), (3, 16 * sp.sqrt(3) * eta ** 3 / 9), (4, sp.Rational(27, 4) * eta ** 4),
                   (6, sp.Rational(3125, 108) * eta ** 6)]:
        assert sp.simplify(threshold_derivation.threshold_derived(L)["tau"] - tau) == 0
    assert sp.simplify(threshold_derivation.threshold_derived(None)["a_c"] ** 2 - (Ls - 2) * eta ** 2 / Ls) == 0


def test_asymptotic_rate_constant_is_minus_one_half():
    ok, detail = shrinkage_candidates.asymptotic_rate_check()
    assert ok
    for row in detail["depths"]:
        assert abs(row["L_times_log_ratio"] + 0.5) < 2 / row["L"]
    assert not shrinkage_candidates.asymptotic_rate_check(constant=sp.Rational(1001, 1000))[0]


def test_global_switch_check_resolves_its_band():
    switch = global_switch.global_switch_ratio(3, 20)
    assert shrinkage_candidates.global_switch_check(3, switch)[0]
    assert shrinkage_candidates.global_switch_check(3, switch * mpmath.mpf("1.0005"))[0]
    assert not shrinkage_candidates.global_switch_check(3, switch * mpmath.mpf("1.002"))[0]
    assert not shrinkage_candidates.global_switch_check(3, switch * mpmath.mpf("0.998"))[0]


def test_symbolic_depth_polynomial_and_lambda_equation_come_from_grad_L_R():
    P = shrinkage_derivation.shrinkage_polynomial_symbolic_depth()
    assert sp.simplify(P - ((a ** 2 + eta ** 2) ** (Ls - 1) - m * a ** (Ls - 2))) == 0
    for L in range(2, 7):
        assert shrinkage_derivation.one_layer_free_matches_L_R(L)
        assert sp.expand(P.subs(Ls, L) - shrinkage_derivation.shrinkage_polynomial_derived(L)) == 0
    expected = lam ** 2 - lam ** ((Ls - 2) / (Ls - 1)) + eta ** 2 * m ** (-2 / Ls)
    assert sp.simplify(shrinkage_derivation.lambda_equation_derived(None) - expected) == 0


def test_derivations_raise_instead_of_asserting(monkeypatch):
    shrinkage_derivation.lambda_equation_derived.cache_clear()
    monkeypatch.setattr(shrinkage_derivation, "shrinkage_polynomial_symbolic_depth",
                        lambda: (a ** 2 + eta ** 2) ** (Ls - 1) - m * a ** (Ls - 2) - m * a)
    with pytest.raises(ArithmeticError, match="split"):
        shrinkage_derivation.lambda_equation_derived(5)
    monkeypatch.undo()
    shrinkage_derivation.lambda_equation_derived.cache_clear()
    monkeypatch.setattr(threshold_derivation, "shrinkage_polynomial_derived", lambda L: a - 1)  # no m: no solution
    with pytest.raises(ArithmeticError, match="one solution"):
        threshold_derivation.threshold_objective(4)


def test_factorization_minimization_tolerances_hold_with_margin():
    ok, detail = lemma_3_2.minimization_check(6, 0.5, 1.7, "trace", 24, 7)
    assert ok and detail["max_rel_error_to_candidate"] < lemma_3_2.MINIMIZATION_RTOL / 1000
    assert detail["max_imbalance_of_minimizers"] < lemma_3_2.BALANCE_TOLERANCE / 100


def test_secant_tolerance_has_margin_over_the_a_posteriori_bound():
    for side in ("smaller", "larger"):
        ok, detail = lemma_F_1.secant_check(4, "0.3", "0.5", side)
        assert ok and detail["a_posteriori_error_bound"] < float(lemma_F_1.SECANT_TOLERANCE) / 1e6
        assert detail["final_error"] < 10 * detail["a_posteriori_error_bound"] + 1e-52


# --- mutations: break what a claim looks up, and the claim fails ---------------------------------

def test_theorem_31b_fails_when_the_switch_ratio_is_wrong(monkeypatch):
    orig = global_switch.global_switch_ratio
    monkeypatch.setattr(global_switch, "global_switch_ratio", lambda L, digits=30, hi=4.0: orig(L, digits) * 1.01)
    result = run_claim(get_claim("theorem-3.1b"), QUICK)
    assert result.verdict == "fail" and not _evidence(result, "global-switch-ratio").passed


def test_theorem_31b_fails_when_the_symbolic_depth_polynomial_is_wrong(monkeypatch):
    monkeypatch.setattr(shrinkage_derivation, "shrinkage_polynomial_symbolic_depth",
                        lambda: (a ** 2 + eta ** 2) ** (Ls - 1) - m * a ** (Ls - 1))
    assert not theorem_3_1b.shrinkage_polynomial_from_critical_point_equations(QUICK).passed


def test_theorem_31c_fails_when_the_derived_loss_or_the_roots_are_wrong(monkeypatch):
    from derivations.landscape import critical_point_values

    orig = critical_point_values.loss_at_critical_point
    monkeypatch.setattr(critical_point_values, "loss_at_critical_point",
                        lambda L, power=None: orig(L, power) * sp.Rational(1001, 1000))
    assert not theorem_3_1c.model_loss_at_found_critical_points(QUICK).passed
    monkeypatch.undo()
    original_roots = certified_roots.shrinkage_roots

    def shifted(*args, **kwargs):
        r = original_roots(*args, **kwargs)
        r.lambdas = [x * (1 + mpmath.mpf("1e-6")) for x in r.lambdas]
        return r

    monkeypatch.setattr(certified_roots, "shrinkage_roots", shifted)
    assert not theorem_3_1c.model_loss_at_found_critical_points(QUICK).passed


def test_theorem_31c_fails_when_the_model_loss_is_wrong(monkeypatch):
    orig = model.loss
    monkeypatch.setattr(model, "loss", lambda W, wstar: orig(W, wstar) * (1 + mpmath.mpf("1e-10")))
    assert not theorem_3_1c.model_loss_at_found_critical_points(QUICK).passed


def test_theorem_31c_search_is_not_the_enumeration(monkeypatch):
    """The found points come from Newton's method: breaking it (no converged start) fails the check."""
    theorem_3_1c.found_critical_points.cache_clear()
    orig = newton_search._batched_newton
    monkeypatch.setattr(newton_search, "_batched_newton",
                        lambda W, *args, **kwargs: (lambda out: (out[0] + 1e-3, out[1] + 1.0))(orig(W, *args, **kwargs)))
    try:
        assert not theorem_3_1c.model_loss_at_found_critical_points(QUICK).passed
    finally:
        theorem_3_1c.found_critical_points.cache_clear()


def test_lemma_32_fails_when_the_numeric_regularizer_is_wrong(monkeypatch):
    orig = model.regularizer_by_coordinate
    monkeypatch.setattr(model, "regularizer_by_coordinate", lambda W, eta: orig(W, eta) * 1.001)
    assert not lemma_3_2.constrained_minimisation_from_random_starts(QUICK).passed


def test_lemma_32_fails_when_the_minimizer_is_unbalanced(monkeypatch):
    orig = factorization_minimization.minimize_over_factorizations

    def skewed(*args, **kwargs):
        out = orig(*args, **kwargs)
        out.weights = out.weights * np.array([[1.01], [1 / 1.01]] + [[1.0]] * (out.weights.shape[0] - 2))
        return out

    monkeypatch.setattr(factorization_minimization, "minimize_over_factorizations", skewed)
    assert not lemma_3_2.constrained_minimisation_from_random_starts(QUICK).passed


def test_lemma_f1_fails_when_the_scheme_stops_early(monkeypatch):
    orig = secant_scheme.regula_falsi
    monkeypatch.setattr(secant_scheme, "regula_falsi",
                        lambda phi, a, b, steps=60, digits=50, fixed="b", tol=None: orig(phi, a, b, 20, digits, fixed, tol))
    assert not lemma_F_1.monotone_convergence_to_certified_roots(QUICK).passed


def test_lemma_f1_counts_stationary_points(monkeypatch):
    orig = secant_bracket.stationary_points
    monkeypatch.setattr(secant_bracket, "stationary_points", lambda L=None: orig(L) + (sp.Rational(1, 3),))
    ev = lemma_F_1.convexity_and_minimizer(QUICK)
    assert not ev.passed and len(ev.detail["lambda_c"]) == 2


def test_claims_stay_deterministic_per_seed():
    first = run_claim(get_claim("theorem-3.1c"), RunContext(seed=4, quick=True))
    second = run_claim(get_claim("theorem-3.1c"), RunContext(seed=4, quick=True))
    assert [e.detail for e in first.evidence if e.method == "high-precision"][0]["cases"] == \
        [e.detail for e in second.evidence if e.method == "high-precision"][0]["cases"]
    assert math.isfinite(first.seconds)


def test_appendix_f_bracket_is_nearly_tight_at_large_target():
    _, detail = lemma_F_1.bracket_check([(4, "0.2", "50")])
    (row,) = detail["cases"]
    lower_slack, upper_slack = row["lambdas"][0] / row["lower"] - 1, row["upper"] / row["lambdas"][-1] - 1
    assert 0 < lower_slack < 1e-4 and 0 < upper_slack < 2e-3
