"""Conserved quantities of the gradient flow and the structure they force (Marion & Chizat, Lemmas 1-2).

Lemma 1 (Arora, Cohen & Hazan 2018): along eq 4, ``A_k = W_{k+1}^T W_{k+1} - W_k W_k^T`` is constant for
``k = 1..L-1``.  :func:`balancedness` computes the ``A_k``; :func:`wrong_balancedness` the variants a careless
reading gives (transposes moved, a coefficient off), which are *not* conserved (negative controls).

Lemma 2 (reconstructed, see ``checks/marion_chizat/mc_lemma_2.py``) bounds, for a network whose last layer is a
row (``m_L = 1``), with ``sigma_k``, ``u_k``, ``v_k`` the top singular value and vectors of ``W_k``:

* rank-one defect ``r_k = ||W_k||_F^2 - sigma_k^2 <= sum_{j=k}^{L-1} (||A_j||_2 - tr A_j)``;
* spread ``|sigma_k^2 - sigma_{k'}^2| <= sum_{j=min}^{max-1} ||A_j||_2``;
* alignment ``1 - <v_{k+1}, u_k>^2 <= (2 ||A_k||_2 + sum_{j=k+1}^{L-1} (||A_j||_2 - tr A_j)) / sigma_{k+1}^2``;

and each right-hand side is at most ``L eps`` (``L eps / sigma_{k+1}^2``) with
``eps = max_k (||A_k||_2 + |tr A_k|)``.  :func:`structure` computes both sides at one network.
"""
from __future__ import annotations

import numpy as np

from ..sharpness.dense_network import check_dense_network

__all__ = ["balancedness", "wrong_balancedness", "WRONG_INVARIANTS", "balancedness_epsilon", "structure"]

#: variants of the invariant that are not conserved: name -> description
WRONG_INVARIANTS = {
    "no transposes": "W_{k+1} W_{k+1}^T - W_k^T W_k",
    "transposes swapped on one side": "W_{k+1}^T W_{k+1} - W_k^T W_k",
    "coefficient 1.05": "W_{k+1}^T W_{k+1} - 1.05 W_k W_k^T",
}


def balancedness(Ws) -> list:
    """``[A_1, ..., A_{L-1}]``, ``A_k = W_{k+1}^T W_{k+1} - W_k W_k^T`` (Marion & Chizat, Lemma 1)."""
    Ws, _ = check_dense_network(Ws, np.zeros(np.shape(Ws[-1])[0]))
    return [Ws[k + 1].T @ Ws[k + 1] - Ws[k] @ Ws[k].T for k in range(len(Ws) - 1)]


def wrong_balancedness(Ws, variant: str, coefficient: float = 1.05) -> list:
    """A variant of :func:`balancedness` from :data:`WRONG_INVARIANTS` (only where the shapes match: square
    hidden layers of the input dimension); ``coefficient`` sets the scaled variant."""
    Ws, _ = check_dense_network(Ws, np.zeros(np.shape(Ws[-1])[0]))
    if variant not in WRONG_INVARIANTS:
        raise ValueError(f"variant must be one of {sorted(WRONG_INVARIANTS)}, got {variant!r}")
    out = []
    for k in range(len(Ws) - 1):
        a, b = Ws[k + 1], Ws[k]
        if variant == "no transposes":
            left, right = a @ a.T, b.T @ b
        elif variant == "transposes swapped on one side":
            left, right = a.T @ a, b.T @ b
        else:
            left, right = a.T @ a, coefficient * (b @ b.T)
        if left.shape != right.shape:
            continue
        out.append(left - right)
    if not out:
        raise ValueError(f"variant {variant!r} needs layers whose shapes match (square hidden layers)")
    return out


def balancedness_epsilon(Ws) -> float:
    """``eps = max_k (||A_k||_2 + |tr A_k|)`` (the scale of Lemma 2, reconstructed; ``<= 4 max_k ||W_k||_F^2``)."""
    return float(max(np.linalg.norm(A, 2) + abs(np.trace(A)) for A in balancedness(Ws)))


def structure(Ws) -> dict:
    """Both sides of the three bounds of Lemma 2 at one network (last layer a row).

    Returns arrays (0-based layers): ``sigma`` (top singular values), ``second`` (second singular values
    squared), ``defect`` ``r_k``, ``defect_bound``, ``alignment`` ``<v_{k+1}, u_k>^2`` and ``alignment_bound``
    (the bound on ``1 - <v_{k+1}, u_k>^2``), ``spread`` and ``spread_bound`` (``L x L``), ``op_norms``,
    ``traces`` of the ``A_k`` and ``eps``.
    """
    Ws, _ = check_dense_network(Ws, np.zeros(np.shape(Ws[-1])[0]))
    if Ws[-1].shape[0] != 1:
        raise ValueError(f"structure: the last layer must be a row (m_L = 1), got shape {Ws[-1].shape}")
    L = len(Ws)
    A = balancedness(Ws)
    op_norms = np.array([np.linalg.norm(a, 2) for a in A])
    traces = np.array([np.trace(a) for a in A])
    svds = [np.linalg.svd(W) for W in Ws]
    sigma = np.array([s[1][0] for s in svds])
    second = np.array([s[1][1] ** 2 if s[1].size > 1 else 0.0 for s in svds])
    defect = np.array([max(float(np.sum(W * W)) - s ** 2, 0.0) for W, s in zip(Ws, sigma)])
    increments = op_norms - traces
    defect_bound = np.array([float(np.sum(increments[k:])) for k in range(L)])
    alignment = np.array([float(svds[k + 1][2][0] @ svds[k][0][:, 0]) ** 2 for k in range(L - 1)])
    alignment_bound = np.array([(2 * op_norms[k] + defect_bound[k + 1]) / sigma[k + 1] ** 2 for k in range(L - 1)])
    cumulative = np.concatenate([[0.0], np.cumsum(op_norms)])
    index = np.arange(L)
    lo, hi = np.minimum.outer(index, index), np.maximum.outer(index, index)
    spread_bound = cumulative[hi] - cumulative[lo]
    spread = np.abs(np.subtract.outer(sigma ** 2, sigma ** 2))
    eps = float(np.max(op_norms + np.abs(traces))) if L > 1 else 0.0
    return {"sigma": sigma, "second": second, "defect": defect, "defect_bound": defect_bound,
            "alignment": alignment, "alignment_bound": alignment_bound, "spread": spread,
            "spread_bound": spread_bound, "op_norms": op_norms, "traces": traces, "eps": eps}
