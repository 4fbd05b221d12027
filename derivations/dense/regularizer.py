"""The dense regularizer ``R = E[L(W + G)] - L(W)``: the recursion, its closed form, two layers.

Proof of the recursion (:func:`noisy_prefix_moments`).  Write ``P~_l = (W_l + G_l) .. (W_1 + G_1)`` and
``N_l = E[P~_l P~_l^T]`` (``d_l x d_l``).  Condition on ``G_1..G_{l-1}`` and put ``A = P~_{l-1} P~_{l-1}^T``,
independent of ``G_l``: ``E[(W_l + G_l) A (W_l + G_l)^T | A] = W_l A W_l^T + E[G_l A G_l^T | A]`` (the cross
terms are linear in ``G_l``, mean zero), and the sandwich rule ``E[G A G^T] = eta^2 tr(A) I``
(:func:`derivations.dense.gaussian_sandwich`) gives ``N_l = W_l N_{l-1} W_l^T + eta^2 tr(N_{l-1}) I_{d_l}``
after the expectation over ``A``; ``N_0 = I_{d_0}``.  Since ``E P~_L = P`` (independent, mean-zero noise),
``E||W* - P~_L||_F^2 = ||W* - P||_F^2 + E||P~_L||_F^2 - ||P||_F^2``, so ``R = tr N_L - ||P||_F^2``.
The closed form (:func:`regularizer_segment_expansion`) is the recursion unrolled.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import sympy as sp

from .symbols import check_dims, dense_symbols, end_to_end, frobenius_squared, run_product

__all__ = ["noisy_prefix_moments", "noisy_suffix_moments", "regularizer_recursion",
           "regularizer_segment_expansion", "weight_decay_coefficients", "weight_decay_part",
           "two_layer_regularizer", "diagonal_formula_transplanted"]


@lru_cache(maxsize=64)
def noisy_prefix_moments(dims, width_factors=None) -> tuple:
    """``(N_0, .., N_L)``: ``N_0 = I``, ``N_l = W_l N_{l-1} W_l^T + eta^2 tr(N_{l-1}) I_{d_l}`` (module docstring).

    ``width_factors`` exists for negative controls only: it replaces ``tr(N_0) = d_0`` by
    ``width_factors[0]`` (a miscounted input width).
    """
    s = dense_symbols(dims)
    N = [sp.eye(s.dims[0])]
    trace_of_start = s.dims[0] if width_factors is None else width_factors[0]
    for l, W in enumerate(s.W):
        trace_previous = trace_of_start if l == 0 else N[-1].trace()
        N.append(W * N[-1] * W.T + s.eta**2 * trace_previous * sp.eye(s.dims[l + 1]))
    return tuple(N)


@lru_cache(maxsize=64)
def noisy_suffix_moments(dims) -> tuple:
    """``(M_0, .., M_L)``: ``M_L = I``, ``M_{l-1} = W_l^T M_l W_l + eta^2 tr(M_l) I_{d_{l-1}}``.

    ``M_j = E[S~_j^T S~_j]`` for the noisy suffix ``S~_j = (W_L + G_L) .. (W_{j+1} + G_{j+1})``, by the adjoint
    sandwich rule ``E[G^T B G] = eta^2 tr(B) I``; ``tr(M_j N_j) = E||P~_L||_F^2`` at every interface ``j``.
    """
    s = dense_symbols(dims)
    M = [sp.eye(s.dims[-1])]
    for l in range(s.depth - 1, -1, -1):
        W = s.W[l]
        M.append(W.T * M[-1] * W + s.eta**2 * M[-1].trace() * sp.eye(s.dims[l]))
    return tuple(M[::-1])


@lru_cache(maxsize=64)
def regularizer_recursion(dims, width_factors=None) -> sp.Expr:
    """``R = tr N_L - ||W_L ... W_1||_F^2`` from :func:`noisy_prefix_moments`."""
    s = dense_symbols(dims)
    return noisy_prefix_moments(s.dims, width_factors)[-1].trace() - frobenius_squared(run_product(s.dims, 1, s.depth))


@lru_cache(maxsize=512)
def _run_norm(dims, first: int, last: int, widths) -> sp.Expr:
    """``||W_last .. W_first||_F^2`` (1-based layers); an empty run (``first = last + 1``) counts ``widths[last]``."""
    if first > last:
        return sp.sympify(widths[last])
    return frobenius_squared(run_product(dims, first, last))


@lru_cache(maxsize=128)
def regularizer_segment_expansion(dims, width_factors=None, constant_factor=1, sizes=None) -> sp.Expr:
    """Closed form ``R = sum_{S != {}} eta^{2|S|} prod_{runs} ||run||_F^2`` over sets ``S`` of noisy layers.

    The noiseless layers split into ``|S| + 1`` maximal runs between the noisy ones; a run is the
    product of its layers, and an empty run at interface ``j`` counts ``||I_{d_j}||_F^2 = d_j``.  Proof:
    unroll :func:`noisy_prefix_moments`; each layer either keeps ``W_l`` (the run goes on) or applies
    ``eta^2 tr(.) I`` (the trace closes the run so far, a new run starts at interface ``l``).  ``sizes``
    restricts ``|S|``; ``width_factors`` and ``constant_factor`` (the all-noise term) exist for controls.
    """
    s = dense_symbols(dims)
    L = s.depth
    widths = s.dims if width_factors is None else tuple(width_factors)
    total = sp.Integer(0)
    for size in (range(1, L + 1) if sizes is None else sizes):
        for noisy in combinations(range(1, L + 1), size):
            term = s.eta ** (2 * size)
            boundaries = [0, *noisy, L + 1]
            for left, right in zip(boundaries[:-1], boundaries[1:]):
                term *= _run_norm(s.dims, left + 1, right - 1, widths)
            total += term * (constant_factor if size == L else 1)
    return total


def weight_decay_coefficients(dims) -> list:
    """``c_l = prod_{j not in {l-1, l}} d_j``, the factor of ``eta^{2(L-1)} ||W_l||_F^2`` in ``R`` (``l = 1..L``)."""
    dims = check_dims(dims)
    return [sp.prod([d for j, d in enumerate(dims) if j not in (l - 1, l)]) for l in range(1, len(dims))]


@lru_cache(maxsize=64)
def weight_decay_part(dims) -> sp.Expr:
    """``eta^{2(L-1)} sum_l c_l ||W_l||_F^2 + eta^{2L} prod_j d_j``: the terms of ``R`` with ``|S| >= L - 1``.

    ``R`` minus this is the sum over ``1 <= |S| <= L-2`` of products of squared Frobenius norms, so
    ``R >= weight_decay_part`` (the dense eq 8), with equality for ``L = 2``.
    """
    s = dense_symbols(dims)
    L = s.depth
    decay = sum((c * frobenius_squared(W) for c, W in zip(weight_decay_coefficients(s.dims), s.W)), sp.Integer(0))
    return s.eta ** (2 * (L - 1)) * decay + s.eta ** (2 * L) * sp.prod(s.dims)


def two_layer_regularizer(dims) -> sp.Expr:
    """``L = 2``: ``R = eta^2 (d_0 ||W_2||_F^2 + d_2 ||W_1||_F^2) + eta^4 d_0 d_1 d_2`` (weight decay + constant)."""
    s = dense_symbols(dims)
    if s.depth != 2:
        raise ValueError(f"dims must have depth 2 (three widths), got {s.dims}")
    d0, d1, d2 = s.dims
    return s.eta**2 * (d0 * frobenius_squared(s.W[1]) + d2 * frobenius_squared(s.W[0])) + s.eta**4 * d0 * d1 * d2


def diagonal_formula_transplanted(dims) -> sp.Expr:
    """The paper's eq 7 read for dense layers: ``sum_{S strict} eta^{2(L-|S|)} ||prod_{l in S} W_l||_F^2``.

    Products skip the noisy layers, so all widths must be equal; ``S = {}`` gives ``||I||_F^2 = d``.
    It agrees with the dense ``R`` when every width is 1, and not otherwise.
    """
    s = dense_symbols(dims)
    if len(set(s.dims)) != 1:
        raise ValueError(f"dims must be all equal (square layers) for eq 7's products, got {s.dims}")
    L, d = s.depth, s.dims[0]
    total = sp.Integer(0)
    for size in range(L):
        for kept in combinations(range(L), size):
            product = end_to_end([s.W[l] for l in kept]) if kept else sp.eye(d)
            total += s.eta ** (2 * (L - size)) * frobenius_squared(product)
    return total
