"""Minimizers of the dense deep linear network: constructed (rank-one, balanced, random) or
reached by gradient flow (Marion & Chizat, eq 4).

A minimizer has end-to-end regressor ``w = w*`` (:mod:`numeric.sharpness.dense_network`).
The balanced rank-one minimizer (every layer norm ``||w*||^{1/L}``) is where gradient
flow from small initialization ends (their Cor 2).
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..validation import check_depth, check_int, check_positive, check_vector
from .dense_network import check_dense_network, dense_grad, dense_loss, flatten, unflatten

__all__ = ["rank_one_minimizer", "balanced_dense_minimizer", "random_dense_minimizer", "parametrized_dense_minimizer",
           "parameter_count", "gradient_flow"]


def rank_one_minimizer(wstar, scales, widths) -> tuple:
    """Rank-one aligned minimizer with layer norms ``scales`` (``prod scales = ||w*||``).

    ``W_1 = s_1 e_1 u^T``, ``W_k = s_k e_1 e_1^T`` (``k >= 2``), ``p = e_1``,
    ``u = w*/||w*||``; ``widths = (m_1, ..., m_L)``.  Returns ``(Ws, p)``.
    """
    wstar = np.asarray(check_vector(wstar, "wstar"), dtype=float)
    a = float(np.linalg.norm(wstar))
    check_positive(a, "||wstar||")
    scales = np.asarray(scales, dtype=float)
    if scales.shape != (len(widths),) or np.any(scales <= 0):
        raise ValueError("scales must be positive, one per layer")
    if not np.isclose(np.prod(scales), a, rtol=1e-10):
        raise ValueError(f"prod(scales) must equal ||wstar|| = {a}, got {np.prod(scales)}")
    Ws = []
    prev = wstar.size
    for k, m in enumerate(widths):
        m = check_int(int(m), "width", minimum=1)
        Wk = np.zeros((m, prev))
        if k == 0:
            Wk[0] = scales[0] * wstar / a
        else:
            Wk[0, 0] = scales[k]
        Ws.append(Wk)
        prev = m
    p = np.zeros(prev)
    p[0] = 1.0
    return Ws, p


def balanced_dense_minimizer(wstar, L, width) -> tuple:
    """Balanced rank-one minimizer: every layer norm ``||w*||^{1/L}``; widths ``m`` (last ``m`` too)."""
    L = check_depth(L)
    a = float(np.linalg.norm(wstar))
    return rank_one_minimizer(wstar, np.full(L, a ** (1 / L)), [width] * L)


def random_dense_minimizer(wstar, L, width, seed, scale=1.0) -> tuple:
    """A random minimizer: Gaussian ``W_2..W_L`` (scaled), unit ``p``, ``W_1`` solving
    ``W_1^T v = w*`` (``v = W_2^T...W_L^T p``) plus a random part orthogonal to ``v``."""
    L = check_depth(L)
    rng = np.random.default_rng(seed)
    wstar = np.asarray(wstar, dtype=float)
    d = wstar.size
    Ws = [None] + [scale * rng.standard_normal((width, width)) / np.sqrt(width) for _ in range(L - 1)]
    p = rng.standard_normal(width)
    p /= np.linalg.norm(p)
    v = p
    for Wk in reversed(Ws[1:]):
        v = Wk.T @ v
    R = scale * rng.standard_normal((width, d)) / np.sqrt(d)
    R -= np.outer(v, v @ R) / (v @ v)
    Ws[0] = np.outer(v, wstar) / (v @ v) + R
    return Ws, p


def parameter_count(L, width, d) -> int:
    """Number of free parameters of :func:`parametrized_dense_minimizer`: ``W_2..W_L`` and ``W_1``'s free part."""
    return (L - 1) * width * width + width * d


def parametrized_dense_minimizer(x, wstar, L, width) -> tuple:
    """Every minimizer with ``p = e_1``, from free parameters ``x`` (length :func:`parameter_count`).

    ``x`` holds ``W_2..W_L`` (``width x width`` each, row-major) and a ``width x d`` matrix ``R``; with
    ``v = W_2^T ... W_L^T p``, ``W_1 = v w*^T / ||v||^2 + (I - v v^T/||v||^2) R``, so ``W_1^T v = w*``.
    Raises ``ValueError`` if ``v`` vanishes (no minimizer with these ``W_2..W_L``).  For searches over the
    minimizer set (Marion & Chizat's lower bound, ``sharpness-minimizers``).
    """
    L = check_depth(L)
    width = check_int(width, "width", minimum=1)
    wstar = np.asarray(check_vector(wstar, "wstar"), dtype=float)
    d = wstar.size
    x = np.asarray(x, dtype=float)
    if x.shape != (parameter_count(L, width, d),):
        raise ValueError(f"x must have length {parameter_count(L, width, d)}, got shape {x.shape}")
    upper = [x[(k - 1) * width * width:k * width * width].reshape(width, width) for k in range(1, L)]
    R = x[(L - 1) * width * width:].reshape(width, d)
    p = np.zeros(width)
    p[0] = 1.0
    v = p
    for Wk in reversed(upper):
        v = Wk.T @ v
    vv = float(v @ v)
    if vv <= 1e-12:
        raise ValueError("x: W_2^T ... W_L^T p vanishes, so no W_1 makes a minimizer")
    W1 = np.outer(v, wstar) / vv + R - np.outer(v, v @ R) / vv
    return [W1] + upper, p


def gradient_flow(Ws0, p, Sigma, wstar, t_max: float, rtol: float = 1e-10, atol: float = 1e-13) -> tuple:
    """Gradient flow ``dW_k/dt = -dR/dW_k`` (Marion & Chizat, eq 4) by ``solve_ivp`` (LSODA).

    Returns ``(Ws(t_max), info)`` with ``info = {"t": t_max, "loss": R - R_min, "nfev": ...}``.
    """
    Ws0, p = check_dense_network(Ws0, p)
    shapes = [Wk.shape for Wk in Ws0]

    def rhs(_t, theta):
        return -flatten(dense_grad(unflatten(theta, shapes), p, Sigma, wstar))

    sol = solve_ivp(rhs, (0.0, float(t_max)), flatten(Ws0), method="LSODA", rtol=rtol, atol=atol)
    if not sol.success:
        raise ValueError(f"gradient flow integration failed: {sol.message}")
    Ws = unflatten(sol.y[:, -1], shapes)
    return Ws, {"t": float(t_max), "loss": dense_loss(Ws, p, Sigma, wstar), "nfev": int(sol.nfev)}
