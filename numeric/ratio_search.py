"""Adversarial search: maximize a scale-free ratio from many starts at once (Appendix C checks).

The bounds of Appendix C (Lemma C.1: ``||Hess L_R|| <= K L_R / eta^2``; Lemma C.2:
``eta^{2(L-|S|)} ||prod_S W_l||^2 <= R``; the gradient bound ``eta^2 ||grad L_R||^2 <= L L_R^2``)
are checked by looking for the points where the left side is largest *relative* to the right
side.  :func:`maximize_from_starts` does that without knowing where those points are: a
(1+1) evolution strategy with the one-fifth success rule runs from every start at once
(vectorized: one call of the objective per iteration for all starts), until every start's
step size has shrunk below ``xtol`` (a convergence criterion, not a fixed count), then the
best starts are polished by Nelder-Mead.

The ratios themselves (:func:`hessian_ratio`, :func:`gradient_ratio`) call the model of
:mod:`numeric.model` on a batch of one-coordinate problems laid out as the coordinates of one
wide network (the model separates by coordinate).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import model
from .dynamics.batched_model import batch_marginalized_loss
from .validation import check_eta, check_int, check_positive, check_seed

__all__ = ["SearchResult", "maximize_from_starts", "maximize_on_grid", "hessian_ratio", "gradient_ratio",
           "split_point"]


#: Starts whose value is within this relative distance of the best must converge before the search stops.
LEADING_RTOL = 1e-3


@dataclass
class SearchResult:
    """The outcome of :func:`maximize_from_starts`.

    ``best_x`` (n,) and ``best_value``: the largest value found; ``values`` (N,): the value
    reached from every start; ``iterations``: evolution-strategy iterations until every step
    size fell below ``xtol`` (or ``max_iterations``); ``converged``: whether that happened.
    """

    best_x: np.ndarray
    best_value: float
    values: np.ndarray
    points: np.ndarray
    iterations: int
    converged: bool


def maximize_from_starts(objective, starts, seed=0, xtol=1e-6, max_iterations=4000, polish=0,
                         initial_step=0.3, leading_rtol=None) -> SearchResult:
    """Maximize ``objective`` (maps points (N, n) to values (N,)) from every row of ``starts``.

    A (1+1) evolution strategy per start (Gaussian proposal of scale ``sigma``; accepted if
    strictly better; ``sigma`` grows by 1.5 on success and shrinks by ``1.5^{-1/4}`` on failure,
    the one-fifth rule), vectorized over starts, stops when every *leading* start (value within
    ``leading_rtol``, default :data:`LEADING_RTOL`, of the best; ``inf``: every start) has
    ``sigma < xtol (1 + |x|_inf)``;
    optionally the ``polish`` best end points are refined with Nelder-Mead (``xatol = 1e-11``).
    Near a smooth interior maximum the value found is within ``O(xtol^2)`` (relative) of the
    local maximum.  Non-finite objective values count as failures.  Deterministic for a given
    ``seed``.
    """
    x = np.array(starts, dtype=float)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"starts must have shape (starts, dimension), got {np.shape(starts)}")
    check_positive(xtol, "xtol")
    max_iterations = check_int(max_iterations, "max_iterations", minimum=1)
    rng = np.random.default_rng(check_seed(seed))
    with np.errstate(all="ignore"):
        fx = np.where(np.isfinite(v := objective(x)), v, -np.inf)
    sigma = np.full(x.shape[0], float(initial_step))
    up, down = 1.5, 1.5 ** -0.25
    leading_rtol = LEADING_RTOL if leading_rtol is None else float(leading_rtol)
    iterations, converged = 0, False
    for iterations in range(1, max_iterations + 1):
        active = sigma >= xtol * (1.0 + np.abs(x).max(axis=1))
        leading = fx >= fx.max() - leading_rtol * abs(fx.max()) if np.isfinite(leading_rtol) else fx > -np.inf
        if not (active & leading).any():
            converged = True
            break
        proposal = x + sigma[:, None] * rng.standard_normal(x.shape) * active[:, None]
        with np.errstate(all="ignore"):
            fp = objective(proposal)
        success = active & np.isfinite(fp) & (fp > fx)
        x[success] = proposal[success]
        fx[success] = fp[success]
        sigma = np.where(active, np.where(success, sigma * up, sigma * down), sigma)
    order = np.argsort(-fx)
    for i in order[:polish]:
        x[i], fx[i] = _polish(objective, x[i], fx[i])
    best = int(np.argmax(fx))
    return SearchResult(x[best].copy(), float(fx[best]), fx, x, iterations, converged)


def maximize_on_grid(objective, lower, upper, points=161, zooms=10):
    """Maximize ``objective`` (points (N, n) -> values (N,)) over the box ``[lower, upper]`` by grid refinement.

    Evaluates a grid of ``points`` per axis, then repeatedly shrinks the box to two grid cells on
    each side of the best point and evaluates again (``zooms`` times).  For a low-dimensional
    objective with a unique smooth maximum in the box this locates it to about
    ``cell size / 80^zooms``; the coarse first grid guards against local maxima.  Returns
    ``(best point, best value)``.
    """
    lower, upper = np.array(lower, dtype=float), np.array(upper, dtype=float)
    if lower.shape != upper.shape or lower.ndim != 1 or np.any(upper <= lower):
        raise ValueError("lower and upper must be 1-D of equal length with upper > lower")
    points = check_int(points, "points", minimum=3)
    best_x, best_value = None, -np.inf
    for _ in range(check_int(zooms, "zooms", minimum=0) + 1):
        axes = [np.linspace(a, b, points) for a, b in zip(lower, upper)]
        grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, lower.size)
        with np.errstate(all="ignore"):
            values = np.where(np.isfinite(v := objective(grid)), v, -np.inf)
        i = int(np.argmax(values))
        if values[i] >= best_value:
            best_x, best_value = grid[i], float(values[i])
        cell = (upper - lower) / (points - 1)
        lower, upper = best_x - 2 * cell, best_x + 2 * cell
    return best_x, best_value


def _polish(objective, x0, f0):
    from scipy.optimize import minimize

    def negative(p):
        with np.errstate(all="ignore"):
            v = float(objective(p[None, :])[0])
        return -v if np.isfinite(v) else np.inf

    result = minimize(negative, x0, method="Nelder-Mead",
                      options={"xatol": 1e-11, "fatol": 1e-15, "maxiter": 2000, "maxfev": 4000})
    return (result.x, -result.fun) if -result.fun > f0 else (x0, f0)


def split_point(points, L):
    """Rows ``(w_1..w_L, w*)`` of ``points`` (N, L+1) as weights (L, N) and targets (N,)."""
    points = np.asarray(points, dtype=float)
    return np.ascontiguousarray(points[:, :L].T), points[:, L].copy()


def _per_coordinate_marginalized_loss(W, wstar, eta):
    """``L_R`` of each coordinate of ``W`` (L, N) separately, shape (N,)."""
    return batch_marginalized_loss(W.T[:, :, None], wstar[:, None], eta)


def hessian_ratio(points, L, eta=1.0, hessian=None):
    """``||Hess L_R||_op eta^2 / L_R`` at one-coordinate points ``(w_1..w_L, w*)`` (rows of ``points``).

    The quantity bounded by Lemma C.1 (any bound ``K L_R / eta^2`` needs ``K`` at least its
    supremum); invariant under ``w -> s w, eta -> s eta, w* -> s^L w*``.
    Exact Hessian from :func:`numeric.model.hessian_marginalized_loss`, or from ``hessian``
    (a callable ``(W (L, N), w* (N,), eta) -> (N, L, L)``, e.g. a faster closed form for a search).
    """
    eta = float(check_eta(eta))
    W, wstar = split_point(points, L)
    H = (hessian or model.hessian_marginalized_loss)(W, wstar, eta)
    norms = np.abs(np.linalg.eigvalsh(H)).max(axis=-1)
    return norms * eta ** 2 / _per_coordinate_marginalized_loss(W, wstar, eta)


def gradient_ratio(points, L, eta=1.0):
    """``||grad L_R||^2 eta^2 / L_R^2`` at one-coordinate points ``(w_1..w_L, w*)`` (scale-free)."""
    eta = float(check_eta(eta))
    W, wstar = split_point(points, L)
    g = model.grad_marginalized_loss(W, wstar, eta)
    return np.sum(g * g, axis=0) * eta ** 2 / _per_coordinate_marginalized_loss(W, wstar, eta) ** 2
