"""Instances of ``sharpness-gradient-flow`` and the end points of gradient flow on them.

Dense deep linear networks (depth ``L``, width ``m``, covariance ``Sigma`` of condition number
``kappa``) started from small random weights (scale :data:`INIT_SCALE`); the flow
(:func:`numeric.sharpness.dense_minimizers.gradient_flow`, LSODA) is integrated long enough to reach
a minimizer, and its end point's sharpness is measured against the bounds of
:mod:`numeric.sharpness.minimizer_bounds`.  For ``kappa > 1`` the target's direction ``u`` is drawn
in the plane of the top and bottom eigenvectors with ``u^T Sigma u = Lambda / (r L)``, ``r`` uniform in
[1.1, 1.5], so the balanced minimizer is at least 10% sharper than the lower bound (the flow cannot
reach the bound: a control that claims it must be rejected on every seed).  Cached per run context.
"""
from __future__ import annotations

import numpy as np

from numeric.sharpness import dense_minimizers, dense_network, minimizer_bounds

from .measurement_cache import cached_measurement

__all__ = ["INIT_SCALE", "gradient_flow_cases", "gradient_flow_measurements", "conserved_imbalance"]

#: Scale of the random initialization (entries ``INIT_SCALE N(0, 1/fan_in)``).
INIT_SCALE = 1e-2


def _target(rng, Q, eigenvalues, L, kappa):
    """``w*``: random norm; direction random (``kappa = 1``) or with ``u^T Sigma u = Lambda/(r L)`` (``kappa > 1``)."""
    d = eigenvalues.size
    if kappa > 1 and kappa / (1.1 * L) >= eigenvalues[-1]:
        q = kappa / (rng.uniform(1.1, 1.5) * L)
        q = max(q, eigenvalues[-1] * (1 + 1e-9))
        top_weight = (q - eigenvalues[-1]) / (eigenvalues[0] - eigenvalues[-1])
        u = (np.sqrt(top_weight) * Q[:, 0] * rng.choice([-1.0, 1.0])
             + np.sqrt(1 - top_weight) * Q[:, -1] * rng.choice([-1.0, 1.0]))
    else:
        u = rng.standard_normal(d)
        u /= np.linalg.norm(u)
    return u * np.linalg.norm(rng.standard_normal(d))


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
        eigenvalues = np.geomspace(kappa, 1.0, d)
        Sigma = Q @ np.diag(eigenvalues) @ Q.T
        wstar = _target(rng, Q, eigenvalues, L, kappa)
        shapes = [(width, d)] + [(width, width)] * (L - 1)
        W0 = [INIT_SCALE * rng.standard_normal(s) / np.sqrt(s[1]) for s in shapes]
        p = rng.standard_normal(width)
        p /= np.linalg.norm(p)
        out.append((L, width, kappa, Sigma, wstar, W0, p))
    return out


def conserved_imbalance(W0, wstar) -> float:
    """``max_k ||W_{k+1}^T W_{k+1} - W_k W_k^T||_2 / ||w*||^{2/L}``: conserved by the flow, it measures how far
    the end point's layers are from balanced (relative to the balanced layer scale ``||w*||^{2/L}``)."""
    L = len(W0)
    gaps = [np.linalg.norm(W0[k + 1].T @ W0[k + 1] - W0[k] @ W0[k].T, 2) for k in range(L - 1)]
    return float(max(gaps) / np.linalg.norm(wstar) ** (2 / L))


def gradient_flow_measurements(ctx):
    """One row per case (cached per run context): the end point's loss and sharpness, the bounds there."""
    return cached_measurement("gf", ctx, _run_gradient_flows)


def _run_gradient_flows(ctx):
    rows = []
    for L, width, kappa, Sigma, wstar, W0, p in gradient_flow_cases(ctx):
        a = float(np.linalg.norm(wstar))
        # escape from the saddle at 0 takes a time ~ INIT_SCALE^{-(L-2)} a^{-(2-2/L)}
        t_max = 40.0 * L / INIT_SCALE ** max(L - 2, 0) / a ** (2 - 2 / L)
        Ws, info = dense_minimizers.gradient_flow(W0, p, Sigma, wstar, t_max=t_max)
        sharpness = dense_network.dense_sharpness(Ws, p, Sigma, wstar)
        parameters = sum(int(np.prod(np.shape(Wk))) for Wk in Ws)
        rows.append({"L": L, "width": width, "kappa": kappa, "loss_end": info["loss"], "sharpness": sharpness,
                     "lower_bound": minimizer_bounds.lower_bound(Sigma, wstar, L),
                     "balanced": minimizer_bounds.balanced_sharpness(Sigma, wstar, L),
                     "lower_slack": minimizer_bounds.lower_bound_slack(Ws, p, Sigma, wstar),
                     "imbalance": conserved_imbalance(W0, wstar), "parameters": parameters,
                     "Lambda": float(np.linalg.eigvalsh(Sigma)[-1]), "norm_wstar": a,
                     "derived_factor": minimizer_bounds.gradient_flow_factor(Sigma, wstar, L),
                     "kappa_factor": kappa})
    for row in rows:
        row["ratio"] = row["sharpness"] / row["lower_bound"]
    return rows
