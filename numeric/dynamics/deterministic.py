"""Gradient descent ``W(k+1) = W(k) - alpha_k grad L_R(W(k))`` (eq 18), or GD on ``L``.

:func:`gradient_descent` runs ``K`` starts as one run of width ``K d`` (the model
separates by coordinate) with an in-place kernel of about 20 NumPy calls per step
(the hot loop of ``benchmarks/bench_dynamics.py``).
"""
from __future__ import annotations

import numpy as np

from ..kernels import resolve_engine
from ..validation import check_int, check_positive
from .compiled import descend
from .schedules import step_sizes, steps_to_record
from .trajectory import Trajectory, progress_bar, records_from_weights, validated_problem

__all__ = ["gradient_descent", "gradient_descent_to_convergence"]


def gradient_descent(W0, wstar, eta, steps, step_size, schedule="constant", decay_start=1000,
                     power=1.0, record_every=1, regularized=True, record_steps=None,
                     progress=False, engine="auto") -> Trajectory:
    """Gradient descent ``W(k+1) = W(k) - alpha_k grad L_R(W(k))`` (eq 18).

    ``regularized=False``: GD on the unregularized loss ``L`` (eq 4 with the full
    gradient).  ``W0``: (L, d) or (K, L, d) (``K`` runs, simulated as one run of
    width ``K d``).  Records at steps ``0, record_every, 2 record_every, ..., steps``
    (the last step always recorded), or at ``record_steps`` if given.
    Step sizes from :func:`step_sizes`.  Iterates that overflow become ``inf``/``nan``
    (a step size far above the bound of Theorem 4.2 may diverge); that is reported,
    not raised.  ``engine``: ``"numba"`` runs the compiled loop of
    :mod:`numeric.kernels.descent` (bit-identical iterates), ``"numpy"`` the NumPy
    reference below, ``"auto"`` numba when installed.
    """
    engine = resolve_engine(engine)
    Wb, batched, wstar, eta = validated_problem(W0, wstar, eta)
    steps = check_int(steps, "steps", minimum=0)
    alphas = step_sizes(steps, step_size, schedule, decay_start, power)
    recorded_steps = steps_to_record(steps, record_every, record_steps)
    K, L, d = Wb.shape
    W = np.ascontiguousarray(np.moveaxis(Wb, 0, 1).reshape(L, K * d))
    wstar_wide = np.tile(wstar, K)
    out = np.empty((len(recorded_steps), L, K * d))
    bar = progress_bar(steps, "gradient descent", progress and steps >= 10_000)
    W = np.ascontiguousarray(W)
    if engine == "numba":
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            descend(W, wstar_wide, eta, alphas, recorded_steps, out, regularized, bar)
    else:
        _descend_with_numpy(W, wstar_wide, eta, alphas, recorded_steps, out, regularized, bar)
    if bar is not None:
        bar.close()
    weights = out.reshape(len(recorded_steps), L, K, d).transpose(0, 2, 1, 3)
    weights = np.ascontiguousarray(weights)
    with np.errstate(over="ignore", invalid="ignore"):
        records = records_from_weights(weights, wstar, eta)
    info = {"algorithm": "gd" if regularized else "gd-unregularized", "schedule": schedule,
            "step_size": float(step_size), "decay_start": decay_start, "power": power,
            "first_step": float(alphas[0]) if steps else None,
            "last_step": float(alphas[-1]) if steps else None,
            "diverged": bool(not np.all(np.isfinite(weights[-1])))}
    return Trajectory(np.asarray(recorded_steps), weights, records, batched, info)


def gradient_descent_to_convergence(W0, wstar, eta, step_size, gradient_tolerance, chunk=1000, max_steps=200_000,
                                    regularized=True) -> Trajectory:
    """Constant-step GD (eq 18) until every run has ``||grad|| <= gradient_tolerance``, or ``max_steps``.

    Runs :func:`gradient_descent` in chunks of ``chunk`` steps, each recorded at every step, and
    joins them; stops after the first chunk that ends converged (or diverged, or at ``max_steps``).
    ``info["converged"]`` says whether the criterion was met, ``info["steps"]`` how many steps ran.
    """
    tolerance = float(check_positive(gradient_tolerance, "gradient_tolerance"))
    chunk = check_int(chunk, "chunk", minimum=1)
    max_steps = check_int(max_steps, "max_steps", minimum=1)
    Wb, batched, wstar, eta = validated_problem(W0, wstar, eta)
    pieces, done, start = [], 0, Wb
    converged = False
    while done < max_steps:
        piece = gradient_descent(start, wstar, eta, min(chunk, max_steps - done), step_size, regularized=regularized)
        pieces.append(piece)
        done += int(piece.times[-1])
        final_grad = piece.records["grad_norm"][-1]
        if not np.all(np.isfinite(piece.weights[-1])):
            break
        if float(np.max(final_grad)) <= tolerance:
            converged = True
            break
        start = piece.weights[-1]
    weights = np.concatenate([pieces[0].weights] + [p.weights[1:] for p in pieces[1:]])
    records = {name: np.concatenate([pieces[0].records[name]] + [p.records[name][1:] for p in pieces[1:]])
               for name in pieces[0].records}
    info = dict(pieces[-1].info)
    info.update({"converged": converged, "steps": done, "gradient_tolerance": tolerance,
                 "diverged": bool(not np.all(np.isfinite(weights[-1])))})
    return Trajectory(np.arange(done + 1), weights, records, batched, info)


def _descend_with_numpy(W, wstar_wide, eta, alphas, recorded_steps, out, regularized, bar) -> None:
    """The NumPy reference loop: :func:`_descent_step_kernel` every step, ``W`` recorded into ``out``."""
    take_step = _descent_step_kernel(W, wstar_wide, eta, regularized)
    steps = len(alphas)
    record_index = 0
    next_recorded_step = recorded_steps[0]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps + 1):
            if k == next_recorded_step:
                out[record_index] = W
                record_index += 1
                next_recorded_step = recorded_steps[record_index] if record_index < len(recorded_steps) else -1
            if k == steps:
                break
            take_step(2.0 * alphas[k])
            if bar is not None and k % 1000 == 0:
                bar.update(1000 if k else 0)


def _descent_step_kernel(W, wstar_wide, eta, regularized):
    """An in-place GD step ``W -= (c/2) grad`` on a contiguous layer-major ``W`` (L, n).

    Per coordinate ``L_R = w*^2 - 2 w* pi + prod_l (W_l^2 + eta^2)`` (the ``pi^2``
    terms of ``L`` and ``R`` cancel), hence
    ``grad_l L_R / 2 = W_l prod_{k!=l}(W_k^2 + eta^2) - w* prod_{k!=l} W_k``; the first
    product is ``prod_k Q_k / Q_l`` (``Q = W^2 + eta^2 >= eta^2 > 0``), the second uses
    prefix/suffix products (exact at zero weights).  ``grad_l L / 2 = (pi - w*) prod_{k!=l} W_k``.
    About 20 NumPy calls on contiguous rows per step (the hot loop of the benchmarks).
    """
    L, n = W.shape
    mul, sub, div = np.multiply, np.subtract, np.divide
    W_rows = [W[l] for l in range(L)]
    prefix_store = np.empty((L, n))
    suffix_store = np.empty((L, n))
    prefix = [W_rows[0]] + [prefix_store[l] for l in range(1, L)]  # prefix[l] = prod_{k<=l} W_k
    suffix = [suffix_store[l] for l in range(L - 1)] + [W_rows[L - 1]]  # suffix[l] = prod_{k>=l} W_k
    g = np.empty((L, n))
    t = np.empty((L, n))
    t_rows = [t[l] for l in range(L)]
    Q = np.empty((L, n))
    Q_rows = [Q[l] for l in range(L)]
    shifted_product = np.empty(n)
    scratch = np.empty(n)
    eta_squared = float(eta) ** 2
    divide_by_shifted_squares = regularized and eta_squared > 0

    wstar_prefix_store = np.empty((L, n))  # wstar_prefix[l] = w* prod_{k<=l} W_k (prefix products carrying w*)
    wstar_prefix = [wstar_prefix_store[l] for l in range(L)]

    def step_regularized(c):
        # Q = W^2 + eta^2 and shifted_product = prod_l Q_l
        mul(W, W, out=Q)
        np.add(Q, eta_squared, out=Q)
        mul(Q_rows[0], Q_rows[1], out=shifted_product)
        for l in range(2, L):
            mul(shifted_product, Q_rows[l], out=shifted_product)
        mul(shifted_product, c, out=shifted_product)
        # g = c W_l prod_{k!=l} Q_k  (= c W shifted_product / Q)
        div(W, Q, out=g)
        mul(g, shifted_product, out=g)
        # t[l] = c w* prod_{k!=l} W_k from prefix (carrying c w*) and suffix products
        mul(wstar_wide, c, out=scratch)
        mul(scratch, W_rows[0], out=wstar_prefix[0])
        for l in range(1, L - 1):
            mul(wstar_prefix[l - 1], W_rows[l], out=wstar_prefix[l])
            mul(suffix[L - l], W_rows[L - 1 - l], out=suffix[L - 1 - l])
        mul(suffix[1], scratch, out=t_rows[0])
        for l in range(1, L - 1):
            mul(wstar_prefix[l - 1], suffix[l + 1], out=t_rows[l])
        sub(g[L - 1], wstar_prefix[L - 2], out=g[L - 1])
        sub(g[: L - 1], t[: L - 1], out=g[: L - 1])
        sub(W, g, out=W)

    def step_by_plain_products(c):  # GD on L, equal to GD on L_R when eta = 0: no division
        for l in range(1, L - 1):
            mul(prefix[l - 1], W_rows[l], out=prefix[l])
            mul(suffix[L - l], W_rows[L - 1 - l], out=suffix[L - 1 - l])
        mul(prefix[L - 2], W_rows[L - 1], out=scratch)  # pi
        # grad/2 = W_l (prod_{k!=l} W_k)^2 - w* prod_{k!=l} W_k = (pi - w*) prod_{k!=l} W_k
        sub(scratch, wstar_wide, out=scratch)
        mul(suffix[1], scratch, out=g[0])
        mul(prefix[L - 2], scratch, out=g[L - 1])
        for l in range(1, L - 1):
            mul(prefix[l - 1], suffix[l + 1], out=g[l])
            mul(g[l], scratch, out=g[l])
        mul(g, c, out=g)
        sub(W, g, out=W)

    if divide_by_shifted_squares:
        return step_regularized
    return step_by_plain_products
