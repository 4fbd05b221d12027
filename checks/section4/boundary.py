"""Negative controls at the boundary of a claim, with the near-miss positives that show their resolution.

A boundary control runs the positive check on an input just outside the claim (a constant off by
5-10 %, a step 1.1-2x above a bound, a noise level 5 % off) and must be rejected; a *near-miss
positive* runs the same check on an input just inside the boundary (the claim where it is nearly
tight) and must be accepted.  Each records its distance from the boundary.  The evidence passes
iff every control is rejected and every near-miss positive accepted.  Used by the claims of
:mod:`checks.section4` and :mod:`checks.related`.
"""
from __future__ import annotations

from ..controls import negative_control_evidence
from ..framework import Evidence

__all__ = ["boundary_control_evidence", "BOUNDARY_OFFSET"]

#: The relative offset of a constant in a boundary control (5 %).
BOUNDARY_OFFSET = 0.05


def boundary_control_evidence(variants: list[dict], near_misses: list[dict], extra: dict | None = None) -> Evidence:
    """Negative-control evidence that also requires every near-miss positive to be accepted.

    ``variants``: dicts with ``name``, ``rejected`` and ``distance_from_boundary`` (a short
    description such as ``"rate constant +5%"``); ``near_misses``: dicts with ``name``,
    ``accepted`` and ``distance_from_boundary`` (how close to the boundary the accepted input is).
    """
    for entry in (*variants, *near_misses):
        if "distance_from_boundary" not in entry:
            raise ValueError(f"control {entry.get('name')!r} must record its distance_from_boundary")
    evidence = negative_control_evidence(variants, extra)
    evidence.detail["near_miss_positives"] = near_misses
    evidence.passed = bool(evidence.passed and all(bool(n["accepted"]) for n in near_misses))
    return evidence
