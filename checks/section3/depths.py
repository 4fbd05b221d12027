"""The depths ``L`` a Section 3 check covers in each run mode (quick, default, thorough)."""
from __future__ import annotations

__all__ = ["depths_for_mode"]


def depths_for_mode(ctx, full=range(2, 9), quick=range(2, 6), thorough=None) -> list:
    """``thorough`` depths in a thorough run (when given), ``quick`` depths in a quick run, else ``full``.

    The defaults (``2..8``, quick ``2..5``) are the depths of the per-depth symbolic identities.
    """
    if ctx.thorough and thorough is not None:
        return list(thorough)
    return list(quick if ctx.quick else full)
