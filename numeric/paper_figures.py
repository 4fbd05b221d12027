"""The paper's Figures 2 and 3 as computations: the claims ``figure-2`` and ``figure-3`` check these, and
``ssam-verify figures`` draws them (``ssam_verify/figures``), so what is checked is what is shown.

* Figure 2: the two-layer, one-coordinate ``L_R - eta^4 = (w* - w_2 w_1)^2 + eta^2 (w_1^2 + w_2^2)`` at
  ``w* = 3.14159`` (:func:`figure2_landscape`) and its global minimizers found numerically, without the
  formula ``a^2 = w* - eta^2`` (:func:`figure2_minimizers`: gradient descent from a grid of starts, Newton
  polish, classification by the Hessian, the lowest value kept).
* Figure 3: from one start, GD on ``L``, GD on ``L_R`` and S-SAM (many seeds) on 8 whitened data points,
  in two panels (:data:`FIGURE3_PANELS`, :func:`figure3_runs`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import data, model
from .dynamics.batched_model import batch_marginalized_loss
from .dynamics.deterministic import gradient_descent
from .dynamics.stochastic import stochastic_descent
from .validation import check_eta, check_int, check_positive, check_seed

__all__ = [
    "FIGURE_WSTAR",
    "FIGURE2_ETAS",
    "FIGURE3_START",
    "FIGURE3_DATA_POINTS",
    "Figure3Panel",
    "FIGURE3_PANELS",
    "figure2_landscape",
    "Figure2Minimizers",
    "figure2_minimizers",
    "Figure3Runs",
    "figure3_runs",
]

#: ``w*`` of Figures 2 and 3 (their captions).
FIGURE_WSTAR = 3.14159
#: The noise levels of the Figure 2 panels (``eta = 0``: the unregularized loss).
FIGURE2_ETAS = (0.0, 0.5, 1.0, 1.5, 1.9)
#: The common start ``(w_1, w_2)`` of the Figure 3 trajectories (layers as rows).
FIGURE3_START = np.array([[0.25], [2.9]])
#: Number of whitened data points S-SAM samples from in Figure 3.
FIGURE3_DATA_POINTS = 8


@dataclass(frozen=True)
class Figure3Panel:
    """One panel of Figure 3: noise level, step size ``a`` and schedule (``harmonic``: ``a k0/(k + k0)``), steps."""

    eta: float
    step: float
    schedule: str
    decay_start: int
    steps: int


#: The two panels of Figure 3 (the paper does not give its step sizes; these show both regimes it describes:
#: constant steps, where S-SAM reaches a stationary regime, and decreasing ones, where it settles).
FIGURE3_PANELS = (Figure3Panel(0.5, 0.01, "constant", 150, 3000), Figure3Panel(1.0, 0.01, "harmonic", 150, 3000))


def figure2_landscape(eta, wstar=FIGURE_WSTAR, extent=3.0, points=401):
    """``(axis, W1, W2, Z)``: ``Z = (w* - w_2 w_1)^2 + eta^2 (w_1^2 + w_2^2)`` on a square grid (Figure 2).

    ``Z = L_R - eta^4`` for ``L = 2``, ``d = 1``, computed with the model's ``L_R``
    (:func:`numeric.dynamics.batched_model.batch_marginalized_loss`).
    """
    eta = float(check_eta(eta, allow_zero=True))
    points = check_int(points, "points", minimum=2)
    axis = np.linspace(-float(extent), float(extent), points)
    W1, W2 = np.meshgrid(axis, axis)
    weights = np.stack([W1.ravel(), W2.ravel()], axis=1)[:, :, None]
    Z = batch_marginalized_loss(weights, np.array([float(wstar)]), eta) - eta ** 4
    return axis, W1, W2, Z.reshape(W1.shape)


@dataclass
class Figure2Minimizers:
    """The outcome of :func:`figure2_minimizers`.

    ``minimizers`` (k, 2): the distinct global minimizers, sorted by ``w_1``; ``value``: ``L_R - eta^4`` there;
    ``critical_points``: every distinct limit with its kind (``minimum``, ``saddle``, ``maximum``,
    ``degenerate``); ``max_gradient``: the largest gradient norm at the reported points.
    """

    eta: float
    wstar: float
    minimizers: np.ndarray
    value: float
    critical_points: list
    max_gradient: float
    starts: int


def figure2_minimizers(eta, wstar=FIGURE_WSTAR, grid=7, extent=4.0, descent_steps=400, tol=1e-11) -> Figure2Minimizers:
    """The global minimizers of ``(w* - w_2 w_1)^2 + eta^2 (w_1^2 + w_2^2)``, found numerically.

    Gradient descent (step ``0.01``) from a ``grid x grid`` square of starts in ``[-extent, extent]^2``
    brings the starts near critical points; Newton's method on ``grad L_R = 0`` (the model's gradient and
    Hessian) polishes them until the gradient norm is below ``tol (1 + |w*|)``; the limits are classified
    by the Hessian's eigenvalues, merged when closer than ``1e-7``, and the minima with the lowest value
    are returned.  Needs ``eta > 0`` (at ``eta = 0`` the minimizers form the hyperbola ``w_1 w_2 = w*``).
    """
    eta = float(check_eta(eta))
    wstar = float(wstar)
    grid = check_int(grid, "grid", minimum=2)
    check_positive(extent, "extent")
    axis = np.linspace(-extent, extent, grid)
    starts = np.array([[[a], [b]] for a in axis for b in axis])
    trajectory = gradient_descent(starts, np.array([wstar]), eta, check_int(descent_steps, "descent_steps", minimum=0),
                                  0.01, record_steps=[descent_steps])
    W = np.ascontiguousarray(trajectory.weights[-1][:, :, 0].T)  # (2, N): the starts as coordinates of one network
    targets = np.full(W.shape[1], wstar)
    threshold = tol * (1 + abs(wstar))
    for _ in range(50):
        g = model.grad_marginalized_loss(W, targets, eta)
        norms = np.sqrt(np.sum(g * g, axis=0))
        if norms.max() <= threshold:
            break
        H = model.hessian_marginalized_loss(W, targets, eta)
        invertible = np.abs(np.linalg.det(H)) > 1e-12
        step = np.zeros_like(W)
        step[:, invertible] = np.linalg.solve(H[invertible], g.T[invertible][:, :, None])[:, :, 0].T
        W = W - step
    g = model.grad_marginalized_loss(W, targets, eta)
    norms = np.sqrt(np.sum(g * g, axis=0))
    eigenvalues = np.linalg.eigvalsh(model.hessian_marginalized_loss(W, targets, eta))
    values = batch_marginalized_loss(W.T[:, :, None], np.array([wstar]), eta) - eta ** 4
    distinct = []
    for i in np.argsort(values):
        if all(np.max(np.abs(W[:, i] - p["point"])) > 1e-7 for p in distinct):
            lo, hi = eigenvalues[i]
            kind = ("minimum" if lo > 1e-9 else "maximum" if hi < -1e-9
                    else "saddle" if lo < -1e-9 and hi > 1e-9 else "degenerate")
            distinct.append({"point": W[:, i].copy(), "kind": kind, "value": float(values[i]),
                             "gradient_norm": float(norms[i]), "hessian_eigenvalues": eigenvalues[i].copy()})
    minima = [p for p in distinct if p["kind"] in ("minimum", "degenerate")]
    lowest = min(p["value"] for p in minima)
    best = [p for p in minima if p["value"] <= lowest + 1e-12 * (1 + abs(lowest))]
    points = np.array(sorted((p["point"] for p in best), key=lambda p: p[0]))
    return Figure2Minimizers(eta, wstar, points, lowest, distinct, float(max(p["gradient_norm"] for p in best)),
                             int(starts.shape[0]))


@dataclass
class Figure3Runs:
    """The three runs of one Figure 3 panel: GD on ``L``, GD on ``L_R`` (trajectories of one run) and S-SAM
    (``seeds`` runs), all from :data:`FIGURE3_START`; ``data``: the whitened ``(X, Y)``."""

    panel: Figure3Panel
    gd_loss: object
    gd_marginalized: object
    ssam: object
    data: tuple


def figure3_runs(panel: Figure3Panel, seed=0, seeds=1, record_every=10, data_seed=0) -> Figure3Runs:
    """GD on ``L``, GD on ``L_R`` and S-SAM (``seeds`` independent runs, seed ``seed``) for one panel of Figure 3.

    Deterministic runs are recorded at every step; S-SAM every ``record_every`` steps (and at the last).
    """
    wstar = np.array([FIGURE_WSTAR])
    X, Y = data.whitened_data(FIGURE3_DATA_POINTS, wstar, seed=check_seed(data_seed))
    schedule = dict(schedule=panel.schedule, decay_start=panel.decay_start)
    gd_loss = gradient_descent(FIGURE3_START, wstar, panel.eta, panel.steps, panel.step, regularized=False, **schedule)
    gd_marginalized = gradient_descent(FIGURE3_START, wstar, panel.eta, panel.steps, panel.step, **schedule)
    ssam = stochastic_descent(FIGURE3_START, X, Y, panel.eta, panel.steps, panel.step, seeds=seeds, seed=seed,
                              record_every=record_every, wstar=wstar, **schedule)
    return Figure3Runs(panel, gd_loss, gd_marginalized, ssam, (X, Y))
