"""Symbolic derivations for the related results (seeds 003, 004).

* ``chain_hessian(L)``: Hessian of the 1-D chain loss ``(w* - prod_l w_l)^2`` at the
  balanced minimizer ``w_l = a^{1/L}``: ``2 a^{2-2/L} 1 1^T``, top eigenvalue
  ``2 L a^{2-2/L}`` (Marion & Chizat, Sec 3; Mulayoff & Michaeli 2020).
* ``chain_minimal_sharpness(L)``: Lagrange/AM-GM: on the minimizers
  ``prod w_l = a`` the sharpness ``2 a^2 sum_l w_l^{-2}`` is stationary exactly at the
  balanced point, value ``2 L a^{2-2/L}``.
* ``balanced_rank_one_gram(L)``: ``J J^T`` of the end-to-end map at the balanced rank-one
  minimizer (every layer norm ``a^{1/L}``), by differentiation: ``a^{2-2/L} (I + (L-1) u u^T)``.
* ``gradient_flow_factor(L)``: the factor of Marion & Chizat's Cor 2 (constant lost in
  extraction, reconstructed): the balanced rank-one minimizer's sharpness is at most
  ``2 a^{2-2/L} (Lambda + (L-1) q)`` (Weyl on ``Sigma + (L-1) v v^T``, ``v = Sigma^{1/2} u``,
  ``|v|^2 = q = u^T Sigma u``); divided by the lower bound ``2 L a^{2-2/L} q`` this is
  ``(Lambda/q + L - 1)/L``.
* ``pair_moment_coefficients()``: ``E[H_B (x) H_B] = (1-p) H (x) H + p mean H_i (x) H_i``
  with ``p = (n-B)/(B(n-1))`` from inclusion probabilities ``B/n`` and ``B(B-1)/(n(n-1))``.
* ``scalar_threshold()``: ``d = 1``: ``alpha* = 2 h / ((1-p) h^2 + p mean h_i^2)``.
* ``orthogonal_threshold(B, s2max)``: orthogonal rank-one samples ``x_i = s_i e_i`` (``n = d``):
  ``alpha* = 2 B / max_i s_i^2``.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["chain_hessian", "chain_minimal_sharpness", "balanced_rank_one_gram", "gradient_flow_factor",
           "pair_moment_coefficients", "scalar_threshold",
           "orthogonal_threshold", "orthogonal_threshold_derivation", "formulas"]


def chain_hessian(L: int):
    """Hessian of ``(w* - prod w_l)^2`` at ``w_l = a^{1/L}``, ``w* = a``: returns ``(H, eigenvalues)``."""
    a = sp.Symbol("a", positive=True)
    w = sp.symbols(f"w1:{L + 1}", positive=True)
    f = (a - sp.Mul(*w)) ** 2
    H = sp.hessian(f, w).subs({wi: a ** sp.Rational(1, L) for wi in w})
    H = H.applyfunc(sp.simplify)
    return H, {sp.simplify(k): v for k, v in H.eigenvals().items()}


def chain_minimal_sharpness(L: int):
    """``(stationary point, value)`` of ``2 a^2 sum w_l^{-2}`` subject to ``prod w_l = a`` (Lagrange)."""
    a = sp.Symbol("a", positive=True)
    lam = sp.Symbol("lambda")
    w = sp.symbols(f"w1:{L + 1}", positive=True)
    obj = 2 * a**2 * sum(wi**-2 for wi in w)
    lagrangian = obj - lam * (sp.Mul(*w) - a)
    # the balanced point w_l = a^{1/L} is stationary: every equation -4 a^2 w_l^{-3} = lam prod_{k!=l} w_k
    # gives the same lam; AM-GM (sum w_l^{-2} >= L (prod w_l)^{-2/L}) shows it is the minimum.
    balanced_weight = a ** sp.Rational(1, L)
    balanced_point = {wi: balanced_weight for wi in w}
    multiplier = sp.solve(sp.diff(lagrangian, w[0]).subs(balanced_point), lam)[0]
    residuals = [sp.simplify(sp.diff(lagrangian, wi).subs(balanced_point).subs(lam, multiplier)) for wi in w]
    if any(r != 0 for r in residuals):
        raise ArithmeticError("balanced point is not stationary")
    return balanced_weight, sp.simplify(obj.subs(balanced_point))


def balanced_rank_one_gram(L: int, d: int = 2):
    """``(G, coef_I, coef_uu)``: ``G = J J^T`` at the balanced rank-one minimizer and its decomposition
    ``G = coef_I I + coef_uu u u^T`` (raises ``ArithmeticError`` if ``G`` is not of that form).

    The rank-one minimizer (``numeric.sharpness.dense_minimizers.rank_one_minimizer``) only uses the first row of
    ``W_1`` and the ``(1,1)`` entries of ``W_2..W_L``; the other weights have zero derivative of
    ``w`` there, so the width-1 chain ``w = c_L ... c_2 v`` (``v`` in ``R^d``, ``c_k`` scalars)
    has the same ``J J^T``.  ``J = dw/d(v, c_2..c_L)`` is differentiated symbolically and
    evaluated at ``v = a^{1/L} u``, ``c_k = a^{1/L}`` (so ``w = a u = w*``): expected
    ``coef_I = a^{2-2/L}`` (from ``v``), ``coef_uu = (L-1) a^{2-2/L}`` (one per ``c_k``).
    """
    if L < 2 or d < 2:
        raise ValueError(f"L must be >= 2 and d >= 2, got L={L}, d={d}")
    a = sp.Symbol("a", positive=True)
    u = sp.symbols(f"u1:{d + 1}", real=True)
    v = sp.symbols(f"v1:{d + 1}", real=True)
    c = sp.symbols(f"c2:{L + 1}", positive=True)
    w = sp.Matrix(v) * sp.Mul(*c)
    J = w.jacobian(list(v) + list(c))
    balanced_point = {**{vi: a ** sp.Rational(1, L) * ui for vi, ui in zip(v, u)},
                      **{ck: a ** sp.Rational(1, L) for ck in c}}
    G = (J * J.T).subs(balanced_point).applyfunc(sp.simplify)
    coef_uu = sp.simplify(G[0, 1] / (u[0] * u[1]))
    coef_I = sp.simplify(G[0, 0] - coef_uu * u[0] ** 2)
    U = sp.Matrix(u)
    if (G - coef_I * sp.eye(d) - coef_uu * U * U.T).applyfunc(sp.expand) != sp.zeros(d, d):
        raise ArithmeticError("J J^T is not of the form c1 I + c2 u u^T")
    return G, coef_I, coef_uu


def gradient_flow_factor(L=None):
    """``(factor, upper, lower)`` in the symbols ``L, a, Lambda, q`` (``L`` an integer if given).

    ``upper = 2 (coef_I Lambda + coef_uu q)``: the Hessian at a minimizer is ``2 J^T Sigma J``,
    whose nonzero spectrum is that of ``2 Sigma^{1/2} G Sigma^{1/2} = 2 (coef_I Sigma + coef_uu v v^T)``
    with ``v = Sigma^{1/2} u``, ``|v|^2 = q``; Weyl gives ``lambda_max <= coef_I Lambda + coef_uu q``.
    ``lower = 2 L (w*^T Sigma w*) / a^{2/L} = 2 L a^{2-2/L} q`` (Marion & Chizat, Thm 2).
    With an integer ``L`` the coefficients come from :func:`balanced_rank_one_gram` (differentiated);
    with ``L=None`` from its closed form ``a^{2-2/L}, (L-1) a^{2-2/L}`` (symbolic ``L``).
    ``factor = upper / lower``, simplified: ``(Lambda/q + L - 1)/L`` (``Lambda = q``: ``1``).
    """
    a, Lam, q = sp.symbols("a Lambda q", positive=True)
    if L is None:
        depth = sp.Symbol("L", positive=True)
        coef_I, coef_uu = a ** (2 - 2 / depth), (depth - 1) * a ** (2 - 2 / depth)
    else:
        depth = sp.Integer(L)
        _, coef_I, coef_uu = balanced_rank_one_gram(int(L))
    upper = 2 * (coef_I * Lam + coef_uu * q)
    lower = 2 * depth * (a**2 * q) / a ** (2 / depth)
    return sp.simplify(upper / lower), upper, lower


def pair_moment_coefficients():
    """``(coef of H (x) H, coef of mean H_i (x) H_i, p)`` for batches without replacement."""
    n, B = sp.symbols("n B", positive=True)
    S1, S2 = sp.symbols("S1 S2")  # S1 = sum_i H_i (as a scalar stand-in of the Kronecker algebra), S2 = sum H_i^2
    batch_moment = (B / n * S2 + B * (B - 1) / (n * (n - 1)) * (S1**2 - S2)) / B**2  # E[H_B (x) H_B]
    c_full = sp.simplify(sp.expand(batch_moment).coeff(S1, 2) * n**2)       # times (S1/n)^2 = H (x) H
    c_single = sp.simplify(sp.expand(batch_moment).coeff(S2, 1) * n)         # times S2/n = mean H_i (x) H_i
    p = (n - B) / (B * (n - 1))
    return c_full, c_single, p


def scalar_threshold():
    """``alpha*`` for ``d = 1``: ``2/lambda_max(C^+ D)`` with ``C = h``, ``D = (1-p) h^2 + p m2``."""
    h, m2, p = sp.symbols("h m_2 p", positive=True)
    return 2 * h / ((1 - p) * h**2 + p * m2)


def orthogonal_threshold_derivation():
    """Diagonal entry of ``C^+ D`` for ``x_i = s_i e_i``: ``s_i^2 ((1-p)/n + p)``, which equals ``s_i^2 / B``."""
    n, B, s2 = sp.symbols("n B s2", positive=True)
    p = (n - B) / (B * (n - 1))
    lam = s2 / n  # eigenvalue of H = diag(s^2)/n
    ratio = ((1 - p) * lam**2 + p * s2**2 / n) / lam  # diagonal entry of C^+ D
    return sp.simplify(ratio)


def orthogonal_threshold(B, s2max):
    """``alpha* = 2 B / max_i s_i^2`` for orthogonal rank-one samples (``n = d``)."""
    return sp.Rational(2) * B / sp.nsimplify(s2max)


def formulas():
    """``(claim_id, equation, name, expr)`` for the LaTeX export."""
    L, a, p, n, B = sp.symbols("L a p n B", positive=True)
    h, m2 = sp.symbols("h m_2", positive=True)
    _, _, p_expression = pair_moment_coefficients()
    return [
        ("sharpness-minimizers", "MC Thm 2", "minimal sharpness, whitened (1-D chain / dense)",
         2 * L * a ** (2 - 2 / L)),
        ("sharpness-minimizers", "MC Thm 2", "lower bound (q = w*^T Sigma w*)",
         2 * L * sp.Symbol("q", positive=True) / a ** (2 / L)),
        ("sharpness-minimizers", "MC Thm 2", "upper bound (Lambda = lambda_max(Sigma))",
         2 * a ** (-2 / L) * (sp.Symbol("Lambda", positive=True) * a**2 + (L - 1) * sp.Symbol("q", positive=True))),
        ("sharpness-gradient-flow", "MC Cor 2", "derived factor: S(W_GF) / lower bound <= (Lambda/q + L - 1)/L",
         gradient_flow_factor()[0]),
        ("sgd-stability", "MM eq 12", "mixture weight p", p_expression),
        ("sgd-stability", "MM eq 13", "scalar threshold", scalar_threshold()),
        ("sgd-stability", "", "orthogonal rank-one threshold", 2 * B / sp.Symbol("s_max^2", positive=True)),
    ]
