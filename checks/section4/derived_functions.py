"""The Section 4 derivations turned into NumPy (or mpmath) functions with ``sympy.lambdify``.

The checks evaluate the symbolic results of :mod:`derivations.dynamics` on simulated
weights; this module is the one place where they are lambdified (and cached, since
lambdify is slow).  Per-coordinate expressions in the symbols of
:func:`derivations.marginalized.coordinate_symbols` are evaluated on weights of shape
``(..., L, d)`` by :func:`evaluate_per_coordinate`.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from derivations.dynamics.descent import ALPHA, contraction_constant, contraction_factor_bound, gd_multiplier
from derivations.dynamics.flow import TIME, balancing_bound, parameter_norm_bound
from derivations.dynamics.hessian import hessian_bound, hessian_bound_paper_reading
from derivations.dynamics.projection import inner_product, inner_product_lower_bound, projection_radius
from derivations.marginalized import coordinate_symbols

__all__ = [
    "PER_COORDINATE_KINDS",
    "per_coordinate_function",
    "evaluate_per_coordinate",
    "parameter_norm_bound_function",
    "balancing_bound_function",
    "HESSIAN_BOUND_VARIANTS",
    "hessian_bound_function",
    "contraction_constant_function",
    "contraction_factor_bound_function",
    "projection_radius_function",
]

#: The per-coordinate derivations :func:`per_coordinate_function` knows: the GD gap multiplier
#: ``m`` (Theorem 4.3) and the two sides of eq 57 (Theorem 4.4).
PER_COORDINATE_KINDS = ("gd_multiplier", "inner_product", "inner_product_lower_bound")


@lru_cache(maxsize=None)
def per_coordinate_function(kind: str, L: int, l: int = 1, include_alpha2: bool = True):
    """A per-coordinate derivation as a NumPy function of ``(w_1..w_L, w*, eta, alpha)``.

    ``kind`` is one of :data:`PER_COORDINATE_KINDS`; ``l`` and ``include_alpha2`` select the
    pair and the negative-control variant of :func:`derivations.dynamics.descent.gd_multiplier`.
    """
    s = coordinate_symbols(L)
    if kind == "gd_multiplier":
        expr = gd_multiplier(L, l, include_alpha2=include_alpha2)
    elif kind == "inner_product":
        expr = inner_product(L)
    elif kind == "inner_product_lower_bound":
        expr = inner_product_lower_bound(L)
    else:
        raise ValueError(f"kind must be one of {PER_COORDINATE_KINDS}, got {kind!r}")
    return sp.lambdify([*s.w, s.wstar, s.eta, ALPHA], expr, modules="numpy")


def evaluate_per_coordinate(kind, W, wstar, eta, alpha=0.0, l=1, include_alpha2=True):
    """Evaluate a per-coordinate derivation on weights ``W`` (..., L, d) -> (..., d)."""
    L = W.shape[-2]
    f = per_coordinate_function(kind, L, l, include_alpha2)
    return f(*[W[..., k, :] for k in range(L)], wstar, eta, alpha)


@lru_cache(maxsize=None)
def parameter_norm_bound_function(L: int, exponent_shift=0, factor=1.0):
    """Eq 16's bound ``factor L_R(W(0)) / eta^{2(L-1) + exponent_shift}`` as a function of ``(c, eta)``."""
    bound, (c, eta) = parameter_norm_bound(L, exponent_shift, factor)
    return sp.lambdify([c, eta], bound, modules="numpy")


@lru_cache(maxsize=None)
def balancing_bound_function(L: int, rate_factor, modules: str = "numpy"):
    """Theorem 4.1's factor ``exp(-rate_factor eta^{2(L-1)} t)`` as a function of ``(eta, t)``."""
    s = coordinate_symbols(L)
    return sp.lambdify([s.eta, TIME], balancing_bound(L, rate_factor), modules=modules)


#: Variants of the Hessian bound: ours (Theorem 4.2), the spec's reading of the paper's, and
#: two wrong ones for the negative controls (a quarter of ours; ``eta^-1`` in place of ``eta^-2``).
HESSIAN_BOUND_VARIANTS = ("ours", "paper-reading", "quarter", "eta^-1")


@lru_cache(maxsize=None)
def hessian_bound_function(L: int, variant: str = "ours"):
    """The bound ``M`` on ``||Hess L_R||_op`` over ``{L_R <= c}`` as a function of ``(d, c, eta)``."""
    if variant == "paper-reading":
        expr, (L_symbol, c, eta) = hessian_bound_paper_reading()
        f = sp.lambdify([L_symbol, c, eta], expr, modules="numpy")
        return lambda d, c_value, eta_value: f(L, c_value, eta_value)
    if variant not in HESSIAN_BOUND_VARIANTS:
        raise ValueError(f"variant must be one of {HESSIAN_BOUND_VARIANTS}, got {variant!r}")
    expr, (_, d, c, eta) = hessian_bound(L)
    if variant == "quarter":
        expr = expr / 4
    elif variant == "eta^-1":
        expr = expr * eta
    return sp.lambdify([d, c, eta], expr, modules="numpy")


@lru_cache(maxsize=None)
def contraction_constant_function():
    """Theorem 4.3's constant ``C = 4 max(c^2, c^2/2 + 2 w_inf^2 c) / eta^4``, a function of ``(c, w_inf, eta)``."""
    C, (c, w_inf, eta) = contraction_constant()
    return sp.lambdify([c, w_inf, eta], C, modules="numpy")


@lru_cache(maxsize=None)
def contraction_factor_bound_function(L: int, rate_factor=4, with_c=True):
    """Theorem 4.3's factor ``1 - rate_factor alpha eta^{2(L-1)} (+ C alpha^2)``, a function of ``(alpha, eta, C)``."""
    expr, symbols = contraction_factor_bound(L, rate_factor, with_c)
    return sp.lambdify(symbols, expr, modules="numpy")


@lru_cache(maxsize=None)
def projection_radius_function(L: int, factor=sp.Rational(1, 2)):
    """Theorem 4.4's radius ``factor sqrt(L) ||w*|| / eta^{L-1}`` as a function of ``(||w*||, eta)``.

    The default ``factor = 1/2`` is the claimed radius; other factors are negative controls.
    """
    r, (_, norm_wstar, eta) = projection_radius(L, factor)
    return sp.lambdify([norm_wstar, eta], r, modules="numpy")
