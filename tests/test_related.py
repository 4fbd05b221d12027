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


@pytest.fixture
def fresh_measurements():
    """Rows cached by earlier tests used the true numeric layer: start and end with an empty cache."""
    from checks.related import measurement_cache

    measurement_cache.clear()
    yield
    measurement_cache.clear()


def test_gradient_flow_rejects_lower_bound_too_large(monkeypatch, fresh_measurements):
    """Mutation: a lower bound 10% too large puts the flow's end point BELOW it; the positive high-precision
    evidence itself must fail (not only a negative control)."""
    from numeric.sharpness import minimizer_bounds

    orig = minimizer_bounds.lower_bound
    monkeypatch.setattr(minimizer_bounds, "lower_bound", lambda S, w, L: 1.1 * orig(S, w, L))
    res = run_claim(get_claim("sharpness-gradient-flow"), RunContext(quick=True))
    (ev,) = _evidence(res, "high-precision", "gradient-flow")
    assert not ev.passed
    cases = ev.detail["derived_factor"]["cases"]
    assert all(not c["at_least_lower_bound"] and c["ratio"] < 0.97 for c in cases if c["kappa"] == 1)
    assert res.verdict == "fail"


def test_gradient_flow_rejects_small_lower_bound_error(monkeypatch, fresh_measurements):
    """The lower side's tolerance is the certified ODE slack (~1e-15) plus eigvalsh rounding, not the imbalance
    tolerance of the upper side: a lower bound only 1e-6 too large is caught too."""
    from numeric.sharpness import minimizer_bounds

    orig = minimizer_bounds.lower_bound
    monkeypatch.setattr(minimizer_bounds, "lower_bound", lambda S, w, L: (1 + 1e-6) * orig(S, w, L))
    res = run_claim(get_claim("sharpness-gradient-flow"), RunContext(quick=True))
    (ev,) = _evidence(res, "high-precision", "gradient-flow")
    assert not ev.passed


def test_gradient_flow_tolerances_are_tight():
    from checks.related.gradient_flow_runs import gradient_flow_measurements
    from checks.related.sharpness_gradient_flow import check_gradient_flow_factor

    rows = gradient_flow_measurements(CTX)
    assert all(0 <= r["lower_slack"] < 1e-9 for r in rows)
    assert all(0 < r["imbalance"] < 2e-3 for r in rows)  # init scale 1e-2: tolerance 3 x imbalance < 0.6%
    ok, det = check_gradient_flow_factor(lambda r: r["derived_factor"], rows)
    assert ok and all(c["ratio"] >= 1 - 1e-12 for c in det["cases"])
    assert all(c["balanced_error_over_tolerance"] < 1 for c in det["cases"])


@pytest.mark.parametrize("seed", [211, 17, 3])
def test_gradient_flow_controls_rejected_on_seeds_that_failed_on_main(seed):
    """Seed 211 failed on main: the random target nearly aligned with Sigma's top eigenvector, so the flow's end
    point was within 2% of the lower bound and the control 'factor 1' was accepted."""
    res = run_claim(get_claim("sharpness-gradient-flow"), RunContext(seed=seed, quick=seed != 211))
    assert_passes(res)
    rows = [r for r in _evidence(res, "high-precision", "gradient-flow")[0].detail["rows"] if r["kappa"] > 1]
    assert all(r["balanced"] >= 1.1 * r["lower_bound"] for r in rows)


def test_gradient_flow_controls_use_the_positive_tolerance():
    res = run_claim(get_claim("sharpness-gradient-flow"), CTX)
    (pos,) = _evidence(res, "high-precision", "gradient-flow")
    (neg,) = _evidence(res, "negative-control")
    names = {v["name"] for v in neg.detail["variants"]}
    assert {"lower bound 5% too large", "reaches the lower bound (factor 1)", "ends at 95% of the balanced value",
            "ends at 105% of the balanced value"} <= names
    for v in neg.detail["variants"]:
        assert v["rejected"], v["name"]
        assert v["tolerance"] == pos.detail["derived_factor"]["tolerance"]
    assert all(n["passed"] for n in neg.detail["near_misses"])


def test_gradient_flow_factor_symbolic_check_bites(monkeypatch, fresh_measurements):
    """The check calls numeric.sharpness.minimizer_bounds.gradient_flow_factor and compares it with the SymPy
    derivation."""
    from numeric.sharpness import minimizer_bounds

    orig = minimizer_bounds.gradient_flow_factor
    monkeypatch.setattr(minimizer_bounds, "gradient_flow_factor", lambda S, w, L: 0.9 * orig(S, w, L))
    res = run_claim(get_claim("sharpness-gradient-flow"), RunContext(quick=True))
    (ev,) = _evidence(res, "symbolic", "derived-factor")
    assert not ev.passed
    assert all(not r["agree"] for r in ev.detail["numeric"] if r["kappa"] > 1)


def test_sharpness_minimizers_controls_at_the_boundary():
    res = run_claim(get_claim("sharpness-minimizers"), CTX)
    (neg,) = _evidence(res, "negative-control")
    by_name = {v["name"]: v for v in neg.detail["variants"]}
    # a bound 5% smaller is rejected also on a non-whitened row (w* along Sigma's top eigenvector)
    assert "dense-aligned L=3" in by_name["constant 5% too small"]["cases_failed"]
    assert by_name["spec: 2 Lambda L a^(2-2/L) as lower bound"]["cases_failed"]
    assert all(n["passed"] for n in neg.detail["near_misses"])


def test_sharpness_minimizers_strict_rows_are_searched_over_all_minimizers():
    from checks.related.minimizer_instances import minimal_sharpness_measurements

    rows = [r for r in minimal_sharpness_measurements(CTX) if r["model"] == "dense-nonwhitened"]
    assert rows and all(r["searched"] is not None and np.isfinite(r["searched"]) for r in rows)


def test_sharpness_minimizers_fails_when_the_diagonal_minimum_is_off(monkeypatch, fresh_measurements):
    from numeric.sharpness import diagonal_network

    orig = diagonal_network.diagonal_minimal_sharpness
    monkeypatch.setattr(diagonal_network, "diagonal_minimal_sharpness", lambda w, L: 0.95 * orig(w, L))
    res = run_claim(get_claim("sharpness-minimizers"), CTX)
    assert res.verdict == "fail"
    assert not _evidence(res, "high-precision", "minimal-sharpness")[0].passed
    assert not _evidence(res, "symbolic")[0].passed


def test_ssam_sharpness_fails_when_the_minimal_sharpness_is_too_small(monkeypatch, fresh_measurements):
    """S_min 5% too small: S(L_R) < S_min fails at small eta (ratio up to 0.99999)."""
    from numeric.sharpness import diagonal_network

    orig = diagonal_network.diagonal_minimal_sharpness
    monkeypatch.setattr(diagonal_network, "diagonal_minimal_sharpness", lambda w, L: 0.95 * orig(w, L))
    res = run_claim(get_claim("ssam-sharpness"), CTX)
    assert res.verdict == "fail"


def test_random_diagonal_minimizers_flip_signs_and_keep_the_product():
    from checks.related.minimizer_instances import _random_diagonal_minimizer
    from numeric.sharpness import diagonal_network

    wstar = np.array([1.5, -0.4, 0.8])
    W_balanced = diagonal_network.balanced_minimizer(wstar, 4)
    rng = np.random.default_rng(0)
    samples = [_random_diagonal_minimizer(rng, W_balanced) for _ in range(20)]
    for W in samples:
        np.testing.assert_allclose(np.prod(W, axis=0), wstar, rtol=1e-12)
    assert any(np.any(np.sign(W) != np.sign(W_balanced)) for W in samples)


def test_measurement_cache_is_bounded():
    from checks.framework import RunContext as Context
    from checks.related import measurement_cache

    measurement_cache.clear()
    for seed in range(measurement_cache.MAX_ENTRIES + 5):
        measurement_cache.cached_measurement("probe", Context(seed=seed), lambda ctx: ctx.seed)
    assert len(measurement_cache.MEASUREMENTS) == measurement_cache.MAX_ENTRIES
    measurement_cache.clear()
    assert not measurement_cache.MEASUREMENTS


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
