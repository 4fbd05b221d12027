"""Critical points of a landscape (:mod:`.landscapes`) from many starts, polished at high precision.

Search (float64, all starts at once): saddle-free Newton on ``grad L_R = 0`` (the Hessian's eigenvalues
replaced by their absolute values, near-zero ones dropped, the step capped), which is attracted by local
minima; or plain Newton (``method="newton"``), attracted by any nearby critical point.  Each start runs
until ``max |grad| <= tolerance`` (the convergence criterion); ``max_iterations`` only bounds a start that
does not converge, and is reported.  Distinct points (up to the landscape's symmetries: orthogonal
changes of basis of the hidden layers) are kept by rounded invariants.

Polish (:func:`polish`): Newton iterations at ``digits`` significant digits in mpmath, the gradient exact
at that precision and the step solved with the float64 Hessian's pseudo-inverse (directions of the
symmetry orbit, where the Hessian vanishes, are dropped): the error contracts by the Hessian's relative
accuracy (about 1e-9) per step, until ``||grad||_2`` is below ``10^(-residual_digits)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np

from ..validation import check_int, check_positive, check_seed
from .landscapes import hessian

__all__ = ["CriticalPoint", "search_critical_points", "polish", "measure", "relative_gaps"]


@dataclass
class CriticalPoint:
    """A polished critical point and what was measured there (float summaries of mpmath values).

    ``residual``: ``||grad L_R||_2`` at ``digits`` digits; ``distance_estimate``: ``residual`` over the
    smallest non-zero ``|eigenvalue|`` of the Hessian (the Newton estimate of the distance to an exact
    critical point); ``relative_imbalance[l]`` = ``||W_{l+1}^T W_{l+1} - W_l W_l^T||_F`` over
    ``||W_l W_l^T||_F + ||W_{l+1}^T W_{l+1}||_F`` (:func:`relative_gaps`); ``law_gap[l]`` the same for the two
    sides of the landscape's balance law (``balance_law_sides``); ``index`` the number of negative Hessian
    eigenvalues, ``zero_modes`` the number of (numerically) zero ones; ``x_mp`` the polished point.
    """

    x: np.ndarray
    x_mp: np.ndarray
    value: float
    residual: float
    residual_digits: int
    converged: bool
    iterations: int
    relative_imbalance: list
    law_gap: list
    index: int
    zero_modes: int
    distance_estimate: float
    is_origin: bool
    extra: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"value": self.value, "residual": self.residual, "converged": self.converged,
                "polish_iterations": self.iterations, "relative_imbalance": self.relative_imbalance,
                "law_gap": self.law_gap, "index": self.index,
                "zero_modes": self.zero_modes, "distance_estimate": self.distance_estimate,
                "is_origin": self.is_origin}


def _eigen_step(H, g, saddle_free: bool, radius: float) -> np.ndarray:
    """``-H^+ g`` over the eigenvalues above ``1e-9 max |eigenvalue|`` (``|H|^+`` when ``saddle_free``), capped."""
    values, vectors = np.linalg.eigh(H)
    scale = np.abs(values).max(axis=-1, keepdims=True)
    keep = np.abs(values) > 1e-9 * np.maximum(scale, 1e-300)
    inverse = np.where(keep, 1.0 / np.where(keep, np.abs(values) if saddle_free else values, 1.0), 0.0)
    coefficients = np.einsum("...ji,...j->...i", vectors, g) * inverse
    step = -np.einsum("...ij,...j->...i", vectors, coefficients)
    norm = np.linalg.norm(step, axis=-1, keepdims=True)
    return step * np.minimum(1.0, radius / np.maximum(norm, 1e-300))


def search_critical_points(landscape, starts: int, seed, method: str = "saddle-free", scale: float = 1.0,
                           tolerance: float = 1e-11, max_iterations: int = 400, radius: float = 0.5):
    """Run the float64 search from ``starts`` random points ``N(0, scale^2)``; return ``(points, report)``.

    ``points``: the distinct converged points (float64 vectors); ``report``: starts, converged count,
    iterations used, seed, method, tolerance.
    """
    starts = check_int(starts, "starts", minimum=1)
    seed = check_seed(seed)
    scale, tolerance, radius = (float(check_positive(v, name)) for v, name in
                                ((scale, "scale"), (tolerance, "tolerance"), (radius, "radius")))
    max_iterations = check_int(max_iterations, "max_iterations", minimum=1)
    if method not in ("saddle-free", "newton"):
        raise ValueError(f"method must be 'saddle-free' or 'newton', got {method!r}")
    rng = np.random.default_rng(seed)
    x = scale * rng.standard_normal((starts, landscape.size))
    active = np.ones(starts, dtype=bool)
    iterations = 0
    while active.any() and iterations < max_iterations:
        iterations += 1
        g = landscape.gradient(x[active])
        done = np.abs(g).max(axis=-1) <= tolerance
        indices = np.flatnonzero(active)
        active[indices[done]] = False
        if done.all():
            break
        moving = indices[~done]
        x[moving] += _eigen_step(hessian(landscape, x[moving]), g[~done], method == "saddle-free", radius)
    converged = ~active & np.all(np.isfinite(x), axis=-1)
    points = _distinct(landscape, x[converged])
    return points, {"starts": starts, "converged": int(converged.sum()), "iterations": iterations,
                    "seed": seed, "method": method, "tolerance": tolerance, "distinct": len(points)}


def _invariants(landscape, x) -> tuple:
    """Rounded quantities invariant under the hidden-layer symmetries: ``L_R``, layer norms, singular values."""
    layers = landscape.layers(x)
    product = layers[0]
    for W in layers[1:]:
        product = W @ product
    numbers = [float(landscape.value(x))] + [float(np.linalg.norm(W)) for W in layers]
    numbers += sorted(np.linalg.svd(product, compute_uv=False).tolist())
    return tuple(round(v, 6) + 0.0 for v in numbers)


def _distinct(landscape, points) -> list:
    seen, out = set(), []
    for x in points:
        key = _invariants(landscape, x)
        if key not in seen:
            seen.add(key)
            out.append(x)
    return out


def polish(landscape, x, digits: int = 50, residual_digits: int = 40, max_steps: int = 12):
    """Newton on the gradient at ``digits`` digits (module docstring); returns ``(x_mp, residual, steps)``.

    Stops when ``||grad||_2 <= 10^(-residual_digits)`` (converged) or after ``max_steps`` (reported).
    """
    digits = check_int(digits, "digits", minimum=20)
    x = np.asarray(x, dtype=float)
    if x.shape != (landscape.size,):
        raise ValueError(f"x must be a vector of the landscape's {landscape.size} parameters, got shape {x.shape}")
    residual_digits = check_int(residual_digits, "residual_digits", minimum=1, maximum=digits - 5)
    with mpmath.workdps(digits):
        H = hessian(landscape, np.asarray(x, dtype=float))
        x_mp = np.array([mpmath.mpf(float(v)) for v in x], dtype=object)
        target = mpmath.mpf(10) ** (-residual_digits)
        steps = 0
        residual = mpmath.norm(landscape.gradient(x_mp))
        while residual > target and steps < max_steps:
            g = landscape.gradient(x_mp)
            step = _eigen_step(H, np.array([float(v) for v in g]), False, np.inf)
            x_mp = x_mp + np.array([mpmath.mpf(float(v)) for v in step], dtype=object)
            residual = mpmath.norm(landscape.gradient(x_mp))
            steps += 1
        return x_mp, residual, steps


def relative_gaps(sides) -> list:
    """``||lhs - rhs||_F / (||lhs||_F + ||rhs||_F)`` for each pair of sides of a law (0 where both vanish)."""
    out = []
    for lhs, rhs in sides:
        def norm(M):
            return mpmath.sqrt(sum(v * v for v in np.ravel(M))) if M.dtype == object else np.linalg.norm(M)
        scale = norm(lhs) + norm(rhs)
        out.append(float(norm(lhs - rhs) / scale) if scale > 0 else 0.0)
    return out


def measure(landscape, x_mp, residual, steps: int, residual_digits: int = 40, digits: int = 50) -> CriticalPoint:
    """Imbalance, balance-law gap and Hessian index at a polished point (same code for every landscape).

    ``relative_imbalance[l]`` = :func:`relative_gaps` of ``(W_l W_l^T, W_{l+1}^T W_{l+1})``; ``law_gap`` the same
    for the landscape's :meth:`balance_law_sides`.
    """
    with mpmath.workdps(digits):
        layers = landscape.layers(x_mp)
        relative = relative_gaps([(W @ W.T, Wn.T @ Wn) for W, Wn in zip(layers[:-1], layers[1:])])
        law_gap = relative_gaps(landscape.balance_law_sides(layers))
        value = float(landscape.value(x_mp))
    x = np.array([float(v) for v in x_mp])
    eigenvalues = np.linalg.eigvalsh(hessian(landscape, x))
    cutoff = 1e-7 * max(np.abs(eigenvalues).max(), 1e-300)
    nonzero = np.abs(eigenvalues)[np.abs(eigenvalues) > cutoff]
    residual = float(residual)
    return CriticalPoint(
        x=x, x_mp=x_mp, value=value, residual=residual, residual_digits=residual_digits,
        converged=residual <= 10.0 ** (-residual_digits), iterations=steps,
        relative_imbalance=relative, law_gap=law_gap, index=int((eigenvalues < -cutoff).sum()),
        zero_modes=int((np.abs(eigenvalues) <= cutoff).sum()),
        distance_estimate=residual / float(nonzero.min()) if nonzero.size else float("inf"),
        is_origin=bool(np.abs(x).max() < 1e-12))
