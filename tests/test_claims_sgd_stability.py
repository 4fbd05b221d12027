"""sgd-stability: one false-failure budget, convergence criteria instead of fixed step counts, controls at the
boundary with near-misses, and the seeds that failed on main."""
import numpy as np
import pytest

from checks.framework import RunContext, get_claim, run_claim
from checks.related import sgd_stability, stability_threshold_checks
from checks.related.stability_instances import stability_cases
from numeric.stability import closed_form, moment_recursion

QUICK = RunContext(seed=0, quick=True)


@pytest.fixture(scope="module")
def result():
    return run_claim(get_claim("sgd-stability"), QUICK)


def _evidence(result, name):
    (ev,) = [e for e in result.evidence if e.name == name]
    return ev


def test_passes_within_one_budget(result):
    assert result.verdict == "pass", [e.name for e in result.evidence if not e.passed]
    ff = result.false_failure
    assert ff["budget"] == 1e-6 and not ff["overspent"] and ff["probability"] <= 1e-6
    assert set(ff["by_share"]) == {"one-step-map", "sgd-and-mixture-both-sides", "regular-minimum-sgd",
                                   "wrong-thresholds"}


def test_controls_at_the_boundary_and_near_misses(result):
    ev = _evidence(result, "wrong-thresholds")
    variants = {(v["name"], v["method"]): v for v in ev.detail["variants"]}
    for name in ("threshold 5% too large", "threshold 5% too small", "threshold 0.5% too large",
                 "threshold 0.5% too small"):
        assert variants[(name, "second-moment recursion (proved)")]["rejected"]
    for name in ("threshold 5% too large", "threshold 5% too small"):
        v = variants[(name, "Monte Carlo SGD/ALG(p)")]
        assert v["rejected"] and v["miss_probability"] < 1e-8
    assert variants[("p with n in place of n-1", "Monte Carlo one-step map (empirical Bernstein)")]["rejected"]
    v = variants[("regular minimum: no gradient noise (the interpolating recursion)",
                  "Monte Carlo at a regular minimum (empirical Bernstein)")]
    assert v["rejected"] and v["miss_probability"] < 1e-9
    near = {v["name"]: v for v in ev.detail["near_misses"]}
    assert set(near) == {"near-miss: threshold 0.1% too large", "near-miss: threshold 0.1% too small",
                         "near-miss: threshold 0.2% too large"}
    assert not any(v["rejected"] for v in near.values())
    total = sum(v["failure_probability"] for v in ev.detail["near_misses"])
    assert ev.detail["false_failure_probability"] == pytest.approx(total) and total <= sgd_stability.ALPHA_CONTROLS
    assert ev.detail["control_miss_probability"] == pytest.approx(sum(v["miss_probability"] for v in ev.detail["variants"]))


def test_recursion_check_resolution_is_its_delta():
    """Proved decay/growth: a candidate within 0.2 % of alpha* passes, 0.5 % off fails (every case, every batch)."""
    cases = stability_cases(QUICK)
    for factor, expected in ((1.0, True), (1.0015, True), (0.9985, True), (1.005, False), (0.995, False)):
        ok, detail = stability_threshold_checks.check_threshold_recursion(
            lambda prob, B: factor * closed_form.threshold(prob, B).threshold, cases)
        assert ok == expected, (factor, [r for r in detail["rows"] if not r["ok"]][:2])


@pytest.mark.parametrize("seed", [51, 81, 113, 115, 193])
def test_regular_minimum_covariance_converges_for_the_seeds_that_failed_on_main(seed):
    """Default mode failed on main: 1200/1500 fixed steps; now the recursion runs to an error bound."""
    ev = sgd_stability.regular_minimum_covariance_high_precision(RunContext(seed=seed))
    assert ev.passed, ev.detail
    for row in ev.detail["rows"]:
        assert row["frobenius_error"] <= row["tolerance"] < 1e-8 * max(1.0, row["trace_limit"])


def test_simulation_is_exact_level_and_proves_the_side(result):
    ev = _evidence(result, "sgd-and-mixture-both-sides")
    assert len(ev.detail["tests"]) == 4
    for row in ev.detail["tests"]:
        assert row["steps"] == 4 and row["interval_excludes_1_on_this_side"] and row["max_error_over_halfwidth"] < 1
        assert row["range"] > row["mean_sq_norm"] and row["direction_failure_probability"] < 1e-9
    assert ev.detail["false_failure_probability"] == pytest.approx(
        ev.detail["two_sided_level"] + ev.detail["direction_failure_probability"])
    assert ev.detail["false_failure_probability"] <= sgd_stability.ALPHA_SIMULATION


def test_simulation_controls_use_their_own_number_of_tests():
    """With only the SGD process the level is split over 2 tests, not 4 (the former code kept 8 in the control)."""
    candidate = lambda prob, B: closed_form.threshold(prob, B).threshold  # noqa: E731
    _, both = stability_threshold_checks.check_threshold_simulation(candidate, QUICK, 1e-6)
    _, sgd_only = stability_threshold_checks.check_threshold_simulation(candidate, QUICK, 1e-6, processes=("sgd",))
    assert len(sgd_only["tests"]) == 2
    assert sgd_only["tests"][0]["mean_sq_norm"] == both["tests"][0]["mean_sq_norm"]
    assert sgd_only["tests"][0]["halfwidth"] < both["tests"][0]["halfwidth"]


def test_wrong_side_cannot_pass_the_simulation():
    """A candidate 5 % too large puts the recursion above 1 at candidate (1 - 3 %): the interval cannot contain it and
    lie below 1, so the miss probability is 0 by logic."""
    _, detail = stability_threshold_checks.check_threshold_simulation(
        lambda prob, B: 1.05 * closed_form.threshold(prob, B).threshold, QUICK, 1e-6, processes=("sgd",))
    below = detail["tests"][0]
    assert below["side"] == "below" and below["recursion"] > 1 and not below["ok"] and below["miss_probability"] == 0


def test_one_step_map_is_exact_level_with_the_enumerated_range(result):
    ev = _evidence(result, "one-step-map")
    for row in ev.detail["tests"]:
        assert row["test"].startswith("empirical Bernstein") and row["max_error_over_halfwidth"] < 1
        assert row["range_width_max"] > 0


def test_wrong_mixture_weight_in_the_recursion_fails_the_claim(monkeypatch):
    """Mutation: the recursion's batch weight with n in place of n - 1 (closed_form keeps the right one)."""
    monkeypatch.setattr(moment_recursion, "batch_p", lambda n, B: (n - B) / (B * n))
    ev = sgd_stability.second_moment_recursion_high_precision(QUICK)
    assert not ev.passed


def test_seed_51_passes_in_default_mode_for_the_recursion_parts():
    ctx = RunContext(seed=51)
    for fn in (sgd_stability.second_moment_recursion_high_precision,
               sgd_stability.regular_minimum_covariance_high_precision):
        assert fn(ctx).passed
    assert np.isfinite(sgd_stability.ALPHA_REGULAR)
