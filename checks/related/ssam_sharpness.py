"""Claim ``ssam-sharpness``: S-SAM's stable critical points are flatter than every minimizer of L
(connects seeds 003/004 to Theorem 3.1b; CLAIMS.md, sharpness-minimizers and sgd-stability).

At every local minimum of ``L_R`` with all coordinates nonzero (Theorem 3.1b, eq 13), the
sharpness (top Hessian eigenvalue) of ``L`` and of ``L_R`` satisfy

    S(L) <= S(L_R) < S_min = 2 L max_h |w*_h|^{2-2/L}      (the minimal sharpness of L's minimizers);

the ratio ``S(L_R)/S_min`` decreases in ``eta`` and in ``L`` (and tends to 1 as ``eta -> 0``);
hence the largest stable GD step ``2/S(L_R)`` exceeds ``2/S_min``, and the SGD mean-square
threshold (Mulayoff & Michaeli's ``alpha*`` with per-sample Gauss-Newton Hessians, whitened data)
there is at least the one at the balanced minimizer of ``L``, for each batch size.  Measured on
a grid (:mod:`checks.related.critical_point_sharpness`).

Methods: high precision (the statement on every row of the table; ``eta = 1e-3``), negative
controls (wrong statements through :func:`check_ssam_sharpness`).
"""
from __future__ import annotations

import numpy as np

from numeric.sharpness import diagonal_network

from ..controls import negative_control_evidence
from ..framework import Evidence, claim
from .critical_point_sharpness import ssam_sharpness_table, stable_critical_points

__all__ = ["ssam_sharpness", "check_ssam_sharpness", "derived_statement"]

ssam_sharpness = claim(
    "ssam-sharpness",
    "S-SAM's stable critical points are flatter than every minimizer of L (connects seeds 003/004 to Thm 3.1b)",
    "At every local minimum of L_R with all coordinates nonzero (Theorem 3.1b), the sharpness of L and of L_R "
    "satisfy S(L) <= S(L_R) < 2 L max_h |w*_h|^{2-2/L} (the minimal sharpness of L's minimizers); the ratio "
    "S(L_R)/S_min decreases in eta and in L (tends to 1 as eta -> 0); hence the largest stable GD step "
    "2/S(L_R) exceeds 2/S_min, and the SGD mean-square threshold (per-sample Gauss-Newton Hessians, whitened "
    "data) there is at least the one at the balanced minimizer of L, for each batch size.",
    equations=("eq 13", "MC Thm 2", "MM eq 13"),
    notes=("Measured on a grid (L in {2,3,4}, eta in {0.05,...,0.3}, w* = (1, 0.5), n = 16 whitened samples); "
           "critical points from numeric.critical_points (issue 3). The SGD threshold uses the Gauss-Newton "
           "per-sample Hessians (PSD) at the point, not the full per-sample Hessian of the marginalized loss."),
    section="Related results (seeds 003, 004)", order=94,
)


@ssam_sharpness.method("high-precision", "sharpness-at-critical-points")
def sharpness_at_critical_points_high_precision(ctx):
    """The derived statement on every row of the table, and S(L_R)/S_min within 1e-4 below 1 at eta = 1e-3."""
    rows = ssam_sharpness_table(ctx)
    ok, detail = check_ssam_sharpness(derived_statement, rows)
    small_eta = []
    wstar = np.array([1.0, 0.5])
    for L in (2, 3):  # eta -> 0: ratio -> 1
        point = stable_critical_points(L, 1e-3, wstar)[0]
        ratio = (diagonal_network.diagonal_sharpness(point.weights, wstar, eta=1e-3)
                 / diagonal_network.diagonal_minimal_sharpness([1.0, 0.5], L))
        small_eta.append({"L": L, "eta": 1e-3, "ratio_LR": ratio})
    small_eta_ok = all(1 - 1e-4 < r["ratio_LR"] < 1 for r in small_eta)
    detail["small_eta"] = small_eta
    detail["rows"] = [{k: (v if not isinstance(v, dict) else {str(b): x for b, x in v.items()}) for k, v in r.items()}
                      for r in rows]
    return Evidence("high-precision", bool(ok and small_eta_ok and rows), detail)


@ssam_sharpness.method("negative-control", "wrong-statements")
def wrong_statements_control(ctx):
    """Wrong statements through :func:`check_ssam_sharpness` on the same table: each must be violated somewhere."""
    rows = ssam_sharpness_table(ctx)
    variants = {
        "S(L_R) equals the minimal sharpness (within 1e-6)": lambda row, rows: abs(row["ratio_LR"] - 1) < 1e-6,
        "minimal sharpness with L replaced by L-1 still exceeds S(L_R)": lambda row, rows: (
            row["sharpness_LR"] < 2 * (row["L"] - 1) * row["max_abs_wstar"] ** (2 - 2 / (row["L"] - 1))),
        "ratio increases with eta": lambda row, rows: (
            previous_eta_row(row, rows) is None or row["ratio_LR"] > previous_eta_row(row, rows)["ratio_LR"]),
        "largest stable GD step below 2/S_min": lambda row, rows: row["gd_step_LR"] < row["gd_step_minimizers"],
    }
    out = []
    for name, statement in variants.items():
        passed, detail = check_ssam_sharpness(statement, rows)
        out.append({"name": name, "rejected": not passed, "violations": len(detail["violations"])})
    return negative_control_evidence(out)


# --------------------------------------------------------------------------- the check and the derived statement
def check_ssam_sharpness(statement, rows) -> tuple[bool, dict]:
    """``statement(row, rows) -> bool`` must hold on every row of :func:`ssam_sharpness_table`."""
    violations = [{"L": r["L"], "eta": r["eta"], "ratio_L": r["ratio_L"], "ratio_LR": r["ratio_LR"]}
                  for r in rows if not statement(r, rows)]
    return not violations, {"violations": violations, "rows_checked": len(rows)}


def previous_eta_row(row, rows):
    """The row with the same L and the next smaller eta (None if first)."""
    smaller = [s for s in rows if s["L"] == row["L"] and s["eta"] < row["eta"]]
    return max(smaller, key=lambda s: s["eta"]) if smaller else None


def derived_statement(row, rows):
    """S(L) <= S(L_R) < S_min; the ratio decreases in eta and in L; larger GD step and SGD thresholds."""
    previous = previous_eta_row(row, rows)
    shallower = [s for s in rows if s["L"] == row["L"] - 1 and s["eta"] == row["eta"]]
    return (row["sharpness_L"] <= row["sharpness_LR"] < row["minimal_sharpness"]
            and (previous is None or row["ratio_LR"] < previous["ratio_LR"])
            and all(row["ratio_LR"] < s["ratio_LR"] for s in shallower)
            and row["gd_step_LR"] > row["gd_step_minimizers"]
            and all(row["sgd_threshold"][B] >= row["sgd_threshold_balanced_minimizer"][B]
                    for B in row["sgd_threshold"])
            and row["all_points_same_sharpness"])
