"""Stochastic recursions on whitened data ``(X, Y)`` (:mod:`numeric.data`): SGD, S-SAM, projected S-SAM.

:func:`stochastic_descent` with ``eta = 0``: SGD (eq 4); with ``eta > 0``: S-SAM (eq 6),
a fresh sample index and fresh Gaussian perturbation ``G`` every step, noisy gradient
of Lemma 2.1 (the kernel of :mod:`numeric.noisy`); with ``radius=r``: projected S-SAM
(eq 22), the whole parameter projected onto the ball of radius ``r`` (:func:`project_ball`).
"""
from __future__ import annotations

import queue
import threading

import numpy as np

from ..data import check_whitened
from ..validation import check_eta, check_int, check_positive, check_vector, check_weights
from ..kernels import resolve_engine
from .compiled import step_blocks
from .schedules import step_sizes, steps_to_record
from .trajectory import Trajectory, as_batch, progress_bar, records_from_weights

__all__ = ["project_ball", "stochastic_descent"]


def project_ball(Wb, radius):
    """Project each run of ``Wb`` (K, L, d) onto the Euclidean ball of radius ``radius`` (eq 22).

    The whole parameter ``(W_1, ..., W_L)`` is projected: ``W <- W min(1, r / ||W||)``.
    """
    r = float(check_positive(radius, "radius"))
    norms = np.sqrt(np.sum(Wb * Wb, axis=(-2, -1), keepdims=True))
    scale = np.minimum(1.0, r / np.maximum(norms, np.finfo(float).tiny))
    return Wb * scale


def _noisy_step_kernel(W, X, Y, eta, radius):
    """An in-place S-SAM / SGD / projected S-SAM step on a layer-major ``W`` (L, K, d).

    ``noisy_step(alpha, G, i)``: ``Wt = W + G`` (``W_perturbed``) (``G`` already scaled by ``eta``; ``None``
    for SGD), then Lemma 2.1 per run ``k`` with sample ``i[k]``:
    ``grad_l = -2 (Y_i - <prod_l Wt_l, X_i>) prod_{j != l} Wt_j * X_i`` -- the same
    formula as :func:`numeric.noisy.noisy_gradients_from` (the tests compare them),
    written with explicit loops over the few layers on contiguous rows (faster
    than ``np.cumprod`` on a short axis); then ``W -= alpha grad`` and, with a
    radius, the projection of eq 22.
    """
    L, K, d = W.shape
    mul, sub = np.multiply, np.subtract
    W_perturbed = np.empty_like(W)
    perturbed_rows = [W_perturbed[l] for l in range(L)]
    prefix_store = np.empty_like(W)
    suffix_store = np.empty_like(W)
    prefix = [perturbed_rows[0]] + [prefix_store[l] for l in range(1, L)]
    suffix = [suffix_store[l] for l in range(L - 1)] + [perturbed_rows[L - 1]]
    pi = np.empty((K, d))
    scaled_sample = np.empty((K, d))
    update = np.empty_like(W)  # update[l] = 2 alpha (Y - <pi~, X>) prod_{j!=l} Wt_j X: the step
    update_rows = [update[l] for l in range(L)]
    update_middle = update[1:L - 1]
    residual = np.empty(K)

    def noisy_step(alpha, G, i):
        if G is None:
            np.copyto(W_perturbed, W)
        else:
            np.add(W, G, out=W_perturbed)
        X_sample = X[i]
        for l in range(1, L - 1):
            mul(prefix[l - 1], perturbed_rows[l], out=prefix[l])
            mul(suffix[L - l], perturbed_rows[L - 1 - l], out=suffix[L - 1 - l])
        mul(prefix[L - 2], perturbed_rows[L - 1], out=pi)
        np.einsum("kd,kd->k", pi, X_sample, out=residual)
        sub(Y[i], residual, out=residual)
        mul(residual, 2.0 * alpha, out=residual)  # W_l += 2 alpha (Y - <pi~, X>) prod_{j!=l} Wt_j X
        mul(X_sample, residual[:, None], out=scaled_sample)
        mul(suffix[1], scaled_sample, out=update_rows[0])
        mul(prefix[L - 2], scaled_sample, out=update_rows[L - 1])
        if L > 2:
            for l in range(1, L - 1):
                mul(prefix[l - 1], suffix[l + 1], out=update_rows[l])
            mul(update_middle, scaled_sample, out=update_middle)
        np.add(W, update, out=W)
        if radius is not None:
            norms = np.sqrt(np.einsum("lkd,lkd->k", W, W))
            outside = norms > radius
            if outside.any():
                W[:, outside] *= (radius / norms[outside])[None, :, None]

    return noisy_step


def _step_with_numpy(W_layer_major, X, Y, eta, alphas, recorded_steps, out, blocks, block, radius, bar) -> None:
    """The NumPy reference loop: :func:`_noisy_step_kernel` every step, run-major records into ``out``."""
    take_step = _noisy_step_kernel(W_layer_major, X, Y, eta, radius)
    steps = len(alphas)
    record_index, next_recorded_step = 0, recorded_steps[0]
    G = sample_indices = None
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            if k == next_recorded_step:
                out[record_index] = np.moveaxis(W_layer_major, 0, 1)
                record_index += 1
                next_recorded_step = recorded_steps[record_index] if record_index < len(recorded_steps) else -1
            if k == steps:
                break
            j = k % block
            if j == 0:
                sample_indices, G = next(blocks)
            take_step(alphas[k], G[j] if eta > 0 else None, sample_indices[j])
            if bar is not None and k % 1000 == 0:
                bar.update(1000 if k else 0)


def _random_draw_blocks(rng, steps, block, n_data, shape, eta, scaled=True):
    """The randomness of :func:`stochastic_descent`, ``block`` steps at a time, in a fixed order:
    sample indices ``(block_steps, K)``, then (``eta > 0``) noise ``eta * N(0, 1)`` of shape
    ``(block_steps, L, K, d)`` (unscaled ``N(0, 1)`` with ``scaled=False``: the compiled kernel
    multiplies by ``eta`` itself, the same multiplication)."""
    L, K, d = shape
    for k in range(0, steps, block):
        block_steps = min(block, steps - k)
        sample_indices = rng.integers(0, n_data, size=(block_steps, K))
        G = None
        if eta > 0:
            G = rng.standard_normal((block_steps, L, K, d))
            if scaled:
                G *= eta
        yield sample_indices, G


def _prefetched(iterator, depth=2):
    """Run ``iterator`` in a background thread, up to ``depth`` items ahead, and yield its items in order.

    NumPy releases the GIL while it fills random arrays, so drawing the next block of noise
    overlaps with the steps on the current one (two cores).  The items, and hence the numbers,
    are exactly those of ``iterator`` itself.
    """
    buffer = queue.Queue(maxsize=depth)
    done = object()

    def worker():
        try:
            for item in iterator:
                buffer.put(item)
        except BaseException as exc:  # handed to the consumer
            buffer.put(exc)
        buffer.put(done)

    threading.Thread(target=worker, daemon=True).start()
    while True:
        item = buffer.get()
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def stochastic_descent(W0, X, Y, eta, steps, step_size, schedule="constant", decay_start=1000,
                       power=1.0, seeds=1, seed=0, radius=None, record_every=1, record_steps=None,
                       wstar=None, block=256, progress=False, record_quantities=True,
                       engine="auto") -> Trajectory:
    """SGD (eq 4, ``eta = 0``), S-SAM (eq 6) or projected S-SAM (eq 22, ``radius`` set).

    Each step ``k`` and each run draws a fresh sample index ``i_k`` uniformly
    from the whitened data ``(X, Y)`` and fresh noise ``G ~ N(0, eta^2)`` on every
    weight, and moves along the noisy gradient of Lemma 2.1 at ``W + G``
    (:func:`numeric.noisy.noisy_gradients_from`):
    ``W_l <- W_l - alpha_k grad_{W_l} L~_k``; then, with ``radius = r``, projects the
    whole parameter onto the ball of radius ``r``.

    ``seeds=K`` runs are simulated together as one batched array (K, L, d), all
    from ``W0`` (L, d) or from ``W0`` (K, L, d).  Randomness: one
    ``numpy.random.Generator(SFC64(SeedSequence(seed)))``; noise is drawn in
    blocks of ``block`` steps, in a background thread.  The same ``seed`` gives the same numbers.
    ``wstar`` (for the records) defaults to the least-squares fit ``X^+ Y``.
    ``record_quantities=False`` records the weights only (``records`` is empty): for long records
    whose losses and gradients are not needed.
    ``engine``: ``"numba"`` steps with the compiled kernel of :mod:`numeric.kernels.stochastic`
    (same random draws; iterates equal to the NumPy reference's up to rounding), ``"numpy"``
    with the NumPy reference below, ``"auto"`` numba when installed.
    """
    engine = resolve_engine(engine)
    X = check_whitened(X)
    Y = np.asarray(check_vector(Y, "Y", length=X.shape[0]), dtype=float)
    W0 = np.asarray(W0, dtype=float)
    K = check_int(seeds, "seeds", minimum=1)
    if W0.ndim == 2:
        check_weights(W0, "W0")
        Wb = np.repeat(W0[None], K, axis=0)
        batched = K > 1
    else:
        Wb, _ = as_batch(W0)
        if K != 1 and Wb.shape[0] != K:
            raise ValueError(f"seeds must be 1 or the number of runs in W0 ({Wb.shape[0]}), got {K}")
        K = Wb.shape[0]
        batched = True
    _, L, d = Wb.shape
    if X.shape[1] != d:
        raise ValueError(f"X must have {d} columns (the width), got {X.shape[1]}")
    eta = float(check_eta(eta, allow_zero=True))
    steps = check_int(steps, "steps", minimum=0)
    if radius is not None:
        radius = float(check_positive(radius, "radius"))
    if wstar is None:
        wstar = X.T @ Y / X.shape[0]  # whitened: (1/n) X^T Y = w*
    wstar = np.asarray(check_vector(wstar, "wstar", length=d), dtype=float)
    alphas = step_sizes(steps, step_size, schedule, decay_start, power)
    recorded_steps = steps_to_record(steps, record_every, record_steps)
    block = check_int(block, "block", minimum=1)
    rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence(int(seed))))
    n_data = X.shape[0]
    W = Wb.copy()
    if radius is not None:
        W = project_ball(W, radius)
    out = np.empty((len(recorded_steps), K, L, d))
    bar = progress_bar(steps, "S-SAM" if eta > 0 else "SGD", progress and steps * K >= 100_000)
    W_layer_major = np.ascontiguousarray(np.moveaxis(W, 0, 1))  # layer-major state (L, K, d)
    if engine == "numba":
        blocks = _prefetched(_random_draw_blocks(rng, steps, block, n_data, (L, K, d), eta, scaled=False))
        with np.errstate(over="ignore", invalid="ignore"):
            step_blocks(W_layer_major, X, Y, eta, alphas, recorded_steps, out, blocks, block, radius, bar)
    else:
        blocks = _prefetched(_random_draw_blocks(rng, steps, block, n_data, (L, K, d), eta))
        _step_with_numpy(W_layer_major, X, Y, eta, alphas, recorded_steps, out, blocks, block, radius, bar)
    if bar is not None:
        bar.close()
    with np.errstate(over="ignore", invalid="ignore"):
        records = records_from_weights(out, wstar, eta) if record_quantities else {}
    algorithm = "projected-ssam" if radius is not None else ("ssam" if eta > 0 else "sgd")
    info = {"algorithm": algorithm, "schedule": schedule, "step_size": float(step_size),
            "decay_start": decay_start, "power": power, "seed": int(seed), "seeds": K,
            "radius": radius, "samples": int(n_data), "generator": "SFC64(SeedSequence(seed))",
            "diverged": bool(not np.all(np.isfinite(out[-1])))}
    return Trajectory(np.asarray(recorded_steps), out, records, batched, info)
