"""Lemma 2.3 (PAC-Bayes bound) of the main paper, symbolically: every proof step we can derive.

Reconstruction.  The formula of Lemma 2.3 was lost in extraction; its proof
(Appendix A.3) applies Corollary 17 of Chugg, Wang & Ramdas (2023) to the
nonnegative loss ``l(W; Z) = (Y - f_W(X))^2`` with the prior ``pi``: every
weight ``N(0, sigma^2)``, and the posterior ``rho_W``: ``W + G``, ``G`` iid
``N(0, sigma^2)``.  The chain, each link derived below:

1. **Lower tail of a nonnegative variable** (:mod:`.tail_inequalities`):
   ``exp(-x) <= 1 - x + x^2/2`` for ``x >= 0`` and ``1 + y <= exp(y)``, so for
   ``l >= 0`` with mean ``mu`` and second moment ``m2 = E l^2``:
   ``E exp(lam (mu - l)) <= exp(lam^2 m2 / 2)``: the lower tail is
   sub-Gaussian with variance proxy the *second moment* (not the variance).
2. **Supermartingale / product over i.i.d. samples**: for each fixed ``theta``,
   ``E exp(lam sum_i (mu(theta) - l_i(theta)) - n lam^2 m2(theta) / 2) <= 1``.
   The compensator ``m2(theta) = E_Z l(theta; Z)^2`` is the **population**
   second moment (it must be non-random for the expectation to factor).
3. **Mixture over the prior, Markov, Donsker-Varadhan**: with probability
   ``>= 1 - delta``, for **every** posterior ``rho << pi`` simultaneously,
   ``lam n E_rho[mu - L_emp] - n lam^2 E_rho[m2] / 2 <= KL(rho||pi) + log(1/delta)``
   (:mod:`.bound`).  ``lam``, ``sigma`` and the prior must not depend
   on the data; the posterior may.
4. **Gaussian KL** (:mod:`.kl_divergence`): ``KL(N(w, s^2) || N(0, s^2)) = w^2/(2 s^2)``,
   summed over all entries: ``KL = sum_l ||W_l||_F^2 / (2 sigma^2)``.
5. **Rearrangement** with ``lam = beta / sqrt(n)`` (:mod:`.bound`)::

     E_G L_pop(W+G) <= E_G L_emp(W+G) + (KL + log(1/delta)) / (beta sqrt n)
                       + beta / (2 sqrt n) * E_G E_Z l(W+G; Z)^2.

   Best ``beta`` (if it could be chosen in advance): ``sqrt(2 (KL + log(1/delta)) / m2)``.

The moments of the loss, in closed form (:mod:`.loss_moments`, :mod:`.posterior_moments`):
:func:`input_expectation` (Isserlis / elliptical fourth moments of ``X`` with ``E XX^T = Sigma``),
:func:`loss_moments_given_u` (``E_Z l`` and ``E_Z l^2`` for a fixed end-to-end
vector ``u = w* - P``), :func:`diagonal_posterior_moments` and
:func:`dense_posterior_moments` (then ``E_G`` by Gaussian moments, via
:func:`derivations.gaussian.gaussian_expectation`), and
:func:`whitened_empirical_posterior_loss` (``= L(W) + S_avg(W)``, Lemma 2.2).

The package, one module per concept: :mod:`.symbols` (the symbols of the bound),
:mod:`.tail_inequalities`, :mod:`.kl_divergence`, :mod:`.bound`,
:mod:`.loss_moments`, :mod:`.posterior_moments` and :mod:`.latex_export`
(:func:`formulas`).  This ``__init__`` re-exports the public names
(``from derivations import pacbayes as dp; dp.bound_variant(...)``).
"""
from __future__ import annotations

from .bound import best_beta, bound_from_event, bound_variant, pac_bayes_event
from .kl_divergence import kl_entry, kl_entry_by_integration, kl_network
from .latex_export import formulas
from .loss_moments import input_expectation, loss_moments_given_u, sigma_matrix, student_t_fourth_moment_factor
from .posterior_moments import dense_posterior_moments, diagonal_posterior_moments, whitened_empirical_posterior_loss
from .symbols import KL, M2, R_emp, R_pop, beta, delta, k4, n, tau
from .tail_inequalities import lower_tail_inequality, mgf_bound, one_plus_y_le_exp

__all__ = [
    "kl_entry",
    "kl_entry_by_integration",
    "kl_network",
    "lower_tail_inequality",
    "one_plus_y_le_exp",
    "mgf_bound",
    "pac_bayes_event",
    "bound_from_event",
    "bound_variant",
    "best_beta",
    "student_t_fourth_moment_factor",
    "input_expectation",
    "loss_moments_given_u",
    "sigma_matrix",
    "diagonal_posterior_moments",
    "dense_posterior_moments",
    "whitened_empirical_posterior_loss",
    "formulas",
    # the symbols of the bound, used by the checks, tests and notebooks
    "R_pop",
    "R_emp",
    "M2",
    "KL",
    "n",
    "delta",
    "beta",
    "tau",
    "k4",
]
