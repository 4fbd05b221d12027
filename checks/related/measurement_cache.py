"""Measurements shared by several methods of a claim, computed once per run context.

The minimizers' measured sharpness, the gradient-flow end points and the sharpness table
at S-SAM's critical points are each used by a claim's positive evidence and by its
negative control; they are cached here by ``(key, seed, quick, thorough)``.  The cache is
bounded (the :data:`MAX_ENTRIES` most recently used entries are kept), so repeated runs in one
process do not grow it; :func:`clear` empties it (tests that mutate the numeric layer call it).
"""
from __future__ import annotations

from collections import OrderedDict

__all__ = ["MEASUREMENTS", "MAX_ENTRIES", "cached_measurement", "clear"]

#: ``(key, seed, quick, thorough) -> measurement``, least recently used first.
MEASUREMENTS: OrderedDict = OrderedDict()
#: At most this many measurements are kept (three kinds per run context).
MAX_ENTRIES = 12


def cached_measurement(key, ctx, compute):
    """``compute(ctx)``, computed once per ``key`` and run context (seed and mode)."""
    cache_key = (key, ctx.seed, ctx.quick, ctx.thorough)
    if cache_key in MEASUREMENTS:
        MEASUREMENTS.move_to_end(cache_key)
        return MEASUREMENTS[cache_key]
    value = compute(ctx)
    MEASUREMENTS[cache_key] = value
    while len(MEASUREMENTS) > MAX_ENTRIES:
        MEASUREMENTS.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached measurement."""
    MEASUREMENTS.clear()
