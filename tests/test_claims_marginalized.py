"""Claims lemma-2.1 and lemma-2.2 pass, their negative controls are rejected, and runs are reproducible."""
import pytest

from checks.framework import RunContext, get_claim, run_claim
from claimtools import assert_controls_rejected, assert_passes

QUICK = RunContext(seed=0, quick=True)


@pytest.fixture(scope="module", params=["lemma-2.1", "lemma-2.2"])
def result(request):
    return run_claim(get_claim(request.param), QUICK)


def test_claim_passes_with_all_four_methods(result):
    assert_passes(result, {"symbolic", "high-precision", "monte-carlo", "negative-control"})


def test_every_negative_control_is_rejected(result):
    assert_controls_rejected(result, min_variants=3)


def test_monte_carlo_evidence_states_its_statistics(result):
    for ev in (e for e in result.evidence if e.method == "monte-carlo"):
        d = ev.detail
        tests = d["tests"].values() if "tests" in d else [d]
        for t in tests:
            assert t["samples"] >= 10**5
            assert t["false_failure_probability"] <= 1e-6
            assert t["detectable_discrepancy"] > 0 and t["standard_error_max"] > 0
            assert "seed" in t


def test_required_negative_controls_present():
    r = run_claim(get_claim("lemma-2.2"), QUICK)
    names = " | ".join(v["name"] for e in r.evidence if e.method == "negative-control" for v in e.detail["variants"])
    assert "without the constant" in names and "eta^{L-|S|}" in names and "grad L (not grad L_R)" in names


def test_same_seed_same_numbers():
    a = run_claim(get_claim("lemma-2.1"), QUICK)
    b = run_claim(get_claim("lemma-2.1"), RunContext(seed=0, quick=True))
    za = [e.detail.get("z_max") for e in a.evidence if e.method == "monte-carlo"]
    zb = [e.detail.get("z_max") for e in b.evidence if e.method == "monte-carlo"]
    assert za == zb


def test_near_misses_pass_and_the_false_failure_budget_holds(result):
    (ev,) = [e for e in result.evidence if e.method == "negative-control"]
    assert ev.detail["near_misses"] and all(n["passed"] for n in ev.detail["near_misses"])
    for entry in ev.detail["variants"] + ev.detail["near_misses"]:
        assert entry["distance_from_boundary"], entry
    ff = result.false_failure
    assert ff["budget"] == 1e-6 and not ff["overspent"] and ff["probability"] <= 1e-6
    assert set(ff["by_share"]) == {"monte-carlo", "near-misses"}
    assert ev.detail["false_failure_probability"] == pytest.approx(
        sum(n.get("failure_probability", 0.0) for n in ev.detail["near_misses"]))
    for v in ev.detail["variants"]:
        if v["name"].startswith("MC:"):
            assert v["shift_in_standard_errors"] >= 11, v  # placed where a miss has probability < ~1e-7


def test_monte_carlo_tails_justify_the_normal_approximation(result):
    (ev,) = [e for e in result.evidence if e.method == "monte-carlo"]
    assert ev.detail["nominal_alpha"] == 1e-7
    assert 1 <= ev.detail["edgeworth_inflation"] < 2
    for t in ev.detail["tests"].values():
        assert t["tails"]["pilot_draws"] >= 10**4 and t["tails"]["excess_kurtosis_max"] < 60


# --- the design rules, pinned -------------------------------------------------------------

def test_monte_carlo_design_rules():
    from checks.section2 import monte_carlo_design as design

    assert design.miss_probability(0.0, 5.0) == pytest.approx(1 - 5.733e-7, rel=1e-3)
    assert design.miss_probability(11.2, 6.0) < 2e-7
    # normal summands: the studentized mean is Student t with n - 1 degrees of freedom, exactly
    from scipy.stats import norm, t as student_t

    exact = student_t.sf(5.9, 10**4 - 1) / norm.sf(5.9)
    assert design.edgeworth_inflation(0.0, 0.0, 10**4, 5.9) == pytest.approx(exact, rel=2e-3)
    assert 1.05 < design.edgeworth_inflation(3.0, 20.0, 2 * 10**5, 5.9) < 1.2
    assert design.edgeworth_inflation(10.0, 500.0, 10**4, 5.9) > design.MAX_INFLATION  # heavy tails are flagged
    assert design.NOMINAL_ALPHA * design.MAX_INFLATION <= design.MONTE_CARLO_SHARE * 1e-6


def test_bounded_whitened_data_is_exactly_whitened():
    import numpy as np

    from checks.section2.instances import MONTE_CARLO_TARGET, bounded_whitened_data

    X, Y = bounded_whitened_data(MONTE_CARLO_TARGET)
    assert np.array_equal(X.T @ X / X.shape[0], np.eye(3)) and np.all(np.abs(X) == 1)
    assert np.array_equal(Y, X @ MONTE_CARLO_TARGET)


# --- mutations: break what a claim looks up, and the claim fails ------------------------------

def _evidence(result, method):
    (ev,) = [e for e in result.evidence if e.method == method]
    return ev


def _fresh(claim_id, monkeypatch):
    from checks.section2 import lemma_2_1, lemma_2_2

    lemma_2_1._simulated_gradients.cache_clear()
    lemma_2_2._simulated_means.cache_clear()
    return run_claim(get_claim(claim_id), QUICK)


def test_lemma_21_fails_when_the_quadrature_expectation_is_wrong(monkeypatch):
    from checks.section2 import lemma_2_1

    orig = lemma_2_1.quadrature_mean_noisy_gradient
    monkeypatch.setattr(lemma_2_1, "quadrature_mean_noisy_gradient", lambda W, X, Y, eta: orig(W, X, Y, 1.03 * eta))
    assert not _evidence(_fresh("lemma-2.1", monkeypatch), "monte-carlo").passed


def test_lemma_21_fails_when_the_sampler_ignores_the_noise(monkeypatch):
    from checks.section2 import lemma_2_1

    orig = lemma_2_1.noisy_gradient_moments
    monkeypatch.setattr(lemma_2_1, "noisy_gradient_moments",
                        lambda W, X, Y, eta, m, seed=0: orig(W, X, Y, 0.95 * eta, m, seed=seed))
    try:
        assert not _evidence(_fresh("lemma-2.1", monkeypatch), "monte-carlo").passed
    finally:
        lemma_2_1._simulated_gradients.cache_clear()


def test_lemma_22_fails_when_the_numeric_average_sharpness_is_wrong(monkeypatch):
    from numeric import model

    orig = model.average_sharpness
    monkeypatch.setattr(model, "average_sharpness", lambda W, wstar, eta: 1.1 * orig(W, wstar, eta))
    assert not _evidence(_fresh("lemma-2.2", monkeypatch), "monte-carlo").passed


def test_lemma_22_fails_when_the_heat_series_or_the_quadrature_is_wrong(monkeypatch):
    from checks.section2 import lemma_2_2

    orig_heat = lemma_2_2.average_sharpness_heat_series
    monkeypatch.setattr(lemma_2_2, "average_sharpness_heat_series", lambda L: 2 * orig_heat(L))
    assert not lemma_2_2._marginalized_loss_symbolic(QUICK).passed
    monkeypatch.undo()
    orig_quadrature = lemma_2_2.quadrature_mean_perturbed_loss
    monkeypatch.setattr(lemma_2_2, "quadrature_mean_perturbed_loss",
                        lambda W, wstar, eta: orig_quadrature(W, wstar, eta) * (1 + 1e-9))
    assert not lemma_2_2._marginalized_loss_high_precision(QUICK).passed


def test_lemma_22_controls_fail_when_the_design_is_too_weak(monkeypatch):
    """With too few draws the Monte Carlo controls sit below 11 standard errors: the budget check must notice."""
    from checks.section2 import lemma_2_2

    lemma_2_2._simulated_means.cache_clear()
    monkeypatch.setattr(RunContext, "size", lambda self, default, quick=None, thorough=None: 20_000)
    try:
        ev = lemma_2_2._wrong_regularizers_negative_control(QUICK)
        assert not ev.passed
    finally:
        lemma_2_2._simulated_means.cache_clear()


def test_eq8_is_nearly_tight_where_the_sharpness_argument_says():
    """At W = (t, 0, .., 0) the ratio R / (eta^(2(L-1)) t^2) is 1 + eta^2 / t^2: 1.000025 at t = 100, eta = 0.5."""
    from checks.section2 import lemma_2_2

    ok, detail = lemma_2_2._weight_decay_check(1, range(2, 5))
    assert ok and detail["min_ratio_R_over_bound_at_(t,0,..,0)"] == pytest.approx(1 + 0.25 / 100 ** 2, rel=1e-12)
    assert not lemma_2_2._weight_decay_check(1.0001, range(2, 3))[0]
