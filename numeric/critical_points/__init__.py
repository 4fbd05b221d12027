"""All critical points of ``L_R`` (Theorem 3.1(a)-(b)): enumerated, classified, and searched for independently.

One module per concept:

* :mod:`.enumeration`: the critical set as a product over coordinates (``coordinate_critical_points``,
  ``critical_points``, ``count_critical_points``, ``nearest_critical_point``);
* :mod:`.classification`: minimum / saddle / maximum / degenerate from Hessian eigenvalues;
* :mod:`.newton_search`: an independent Newton search from random starts (``search_critical_points``);
* :mod:`.global_switch`: the ratio ``r_L`` above which the nonzero minima are global (beyond the paper).

Findings (beyond the paper; checked in :mod:`checks.section3.theorem_3_1b`): for ``L >= 3``
the zero point is a strict local minimum (Hessian ``2 eta^(2(L-1)) I``), the
smaller root gives saddles with exactly one negative eigenvalue, the larger
root gives strict local minima, and the double root at the threshold is
degenerate.  For ``L = 2`` the zero point is a saddle above the threshold.

This package re-exports the names that code outside it uses; code in the project
imports from the concept modules.
"""
from .enumeration import coordinate_critical_points, critical_points, nearest_critical_point

__all__ = ["coordinate_critical_points", "critical_points", "nearest_critical_point"]
