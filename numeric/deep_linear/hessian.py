"""Sharpness of a deep linear network at (near) minimizers, matrix-free (Marion & Chizat, Sec 3, Cor 3).

:func:`numeric.sharpness.dense_network.dense_sharpness` builds the full Hessian up to 400 weights; the residual
networks here have up to ``L d^2 = 1024``, where Lanczos on exact Hessian-vector products
(:func:`numeric.sharpness.dense_network.dense_hvp`) is much cheaper.  :func:`minimizer_slack` is the matrix-free
form of :func:`numeric.sharpness.minimizer_bounds.lower_bound_slack`: at a point ``W`` with end-to-end vector
``w`` near ``w*``, ``H(W; w*) = H(W; w) + E`` with ``E`` linear in ``w - w*`` and ``W`` an exact minimizer for
the target ``w``, so by Weyl ``S(W) >= lower(w) - ||E||_2``.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from ..sharpness.dense_network import dense_hvp, dense_product, dense_sharpness, flatten, unflatten
from ..sharpness.minimizer_bounds import lower_bound
from .network import check_problem

__all__ = ["sharpness", "minimizer_slack"]

#: up to this many weights the Hessian is formed and diagonalized; above, Lanczos
DENSE_LIMIT = 100


def sharpness(Ws, p, Sigma, wstar) -> float:
    """Top Hessian eigenvalue of the risk (no factor 1/2) at ``W``: dense up to ``DENSE_LIMIT`` weights, else Lanczos
    (``eigsh``, tolerance ``1e-12``) on exact Hessian-vector products."""
    Ws, p, Sigma, wstar = check_problem(Ws, p, Sigma, wstar)
    size = sum(W.size for W in Ws)
    return dense_sharpness(Ws, p, Sigma, wstar, method="eigh" if size <= DENSE_LIMIT else "lanczos")


def minimizer_slack(Ws, p, Sigma, wstar) -> float:
    """``(||E||_2 + |lower(w) - lower(w*)|) / lower(w*)``: how far below the lower bound ``2 L (w*^T Sigma w*) /
    ||w*||^{2/L}`` the sharpness at the near-minimizer ``W`` may be (``E = H(W; w*) - H(W; w)``, its norm by Lanczos
    on the difference of Hessian-vector products)."""
    Ws, p, Sigma, wstar = check_problem(Ws, p, Sigma, wstar)
    w = dense_product(Ws, p)
    shapes = [W.shape for W in Ws]
    size = sum(W.size for W in Ws)

    def difference(v):
        V = unflatten(v, shapes)
        return flatten(dense_hvp(Ws, p, Sigma, wstar, V)) - flatten(dense_hvp(Ws, p, Sigma, w, V))

    operator = LinearOperator((size, size), matvec=difference, dtype=float)
    norm = float(abs(eigsh(operator, k=1, which="LM", tol=1e-8, v0=np.ones(size))[0][0])) if size > 1 else abs(
        float(difference(np.ones(1))[0]))
    L = len(Ws)
    reference = lower_bound(Sigma, wstar, L)
    return float((norm + abs(lower_bound(Sigma, w, L) - reference)) / reference)
