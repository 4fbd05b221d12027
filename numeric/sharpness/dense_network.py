"""The dense deep linear network of Marion & Chizat (seed ``003``, eq 3): loss, gradient, exact HVPs.

``x -> p^T W_L ... W_1 x`` with ``W_1`` of shape ``(m_1, d)``, ``W_k`` of shape
``(m_k, m_{k-1})`` and a fixed vector ``p`` of length ``m_L`` (fully connected:
``m_L = 1``, ``p = [1]``).  With ``w = W_1^T ... W_L^T p`` the end-to-end
regressor and ``Sigma = X^T X / n`` the empirical covariance,
``R(W) = mean_i (y_i - w^T x_i)^2 = (w - w*)^T Sigma (w - w*) + R_min``
(no factor 1/2), ``w*`` the minimal-norm least-squares solution.  Only ``(Sigma, w*)`` enter.

Hessian-vector products are exact (forward/backward sweeps of products,
``O(L m^2 d)`` each): with ``l_k^T = p^T W_L ... W_{k+1}``,
``A_k = W_{k-1} ... W_1`` and ``g = 2 Sigma (w - w*)``,
``dR/dW_k = l_k (A_k g)^T`` and its directional derivative along ``V`` is
``dl_k (A_k g)^T + l_k (dA_k g + A_k dg)^T``, ``dg = 2 Sigma dw``,
``dw^T = sum_k l_k^T V_k A_k``.
"""
from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

__all__ = [
    "least_squares",
    "check_dense_network",
    "dense_product",
    "dense_loss",
    "dense_grad",
    "dense_hvp",
    "dense_hessian",
    "dense_sharpness",
    "flatten",
    "unflatten",
]


def least_squares(X, y):
    """``(Sigma, w*)`` with ``Sigma = X^T X / n`` and ``w* = X^+ y`` the minimal-norm solution."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    return X.T @ X / X.shape[0], np.linalg.pinv(X) @ y


def check_dense_network(Ws, p):
    """Validated ``(Ws, p)``: float layers with chained shapes, ``p`` of length ``m_L``; ``ValueError`` naming
    the layer."""
    Ws = [np.asarray(Wk, dtype=float) for Wk in Ws]
    if len(Ws) < 1:
        raise ValueError("weights: need at least one layer")
    for k in range(1, len(Ws)):
        if Ws[k].ndim != 2 or Ws[k].shape[1] != Ws[k - 1].shape[0]:
            raise ValueError(f"weights: layer {k + 1} has shape {Ws[k].shape}, expected (m, {Ws[k - 1].shape[0]})")
    p = np.atleast_1d(np.asarray(p, dtype=float))
    if p.shape != (Ws[-1].shape[0],):
        raise ValueError(f"p must have length {Ws[-1].shape[0]} (rows of the last layer), got {p.shape}")
    return Ws, p


def _left_vectors_and_right_products(Ws, p):
    """``l_k`` (vector) and ``A_k`` (matrix) for each layer ``k`` (0-based)."""
    L = len(Ws)
    d = Ws[0].shape[1]
    A = [np.eye(d)]
    for k in range(L - 1):
        A.append(Ws[k] @ A[k])
    ls = [None] * L
    ls[L - 1] = p
    for k in range(L - 1, 0, -1):
        ls[k - 1] = Ws[k].T @ ls[k]
    return ls, A


def dense_product(Ws, p) -> np.ndarray:
    """End-to-end regressor ``w = W_1^T ... W_L^T p`` (Marion & Chizat, eq 3)."""
    Ws, p = check_dense_network(Ws, p)
    v = p
    for Wk in reversed(Ws):
        v = Wk.T @ v
    return v


def dense_loss(Ws, p, Sigma, wstar) -> float:
    """Excess risk ``R(W) - R_min = (w - w*)^T Sigma (w - w*)`` (no factor 1/2)."""
    r = dense_product(Ws, p) - wstar
    return float(r @ Sigma @ r)


def dense_grad(Ws, p, Sigma, wstar) -> list:
    """``dR/dW_k = l_k (A_k g)^T`` with ``g = 2 Sigma (w - w*)`` (Marion & Chizat, eqs 5-6)."""
    Ws, p = check_dense_network(Ws, p)
    ls, A = _left_vectors_and_right_products(Ws, p)
    g = 2 * Sigma @ (dense_product(Ws, p) - wstar)
    return [np.outer(ls[k], A[k] @ g) for k in range(len(Ws))]


def dense_hvp(Ws, p, Sigma, wstar, Vs) -> list:
    """Exact Hessian-vector product ``(nabla^2 R) V`` for a direction ``V = (V_1, ..., V_L)``.

    Forward sweep ``dA_{k+1} = V_k A_k + W_k dA_k``, backward sweep
    ``dl_{k-1} = W_k^T dl_k + V_k^T l_k``; then
    ``d(dR/dW_k) = dl_k (A_k g)^T + l_k (dA_k g + A_k dg)^T`` with ``dg = 2 Sigma dw``.
    Each ``V_k`` may carry a leading batch axis (many directions at once, see :func:`dense_hessian`).
    """
    Ws, p = check_dense_network(Ws, p)
    Vs = [np.asarray(V, dtype=float) for V in Vs]
    batched = Vs[0].ndim == 3
    if not batched:
        Vs = [V[None] for V in Vs]
    b = Vs[0].shape[0]
    L = len(Ws)
    ls, A = _left_vectors_and_right_products(Ws, p)
    dA = [np.zeros((b,) + A[0].shape)]
    for k in range(L - 1):
        dA.append(Vs[k] @ A[k] + Ws[k] @ dA[k])
    dl = [None] * L
    dl[L - 1] = np.zeros((b, p.size))
    for k in range(L - 1, 0, -1):
        dl[k - 1] = dl[k] @ Ws[k] + np.einsum("bij,i->bj", Vs[k], ls[k])
    w = A[L - 1].T @ (Ws[L - 1].T @ p)
    g = 2 * Sigma @ (w - wstar)
    dw = sum(np.einsum("bij,i->bj", Vs[k], ls[k]) @ A[k] for k in range(L))
    dg = 2 * dw @ Sigma
    out = [dl[k][:, :, None] * (A[k] @ g)[None, None, :]
           + ls[k][None, :, None] * (dA[k] @ g + dg @ A[k].T)[:, None, :] for k in range(L)]
    return out if batched else [o[0] for o in out]


def flatten(Ws) -> np.ndarray:
    """Stack all entries of ``W_1, ..., W_L`` (row-major) into one vector."""
    return np.concatenate([np.asarray(Wk, dtype=float).ravel() for Wk in Ws])


def unflatten(theta, shapes) -> list:
    """Inverse of :func:`flatten` for the given layer shapes."""
    out, i = [], 0
    for s in shapes:
        k = int(np.prod(s))
        out.append(np.asarray(theta[i:i + k]).reshape(s))
        i += k
    return out


def dense_hessian(Ws, p, Sigma, wstar) -> np.ndarray:
    """Full Hessian (``P x P``, ``P`` = number of weights): :func:`dense_hvp` on all unit vectors at once."""
    Ws, p = check_dense_network(Ws, p)
    shapes = [Wk.shape for Wk in Ws]
    P = sum(int(np.prod(s)) for s in shapes)
    eye = np.eye(P)
    Vb, i = [], 0
    for s in shapes:
        k = int(np.prod(s))
        Vb.append(eye[:, i:i + k].reshape((P,) + s))
        i += k
    cols = dense_hvp(Ws, p, Sigma, wstar, Vb)
    H = np.concatenate([c.reshape(P, -1) for c in cols], axis=1)  # row j = H e_j
    return (H + H.T) / 2


def dense_sharpness(Ws, p, Sigma, wstar, method: str = "auto", dense_max: int = 400, tol: float = 1e-12) -> float:
    """Top Hessian eigenvalue of ``R`` at ``W``: ``"eigh"`` (dense), ``"lanczos"`` (``eigsh``
    on a ``LinearOperator`` of :func:`dense_hvp`), or ``"auto"`` (eigh up to ``dense_max`` weights).
    """
    Ws, p = check_dense_network(Ws, p)
    shapes = [Wk.shape for Wk in Ws]
    P = sum(int(np.prod(s)) for s in shapes)
    if method == "auto":
        method = "eigh" if P <= dense_max else "lanczos"
    if method == "eigh":
        return float(np.linalg.eigvalsh(dense_hessian(Ws, p, Sigma, wstar))[-1])
    if method != "lanczos":
        raise ValueError(f"method must be 'auto', 'eigh' or 'lanczos', got {method!r}")
    op = LinearOperator((P, P), matvec=lambda v: flatten(dense_hvp(Ws, p, Sigma, wstar, unflatten(v, shapes))),
                        dtype=float)
    v0 = flatten(Ws)
    if not np.any(v0):
        v0 = np.ones(P)
    return float(eigsh(op, k=1, which="LA", v0=v0, tol=tol)[0][0])
