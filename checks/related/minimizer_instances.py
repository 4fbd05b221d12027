"""Instances of ``sharpness-minimizers`` and the sharpness measured on their minimizers.

Diagonal whitened networks (the main paper's model) and dense networks (Marion & Chizat),
whitened or with a random covariance ``Sigma`` of condition number ``kappa``.  On each, the
sharpness of the balanced minimizer (attained minimum where exact), of randomly sampled
minimizers and of a locally optimized one (Nelder-Mead over layer scales with the product
fixed), and for dense networks the closed forms and bounds of :mod:`numeric.sharpness.minimizer_bounds`.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from numeric.sharpness import dense_minimizers, dense_network, diagonal_network, minimizer_bounds

from .measurement_cache import cached_measurement

__all__ = ["diagonal_cases", "dense_cases", "minimal_sharpness_measurements"]


def diagonal_cases():
    """``(L, w*)`` for diagonal whitened networks."""
    return [(2, np.array([1.5, -0.4, 0.8])), (3, np.array([0.7, 2.0])), (5, np.array([-1.2, 0.3, 0.9, 0.05])),
            (4, np.array([0.6]))]


def dense_cases(ctx):
    """(L, width, Sigma, w*, whitened) for dense networks; Sigma from a random design X."""
    rng = np.random.default_rng(ctx.seed_for("dense-cases"))
    out = []
    for L, width, d, kappa, whitened in [(2, 3, 3, 1, True), (3, 3, 3, 1, True), (3, 3, 3, 6.0, False),
                                         (4, 2, 2, 3.0, False)]:
        Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        eigenvalues = np.geomspace(kappa, 1.0, d) if not whitened else np.ones(d)
        Sigma = Q @ np.diag(eigenvalues) @ Q.T
        wstar = rng.standard_normal(d)
        out.append((L, width, Sigma, wstar, whitened))
    return out


def minimal_sharpness_measurements(ctx):
    """Measured sharpness values on each case (cached per run context): attained minimum and sampled minimizers."""
    return cached_measurement("min", ctx, _measure_minimal_sharpness)


def _measure_minimal_sharpness(ctx):
    n_random = ctx.size(6, quick=3, thorough=20)
    data = []
    for L, wstar in diagonal_cases():
        W_balanced = diagonal_network.balanced_minimizer(wstar, L)
        balanced_value = diagonal_network.diagonal_sharpness(W_balanced, wstar, method="dense")
        rng = np.random.default_rng(ctx.seed_for(f"diag-{L}"))
        sampled = []
        for _ in range(n_random):
            W = W_balanced.copy()
            for h in range(W.shape[1]):  # random layer scales with the same product per coordinate
                scales = np.exp(rng.normal(0, 0.5, size=L))
                scales /= np.prod(scales) ** (1 / L)
                W[:, h] *= scales * rng.choice([-1, 1], size=L) ** 2
                flipped_layers = rng.choice(L, size=2, replace=False)
                W[flipped_layers, h] *= -1
            sampled.append(diagonal_network.diagonal_sharpness(W, wstar, method="dense"))
        # optimize over minimizers of the coordinate with the largest |w*_h| (log-scales, product fixed)
        h = int(np.argmax(np.abs(wstar)))

        def sharpness_at_log_scales(z, h=h):
            W = W_balanced.copy()
            z = np.append(z, -np.sum(z))
            W[:, h] = W[:, h] * np.exp(z)
            return diagonal_network.diagonal_sharpness(W, wstar)

        optimum = minimize(sharpness_at_log_scales, np.random.default_rng(1).normal(0, 0.3, L - 1),
                           method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-13, "maxiter": 2000})
        data.append({"model": "diagonal-whitened", "L": L, "wstar": wstar.tolist(), "Sigma": None,
                     "attained": balanced_value, "exact": True, "sampled_min": float(min(sampled)),
                     "optimized": float(optimum.fun)})
    for L, width, Sigma, wstar, whitened in dense_cases(ctx):
        Ws_balanced, p_balanced = dense_minimizers.balanced_dense_minimizer(wstar, L, width)
        balanced_value = dense_network.dense_sharpness(Ws_balanced, p_balanced, Sigma, wstar, method="eigh")
        balanced_lanczos = dense_network.dense_sharpness(Ws_balanced, p_balanced, Sigma, wstar, method="lanczos")
        sampled = [dense_network.dense_sharpness(
                       *dense_minimizers.random_dense_minimizer(wstar, L, width, seed=ctx.seed_for(f"rm{L}{k}"),
                                                                scale=scale), Sigma, wstar)
                   for k, scale in zip(range(n_random), np.geomspace(0.5, 2.0, n_random))]
        a = float(np.linalg.norm(wstar))
        widths = [width] * L

        def sharpness_at_log_scales(z):
            z = np.append(z, -np.sum(z))
            Ws, p = dense_minimizers.rank_one_minimizer(wstar, a ** (1 / L) * np.exp(z), widths)
            return dense_network.dense_sharpness(Ws, p, Sigma, wstar)

        optimum = minimize(sharpness_at_log_scales, np.full(L - 1, 0.1), method="Nelder-Mead",
                           options={"xatol": 1e-6, "fatol": 1e-10, "maxiter": ctx.size(120, quick=60, thorough=1000)})
        data.append({"model": "dense-whitened" if whitened else "dense-nonwhitened", "L": L, "width": width,
                     "wstar": wstar.tolist(), "Sigma": Sigma.tolist(), "attained": balanced_value if whitened else None,
                     "balanced": balanced_value, "balanced_lanczos": balanced_lanczos, "exact": whitened,
                     "balanced_closed_form": minimizer_bounds.balanced_sharpness(Sigma, wstar, L),
                     "upper_bound": minimizer_bounds.upper_bound(Sigma, wstar, L),
                     "spec_lambda_bound": 2 * float(np.linalg.eigvalsh(Sigma)[-1]) * L * a ** (2 - 2 / L),
                     "sampled_min": float(min(sampled)), "optimized": float(optimum.fun)})
    return data
