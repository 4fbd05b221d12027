"""Step 4 of Lemma 2.3: the KL divergence of the Gaussian posterior from the Gaussian prior.

``KL(N(w, s^2) || N(0, s^2)) = w^2/(2 s^2)`` per weight, derived twice (by
Gaussian moments and by integration); summed over all entries:
``KL = sum_l ||W_l||_F^2 / (2 sigma^2)``.
"""
from __future__ import annotations

import sympy as sp

from ..gaussian import gaussian_expectation
from .symbols import s, w

__all__ = ["kl_entry", "kl_entry_by_integration", "kl_network"]


def kl_entry(weight=w, sigma=s) -> sp.Expr:
    """``KL(N(w, sigma^2) || N(0, sigma^2)) = E_rho[log(d rho/d pi)]`` by Gaussian moments.

    ``log(d rho / d pi)(theta) = (theta^2 - (theta - w)^2) / (2 sigma^2)``, a
    polynomial in ``theta = w + g``; its mean over ``g ~ N(0, sigma^2)`` is ``w^2/(2 sigma^2)``.
    """
    g = sp.Symbol("g", real=True)
    theta = weight + g
    log_ratio = (theta**2 - (theta - weight) ** 2) / (2 * sigma**2)
    return sp.simplify(gaussian_expectation(sp.expand(log_ratio), [g], sigma))


def kl_entry_by_integration(weight=w, sigma=s) -> sp.Expr:
    """The same KL by direct integration of ``rho log(rho/pi)`` over the real line (independent route).

    Substituting ``theta = w + sigma z`` the integral is
    ``int phi(z) ((w + sigma z)^2 - sigma^2 z^2) / (2 sigma^2) dz`` with the standard normal density ``phi``.
    """
    z = sp.Symbol("z", real=True)
    phi = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    integrand = sp.expand(((weight + sigma * z) ** 2 - sigma**2 * z**2) / (2 * sigma**2))
    return sp.simplify(sp.Add(*[sp.integrate(phi * term, (z, -sp.oo, sp.oo)) for term in sp.Add.make_args(integrand)]))


def kl_network(weights, sigma=s) -> sp.Expr:
    """``sum over all entries of kl_entry = sum_l ||W_l||_F^2 / (2 sigma^2)`` (any widths, dense)."""
    return sp.Add(*[kl_entry(x, sigma) for x in weights])
