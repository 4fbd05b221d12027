"""Claims of Section 4 pass in quick mode, every negative control is rejected, runs are reproducible."""
import pytest

from checks.framework import RunContext, get_claim, run_claim
from claimtools import assert_controls_rejected, assert_passes

QUICK = RunContext(seed=0, quick=True)
IDS = ["gradient-flow-facts", "theorem-4.1", "theorem-4.2", "theorem-4.3", "theorem-4.4"]


@pytest.fixture(scope="module", params=IDS)
def result(request):
    return run_claim(get_claim(request.param), QUICK)


def test_claim_passes(result):
    assert_passes(result)
    assert {"symbolic", "high-precision", "negative-control"} <= {e.method for e in result.evidence}


def test_every_negative_control_is_rejected(result):
    assert_controls_rejected(result, min_variants=3)


def _variant_names(claim_id):
    r = run_claim(get_claim(claim_id), QUICK)
    return [v["name"] for e in r.evidence if e.method == "negative-control" for v in e.detail["variants"]]


def test_required_negative_controls_present():
    assert any("rate 5" in n for n in _variant_names("theorem-4.1"))
    assert any("alpha^2" in n for n in _variant_names("theorem-4.3"))
    assert any("radius half" in n for n in _variant_names("theorem-4.4"))


def test_theorem_4_4_monte_carlo_states_statistics():
    r = run_claim(get_claim("theorem-4.4"), QUICK)
    z = [e for e in r.evidence if e.name.startswith("mean S-SAM step")][0].detail
    assert z["false_failure_probability"] <= 1e-6 and z["samples"] >= 5 * 10**4
    assert z["detectable_discrepancy"] > 0 and "seed" in z


def test_l2_rate_exact_and_larger_root():
    r = run_claim(get_claim("theorem-4.1"), QUICK)
    mp = [e for e in r.evidence if "mpmath" in e.name and e.method == "high-precision"][0].detail
    assert mp["max_relative_deviation"] <= 1e-6
    r = run_claim(get_claim("theorem-4.2"), QUICK)
    gd = [e for e in r.evidence if e.name.startswith("strong descent")][0].detail
    assert all(c["limits_on_larger_root"] for c in gd["cases"])


def test_reproducible():
    a = run_claim(get_claim("theorem-4.3"), QUICK).to_json()
    b = run_claim(get_claim("theorem-4.3"), QUICK).to_json()
    strip = lambda r: [{k: v for k, v in e["detail"].items() if k != "seconds"} for e in r["evidence"]]
    assert strip(a) == strip(b)


def test_theorem_4_2_fails_when_its_step_bound_is_wrong(monkeypatch):
    """M 100x too small (so the claimed step is 100x too large): the claim must not pass.

    The bound is patched where theorem 4.2 looks it up, for every variant, and the cached
    Hessian data and GD runs are recomputed under the patch (and again after it).  The Hessian
    check itself must fail; GD at 100x the step diverges, which the descent check reports as
    an error (non-finite weights reach the critical-point search).
    """
    from checks.section4 import theorem_4_2

    original = theorem_4_2.hessian_bound_function

    def too_small(L, *variant):
        bound = original(L, *variant)
        return lambda *args: bound(*args) / 100

    monkeypatch.setattr(theorem_4_2, "hessian_bound_function", too_small)
    caches = (theorem_4_2._hessian_data, theorem_4_2._descent_runs, theorem_4_2._adversarial_points)
    for cached in caches:
        cached.cache_clear()
    try:
        result = run_claim(get_claim("theorem-4.2"), RunContext(seed=0, quick=True))
        assert result.verdict != "pass"
        hessian_check = [e for e in result.evidence if e.name.startswith("M bounds")][0]
        assert not hessian_check.passed and "error" not in hessian_check.detail
    finally:
        for cached in caches:
            cached.cache_clear()
