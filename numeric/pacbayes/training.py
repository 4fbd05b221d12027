"""Data-dependent weights for the PAC-Bayes coverage experiments (Lemma 2.3).

The bound holds simultaneously for every ``W``, so it must cover weights chosen
after seeing the data: learned on the data set (:func:`train`, GD or S-SAM) or
picked adversarially from a family fixed in advance (:func:`select_worst`).
"""
from __future__ import annotations

import numpy as np

from ..model import products_excluding
from ..validation import check_int, check_positive
from .bound import bound_value
from .posterior import kl_divergence, posterior_empirical_loss, posterior_loss_moments

__all__ = ["train", "select_worst"]


def train(X, Y, depth, method="gd", eta=0.1, lr=0.05, steps=300, init_scale=0.5, seed=0):
    """Train one diagonal network per data set on its empirical loss; returns W (K, L, d).

    ``method="gd"``: full-batch gradient descent on ``L_emp(W) = (1/n) ||Y - X pi(W)||^2``.
    ``method="ssam"``: S-SAM with full batch, ``W <- W - lr grad L_emp(W + G)``,
    ``G`` iid ``N(0, eta^2)`` fresh at every step (eq 6 with the data sample
    replaced by the whole batch).  The initialization ``init_scale * N(0, 1)``
    is drawn once from ``seed`` and shared by all data sets (data-independent).
    The step of data set ``k`` is ``lr / max(1, lambda_max(X_k^T X_k / n))``:
    heavy-tailed inputs (Student t) occasionally give a large empirical
    covariance, on which a fixed step would diverge.
    Vectorized over data sets; the gradient uses Lemma 2.1's product rule via
    :func:`numeric.model.products_excluding`.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim != 3 or Y.shape != X.shape[:2]:
        raise ValueError(f"X must have shape (draws, n, d) and Y (draws, n); got {X.shape}, {Y.shape}")
    L = check_int(depth, "depth", minimum=2)
    if method not in ("gd", "ssam"):
        raise ValueError(f"method must be 'gd' or 'ssam', got {method!r}")
    eta = float(check_positive(eta, "eta", allow_zero=True))
    lr = float(check_positive(lr, "lr"))
    steps = check_int(steps, "steps", minimum=0)
    init_scale = float(check_positive(init_scale, "init_scale"))
    K, n, d = X.shape
    rng = np.random.default_rng(seed)
    W0 = init_scale * rng.standard_normal((L, d))
    W = np.broadcast_to(W0, (K, L, d)).copy()
    X_transposed = np.swapaxes(X, 1, 2)
    largest_eigenvalue = np.linalg.eigvalsh(np.einsum("kdn,kne->kde", X_transposed, X) / n)[:, -1]
    step = (lr / np.maximum(1.0, largest_eigenvalue))[:, None, None]
    for _ in range(steps):
        W_perturbed = W + eta * rng.standard_normal(W.shape) if method == "ssam" else W
        pi = np.prod(W_perturbed, axis=1)
        residual = Y - np.einsum("knd,kd->kn", X, pi)
        grad_product = (-2.0 / n) * np.einsum("kdn,kn->kd", X_transposed, residual)
        W -= step * grad_product[:, None, :] * products_excluding(W_perturbed)
    if not np.all(np.isfinite(W)):
        raise ValueError(f"training diverged (non-finite weights); lower lr (got {lr})")
    return W


def select_worst(X, Y, family, wstar, sigma, delta, beta, Sigma=None, noise=0.5, inputs="gaussian", nu=5.0,
                 variant="lemma-2.3"):
    """For each data set, the member of ``family`` (M, L, d) that maximizes ``E_G L_pop - bound``.

    An adversarial, data-dependent choice of W (it looks at the data through
    ``E_G L_emp``): Lemma 2.3 holds simultaneously for every W, so it must
    cover this choice too.  Returns W of shape (K, L, d).  Loops over the
    ``M`` members, vectorized over the ``K`` data sets.
    """
    family = np.asarray(family, dtype=float)
    if family.ndim != 3 or family.shape[0] < 1:
        raise ValueError(f"family must have shape (members, depth, width), got {family.shape}")
    n = X.shape[-2]
    largest_excess = np.full(X.shape[0], -np.inf)
    worst_member = np.zeros(X.shape[0], dtype=int)
    for j, member in enumerate(family):
        population, second_moment = posterior_loss_moments(member, wstar, sigma, Sigma, noise, inputs, nu)
        excess = population - bound_value(posterior_empirical_loss(member, X, Y, sigma),
                                          kl_divergence(member, sigma), second_moment, n, delta, beta, variant)
        larger = excess > largest_excess
        largest_excess = np.where(larger, excess, largest_excess)
        worst_member = np.where(larger, j, worst_member)
    return family[worst_member]
