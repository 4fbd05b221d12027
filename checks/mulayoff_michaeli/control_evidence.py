"""Negative-control evidence with near misses, for the Mulayoff & Michaeli claims.

Every control runs the *same* check as the positive evidence.  Wrong variants (a constant 5-10% off,
a step just above a bound) must be rejected; **near misses** (a variant just inside the check's
resolution, or a valid but weaker statement) must pass, which shows that the check resolves the
boundary rather than only gross mistakes.  The evidence passes iff both hold.
"""
from __future__ import annotations

from ..controls import negative_control_evidence

__all__ = ["boundary_control_evidence"]


def boundary_control_evidence(variants: list[dict], near_misses: list[dict], extra: dict | None = None):
    """:func:`checks.controls.negative_control_evidence` of ``variants`` (each ``rejected`` must be true),
    failing also if some near miss (each with ``passed``) did not pass; near misses go to the detail."""
    detail = {"near_misses": near_misses}
    if extra:
        detail.update(extra)
    evidence = negative_control_evidence(variants, detail)
    evidence.passed = bool(evidence.passed and near_misses and all(n["passed"] for n in near_misses))
    return evidence
