"""Closed forms of the SGD-stability analysis: the threshold alpha* and the regular-minimum limit.

Threshold (Mulayoff & Michaeli 2024, Thm 3, eq 13).  With ``C = (H (+) H)/2``
(Kronecker sum halved) and ``D = (1-p) H (x) H + p mean_i H_i (x) H_i`` (the
operators of :mod:`numeric.stability.moment_recursion`),

    alpha* = 2 / lambda_max(C^+ D) = 1 / lambda_max((H (+) H)^+ D),

the two normalizations being identical since ``(H (+) H)^+ = C^+/2``.  SGD is
mean-square stable iff ``alpha <= alpha*``.  Prop 3's necessary conditions
(:func:`necessary_bounds`) bound it above; at a regular minimum the range part of
the second moment converges to :func:`regular_limit_covariance` (Thm 5).

Algorithm (structured, never forming ``d^2 x d^2`` matrices).  In the
eigenbasis ``H = U diag(lam) U^T`` the operator ``C`` acts entrywise on
symmetric matrices, ``C(S)_ij = (lam_i + lam_j)/2 S_ij``; restricted to the
range of ``H`` (where ``D`` lives, since ``H u = 0`` forces ``H_i u = 0``), the
operator ``K = C^{-1/2} D C^{-1/2}`` is self-adjoint and positive for the
Frobenius inner product, commutes with transposition, and has the same spectrum
as ``C^+ D``.  ``lambda_max(K)`` is found by Lanczos (``scipy.sparse.linalg.eigsh``)
on ``K o Sym`` (self-adjoint on ``R^{r x r}``, zero on skew matrices), each
application costing ``O(n r^2 + r^3)``, or ``O(n r^2)`` when ``H_i = x_i x_i^T``
(``mean_i H_i S H_i = X^T diag(x_i^T S x_i) X / n``).  The maximizer,
``Sigma = C^{-1/2} S_K``, is PSD (their Sec 3.3): we return it.
:func:`dense_threshold` and :func:`spec_threshold` form the Kronecker matrices
(small ``d`` only): the references the structured route is checked against.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator, cg, eigsh

from ..validation import check_positive
from .hessians import StabilityProblem, as_problem, batch_p, normalized
from .moment_recursion import kronecker_matrices

__all__ = [
    "ThresholdResult",
    "threshold",
    "dense_threshold",
    "spec_threshold",
    "necessary_bounds",
    "regular_limit_covariance",
]


@dataclass
class ThresholdResult:
    """``threshold = alpha*``; ``eigenvalue = lambda_max(C^+ D)``; ``sigma`` the PSD maximizer."""

    threshold: float
    eigenvalue: float
    sigma: np.ndarray
    p: float
    gd_threshold: float
    rank: int
    method: str


class _RangeOperators:
    """The operators of Thm 3 on symmetric ``r x r`` matrices in the eigenbasis of ``H``'s range."""

    def __init__(self, prob: StabilityProblem, B, rank_tol=1e-10):
        self.prob = prob
        self.p = batch_p(prob.n, B)
        H = prob.mean_hessian()
        lam, U = np.linalg.eigh((H + H.T) / 2)
        keep = lam > rank_tol * max(lam.max(), 0.0) if lam.max() > 0 else np.zeros_like(lam, bool)
        self.lam_max = float(lam.max()) if lam.size else 0.0
        self.lam = lam[keep]
        self.U = U[:, keep]
        self.r = int(keep.sum())
        if prob.features is not None:
            self.Xr = prob.features @ self.U
            self.Hr = None
        else:
            self.Xr = None
            self.Hr = np.einsum("ai,nab,bj->nij", self.U, prob.hessians, self.U, optimize=True)
        self.c = (self.lam[:, None] + self.lam[None, :]) / 2
        self.c_isqrt = 1 / np.sqrt(self.c)

    def mean_sandwich(self, S):
        if self.Xr is not None:
            X = self.Xr
            q = np.einsum("ij,ij->i", X @ S, X)
            return (X.T * q) @ X / X.shape[0]
        return (self.Hr @ S @ self.Hr).mean(axis=0)

    def apply_D(self, S):
        lam = self.lam
        return (1 - self.p) * (lam[:, None] * S * lam[None, :]) + self.p * self.mean_sandwich(S)

    def apply_K(self, S):
        return self.c_isqrt * self.apply_D(self.c_isqrt * S)


def threshold(prob, B, method: str = "auto", tol: float = 1e-12, dense_max_d: int = 12) -> ThresholdResult:
    """Mean-square stability threshold ``alpha* = 2 / lambda_max(C^+ D)`` (Thm 3, eq 13).

    ``prob``: a :class:`StabilityProblem`, an ``(n, d, d)`` stack of Hessians or an
    ``(n, d)`` feature matrix (``H_i = x_i x_i^T``).  ``method``: ``"eigh"`` (dense
    eigendecomposition of ``K = C^{-1/2} D C^{-1/2}`` on the ``r(r+1)/2``-dimensional
    space of symmetric range matrices), ``"lanczos"`` (``eigsh`` on a
    ``LinearOperator``, never forming ``K``), or ``"auto"`` (eigh for ``r <= dense_max_d``).

    Returns the threshold, ``lambda_max(C^+ D)``, the PSD maximizer ``Sigma``
    (``d x d``, Frobenius norm 1), ``p``, ``gd_threshold = 2/lambda_max(H)`` and
    the rank of ``H``.  ``alpha* = inf`` (no finite threshold: SGD is stable for every
    step size) when ``H = 0``.  Computed on the problem scaled by a power of two
    (:func:`~numeric.stability.hessians.normalized`; exact), so any finite input works.
    """
    prob, scale = normalized(as_problem(prob))
    ops = _RangeOperators(prob, B)
    r = ops.r
    if r == 0:
        return ThresholdResult(float("inf"), 0.0, np.zeros((prob.d, prob.d)), ops.p, float("inf"), 0, method)
    if method == "auto":
        method = "eigh" if r <= dense_max_d else "lanczos"
    if method == "eigh":
        iu = np.triu_indices(r)
        w = np.where(iu[0] == iu[1], 1.0, np.sqrt(2.0))  # orthonormal basis of Sym(r)
        m = iu[0].size
        K = np.empty((m, m))
        for k in range(m):
            E = np.zeros((r, r))
            E[iu[0][k], iu[1][k]] = E[iu[1][k], iu[0][k]] = 1 / w[k]
            K[:, k] = ops.apply_K(E)[iu] * w
        vals, vecs = np.linalg.eigh((K + K.T) / 2)
        mu = float(vals[-1])
        S = np.zeros((r, r))
        S[iu] = vecs[:, -1] / w
        S = S + np.triu(S, 1).T
    elif method == "lanczos":
        def mv(v):
            S = v.reshape(r, r)
            S = (S + S.T) / 2
            return ops.apply_K(S).ravel()

        op = LinearOperator((r * r, r * r), matvec=mv, dtype=float)
        v0 = (np.sqrt(ops.c) * np.outer(np.ones(r), np.ones(r))).ravel()
        vals, vecs = eigsh(op, k=1, which="LA", v0=v0, tol=tol, ncv=min(r * r, 20))
        mu = float(vals[0])
        S = vecs[:, 0].reshape(r, r)
        S = (S + S.T) / 2
    else:
        raise ValueError(f"method must be 'auto', 'eigh' or 'lanczos', got {method!r}")
    Sig_r = ops.c_isqrt * S
    if np.trace(Sig_r) < 0:
        Sig_r = -Sig_r
    Sigma = ops.U @ Sig_r @ ops.U.T
    Sigma /= np.linalg.norm(Sigma)
    thr = 2.0 / mu / scale if mu > 0 else float("inf")
    return ThresholdResult(thr, mu * scale, Sigma, ops.p, 2.0 / ops.lam_max / scale, r, method)


def dense_threshold(prob, B, p=None) -> float:
    """``alpha* = 2 / lambda_max(C^+ D)`` with ``C = (H (+) H)/2`` by dense linear algebra (Thm 3).

    Forms ``d^2 x d^2`` matrices: the reference for small ``d`` only.  ``p`` overrides the weight.
    """
    A, D = kronecker_matrices(prob, B, p=p)
    C = A / 2
    ev = np.linalg.eigvals(np.linalg.pinv(C, rcond=1e-12, hermitian=True) @ D)
    lam = float(np.max(ev.real))
    return 2.0 / lam if lam > 0 else float("inf")


def spec_threshold(prob, B, p=None) -> float:
    """``alpha* = 1 / lambda_max((H (+) H)^+ D)``: Thm 3 in the spec's normalization (CLAIMS.md).

    Same quantity as :func:`dense_threshold` (``2 / lambda_max(C^+ D)``, ``C = (H (+) H)/2``)
    since ``(H (+) H)^+ = C^+ / 2``; computed independently from the un-halved Kronecker sum
    (dense, small ``d`` only) so that checks can compare the two normalizations.
    """
    A, D = kronecker_matrices(prob, B, p=p)
    lam = float(np.max(np.linalg.eigvals(np.linalg.pinv(A, hermitian=True) @ D).real))
    return 1.0 / lam if lam > 0 else float("inf")


def necessary_bounds(prob, B) -> dict:
    """Necessary conditions for stability (their Prop 3, eqs 15-16): upper bounds on ``alpha*``.

    From the Rayleigh quotient ``lambda_max(C^+ D) >= <S, D S> / <S, C S>`` at
    ``S = v v^T`` (``v`` a top eigenvector of ``H``) and at ``S = I``:

    * ``top_eigenvector``: ``alpha* <= 2 lam / ((1-p) lam^2 + p mean_i (v^T H_i v)^2)
      = (2/lam) / (1 + p Var_i(v^T H_i v) / lam^2)``  (eq 15);
    * ``trace``: ``alpha* <= 2 tr H / ((1-p) ||H||_F^2 + p mean_i ||H_i||_F^2)``  (eq 16);
    * ``gd``: ``alpha* <= 2 / lambda_max(H)`` (first-moment stability).

    All three are ``inf`` when ``H = 0`` (no finite threshold).  Computed on the problem
    scaled by a power of two (exact), so any finite input works.
    """
    prob, scale = normalized(as_problem(prob))
    p = batch_p(prob.n, B)
    H = prob.mean_hessian()
    lam, U = np.linalg.eigh(H)
    v = U[:, -1]
    lm = float(lam[-1])
    if prob.features is not None:
        X = prob.features
        q = (X @ v) ** 2
        fro2 = np.sum(X * X, axis=1) ** 2
    else:
        q = np.einsum("i,nij,j->n", v, prob.hessians, v)
        fro2 = np.einsum("nij,nij->n", prob.hessians, prob.hessians)
    if not lm > 0:
        return {"top_eigenvector": float("inf"), "trace": float("inf"), "gd": float("inf"), "p": p}
    top = 2 * lm / ((1 - p) * lm**2 + p * float(np.mean(q**2)))
    tr = 2 * float(np.trace(H)) / ((1 - p) * float(np.sum(H * H)) + p * float(np.mean(fro2)))
    return {"top_eigenvector": top / scale, "trace": tr / scale, "gd": 2 / lm / scale, "p": p}


def regular_limit_covariance(prob, grads, B, alpha) -> np.ndarray:
    """Limit of ``E[theta_R theta_R^T]`` at a regular minimum (their Thm 5, eqs 17-18).

    Dynamics ``theta <- theta - alpha (H_B theta + g_B)`` with per-sample gradients
    ``g_i`` (``mean_i g_i = 0``; shape ``(n, d)``).  The component in the range of
    ``H`` evolves autonomously; with ``E[g_B g_B^T] = p G``, ``G = mean_i g_i g_i^T``,
    its second moment converges (for ``alpha < alpha*``) to the solution of

        (H (+) H - alpha D) Sigma = alpha p P G P,          P = projector on range(H),

    solved by conjugate gradients on symmetric range matrices (``H (+) H - alpha D``
    is self-adjoint and positive definite there iff ``alpha < alpha*``).  Returns
    ``Sigma`` (``d x d``, supported on range(H)).
    """
    prob = as_problem(prob)
    g = np.asarray(grads, dtype=float)
    if g.shape != (prob.n, prob.d):
        raise ValueError(f"grads must have shape (n, d) = {(prob.n, prob.d)}, got {g.shape}")
    scale = max(float(np.abs(g).max()), 1e-300)
    if np.abs(g.mean(axis=0)).max() > 1e-9 * scale:
        raise ValueError("grads must average to zero (a minimum: mean_i g_i = 0)")
    check_positive(alpha, "alpha")
    ops = _RangeOperators(prob, B)
    r = ops.r
    Gr = ops.U.T @ (g.T @ g / prob.n) @ ops.U
    rhs = alpha * ops.p * Gr

    def mv(v):
        S = v.reshape(r, r)
        S = (S + S.T) / 2
        return (2 * ops.c * S - alpha * ops.apply_D(S)).ravel()

    op = LinearOperator((r * r, r * r), matvec=mv, dtype=float)
    sol, info = cg(op, rhs.ravel(), rtol=1e-13, atol=0.0, maxiter=20 * r * r + 100)
    if info != 0:
        raise ValueError(f"alpha = {alpha} is not below the stability threshold (CG did not converge)")
    S = sol.reshape(r, r)
    S = (S + S.T) / 2
    return ops.U @ S @ ops.U.T
