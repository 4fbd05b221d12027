"""The sharpness table of ``ssam-sharpness``: S-SAM's stable critical points against L's minimizers.

For ``w* = (1, 0.5)``, ``n = 16`` whitened samples and a grid of depths ``L`` and noise
levels ``eta``: at the first local minimum of ``L_R`` with every coordinate nonzero
(Theorem 3.1b, from :func:`numeric.critical_points.critical_points`), the sharpness of ``L``
and of ``L_R``, the minimal sharpness of ``L``'s minimizers, the largest stable GD steps and
the SGD mean-square thresholds (per-sample Gauss-Newton Hessians) there and at the balanced
minimizer of ``L``.  Cached per run context.
"""
from __future__ import annotations

import numpy as np

from numeric import critical_points
from numeric.data import whitened_data
from numeric.sharpness import diagonal_network
from numeric.stability import closed_form as stability_closed_form

from .measurement_cache import cached_measurement

__all__ = ["depth_and_eta_grid", "stable_critical_points", "ssam_sharpness_table"]


def depth_and_eta_grid(ctx):
    """``(depths, etas)``: ``L`` in {2, 3, 4} ({2, 3} quick), ``eta`` in {0.05, 0.1, 0.2, 0.3}."""
    etas = [0.05, 0.1, 0.2, 0.3]
    depths = [2, 3, 4] if not ctx.quick else [2, 3]
    return depths, etas


def stable_critical_points(L, eta, wstar):
    """Local minima of ``L_R`` with every coordinate nonzero (all ``lambdas > 0``), Theorem 3.1b."""
    return [point for point in critical_points.critical_points(L, eta, wstar)
            if point.kind == "minimum" and np.all(point.lambdas > 0)]


def ssam_sharpness_table(ctx, wstar=(1.0, 0.5), n=16, batches=(1, 4, 16)) -> list:
    """Sharpness of ``L`` and ``L_R`` at S-SAM's stable critical points (local minima of ``L_R`` with every
    coordinate nonzero, Theorem 3.1b, from :func:`numeric.critical_points.critical_points`), against the
    minimal sharpness of ``L``'s minimizers; the largest stable GD step ``2/lambda_max`` and the SGD
    mean-square threshold (per-sample Gauss-Newton Hessians on whitened data) there and at the balanced
    minimizer of ``L``."""
    return cached_measurement(("ssam", tuple(wstar), n, tuple(batches)), ctx,
                              lambda c: _measure_sharpness_table(c, np.array(wstar), n, batches))


def _measure_sharpness_table(ctx, wstar, n, batches):
    X, _ = whitened_data(n, wstar, seed=ctx.seed_for("ssam-data"))
    depths, etas = depth_and_eta_grid(ctx)
    rows = []
    for L in depths:
        minimal = diagonal_network.diagonal_minimal_sharpness(wstar, L)
        W_balanced = diagonal_network.balanced_minimizer(wstar, L)
        features_balanced = diagonal_network.diagonal_per_sample_features(W_balanced, X)
        sgd_balanced = {B: stability_closed_form.threshold(features_balanced, B).threshold for B in batches}
        for eta in etas:
            points = stable_critical_points(L, eta, wstar)
            if not points:
                continue
            point = points[0]
            sharpness_L = diagonal_network.diagonal_sharpness(point.weights, wstar)
            sharpness_LR = diagonal_network.diagonal_sharpness(point.weights, wstar, eta=eta)
            features = diagonal_network.diagonal_per_sample_features(point.weights, X)
            rows.append({"L": L, "eta": eta, "lambdas": point.lambdas.tolist(), "n_stable_points": len(points),
                         "max_abs_wstar": float(np.max(np.abs(wstar))),
                         "sharpness_L": sharpness_L, "sharpness_LR": sharpness_LR, "minimal_sharpness": minimal,
                         "ratio_L": sharpness_L / minimal, "ratio_LR": sharpness_LR / minimal,
                         "gd_step_LR": 2 / sharpness_LR, "gd_step_minimizers": 2 / minimal,
                         "sgd_threshold": {B: stability_closed_form.threshold(features, B).threshold for B in batches},
                         "sgd_threshold_balanced_minimizer": sgd_balanced,
                         "all_points_same_sharpness": bool(np.allclose(
                             [diagonal_network.diagonal_sharpness(p.weights, wstar, eta=eta) for p in points],
                             sharpness_LR, rtol=1e-9))})
    return rows
