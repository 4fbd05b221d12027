"""The exact shape (skewness, excess kurtosis) of the conditional loss draws ``(v, 3 v^2)`` (Lemma 2.3's Monte Carlo).

:func:`numeric.pacbayes.conditional_loss_sampler` draws ``v = s Q + tau^2`` with ``Q = (w* - P)^T Sigma (w* - P)``,
``P`` the end-to-end vector under the posterior ``W + G`` and ``s`` the Student mixing variable (``s = 1`` for
Gaussian inputs).  A z-test on their means takes an Edgeworth critical value from the draws' skewness and
kurtosis; estimated from the draws themselves, the kurtosis of ``3 v^2`` (a Gaussian chaos of degree ``4 L``) is
itself heavy-tailed: typically 15-40 for the depth-3 case, 434 at one seed, where the test refused to run.
Here they are computed exactly instead, from the moments ``E[v^k]``, ``k <= 8``:

* ``E[v^k] = sum_j C(k, j) E[s^j] E[Q^j] tau^{2(k-j)}`` (``s`` independent of ``G``);
* ``E[s^j] = ((nu - 2)/2)^j Gamma(nu/2 - j) / Gamma(nu/2)`` for ``s = (nu - 2)/V``, ``V ~ chi^2_nu`` (finite for
  ``j < nu/2``);
* ``E[Q^j]``: diagonal networks separate by coordinate, ``u_h = w*_h - prod_l (W_lh + sigma g_lh)``, so
  ``E[Q^j]`` is the expansion of ``(sum_{ab} Sigma_ab u_a u_b)^j`` with ``E[prod_h u_h^{n_h}] = prod_h E[u_h^{n_h}]``
  and ``E[u_h^n]`` by Gauss-Hermite quadrature over the ``L`` noises of coordinate ``h``; dense networks by
  Gauss-Hermite quadrature over all their noises.  Each variable enters ``Q^j`` with degree at most ``2 j``,
  so ``j + 1`` nodes per variable make the quadrature exact (up to rounding).

The moments are combined in mpmath (40 digits), so the central moments do not cancel.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np

from ..quadrature import gauss_hermite_grid
from ..validation import check_positive, check_vector, check_weights
from .inputs import checked_covariance, checked_student_nu

__all__ = ["student_scale_moments", "diagonal_quadratic_moments", "dense_quadratic_moments",
           "conditional_draw_shape"]

#: The highest power of ``v`` needed: the kurtosis of ``3 v^2`` uses ``E[v^8]``.
HIGHEST_ORDER = 8


def student_scale_moments(nu, orders: int = HIGHEST_ORDER) -> list:
    """``[E s^0, ..., E s^orders]`` (mpmath) for ``s = (nu - 2)/V``, ``V ~ chi^2_nu``; ``nu > 2 orders`` needed."""
    nu = checked_student_nu(nu)
    if not nu > 2 * orders:
        raise ValueError(f"nu must be > {2 * orders} for the moments of s up to order {orders}, got {nu}")
    half = mpmath.mpf(nu) / 2
    return [((mpmath.mpf(nu) - 2) / 2) ** j * mpmath.gamma(half - j) / mpmath.gamma(half) for j in range(orders + 1)]


def _tensor_expectation(function, variables: int, points: int, orders: int) -> np.ndarray:
    """``[E f^0, ..., E f^orders]`` for ``f`` of ``variables`` iid standard normals (tensor Gauss-Hermite)."""
    nodes, weights = gauss_hermite_grid(variables, points)
    values = function(nodes)
    return np.array([np.sum(weights * values ** j) for j in range(orders + 1)])


def _quadratic_form_powers(Sigma, orders: int) -> list:
    """``(sum_ab Sigma_ab u_a u_b)^j`` for ``j = 0..orders`` as ``{exponents: coefficient}`` polynomials in ``u``."""
    d = Sigma.shape[0]
    form = {}
    for a in range(d):
        for b in range(d):
            key = tuple(int(a == h) + int(b == h) for h in range(d))
            form[key] = form.get(key, 0.0) + float(Sigma[a, b])
    powers = [{(0,) * d: 1.0}]
    for _ in range(orders):
        product = {}
        for k1, c1 in powers[-1].items():
            for k2, c2 in form.items():
                key = tuple(i + j for i, j in zip(k1, k2))
                product[key] = product.get(key, 0.0) + c1 * c2
        powers.append(product)
    return powers


def diagonal_quadratic_moments(W, sigma, wstar, Sigma=None, orders: int = HIGHEST_ORDER) -> list:
    """``[E Q^0, ..., E Q^orders]`` for the diagonal network ``W`` (shape ``(L, d)``) under ``W + sigma G``."""
    W = check_weights(W)
    sigma = float(check_positive(sigma, "sigma"))
    wstar = check_vector(wstar, "wstar")
    if wstar.shape[0] != W.shape[1]:
        raise ValueError(f"wstar must have length d = {W.shape[1]}, got {wstar.shape[0]}")
    Sigma = checked_covariance(Sigma, W.shape[1])
    L = W.shape[0]
    per_coordinate = [_tensor_expectation(lambda g, h=h: wstar[h] - np.prod(W[:, h] + sigma * g, axis=1), L,
                                          orders + 1, 2 * orders) for h in range(W.shape[1])]
    return [math.fsum(c * math.prod(per_coordinate[h][n] for h, n in enumerate(key)) for key, c in power.items())
            for power in _quadratic_form_powers(Sigma, orders)]


def dense_quadratic_moments(weights, sigma, wstar, Sigma=None, orders: int = HIGHEST_ORDER) -> list:
    """``[E Q^0, ..., E Q^orders]`` for the dense network ``weights`` (as :func:`dense_end_to_end`) under
    ``W + sigma G``, by Gauss-Hermite quadrature over all ``sum_l k_l k_{l-1}`` noises (at most 6)."""
    layers = [np.asarray(Wl, dtype=float) for Wl in weights]
    sigma = float(check_positive(sigma, "sigma"))
    wstar = check_vector(wstar, "wstar")
    Sigma = checked_covariance(Sigma, wstar.shape[0])
    sizes = [Wl.size for Wl in layers]
    if sum(sizes) > 6:
        raise ValueError(f"dense networks with at most 6 weights, got {sum(sizes)} (the quadrature grid grows as "
                         f"{orders + 1}^weights)")
    offsets = np.cumsum([0] + sizes)

    def quadratic(g):
        end_to_end = None
        for l, Wl in enumerate(layers):
            layer = Wl[None] + sigma * g[:, offsets[l]:offsets[l + 1]].reshape((-1,) + Wl.shape)
            end_to_end = layer if end_to_end is None else layer @ end_to_end
        u = wstar[None, :] - end_to_end[:, 0, :]
        return np.einsum("ki,ij,kj->k", u, Sigma, u)

    return list(_tensor_expectation(quadratic, int(offsets[-1]), orders + 1, orders))


def conditional_draw_shape(quadratic_moments, noise, inputs="gaussian", nu=12.0) -> dict:
    """``{"mean", "variance", "skewness", "excess_kurtosis"}`` (two entries each: ``v`` and ``3 v^2``) of the
    conditional draws, from ``quadratic_moments = [E Q^0, ..., E Q^8]`` (:func:`diagonal_quadratic_moments`,
    :func:`dense_quadratic_moments`), the label noise ``tau = noise`` and the input law."""
    tau2 = mpmath.mpf(float(check_positive(noise, "noise", allow_zero=True))) ** 2
    if len(quadratic_moments) < HIGHEST_ORDER + 1:
        raise ValueError(f"quadratic_moments must hold E Q^0..E Q^{HIGHEST_ORDER}")
    with mpmath.workdps(40):
        scale = student_scale_moments(nu) if inputs == "student-t" else [mpmath.mpf(1)] * (HIGHEST_ORDER + 1)
        q = [mpmath.mpf(float(m)) for m in quadratic_moments]
        v = [mpmath.fsum(mpmath.binomial(k, j) * scale[j] * q[j] * tau2 ** (k - j) for j in range(k + 1))
             for k in range(HIGHEST_ORDER + 1)]
        out = {"mean": [], "variance": [], "skewness": [], "excess_kurtosis": []}
        for factor, power in ((1, 1), (3, 2)):  # the draws v and 3 v^2
            raw = [factor ** k * v[power * k] for k in range(5)]
            mean = raw[1]
            central2 = raw[2] - mean ** 2
            central3 = raw[3] - 3 * mean * raw[2] + 2 * mean ** 3
            central4 = raw[4] - 4 * mean * raw[3] + 6 * mean ** 2 * raw[2] - 3 * mean ** 4
            out["mean"].append(float(mean))
            out["variance"].append(float(central2))
            out["skewness"].append(float(central3 / central2 ** 1.5))
            out["excess_kurtosis"].append(float(central4 / central2 ** 2 - 3))
    return out
