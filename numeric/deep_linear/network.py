"""Dense and residual deep linear networks for univariate regression (Marion & Chizat, seed ``003``, eqs 3-6).

``f(x) = p^T W_L ... W_1 x`` with ``W_1`` of shape ``(m_1, d)``, ``W_k`` of shape ``(m_k, m_{k-1})`` and a fixed
vector ``p`` of length ``m_L`` (fully connected: ``m_L = 1``, ``p = [1]``; residual: square ``W_k`` close to the
identity and a fixed unit ``p``).  Risk without a factor 1/2, only ``(Sigma, w*)`` enter:

    R(W) - R_min = (w - w*)^T Sigma (w - w*),    w = W_1^T ... W_L^T p                     (eqs 3, 6)
    grad_{W_k} R = l_k h_k^T,   l_k = W_{k+1}^T ... W_L^T p,   h_k = W_{k-1} ... W_1 g,   g = 2 Sigma (w - w*)   (eq 5)

The gradient is the rank-one product of a backward vector and a forward vector, which is what Lemma 1 and
Theorem 3 exploit.  This module adds to :mod:`numeric.sharpness.dense_network` (product, loss, exact Hessian
and sharpness, reused as is) the pieces the dynamics need: a validated problem, a vectorized gradient over a
batch of networks (``(B, m_k, m_{k-1})`` layers), flat-vector helpers and the two initializations of the paper.
"""
from __future__ import annotations

import numpy as np

from ..sharpness.dense_network import check_dense_network
from ..validation import check_int, check_positive, check_seed

__all__ = [
    "check_problem",
    "layer_shapes",
    "batched_gradient",
    "batched_excess_risk",
    "excess_risk_and_gradient",
    "flatten_batch",
    "unflatten_batch",
    "small_initialization",
    "residual_initialization",
    "covariance_with_spectrum",
]


def check_problem(Ws, p, Sigma, wstar):
    """Validated ``(Ws, p, Sigma, w*)``: chained layer shapes, ``p`` of length ``m_L``, ``Sigma`` symmetric PSD
    ``(d, d)``, ``w*`` of length ``d``; a ``ValueError`` naming the argument otherwise."""
    Ws, p = check_dense_network(Ws, p)
    d = Ws[0].shape[1]
    Sigma = np.asarray(Sigma, dtype=float)
    wstar = np.asarray(wstar, dtype=float)
    if Sigma.shape != (d, d):
        raise ValueError(f"Sigma must have shape {(d, d)} (the input dimension of W_1), got {Sigma.shape}")
    if not np.all(np.isfinite(Sigma)) or not np.allclose(Sigma, Sigma.T, atol=1e-12 * (1 + np.abs(Sigma).max())):
        raise ValueError("Sigma must be a finite symmetric matrix")
    if np.linalg.eigvalsh(Sigma)[0] < -1e-12 * (1 + np.abs(Sigma).max()):
        raise ValueError("Sigma must be positive semi-definite")
    if wstar.shape != (d,) or not np.all(np.isfinite(wstar)):
        raise ValueError(f"wstar must be a finite vector of length {d}, got shape {wstar.shape}")
    return Ws, p, Sigma, wstar


def layer_shapes(d, widths) -> list:
    """Shapes ``[(m_1, d), (m_2, m_1), ...]`` of the layers for input dimension ``d`` and ``widths = (m_1..m_L)``."""
    d = check_int(d, "d", minimum=1)
    if len(widths) < 1:
        raise ValueError("widths: need at least one layer")
    shapes, previous = [], d
    for m in widths:
        m = check_int(int(m), "width", minimum=1)
        shapes.append((m, previous))
        previous = m
    return shapes


def batched_gradient(Ws, p, Sigma, wstar):
    """``(grads, w)`` for a batch: ``Ws[k]`` of shape ``(B, m_k, m_{k-1})``; ``grads[k] = l_k h_k^T`` (eq 5).

    Backward sweep ``l_{k-1} = W_k^T l_k`` from ``l_L = p``, then ``w = W_1^T l_1``, ``g = 2 Sigma (w - w*)``
    (eq 6) and the forward sweep ``h_{k+1} = W_k h_k`` from ``h_1 = g``: ``O(L m^2)`` per network, no validation
    (the public callers validate once).
    """
    L = len(Ws)
    B = Ws[0].shape[0]
    ls = [None] * L
    ls[L - 1] = np.broadcast_to(p, (B, p.shape[-1]))
    for k in range(L - 1, 0, -1):
        ls[k - 1] = np.einsum("bij,bi->bj", Ws[k], ls[k])
    w = np.einsum("bij,bi->bj", Ws[0], ls[0])
    h = 2.0 * (w - wstar) @ Sigma
    grads = []
    for k in range(L):
        grads.append(ls[k][:, :, None] * h[:, None, :])
        h = np.einsum("bij,bj->bi", Ws[k], h)
    return grads, w


def batched_excess_risk(w, Sigma, wstar) -> np.ndarray:
    """``(w_b - w*)^T Sigma (w_b - w*)`` for each row ``w_b`` of ``w`` (shape ``(B, d)``)."""
    r = w - wstar
    return np.einsum("bi,ij,bj->b", r, Sigma, r)


def excess_risk_and_gradient(Ws, p, Sigma, wstar):
    """``(R - R_min, [grad_{W_k} R])`` at one network (validated; Marion & Chizat, eqs 5-6)."""
    Ws, p, Sigma, wstar = check_problem(Ws, p, Sigma, wstar)
    grads, w = batched_gradient([W[None] for W in Ws], p, Sigma, wstar)
    return float(batched_excess_risk(w, Sigma, wstar)[0]), [g[0] for g in grads]


def flatten_batch(Ws) -> np.ndarray:
    """``(B, P)``: the layers of each network of the batch, row-major, concatenated."""
    return np.concatenate([W.reshape(W.shape[0], -1) for W in Ws], axis=1)


def unflatten_batch(theta, shapes) -> list:
    """Inverse of :func:`flatten_batch`: ``theta`` of shape ``(B, P)`` (views, no copies)."""
    out, i = [], 0
    B = theta.shape[0]
    for m, n in shapes:
        out.append(theta[:, i:i + m * n].reshape(B, m, n))
        i += m * n
    if i != theta.shape[1]:
        raise ValueError(f"theta has {theta.shape[1]} entries per network, the shapes need {i}")
    return out


def small_initialization(d, widths, scale, seed, zero_layer=None) -> list:
    """Layers with i.i.d. ``N(0, scale^2)`` entries (Marion & Chizat, Sec 4); layer ``zero_layer`` (1-based) set
    to zero, the example they give of Assumption (A1)."""
    check_positive(scale, "scale")
    rng = np.random.default_rng(check_seed(seed))
    Ws = [scale * rng.standard_normal(shape) for shape in layer_shapes(d, widths)]
    if zero_layer is not None:
        k = check_int(zero_layer, "zero_layer", minimum=1, maximum=len(Ws))
        Ws[k - 1] = np.zeros_like(Ws[k - 1])
    return Ws


def residual_initialization(L, d, scale, seed) -> tuple:
    """``(Ws, p)``: ``W_k = I + scale / sqrt(L d) N_k``, ``N_k`` i.i.d. standard Gaussian ``d x d`` (Marion & Chizat,
    eq 2), and a uniformly random unit projection ``p`` (their experiments)."""
    L = check_int(L, "depth", minimum=1)
    d = check_int(d, "d", minimum=1)
    check_positive(scale, "scale", allow_zero=True)
    rng = np.random.default_rng(check_seed(seed))
    Ws = [np.eye(d) + scale / np.sqrt(L * d) * rng.standard_normal((d, d)) for _ in range(L)]
    p = rng.standard_normal(d)
    return Ws, p / np.linalg.norm(p)


def covariance_with_spectrum(eigenvalues, seed) -> np.ndarray:
    """``Q diag(eigenvalues) Q^T`` with a Haar-random orthogonal ``Q`` (eigenvalues ``> 0``)."""
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.ndim != 1 or lam.size < 1 or np.any(~np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError("eigenvalues must be a non-empty vector of finite numbers > 0")
    rng = np.random.default_rng(check_seed(seed))
    Q, R = np.linalg.qr(rng.standard_normal((lam.size, lam.size)))
    Q = Q * np.sign(np.diag(R))
    return (Q * lam) @ Q.T
