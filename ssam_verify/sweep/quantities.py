"""What a sweep computes at one point of ``(depth, eta, |w*|, step size)``: one coordinate (``d = 1``).

Each quantity is a function ``point -> row`` of public functions of :mod:`numeric`:

``shrinkage``
    the certified landscape of Theorem 3.1(b): ``tau_L(eta)``, the regime of ``|w*|``
    (below/at/above the threshold) and the nonzero shrinkage factors
    (:func:`numeric.shrinkage.shrinkage_roots`, 30 digits). Cheap: no dynamics.
``gd``
    gradient descent on ``L_R`` (eq 18) from the unbalanced start
    ``W_1 = 1.5 s, W_l = s`` (``s = init |w*|^{1/L}``), run in segments until
    ``||grad L_R|| <= tol`` or ``max_steps``; where it ends (the shrinkage factor
    ``lambda = mean_l |w_l| / |w*|^{1/L}``), how balanced (``max_l |w_{l+1}^2 - w_l^2|``),
    and the certified root it should end at.
``ssam``
    S-SAM (eq 6) on whitened data, ``runs`` independent runs from the same start,
    ``steps`` steps with the chosen schedule: the mean and spread of the final
    shrinkage factor and of the balancing gap over the runs.

Every row also carries ``lambda_large`` (the larger certified root, 0 below the
threshold) and ``threshold``, so a phase diagram can show the theory beside the
dynamics.  A point's randomness comes only from its ``seed``.
"""
from __future__ import annotations

import math

import numpy as np

from numeric import shrinkage
from numeric.data import whitened_data
from numeric.dynamics import gradient_descent, stochastic_descent

__all__ = ["QUANTITIES", "DEFAULT_OPTIONS", "compute_point", "compute_chunk", "MAIN_FIELD"]

#: The options each quantity understands, with their defaults.
DEFAULT_OPTIONS = {
    "shrinkage": {},
    "gd": {"init": 1.0, "tol": 1e-10, "max_steps": 200_000, "segment": 2_000},
    "ssam": {"init": 1.0, "steps": 20_000, "runs": 8, "schedule": "harmonic", "decay_start": 2_000,
             "samples": 16},
}

#: The column a phase diagram colours by, per quantity.
MAIN_FIELD = {"shrinkage": "lambda_large", "gd": "lambda_final", "ssam": "lambda_mean"}


def _landscape(depth: int, eta: float, wstar: float) -> dict:
    """Threshold, regime and certified nonzero roots (30 digits) at one point (eqs 13-14)."""
    result = shrinkage.shrinkage_roots(depth, eta, abs(wstar), digits=30)
    lambdas = [float(v) for v in result.lambdas]
    return {"threshold": float(result.threshold), "regime": result.regime, "roots": len(lambdas),
            "lambda_large": max(lambdas) if lambdas else 0.0,
            "lambda_small": min(lambdas) if lambdas else 0.0}


def _start(depth: int, wstar: float, init: float) -> np.ndarray:
    """The unbalanced start ``W_1 = 1.5 s``, ``W_l = s`` (``s = init |w*|^{1/L}``), sign of ``w*`` on layer 1."""
    s = init * abs(wstar) ** (1.0 / depth)
    W0 = np.full((depth, 1), s)
    W0[0, 0] = 1.5 * s * (1.0 if wstar >= 0 else -1.0)
    return W0


def _shrinkage_factor(W: np.ndarray, wstar: float) -> np.ndarray:
    """``mean_l |w_l| / |w*|^{1/L}`` for weights ``W`` (..., L, 1)."""
    depth = W.shape[-2]
    return np.mean(np.abs(W[..., 0]), axis=-1) / abs(wstar) ** (1.0 / depth)


def _gap(W: np.ndarray) -> np.ndarray:
    """``max_l |w_{l+1}^2 - w_l^2|`` for weights ``W`` (..., L, 1)."""
    squares = W[..., 0] ** 2
    return np.max(np.abs(np.diff(squares, axis=-1)), axis=-1)


def shrinkage_point(point: dict, options: dict) -> dict:
    """Quantity ``shrinkage``: the certified landscape at the point."""
    return _landscape(int(point["depth"]), float(point["eta"]), float(point["wstar"]))


def gd_point(point: dict, options: dict) -> dict:
    """Quantity ``gd``: GD on ``L_R`` run to ``||grad L_R|| <= tol`` (or ``max_steps``), from :func:`_start`."""
    depth, eta, wstar = int(point["depth"]), float(point["eta"]), float(point["wstar"])
    step = float(point["step_size"])
    W = _start(depth, wstar, float(options["init"]))
    done, grad_norm, diverged = 0, math.inf, False
    while done < options["max_steps"] and grad_norm > options["tol"]:
        segment = int(min(options["segment"], options["max_steps"] - done))
        trajectory = gradient_descent(W, [wstar], eta, segment, step, record_every=segment)
        W = trajectory.weights[-1, 0]
        grad_norm = float(trajectory.records["grad_norm"][-1, 0])
        done += segment
        if not np.all(np.isfinite(W)):
            diverged = True
            break
    row = _landscape(depth, eta, wstar)
    row.update({"lambda_final": float(_shrinkage_factor(W, wstar)) if not diverged else math.nan,
                "gap_final": float(_gap(W)) if not diverged else math.nan,
                "grad_norm_final": grad_norm if not diverged else math.nan,
                "steps": done, "converged": bool(grad_norm <= options["tol"]), "diverged": diverged})
    return row


def ssam_point(point: dict, options: dict) -> dict:
    """Quantity ``ssam``: ``runs`` S-SAM runs of ``steps`` steps from :func:`_start` (eq 6)."""
    depth, eta, wstar = int(point["depth"]), float(point["eta"]), float(point["wstar"])
    X, Y = whitened_data(int(options["samples"]), np.array([wstar]), seed=int(point["seed"]))
    trajectory = stochastic_descent(_start(depth, wstar, float(options["init"])), X, Y, eta,
                                    int(options["steps"]), float(point["step_size"]),
                                    schedule=options["schedule"], decay_start=int(options["decay_start"]),
                                    seeds=int(options["runs"]), seed=int(point["seed"]),
                                    record_every=int(options["steps"]))
    final = trajectory.weights[-1]  # (runs, L, 1)
    finite = np.all(np.isfinite(final), axis=(-2, -1))
    lam, gap = _shrinkage_factor(final[finite], wstar), _gap(final[finite])
    row = _landscape(depth, eta, wstar)
    row.update({"lambda_mean": float(np.mean(lam)) if lam.size else math.nan,
                "lambda_std": float(np.std(lam)) if lam.size else math.nan,
                "gap_mean": float(np.mean(gap)) if gap.size else math.nan,
                "runs_diverged": int(np.sum(~finite)), "runs": int(final.shape[0])})
    return row


QUANTITIES = {"shrinkage": shrinkage_point, "gd": gd_point, "ssam": ssam_point}


def compute_point(quantity: str, point: dict, options: dict) -> dict:
    """The row of one point: the point's parameters and seed, then what ``quantity`` computes."""
    return {**point, **QUANTITIES[quantity](point, options)}


def compute_chunk(quantity: str, points: list, options: dict) -> list:
    """The rows of several points (one task of the sweep), in the order given."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow of a diverging run is reported in its row
        return [compute_point(quantity, point, options) for point in points]
