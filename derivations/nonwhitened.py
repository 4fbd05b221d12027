"""The marginalized loss and its critical points on non-whitened data (beyond the paper).

Inputs of covariance ``Sigma`` (symmetric positive definite) and labels ``Y = <w*, X>`` give the loss
``L(W) = (w* - pi)^T Sigma (w* - pi)``, ``pi_h = prod_l w_{l,h}``.  Derived here, width ``d = 2`` with a
general symmetric ``Sigma`` (entries ``S_11, S_12, S_22``) and depth ``L``:

* :func:`marginalized_loss_derived` -- ``E_G[L(W + G)]`` by Gaussian moments (independent coordinates):
  ``(w* - pi)^T Sigma (w* - pi) + sum_h Sigma_hh (prod_l (w_{l,h}^2 + eta^2) - prod_l w_{l,h}^2)``: only the
  **diagonal** of ``Sigma`` weights the regularizer (cross terms ``h != k`` have independent factors with
  ``E pi~_h = pi_h``);
* :func:`balancing_identity` -- ``w_{l,h} d_{l,h} L_R - w_{l+1,h} d_{l+1,h} L_R
  = 2 eta^2 Sigma_hh prod_{k not in {l,l+1}} (w_{k,h}^2 + eta^2) (w_{l,h}^2 - w_{l+1,h}^2)``: balancing survives for
  every ``Sigma`` (``Sigma_hh > 0``);
* :func:`critical_equation` -- at a balanced point (``|w_{l,h}| = a``, sign product ``s``):
  ``w_{l,h} d_{l,h} L_R = 2 Sigma_hh a^2 [(a^2 + eta^2)^{L-1} - s m_h a^{L-2}]`` with the effective target
  ``m_h = w*_h + sum_{k != h} (Sigma_hk / Sigma_hh)(w*_k - pi_k)``: the whitened shrinkage polynomial at
  ``|m_h|`` (:func:`derivations.landscape.shrinkage_polynomial.shrinkage_polynomial_derived`), ``s = sign m_h``.
  For diagonal ``Sigma``, ``m_h = w*_h``: ``Sigma_hh`` cancels, the critical points and the threshold
  ``tau_L(eta)`` are those of whitened data.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .gaussian import gaussian_expectation
from .landscape.coordinate_model import a, eta, m
from .landscape.shrinkage_polynomial import shrinkage_polynomial_derived

__all__ = ["network", "marginalized_loss_derived", "marginalized_loss_closed_form", "balancing_identity",
           "critical_equation", "coordinate_polynomial", "formulas"]

WIDTH = 2


@lru_cache(maxsize=None)
def network(L: int) -> dict:
    """Symbols: weights ``w[l][h]``, noise ``g[l][h]``, targets ``wstar[h]``, covariance ``Sigma`` (2 x 2)."""
    if L < 2:
        raise ValueError(f"depth must be >= 2, got {L}")
    w = [[sp.Symbol(f"w_{l + 1}{h + 1}", real=True) for h in range(WIDTH)] for l in range(L)]
    g = [[sp.Symbol(f"g_{l + 1}{h + 1}", real=True) for h in range(WIDTH)] for l in range(L)]
    wstar = [sp.Symbol(f"w^*_{h + 1}", real=True) for h in range(WIDTH)]
    s11, s12, s22 = sp.symbols("Sigma_11 Sigma_12 Sigma_22", real=True)
    return {"L": L, "w": w, "g": g, "wstar": wstar, "Sigma": sp.Matrix([[s11, s12], [s12, s22]])}


def _quadratic_loss(s, weights):
    residual = sp.Matrix([s["wstar"][h] - sp.Mul(*[weights[l][h] for l in range(s["L"])]) for h in range(WIDTH)])
    return sp.expand((residual.T * s["Sigma"] * residual)[0])


@lru_cache(maxsize=None)
def marginalized_loss_derived(L: int) -> sp.Expr:
    """``E_G[L(W + G)]``, ``G`` iid ``N(0, eta^2)`` on every weight, by Gaussian moments."""
    s = network(L)
    noise = [x for row in s["g"] for x in row]
    residual = [s["wstar"][h] - sp.Mul(*[s["w"][l][h] + s["g"][l][h] for l in range(L)]) for h in range(WIDTH)]
    # unexpanded sum of Sigma_hk r_h r_k: the operator factorizes r_h r_k over independent coordinates
    return sp.expand(sum(s["Sigma"][h, k] * gaussian_expectation(residual[h] * residual[k], noise, eta)
                         for h in range(WIDTH) for k in range(WIDTH)))


def marginalized_loss_closed_form(L: int) -> sp.Expr:
    """``(w* - pi)^T Sigma (w* - pi) + sum_h Sigma_hh (prod_l (w_{l,h}^2 + eta^2) - prod_l w_{l,h}^2)``."""
    s = network(L)
    regularizer = sum(s["Sigma"][h, h] * (sp.Mul(*[s["w"][l][h] ** 2 + eta ** 2 for l in range(L)])
                                         - sp.Mul(*[s["w"][l][h] ** 2 for l in range(L)])) for h in range(WIDTH))
    return _quadratic_loss(s, s["w"]) + regularizer


def balancing_identity(L: int, l: int = 0, h: int = 0) -> sp.Expr:
    """``w_l d_l L_R - w_{l+1} d_{l+1} L_R - 2 eta^2 Sigma_hh prod_{k not in {l,l+1}} (w_k^2 + eta^2)(w_l^2 - w_{l+1}^2)``
    for coordinate ``h`` (expanded; 0 when balancing survives)."""
    s = network(L)
    loss = marginalized_loss_closed_form(L)
    w = [s["w"][k][h] for k in range(L)]
    others = sp.Mul(*[w[k] ** 2 + eta ** 2 for k in range(L) if k not in (l, l + 1)])
    return sp.expand(w[l] * sp.diff(loss, w[l]) - w[l + 1] * sp.diff(loss, w[l + 1])
                     - 2 * eta ** 2 * s["Sigma"][h, h] * others * (w[l] ** 2 - w[l + 1] ** 2))


@lru_cache(maxsize=None)
def critical_equation(L: int, signs: tuple = None, h: int = 0) -> dict:
    """The critical-point equation of coordinate ``h`` at a balanced point, against the effective-target form.

    Coordinate ``h`` has ``w_{l,h} = s_l a`` (``signs``, default all +1); the other coordinate stays general.
    Returns ``lhs = w_{1,h} d_{1,h} L_R``, the effective target ``m_h``, ``rhs = 2 Sigma_hh a^2 P(a; s m_h)``
    (``P`` the whitened shrinkage polynomial with ``m -> s m_h``) and their expanded ``difference``.
    """
    s = network(L)
    signs = signs or (1,) * L
    sign = sp.Mul(*signs)
    balanced = {s["w"][l][h]: signs[l] * a for l in range(L)}
    loss = marginalized_loss_closed_form(L)
    lhs = sp.expand((s["w"][0][h] * sp.diff(loss, s["w"][0][h])).subs(balanced))
    k = 1 - h
    pi_k = sp.Mul(*[s["w"][l][k] for l in range(L)])
    m_h = s["wstar"][h] + s["Sigma"][h, k] / s["Sigma"][h, h] * (s["wstar"][k] - pi_k)
    rhs = 2 * s["Sigma"][h, h] * a ** 2 * shrinkage_polynomial_derived(L).subs(m, sign * m_h)
    return {"lhs": lhs, "effective_target": m_h, "rhs": rhs, "difference": sp.expand(lhs - sp.expand(rhs))}


@lru_cache(maxsize=None)
def coordinate_polynomial(L: int) -> sp.Expr:
    """Diagonal ``Sigma``: ``(w_{1,1} d_{1,1} L_R) / (2 a^2)`` at ``w_{l,1} = a``, a polynomial in ``a`` with the
    coefficients ``Sigma_11``, ``w*_1``, ``eta`` (``Sigma_12 = 0``): the non-whitened shrinkage polynomial."""
    s = network(L)
    lhs = critical_equation(L)["lhs"].subs(s["Sigma"][0, 1], 0)
    return sp.expand(sp.cancel(lhs / (2 * a ** 2)))


def formulas() -> list:
    """``nonwhitened-landscape`` formulas for the LaTeX export: ``(claim id, equation, name, expression)``."""
    s = network(2)
    m_1 = sp.Symbol("m_1")
    residual = [s["wstar"][h] - s["w"][0][h] * s["w"][1][h] for h in range(WIDTH)]
    compact = (sum(s["Sigma"][h, k] * residual[h] * residual[k] for h in range(WIDTH) for k in range(WIDTH))
               + sum(s["Sigma"][h, h] * ((s["w"][0][h] ** 2 + eta ** 2) * (s["w"][1][h] ** 2 + eta ** 2)
                                         - s["w"][0][h] ** 2 * s["w"][1][h] ** 2) for h in range(WIDTH)))
    return [
        ("nonwhitened-landscape", "", "marginalized loss, L = 2, d = 2, general Sigma (equals the derived E[L(W+G)])",
         sp.Eq(sp.Symbol("L_R"), compact, evaluate=False)),
        ("nonwhitened-landscape", "", "effective target of coordinate 1",
         sp.Eq(m_1, critical_equation(2)["effective_target"], evaluate=False)),
        ("nonwhitened-landscape", "", "critical-point equation C_1 = w_11 dL_R/dw_11 at a balanced point, L = 3",
         sp.Eq(sp.Symbol("C_1"), 2 * s["Sigma"][0, 0] * a ** 2 * shrinkage_polynomial_derived(3).subs(
             m, m_1), evaluate=False)),
        ("nonwhitened-landscape", "", "non-whitened shrinkage polynomial, diagonal Sigma, L = 3",
         sp.Eq(sp.Symbol("P_Sigma(a)"), sp.factor(coordinate_polynomial(3)), evaluate=False)),
    ]
