"""Negative controls at the boundary of a claim, with near-miss positives just inside it.

A control variant is a wrong input just outside the claim (a constant off by a few percent, a
ratio 1 % off); a near miss is an input just inside it that the same check must accept, so the
evidence shows the check's resolution and not only that gross mistakes are caught.  Every entry
records its distance from the boundary (``distance_from_boundary``).
"""
from __future__ import annotations

from ..controls import negative_control_evidence
from ..framework import Evidence

__all__ = ["boundary_control_evidence"]


def boundary_control_evidence(variants: list[dict], near_misses: list[dict], extra: dict | None = None) -> Evidence:
    """``negative-control`` evidence: passes iff every variant is ``rejected`` and every near miss ``passed``.

    ``variants``: dicts with ``name``, ``rejected`` and ``distance_from_boundary``; ``near_misses``:
    dicts with ``name``, ``passed`` and ``distance_from_boundary``.
    """
    for entry in variants + near_misses:
        if "distance_from_boundary" not in entry:
            raise ValueError(f"control {entry.get('name')!r} does not record its distance_from_boundary")
    evidence = negative_control_evidence(variants, {**(extra or {}), "near_misses": near_misses})
    evidence.passed = evidence.passed and all(bool(n["passed"]) for n in near_misses)
    return evidence
