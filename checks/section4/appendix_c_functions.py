"""The Appendix C derivations as NumPy functions (``sympy.lambdify``, cached), for ``lemma-C.1``, ``lemma-C.2``
and ``theorem-4.2-rate``.

* :func:`closed_form_hessian` -- :func:`derivations.dynamics.hessian.hessian_closed_form` on a batch of
  one-coordinate points: a fast objective for the adversarial search (the worst points it finds are
  re-evaluated with :func:`numeric.model.hessian_marginalized_loss`);
* :func:`balanced_ratio` -- ``||Hess L_R|| eta^2 / L_R`` on balanced points from the two closed-form
  eigenvalues of :func:`derivations.appendix_c.balanced_ratio_expressions`;
* :func:`lemma_c2_left_side_function` -- the left sides of Lemma C.2 per coordinate.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from derivations.appendix_c import balanced_ratio_expressions, lemma_c2_left_side
from derivations.dynamics.hessian import hessian_closed_form
from derivations.marginalized import coordinate_symbols

__all__ = ["closed_form_hessian", "balanced_ratio", "lemma_c2_left_side_function", "evaluate_lemma_c2_left_side"]


@lru_cache(maxsize=None)
def _hessian_entries(L: int):
    s = coordinate_symbols(L)
    H = hessian_closed_form(L)
    entries = [H[a, b] for a in range(L) for b in range(a, L)]
    return sp.lambdify([*s.w, s.wstar, s.eta], entries, modules="numpy")


def closed_form_hessian(W, wstar, eta):
    """Per-coordinate Hessian blocks of ``L_R`` (N, L, L) at ``W`` (L, N), targets ``wstar`` (N,), from the derivation."""
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
def lemma_c2_left_side_function(L: int, S: tuple, kind: str, factor=1, eta_exponent_shift: int = 0):
    """Lemma C.2's left side for layers ``S`` as a function of ``(w_1..w_L, eta)`` (one coordinate).

    ``factor`` and ``eta_exponent_shift`` (added to the exponent of ``eta``) build the negative controls.
    """
    s = coordinate_symbols(L)
    expr = lemma_c2_left_side(L, S, kind, factor) * s.eta ** eta_exponent_shift
    return sp.lambdify([*s.w, s.eta], expr, modules="numpy")


def evaluate_lemma_c2_left_side(W, eta, S, kind, factor=1, eta_exponent_shift=0):
    """The left side per coordinate for weights ``W`` (..., L, d): shape (..., d)."""
    L = W.shape[-2]
    f = lemma_c2_left_side_function(L, tuple(S), kind, factor, eta_exponent_shift)
    out = f(*[W[..., l, :] for l in range(L)], eta)
    return np.broadcast_to(out, W[..., 0, :].shape).astype(float)
