"""Closed forms under the PAC-Bayes posterior ``W + G``, ``G`` iid ``N(0, sigma^2)`` (Lemma 2.3, diagonal network).

Coordinates are independent under the posterior.  With
``P_h = prod_l (W_lh + G_lh)``, ``m_h = E P_h = pi_h``,
``R_h = Var P_h = prod_l (W_lh^2 + sigma^2) - prod_l W_lh^2`` (the S-SAM
regularizer of eq 7, per coordinate), ``u = w* - P``, ``c = E u``,
``Q = u^T Sigma u``:

* ``KL(W) = sum_l ||W_l||_F^2 / (2 sigma^2)`` (:func:`kl_divergence`);
* ``E_G L_emp(W+G) = (1/n) sum_i (Y_i - <pi, X_i>)^2 + sum_h Sigma^_hh R_h``
  with ``Sigma^ = (1/n) X^T X``; for whitened data this is ``L(W) + S_avg(W)``
  (Lemma 2.2, eq 9) (:func:`posterior_empirical_loss`);
* ``E_G L_pop(W+G) = E_G Q + tau^2``,  ``E_G Q = c^T Sigma c + sum_h Sigma_hh R_h``;
* ``E_G E_Z l^2 = k4 E_G Q^2 + 6 tau^2 E_G Q + 3 tau^4`` where ``k4 = E<u,X>^4 / (u^T Sigma u)^2``
  (:func:`numeric.pacbayes.inputs.input_fourth_moment_factor`), and ``E_G Q^2``
  follows from the central moments ``v, mu3, mu4`` of ``u_h`` (:func:`posterior_loss_moments`).
"""
from __future__ import annotations

import numpy as np

from ..validation import check_positive, check_vector, check_weights
from .inputs import checked_covariance, input_fourth_moment_factor

__all__ = ["checked_weights_or_batch", "kl_divergence", "product_raw_moments", "posterior_empirical_loss",
           "posterior_loss_moments"]


def checked_weights_or_batch(W):
    """``W`` of shape (L, d) or (K, L, d) (one weight per data set); returns float array."""
    weights = np.asarray(W, dtype=float)
    if weights.ndim == 2:
        return check_weights(weights)
    if weights.ndim == 3 and weights.shape[1] >= 2 and weights.shape[2] >= 1 and np.all(np.isfinite(weights)):
        return weights
    raise ValueError(f"weights must have shape (depth, width) or (draws, depth, width) with depth >= 2, "
                     f"finite, got shape {weights.shape}")


def kl_divergence(W, sigma):
    """``KL(N(W, sigma^2 I) || N(0, sigma^2 I)) = sum_l ||W_l||^2 / (2 sigma^2)`` (App. A.3)."""
    W = checked_weights_or_batch(W)
    sigma = float(check_positive(sigma, "sigma"))
    return np.sum(W * W, axis=(-2, -1)) / (2.0 * sigma * sigma)


def product_raw_moments(W, sigma):
    """Raw moments 1..4 of ``P_h = prod_l (W_lh + G_lh)``: shape (..., d) each."""
    s2 = sigma * sigma
    W2 = W * W
    m1 = np.prod(W, axis=-2)
    m2 = np.prod(W2 + s2, axis=-2)
    m3 = np.prod(W * (W2 + 3 * s2), axis=-2)
    m4 = np.prod(W2 * W2 + 6 * s2 * W2 + 3 * s2 * s2, axis=-2)
    return m1, m2, m3, m4


def posterior_empirical_loss(W, X, Y, sigma):
    """``E_G L_emp(W+G) = (1/n) sum_i (Y_i - <pi, X_i>)^2 + sum_h Sigma^_hh R_h`` per data set.

    ``X`` (K, n, d) or (n, d), ``Y`` matching; ``W`` (L, d) or (K, L, d).  For
    whitened data and ``Y = X w*`` this is ``L(W) + S_avg(W)`` (Lemma 2.2).
    """
    W = checked_weights_or_batch(W)
    sigma = float(check_positive(sigma, "sigma"))
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    if X.ndim not in (2, 3) or Y.shape != X.shape[:-1] or X.shape[-1] != W.shape[-1]:
        raise ValueError(f"X must have shape (..., n, {W.shape[-1]}) and Y shape (..., n); "
                         f"got {X.shape} and {Y.shape}")
    m1, m2, _, _ = product_raw_moments(W, sigma)
    R = m2 - m1 * m1
    fit = np.einsum("...nd,...d->...n", X, m1)
    empirical_covariance_diagonal = np.mean(X * X, axis=-2)
    return np.mean((Y - fit) ** 2, axis=-1) + np.sum(empirical_covariance_diagonal * R, axis=-1)


def posterior_loss_moments(W, wstar, sigma, Sigma=None, noise=0.5, inputs="gaussian", nu=5.0):
    """``(E_G L_pop(W+G), E_G E_Z l(W+G; Z)^2)`` in closed form (diagonal network).

    With ``u = w* - P``, ``c = E u``, ``b = Sigma c``, central moments of ``u_h``:
    ``v_h = R_h``, ``mu3_h = -E(P_h - m_h)^3``, ``mu4_h = E(P_h - m_h)^4``::

        E Q   = c^T Sigma c + sum_h Sigma_hh v_h
        E Q^2 = (c^T Sigma c)^2 + 4 sum_h b_h^2 v_h + 4 sum_h b_h Sigma_hh mu3_h
                + 2 (c^T Sigma c) sum_h Sigma_hh v_h + (sum_h Sigma_hh v_h)^2
                + 2 sum_{a,b} Sigma_ab^2 v_a v_b + sum_h Sigma_hh^2 (mu4_h - 3 v_h^2)
        E_G L_pop = E Q + tau^2,   E_G E_Z l^2 = k4 E Q^2 + 6 tau^2 E Q + 3 tau^4

    (``k4`` from :func:`numeric.pacbayes.inputs.input_fourth_moment_factor`; noise
    Gaussian).  ``W`` of shape (L, d) gives scalars, (K, L, d) gives arrays of length K.
    """
    W = checked_weights_or_batch(W)
    d = W.shape[-1]
    wstar = check_vector(wstar, "wstar", length=d)
    fourth_power_finite = " (its fourth power enters E_G E_Z l^2 and must be a finite float)"
    sigma = float(check_positive(sigma, "sigma", maximum=1e75, why=fourth_power_finite))
    tau2 = float(check_positive(noise, "noise", allow_zero=True, maximum=1e75, why=fourth_power_finite)) ** 2
    covariance = checked_covariance(Sigma, d)
    k4 = input_fourth_moment_factor(inputs, nu)
    m1, m2, m3, m4 = product_raw_moments(W, sigma)
    v = m2 - m1 * m1
    product_third_central_moment = m3 - 3 * m1 * m2 + 2 * m1**3
    mu4 = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1**4
    mu3 = -product_third_central_moment
    c = wstar - m1
    b = c @ covariance
    mean_part = np.sum(c * b, axis=-1)  # c^T Sigma c
    covariance_diagonal = np.diag(covariance)
    noise_part = np.sum(covariance_diagonal * v, axis=-1)  # sum_h Sigma_hh v_h
    EQ = mean_part + noise_part
    EQ2 = (mean_part * mean_part + 4 * np.sum(b * b * v, axis=-1)
           + 4 * np.sum(b * covariance_diagonal * mu3, axis=-1)
           + 2 * mean_part * noise_part + noise_part * noise_part
           + 2 * np.einsum("...a,ab,...b->...", v, covariance * covariance, v)
           + np.sum(covariance_diagonal * covariance_diagonal * (mu4 - 3 * v * v), axis=-1))
    population, second_moment = EQ + tau2, k4 * EQ2 + 6 * tau2 * EQ + 3 * tau2 * tau2
    if not (np.all(np.isfinite(population)) and np.all(np.isfinite(second_moment))):
        raise ValueError("posterior loss moments overflow float64: the weights are too large")
    return population, second_moment
