"""Where the nonzero minima of ``L_R`` become global (beyond the paper).

Just above the threshold ``tau_L(eta)`` the larger shrinkage root gives only
local minima: the zero point has the smaller ``L_R``.  The switch happens at
``|w*| = r_L tau_L(eta)`` with a ratio ``r_L`` that depends on ``L`` only.
"""
from __future__ import annotations

import mpmath

from ..shrinkage.certified_roots import shrinkage_roots
from ..shrinkage.threshold_regime import threshold
from ..validation import check_depth

__all__ = ["global_switch_ratio"]


def global_switch_ratio(L: int, digits: int = 30, hi: float = 4.0):
    """``r_L = w_g / tau_L(eta)``: above ``w_g`` the nonzero minima are global, below it the zero point is.

    Per coordinate, with ``a = eta u`` and ``kappa = |w*| / eta^L``,
    ``L_R / eta^(2L) = (kappa - u^L)^2 + (u^2+1)^L - u^(2L)``, so the ratio depends
    on ``L`` only.  Bisection (``3.33 digits + 10`` steps) on ``kappa`` of
    ``V(kappa) = L_R(larger root) - L_R(0)``, with the larger root from
    :func:`numeric.shrinkage.certified_roots.shrinkage_roots` (certified).  Beyond the paper;
    for ``L = 2`` the nonzero minimum is global as soon as it exists (returns 1).
    """
    L = check_depth(L)
    if L == 2:
        return mpmath.mpf(1)
    with mpmath.workdps(digits + 10):
        tau = threshold(L, 1, digits + 10)

        def value_gap(ratio):
            kappa = tau * ratio
            roots = shrinkage_roots(L, 1, kappa, digits=digits + 5)
            u = roots.roots_a[-1]
            return (kappa - u ** L) ** 2 + (u * u + 1) ** L - u ** (2 * L) - (kappa ** 2 + 1)

        lo, up = mpmath.mpf(1) + mpmath.mpf(10) ** (-digits // 2), mpmath.mpf(hi)
        if not (value_gap(lo) > 0 > value_gap(up)):
            raise ArithmeticError(f"global_switch_ratio: no sign change of V on [1, {hi}] for L={L}")
        for _ in range(int(3.33 * digits) + 10):
            mid = (lo + up) / 2
            if value_gap(mid) > 0:
                lo = mid
            else:
                up = mid
        return +(lo + up) / 2
