"""Bounds on the sharpness of minimizers of deep linear networks (Marion & Chizat, Thms 1-2, Cor 2).

Closed forms (derived in ``derivations/related.py`` and checked by the claims in
``checks/related/``; ``a = ||w*||``, ``u = w*/a``, ``Lambda = lambda_max(Sigma)``, unit ``p``):

* every minimizer: ``S >= 2 (w*^T Sigma w*) / min_k ||W_k||_F^2`` (:func:`layer_lower_bound`) and
  ``S >= 2 L (w*^T Sigma w*) / a^{2/L}`` (:func:`lower_bound`);
* the balanced rank-one minimizer has ``S = 2 a^{2-2/L} lambda_max((I + (L-1) u u^T) Sigma)``
  (:func:`balanced_sharpness`) ``<= 2 a^{-2/L} (Lambda a^2 + (L-1) w*^T Sigma w*)``
  (:func:`upper_bound`) ``<= 2 Lambda L a^{2-2/L}``;
* the ratio of the two: ``upper_bound / lower_bound = (Lambda/q + L - 1)/L <= kappa(Sigma)``
  with ``q = u^T Sigma u`` (:func:`gradient_flow_factor`, the factor of Cor 2 verified by
  ``sharpness-gradient-flow``);
* whitened (``Sigma = I``): minimal sharpness ``2 L a^{2-2/L}``.

:func:`lower_bound_slack` certifies how far below :func:`lower_bound` a point near (not on)
the minimizers may be.
"""
from __future__ import annotations

import numpy as np

from ..validation import check_depth, check_positive, check_vector
from .dense_network import check_dense_network, dense_hessian, dense_product

__all__ = [
    "lower_bound",
    "layer_lower_bound",
    "balanced_sharpness",
    "upper_bound",
    "gradient_flow_factor",
    "lower_bound_slack",
]


def lower_bound(Sigma, wstar, L) -> float:
    """Lower bound on the sharpness of every minimizer (unit ``p``): ``2 L (w*^T Sigma w*) / ||w*||^{2/L}``.

    Marion & Chizat, Thm 2, reconstructed.  Along ``V_k = c_k W_k / ||W_k||_F`` the quadratic form is
    ``2 w*^T Sigma w* sum_k ||W_k||_F^{-2}`` (best unit ``c``), which is at least the bound by AM-GM when
    ``prod_k ||W_k||_F = ||w*||`` (rank-one aligned minimizers, e.g. the balanced one); for other minimizers
    ``prod_k ||W_k||_F > ||w*||`` and this direction alone does not prove it: there the bound is verified by
    adversarial search over minimizers (``sharpness-minimizers``).  Attained iff ``w*`` is a top eigenvector
    of ``Sigma`` (then it equals the balanced sharpness).  Whitened: ``2 L ||w*||^{2-2/L}``.
    """
    L = check_depth(L)
    a = float(np.linalg.norm(wstar))
    return float(2 * L * (wstar @ Sigma @ wstar) / a ** (2 / L))


def layer_lower_bound(Ws, Sigma, wstar) -> float:
    """``2 (w*^T Sigma w*) / min_k ||W_k||_F^2`` (Marion & Chizat, Thm 2, first bound, reconstructed):
    sharpness of a minimizer blows up when one layer is small."""
    return float(2 * (wstar @ Sigma @ wstar) / min(float(np.sum(np.asarray(Wk) ** 2)) for Wk in Ws))


def balanced_sharpness(Sigma, wstar, L) -> float:
    """Sharpness of the balanced rank-one minimizer: ``2 a^{2-2/L} lambda_max((I + (L-1) u u^T) Sigma)``.

    At a minimizer the Hessian is ``2 J^T Sigma J`` and for the balanced rank-one
    minimizer ``J J^T = a^{2-2/L} (I + (L-1) u u^T)``.
    """
    L = check_depth(L)
    a = float(np.linalg.norm(wstar))
    u = wstar / a
    M = np.eye(u.size) + (L - 1) * np.outer(u, u)
    return float(2 * a ** (2 - 2 / L) * np.max(np.linalg.eigvals(M @ Sigma).real))


def upper_bound(Sigma, wstar, L) -> float:
    """Upper bound on the minimal sharpness: ``2 a^{-2/L} (Lambda a^2 + (L-1) w*^T Sigma w*)``
    (``>=`` :func:`balanced_sharpness`; ``<= 2 Lambda L a^{2-2/L}``)."""
    L = check_depth(L)
    a = float(np.linalg.norm(wstar))
    lam = float(np.linalg.eigvalsh(Sigma)[-1])
    return float(2 * a ** (-2 / L) * (lam * a * a + (L - 1) * (wstar @ Sigma @ wstar)))


def gradient_flow_factor(Sigma, wstar, L) -> float:
    """Derived factor of Marion & Chizat's Cor 2: ``(Lambda / q + L - 1) / L``, ``q = u^T Sigma u``.

    ``Lambda = lambda_max(Sigma)``, ``u = w*/||w*||``.  It bounds the sharpness of the
    balanced rank-one minimizer (the end point of gradient flow from small
    initialization) relative to the lower bound of every minimizer: at that point
    ``J J^T = a^{2-2/L} (I + (L-1) u u^T)``, so its sharpness
    ``2 a^{2-2/L} lambda_max(Sigma^{1/2} (I + (L-1) u u^T) Sigma^{1/2})`` is at most
    ``2 a^{2-2/L} (Lambda + (L-1) q)`` (Weyl; :func:`upper_bound`), while
    :func:`lower_bound` is ``2 L a^{2-2/L} q``; the ratio is this factor
    (derived symbolically in ``derivations.related.gradient_flow_factor``).  It is
    ``1`` iff ``w*`` is a top eigenvector of ``Sigma`` and at most
    ``(kappa + L - 1)/L <= kappa(Sigma)`` (``q >= lambda_min``).  The constant of Cor 2
    was lost in extraction: this is the reconstruction checked by the suite.
    """
    L = check_depth(L)
    wstar = np.asarray(check_vector(wstar, "wstar"), dtype=float)
    a2 = float(wstar @ wstar)
    check_positive(a2, "||wstar||^2")
    Sigma = np.asarray(Sigma, dtype=float)
    if Sigma.shape != (wstar.size, wstar.size):
        raise ValueError(f"Sigma must have shape {(wstar.size, wstar.size)}, got {Sigma.shape}")
    q = float(wstar @ Sigma @ wstar) / a2
    check_positive(q, "u^T Sigma u")
    return float((np.linalg.eigvalsh(Sigma)[-1] / q + L - 1) / L)


def lower_bound_slack(Ws, p, Sigma, wstar) -> float:
    """Relative amount by which the sharpness at a *near*-minimizer may fall below :func:`lower_bound`.

    :func:`lower_bound` holds at exact minimizers (``w = w*``).  At a point ``W`` with
    end-to-end regressor ``w`` (e.g. the end of a numerically integrated gradient flow),
    ``H(W) = 2 J^T Sigma J + E``: the Gauss-Newton part is the Hessian of the loss with
    target ``w`` (where ``W`` is an exact minimizer, so its top eigenvalue is
    ``>= lower_bound(Sigma, w, L)``) and ``E = H(W; w*) - H(W; w)`` is the residual term
    (linear in ``2 Sigma (w - w*)``).  By Weyl, ``S(W) >= lower_bound(Sigma, w, L) - ||E||_2``, so

        S(W) / lower_bound(Sigma, w*, L) >= 1 - slack,
        slack = (||E||_2 + |lower_bound(Sigma, w, L) - lower_bound(Sigma, w*, L)|) / lower_bound(Sigma, w*, L).

    Both terms vanish with ``w - w*`` (the integration error of the flow); unit ``p`` assumed.
    """
    Ws, p = check_dense_network(Ws, p)
    L = len(Ws)
    w = dense_product(Ws, p)
    E = dense_hessian(Ws, p, Sigma, wstar) - dense_hessian(Ws, p, Sigma, w)
    e = float(np.abs(np.linalg.eigvalsh(E)).max()) if E.size else 0.0
    lb = lower_bound(Sigma, wstar, L)
    return float((e + abs(lower_bound(Sigma, w, L) - lb)) / lb)
