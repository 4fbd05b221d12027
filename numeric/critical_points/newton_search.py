"""An independent numeric search for the critical points of ``L_R`` (does not use the enumeration).

Newton's method from many random starts, in float64 on all starts at once, then a
polish at high precision; :mod:`checks.section3.theorem_3_1a` matches what it finds
with :mod:`.enumeration` (Theorem 3.1(a)-(b): only balanced, enumerated points exist).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import mpmath
import numpy as np

from .. import model
from ..shrinkage.exact_inputs import to_fraction
from ..validation import check_depth, check_eta, check_int
from .enumeration import target_entries

__all__ = ["SearchResult", "search_critical_points"]


@dataclass
class SearchResult:
    """Outcome of :func:`search_critical_points`.

    points: unique critical points found, ``(L, d)`` object arrays of mpf (polished);
    gradient_norms: ``max |grad L_R|`` at each polished point (mpf);
    starts, converged (number of starts whose Newton run converged), seed, digits.
    coordinate_points: per coordinate, the unique polished ``(L,)`` vectors.
    """

    points: list
    gradient_norms: list
    starts: int
    converged: int
    seed: int
    digits: int
    coordinate_points: list = field(default_factory=list)


def _batched_newton(W, wstar_columns, eta, iters: int = 80, radius: float = 0.5, saddle_free=None):
    """Damped Newton on ``grad L_R = 0`` for a batch of coordinates (columns of ``W``), float64.

    ``saddle_free`` (boolean mask over columns): there the Hessian's eigenvalues
    are replaced by their absolute values (floored at 1e-8), a descent method
    that converges to local minima; plain Newton elsewhere.
    """
    for iteration in range(iters):
        g = model.grad_marginalized_loss(W, wstar_columns, eta)
        H = model.hessian_marginalized_loss(W, wstar_columns, eta)
        try:
            step = np.linalg.solve(H, g.T[..., None])[..., 0].T
        except np.linalg.LinAlgError:
            step = np.stack([np.linalg.lstsq(H[i], g[:, i], rcond=None)[0] for i in range(H.shape[0])],
                            axis=1)
        if saddle_free is not None and iteration < iters - 10:
            mu, V = np.linalg.eigh(H)
            mu = np.maximum(np.abs(mu), 1e-8)
            coefficients = np.einsum("nji,jn->ni", V, g) / mu
            saddle_free_step = np.einsum("nij,nj->in", V, coefficients)
            step = np.where(saddle_free[None, :], saddle_free_step, step)
        norm = np.sqrt(np.sum(step ** 2, axis=0))
        limit = radius * (1.0 + np.sqrt(np.sum(W ** 2, axis=0)))
        damping = np.where(norm > limit, limit / np.maximum(norm, 1e-300), 1.0)
        W = W - step * damping
        W = np.where(np.isfinite(W), W, 0.0)
        if np.all(norm < 1e-14 * (1.0 + np.sqrt(np.sum(W ** 2, axis=0)))):
            break
    g = model.grad_marginalized_loss(W, wstar_columns, eta)
    return W, np.max(np.abs(g), axis=0)


def _polish_column(w, wstar_h, eta_mp, digits: int, iters: int = 60):
    """Newton at ``digits`` digits on one coordinate (``(L,)``), using :mod:`numeric.model` on mpf arrays."""
    with mpmath.workdps(digits + 10):
        W = np.array([[mpmath.mpf(float(x))] for x in w], dtype=object)
        wstar = np.array([wstar_h], dtype=object)
        tol = mpmath.mpf(10) ** (-(digits + 5))
        for _ in range(iters):
            g = model.grad_marginalized_loss(W, wstar, eta_mp)[:, 0]
            H = model.hessian_marginalized_loss(W, wstar, eta_mp)[0]
            step = mpmath.lu_solve(mpmath.matrix(H.tolist()), mpmath.matrix(list(g)))
            for l in range(W.shape[0]):
                W[l, 0] -= step[l]
            if max(abs(x) for x in step) < tol:
                break
        gradient_norm = max(abs(x) for x in model.grad_marginalized_loss(W, wstar, eta_mp)[:, 0])
    return W[:, 0], gradient_norm


def _draw_start_columns(rng, L: int, n: int, scale: float):
    """``n`` start columns ``s_l u_l`` (``(L, n)``): sign patterns cycled, ``u`` uniform or near-balanced."""
    pattern = (np.arange(n) + rng.integers(0, 2 ** L)) % (2 ** L)
    bits = (pattern[:, None] >> np.arange(L)[None, :]) & 1  # (n, L)
    signs = (1.0 - 2.0 * bits).T  # (L, n)
    uniform = rng.uniform(0.0, scale, size=(L, n))
    near_balanced = rng.uniform(0.0, scale, size=(1, n)) * np.exp(0.2 * rng.standard_normal((L, n)))
    return signs * np.where(rng.random(n)[None, :] < 0.5, uniform, near_balanced)


def _polish_coordinate(columns, wstar_h, eta_mp, digits: int):
    """Deduplicate the converged columns ``(n_ok, L)`` of one coordinate and polish each at ``digits`` digits.

    Returns ``(merged, labels)``: the unique polished points ``[(w_mp, gradient_norm), ...]`` and,
    per column, the index of its point in ``merged``.
    """
    rounded_unique, inverse = np.unique(np.round(columns, 6), axis=0, return_inverse=True)
    merged, remap = [], []
    for u in rounded_unique:
        nearest = np.argmin(np.sum((columns - u) ** 2, axis=1))
        w_mp, gradient_norm = _polish_column(columns[nearest], wstar_h, eta_mp, digits)
        for j, (known, _) in enumerate(merged):
            if max(abs(x - y) for x, y in zip(w_mp, known)) < mpmath.mpf(10) ** (-(digits // 2)):
                remap.append(j)
                break
        else:
            merged.append((w_mp, gradient_norm))
            remap.append(len(merged) - 1)
    return merged, np.array(remap)[np.asarray(inverse).ravel()]


def search_critical_points(L: int, eta, wstar, starts: int = 4000, seed: int = 0, digits: int = 40,
                           scale: float = 1.5, design: str = "random", explicit: bool = False,
                           balanced_grid: int = 0) -> SearchResult:
    """Find critical points of ``L_R`` by Newton's method from random starts (independent of the enumeration).

    Starts
        ``W[l, h] = s_l u_l r_h``: sign patterns ``s`` cycled over all ``2^L``
        (random offset); ``u`` either uniform on ``(0, scale)`` per layer or
        near-balanced ``c exp(0.2 N(0,1))`` with ``c ~ U(0, scale)`` (half each);
        ``r_h = max(|w*_h|^(1/L), eta)``.
        ``design="random"``: ``starts`` independent starts.
        ``design="factorial"``: ``n = ceil(starts^(1/d))`` start columns per
        coordinate and all ``n^d`` combinations as starts, so every combination
        of per-coordinate outcomes is tried.  Because ``L_R`` is a sum over
        coordinates, the Hessian is block diagonal and the (damped) Newton
        iterates of a coordinate depend on that coordinate's start only; the
        ``n^d`` runs are therefore computed exactly by running the ``d n``
        columns once and forming the product (``explicit=True`` runs all
        ``n^d`` starts as full ``(L, d)`` problems instead; the tests check that
        both give the same points).
        ``balanced_grid = k`` (factorial design only) adds ``k`` deterministic start columns per
        coordinate on the balanced diagonal, ``|W[l, h]| = r_h u_j`` with ``u_j`` geometric from
        ``1e-3`` to ``2`` and the signs ``(+1, .., +1, sign(w*_h))``; plain Newton keeps them
        balanced, so the critical points on that diagonal whose basins the grid meets are found
        without chance (the random starts alone miss a small basin with a small probability).
    Iteration
        Damped Newton (step at most ``0.5 (1 + |W_h|)`` per coordinate) in
        float64 on all starts at once (a batch is one wide network).  Each start
        column runs plain Newton (finds every kind of critical point) or, for
        half of them (factorial: odd-numbered columns), saddle-free Newton
        (Hessian eigenvalues replaced by their absolute values; converges to
        minima).  A start converges if every coordinate reaches
        ``max |grad| < 1e-9``.
    Polishing
        Converged coordinates are deduplicated and polished by Newton at
        ``digits`` digits (mpmath, :mod:`numeric.model` on object arrays);
        polishing coordinate by coordinate is the full Newton iteration
        (block-diagonal Hessian).  Points found = combinations of polished
        coordinates that occur together in converged starts.
    """
    L = check_depth(L)
    check_int(starts, "starts", minimum=1)
    if design not in ("random", "factorial"):
        raise ValueError(f"design must be 'random' or 'factorial', got {design!r}")
    balanced_grid = check_int(balanced_grid, "balanced_grid", minimum=0)
    if balanced_grid and design != "factorial":
        raise ValueError("balanced_grid: only the factorial design takes balanced grid starts")
    eta_float = float(to_fraction(eta, "eta"))
    check_eta(eta_float)
    wstar_floats = [float(to_fraction(x, "wstar")) for x in target_entries(wstar)]
    d = len(wstar_floats)
    rng = np.random.default_rng(seed)
    column_scale = np.array([max(abs(x) ** (1.0 / L), eta_float) for x in wstar_floats])

    if design == "factorial":
        n = int(np.ceil(starts ** (1.0 / d) - 1e-9))
        columns = np.stack([_draw_start_columns(rng, L, n, scale) for _ in range(d)],
                           axis=2) * column_scale[None, None, :]  # (L, n, d)
        saddle_free_columns = np.tile((np.arange(n) % 2 == 1)[:, None], (1, d))  # (n, d)
        if balanced_grid:
            magnitudes = np.geomspace(1e-3, 2.0, balanced_grid)  # (k,)
            signs = np.ones((L, d))
            signs[-1] = np.where(np.array(wstar_floats) < 0, -1.0, 1.0)
            grid = signs[:, None, :] * magnitudes[None, :, None] * column_scale[None, None, :]  # (L, k, d)
            columns = np.concatenate([columns, grid], axis=1)
            saddle_free_columns = np.concatenate([saddle_free_columns, np.zeros((balanced_grid, d), dtype=bool)])
            n += balanced_grid
        grids = np.meshgrid(*[np.arange(n)] * d, indexing="ij")
        start_index = np.stack([g.ravel() for g in grids], axis=1)  # (n^d, d)
        starts = start_index.shape[0]
        if explicit:
            W0 = np.stack([columns[:, start_index[:, h], h] for h in range(d)], axis=2).reshape(L, starts * d)
            saddle_free = np.stack([saddle_free_columns[start_index[:, h], h] for h in range(d)],
                                   axis=1).reshape(starts * d)
            W, max_gradient = _batched_newton(W0, np.tile(np.array(wstar_floats), starts), eta_float,
                                              saddle_free=saddle_free)
            final, converged = W.reshape(L, starts, d), (max_gradient < 1e-9).reshape(starts, d)
        else:
            W0 = columns.reshape(L, n * d)
            W, max_gradient = _batched_newton(W0, np.tile(np.array(wstar_floats), n), eta_float,
                                              saddle_free=saddle_free_columns.reshape(n * d))
            # product mode: start s = (i_1..i_d) has coordinate h = column i_h; it converges iff all do
            final, converged = W.reshape(L, n, d), (max_gradient < 1e-9).reshape(n, d)
    else:
        W0 = (np.stack([_draw_start_columns(rng, L, starts, scale) for _ in range(d)], axis=2)
              * column_scale[None, None, :]).reshape(L, starts * d)
        W, max_gradient = _batched_newton(W0, np.tile(np.array(wstar_floats), starts), eta_float,
                                          saddle_free=rng.random(starts * d) < 0.5)
        final, converged = W.reshape(L, starts, d), (max_gradient < 1e-9).reshape(starts, d)
    converged = converged & np.all(np.abs(final) < 1e6, axis=0)
    product_mode = design == "factorial" and not explicit
    if product_mode:
        column_converged = [converged[:, h] for h in range(d)] if all(converged[:, h].any() for h in range(d)) \
            else [np.zeros(converged.shape[0], dtype=bool)] * d
        n_converged = int(np.prod([c.sum() for c in column_converged]))
    else:
        start_converged = converged.all(axis=1)
        column_converged = [start_converged] * d
        n_converged = int(start_converged.sum())

    eta_exact = to_fraction(eta, "eta")
    with mpmath.workdps(digits + 10):
        eta_mp = mpmath.mpf(eta_exact.numerator) / eta_exact.denominator
        wstar_mp = []
        for x in target_entries(wstar):
            wstar_exact = to_fraction(x, "wstar")
            wstar_mp.append(mpmath.mpf(wstar_exact.numerator) / wstar_exact.denominator)
    coordinate_points, labels = [], []
    for h in range(d):
        columns_h = final[:, column_converged[h], h].T  # (n_ok, L)
        if columns_h.shape[0] == 0:
            coordinate_points.append([])
            labels.append(np.zeros(0, dtype=int))
            continue
        merged, labels_h = _polish_coordinate(columns_h, wstar_mp[h], eta_mp, digits)
        coordinate_points.append(merged)
        labels.append(labels_h)
    if product_mode:
        combinations = sorted(itertools.product(*[sorted({int(x) for x in lab}) for lab in labels]))
    else:
        combinations = sorted({tuple(int(lab[i]) for lab in labels) for i in range(len(labels[0]))}) if d else []
    points, gradient_norms = [], []
    for combination in combinations:
        P = np.empty((L, d), dtype=object)
        for h, i in enumerate(combination):
            P[:, h] = coordinate_points[h][i][0]
        points.append(P)
        gradient_norms.append(max(coordinate_points[h][i][1] for h, i in enumerate(combination)))
    return SearchResult(points, gradient_norms, starts, n_converged, seed, digits,
                        coordinate_points=[[w for w, _ in merged] for merged in coordinate_points])
