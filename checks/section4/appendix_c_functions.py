"""The Appendix C derivations as NumPy functions (``sympy.lambdify``, cached), for ``lemma-C.1``, ``lemma-C.2``
and ``theorem-4.2-rate``.

* :func:`closed_form_hessian` -- :func:`derivations.dynamics.hessian.hessian_closed_form` on a batch of
  one-coordinate points: a fast objective for the adversarial search (the worst points it finds are
  re-evaluated with :func:`numeric.model.hessian_marginalized_loss`);
* :func:`balanced_ratio` -- ``||Hess L_R|| eta^2 / L_R`` on balanced points from the two closed-form
  eigenvalues of :func:`derivations.appendix_c.balanced_ratio_expressions`;
* :func:`evaluate_lemma_c2_left_side` -- the left sides of Lemma C.2 per coordinate, every subset at once
  (the masked form :func:`derivations.appendix_c.lemma_c2_masked_left_side`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from derivations.appendix_c import balanced_ratio_expressions, lemma_c2_masked_left_side
from derivations.dynamics.hessian import hessian_closed_form
from derivations.marginalized import coordinate_symbols

__all__ = ["closed_form_hessian", "balanced_ratio", "evaluate_lemma_c2_left_side"]


@lru_cache(maxsize=None)
def _hessian_entries(L: int):
    s = coordinate_symbols(L)
    H = hessian_closed_form(L)
    entries = [H[a, b] for a in range(L) for b in range(a, L)]
    return sp.lambdify([*s.w, s.wstar, s.eta], entries, modules="numpy")


def closed_form_hessian(W, wstar, eta):
    """Per-coordinate Hessian blocks of ``L_R`` (N, L, L) at ``W`` (L, N), targets ``wstar`` (N,) (the derivation)."""
    L, N = W.shape
    values = _hessian_entries(L)(*W, wstar, eta)
    H = np.empty((N, L, L))
    k = 0
    for a in range(L):
        for b in range(a, L):
            H[:, a, b] = H[:, b, a] = values[k]
            k += 1
    return H


@lru_cache(maxsize=None)
def _balanced_ratio_pair(L: int):
    (ones, orthogonal), (t, wstar) = balanced_ratio_expressions(L)
    return sp.lambdify([t, wstar], [ones, orthogonal], modules="numpy")


def balanced_ratio(points, L):
    """``||Hess L_R|| eta^2 / L_R`` on balanced points, rows ``(t, w*)`` (``eta = 1``; ``t`` enters as ``|t|``)."""
    points = np.asarray(points, dtype=float)
    ones, orthogonal = _balanced_ratio_pair(L)(np.abs(points[:, 0]), points[:, 1])
    return np.maximum(np.abs(ones), np.abs(orthogonal))


@lru_cache(maxsize=None)
def _masked_left_side(L: int, kind: str):
    s = coordinate_symbols(L)
    expr, masks = lemma_c2_masked_left_side(L, kind)
    return sp.lambdify([*s.w, s.eta, *masks], expr, modules="numpy")


def evaluate_lemma_c2_left_side(W, eta, subsets, kind):
    """Lemma C.2's left side per coordinate for weights ``W`` (N, L, d) and every subset in ``subsets``.

    Returns shape ``(len(subsets), N, d)``; subsets are tuples of 0-based layers.
    """
    L = W.shape[-2]
    masks = np.array([[1.0 if l in S else 0.0 for l in range(L)] for S in subsets])[:, :, None, None]
    out = _masked_left_side(L, kind)(*[W[None, :, l, :] for l in range(L)], eta, *[masks[:, l] for l in range(L)])
    return np.broadcast_to(out, (len(subsets),) + W[:, 0, :].shape).astype(float)
