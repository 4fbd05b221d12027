"""Instances of ``sgd-stability``: per-sample Hessians of small minima.

* :func:`stability_cases`: an interpolating minimum with rank-one ``H_i = x_i x_i^T`` and one with
  full-rank ``H_i`` (exact recursion, structure and enumeration checks);
* :func:`low_noise_hessians`: ``H_i = H_0 + eps Z_i``, light-tailed dynamics for Monte Carlo of SGD;
* :func:`regular_minimum_problem`: a regular minimum (centred per-sample gradients ``g_i``) whose
  ``H`` has the null direction ``e_4``.
"""
from __future__ import annotations

import numpy as np

from numeric.stability import hessians

__all__ = ["stability_cases", "low_noise_hessians", "regular_minimum_problem"]


def stability_cases(ctx):
    """Small problems: rank-one (features) and full-rank per-sample Hessians."""
    rng = np.random.default_rng(ctx.seed_for("sgd-cases"))
    X = rng.standard_normal((6, 3))
    A = rng.standard_normal((5, 3, 3))
    Hs = np.einsum("nij,nkj->nik", A, A) / 3
    return [("rank-one n=6 d=3", hessians.problem(features=X)), ("full-rank n=5 d=3", hessians.problem(hessians=Hs))]


def low_noise_hessians(seed, n=8, d=3, eps=0.2):
    """``H_i = H_0 + eps Z_i`` (centred symmetric ``Z_i``), PSD: light-tailed SGD dynamics for Monte Carlo."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    H0 = Q @ np.diag(np.linspace(1.0, 0.3, d)) @ Q.T
    Z = rng.standard_normal((n, d, d))
    Z = (Z + Z.transpose(0, 2, 1)) / 2
    Z -= Z.mean(axis=0)
    eps = min(eps, 0.25 / float(np.abs(np.linalg.eigvalsh(Z)).max()))  # keeps H_i >= 0.05 I: PSD
    return hessians.problem(hessians=H0 + eps * Z)


def regular_minimum_problem(ctx, B):
    """``(problem, per-sample gradients g (n, d), theta_0)`` of a regular minimum (``mean_i g_i = 0``)."""
    rng = np.random.default_rng(ctx.seed_for(f"regular-{B}"))
    n, d = 6, 4
    X = np.zeros((n, d))
    X[:, :3] = rng.standard_normal((n, 3))  # H has the null direction e_4
    g = rng.standard_normal((n, d))
    g -= g.mean(axis=0)
    return hessians.problem(features=X), g, rng.standard_normal(d)
