"""checks.controls.boundary_control_evidence: the one home of the boundary controls' evidence."""
import pytest

from checks.controls import BOUNDARY_OFFSET, boundary_control_evidence


def _variant(rejected=True, **extra):
    return {"name": "constant x 1.05", "rejected": rejected, "distance_from_boundary": BOUNDARY_OFFSET, **extra}


def _near(passed=True, **extra):
    return {"name": "constant x 1.001", "passed": passed, "distance_from_boundary": 1e-3, **extra}


def test_passes_iff_every_variant_rejected_and_every_near_miss_passed():
    assert boundary_control_evidence([_variant()], [_near()]).passed
    assert not boundary_control_evidence([_variant(rejected=False)], [_near()]).passed
    assert not boundary_control_evidence([_variant()], [_near(passed=False)]).passed
    evidence = boundary_control_evidence([_variant()], [_near()], {"instance": "L=2"})
    assert evidence.method == "negative-control" and evidence.detail["instance"] == "L=2"
    assert evidence.detail["near_misses"][0]["name"] == "constant x 1.001"


def test_near_miss_failures_are_spent_and_misses_reported():
    evidence = boundary_control_evidence([_variant(miss_probability=1e-3), _variant(miss_probability=2e-3)],
                                         [_near(failure_probability=1e-7), _near(failure_probability=2e-7)],
                                         budget_share="near-misses")
    assert evidence.detail["false_failure_probability"] == pytest.approx(3e-7)
    assert evidence.detail["control_miss_probability"] == pytest.approx(3e-3)
    assert evidence.detail["budget_share"] == "near-misses"


def test_bad_entries_are_refused():
    with pytest.raises(ValueError, match="distance_from_boundary"):
        boundary_control_evidence([{"name": "x", "rejected": True}], [])
    with pytest.raises(ValueError, match="whether it passed"):
        boundary_control_evidence([_variant()], [{"name": "near", "accepted": True, "distance_from_boundary": 0}])
    with pytest.raises(ValueError, match="whether it was rejected"):
        boundary_control_evidence([{"name": "x", "distance_from_boundary": 0}], [])
    with pytest.raises(ValueError, match="budget_share"):
        boundary_control_evidence([_variant()], [_near(failure_probability=1e-7)])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        boundary_control_evidence([_variant(miss_probability=1.5)], [])
