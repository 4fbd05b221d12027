"""Problems, flows and runs shared by the Marion & Chizat claims, computed once per run context.

* :func:`regression_problem`: ``(Sigma, w*)`` with a covariance of condition number ``kappa`` (eigenvalues
  geometric between ``kappa`` and 1, Haar-random eigenvectors) and a Gaussian ``w*``;
* :func:`small_init_flows`: gradient flows of dense networks (last layer a row, ``p = 1``) from
  ``W(0) = s Z`` for a fixed Gaussian direction ``Z`` per depth and a sweep of scales ``s`` (Sec 4), run to
  convergence (excess risk ``<= 1e-22``), recorded also at ``t = 1`` and 200 log-spaced times after it;
* :func:`residual_flows`: flows of residual networks ``W_k(0) = I + N_k / sqrt(L d)`` (eq 2, scale 1, the
  paper's) with a random unit ``p`` and a unit ``w*``, run to convergence (excess risk ``<= 1e-16``; DOP853 at
  ``rtol = 1e-10`` keeps the state to about ``1e-10``, hence the risk to about ``1e-20``);
* :func:`identity_flows`: the same at ``W_k(0) = I`` (the scale-0 member of eq 2), deterministic in the depth, with
  ``w*`` along the bottom eigenvector of ``Sigma``: the flows on which a dependence on ``L`` or ``kappa`` is exact.

Seeds come from ``ctx.seed_for``; the cache is keyed by ``(key, seed, quick, thorough)``
(:data:`checks.related.measurement_cache.MEASUREMENTS`, which mutation tests clear).
"""
from __future__ import annotations

import numpy as np

from numeric import deep_linear as dl
from numeric.deep_linear import network

from ..related.measurement_cache import cached_measurement

__all__ = ["regression_problem", "small_init_cases", "small_init_flows", "residual_cases", "residual_flows",
           "identity_flows", "SMALL_INIT_LOSS_TOL", "RESIDUAL_LOSS_TOL"]

#: excess risk at which a flow from small initialization counts as converged (LSODA at rtol 1e-10, atol 1e-14)
SMALL_INIT_LOSS_TOL = 1e-22
#: excess risk at which a residual flow counts as converged (DOP853 at rtol 1e-10, atol 1e-12)
RESIDUAL_LOSS_TOL = 1e-16


def regression_problem(seed, d, kappa, wstar_direction=None):
    """``(Sigma, w*)``: eigenvalues ``geomspace(kappa, 1, d)``; ``w*`` Gaussian, or unit along ``wstar_direction``
    (``"bottom"``: the eigenvector of the smallest eigenvalue, ``"random"``: a uniform unit vector)."""
    rng = np.random.default_rng(seed)
    Sigma = dl.covariance_with_spectrum(np.geomspace(kappa, 1.0, d), seed=int(rng.integers(2**31)))
    if wstar_direction is None:
        wstar = rng.standard_normal(d)
    elif wstar_direction == "bottom":
        wstar = np.linalg.eigh(Sigma)[1][:, 0].copy()
    elif wstar_direction == "random":
        wstar = rng.standard_normal(d)
        wstar /= np.linalg.norm(wstar)
    else:
        raise ValueError(f"wstar_direction must be None, 'bottom' or 'random', got {wstar_direction!r}")
    return Sigma, wstar


def small_init_cases(ctx):
    """``(L, scales)``: depths and the sweep of initialization scales (three scales, two in quick mode)."""
    depths = (2, 3) if ctx.quick else (2, 3, 4)
    scales = (3e-3, 1e-3) if ctx.quick else (1e-2, 3e-3, 1e-3)
    if ctx.thorough:
        depths, scales = (2, 3, 4, 5), (1e-2, 3e-3, 1e-3, 3e-4)
    return depths, scales


def small_init_flows(ctx, scales_by_depth=None):
    """Rows ``{"L", "scale", "trajectory", "W0", "Sigma", "wstar", "A1"}`` for every depth and scale of
    :func:`small_init_cases` (or of ``scales_by_depth = {L: scales}``), each flow cached per run context.

    ``d = 3``, hidden width 3, ``kappa = 4``.  The direction ``Z`` (one per depth) has its last layer's sign chosen
    so that ``w(Z)^T Sigma w* >= 0``; then ``R(s Z) - R(0) = -2 s^L w(Z)^T Sigma w* + s^{2L} w(Z)^T Sigma w(Z) <= 0``
    for small ``s``, which is Assumption (A1) (``R(W(0)) <= R(0)``, ``grad R(W(0)) != 0``); ``"A1"`` records
    that both hold.
    """
    if scales_by_depth is None:
        depths, scales = small_init_cases(ctx)
        scales_by_depth = {L: scales for L in depths}
    return [cached_measurement(("mc-small-init", L, s), ctx, lambda ctx, L=L, s=s: _small_init_flow(ctx, L, s))
            for L, scales in scales_by_depth.items() for s in scales]


def _small_init_flow(ctx, L, s):
    d, width = 3, 3
    Sigma, wstar = regression_problem(ctx.seed_for("mc-small-init-problem"), d, 4.0)
    direction = dl.small_initialization(d, [width] * (L - 1) + [1], 1.0, seed=ctx.seed_for(f"mc-small-init-{L}"))
    if float(network.batched_gradient([Z[None] for Z in direction], np.ones(1), Sigma, wstar)[1][0]
             @ Sigma @ wstar) < 0:
        direction[-1] = -direction[-1]
    W0 = [s * Z for Z in direction]
    excess0, grads0 = dl.excess_risk_and_gradient(W0, np.ones(1), Sigma, wstar)
    assumption = bool(excess0 <= float(wstar @ Sigma @ wstar) and any(np.any(g != 0) for g in grads0))
    trajectory = dl.gradient_flow_to_convergence(W0, np.ones(1), Sigma, wstar, loss_tol=SMALL_INIT_LOSS_TOL,
                                                  extra_times=200)
    return {"L": L, "scale": s, "trajectory": trajectory, "W0": W0, "Sigma": Sigma, "wstar": wstar,
            "A1": assumption}


def residual_cases(ctx):
    """``(depths, widths, draws)`` of the residual sweep with Gaussian initialization."""
    if ctx.quick:
        return (2, 4), (4,), 1
    if ctx.thorough:
        return (2, 4, 8, 16, 32), (4, 8, 16), 3
    return (2, 4, 8, 16), (4,), 1


def residual_flows(ctx, max_depth=None):
    """Rows ``{"L", "d", "draw", "trajectory", "W0", "p", "Sigma", "wstar"}`` (``kappa = 4``, unit ``w*``) for the
    sweep of :func:`residual_cases` (depths up to ``max_depth`` if given), each flow cached per run context."""
    depths, widths, draws = residual_cases(ctx)
    return [cached_measurement(("mc-residual", L, d, draw), ctx, lambda ctx, L=L, d=d, draw=draw:
                               _residual_flow(ctx, L, d, draw))
            for d in widths for L in depths if max_depth is None or L <= max_depth for draw in range(draws)]


def _residual_flow(ctx, L, d, draw):
    Sigma, _ = regression_problem(ctx.seed_for(f"mc-residual-problem-{d}"), d, 4.0)
    seed = ctx.seed_for(f"mc-residual-{d}-{L}-{draw}")
    W0, p = dl.residual_initialization(L, d, 1.0, seed=seed)
    _, wstar = regression_problem(seed + 1, d, 4.0, wstar_direction="random")
    trajectory = dl.gradient_flow_to_convergence(W0, p, Sigma, wstar, loss_tol=RESIDUAL_LOSS_TOL, t_max=1e4,
                                                  rtol=1e-10, atol=1e-12, method="DOP853")
    return {"L": L, "d": d, "draw": draw, "trajectory": trajectory, "W0": W0, "p": p, "Sigma": Sigma, "wstar": wstar}


def identity_flows(ctx, depths, kappa=4.0, d=4):
    """Rows ``{"L", "kappa", "trajectory", "W0", "p", "Sigma", "wstar"}``: residual networks at the ``scale -> 0``
    member of eq 2, ``W_k(0) = I`` (deterministic given the problem), ``p = 1/sqrt(d)``, ``w*`` the unit bottom
    eigenvector of ``Sigma`` (the direction where ``Lambda / (u^T Sigma u) = kappa``), cached per flow."""
    return [cached_measurement(("mc-identity", L, kappa, d), ctx, lambda ctx, L=L: _identity_flow(ctx, L, kappa, d))
            for L in depths]


def _identity_flow(ctx, L, kappa, d):
    Sigma, wstar = regression_problem(ctx.seed_for("mc-identity-problem"), d, kappa, wstar_direction="bottom")
    W0, p = [np.eye(d) for _ in range(L)], np.full(d, 1 / np.sqrt(d))
    trajectory = dl.gradient_flow_to_convergence(W0, p, Sigma, wstar, loss_tol=RESIDUAL_LOSS_TOL, t_max=1e4,
                                                  rtol=1e-10, atol=1e-12, method="DOP853")
    return {"L": L, "kappa": kappa, "trajectory": trajectory, "W0": W0, "p": p, "Sigma": Sigma, "wstar": wstar}
