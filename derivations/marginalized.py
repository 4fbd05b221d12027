"""Section 2 of the main paper, symbolically: the marginalized loss and its gradient.

The model separates by coordinate: with ``w_l`` the ``h``-th diagonal entry of
layer ``l``, one coordinate contributes ``(w* - prod_l w_l)^2`` to the loss.
Everything is derived per coordinate, with Gaussian expectations taken by
moments (:mod:`derivations.gaussian`), and assembled over ``d`` coordinates
only where a statement is genuinely multi-dimensional (Lemma 2.1 couples the
coordinates through the input ``X``).

Derived here (Lemma 2.1, Lemma 2.2, eqs 7-9):

* ``marginalized_loss(L)``  ``L_R = E_g[(w* - prod(w_l + g_l))^2]``, by moments;
* ``regularizer_closed_form(L)``  ``prod(w_l^2 + eta^2) - prod w_l^2``;
* ``regularizer_subset_expansion(L)``  ``sum_{S strict} eta^{2(L-|S|)} prod_{l in S} w_l^2`` (eq 7);
* ``weight_decay_gap(L)``  ``R - eta^{2(L-1)} sum w_l^2`` as a polynomial with
  non-negative coefficients in the squares (eq 8);
* ``noisy_gradient(L, d)``  ``grad_{w_{l,h}}`` of the one-sample noisy loss (Lemma 2.1),
  and its mean over whitened data and Gaussian noise (Lemma 2.2).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import sympy as sp
from sympy.polys.domains import QQ

from .gaussian import gaussian_expectation, whitened_expectation
from .polynomial_rings import as_polynomial, has_square_certificate, is_identity, polynomial_ring, ring_expand

__all__ = [
    "CoordinateSymbols", "coordinate_symbols", "coordinate_loss", "marginalized_loss", "regularizer_closed_form",
    "regularizer_subset_expansion", "regularizer_without_constant", "weight_decay_bound", "weight_decay_gap",
    "average_sharpness", "average_sharpness_heat_series", "NetworkSymbols", "network_symbols", "noisy_loss",
    "noisy_gradient", "noisy_gradient_closed_form", "noisy_gradient_closed_form_xx", "mean_noisy_gradient",
    "coordinate_gaussian_mean", "grad_marginalized_loss", "prove_identity", "DEPTH", "LAYER", "layer_weight",
    "instantiate_depth", "symbolic_depth_regularizer", "symbolic_depth_marginalized_loss",
    "symbolic_depth_weight_decay_bound", "formulas",
]


@dataclass(frozen=True)
class CoordinateSymbols:
    """Symbols of one coordinate: weights ``w[l]``, noise ``g[l]``, target ``wstar``, noise level ``eta``."""

    L: int
    w: tuple
    g: tuple
    wstar: sp.Symbol
    eta: sp.Symbol


def coordinate_symbols(L: int) -> CoordinateSymbols:
    """Symbols ``w_1..w_L``, ``g_1..g_L`` (real), ``w^*`` (real), ``eta`` (positive)."""
    if L < 2:
        raise ValueError(f"depth must be >= 2, got {L}")
    w = sp.symbols(f"w_1:{L + 1}", real=True)
    g = sp.symbols(f"g_1:{L + 1}", real=True)
    return CoordinateSymbols(L, tuple(w), tuple(g), sp.Symbol("w^*", real=True), sp.Symbol("eta", positive=True))


def coordinate_loss(L: int) -> sp.Expr:
    """One coordinate of the loss, ``(w* - prod_l w_l)^2`` (eq 3)."""
    s = coordinate_symbols(L)
    return (s.wstar - sp.Mul(*s.w)) ** 2


@lru_cache(maxsize=None)
def marginalized_loss(L: int) -> sp.Expr:
    """``L_R = E_g[(w* - prod_l (w_l + g_l))^2]``, ``g_l ~ N(0, eta^2)`` iid, by Gaussian moments (Lemma 2.2)."""
    s = coordinate_symbols(L)
    noisy = (s.wstar - sp.Mul(*[wl + gl for wl, gl in zip(s.w, s.g)])) ** 2
    return gaussian_expectation(noisy, s.g, s.eta)


def regularizer_closed_form(L: int) -> sp.Expr:
    """``R = prod_l (w_l^2 + eta^2) - prod_l w_l^2`` (Lemma 2.2, one coordinate)."""
    s = coordinate_symbols(L)
    return sp.Mul(*[wl**2 + s.eta**2 for wl in s.w]) - sp.Mul(*[wl**2 for wl in s.w])


def regularizer_subset_expansion(L: int, eta_power: int = 2, include_constant: bool = True) -> sp.Expr:
    """``sum_{S strict subset} eta^{eta_power (L-|S|)} prod_{l in S} w_l^2`` (eq 7).

    ``eta_power = 2`` and ``include_constant = True`` is the paper's eq 7 (the
    empty set gives the constant ``eta^{2L}``); other values build the wrong
    variants used as negative controls.
    """
    s = coordinate_symbols(L)
    terms = [s.eta ** (eta_power * (L - k)) * sp.Mul(*[s.w[i] ** 2 for i in S])
             for k in range(0 if include_constant else 1, L) for S in combinations(range(L), k)]
    return sp.Add(*terms)


def regularizer_without_constant(L: int) -> sp.Expr:
    """Negative-control variant: ``R`` without the constant ``eta^{2L}`` per coordinate."""
    return regularizer_subset_expansion(L, include_constant=False)


def weight_decay_bound(L: int) -> sp.Expr:
    """``eta^{2(L-1)} sum_l w_l^2`` (eq 8, one coordinate)."""
    s = coordinate_symbols(L)
    return s.eta ** (2 * (L - 1)) * sp.Add(*[wl**2 for wl in s.w])


def weight_decay_gap(L: int, factor=1) -> tuple[sp.Expr, bool]:
    """``R - factor eta^{2(L-1)} sum w_l^2`` and whether it is provably ``>= 0`` (eq 8: ``factor = 1``).

    In the squares ``u_l = w_l^2 >= 0`` and ``e = eta^2 > 0`` the gap is a polynomial; if every
    coefficient is non-negative, the gap is non-negative for all real weights.  Equivalently (and
    so it is decided, by coefficients in ``QQ[w, eta]``): every monomial of the gap has even
    exponents and a non-negative coefficient.  Returns the gap (unexpanded: ``R`` keeps its product
    form) and that verdict.  The factor 1 is sharp: ``R`` contains ``eta^{2(L-1)} w_l^2`` with
    coefficient 1, and at ``W = (t, 0, .., 0)`` the ratio ``R / (eta^{2(L-1)} t^2) = 1 + eta^2 / t^2 -> 1``,
    so any ``factor > 1`` fails for large ``t`` (a negative control) and ``factor < 1`` holds.
    """
    s = coordinate_symbols(L)
    gap = regularizer_closed_form(L) - factor * weight_decay_bound(L)
    return gap, has_square_certificate(gap, (*s.w, s.eta))


def average_sharpness(L: int) -> sp.Expr:
    """``S_avg = E[L(W+G)] - L(W)`` per coordinate (eq 9); equals ``R`` by Lemma 2.2."""
    return ring_expand(marginalized_loss(L) - coordinate_loss(L))


@lru_cache(maxsize=None)
def average_sharpness_heat_series(L: int) -> sp.Expr:
    """``S_avg`` per coordinate by a second route: ``E[f(w + g)] - f(w) = sum_{k >= 1} (eta^2/2)^k / k! Delta^k f``.

    For a polynomial ``f`` and ``g ~ N(0, eta^2 I)`` this is the heat semigroup
    ``exp((eta^2/2) Delta)`` applied to ``f`` (Taylor's formula with the Gaussian moments
    ``E[g^{2k}] = (2k-1)!! eta^{2k}``); the series stops once ``Delta^k f = 0``.  It uses
    neither :func:`derivations.gaussian.gaussian_expectation` nor ``R``, so comparing it with
    :func:`regularizer_closed_form` proves eq 9 independently of eq 7.  The Laplacians are taken
    in the polynomial ring ``QQ[w, w*, eta]`` (:mod:`derivations.polynomial_rings`).
    """
    s = coordinate_symbols(L)
    generators = (*s.w, s.wstar, s.eta)
    term = as_polynomial(coordinate_loss(L), generators)
    eta_squared_over_2 = polynomial_ring(generators).gens[-1] ** 2 * QQ(1, 2)
    total, k = term.ring.zero, 0
    while True:
        term = sum((term.diff(w).diff(w) for w in term.ring.gens[:L]), term.ring.zero)
        k += 1
        if not term:
            return total.as_expr()
        total += term * eta_squared_over_2 ** k * QQ(1, math.factorial(k))


# --- Lemma 2.1: several coordinates, coupled through the input ---------------------------


@dataclass(frozen=True)
class NetworkSymbols:
    """Symbols of a depth-``L``, width-``d`` network.

    ``w[l][h]`` weights, ``g[l][h]`` noise, ``u[l][h]`` the perturbed weights
    ``W~ = W + G`` as single symbols (Lemma 2.1 is a statement about ``W~``),
    inputs ``x[h]``, target ``wstar[h]``, noise level ``eta``.
    """

    L: int
    d: int
    w: tuple
    g: tuple
    u: tuple
    x: tuple
    wstar: tuple
    eta: sp.Symbol


@lru_cache(maxsize=None)
def network_symbols(L: int, d: int) -> NetworkSymbols:
    """Symbols ``w_{l,h}``, ``g_{l,h}``, ``u_{l,h}``, inputs ``x_h``, target ``w*_h``, noise level ``eta``."""
    if L < 2:
        raise ValueError(f"depth must be >= 2, got {L}")
    if d < 1:
        raise ValueError(f"width must be >= 1, got {d}")

    def grid(name):
        return tuple(tuple(sp.Symbol(f"{name}_{{{l},{h}}}", real=True) for h in range(1, d + 1))
                     for l in range(1, L + 1))

    x = tuple(sp.Symbol(f"x_{h}", real=True) for h in range(1, d + 1))
    ws = tuple(sp.Symbol(f"w^*_{h}", real=True) for h in range(1, d + 1))
    return NetworkSymbols(L, d, grid("w"), grid("g"), grid("\\tilde{w}"), x, ws, sp.Symbol("eta", positive=True))


def _label(s: NetworkSymbols):
    return sum(a * b for a, b in zip(s.wstar, s.x))


def _prediction(s: NetworkSymbols):
    return sum(sp.Mul(*[s.u[l][h] for l in range(s.L)]) * s.x[h] for h in range(s.d))


def noisy_loss(L: int, d: int) -> sp.Expr:
    """One-sample noisy loss ``(Y - 1^T W~_L...W~_1 X)^2`` with ``Y = <w*, X>`` (eq 6), in ``W~``."""
    s = network_symbols(L, d)
    return (_label(s) - _prediction(s)) ** 2


@lru_cache(maxsize=None)
def noisy_gradient(L: int, d: int) -> tuple:
    """``grad_{W_l}`` of :func:`noisy_loss` by differentiation, as ``L x d`` nested tuples.

    Differentiation is with respect to ``W~``; since ``W~ = W + G`` this is the
    gradient with respect to ``W`` evaluated at the perturbed point.  It is taken in the
    polynomial ring of the loss's symbols (entries returned expanded).
    """
    s = network_symbols(L, d)
    generators = (*[u for row in s.u for u in row], *s.x, *s.wstar)
    f = as_polynomial(noisy_loss(L, d), generators)
    return tuple(tuple(f.diff(f.ring.gens[l * d + h]).as_expr() for h in range(d)) for l in range(L))


def noisy_gradient_closed_form(L: int, d: int, factor=-2) -> tuple:
    """Lemma 2.1, first form: ``-2 (Y - 1^T W~ X) prod_{k != l} W~_k Diag(X)``.

    ``factor`` replaces the ``-2`` (negative controls).
    """
    s = network_symbols(L, d)
    residual = _label(s) - _prediction(s)
    return tuple(tuple(factor * residual * sp.Mul(*[s.u[k][h] for k in range(L) if k != l]) * s.x[h]
                       for h in range(d)) for l in range(L))


def noisy_gradient_closed_form_xx(L: int, d: int) -> tuple:
    """Lemma 2.1, second form: ``-2 prod_{k != l} W~_k Diag(X X^T (w* - w~))``, ``w~ = diag(W~_L...W~_1)``.

    It depends on the input only through ``X X^T``.
    """
    s = network_symbols(L, d)
    w_tilde = [sp.Mul(*[s.u[l][h] for l in range(L)]) for h in range(d)]
    diag_xx_residual = [s.x[h] * sum(s.x[j] * (s.wstar[j] - w_tilde[j]) for j in range(d)) for h in range(d)]
    return tuple(tuple(-2 * sp.Mul(*[s.u[k][h] for k in range(L) if k != l]) * diag_xx_residual[h]
                       for h in range(d)) for l in range(L))


@lru_cache(maxsize=None)
def mean_noisy_gradient(L: int, d: int) -> tuple:
    """``E_{i, G}`` of the noisy gradient (Lemma 2.2).

    The uniform average over a whitened data set replaces ``x_h x_j`` by
    ``delta_{hj}`` (:func:`derivations.gaussian.whitened_expectation`); then
    ``W~ = W + G`` and the Gaussian expectation is taken by moments
    (:func:`coordinate_gaussian_mean`: once per distinct one-coordinate expression, since after
    whitening the entry ``(l, h)`` involves coordinate ``h`` only and the coordinates are alike).
    """
    s = network_symbols(L, d)
    return tuple(tuple(coordinate_gaussian_mean(whitened_expectation(gradient, s.x), L, d, h)
                       for h, gradient in enumerate(row)) for row in noisy_gradient(L, d))


def coordinate_gaussian_mean(expr, L: int, d: int, h: int) -> sp.Expr:
    """``E_G[expr]`` for ``expr`` in the perturbed weights ``W~ = W + G`` of :func:`network_symbols`.

    If ``expr`` involves only coordinate ``h`` (``w~_{l,h}``, ``w*_h``, ``eta``), it is renamed
    to one coordinate's symbols (:func:`coordinate_symbols`), its expectation taken there by
    Gaussian moments (cached: the same expression at another coordinate or width costs nothing)
    and renamed back.  Otherwise the expectation is taken over all noise variables.
    """
    s, c = network_symbols(L, d), coordinate_symbols(L)
    own = {s.u[l][h] for l in range(L)} | {s.wstar[h], s.eta}
    if expr.free_symbols <= own:
        to_one_coordinate = {s.u[l][h]: c.w[l] + c.g[l] for l in range(L)}
        to_one_coordinate[s.wstar[h]] = c.wstar
        back = {c.w[l]: s.w[l][h] for l in range(L)}
        back[c.wstar] = s.wstar[h]
        return _one_coordinate_gaussian_mean(expr.xreplace(to_one_coordinate), L).xreplace(back)
    noise = [s.g[l][k] for l in range(L) for k in range(d)]
    perturbed = {s.u[l][k]: s.w[l][k] + s.g[l][k] for l in range(L) for k in range(d)}
    return gaussian_expectation(expr.xreplace(perturbed), noise, s.eta)


@lru_cache(maxsize=1024)
def _one_coordinate_gaussian_mean(expr, L: int) -> sp.Expr:
    c = coordinate_symbols(L)
    return gaussian_expectation(expr, c.g, c.eta)


@lru_cache(maxsize=128)
def _coordinate_gradient(L: int, regularizer) -> tuple:
    """``d/dw_l [(w* - prod w)^2 + regularizer(L)]`` for one coordinate, ``l = 1..L``."""
    c = coordinate_symbols(L)
    coordinate_marginalized_loss = (c.wstar - sp.Mul(*c.w)) ** 2 + regularizer(L)
    return tuple(sp.diff(coordinate_marginalized_loss, wl) for wl in c.w)


@lru_cache(maxsize=64)
def grad_marginalized_loss(L: int, d: int, regularizer=None) -> tuple:
    """``grad_{w_{l,h}} [sum_h (w*_h - prod_l w_{l,h})^2 + R_h]`` with ``R_h`` the closed form.

    ``regularizer`` (a function of ``L`` returning a per-coordinate expression in
    :func:`coordinate_symbols`) replaces ``R``; negative controls pass wrong variants.  Results are
    cached on ``(L, d, regularizer)`` (at most 64): pass module-level functions, whose identity is
    stable, so repeated runs reuse the entries instead of adding new ones.
    """
    s = network_symbols(L, d)
    c = coordinate_symbols(L)
    # the model separates: differentiate one coordinate
    coordinate_gradients = _coordinate_gradient(L, regularizer or regularizer_closed_form)

    def at_coordinate(expr, h):
        to_coordinate_h = {c.w[l]: s.w[l][h] for l in range(L)}
        to_coordinate_h[c.wstar] = s.wstar[h]
        to_coordinate_h[c.eta] = s.eta
        return expr.xreplace(to_coordinate_h)

    return tuple(tuple(at_coordinate(coordinate_gradients[l], h) for h in range(d)) for l in range(L))


def prove_identity(a, b) -> bool:
    """``True`` iff ``a - b`` is exactly zero (nested tuples allowed).

    Polynomials are compared by coefficients in ``QQ[free symbols]``
    (:func:`derivations.polynomial_rings.is_identity`); anything else by ``expand(a - b) == 0``.
    """
    if isinstance(a, tuple):
        return len(a) == len(b) and all(prove_identity(x, y) for x, y in zip(a, b))
    return is_identity(a, b)


# --- symbolic depth L: prod_{l=1}^{L} and sum_{l=1}^{L} over the layer weight w_l ---------------

DEPTH = sp.Symbol("L", integer=True, positive=True)
LAYER = sp.Symbol("l", integer=True, positive=True)
_LAYER_WEIGHT = sp.Function("w_l", real=True)  # w_l(l), one coordinate's weight of layer l, printed w_l
_LAYER_WEIGHT._latex = lambda self, printer, exp=None: (  # noqa: E731 (SymPy's printer hook)
    f"w_{{{printer._print(self.args[0])}}}" + ("" if exp is None else f"^{{{exp}}}"))


def layer_weight(l=LAYER) -> sp.Expr:
    """``w_l``, the weight of layer ``l`` (one coordinate) in the symbolic-depth formulas."""
    return _LAYER_WEIGHT(l)


def instantiate_depth(expr, L: int) -> sp.Expr:
    """``expr`` at depth ``L``: ``Product``/``Sum`` carried out (``.doit()``), ``w_l`` -> :func:`coordinate_symbols`."""
    s = coordinate_symbols(L)
    return expr.subs(DEPTH, L).doit().xreplace({layer_weight(k): s.w[k - 1] for k in range(1, L + 1)})


def symbolic_depth_regularizer() -> sp.Expr:
    """``R = prod_{l=1}^{L} (w_l^2 + eta^2) - prod_{l=1}^{L} w_l^2`` (eq 7, one coordinate, depth ``L`` symbolic)."""
    eta, w = coordinate_symbols(2).eta, layer_weight()
    return sp.Product(w ** 2 + eta ** 2, (LAYER, 1, DEPTH)) - sp.Product(w ** 2, (LAYER, 1, DEPTH))


def symbolic_depth_marginalized_loss() -> sp.Expr:
    """``L_R = (w* - prod_{l=1}^{L} w_l)^2 + R`` (Lemma 2.2, one coordinate, depth ``L`` symbolic)."""
    wstar = coordinate_symbols(2).wstar
    return (wstar - sp.Product(layer_weight(), (LAYER, 1, DEPTH))) ** 2 + symbolic_depth_regularizer()


def symbolic_depth_weight_decay_bound() -> sp.Expr:
    """``eta^{2(L-1)} sum_{l=1}^{L} w_l^2`` (eq 8, one coordinate, depth ``L`` symbolic)."""
    return coordinate_symbols(2).eta ** (2 * (DEPTH - 1)) * sp.Sum(layer_weight() ** 2, (LAYER, 1, DEPTH))


def notation() -> list:
    """``(name, LaTeX, meaning)`` of the symbols of the symbolic-depth formulas (for the LaTeX glossary)."""
    return [("w_l", "w_l", r"weight of layer $l$ on one coordinate (formulas in symbolic depth $L$)"),
            ("l", "l", r"layer index, $1 \le l \le L$"),
            ("w_1 \\partial_{w_1} L_R", r"w_1 \partial_{w_1} L_R", r"$w_1$ times the derivative of $L_R$ in $w_1$")]


def formulas(L: int = 3) -> list:
    """The Section 2 formulas for LaTeX export: ``(claim id, equation, name, expression)``."""
    s = coordinate_symbols(L)
    R = sp.Function("R")(*s.w)
    return [
        ("lemma-2.2", "7", "marginalized loss L_R = E[L(W+G)], one coordinate",
         sp.Eq(sp.Symbol("L_R"), sp.factor_terms(marginalized_loss(L)), evaluate=False)),
        ("lemma-2.2", "7", "regularizer, closed form", sp.Eq(R, regularizer_closed_form(L), evaluate=False)),
        ("lemma-2.2", "7", "regularizer, subset expansion", sp.Eq(R, regularizer_subset_expansion(L), evaluate=False)),
        ("lemma-2.2", "8", "weight-decay lower bound", sp.GreaterThan(R, weight_decay_bound(L), evaluate=False)),
        ("lemma-2.2", "9", "average sharpness", sp.Eq(sp.Symbol("S_avg"), average_sharpness(L), evaluate=False)),
        ("lemma-2.2", "9", "average sharpness by the heat series sum_k (eta^2/2)^k/k! Delta^k L",
         sp.Eq(sp.Symbol("S_avg"), sp.factor_terms(average_sharpness_heat_series(L)), evaluate=False)),
        ("lemma-2.2", "7", "marginalized loss, depth L", sp.Eq(sp.Symbol("L_R"), symbolic_depth_marginalized_loss(),
                                                               evaluate=False)),
        ("lemma-2.2", "7", "regularizer, depth L", sp.Eq(sp.Symbol("R"), symbolic_depth_regularizer(), evaluate=False)),
        ("lemma-2.2", "8", "weight-decay lower bound, depth L",
         sp.GreaterThan(sp.Symbol("R"), symbolic_depth_weight_decay_bound(), evaluate=False)),
    ]
