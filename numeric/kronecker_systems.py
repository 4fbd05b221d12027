"""Symmetric Kronecker systems ``M = sum_k w_k A_k (x) A_k`` (Mulayoff & Michaeli 2024, Thm 6, eq 23).

With symmetric ``A_k`` (``d x d``) and weights ``w_k >= 0`` the matrix ``M`` (``d^2 x d^2``) is
symmetric, acts on matrices by ``S -> sum_k w_k A_k S A_k`` (row-major ``vec``), and Theorem 6
states that (1) it has a complete eigenbasis of vectorized symmetric or skew-symmetric
matrices, (2) its top eigenvalue is dominant, ``lambda_max(M) = rho(M)``, and (3) some top
eigenvector is a PSD matrix.  This module computes what a check of those statements needs:

* :func:`kronecker_pair_sum`: ``sum_k w_k (A_k (x) B_k + B_k (x) A_k)/2`` (``B_k = A_k`` gives eq 23;
  ``B_k != A_k`` and negative weights are the variants just outside the theorem);
* :func:`commutation_matrix` and :func:`symmetric_skew_eigensystem`: ``M`` restricted to the
  symmetric and to the skew-symmetric matrices (orthonormal bases), with residuals and the
  completeness of the union;
* :func:`psd_top_certificate`: a PSD top eigenvector, found as in their App C (replace the
  spectrum ``s`` of a symmetric top eigenvector by ``|s|``), with its Rayleigh quotient;
* :func:`psd_generalized_rayleigh`: ``max <S, N S> / <S, D S>`` over PSD ``S = V V^T`` of a given
  rank (Burer-Monteiro factorization, BFGS with analytic gradients, several starts): the
  PSD-constrained problem of their eq 11/22 (rank one: their eq 25), without eigen-decomposition.

Dense ``d^2 x d^2`` matrices: small ``d`` only (the checks use ``d <= 4``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import minimize

from .validation import check_int, check_positive

__all__ = ["kronecker_pair_sum", "kronecker_square_sum", "commutation_matrix", "symmetric_skew_bases",
           "SymmetricSkewEigensystem", "symmetric_skew_eigensystem", "psd_top_certificate",
           "psd_generalized_rayleigh"]


def _stack(matrices, name):
    A = np.asarray(matrices, dtype=float)
    if A.ndim == 2:
        A = A[None]
    if A.ndim != 3 or A.shape[1] != A.shape[2] or A.shape[0] < 1 or A.shape[1] < 1:
        raise ValueError(f"{name} must be a stack of square matrices, shape (m, d, d), got {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError(f"{name} must be finite")
    return A


def kronecker_pair_sum(left, right=None, weights=None) -> np.ndarray:
    """``sum_k w_k (A_k (x) B_k + B_k (x) A_k) / 2`` as a dense ``d^2 x d^2`` matrix.

    ``left``: ``(m, d, d)`` matrices ``A_k``; ``right``: ``B_k`` (default ``A_k``, which gives
    their eq 23 ``sum_k w_k A_k (x) A_k``); ``weights``: ``w_k`` (default 1; any real, the
    theorem needs ``w_k >= 0``).  ``vec`` is row-major: ``M vec(S) = vec(sum_k w_k A_k S B_k^T)``
    for ``B_k = A_k``.
    """
    A = _stack(left, "left")
    B = A if right is None else _stack(right, "right")
    if B.shape != A.shape:
        raise ValueError(f"right must have the shape of left {A.shape}, got {B.shape}")
    w = np.ones(A.shape[0]) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if w.shape[0] != A.shape[0] or not np.all(np.isfinite(w)):
        raise ValueError(f"weights must be {A.shape[0]} finite numbers, got {w!r}")
    d = A.shape[1]
    M = np.einsum("k,kij,kab->iajb", w, A, B).reshape(d * d, d * d)
    if right is not None:
        M = (M + np.einsum("k,kij,kab->iajb", w, B, A).reshape(d * d, d * d)) / 2
    return M


def kronecker_square_sum(matrices, weights=None) -> np.ndarray:
    """``M = sum_k w_k A_k (x) A_k`` (their eq 23); see :func:`kronecker_pair_sum`."""
    return kronecker_pair_sum(matrices, None, weights)


def commutation_matrix(d) -> np.ndarray:
    """The ``d^2 x d^2`` permutation ``K`` with ``K vec(S) = vec(S^T)`` (row-major ``vec``; read-only, cached)."""
    return _commutation_matrix(check_int(d, "d", minimum=1))


@lru_cache(maxsize=16)
def _commutation_matrix(d):
    K = np.zeros((d * d, d * d))
    i, j = np.meshgrid(np.arange(d), np.arange(d), indexing="ij")
    K[(i * d + j).ravel(), (j * d + i).ravel()] = 1.0
    K.flags.writeable = False
    return K


def symmetric_skew_bases(d):
    """Orthonormal bases (columns) of ``vec`` of symmetric and of skew-symmetric ``d x d`` matrices (read-only, cached)."""
    return _symmetric_skew_bases(check_int(d, "d", minimum=1))


@lru_cache(maxsize=16)
def _symmetric_skew_bases(d):
    sym, skew = [], []
    for i in range(d):
        for j in range(i, d):
            E = np.zeros((d, d))
            if i == j:
                E[i, i] = 1.0
                sym.append(E.ravel())
                continue
            E[i, j] = E[j, i] = 1 / np.sqrt(2)
            sym.append(E.ravel())
            F = np.zeros((d, d))
            F[i, j], F[j, i] = 1 / np.sqrt(2), -1 / np.sqrt(2)
            skew.append(F.ravel())
    bases = np.array(sym).T, (np.array(skew).T if skew else np.zeros((d * d, 0)))
    for basis in bases:
        basis.flags.writeable = False
    return bases


@dataclass
class SymmetricSkewEigensystem:
    """``M`` diagonalized separately on symmetric and on skew-symmetric matrices (Thm 6, statement 1).

    ``sym_values``/``sym_vectors`` and ``skew_values``/``skew_vectors``: eigenpairs (vectors as
    columns of ``vec``); ``commutator``: ``||K M - M K|| / ||M||``; ``residual``: the largest
    ``||M v - lambda v|| / rho(M)`` over all returned pairs; ``completeness``: the smallest singular
    value of the union of the vectors (1 for an orthonormal basis of ``R^{d^2}``).
    """

    sym_values: np.ndarray
    sym_vectors: np.ndarray
    skew_values: np.ndarray
    skew_vectors: np.ndarray
    commutator: float
    residual: float
    completeness: float


def symmetric_skew_eigensystem(M, d) -> SymmetricSkewEigensystem:
    """Eigenpairs of the symmetric matrix ``M`` inside ``vec(Sym)`` and inside ``vec(Skew)``.

    ``M`` commutes with :func:`commutation_matrix` ``K`` iff it maps symmetric to symmetric and
    skew to skew matrices; then the restrictions' eigenvectors, together, are eigenvectors of
    ``M`` and form a complete orthonormal basis.  The residual and completeness returned measure
    whether that happened (they are not assumed).
    """
    M = np.asarray(M, dtype=float)
    d = check_int(d, "d", minimum=1)
    if M.shape != (d * d, d * d) or not np.all(np.isfinite(M)):
        raise ValueError(f"M must be a finite ({d * d}, {d * d}) matrix, got shape {M.shape}")
    K = commutation_matrix(d)
    scale = max(float(np.abs(M).max()), 1e-300)
    commutator = float(np.abs(K @ M - M @ K).max() / scale)
    Bs, Bk = symmetric_skew_bases(d)
    values, vectors = [], []
    for basis in (Bs, Bk):
        if basis.shape[1] == 0:
            values.append(np.zeros(0))
            vectors.append(np.zeros((d * d, 0)))
            continue
        restricted = basis.T @ M @ basis
        w, U = np.linalg.eigh((restricted + restricted.T) / 2)
        values.append(w)
        vectors.append(basis @ U)
    allv = np.hstack(vectors)
    alll = np.concatenate(values)
    rho = max(float(np.abs(alll).max()), 1e-300)
    residual = float(np.abs(M @ allv - allv * alll).max() / rho)
    completeness = float(np.linalg.svd(allv, compute_uv=False).min())
    return SymmetricSkewEigensystem(values[0], vectors[0], values[1], vectors[1], commutator, residual, completeness)


def psd_top_certificate(M, d, rtol: float = 1e-9, system: SymmetricSkewEigensystem | None = None) -> dict:
    """A PSD top eigenvector of ``M`` (Thm 6, statements 2-3), found as in their App C.

    Takes every symmetric eigenvector of the top symmetric eigenvalue (within ``rtol rho``),
    replaces its spectrum ``s`` by ``|s|`` and keeps the best Rayleigh quotient.  Returns
    ``lambda_max``, ``lambda_min``, ``rho``, ``multiplicity`` (of ``lambda_max``),
    ``top_is_symmetric`` (the top symmetric eigenvalue equals ``lambda_max``), ``rayleigh``
    (of the certificate), ``psd_gap = (lambda_max - rayleigh)/rho`` (``<= rtol`` means the
    certificate is a top eigenvector), ``residual`` ``||M S - lambda_max S||/rho`` and the
    certificate ``S`` itself (PSD, Frobenius norm 1).  ``system``: :func:`symmetric_skew_eigensystem`
    of ``M`` if already computed.
    """
    system = symmetric_skew_eigensystem(M, d) if system is None else system
    M = np.asarray(M, dtype=float)
    spectrum = np.linalg.eigvalsh((M + M.T) / 2)
    lam_max, lam_min = float(spectrum[-1]), float(spectrum[0])
    rho = max(abs(lam_max), abs(lam_min), 1e-300)
    top_sym = float(system.sym_values[-1])
    candidates = system.sym_vectors[:, system.sym_values >= top_sym - rtol * rho]
    best, best_S = -np.inf, None
    for v in candidates.T:
        s, Q = np.linalg.eigh(v.reshape(d, d))
        S = (Q * np.abs(s)) @ Q.T
        S /= np.linalg.norm(S)
        rq = float(S.ravel() @ M @ S.ravel())
        if rq > best:
            best, best_S = rq, S
    residual = float(np.linalg.norm(M @ best_S.ravel() - lam_max * best_S.ravel()) / rho)
    return {"lambda_max": lam_max, "lambda_min": lam_min, "rho": rho,
            "multiplicity": int(np.sum(spectrum >= lam_max - rtol * rho)),
            "top_is_symmetric": bool(top_sym >= lam_max - rtol * rho),
            "dominance_margin": (lam_max + lam_min) / rho,
            "rayleigh": best, "psd_gap": (lam_max - best) / rho, "residual": residual,
            "certificate": best_S}


def psd_generalized_rayleigh(apply_numerator, apply_denominator, d, starts, gtol: float = 1e-10):
    """``max <S, N(S)> / <S, D(S)>`` over PSD ``S = V V^T != 0`` (Burer-Monteiro, BFGS).

    ``apply_numerator``/``apply_denominator``: self-adjoint linear maps on symmetric ``d x d``
    matrices (``S -> N(S)``), ``D`` positive on the PSD matrices considered; ``starts``: initial
    factors ``V``; the best local maximum over the starts is returned as
    ``(value, S)`` with ``||S||_F = 1``.  Gradient: ``d<S, Q S>/dV = 4 Q(S) V``.  A local
    search: the value is a lower bound of the maximum (equal to it when some start lies in
    its basin; the checks compare it with an independent upper bound).  BFGS (NumPy) rather than
    L-BFGS-B: the Fortran routine is ~60x slower on a loaded machine with threaded OpenBLAS.
    """
    d = check_int(d, "d", minimum=1)
    check_positive(gtol, "gtol")

    def negative_ratio(x):
        V = x.reshape(d, -1)
        S = V @ V.T
        NS, DS = apply_numerator(S), apply_denominator(S)
        num, den = float(np.sum(S * NS)), float(np.sum(S * DS))
        if den <= 0:
            return 0.0, np.zeros_like(x)
        grad = 4 * (NS @ V) / den - 4 * num * (DS @ V) / den**2
        return -num / den, -grad.ravel()

    best, best_S = -np.inf, None
    for V0 in starts:
        V0 = np.asarray(V0, dtype=float).reshape(d, -1)
        result = minimize(negative_ratio, V0.ravel(), jac=True, method="BFGS", options={"gtol": gtol, "maxiter": 2000})
        if -result.fun > best:
            V = result.x.reshape(d, -1)
            best, best_S = -float(result.fun), V @ V.T
    if best_S is None:
        raise ValueError("starts must contain at least one d x d factor")
    return best, best_S / np.linalg.norm(best_S)
