"""Monte Carlo of the loss moments ``(E_G E_Z l, E_G E_Z l^2)`` under the PAC-Bayes posterior (Lemma 2.3).

Samplers of the end-to-end vector ``P`` under the posterior ``W + G`` (diagonal
and dense networks) and two Monte Carlo references for the closed forms of
:mod:`numeric.pacbayes.posterior` and :mod:`derivations.pacbayes`:

* :func:`sample_loss_moments`: draws ``P``, an input ``X`` and a label, and averages
  ``(l, l^2)``.  ``l^2 = r^4`` of a (mixture of) Gaussian residual(s): skewness 10 and more
  (Student inputs: hundreds), too heavy-tailed for z-tests at small levels;
* :func:`conditional_loss_sampler`: the same law integrated over ``(X, eps)`` given ``P`` and
  the Student mixing variable ``s`` (Rao-Blackwellized): given them the residual
  ``r = <w* - P, X> + eps`` is ``N(0, v)``, ``v = s Q + tau^2``, ``Q = (w*-P)^T Sigma (w*-P)``,
  so ``E[l | P, s] = v`` and ``E[l^2 | P, s] = 3 v^2`` (Gaussian moments).  Same means, far
  lighter tails; ``s = (nu - 2)/V``, ``V ~ chi^2_nu`` is drawn exactly as the inputs of
  :func:`numeric.pacbayes.inputs.draw_datasets` are built (``s = 1`` for Gaussian inputs), so
  the draws check the input law's fourth-moment factor ``k4 = 3 E s^2`` independently of its
  formula.
"""
from __future__ import annotations

import numpy as np

from ..montecarlo import sample_moments
from ..validation import check_int, check_positive, check_vector, check_weights
from .inputs import INPUT_KINDS, checked_covariance, checked_student_nu

__all__ = ["diagonal_end_to_end", "dense_end_to_end", "sample_loss_moments", "conditional_loss_sampler"]


def diagonal_end_to_end(W, sigma):
    """Sampler ``(rng, k) -> (k, d)`` of ``P = prod_l (W_l + G_l)`` for the diagonal network."""
    W = check_weights(W)
    sigma = float(check_positive(sigma, "sigma"))
    return lambda rng, k: np.prod(W[None] + sigma * rng.standard_normal((k,) + W.shape), axis=1)


def dense_end_to_end(weights, sigma):
    """Sampler ``(rng, k) -> (k, d)`` of the row ``(W_L+G_L) ... (W_1+G_1)`` of a dense network.

    ``weights``: list of matrices, ``W_l`` of shape ``(k_l, k_{l-1})``, ``k_0 = d``, last ``k_L = 1``.
    """
    layers = [np.asarray(Wl, dtype=float) for Wl in weights]
    if len(layers) < 2 or layers[-1].shape[0] != 1 or any(
            a.shape[0] != b.shape[1] for a, b in zip(layers[:-1], layers[1:])):
        raise ValueError("weights must be >= 2 chained matrices W_l of shape (k_l, k_{l-1}) with output 1")
    sigma = float(check_positive(sigma, "sigma"))

    def draw(rng, k):
        end_to_end = None
        for Wl in layers:
            perturbed_layer = Wl[None] + sigma * rng.standard_normal((k,) + Wl.shape)
            end_to_end = perturbed_layer if end_to_end is None else perturbed_layer @ end_to_end
        return end_to_end[:, 0, :]

    return draw


def sample_loss_moments(end_to_end, wstar, Sigma=None, noise=0.5, inputs="gaussian", nu=12.0,
                        m=200_000, seed=0):
    """Monte Carlo ``(E_G E_Z l, E_G E_Z l^2)``: :class:`numeric.montecarlo.Moments` of ``(l, l^2)``.

    One draw: ``P`` from ``end_to_end`` (:func:`diagonal_end_to_end`,
    :func:`dense_end_to_end`), an input ``X`` and a label ``Y = <w*, X> + eps``
    as in :func:`numeric.pacbayes.inputs.draw_datasets`, and ``l = (Y - <P, X>)^2``.
    The z-test on ``l^2`` needs ``E l^4 < inf``, i.e. eighth moments of ``X``: for
    Student inputs ``nu > 8`` (default 12).
    """
    wstar = check_vector(wstar, "wstar")
    d = wstar.shape[0]
    covariance = checked_covariance(Sigma, d)
    cholesky_factor = np.linalg.cholesky(covariance)
    tau = float(check_positive(noise, "noise", allow_zero=True))
    if inputs not in INPUT_KINDS:
        raise ValueError(f"inputs must be one of {INPUT_KINDS}, got {inputs!r}")
    nu = checked_student_nu(nu) if inputs == "student-t" else None

    def sampler(rng, k, scratch):
        P = end_to_end(rng, k)
        X = rng.standard_normal((k, d)) @ cholesky_factor.T
        if nu is not None:
            X *= np.sqrt((nu - 2.0) / rng.chisquare(nu, size=(k, 1)))
        residual = X @ wstar + tau * rng.standard_normal(k) - np.sum(P * X, axis=1)
        loss = residual * residual
        return np.stack([loss, loss * loss], axis=1)

    return sample_moments(sampler, check_int(m, "m", minimum=2), seed=seed)


def conditional_loss_sampler(end_to_end, wstar, Sigma=None, noise=0.5, inputs="gaussian", nu=12.0):
    """Sampler ``(rng, k, scratch) -> (k, 2)`` of ``(E[l | P, s], E[l^2 | P, s]) = (v, 3 v^2)``, ``v = s Q + tau^2``.

    ``P`` from ``end_to_end`` (:func:`diagonal_end_to_end`, :func:`dense_end_to_end`),
    ``Q = (w* - P)^T Sigma (w* - P)``, ``s = (nu - 2)/V`` with ``V ~ chi^2_nu`` for Student
    inputs (``nu > 4``), ``s = 1`` for Gaussian ones.  Its mean is ``(E_G E_Z l, E_G E_Z l^2)``
    (tower rule; module docstring); for :func:`numeric.montecarlo.sample_moments` and
    ``checks.stats.sample_shaped_moments``.
    """
    wstar = check_vector(wstar, "wstar")
    covariance = checked_covariance(Sigma, wstar.shape[0])
    tau2 = float(check_positive(noise, "noise", allow_zero=True)) ** 2
    if inputs not in INPUT_KINDS:
        raise ValueError(f"inputs must be one of {INPUT_KINDS}, got {inputs!r}")
    nu = checked_student_nu(nu) if inputs == "student-t" else None

    def sampler(rng, k, scratch=None):
        u = wstar[None, :] - end_to_end(rng, k)
        quadratic = np.einsum("ki,ij,kj->k", u, covariance, u)
        if nu is not None:
            quadratic = quadratic * ((nu - 2.0) / rng.chisquare(nu, size=k))
        variance = quadratic + tau2
        return np.stack([variance, 3.0 * variance * variance], axis=1)

    return sampler
