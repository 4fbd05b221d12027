"""Minima shared by the Mulayoff & Michaeli claims (seed 004), all small enough for exact enumeration.

* :func:`regular_minimum`: ``n = 6`` samples, ``d = 3``: PSD Hessians ``H_i = H_0 + eps Z_i`` on the
  first two coordinates (light-tailed: every ``H_i >= 0.05 I`` there) and zero on ``e_3``, the null
  direction of ``H``; centred per-sample gradients ``g_i`` with a component along ``e_3``; an
  initial point ``theta_0``.  Regular (Def 3), not interpolating.
* :func:`interpolating_cases`: interpolating minima chosen to show where each necessary condition
  is tight and where it is loose (random, dominant sample, incoherent rank-one, incoherent full-rank
  with equal spectra, commuting with a noisy low-curvature coordinate, orthogonal equal-norm rank-one).
"""
from __future__ import annotations

import numpy as np

from numeric.stability import hessians

__all__ = ["regular_minimum", "interpolating_cases"]


def regular_minimum(seed: int, n: int = 6, noise: float = 0.25, gradient_scale: float = 1.0):
    """``(problem, grads (n, 3), theta_0 (3,))``: a regular minimum with null direction ``e_3``; the per-sample
    gradients are standard normal (centred) times ``gradient_scale``."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    H0 = Q @ np.diag([1.0, 0.45]) @ Q.T
    Z = rng.standard_normal((n, 2, 2))
    Z = (Z + Z.transpose(0, 2, 1)) / 2
    Z -= Z.mean(axis=0)
    eps = min(noise, 0.4 / float(np.abs(np.linalg.eigvalsh(Z)).max()))  # keeps H_i >= 0.05 I on the range
    Hs = np.zeros((n, 3, 3))
    Hs[:, :2, :2] = H0 + eps * Z
    g = rng.standard_normal((n, 3))
    g = gradient_scale * (g - g.mean(axis=0))
    theta0 = rng.standard_normal(3)
    return hessians.problem(hessians=Hs), g, theta0


def interpolating_cases(seed: int):
    """``[(name, problem)]``: interpolating minima (``g_i = 0``) with ``n = 6``, ``d = 3``."""
    rng = np.random.default_rng(seed)
    n, d = 6, 3
    A = rng.standard_normal((n, d, d))
    full_rank = np.einsum("nij,nkj->nik", A, A) / d
    X = rng.standard_normal((n, d))
    dominant = 0.05 * full_rank
    dominant[0] += np.diag([6.0, 0.0, 0.0])
    U = rng.standard_normal((n, d))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    rotations = np.linalg.qr(rng.standard_normal((n, d, d)))[0]
    equal_spectra = rotations @ np.diag([1.0, 0.8, 0.6]) @ np.swapaxes(rotations, 1, 2)
    h = np.tile([2.0, 0.9, 0.5], (n, 1))
    h[:, 1] *= np.array([3.0, 0.0, 0.0, 0.0, 0.0, 3.0])  # mean 0.9, but carried by two samples
    return [
        ("random full-rank", hessians.problem(hessians=full_rank)),
        ("random rank-one", hessians.problem(features=X)),
        ("one dominant sample", hessians.problem(hessians=dominant)),
        ("incoherent unit rank-one", hessians.problem(features=U)),
        ("incoherent equal spectra, full rank", hessians.problem(hessians=(equal_spectra + np.swapaxes(equal_spectra, 1, 2)) / 2)),
        ("commuting, noisy low-curvature coordinate", hessians.problem(hessians=np.einsum("ni,ij->nij", h, np.eye(d)))),
        ("orthogonal equal-norm rank-one", hessians.problem(features=np.eye(d))),
    ]
