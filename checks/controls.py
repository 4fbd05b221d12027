"""Negative-control evidence shared by every claim.

A negative control runs a deliberately wrong variant of a claim (a constant off by a
few percent, a step above the bound, a wrong exponent) through the *same* check as
the positive statement.  The evidence passes iff every variant was rejected.
"""
from __future__ import annotations

from .framework import Evidence

__all__ = ["negative_control_evidence"]


def negative_control_evidence(variants: list[dict], extra: dict | None = None) -> Evidence:
    """Evidence of kind ``negative-control`` that passes iff every variant has ``rejected`` true.

    ``variants``: one dict per wrong variant with at least ``name`` and ``rejected``;
    ``extra``: further detail (the instance, tolerances) merged into the evidence detail.
    """
    detail = {"variants": variants}
    if extra:
        detail.update(extra)
    return Evidence("negative-control", all(bool(v["rejected"]) for v in variants), detail)
