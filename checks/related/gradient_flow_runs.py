"""Instances of ``sharpness-gradient-flow`` and the end points of gradient flow on them.

Dense deep linear networks (depth ``L``, width ``m``, covariance ``Sigma`` of condition
number ``kappa``) started from small random weights (scale ``5e-2``); the flow
(:func:`numeric.sharpness.dense_minimizers.gradient_flow`, LSODA) is integrated long enough
to reach a minimizer, and its end point's sharpness is measured against the bounds of
:mod:`numeric.sharpness.minimizer_bounds`.  Cached per run context.
"""
from __future__ import annotations

import numpy as np

from numeric.sharpness import dense_minimizers, dense_network, minimizer_bounds

from .measurement_cache import cached_measurement

__all__ = ["gradient_flow_cases", "gradient_flow_measurements"]


def gradient_flow_cases(ctx):
    """``(L, width, kappa, Sigma, w*, W0, p)`` with a small random initialization ``W0`` and unit ``p``."""
    rng = np.random.default_rng(ctx.seed_for("gf-cases"))
    cases = [(2, 3, 3, 1.0), (3, 3, 3, 4.0), (4, 2, 2, 10.0)]
    if ctx.thorough:
        cases += [(3, 5, 4, 20.0), (5, 3, 3, 2.0)]
    if ctx.quick:
        cases = cases[:2]
    out = []
    for L, width, d, kappa in cases:
        Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        Sigma = Q @ np.diag(np.geomspace(kappa, 1.0, d)) @ Q.T
        wstar = rng.standard_normal(d)
        shapes = [(width, d)] + [(width, width)] * (L - 1)
        W0 = [5e-2 * rng.standard_normal(s) / np.sqrt(s[1]) for s in shapes]
        p = rng.standard_normal(width)
        p /= np.linalg.norm(p)
        out.append((L, width, kappa, Sigma, wstar, W0, p))
    return out


def gradient_flow_measurements(ctx):
    """One row per case (cached per run context): the end point's loss and sharpness, the bounds there."""
    return cached_measurement("gf", ctx, _run_gradient_flows)


def _run_gradient_flows(ctx):
    rows = []
    for L, width, kappa, Sigma, wstar, W0, p in gradient_flow_cases(ctx):
        Ws, info = dense_minimizers.gradient_flow(W0, p, Sigma, wstar, t_max=40.0 * L / 0.05 ** max(L - 2, 0))
        sharpness = dense_network.dense_sharpness(Ws, p, Sigma, wstar)
        lower = minimizer_bounds.lower_bound(Sigma, wstar, L)
        rows.append({"L": L, "width": width, "kappa": kappa, "loss_end": info["loss"], "sharpness": sharpness,
                     "lower_bound": lower, "ratio": sharpness / lower,
                     "balanced": minimizer_bounds.balanced_sharpness(Sigma, wstar, L),
                     "lower_slack": minimizer_bounds.lower_bound_slack(Ws, p, Sigma, wstar),
                     "Lambda": float(np.linalg.eigvalsh(Sigma)[-1]), "norm_wstar": float(np.linalg.norm(wstar)),
                     "derived_factor": minimizer_bounds.gradient_flow_factor(Sigma, wstar, L),
                     "kappa_factor": kappa})
    return rows
