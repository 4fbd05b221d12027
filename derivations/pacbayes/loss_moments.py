"""The moments of the loss for a fixed end-to-end vector (Lemma 2.3): ``E_Z l`` and ``E_Z l^2``.

For ``l = (eps + <u, X>)^2``, ``u = w* - P``, ``eps ~ N(0, tau^2)`` independent of
``X``, ``E X = 0``, ``E XX^T = Sigma`` and elliptical inputs with fourth-moment
factor ``k4``: ``E_Z l = Q + tau^2`` and ``E_Z l^2 = k4 Q^2 + 6 tau^2 Q + 3 tau^4``,
``Q = u^T Sigma u``; ``k4 = 3`` (Gaussian) or ``3 (nu-2)/(nu-4)`` (multivariate ``t_nu``).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..gaussian import gaussian_expectation
from .symbols import k4, tau

__all__ = ["student_t_fourth_moment_factor", "input_expectation", "loss_moments_given_u", "sigma_matrix"]


@lru_cache(maxsize=None)
def student_t_fourth_moment_factor():
    """``(nu, k4)``: ``E<u,X>^4 = k4 (u^T Sigma u)^2`` for multivariate ``t_nu`` inputs with covariance ``Sigma``.

    ``X = sqrt((nu-2)/V) Sigma^{1/2} Z``, ``V ~ chi^2_nu``: ``k4 = 3 (nu-2)^2 E[V^{-2}]``,
    with ``E[V^{-2}]`` by integrating against the chi-square density (``nu > 4``).
    Result: ``3 (nu-2)/(nu-4)``.
    """
    nu = sp.Symbol("nu", positive=True)
    v = sp.Symbol("v", positive=True)
    chi_square_density = v ** (nu / 2 - 1) * sp.exp(-v / 2) / (2 ** (nu / 2) * sp.gamma(nu / 2))
    inverse_square_mean = sp.gammasimp(sp.integrate(chi_square_density / v**2, (v, 0, sp.oo), conds="none"))
    return nu, sp.factor(sp.simplify(3 * (nu - 2) ** 2 * inverse_square_mean))


def input_expectation(expr, x, Sigma, k4_=3):
    """``E_X[expr]`` for a polynomial of degree <= 4 in ``x``, ``E X = 0``, ``E XX^T = Sigma``.

    Elliptical inputs (Gaussian: ``k4 = 3``): odd moments vanish,
    ``E x_a x_b = Sigma_ab`` and ``E x_a x_b x_c x_d = (k4/3)(Sigma_ab Sigma_cd
    + Sigma_ac Sigma_bd + Sigma_ad Sigma_bc)`` (Isserlis, scaled by ``E S^4``).
    """
    x = list(x)
    poly = sp.Poly(sp.expand(expr), *x)
    total = sp.Integer(0)
    for monom, coeff in poly.terms():
        indices = [i for i, k in enumerate(monom) for _ in range(k)]
        degree = len(indices)
        if degree == 0:
            moment = 1
        elif degree % 2:
            moment = 0
        elif degree == 2:
            moment = Sigma[indices[0], indices[1]]
        elif degree == 4:
            a, b, c, d = indices
            moment = sp.Rational(1, 3) * k4_ * (Sigma[a, b] * Sigma[c, d] + Sigma[a, c] * Sigma[b, d]
                                                  + Sigma[a, d] * Sigma[b, c])
        else:
            raise ValueError("input_expectation handles degree <= 4 in the inputs")
        total += coeff * moment
    return total


def loss_moments_given_u(d: int, Sigma=None, k4_=k4, tau_=tau):
    """``(u, E_Z l, E_Z l^2)`` for ``l = (eps + <u, X>)^2``, ``eps ~ N(0, tau^2)`` independent of ``X``.

    Derived from the definitions (Gaussian moments of ``eps``, :func:`input_expectation`
    for ``X``); equals ``Q + tau^2`` and ``k4 Q^2 + 6 tau^2 Q + 3 tau^4`` with ``Q = u^T Sigma u``.
    """
    u = sp.symbols(f"u_1:{d + 1}", real=True)
    x = sp.symbols(f"x_1:{d + 1}", real=True)
    eps = sp.Symbol("epsilon", real=True)
    Sigma = sigma_matrix(d) if Sigma is None else Sigma
    r = eps + sum(ui * xi for ui, xi in zip(u, x))
    first = input_expectation(gaussian_expectation(sp.expand(r**2), [eps], tau_), x, Sigma, k4_)
    second = input_expectation(gaussian_expectation(sp.expand(r**4), [eps], tau_), x, Sigma, k4_)
    return u, sp.expand(first), sp.expand(second)


def sigma_matrix(d: int) -> sp.Matrix:
    """A symmetric symbolic covariance ``Sigma_ab`` (``a <= b``)."""
    return sp.Matrix(d, d, lambda a, b: sp.Symbol(f"Sigma_{min(a, b) + 1}{max(a, b) + 1}", real=True))
