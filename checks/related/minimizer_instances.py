"""Instances of ``sharpness-minimizers`` and the sharpness measured on their minimizers.

Diagonal whitened networks (the main paper's model) and dense networks (Marion & Chizat): whitened,
with a random covariance ``Sigma`` of condition number ``kappa`` and ``w*`` along its top eigenvector
(there the lower bound is attained by the balanced minimizer), or with a random ``w*`` (there it is
strict).  On each: the sharpness of the balanced minimizer (the attained minimum where exact), of
randomly sampled minimizers (random layer scales and signs with the same product), of the best
minimizer of a Nelder-Mead search over the rank-one family (layer scales) and, for dense networks, over
*all* minimizers (:func:`numeric.sharpness.dense_minimizers.parametrized_dense_minimizer`); for dense
networks also the closed forms and bounds of :mod:`numeric.sharpness.minimizer_bounds`.  Every random
choice (instances, samples, search starts) comes from the run seed.  Rounding: a computed top
eigenvalue of a symmetric ``P x P`` Hessian is within ``c P eps ||H||`` of the exact one (``c = 10``
taken), recorded per row as ``rounding``.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from numeric.sharpness import dense_minimizers, dense_network, diagonal_network, minimizer_bounds

from .measurement_cache import cached_measurement

__all__ = ["diagonal_cases", "dense_cases", "minimal_sharpness_measurements", "EIGENVALUE_ROUNDING"]

#: Relative error of a computed top eigenvalue, per parameter (``eigvalsh``: ``c P eps``, ``c = 10``).
EIGENVALUE_ROUNDING = 10 * np.finfo(float).eps


def diagonal_cases():
    """``(L, w*)`` for diagonal whitened networks."""
    return [(2, np.array([1.5, -0.4, 0.8])), (3, np.array([0.7, 2.0])), (5, np.array([-1.2, 0.3, 0.9, 0.05])),
            (4, np.array([0.6]))]


def dense_cases(ctx):
    """``(L, width, Sigma, w*, kind)`` for dense networks, ``kind`` one of ``whitened``, ``aligned`` (``w*`` a top
    eigenvector of a non-white ``Sigma``) and ``nonwhitened``; ``Sigma`` and ``w*`` from the run seed."""
    rng = np.random.default_rng(ctx.seed_for("dense-cases"))
    out = []
    for L, width, d, kappa, kind in [(2, 3, 3, 1, "whitened"), (3, 3, 3, 1, "whitened"), (3, 3, 3, 6.0, "nonwhitened"),
                                     (4, 2, 2, 3.0, "nonwhitened"), (3, 2, 2, 4.0, "aligned")]:
        Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        eigenvalues = np.geomspace(kappa, 1.0, d) if kind != "whitened" else np.ones(d)
        Sigma = Q @ np.diag(eigenvalues) @ Q.T
        wstar = rng.standard_normal(d)
        if kind == "aligned":
            wstar = Q[:, 0] * np.linalg.norm(wstar) * rng.choice([-1.0, 1.0])
        out.append((L, width, Sigma, wstar, kind))
    return out


def minimal_sharpness_measurements(ctx):
    """Measured sharpness values on each case (cached per run context): attained minimum and searched minimizers."""
    return cached_measurement("min", ctx, _measure_minimal_sharpness)


def _random_diagonal_minimizer(rng, W_balanced):
    """Random layer scales and signs per coordinate with the same product as ``W_balanced``."""
    L = W_balanced.shape[0]
    W = W_balanced.copy()
    for h in range(W.shape[1]):
        scales = np.exp(rng.normal(0, 0.5, size=L))
        scales /= np.prod(scales) ** (1 / L)
        signs = rng.choice([-1.0, 1.0], size=L)
        signs[-1] = np.prod(signs[:-1])  # an even number of sign flips: the product is unchanged
        W[:, h] *= scales * signs
    return W


def _diagonal_row(ctx, L, wstar, n_random):
    W_balanced = diagonal_network.balanced_minimizer(wstar, L)
    rng = np.random.default_rng(ctx.seed_for(f"diag-{L}"))
    sampled = [diagonal_network.diagonal_sharpness(_random_diagonal_minimizer(rng, W_balanced), wstar, method="dense")
               for _ in range(n_random)]
    h = int(np.argmax(np.abs(wstar)))  # optimize the coordinate with the largest |w*_h| (log-scales, product fixed)

    def sharpness_at_log_scales(z):
        W = W_balanced.copy()
        W[:, h] = W[:, h] * np.exp(np.append(z, -np.sum(z)))
        return diagonal_network.diagonal_sharpness(W, wstar)

    optimum = minimize(sharpness_at_log_scales, rng.normal(0, 0.3, L - 1), method="Nelder-Mead",
                       options={"xatol": 1e-9, "fatol": 1e-13, "maxiter": 2000})
    return {"model": "diagonal-whitened", "L": L, "wstar": wstar.tolist(), "Sigma": None,
            "attained": diagonal_network.diagonal_sharpness(W_balanced, wstar, method="dense"), "exact": True,
            "sampled_min": float(min(sampled)), "optimized": float(optimum.fun), "searched": None,
            "rounding": EIGENVALUE_ROUNDING * L * wstar.size}


def _search_all_minimizers(ctx, L, width, Sigma, wstar, starts, maxiter):
    """Nelder-Mead over all minimizers (free parameters of ``parametrized_dense_minimizer``), from random starts."""
    rng = np.random.default_rng(ctx.seed_for(f"search-{L}-{width}"))
    n = dense_minimizers.parameter_count(L, width, wstar.size)

    def sharpness(x):
        try:
            Ws, p = dense_minimizers.parametrized_dense_minimizer(x, wstar, L, width)
        except ValueError:
            return np.inf
        return dense_network.dense_sharpness(Ws, p, Sigma, wstar)

    best = np.inf
    for _ in range(starts):
        result = minimize(sharpness, rng.normal(size=n), method="Nelder-Mead",
                          options={"maxiter": maxiter, "xatol": 1e-8, "fatol": 1e-12})
        best = min(best, float(result.fun))
    return best


def _dense_row(ctx, L, width, Sigma, wstar, kind, n_random):
    Ws_balanced, p_balanced = dense_minimizers.balanced_dense_minimizer(wstar, L, width)
    balanced_value = dense_network.dense_sharpness(Ws_balanced, p_balanced, Sigma, wstar, method="eigh")
    balanced_lanczos = dense_network.dense_sharpness(Ws_balanced, p_balanced, Sigma, wstar, method="lanczos")
    sampled = [dense_network.dense_sharpness(
                   *dense_minimizers.random_dense_minimizer(wstar, L, width, seed=ctx.seed_for(f"rm{L}{kind}{k}"),
                                                            scale=scale), Sigma, wstar)
               for k, scale in zip(range(n_random), np.geomspace(0.5, 2.0, n_random))]
    a = float(np.linalg.norm(wstar))
    rng = np.random.default_rng(ctx.seed_for(f"rank-one-{L}-{kind}"))

    def sharpness_at_log_scales(z):
        z = np.append(z, -np.sum(z))
        Ws, p = dense_minimizers.rank_one_minimizer(wstar, a ** (1 / L) * np.exp(z), [width] * L)
        return dense_network.dense_sharpness(Ws, p, Sigma, wstar)

    optimum = minimize(sharpness_at_log_scales, rng.normal(0, 0.3, L - 1), method="Nelder-Mead",
                       options={"xatol": 1e-6, "fatol": 1e-10, "maxiter": ctx.size(120, quick=60, thorough=1000)})
    searched = (_search_all_minimizers(ctx, L, width, Sigma, wstar, ctx.size(1, quick=1, thorough=8),
                                       ctx.size(500, quick=200, thorough=4000)) if kind == "nonwhitened" else None)
    parameters = sum(W.size for W in Ws_balanced)
    return {"model": f"dense-{kind}", "L": L, "width": width, "wstar": wstar.tolist(), "Sigma": Sigma.tolist(),
            "attained": balanced_value if kind in ("whitened", "aligned") else None, "exact": kind != "nonwhitened",
            "balanced": balanced_value, "balanced_lanczos": balanced_lanczos,
            "balanced_closed_form": minimizer_bounds.balanced_sharpness(Sigma, wstar, L),
            "upper_bound": minimizer_bounds.upper_bound(Sigma, wstar, L),
            "spec_lambda_bound": 2 * float(np.linalg.eigvalsh(Sigma)[-1]) * L * a ** (2 - 2 / L),
            "sampled_min": float(min(sampled)), "optimized": float(optimum.fun), "searched": searched,
            "rounding": EIGENVALUE_ROUNDING * parameters}


def _measure_minimal_sharpness(ctx):
    n_random = ctx.size(8, quick=4, thorough=40)
    rows = [_diagonal_row(ctx, L, wstar, n_random) for L, wstar in diagonal_cases()]
    rows += [_dense_row(ctx, L, width, Sigma, wstar, kind, n_random)
             for L, width, Sigma, wstar, kind in dense_cases(ctx)]
    return rows
