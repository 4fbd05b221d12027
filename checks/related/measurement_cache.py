"""Measurements shared by several methods of a claim, computed once per run context.

The minimizers' measured sharpness, the gradient-flow end points and the sharpness table
at S-SAM's critical points are each used by a claim's positive evidence and by its
negative control; they are cached here by ``(key, seed, quick, thorough)``.  Tests that
mutate the numeric layer replace :data:`MEASUREMENTS` by an empty dict first.
"""
from __future__ import annotations

__all__ = ["MEASUREMENTS", "cached_measurement"]

#: ``(key, seed, quick, thorough) -> measurement``
MEASUREMENTS: dict = {}


def cached_measurement(key, ctx, compute):
    """``compute(ctx)``, computed once per ``key`` and run context (seed and mode)."""
    cache_key = (key, ctx.seed, ctx.quick, ctx.thorough)
    if cache_key not in MEASUREMENTS:
        MEASUREMENTS[cache_key] = compute(ctx)
    return MEASUREMENTS[cache_key]
