"""Negative controls at the boundary of a claim, and near-miss positives just inside it.

A negative control runs a deliberately wrong variant of a claim -- a constant off by 5-10 %, a step
1.1-2x above a bound, a radius 10 % short, a noise level 5 % off -- through the *same* check as the
positive statement, and must be rejected.  A *near miss* runs the same check on an input just inside
the boundary (the claim where it is nearly tight, a value inside the check's resolution) and must be
accepted: it shows the check's resolution, not only that gross mistakes are caught.  Every entry
records its ``distance_from_boundary``.

What a control costs.  The evidence fails if a near miss is rejected -- a true statement rejected, a
false failure: its ``failure_probability`` is spent from the claim's false-failure budget
(:mod:`checks.framework`, the share ``budget_share``) -- or if a wrong variant passes.  The latter is a
miss (a type II error: the check lacks the power it claims), not a false failure; its
``miss_probability`` is recorded and added up into ``control_miss_probability``, which the claim
reports beside its false-failure probability but does not spend from the budget.  Both default to 0
(a deterministic check).
"""
from __future__ import annotations

from .framework import Evidence

__all__ = ["negative_control_evidence", "boundary_control_evidence", "BOUNDARY_OFFSET"]

#: The relative offset of a constant in a boundary control (5 %).
BOUNDARY_OFFSET = 0.05


def negative_control_evidence(variants: list[dict], extra: dict | None = None) -> Evidence:
    """Evidence of kind ``negative-control`` that passes iff every variant has ``rejected`` true.

    ``variants``: one dict per wrong variant with at least ``name`` and ``rejected``;
    ``extra``: further detail (the instance, tolerances) merged into the evidence detail.
    """
    detail = {"variants": variants}
    if extra:
        detail.update(extra)
    return Evidence("negative-control", all(bool(v["rejected"]) for v in variants), detail)


def _probability(entry: dict, key: str) -> float:
    value = float(entry.get(key, 0.0))
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"control {entry.get('name')!r}: {key} must be in [0, 1], got {value}")
    return value


def boundary_control_evidence(variants: list[dict], near_misses: list[dict], extra: dict | None = None,
                              budget_share: str | None = None) -> Evidence:
    """``negative-control`` evidence: passes iff every variant is ``rejected`` and every near miss ``passed``.

    ``variants``: dicts with ``name``, ``rejected``, ``distance_from_boundary`` and, for a statistical
    check, ``miss_probability`` (an upper bound on the probability that the variant is not rejected);
    ``near_misses``: dicts with ``name``, ``passed``, ``distance_from_boundary`` and, for a statistical
    check, ``failure_probability`` (an upper bound on the probability that it is rejected when the claim
    holds).  The detail holds ``variants``, ``near_misses``, ``false_failure_probability`` (the sum of the
    near misses' failure probabilities), ``budget_share`` (the claim's share that pays for it; required
    when it is positive) and ``control_miss_probability`` (the sum of the miss probabilities).
    ``ValueError`` if an entry misses its distance or its verdict, or a probability is outside ``[0, 1]``.
    """
    for entry in variants:
        if "rejected" not in entry:
            raise ValueError(f"control {entry.get('name')!r} does not say whether it was rejected")
    for entry in near_misses:
        if "passed" not in entry:
            raise ValueError(f"near miss {entry.get('name')!r} does not say whether it passed")
    for entry in (*variants, *near_misses):
        if "distance_from_boundary" not in entry:
            raise ValueError(f"control {entry.get('name')!r} does not record its distance_from_boundary")
    probability = sum(_probability(n, "failure_probability") for n in near_misses)
    if probability > 0 and budget_share is None:
        raise ValueError("near misses with a positive failure probability need the budget_share that pays it")
    detail = {**(extra or {}), "near_misses": near_misses, "false_failure_probability": float(probability),
              "control_miss_probability": float(sum(_probability(v, "miss_probability") for v in variants))}
    if budget_share is not None:
        detail["budget_share"] = budget_share
    evidence = negative_control_evidence(variants, detail)
    evidence.passed = bool(evidence.passed and all(bool(n["passed"]) for n in near_misses))
    return evidence
