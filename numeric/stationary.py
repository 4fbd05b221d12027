"""S-SAM with a constant step near a minimum of ``L_R``: the stationary spread (beyond the paper, Section 5).

Linearize S-SAM (eq 6) at a critical point ``W°`` of ``L_R``: with ``delta = W - W°`` (flattened layer-major,
index ``(l, h) -> l d + h``), one step is

    delta' = delta - alpha g(W° + delta) ~= delta - alpha (g0 + J delta),

where ``g0 = grad L~(W° + G)`` is the noisy gradient of Lemma 2.1 at the critical point and ``J`` the Hessian
of the one-sample loss ``(Y_i - <pi(W° + G), X_i>)^2`` at the perturbed weights; ``E[g0] = grad L_R(W°) = 0``
and ``E[J] = H = Hess L_R(W°)`` (Lemma 2.2).  Two predictions of the stationary second moment
``S = E[delta delta^T]``:

* **plain** (the outlook's discrete Lyapunov equation): ``S = A S A^T + alpha^2 Q`` with ``A = I - alpha H``
  and ``Q = Cov[g0]``;
* **mean-square** (multiplicative noise kept): ``S = E[(I - alpha J) S (I - alpha J)^T] + alpha^2 Q``, i.e.
  ``vec S = alpha (H (+) H - alpha E[J (x) J])^{-1} vec Q``.  The plain equation replaces ``E[J (x) J]`` by
  ``H (x) H``; both agree to first order, ``S = alpha S_1 + O(alpha^2)`` with ``H S_1 + S_1 H = Q``.

The moments ``Q``, ``H`` and ``E[J (x) J]`` are computed **exactly** (to rounding): the data average is a
finite sum over the samples, and the Gaussian expectation over ``G`` is Gauss-Hermite quadrature with 3
nodes per weight, exact for polynomials of degree <= 5 in each weight; ``g (x) g`` and ``J (x) J`` have degree
<= 4 in each weight (each weight enters ``r`` and ``prod_{k != l} W~_k`` at most once).  The cost is
``3^(L d)`` nodes: refused above ``L d = 8``.  The per-coordinate Gaussian-moment derivation of the same
quantities is :mod:`derivations.stationary`.

Simulation: :func:`stationary_deviations` runs ``runs`` independent S-SAM chains from ``W°``
(:func:`numeric.dynamics.stochastic_descent`, vectorized over runs) for a burn-in fixed in advance by
:func:`burn_in_steps` and returns one deviation per run.
"""
from __future__ import annotations

import math

import numpy as np

from .data import check_whitened
from .dynamics import stochastic_descent
from .model import products_excluding
from .quadrature import gauss_hermite_grid
from .validation import check_eta, check_int, check_positive, check_vector, check_weights

__all__ = [
    "MAX_QUADRATURE_WEIGHTS",
    "NoiseMoments",
    "noise_moments",
    "stationary_second_moment",
    "mean_square_stability_threshold",
    "burn_in_steps",
    "stationary_deviations",
    "whitened_second_moments",
]

#: Largest ``L d`` for which the exact quadrature (``3^(L d)`` nodes) is attempted.
MAX_QUADRATURE_WEIGHTS = 8


class NoiseMoments:
    """Exact moments of S-SAM's noisy gradient at ``W``: ``mean`` (``E g0``), ``Q`` (``Cov g0``),
    ``H`` (``E J``) and ``JJ`` (``E[J (x) J]``, as a ``(Ld)^2 x (Ld)^2`` matrix acting on row-major ``vec S``)."""

    def __init__(self, mean, Q, H, JJ, nodes):
        self.mean, self.Q, self.H, self.JJ, self.nodes = mean, Q, H, JJ, nodes

    def scaled(self, factor):
        """The same moments with ``Q`` multiplied by ``factor`` (negative controls: a wrong noise covariance)."""
        return NoiseMoments(self.mean, self.Q * factor, self.H, self.JJ, self.nodes)


def _checked_problem(W, X, Y, eta):
    W = np.asarray(check_weights(W, "W"), dtype=float)
    X = check_whitened(X)
    Y = np.asarray(check_vector(Y, "Y", length=X.shape[0]), dtype=float)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have {W.shape[1]} columns (the width of W), got {X.shape[1]}")
    eta = float(check_eta(eta))
    L, d = W.shape
    if L * d > MAX_QUADRATURE_WEIGHTS:
        raise ValueError(f"W must have depth * width <= {MAX_QUADRATURE_WEIGHTS} for the exact quadrature "
                         f"(3^(L d) nodes), got {L} * {d} = {L * d}")
    return W, X, Y, eta


def _perturbed_weights(W, eta):
    """Gauss-Hermite tensor grid: perturbed weights ``W + eta z`` of shape (N, L, d) and weights (N,)."""
    L, d = W.shape
    nodes, weights = gauss_hermite_grid(L * d, 3)
    return W[None] + eta * nodes.reshape(-1, L, d), weights


def _pair_products(Wt):
    """``out[N, l, m, h] = prod_{k not in {l, m}} Wt[N, k, h]`` (the value on ``l = m`` is not used)."""
    L = Wt.shape[1]
    k = np.arange(L)
    excluded = (k[None, None, :] == k[:, None, None]) | (k[None, None, :] == k[None, :, None])
    stacked = np.where(excluded[None, :, :, :, None], 1.0, Wt[:, None, None, :, :])
    return np.prod(stacked, axis=3)


def noise_moments(W, X, Y, eta) -> NoiseMoments:
    """Exact ``E g0``, ``Cov g0``, ``E J`` and ``E[J (x) J]`` of S-SAM's one-sample noisy gradient at ``W``.

    ``g0 = -2 r X_i * prod_{k != l} W~_k`` with ``r = Y_i - <prod_l W~_l, X_i>`` (Lemma 2.1) and
    ``J_{(l,h),(m,k)} = 2 X_h X_k P_{l,h} P_{m,k} - 2 r X_h [h = k][l != m] prod_{j not in {l,m}} W~_{j,h}``
    (its derivative in ``W``), averaged over the data and over ``G`` by exact quadrature (module docstring).
    """
    W, X, Y, eta = _checked_problem(W, X, Y, eta)
    L, d = W.shape
    n, p = X.shape[0], L * d
    Wt, node_weights = _perturbed_weights(W, eta)  # (N, L, d)
    N = Wt.shape[0]
    P = products_excluding(Wt)  # (N, L, d)
    residual = Y[None, :] - np.einsum("Nd,nd->Nn", np.prod(Wt, axis=1), X)  # (N, n)
    grad_factor = P[:, None, :, :] * X[None, :, None, :]  # d r / d W_{l,h} = -X_h P_{l,h}; (N, n, L, d)
    g = (-2.0 * residual[:, :, None, None] * grad_factor).reshape(N, n, p)
    outer = grad_factor.reshape(N, n, p)
    J = 2.0 * outer[:, :, :, None] * outer[:, :, None, :]
    pairs = _pair_products(Wt)  # (N, L, L, d)
    off_layer = ~np.eye(L, dtype=bool)
    second = np.where(off_layer[None, :, :, None], pairs, 0.0)  # d^2 pi_h / dW_l dW_m, (N, L, L, d)
    second_term = -2.0 * residual[:, :, None, None, None] * X[None, :, None, None, :] * second[:, None]
    J_blocks = J.reshape(N, n, L, d, L, d)
    for h in range(d):
        J_blocks[:, :, :, h, :, h] += second_term[..., h]
    weights = np.repeat(node_weights / n, n)
    g = g.reshape(N * n, p)
    J = J.reshape(N * n, p, p)
    mean = weights @ g
    Q = np.einsum("s,si,sj->ij", weights, g, g) - np.outer(mean, mean)
    H = np.einsum("s,sij->ij", weights, J)
    JJ = np.einsum("s,sij,skl->ikjl", weights, J, J).reshape(p * p, p * p)
    return NoiseMoments(mean, (Q + Q.T) / 2, (H + H.T) / 2, JJ, N)


def _second_moment_operator(moments, alpha, multiplicative):
    """``vec S -> vec E[(I - alpha J) S (I - alpha J)^T]`` (or with ``J`` replaced by its mean ``H``)."""
    p = moments.H.shape[0]
    eye = np.eye(p)
    if not multiplicative:
        A = eye - alpha * moments.H
        return np.kron(A, A)
    kron_sum = np.kron(moments.H, eye) + np.kron(eye, moments.H)
    return np.eye(p * p) - alpha * kron_sum + alpha * alpha * moments.JJ


def stationary_second_moment(moments: NoiseMoments, alpha, multiplicative=True):
    """Stationary ``S = E[delta delta^T]`` of the linearized S-SAM recursion at step ``alpha``.

    ``multiplicative=False``: the discrete Lyapunov equation ``S = A S A^T + alpha^2 Q``, ``A = I - alpha H``;
    ``multiplicative=True``: ``S = E[(I - alpha J) S (I - alpha J)^T] + alpha^2 Q`` (module docstring).
    Raises ``ValueError`` when the recursion is not mean-square stable at ``alpha`` (spectral radius >= 1).
    """
    alpha = float(check_positive(alpha, "alpha"))
    operator = _second_moment_operator(moments, alpha, multiplicative)
    radius = float(np.max(np.abs(np.linalg.eigvals(operator))))
    if not radius < 1:
        raise ValueError(f"alpha must be below the mean-square stability threshold: the second-moment operator "
                         f"has spectral radius {radius:.6g} >= 1 at alpha = {alpha:g}")
    p = moments.H.shape[0]
    vec_S = np.linalg.solve(np.eye(p * p) - operator, alpha * alpha * moments.Q.reshape(-1))
    S = vec_S.reshape(p, p)
    return (S + S.T) / 2


def mean_square_stability_threshold(moments: NoiseMoments, multiplicative=True, rtol=1e-10):
    """Largest ``alpha`` at which the linearized second-moment recursion is stable (spectral radius < 1).

    Bisection on ``alpha`` until the bracket is narrower than ``rtol`` times its upper end; the plain
    recursion (``multiplicative=False``) gives ``2 / lambda_max(H)``.
    """
    rtol = float(check_positive(rtol, "rtol"))

    def stable(alpha):
        return np.max(np.abs(np.linalg.eigvals(_second_moment_operator(moments, alpha, multiplicative)))) < 1

    hi = 2.0 / float(np.max(np.linalg.eigvalsh(moments.H)))
    lo = 0.0
    while stable(hi):  # only possible in degenerate cases; expand the bracket
        lo, hi = hi, 2 * hi
    while hi - lo > rtol * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if stable(mid) else (lo, mid)
    return lo


def burn_in_steps(moments: NoiseMoments, alpha, relative_transient=1e-3, multiplicative=True):
    """Steps after which the linearized second moment, started at ``delta = 0``, is within
    ``relative_transient`` of its stationary value: ``S_k = S - M^k S`` with ``M`` the second-moment operator,
    so ``k = ceil(log(relative_transient) / log rho(M))``."""
    alpha = float(check_positive(alpha, "alpha"))
    relative_transient = float(check_positive(relative_transient, "relative_transient"))
    radius = float(np.max(np.abs(np.linalg.eigvals(_second_moment_operator(moments, alpha, multiplicative)))))
    if not radius < 1:
        raise ValueError(f"alpha must be below the mean-square stability threshold, got alpha = {alpha:g} "
                         f"(spectral radius {radius:.6g})")
    return max(1, math.ceil(math.log(relative_transient) / math.log(radius)))


def stationary_deviations(W, X, Y, eta, alpha, runs, burn_in, seed=0):
    """``runs`` independent S-SAM chains (eq 6, constant step ``alpha``) from ``W``; one deviation per run.

    Each chain starts at ``W`` and takes ``burn_in`` steps with fresh samples and noise
    (:func:`numeric.dynamics.stochastic_descent`, all runs batched); returns ``W_burn_in - W``, shape
    ``(runs, L d)`` (layer-major flattening), rows with non-finite entries (diverged runs) kept as ``inf``.
    """
    W = np.asarray(check_weights(W, "W"), dtype=float)
    runs = check_int(runs, "runs", minimum=2)
    burn_in = check_int(burn_in, "burn_in", minimum=1)
    trajectory = stochastic_descent(W, X, Y, eta, burn_in, alpha, seeds=runs, seed=seed, record_steps=[burn_in])
    final = trajectory.weights[-1].reshape(runs, -1) - W.reshape(-1)[None, :]
    return np.where(np.isfinite(final), final, np.inf)


def whitened_second_moments(deviations, S):
    """Second moments of the deviations along the principal axes of a predicted ``S``, in units of ``S``.

    With ``S = U diag(s) U^T`` (eigenvectors ``u_j``), ``z_j = <u_j, delta> / sqrt(s_j)``; under the
    prediction ``E[z z^T] = I``.  Returns ``(estimate, standard_error, per_run_products)`` for the entries
    ``(i, j)``, ``i <= j`` (row-major upper triangle), each estimate of shape ``(p (p + 1) / 2,)``; the
    standard error is the sample standard deviation of the per-run products over ``sqrt(runs)``.
    """
    deviations = np.asarray(deviations, dtype=float)
    spreads, axes = np.linalg.eigh(np.asarray(S, dtype=float))
    if not np.all(spreads > 0):
        raise ValueError(f"S must be positive definite, got eigenvalues {spreads}")
    with np.errstate(invalid="ignore", over="ignore"):
        Z = (deviations @ axes) / np.sqrt(spreads)[None, :]
        rows, cols = np.triu_indices(Z.shape[1])
        products = Z[:, rows] * Z[:, cols]
        estimate = products.mean(axis=0)
        standard_error = products.std(axis=0, ddof=1) / math.sqrt(Z.shape[0])
    return estimate, standard_error, products
