"""S-SAM with a constant step: the noise moments that set its stationary spread, per coordinate (beyond the paper).

One coordinate (width ``d = 1``; the model separates by coordinate, and with whitened data the noise of
different coordinates couples only through the data's fourth moments) with weights ``w_1..w_L``, noise
``g_l ~ N(0, eta^2)``, one input ``x`` with ``E x^2 = 1`` (whitened) and ``E x^4 = mu_4``.  With
``W~ = w + g``, ``pi~ = prod_l W~_l``, ``P_l = prod_{k != l} W~_k``, ``P_{lm} = prod_{k not in {l,m}} W~_k``:

* noisy gradient (Lemma 2.1): ``g_l(W) = -2 (w* - pi~) x^2 P_l``;
* its Jacobian in ``W``: ``J_{lm} = 2 x^2 (P_l P_m - (w* - pi~) P_{lm} [l != m])``;
* second moments by Gaussian moments (:func:`derivations.gaussian.gaussian_expectation`), the data entering
  only through ``mu_4``: ``E[g_l g_m] = 4 mu_4 E_G[(w* - pi~)^2 P_l P_m]`` and
  ``E[J_{lm} J_{pq}] = mu_4 E_G[Jbar_{lm} Jbar_{pq}]`` with ``J = x^2 Jbar``.

Derived here:

* :func:`noise_moments` -- ``E g``, ``E[g g^T]``, ``E J`` as SymPy matrices (``E g = grad L_R``, ``E J = Hess L_R``);
* :func:`balance_drift_identity` -- the one-step drift of the imbalance ``D = W_{l+1}^2 - W_l^2`` under S-SAM,
  ``E[D' | W] = (1 - 4 alpha eta^2 prod_{k not in {l,l+1}} (W_k^2 + eta^2)) D + alpha^2 (E g_{l+1}^2 - E g_l^2)``,
  exact for every ``W`` (proved as a polynomial identity);
* :func:`two_layer_spread` -- ``L = 2`` at the balanced minimum ``a^2 = w* - eta^2``: ``H`` has eigenvalues
  ``4 a^2`` (balanced direction) and ``4 eta^2`` (imbalance), ``Q`` is diagonal in the same basis, and the
  discrete Lyapunov equation gives ``s = alpha q / (lambda (2 - alpha lambda))`` per direction.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from .gaussian import gaussian_expectation, gaussian_moment
from .marginalized import coordinate_symbols, regularizer_closed_form

__all__ = [
    "mu4",
    "alpha",
    "noisy_gradient_and_jacobian",
    "noise_moments",
    "jacobian_product_moment",
    "gradient_second_moment_by_operator",
    "balance_drift_identity",
    "two_layer_spread",
    "formulas",
]

mu4 = sp.Symbol("mu_4", positive=True)
alpha = sp.Symbol("alpha", positive=True)
x = sp.Symbol("x", real=True)


def _layer_power_moment(power: int, w, eta) -> sp.Expr:
    """``E[(w + g)^power]`` for ``g ~ N(0, eta^2)``, by the binomial expansion and Gaussian moments."""
    return sp.Add(*[sp.binomial(power, j) * w ** (power - j) * gaussian_moment(j, eta) for j in range(power + 1)])


def _expectation_of_layer_monomials(terms: dict, s) -> sp.Expr:
    """``E[sum_p c_p prod_k (w_k + g_k)^{p_k}] = sum_p c_p prod_k E[(w_k + g_k)^{p_k}]`` (independent layers)."""
    return sp.expand(sp.Add(*[c * sp.Mul(*[_layer_power_moment(p, w, s.eta) for p, w in zip(powers, s.w)])
                              for powers, c in terms.items()]))


def _times(first: dict, second: dict) -> dict:
    """Product of two polynomials in the perturbed weights, stored as ``{layer powers: coefficient}``."""
    out = {}
    for p, c in first.items():
        for q, e in second.items():
            key = tuple(i + j for i, j in zip(p, q))
            out[key] = out.get(key, 0) + c * e
    return out


def _layer_monomials(L):
    """``pi~``, ``P_l``, ``P_{lm}`` and the residual ``w* - pi~`` as ``{layer powers: coefficient}``."""
    s = coordinate_symbols(L)
    product = {(1,) * L: sp.Integer(1)}
    excluding = [{tuple(int(k != l) for k in range(L)): sp.Integer(1)} for l in range(L)]
    pair = [[{tuple(int(k not in (l, m)) for k in range(L)): sp.Integer(1)} if l != m else {}
             for m in range(L)] for l in range(L)]
    residual = {(0,) * L: s.wstar, (1,) * L: sp.Integer(-1)}
    return s, product, excluding, pair, residual


def _as_expression(terms: dict, s) -> sp.Expr:
    return sp.Add(*[c * sp.Mul(*[(w + g) ** p for p, w, g in zip(powers, s.w, s.g)]) for powers, c in terms.items()])


def _gradient_and_jacobian_monomials(L):
    s, _, excluding, pair, residual = _layer_monomials(L)
    gbar = [{k: -2 * c for k, c in _times(residual, excluding[l]).items()} for l in range(L)]
    Jbar = []
    for l in range(L):
        row = []
        for m in range(L):
            term = {k: 2 * c for k, c in _times(excluding[l], excluding[m]).items()}
            for k, c in _times(residual, pair[l][m]).items():
                term[k] = term.get(k, 0) - 2 * c
            row.append(term)
        Jbar.append(row)
    return s, gbar, Jbar


def noisy_gradient_and_jacobian(L: int):
    """The data-free parts ``gbar_l`` and ``Jbar_{lm}`` of ``g = x^2 gbar`` and ``J = x^2 Jbar`` (one coordinate).

    ``gbar_l = -2 (w* - pi~) P_l`` (Lemma 2.1 with ``r = (w* - pi~) x``) and ``Jbar = d gbar / d w``, as SymPy
    expressions in the weights ``w_l`` and the noise ``g_l``.
    """
    s, gbar, Jbar = _gradient_and_jacobian_monomials(L)
    return s, [_as_expression(t, s) for t in gbar], [[_as_expression(t, s) for t in row] for row in Jbar]


@lru_cache(maxsize=None)
def noise_moments(L: int) -> dict:
    """``mean`` (``E g``), ``second`` (``E[g g^T]``), ``Q`` (covariance) and ``H`` (``E J``) for one coordinate.

    Gaussian moments per coordinate and per layer: every entry is a sum of products over layers of
    ``(w_k + g_k)^{p_k}``, whose expectation is ``prod_k E[(w_k + g_k)^{p_k}]``.  The data enter through
    ``E x^2 = 1`` and ``E x^4 = mu_4``.
    """
    s, gbar, Jbar = _gradient_and_jacobian_monomials(L)

    def E(terms):
        return _expectation_of_layer_monomials(terms, s)

    mean = sp.Matrix(L, 1, lambda l, _: E(gbar[l]))
    upper = {(l, m): mu4 * E(_times(gbar[l], gbar[m])) for l in range(L) for m in range(l, L)}
    second = sp.Matrix(L, L, lambda l, m: upper[(min(l, m), max(l, m))])
    H = sp.Matrix(L, L, lambda l, m: E(Jbar[l][m]))
    return {"symbols": s, "mean": mean, "second": second, "Q": sp.expand(second - mean * mean.T), "H": H}


def jacobian_product_moment(L: int, l: int, m: int, p: int, q: int) -> sp.Expr:
    """``E[J_{lm} J_{pq}] = mu_4 E_G[Jbar_{lm} Jbar_{pq}]`` (the multiplicative noise of the linearization)."""
    s, _, Jbar = _gradient_and_jacobian_monomials(L)
    return mu4 * _expectation_of_layer_monomials(_times(Jbar[l][m], Jbar[p][q]), s)


def gradient_second_moment_by_operator(L: int, l: int, m: int) -> sp.Expr:
    """``E[g_l g_m]`` by the generic Gaussian-expectation operator (:func:`derivations.gaussian.gaussian_expectation`)
    on the expanded product: an independent route to the per-layer moment rule of :func:`noise_moments`."""
    s, gbar, _ = noisy_gradient_and_jacobian(L)
    return mu4 * sp.expand(gaussian_expectation(gbar[l] * gbar[m], s.g, s.eta))


@lru_cache(maxsize=None)
def balance_drift_identity(L: int, l: int = 0) -> dict:
    """The one-step conditional drift of ``D = w_{l+1}^2 - w_l^2`` under S-SAM, derived and proved.

    ``E[(w_{l+1} - alpha g_{l+1})^2 - (w_l - alpha g_l)^2]`` by Gaussian moments, against
    ``(1 - 4 alpha eta^2 prod_{k not in {l,l+1}} (w_k^2 + eta^2)) D + alpha^2 (E g_{l+1}^2 - E g_l^2)``.
    Returns both sides and ``difference`` (0 when the identity holds).
    """
    moments = noise_moments(L)
    s = moments["symbols"]
    w, mean, second = s.w, moments["mean"], moments["second"]
    lhs = sp.expand(w[l + 1] ** 2 - 2 * alpha * w[l + 1] * mean[l + 1] + alpha ** 2 * second[l + 1, l + 1]
                    - (w[l] ** 2 - 2 * alpha * w[l] * mean[l] + alpha ** 2 * second[l, l]))
    others = sp.Mul(*[w[k] ** 2 + s.eta ** 2 for k in range(L) if k not in (l, l + 1)])
    rhs = ((1 - 4 * alpha * s.eta ** 2 * others) * (w[l + 1] ** 2 - w[l] ** 2)
           + alpha ** 2 * (second[l + 1, l + 1] - second[l, l]))
    marginalized = (s.wstar - sp.Mul(*w)) ** 2 + regularizer_closed_form(L)
    mean_is_gradient = all(sp.expand(mean[k] - sp.diff(marginalized, w[k])) == 0 for k in range(L))
    return {"lhs": lhs, "rhs": rhs, "difference": sp.expand(lhs - rhs), "mean_is_grad_L_R": mean_is_gradient}


@lru_cache(maxsize=None)
def two_layer_spread() -> dict:
    """``L = 2``, one coordinate, at the balanced minimum ``w_1 = w_2 = a``, ``a^2 = w* - eta^2``.

    Returns the eigenvalues ``lambda_b = 4 a^2``, ``lambda_i = 4 eta^2`` of ``H``, the noise variances
    ``q_b``, ``q_i`` along ``u_b = (1, 1)/sqrt 2`` and ``u_i = (1, -1)/sqrt 2`` (``q_bi = 0``), and the
    plain-Lyapunov stationary variances ``s = alpha q / (lambda (2 - alpha lambda))`` (``A = I - alpha H``).
    """
    moments = noise_moments(2)
    s = moments["symbols"]
    a = sp.Symbol("a", positive=True)
    at_minimum = {s.w[0]: a, s.w[1]: a, s.wstar: a ** 2 + s.eta ** 2}
    H = moments["H"].subs(at_minimum)
    Q = moments["Q"].subs(at_minimum)
    u_b, u_i = sp.Matrix([1, 1]), sp.Matrix([1, -1])  # unnormalized: quadratic forms divided by |u|^2 = 2
    lam_b, lam_i = (sp.factor(sp.expand((u.T * H * u)[0] / 2)) for u in (u_b, u_i))
    q_b, q_i = (sp.factor(sp.expand((u.T * Q * u)[0] / 2)) for u in (u_b, u_i))
    cross = sp.expand((u_b.T * Q * u_i)[0]), sp.expand((u_b.T * H * u_i)[0])
    spread = {name: alpha * q / (lam * (2 - alpha * lam)) for name, q, lam in
              (("s_b", q_b, lam_b), ("s_i", q_i, lam_i))}
    gradient_at_minimum = sp.expand(moments["mean"].subs(at_minimum))
    return {"a": a, "eta": s.eta, "lambda_b": lam_b, "lambda_i": lam_i, "q_b": q_b, "q_i": q_i,
            "cross_terms": cross, "gradient_at_minimum": gradient_at_minimum, **spread}


def formulas() -> list:
    """``ssam-stationary`` formulas for the LaTeX export: ``(claim id, equation, name, expression)``."""
    spread = two_layer_spread()
    s = coordinate_symbols(3)
    D, D_next = sp.Symbol("D_k"), sp.Symbol("E[D_{k+1} | W_k]")
    second = [sp.Symbol(f"E[g_{l}^2]") for l in (1, 2)]
    # the identity proved by balance_drift_identity(3), with D = w_2^2 - w_1^2 and E g_l^2 kept as symbols
    drift = (1 - 4 * alpha * s.eta ** 2 * (s.w[2] ** 2 + s.eta ** 2)) * D + alpha ** 2 * (second[1] - second[0])
    return [
        ("ssam-stationary", "", "one-step drift of the imbalance D = w_2^2 - w_1^2, L = 3",
         sp.Eq(D_next, drift, evaluate=False)),
        ("ssam-stationary", "", "L = 2: curvature along the balanced direction", sp.Eq(sp.Symbol("lambda_b"),
                                                                                        spread["lambda_b"],
                                                                                        evaluate=False)),
        ("ssam-stationary", "", "L = 2: curvature along the imbalance direction", sp.Eq(sp.Symbol("lambda_i"),
                                                                                         spread["lambda_i"],
                                                                                         evaluate=False)),
        ("ssam-stationary", "", "L = 2: gradient-noise variance, balanced direction",
         sp.Eq(sp.Symbol("q_b"), spread["q_b"], evaluate=False)),
        ("ssam-stationary", "", "L = 2: gradient-noise variance, imbalance direction",
         sp.Eq(sp.Symbol("q_i"), spread["q_i"], evaluate=False)),
        ("ssam-stationary", "", "L = 2: stationary variance (discrete Lyapunov), balanced direction",
         sp.Eq(sp.Symbol("s_b"), spread["s_b"], evaluate=False)),
        ("ssam-stationary", "", "L = 2: stationary variance (discrete Lyapunov), imbalance direction",
         sp.Eq(sp.Symbol("s_i"), spread["s_i"], evaluate=False)),
    ]
