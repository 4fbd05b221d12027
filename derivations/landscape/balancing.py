"""Theorem 3.1(a), symbolically: the identities that force balancing at critical points.

* the cyclic identity ``w_{l+1} d_{l+1} L = w_l d_l L`` for the loss (:func:`cyclic_identity_terms`);
* eq 29 for the regularizer ``R`` (:func:`eq29_terms`), so that at a critical point
  ``2 eta^2 prod_{k not in {l,l+1}}(w_k^2 + eta^2)(w_{l+1}^2 - w_l^2) = 0``, i.e. ``w_l^2 = w_{l+1}^2``;
* eq 28 for dense matrices and an arbitrary differentiable regularizer (:func:`general_network_terms`).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from derivations.marginalized import coordinate_symbols, regularizer_closed_form

__all__ = ["cyclic_identity_terms", "eq29_terms", "general_network_terms"]


@lru_cache(maxsize=None)
def cyclic_identity_terms(L: int) -> list:
    """``[(w_{l+1} d_{w_{l+1}} L, w_l d_{w_l} L) for l = 1..L-1]`` (proof of Thm 3.1(a)): equal for every ``W``."""
    s = coordinate_symbols(L)
    loss = (s.wstar - sp.Mul(*s.w)) ** 2
    gradient = [sp.diff(loss, w) for w in s.w]
    return [(s.w[l + 1] * gradient[l + 1], s.w[l] * gradient[l]) for l in range(L - 1)]


@lru_cache(maxsize=None)
def eq29_terms(L: int, factor=2, eta_power=2, drop_product=False) -> list:
    """``[(d_{l+1}R w_{l+1} - d_l R w_l, 2 eta^2 prod_{k not in {l,l+1}}(w_k^2+eta^2)(w_{l+1}^2 - w_l^2))]`` (eq 29).

    The left side is differentiated from ``R`` (eq 7); the right side is the
    paper's form, with ``factor``, ``eta_power`` and ``drop_product`` to build
    wrong variants (negative controls).
    """
    s = coordinate_symbols(L)
    R = regularizer_closed_form(L)
    gradient = [sp.diff(R, w) for w in s.w]
    out = []
    for l in range(L - 1):
        lhs = gradient[l + 1] * s.w[l + 1] - gradient[l] * s.w[l]
        product = sp.Integer(1) if drop_product else sp.Mul(*[s.w[k] ** 2 + s.eta ** 2 for k in range(L)
                                                               if k not in (l, l + 1)])
        rhs = factor * s.eta ** eta_power * product * (s.w[l + 1] ** 2 - s.w[l] ** 2)
        out.append((lhs, rhs))
    return out


@lru_cache(maxsize=None)
def general_network_terms(n: int, L: int, transpose_side: bool = True) -> list:
    """Eq 28 for dense ``n x n`` layers and an arbitrary differentiable ``R``.

    Loss ``||W* - W_L...W_1||_F^2`` (whitened data), ``R = R(all entries)`` an
    undefined SymPy function.  Returns per ``l`` a pair of matrices
    ``(W_{l+1}^T G_{l+1} - G_l W_l^T,  W_{l+1}^T grad_{l+1} R - grad_l R W_l^T)`` where
    ``G = grad(L + R)``.  Their equality for *every* ``W`` (the loss parts
    cancel: cyclic property) means that at a critical point (``G = 0``)
    ``W_{l+1}^T grad_{l+1} R = grad_l R W_l^T`` (eq 28).  ``transpose_side=False``
    builds the wrong variant ``W_{l+1} G_{l+1} - G_l W_l`` (a negative control).
    """
    layers = [sp.Matrix(n, n, lambda i, j, k=k: sp.Symbol(f"W{k + 1}_{i + 1}{j + 1}", real=True)) for k in range(L)]
    target = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"Ws_{i + 1}{j + 1}", real=True))
    product = sp.eye(n)
    for W in layers:
        product = W * product
    residual = target - product
    loss = sum(residual[i, j] ** 2 for i in range(n) for j in range(n))
    entries = [W[i, j] for W in layers for i in range(n) for j in range(n)]
    R = sp.Function("R")(*entries)

    def matrix_gradient(f, W):
        return sp.Matrix(n, n, lambda i, j: sp.diff(f, W[i, j]))

    loss_gradients = [matrix_gradient(loss, W) for W in layers]
    regularizer_gradients = [matrix_gradient(R, W) for W in layers]
    out = []
    for l in range(L - 1):
        G_next = loss_gradients[l + 1] + regularizer_gradients[l + 1]
        G_this = loss_gradients[l] + regularizer_gradients[l]
        if transpose_side:
            lhs = layers[l + 1].T * G_next - G_this * layers[l].T
        else:
            lhs = layers[l + 1] * G_next - G_this * layers[l]
        rhs = layers[l + 1].T * regularizer_gradients[l + 1] - regularizer_gradients[l] * layers[l].T
        out.append((lhs.applyfunc(sp.expand), rhs.applyfunc(sp.expand)))
    return out
