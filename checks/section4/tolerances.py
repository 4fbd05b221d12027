"""Tolerances shared by several Section 4 claims.

* :data:`FLOW_RTOL`: the relative slack of float64 gradient flows (``gradient-flow-facts``,
  ``theorem-4.1``);
* :data:`DELTA`: the strong-descent margin ``delta`` of eq 19, which sets the claimed GD step
  ``2 (1 - delta) / M`` (``theorem-4.2``, ``theorem-4.3``).
"""
from __future__ import annotations

__all__ = ["FLOW_RTOL", "DELTA"]

#: Relative slack for float64 flows integrated at rtol 1e-12 (about 1e3 times the solver tolerance).
FLOW_RTOL = 1e-9

#: ``delta`` of eq 19: GD must decrease ``L_R`` by at least ``delta alpha ||grad L_R||^2`` per step.
DELTA = 0.5
