"""One false-failure budget per claim (checks.framework), its reporting per claim and per run."""
import pytest

from checks import runner
from checks.framework import (Evidence, FalseFailureBudget, RunContext, _REGISTRY, _ORDER_KEY, claim,
                              false_failure_summary, run_claim)


@pytest.fixture
def scratch_claim():
    created = []

    def make(budget=None):
        c = claim("test-budget-claim", "t", "s", false_failure_budget=budget)
        created.append(c.id)
        return c

    yield make
    for cid in created:  # keep the registry clean for other tests
        _REGISTRY.pop(cid, None)
        _ORDER_KEY.pop(cid, None)


def test_shares_cannot_exceed_the_budget(scratch_claim):
    c = scratch_claim(1e-6)
    assert c.allocate("a", 0.6) == pytest.approx(6e-7)
    assert c.allocate("a", 0.5) == pytest.approx(5e-7)  # re-allocating replaces
    with pytest.raises(ValueError, match="exceed the budget"):
        c.allocate("b", 0.6)
    with pytest.raises(ValueError, match="fraction"):
        c.allocate("b", 0.0)
    with pytest.raises(ValueError, match="false_failure_budget"):
        FalseFailureBudget(2.0)
    with pytest.raises(ValueError, match="false_failure_budget"):
        FalseFailureBudget(-1e-6)
    with pytest.raises(ValueError, match="declared no false_failure_budget"):
        scratch_claim(None).allocate("x", 0.5)


def test_claim_total_is_the_union_bound_and_overspending_is_an_error(scratch_claim):
    c = scratch_claim(1e-6)
    share = c.allocate("mc", 0.5)

    @c.method("monte-carlo", "mc")
    def _mc(ctx):
        return [Evidence("monte-carlo", True, {"false_failure_probability": share / 2, "budget_share": "mc"}),
                Evidence("monte-carlo", True, {"false_failure_probability": share / 2, "budget_share": "mc"},
                         name="mc-2")]

    result = run_claim(c, RunContext())
    assert result.verdict == "pass"
    assert result.false_failure["probability"] == pytest.approx(share)
    assert result.false_failure["by_share"] == {"mc": pytest.approx(share)} and result.false_failure["budget"] == 1e-6

    @c.method("negative-control", "controls")
    def _controls(ctx):
        return Evidence("negative-control", True, {"variants": [], "false_failure_probability": 1e-7,
                                                   "budget_share": "not allocated"})

    result = run_claim(c, RunContext())
    assert result.verdict == "error" and result.false_failure["overspent"]
    assert any(e.name == "false-failure-budget" and not e.passed for e in result.evidence)


def test_claims_without_a_budget_report_what_their_evidence_declares():
    evidence = [Evidence("monte-carlo", True, {"false_failure_probability": 1e-6}, name="a"),
                Evidence("monte-carlo", True, {"false_failure_probability": "n/a"}, name="b"),
                Evidence("symbolic", True, {}, name="c")]
    summary = false_failure_summary(evidence)
    assert summary["probability"] == pytest.approx(1e-6) and summary["budget"] is None and not summary["overspent"]


def test_run_total_is_the_sum_over_claims():
    results = runner.run_claims(["theorem-3.1c", "sgd-stability"], RunContext(quick=True), jobs=1)
    total = runner.run_false_failure(results)
    per_claim = {r.id: r.false_failure["probability"] for r in results}
    assert total["probability"] == pytest.approx(sum(per_claim.values()))
    assert total["deterministic"] == ["theorem-3.1c"] and total["undeclared"] == []
    assert total["budget"] == pytest.approx(1e-6) and 0 < per_claim["sgd-stability"] <= 1e-6
    assert results[1].to_json()["false_failure"]["budget"] == 1e-6
    assert total["control_miss_probability"] == pytest.approx(
        sum(r.false_failure["control_miss_probability"] for r in results))


def test_run_command_prints_claim_and_run_rates(capsys):
    from ssam_verify.cli import main

    assert main(["run", "--claims", "lemma-3.2", "--quick", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "P(false fail)" in out and "false-failure probability of this run <=" in out


def test_every_claim_declares_a_budget_and_statistical_claims_spend_at_most_it():
    from checks.framework import DEFAULT_FALSE_FAILURE_BUDGET, registry

    claims = registry()
    assert claims and all(c.budget is not None for c in claims), [c.id for c in claims if c.budget is None]
    for c in claims:
        assert c.budget.total in (0.0, DEFAULT_FALSE_FAILURE_BUDGET), c.id
        assert c.budget.allocated <= c.budget.total * (1 + 1e-12), c.id
        assert bool(c.budget.shares) == (not c.budget.deterministic), c.id


def test_deterministic_claims_may_spend_nothing(scratch_claim):
    c = scratch_claim(0.0)
    with pytest.raises(ValueError, match="deterministic"):
        c.allocate("x", 0.5)

    @c.method("high-precision", "exact")
    def _exact(ctx):
        return Evidence("high-precision", True, {})

    result = run_claim(c, RunContext())
    assert result.verdict == "pass" and result.false_failure["probability"] == 0 and result.false_failure["budget"] == 0

    @c.method("monte-carlo", "sampled")
    def _sampled(ctx):
        return Evidence("monte-carlo", True, {"false_failure_probability": 1e-9})

    result = run_claim(c, RunContext())
    assert result.verdict == "error" and result.false_failure["overspent"]


def test_statistical_evidence_must_declare_its_probability(scratch_claim):
    c = scratch_claim(1e-6)
    c.allocate("mc", 1.0)

    @c.method("monte-carlo", "silent")
    def _silent(ctx):
        return Evidence("monte-carlo", True, {"z_max": 0.3})

    result = run_claim(c, RunContext())
    assert result.verdict == "error" and result.false_failure["undeclared"] == ["monte-carlo/silent"]
    assert "without a declared false_failure_probability" in result.evidence[-1].detail["error"]


def test_control_misses_are_reported_not_spent(scratch_claim):
    from checks.controls import boundary_control_evidence

    c = scratch_claim(1e-6)
    c.allocate("near-misses", 0.5)

    @c.method("negative-control", "controls")
    def _controls(ctx):
        return boundary_control_evidence(
            [{"name": "x 1.05", "rejected": True, "distance_from_boundary": 0.05, "miss_probability": 0.3}],
            [{"name": "x 1.001", "passed": True, "distance_from_boundary": 0.001, "failure_probability": 2e-7}],
            budget_share="near-misses")

    result = run_claim(c, RunContext())
    assert result.verdict == "pass"
    assert result.false_failure["probability"] == pytest.approx(2e-7)
    assert result.false_failure["control_miss_probability"] == pytest.approx(0.3)


def test_false_failure_cell_of_the_run_table():
    from ssam_verify.commands.claims import false_failure_cell

    assert false_failure_cell({"probability": 0.0, "budget": 0.0}) == "0"
    assert false_failure_cell({"probability": 6.8e-7, "budget": 1e-6}) == "6.8e-07/1e-06"
    assert false_failure_cell({"probability": 0.0, "budget": None}) == "-"
