"""The instances of ``dense-balancing`` and their critical points, found once per run and shared.

Each case is a landscape (:mod:`numeric.dense_marginalized.landscapes`), what theory predicts for the
balance of its critical points, and which critical points the prediction is about.  The search runs from
many random starts (seeded from the run's seed), every distinct point is polished to ``||grad L_R||_2 <=
1e-40`` at 50 digits and measured with the same code for every landscape (the diagonal one included).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np

from numeric import dense_marginalized as dm

from ..framework import RunContext

__all__ = ["DIGITS", "RESIDUAL_DIGITS", "LAW_TOLERANCE", "BALANCED_BELOW", "UNBALANCED_ABOVE", "BalanceCase",
           "balance_cases", "CaseResult", "case_results", "is_certified_critical", "law_gap"]

#: Working precision of the polish and the measurements, and the residual every point must reach.
DIGITS, RESIDUAL_DIGITS = 50, 40
#: A law holds at a point iff its relative gap is below this (10 orders above the residual's effect:
#: the distance to an exact critical point is about residual / smallest non-zero Hessian eigenvalue).
LAW_TOLERANCE = 1e-30
#: Balanced: relative imbalance below ``BALANCED_BELOW``; unbalanced: above ``UNBALANCED_ABOVE``, 20 orders
#: above anything the residual can explain.
BALANCED_BELOW, UNBALANCED_ABOVE = 1e-30, 1e-20

_GENERIC_TARGET = np.array([[1.5, 0.4], [-0.3, 0.9]])  # singular values 1.58 and 0.82
_ROTATION = np.array([[np.cos(0.7), -np.sin(0.7)], [np.sin(0.7), np.cos(0.7)]])


@dataclass(frozen=True)
class BalanceCase:
    """A landscape, the predicted answer (``balanced`` / ``unbalanced``), its scope and why."""

    name: str
    kind: str  # "dense" | "diagonal"
    shape: tuple  # dims (dense) or (depth, width) (diagonal)
    target: tuple
    eta: float
    expected: str
    scope: str  # "all": every non-origin critical point found; "global-minimum": the lowest L_R found
    reason: str
    newton: bool = False  # also search with plain Newton (saddles) besides saddle-free Newton

    def predicted_imbalance(self):
        """``L = 2`` dense: ``|d_0 - d_2| / (d_0 + d_2)`` at every non-zero critical point (from ``d_2 W_1 W_1^T =
        d_0 W_2^T W_2``: the two sides are proportional); otherwise ``None`` (no closed form)."""
        if self.kind != "dense" or len(self.shape) != 3:
            return None
        d0, _, d2 = self.shape
        return abs(d0 - d2) / (d0 + d2)

    def landscape(self):
        if self.kind == "dense":
            return dm.DenseLandscape(self.shape, np.array(self.target), self.eta)
        return dm.DiagonalLandscape(self.shape[0], np.array(self.target), self.eta)


def balance_cases(ctx) -> list:
    """The cases of the run: four with ``--quick``, six by default, seven with ``--thorough``."""
    generic = tuple(map(tuple, _GENERIC_TARGET))
    cases = [
        BalanceCase("dense L=3 (2,2,2,2), W* with distinct singular values", "dense", (2, 2, 2, 2), generic, 0.3,
                    "unbalanced", "all", "eq D6 weights the Gram matrices by the noisy moments N_0 = I, "
                                            "M_2 = W_3^T W_3 + eta^2 d_3 I, which is not a multiple of I",
                    newton=not ctx.quick),
        BalanceCase("dense L=2 (3,2,2), d_0 = d_2 + 1", "dense", (3, 2, 2),
                    ((1.2, -0.7, 0.5), (0.3, 0.8, -0.4)), 0.3, "unbalanced", "all",
                    "L = 2: eq D6 reads d_2 W_1 W_1^T = d_0 W_2^T W_2 with d_0 != d_2"),
        BalanceCase("dense L=2 (2,2,2), d_0 = d_2", "dense", (2, 2, 2), generic, 0.3, "balanced", "all",
                    "L = 2: eq D6 reads d_2 W_1 W_1^T = d_0 W_2^T W_2 with d_0 = d_2"),
        BalanceCase("diagonal L=3 (the paper's model, control)", "diagonal", (3, 2), (1.5, 0.6), 0.3, "balanced",
                    "all", "Theorem 3.1(a): W_l^2 = W_{l+1}^2 at every critical point", newton=not ctx.quick),
    ]
    if not ctx.quick:
        cases += [
            BalanceCase("dense L=3 (3,2,2,1), row-vector W*", "dense", (3, 2, 2, 1), ((1.2, -0.7, 0.5),), 0.3,
                        "unbalanced", "all", "eq D6 with N_0 = I_3 against M_2 = W_3^T W_3 + eta^2 I"),
            BalanceCase("dense L=3 (2,2,2,2), W* = 1.2 x rotation", "dense", (2, 2, 2, 2),
                        tuple(map(tuple, 1.2 * _ROTATION)), 0.3, "balanced", "global-minimum",
                        "equal singular values: at a full-rank minimum every noisy moment is a multiple of I"),
        ]
    if ctx.thorough:
        cases += [
            BalanceCase("dense L=4 (2,2,2,2,2), W* with distinct singular values", "dense", (2, 2, 2, 2, 2),
                        generic, 0.2, "unbalanced", "all", "eq D6 at the outer interfaces"),
            BalanceCase("dense L=3 (2,2,2,2), W* with distinct singular values, eta = 0.05", "dense", (2, 2, 2, 2),
                        generic, 0.05, "unbalanced", "all", "as eta -> 0 the law tends to a weighted law of the "
                                                           "noiseless products, still not plain balance"),
        ]
    return cases


@dataclass
class CaseResult:
    """A case with its certified critical points (non-origin, residual reached) and the search reports."""

    case: BalanceCase
    points: list  # CriticalPoint, certified, in scope
    found: int  # distinct points found by the search
    origins: int
    not_certified: int
    reports: list


def _in_scope(case, points):
    if case.scope == "global-minimum" and points:
        minima = [p for p in points if p.index == 0]
        return [min(minima, key=lambda p: p.value)] if minima else []
    return points


@lru_cache(maxsize=4)
def case_results(seed: int, quick: bool, thorough: bool) -> tuple:
    """Search, polish and measure every case of the run (cached: shared by the claim's methods)."""
    ctx = RunContext(seed, quick, thorough)
    starts = ctx.size(16, quick=12, thorough=96)
    results = []
    for case in balance_cases(ctx):
        landscape = case.landscape()
        candidates, reports = [], []
        for method in ("saddle-free", "newton") if case.newton else ("saddle-free",):
            seed = ctx.seed_for(f"dense-balancing/{case.name}/{method}")
            found, report = dm.search_critical_points(landscape, starts, seed, method=method)
            candidates += found
            reports.append(report)
        measured, seen = [], set()
        for x in candidates:
            x_mp, residual, steps = dm.polish(landscape, x, digits=DIGITS, residual_digits=RESIDUAL_DIGITS)
            point = dm.measure(landscape, x_mp, residual, steps, residual_digits=RESIDUAL_DIGITS, digits=DIGITS)
            key = round(point.value, 9)
            if key not in seen:
                seen.add(key)
                measured.append(point)
        origins = sum(p.is_origin for p in measured)
        certified = [p for p in measured if p.converged and not p.is_origin]
        not_certified = sum(not p.converged for p in measured)
        results.append(CaseResult(case, _in_scope(case, certified), len(measured), origins, not_certified, reports))
    return tuple(results)


def is_certified_critical(landscape, x_mp) -> tuple[bool, float]:
    """``||grad L_R||_2 <= 10^-RESIDUAL_DIGITS`` at ``DIGITS`` digits; ``(certified, residual)``."""
    with mpmath.workdps(DIGITS):
        residual = mpmath.norm(landscape.gradient(x_mp))
    return bool(residual <= mpmath.mpf(10) ** (-RESIDUAL_DIGITS)), float(residual)


def law_gap(landscape, x_mp, law) -> float:
    """The largest relative gap over interfaces of ``law(layers) -> [(lhs, rhs)]`` at the point, at ``DIGITS``."""
    with mpmath.workdps(DIGITS):
        return max(dm.relative_gaps(law(landscape.layers(x_mp))))
