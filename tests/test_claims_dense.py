"""Claims dense-regularizer and dense-balancing: verdicts, controls, near misses, mutations, reproducibility."""
import numpy as np
import pytest

import derivations.dense.balance as dense_balance_derivation
from checks.framework import RunContext, get_claim, run_claim
from claimtools import assert_controls_rejected, assert_passes
from derivations import dense as dd
from numeric import dense_marginalized as dm

QUICK = RunContext(seed=0, quick=True)


@pytest.fixture(scope="module", params=["dense-regularizer", "dense-balancing"])
def result(request):
    return run_claim(get_claim(request.param), QUICK)


def test_claim_passes(result):
    methods = {"symbolic", "high-precision", "negative-control"}
    assert_passes(result, methods | ({"monte-carlo"} if result.id == "dense-regularizer" else set()))


def test_every_control_is_rejected_and_every_near_miss_accepted(result):
    assert_controls_rejected(result, min_variants=5)
    for ev in (e for e in result.evidence if e.method == "negative-control"):
        assert len(ev.detail["near_misses"]) >= 2
        assert all(n["passed"] for n in ev.detail["near_misses"])


def test_monte_carlo_states_its_design():
    r = run_claim(get_claim("dense-regularizer"), QUICK)
    (mc,) = [e for e in r.evidence if e.method == "monte-carlo"]
    d = mc.detail
    assert d["samples"] >= 10**5 and d["false_failure_probability"] <= 1e-6
    assert d["detectable_discrepancy"] > d["critical_distance"] > 0 and d["sigma_exact"] > 0
    assert "distribution-free" in d["test"] and d["seed"] is not None
    (neg,) = [e for e in r.evidence if e.method == "negative-control"]
    monte_carlo_variants = [v for v in neg.detail["variants"] if "(Monte Carlo)" in v["name"]]
    assert monte_carlo_variants and all(v["error_over_detectable"] > 1 for v in monte_carlo_variants)


def test_balancing_answer_is_recorded():
    r = run_claim(get_claim("dense-balancing"), QUICK)
    (hp,) = [e for e in r.evidence if e.method == "high-precision"]
    by_case = {c["case"]: c for c in hp.detail["cases"]}
    generic = by_case["dense L=3 (2,2,2,2), W* with distinct singular values"]
    assert generic["min_relative_imbalance"] > 0.05 and generic["max_law_gap"] < 1e-30
    assert by_case["diagonal L=3 (the paper's model, control)"]["max_relative_imbalance"] < 1e-30
    assert by_case["dense L=2 (3,2,2), d_0 = d_2 + 1"]["min_relative_imbalance"] == pytest.approx(0.2, abs=1e-12)


def test_same_seed_same_numbers():
    a = run_claim(get_claim("dense-regularizer"), RunContext(seed=4, quick=True))
    b = run_claim(get_claim("dense-regularizer"), RunContext(seed=4, quick=True))
    c = run_claim(get_claim("dense-regularizer"), RunContext(seed=5, quick=True))

    def medians(r):
        return [e.detail["median_of_means"] for e in r.evidence if e.method == "monte-carlo"]

    assert medians(a) == medians(b) != medians(c)


def _failing_methods(claim_id):
    r = run_claim(get_claim(claim_id), RunContext(seed=2, quick=True))
    assert r.verdict == "fail"
    return {e.method for e in r.evidence if not e.passed}


def test_mutated_numeric_regularizer_fails(monkeypatch):
    correct = dm.dense_marginalized_loss

    def width_miscounted(layers, wstar, eta):  # the noise of one more input coordinate
        layers = list(layers)
        first = np.hstack([layers[0], np.zeros((layers[0].shape[0], 1), dtype=layers[0].dtype)])
        wider = [first, *layers[1:]]
        return correct(layers, wstar, eta) - dm.dense_regularizer(layers, eta) + dm.dense_regularizer(wider, eta)

    monkeypatch.setattr(dm, "dense_marginalized_loss", width_miscounted)
    assert {"high-precision", "monte-carlo"} <= _failing_methods("dense-regularizer")


def test_mutated_derivation_fails(monkeypatch):
    correct = dd.regularizer_recursion
    monkeypatch.setattr(dd, "regularizer_recursion",
                        lambda dims, width_factors=None: correct(dims, width_factors=(dims[0] + 1,)))
    assert "symbolic" in _failing_methods("dense-regularizer")


def test_mutated_balance_law_fails(monkeypatch):
    correct = dm.weighted_balance_sides
    monkeypatch.setattr(dm, "weighted_balance_sides", lambda layers, eta: correct(layers, eta * 1.05))
    assert "high-precision" in _failing_methods("dense-balancing")


def test_mutated_marginalized_loss_breaks_the_symbolic_identity(monkeypatch):
    correct = dd.marginalized_loss_by_moments

    def stronger_regularizer(dims, nested=True):
        return dd.dense_loss(dims) + 2 * (correct(dims) - dd.dense_loss(dims))

    monkeypatch.setattr(dense_balance_derivation, "marginalized_loss_by_moments", stronger_regularizer)
    assert "symbolic" in _failing_methods("dense-balancing")
