"""Tests for checks/related/ (one module per claim): the four claims pass and every negative-control variant is
rejected; mutations of the numeric layer, patched where the checks look them up, make the claims fail."""
import numpy as np
import pytest

from checks.framework import RunContext, get_claim, load_claims, run_claim
from claimtools import assert_controls_rejected, assert_passes

load_claims()
CTX = RunContext(quick=True)


@pytest.mark.parametrize("cid", ["sharpness-minimizers", "sharpness-gradient-flow", "sgd-stability", "ssam-sharpness"])
def test_claim_passes_and_controls_rejected(cid):
    res = run_claim(get_claim(cid), CTX)
    assert_passes(res)
    assert_controls_rejected(res)


def test_spec_lower_bound_is_violated():
    """2 Lambda L a^{2-2/L} is not a lower bound: a minimizer below it exists (spec correction)."""
    from numeric.sharpness import dense_minimizers, dense_network, minimizer_bounds

    Sigma = np.diag([2.0, 1.0])
    ws = np.array([0.0, 1.0])
    Ws, p = dense_minimizers.balanced_dense_minimizer(ws, 4, 2)
    s = dense_network.dense_sharpness(Ws, p, Sigma, ws)
    assert s < 2 * 2.0 * 4 * 1.0
    assert s >= minimizer_bounds.lower_bound(Sigma, ws, 4) * (1 - 1e-12)


@pytest.mark.parametrize("seed", [1, 2])
def test_monte_carlo_calibrated_over_seeds(seed):
    """The Monte Carlo evidence of sgd-stability passes for other seeds too (no seed hunting)."""
    res = run_claim(get_claim("sgd-stability"), RunContext(seed=seed, quick=True))
    for e in res.evidence:
        if e.method == "monte-carlo":
            assert e.passed, e.name


# ---------------------------------------------------------------- audit fixes: the checks must bite
def _evidence(res, method, name=None):
    return [e for e in res.evidence if e.method == method and (name is None or e.name == name)]


def test_gradient_flow_rejects_lower_bound_too_large(monkeypatch):
    """Audit mutation: a lower bound 10% too large puts the flow's end point BELOW it (S/lb ~ 0.91, 0.96);
    the positive high-precision evidence itself must fail (not only an unrelated negative control)."""
    from checks.related import measurement_cache
    from numeric.sharpness import minimizer_bounds

    orig = minimizer_bounds.lower_bound
    monkeypatch.setattr(minimizer_bounds, "lower_bound", lambda S, w, L: 1.1 * orig(S, w, L))
    monkeypatch.setattr(measurement_cache, "MEASUREMENTS", {})  # rows cached by earlier tests used the true bound
    res = run_claim(get_claim("sharpness-gradient-flow"), RunContext(quick=True))
    (ev,) = _evidence(res, "high-precision", "gradient-flow")
    assert not ev.passed
    cases = ev.detail["derived_factor"]["cases"]
    assert all(not c["at_least_lower_bound"] and c["ratio"] < 0.97 for c in cases)
    assert res.verdict == "fail"


def test_gradient_flow_rejects_small_lower_bound_error(monkeypatch):
    """The lower side's tolerance is the certified ODE slack (~1e-15) + 1e-9, not the 2% of the upper side:
    a lower bound only 1e-3 too large is caught too."""
    from checks.related import measurement_cache
    from numeric.sharpness import minimizer_bounds

    orig = minimizer_bounds.lower_bound
    monkeypatch.setattr(minimizer_bounds, "lower_bound", lambda S, w, L: 1.001 * orig(S, w, L))
    monkeypatch.setattr(measurement_cache, "MEASUREMENTS", {})
    res = run_claim(get_claim("sharpness-gradient-flow"), RunContext(quick=True))
    (ev,) = _evidence(res, "high-precision", "gradient-flow")
    assert not ev.passed


def test_gradient_flow_lower_slack_is_tight():
    from checks.related.gradient_flow_runs import gradient_flow_measurements
    from checks.related.sharpness_gradient_flow import check_gradient_flow_factor

    rows = gradient_flow_measurements(CTX)
    assert all(0 <= r["lower_slack"] < 1e-9 for r in rows)
    ok, det = check_gradient_flow_factor(lambda r: r["derived_factor"], rows)
    assert ok and all(c["ratio"] >= 1 for c in det["cases"])


def test_gradient_flow_controls_use_the_positive_tolerance():
    res = run_claim(get_claim("sharpness-gradient-flow"), CTX)
    (pos,) = _evidence(res, "high-precision", "gradient-flow")
    (neg,) = _evidence(res, "negative-control")
    names = {v["name"] for v in neg.detail["variants"]}
    assert {"lower bound 10% too large", "reaches the lower bound (factor 1)"} <= names
    for v in neg.detail["variants"]:
        assert v["rejected"], v["name"]
        assert v["tolerance"] == pos.detail["derived_factor"]["tolerance"] > 0


def test_gradient_flow_factor_symbolic_check_bites(monkeypatch):
    """The check calls numeric.sharpness.minimizer_bounds.gradient_flow_factor and compares it with the SymPy
    derivation."""
    from checks.related import measurement_cache
    from numeric.sharpness import minimizer_bounds

    orig = minimizer_bounds.gradient_flow_factor
    monkeypatch.setattr(minimizer_bounds, "gradient_flow_factor", lambda S, w, L: 0.9 * orig(S, w, L))
    monkeypatch.setattr(measurement_cache, "MEASUREMENTS", {})
    res = run_claim(get_claim("sharpness-gradient-flow"), RunContext(quick=True))
    (ev,) = _evidence(res, "symbolic", "derived-factor")
    assert not ev.passed
    assert all(not r["agree"] for r in ev.detail["numeric"] if r["kappa"] > 1)


@pytest.mark.parametrize("mutation", ["spec-normalization", "recursion-matrix"])
def test_sgd_structure_compares_numeric_implementations(monkeypatch, mutation):
    """sgd-stability's structure check uses numeric.stability's closed_form.spec_threshold and
    moment_recursion.recursion_matrix: a wrong normalization (off by 2) or a recursion without the alpha^2 term
    must make it fail."""
    from numeric.stability import closed_form, moment_recursion

    if mutation == "spec-normalization":
        orig = closed_form.spec_threshold
        monkeypatch.setattr(closed_form, "spec_threshold", lambda prob, B, p=None: 0.5 * orig(prob, B, p))
    else:
        orig_k = moment_recursion.kronecker_matrices

        def no_second_order(prob, B, alpha, p=None):
            A, _ = orig_k(prob, B, p=p)
            return np.eye(A.shape[0]) - alpha * A

        monkeypatch.setattr(moment_recursion, "recursion_matrix", no_second_order)
    res = run_claim(get_claim("sgd-stability"), RunContext(quick=True))
    (ev,) = _evidence(res, "high-precision", "threshold-structure")
    assert not ev.passed
    if mutation == "recursion-matrix":
        (sym,) = _evidence(res, "symbolic")
        assert not sym.passed
