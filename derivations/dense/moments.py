"""The marginalized loss of a dense network by Gaussian moments, one layer at a time.

No formula for the regularizer goes in: ``E||W* - prod_l (W_l + G_l)||_F^2`` is computed from the
moment rule ``E g^k = (k-1)!! eta^k`` (:func:`derivations.gaussian.gaussian_moment`) applied to the
noise of one layer at a time, which is exact because the layers' noises are independent (Fubini).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ..gaussian import gaussian_moment
from .symbols import RingMatrices, dense_symbols, end_to_end, frobenius_squared, symbol_matrix

__all__ = ["layerwise_gaussian_expectation", "marginalized_loss_by_moments", "gaussian_sandwich"]


def layerwise_gaussian_expectation(expr, noise_layers, eta) -> sp.Expr:
    """``E[expr]`` over independent groups of iid ``N(0, eta^2)`` symbols, one group (layer) at a time.

    Within a group the expectation is linear in the monomials and factorizes over the group's
    independent variables: ``E prod_a g_a^{k_a} = prod_a (k_a - 1)!! eta^{k_a}`` (0 if some ``k_a`` is odd).
    """
    out = sp.expand(expr)
    for noise in noise_layers:
        poly = sp.Poly(out, *list(noise))
        terms = []
        for monomial, coefficient in poly.terms():
            factor = sp.Integer(1)
            for power in monomial:
                factor *= gaussian_moment(power, eta)
                if factor == 0:
                    break
            if factor != 0:
                terms.append(coefficient * factor)
        out = sp.expand(sp.Add(*terms))
    return out


def _moments_of_terms(terms, noise_positions, eta_position) -> dict:
    """The moment rule on sparse monomials (exponent tuples): ``g^k -> (k-1)!! eta^k``, 0 for odd ``k``."""
    out: dict = {}
    for monomial, coefficient in terms:
        exponents = list(monomial)
        factor = 1
        for i in noise_positions:
            k = exponents[i]
            if k % 2:
                factor = 0
                break
            factor *= int(sp.factorial2(k - 1)) if k else 1
            exponents[eta_position] += k
            exponents[i] = 0
        if factor:
            key = tuple(exponents)
            out[key] = out.get(key, 0) + coefficient * factor
    return out


@lru_cache(maxsize=32)
def marginalized_loss_by_moments(dims, nested: bool = True) -> sp.Expr:
    """``L_R = E||W* - prod_l (W_l + G_l)||_F^2`` by Gaussian moments, layer by layer.

    ``nested`` (default): from the output layer inwards.  The noisy product of the layers below
    layer ``l`` is a matrix of fresh symbols ``Q`` (``d_{l-1} x d_0``); ``E_{G_l}`` of the current
    polynomial (quadratic in ``G_l``) is taken by the moment rule, then ``Q = (W_{l-1} + G_{l-1}) Q'`` is
    substituted and the next layer's noise integrated; finally ``Q = I``.  ``nested=False`` expands the
    whole polynomial in every noise variable first (the same moments; slow beyond ``L = 2``).
    """
    s = dense_symbols(dims)
    if not nested:
        noisy = [W + G for W, G in zip(s.W, s.G)]
        expr = frobenius_squared(s.wstar - end_to_end(noisy))
        return layerwise_gaussian_expectation(expr, [list(G) for G in s.G], s.eta)
    L = s.depth
    below = [None] + [symbol_matrix(f"q{l}", s.dims[l], s.dims[0]) for l in range(1, L)]
    generators = [*s.wstar, *(w for W in s.W for w in W), *(g for G in s.G for g in G),
                  *(q for Q in below[1:] for q in Q), s.eta]
    rm = RingMatrices(generators)
    position = {g: i for i, g in enumerate(generators)}

    def expectation_over_layer(p, l):
        noise = [position[g] for g in s.G[l]]
        return rm.ring.from_dict(_moments_of_terms(p.terms(), noise, len(generators) - 1))

    noisy_layers = [rm.plus(rm.of(W), rm.of(G)) for W, G in zip(s.W, s.G)]
    residual = rm.plus(rm.of(s.wstar), rm.times(noisy_layers[-1], rm.of(below[L - 1])), scale=-1)
    expr = expectation_over_layer(sum((e**2 for row in residual for e in row), rm.ring.zero), L - 1)
    for l in range(L - 2, -1, -1):
        further_below = rm.identity(s.dims[0]) if l == 0 else rm.of(below[l])
        substituted = rm.times(noisy_layers[l], further_below)
        symbols_here = rm.of(below[l + 1])
        replacements = [(symbols_here[i][j], substituted[i][j])
                        for i in range(s.dims[l + 1]) for j in range(s.dims[0])]
        expr = expectation_over_layer(expr.compose(replacements), l)
    return expr.as_expr()


def gaussian_sandwich(m: int, n: int) -> list:
    """The one-layer step of the recursions, by moments: ``E[G A G^T]`` and ``E[G^T B G]``.

    ``G`` is ``m x n`` with iid ``N(0, eta^2)`` entries; ``A`` (``n x n``) and ``B`` (``m x m``) are general
    symbolic matrices.  Returns ``[(E[G A G^T], eta^2 tr(A) I_m), (E[G^T B G], eta^2 tr(B) I_n)]``; the
    rule holds iff each pair is equal (entry ``(i, j)``: ``sum_ab A_ab E[g_ia g_jb] = eta^2 delta_ij tr A``).
    The products are formed in a sparse polynomial ring, then the moment rule is applied to each entry.
    """
    G = symbol_matrix("g", m, n)
    A, B = symbol_matrix("a", n, n), symbol_matrix("b", m, m)
    eta = sp.Symbol("eta", positive=True)
    generators = [*G, *A, *B, eta]
    rm = RingMatrices(generators)
    noise = list(range(len(G)))

    def expectation(rows):
        return [[rm.ring.from_dict(_moments_of_terms(entry.terms(), noise, len(generators) - 1)) for entry in row]
                for row in rows]

    G_ring = rm.of(G)
    forward = expectation(rm.times(rm.times(G_ring, rm.of(A)), rm.transpose(G_ring)))
    adjoint = expectation(rm.times(rm.times(rm.transpose(G_ring), rm.of(B)), G_ring))
    return [(rm.to_matrix(forward), eta**2 * A.trace() * sp.eye(m)),
            (rm.to_matrix(adjoint), eta**2 * B.trace() * sp.eye(n))]
