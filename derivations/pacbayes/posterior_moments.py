"""The loss moments under the PAC-Bayes posterior ``W + G`` (Lemma 2.3), exactly.

``E_G E_Z l`` (``= E_G L_pop(W+G)``) and ``E_G E_Z l^2`` for the diagonal network
(:func:`diagonal_posterior_moments`) and a dense linear network
(:func:`dense_posterior_moments`): the moments given ``u = w* - P``
(:func:`derivations.pacbayes.loss_moments.loss_moments_given_u`), then ``E_G`` by
Gaussian moments.  And the empirical term on whitened data,
``E_G L_emp(W+G) = L(W) + S_avg(W)`` (:func:`whitened_empirical_posterior_loss`, Lemma 2.2).
"""
from __future__ import annotations

import sympy as sp

from ..gaussian import gaussian_expectation, gaussian_moment, whitened_expectation
from ..marginalized import coordinate_symbols, marginalized_loss
from .loss_moments import loss_moments_given_u, sigma_matrix
from .symbols import k4, s, tau

__all__ = ["diagonal_posterior_moments", "dense_posterior_moments", "whitened_empirical_posterior_loss"]


def _posterior_expectations(P, wstar, noise, sigma, Sigma, k4_, tau_):
    """``E_G`` of ``E_Z l`` and ``E_Z l^2`` with ``u = w* - P(G)``, by polynomial arithmetic.

    ``E_Z l``, ``E_Z l^2`` are derived as polynomials in ``u``
    (:func:`loss_moments_given_u`); ``u`` is substituted as a polynomial in the
    noise ``G`` (``sympy.Poly``, fast) and the Gaussian expectation is taken
    monomial by monomial, ``E g^k = (k-1)!! sigma^k``: the same moment rule as
    :func:`derivations.gaussian.gaussian_expectation_expanded`.
    """
    d = len(P)
    u, first, second = loss_moments_given_u(d, Sigma, k4_, tau_)
    u_polynomials = [sp.Poly(ws - p, *noise) for ws, p in zip(wstar, P)]

    def substitute_u(expr):
        poly_in_u = sp.Poly(expr, *u)
        total = sp.Poly(0, *noise)
        powers = {}
        for monom, coeff in poly_in_u.terms():
            term = sp.Poly(coeff, *noise)
            for i, k in enumerate(monom):
                if k:
                    key = (i, k)
                    if key not in powers:
                        powers[key] = u_polynomials[i] ** k
                    term = term * powers[key]
            total = total + term
        return total

    def gaussian_mean(poly):
        out = sp.Integer(0)
        for monom, coeff in poly.terms():
            if any(k % 2 for k in monom):
                continue
            factor = sp.Integer(1)
            for k in monom:
                if k:
                    factor *= gaussian_moment(k, sigma)
            out += coeff * factor
        return sp.expand(out)

    return gaussian_mean(substitute_u(first)), gaussian_mean(substitute_u(second))


def _exact_or_symbols(values, rows, cols, name):
    """``values`` as exact SymPy numbers (a ``rows x cols`` list of rows), or fresh symbols ``name{i}{j}`` if ``None``."""
    if values is None:
        return [[sp.Symbol(f"{name}{i + 1}{j + 1}", real=True) for j in range(cols)] for i in range(rows)]
    exact = [[sp.nsimplify(v) for v in row] for row in values]
    if len(exact) != rows or any(len(r) != cols for r in exact):
        raise ValueError(f"{name} must have shape ({rows}, {cols})")
    return exact


def diagonal_posterior_moments(L: int, d: int, weights=None, wstar=None, sigma=None, Sigma=None,
                               k4_=k4, tau_=tau):
    """Depth-``L`` diagonal network, width ``d``: ``(symbols, E_G L_pop(W+G), E_G E_Z l^2)``.

    Any of ``weights`` (L x d), ``wstar`` (d), ``sigma``, ``Sigma`` (d x d),
    ``k4_``, ``tau_`` may be given as exact numbers (rationals) to evaluate the
    closed form at a point (much faster than the fully symbolic polynomial);
    ``None`` keeps symbols.  ``symbols`` is a dict of what was used.  Exact:
    fourth Gaussian moments of the products ``prod_l (w_lh + g_lh)``.
    """
    W = _exact_or_symbols(weights, L, d, "w_")
    G = [[sp.Symbol(f"g_{l + 1}{h + 1}", real=True) for h in range(d)] for l in range(L)]
    wstar = sp.symbols(f"w^*_1:{d + 1}", real=True) if wstar is None else [sp.nsimplify(v) for v in wstar]
    sigma = s if sigma is None else sp.nsimplify(sigma)
    Sigma = sigma_matrix(d) if Sigma is None else sp.Matrix(Sigma).applyfunc(sp.nsimplify)
    P = [sp.Mul(*[W[l][h] + G[l][h] for l in range(L)]) for h in range(d)]
    noise = [g for row in G for g in row]
    population, second_moment = _posterior_expectations(P, wstar, noise, sigma, Sigma, k4_, tau_)
    symbols_used = {"W": W, "G": G, "wstar": wstar, "sigma": sigma, "Sigma": Sigma, "tau": tau_, "k4": k4_}
    return symbols_used, population, second_moment


def dense_posterior_moments(widths, weights=None, wstar=None, sigma=None, Sigma=None, k4_=k4, tau_=tau):
    """Dense linear network ``x -> W_L ... W_1 x`` with scalar output; ``widths = (d, k_1, ..., 1)``.

    Returns ``(symbols, E_G L_pop(W+G), E_G E_Z l^2)``; ``weights`` (optional,
    exact numbers) is a list of matrices, ``W_l`` of shape ``(widths[l], widths[l-1])``
    as lists of rows; other arguments as in :func:`diagonal_posterior_moments`.
    """
    widths = tuple(widths)
    if len(widths) < 3 or widths[-1] != 1:
        raise ValueError("widths must be (d, k_1, ..., 1) with at least one hidden layer and output 1")
    d = widths[0]
    layers, layer_noises = [], []
    for l in range(1, len(widths)):
        values = None if weights is None else weights[l - 1]
        layers.append(sp.Matrix(_exact_or_symbols(values, widths[l], widths[l - 1], f"w^{l}_")))
        layer_noises.append(sp.Matrix(widths[l], widths[l - 1],
                                      lambda i, j, l=l: sp.Symbol(f"g^{l}_{i + 1}{j + 1}", real=True)))
    end_to_end = sp.eye(d)
    for Wl, Gl in zip(layers, layer_noises):
        end_to_end = (Wl + Gl) * end_to_end
    P = list(end_to_end)  # 1 x d
    wstar = sp.symbols(f"w^*_1:{d + 1}", real=True) if wstar is None else [sp.nsimplify(v) for v in wstar]
    sigma = s if sigma is None else sp.nsimplify(sigma)
    Sigma = sigma_matrix(d) if Sigma is None else sp.Matrix(Sigma).applyfunc(sp.nsimplify)
    noise = [g for Gl in layer_noises for g in Gl]
    population, second_moment = _posterior_expectations(P, wstar, noise, sigma, Sigma, k4_, tau_)
    symbols_used = {"W": layers, "G": layer_noises, "wstar": wstar, "sigma": sigma, "Sigma": Sigma, "tau": tau_,
                    "k4": k4_}
    return symbols_used, population, second_moment


def whitened_empirical_posterior_loss(L: int, d: int):
    """``(E_G L_emp(W+G), L(W) + S_avg(W))`` for whitened inputs and ``Y = <w*, X>`` (Lemma 2.2).

    The first is derived here (Gaussian moments over ``G``, then whitening
    ``x_a x_b -> delta_ab``); the second is assembled from
    :func:`derivations.marginalized.marginalized_loss` coordinate by coordinate.
    """
    W = [[sp.Symbol(f"w_{l + 1}{h + 1}", real=True) for h in range(d)] for l in range(L)]
    G = [[sp.Symbol(f"g_{l + 1}{h + 1}", real=True) for h in range(d)] for l in range(L)]
    wstar = sp.symbols(f"w^*_1:{d + 1}", real=True)
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    P = [sp.Mul(*[W[l][h] + G[l][h] for l in range(L)]) for h in range(d)]
    per_sample = (sum((ws - p) * xi for ws, p, xi in zip(wstar, P, x))) ** 2
    noise = [g for row in G for g in row]
    lhs = whitened_expectation(gaussian_expectation(sp.expand(per_sample), noise, s), x)
    coordinate = coordinate_symbols(L)
    marginalized = marginalized_loss(L)
    rhs = sp.Add(*[marginalized.xreplace({**{coordinate.w[l]: W[l][h] for l in range(L)},
                                          coordinate.wstar: wstar[h], coordinate.eta: s})
                   for h in range(d)])
    return sp.expand(lhs), sp.expand(rhs)
