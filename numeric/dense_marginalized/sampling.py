"""S-SAM draws of the dense loss, and its exact first two moments for the Monte Carlo test design.

:func:`dense_noisy_losses` draws ``X = ||W* - prod_l (W_l + G_l)||_F^2`` (vectorized over draws);
:func:`dense_noisy_loss_group_means` averages them in independent, seeded groups (the input of a
median-of-means test).  :func:`dense_loss_exact_moments` computes ``E X`` and ``E X^2`` exactly by a
recursion on fourth moments (Isserlis' theorem), independent of the trace recursion of
:mod:`.network`: the variance it gives makes a distribution-free test possible, while ``X`` (a degree
``2L`` polynomial in Gaussians) is far too heavy-tailed for a normal approximation at ``1e-6``.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_eta, check_int, check_seed
from .network import check_layers, check_target

__all__ = ["dense_noisy_losses", "dense_noisy_loss_group_means", "dense_loss_exact_moments"]


def _draw_losses(layers, wstar, eta, m, rng) -> np.ndarray:
    product = None
    for W in layers:
        noisy = W + eta * rng.standard_normal((m, *W.shape))
        product = noisy if product is None else noisy @ product
    residual = wstar - product
    return np.einsum("nij,nij->n", residual, residual)


def dense_noisy_losses(layers, wstar, eta, m, seed=None) -> np.ndarray:
    """``m`` independent draws of ``||W* - (W_L + G_L) ... (W_1 + G_1)||_F^2``, ``G_l`` iid ``N(0, eta^2)``."""
    layers = check_layers(layers)
    wstar = check_target(wstar, layers)
    eta = float(check_eta(eta, allow_zero=True))
    m = check_int(m, "m", minimum=1)
    seed = check_seed(seed)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return _draw_losses(layers, wstar, eta, m, rng)


def dense_noisy_loss_group_means(layers, wstar, eta, groups, group_size, seed=0, chunk=65536) -> np.ndarray:
    """Means of ``groups`` independent groups of ``group_size`` draws each (seeded per group).

    Group ``k`` uses ``Generator(SFC64(SeedSequence(seed).spawn(groups)[k]))``, so the numbers depend only
    on ``(seed, groups, group_size, chunk)``; draws are vectorized in chunks of at most ``chunk``.
    """
    layers = check_layers(layers)
    wstar = check_target(wstar, layers)
    eta = float(check_eta(eta, allow_zero=True))
    groups = check_int(groups, "groups", minimum=1)
    group_size = check_int(group_size, "group_size", minimum=1)
    chunk = check_int(chunk, "chunk", minimum=1)
    seed = check_seed(seed)
    means = np.empty(groups)
    for k, child in enumerate(np.random.SeedSequence(seed).spawn(groups)):
        rng = np.random.Generator(np.random.SFC64(child))
        total, left = 0.0, group_size
        while left:
            size = min(chunk, left)
            total += _draw_losses(layers, wstar, eta, size, rng).sum()
            left -= size
        means[k] = total / group_size
    return means


def _fourth_moment_step(T, mean, variance) -> np.ndarray:
    """``E[(A S A^T) (x) (A S A^T)]`` from ``T = E[S (x) S]`` for ``A = mean + G`` independent of ``S``.

    ``G`` has independent centred Gaussian entries of variances ``variance`` (same shape as ``mean``).
    Isserlis: ``E[A_ia A_jb A_kc A_ld]`` = the product of means + the 6 pair terms + the 3 pairings,
    with ``E[G_ia G_jb] = variance_ia delta_ij delta_ab``.
    """
    M, V, I = mean, variance, np.eye(mean.shape[0])
    terms = [
        np.einsum("ia,jb,kc,ld,abcd->ijkl", M, M, M, M, T),
        np.einsum("ij,ia,kc,ld,aacd->ijkl", I, V, M, M, T),
        np.einsum("ik,ia,jb,ld,abad->ijkl", I, V, M, M, T),
        np.einsum("il,ia,jb,kc,abca->ijkl", I, V, M, M, T),
        np.einsum("jk,jb,ia,ld,abbd->ijkl", I, V, M, M, T),
        np.einsum("jl,jb,ia,kc,abcb->ijkl", I, V, M, M, T),
        np.einsum("kl,kc,ia,jb,abcc->ijkl", I, V, M, M, T),
        np.einsum("ij,kl,ia,kc,aacc->ijkl", I, I, V, V, T),
        np.einsum("ik,jl,ia,jb,abab->ijkl", I, I, V, V, T),
        np.einsum("il,jk,ia,jb,abba->ijkl", I, I, V, V, T),
    ]
    return sum(terms)


def _second_moment_step(S, mean, variance) -> np.ndarray:
    """``E[A S A^T]`` for ``A = mean + G``: ``mean S mean^T + diag_i(sum_a variance_ia S_aa)``."""
    return mean @ S @ mean.T + np.diag(variance @ np.diag(S))


def dense_loss_exact_moments(layers, wstar, eta) -> tuple:
    """``(E X, E X^2)`` for ``X = ||W* - prod_l (W_l + G_l)||_F^2``, exactly (float64).

    Augmentation: ``Z_0 = [I; I]``, ``Z_l = blockdiag(I, W_l + G_l) Z_{l-1}`` carries ``[I; P~_l]``, and
    ``X = ||F Z_L||_F^2`` with ``F = [W*, -I]``.  With ``S_l = Z_l Z_l^T`` the recursions
    ``E S_l`` (:func:`_second_moment_step`) and ``E[S_l (x) S_l]`` (:func:`_fourth_moment_step`) are exact
    by independence across layers; ``E X = tr(F E[S_L] F^T)``, ``E X^2 = sum_pq E[(F S F^T)_pp (F S F^T)_qq]``.
    Cost ``O(L D^8)`` with ``D = d_0 + max_l d_l``: for small networks only.
    """
    layers = check_layers(layers)
    wstar = check_target(wstar, layers)
    eta = float(check_eta(eta, allow_zero=True))
    d0 = layers[0].shape[1]
    Z0 = np.vstack([np.eye(d0), np.eye(d0)])
    S = Z0 @ Z0.T
    T = np.einsum("ij,kl->ijkl", S, S)
    for W in layers:
        rows, cols = W.shape
        mean = np.zeros((d0 + rows, d0 + cols))
        mean[:d0, :d0] = np.eye(d0)
        mean[d0:, d0:] = W
        variance = np.zeros_like(mean)
        variance[d0:, d0:] = eta * eta
        S, T = _second_moment_step(S, mean, variance), _fourth_moment_step(T, mean, variance)
    F = np.hstack([wstar, -np.eye(wstar.shape[0])])
    first = float(np.trace(F @ S @ F.T))
    second = float(np.einsum("pi,pj,qk,ql,ijkl->", F, F, F, F, T))
    return first, second
