"""Moments of linearized SGD near a minimum, symbolically (Mulayoff & Michaeli 2024, seed 004).

Batches of ``B`` of ``n`` samples are drawn uniformly without replacement: a sample is in the batch
with probability ``B/n``, a pair with probability ``B(B-1)/(n(n-1))``.  From these alone:

* :func:`batch_mean`: ``E[H_B] = H`` and ``E[g_B] = mean_i g_i`` (Thm 1: the mean follows GD);
* :func:`mean_stability_interval`: ``|1 - alpha lam| <= 1`` iff ``0 <= alpha <= 2/lam``, and ``< 1``
  iff ``0 < alpha < 2/lam`` (Thm 1, statements 2-3, per eigen-direction of ``H``);
* :func:`gradient_noise_second_moment`: ``E[g_B g_B^T] = p G``, ``G = mean_i g_i g_i^T``,
  ``p = (n-B)/(B(n-1))`` at a minimum (``mean_i g_i = 0``): the extra noise term of Thm 4 and the
  slope ``alpha^2 p tr(P_N G)`` of the random walk in the null space;
* :func:`quadratic_form_by_enumeration`: for ``n = 3`` symbolic ``2 x 2`` Hessians, the average over
  all batches of ``<S, (I - a H_b) S (I - a H_b)>`` equals
  ``||S||^2 - a <S, H S + S H> + a^2 ((1-p) <S, H S H> + p mean_i <S, H_i S H_i>)`` (their eqs 10-11, 89);
* :func:`rank_one_step_bound`: ``E[(1 - a q_B)^2] <= 1`` iff ``a <= 2 qbar / E[q_B^2]`` (their eq 25);
* :func:`weighted_cauchy_schwarz`: Lagrange's identity behind the commuting-Hessian closed form
  (off-diagonal entries never bind);
* :func:`scalar_limit`: ``d = 1`` at a regular minimum: the limit second moment
  ``s = a p G / (2 h - a m2)`` (Thm 5), the three limits of Cor 1, their monotonicity in ``a``, and the
  linear growth ``s_t = s_0 + t a*^2 p G`` at ``a = a* = 2h/m2`` (Thm 4 at the boundary).

Exported through :func:`formulas` to the LaTeX document.
"""
from __future__ import annotations

from itertools import combinations

import sympy as sp

__all__ = [
    "batch_mean",
    "mean_stability_interval",
    "gradient_noise_second_moment",
    "quadratic_form_by_enumeration",
    "rank_one_step_bound",
    "weighted_cauchy_schwarz",
    "scalar_limit",
    "formulas",
]

n, B = sp.symbols("n B", positive=True)
P_MIX = (n - B) / (B * (n - 1))


def batch_mean():
    """``(E[H_B] / H, E[g_B] at a minimum)`` from inclusion probabilities: ``(1, 0)``.

    ``S1 = sum_i H_i`` (a stand-in for the matrix sum): ``E[H_B] = (1/B) (B/n) S1 = S1/n = H``.
    """
    S1, gsum = sp.symbols("S1 gsum")
    mean_hessian = sp.Rational(1) / B * (B / n) * S1
    mean_gradient = sp.Rational(1) / B * (B / n) * gsum
    return sp.cancel(mean_hessian / (S1 / n)), sp.cancel(mean_gradient.subs(gsum, 0))


def mean_stability_interval():
    """``(bounded, convergent)``: the sets of ``alpha >= 0`` with ``|1 - alpha lam| <= 1`` and ``< 1``
    (``lam > 0`` an eigenvalue of ``H``): ``[0, 2/lam]`` and ``(0, 2/lam)``.

    Solved in ``x = alpha lam`` over the reals (``[0, 2]`` and ``(0, 2)``), then divided by ``lam > 0``.
    """
    x = sp.Symbol("x", real=True)
    lam = sp.Symbol("lambda", positive=True)
    sets = []
    for relation in (sp.Abs(1 - x) <= 1, sp.Abs(1 - x) < 1):
        solution = sp.solveset(relation, x, sp.Interval(0, sp.oo))
        sets.append(sp.Interval(solution.inf / lam, solution.sup / lam, solution.left_open, solution.right_open))
    return tuple(sets)


def gradient_noise_second_moment():
    """``E[g_B g_B^T] / G`` at a minimum (``sum_i g_i = 0``), from pair-inclusion probabilities: ``p``.

    ``E[g_B g_B^T] = (1/B^2) [(B/n) S2 + B(B-1)/(n(n-1)) (S1^2 - S2)]`` with ``S1 = sum g_i = 0``,
    ``S2 = sum_i g_i g_i^T = n G``.
    """
    S1, S2 = sp.symbols("S1 S2")
    moment = (B / n * S2 + B * (B - 1) / (n * (n - 1)) * (S1**2 - S2)) / B**2
    return sp.factor(sp.cancel(moment.subs(S1, 0) / (S2 / n)))


def _symmetric(name):
    a, b, c = sp.symbols(f"{name}_11 {name}_12 {name}_22", real=True)
    return sp.Matrix([[a, b], [b, c]])


def quadratic_form_by_enumeration(batch: int = 2):
    """``(enumerated, formula)``: both sides of their eq 11's quadratic form for ``n = 3``, ``d = 2``.

    ``enumerated = mean_{|b| = batch} tr((I - a H_b) S (I - a H_b) S)`` over all batches;
    ``formula = tr(S^2) - a tr(S (H S + S H)) + a^2 ((1-p) tr(S H S H) + p mean_i tr(S H_i S H_i))``.
    Their difference expands to zero (checked by the claim).
    """
    a = sp.Symbol("alpha", positive=True)
    Hs = [_symmetric(f"H{i}") for i in range(1, 4)]
    S = _symmetric("S")
    eye = sp.eye(2)
    batches = list(combinations(range(3), batch))
    enumerated = 0
    for b in batches:
        M = eye - a * sum((Hs[i] for i in b), sp.zeros(2)) / batch
        enumerated += (M * S * M * S).trace()
    enumerated /= len(batches)
    H = sum(Hs, sp.zeros(2)) / 3
    p = P_MIX.subs({n: 3, B: batch})
    formula = ((S * S).trace() - a * (S * (H * S + S * H)).trace()
               + a**2 * ((1 - p) * (S * H * S * H).trace() + p * sum((S * Hi * S * Hi).trace() for Hi in Hs) / 3))
    return enumerated, formula


def rank_one_step_bound():
    """``(root, second moment)``: ``E[(1 - a q_B)^2] = 1 - 2 a qbar + a^2 m2 <= 1`` iff ``a <= 2 qbar/m2``,
    with ``m2 = E[q_B^2] = (1-p) qbar^2 + p mean_i q_i^2`` (their eq 25, ``q_i = u^T H_i u``)."""
    a = sp.Symbol("alpha", positive=True)
    qbar, q2, p = sp.symbols("qbar q2 p", positive=True)
    m2 = (1 - p) * qbar**2 + p * q2
    excess = sp.expand((1 - 2 * a * qbar + a**2 * m2) - 1)  # = a (a m2 - 2 qbar): roots 0 and the bound
    linear = sp.cancel(excess / a)
    if sp.degree(linear, a) != 1:
        raise ArithmeticError("E[(1 - a q_B)^2] - 1 is not a times a linear polynomial")
    return sp.cancel(-linear.subs(a, 0) / sp.diff(linear, a)), m2


def weighted_cauchy_schwarz(terms: int = 3):
    """``(gap, lagrange_form)``: ``(sum w x^2)(sum w y^2) - (sum w x y)^2`` and
    ``(1/2) sum_{m,l} w_m w_l (x_m y_l - x_l y_m)^2`` (equal: Lagrange's identity, so ``gap >= 0`` for
    ``w >= 0``).  With ``x, y`` the batch curvatures of two coordinates it gives
    ``E[h_Bj h_Bk]^2 <= E[h_Bj^2] E[h_Bk^2]``, hence ``(hbar_j + hbar_k)/E[h_Bj h_Bk] >= min_j 2 hbar_j/E[h_Bj^2]``."""
    w = sp.symbols(f"w1:{terms + 1}", nonnegative=True)
    x = sp.symbols(f"x1:{terms + 1}", real=True)
    y = sp.symbols(f"y1:{terms + 1}", real=True)
    sxx = sum(wi * xi**2 for wi, xi in zip(w, x))
    syy = sum(wi * yi**2 for wi, yi in zip(w, y))
    sxy = sum(wi * xi * yi for wi, xi, yi in zip(w, x, y))
    lagrange = sp.Rational(1, 2) * sum(w[m] * w[k] * (x[m] * y[k] - x[k] * y[m]) ** 2
                                       for m in range(terms) for k in range(terms))
    return sxx * syy - sxy**2, lagrange


def scalar_limit():
    """``d = 1`` at a regular minimum, curvature ``h``, ``m2 = E[h_B^2]``, gradient variance ``G``.

    Returns a dict of SymPy expressions: ``limit`` ``s = a p G/(2h - a m2)`` solving
    ``s = E[(1 - a h_B)^2] s + a^2 p G`` (Thm 5); ``loss`` ``h s / 2`` and ``gradient`` ``h^2 s``
    (Cor 1, with the Taylor expansion ``L(theta*) + (1/2) h x^2``); ``derivative`` ``ds/da``;
    ``small_step`` ``lim_{a->0} s/a``; ``threshold`` ``a* = 2h/m2``; ``boundary_multiplier``
    ``E[(1 - a* h_B)^2]`` (equal to 1, so ``s_t = s_0 + t a*^2 p G``: linear growth).
    """
    a, h, m2, G, p, s = sp.symbols("alpha h m2 G p s", positive=True)
    multiplier = 1 - 2 * a * h + a**2 * m2
    fixed_point = sp.expand(s - (multiplier * s + a**2 * p * G))  # linear in s
    limit = sp.factor(sp.cancel(-fixed_point.subs(s, 0) / sp.diff(fixed_point, s)))
    threshold = 2 * h / m2
    return {"limit": limit, "loss": sp.factor(h * limit / 2), "gradient": sp.factor(h**2 * limit),
            "derivative": sp.factor(sp.cancel(sp.diff(limit, a))), "small_step": sp.cancel(limit / a).subs(a, 0),
            "threshold": threshold, "boundary_multiplier": sp.cancel(multiplier.subs(a, threshold)),
            "symbols": (a, h, m2, G, p)}


def formulas():
    """``(claim id, equation, name, expression)`` for the LaTeX export."""
    alpha, lam = sp.Symbol("alpha", positive=True), sp.Symbol("lambda_max", positive=True)
    bounded, _ = mean_stability_interval()
    root, m2 = rank_one_step_bound()
    limit = scalar_limit()
    return [
        ("mm-theorem-1", "MM Thm 1", "mean of linearized SGD bounded iff alpha <= 2/lambda_max(H)",
         sp.LessThan(alpha, 2 / lam)),
        ("mm-theorem-1", "MM Thm 1", "supremum of the bounded step sizes of one eigen-direction",
         sp.Eq(sp.Symbol("alpha_sup"), bounded.sup.subs(sp.Symbol("lambda", positive=True), lam), evaluate=False)),
        ("mm-theorem-2", "MM eq 25", "rank-one necessary condition", sp.LessThan(alpha, root)),
        ("mm-theorem-2", "MM eq 25", "second moment of q_B", sp.Eq(sp.Symbol("E[q_B^2]"), m2, evaluate=False)),
        ("mm-theorem-4", "MM Thm 4", "extra noise E[g_B g_B^T] / G", gradient_noise_second_moment()),
        ("mm-theorem-4", "MM Thm 4", "null-space random walk slope",
         alpha**2 * P_MIX * sp.Symbol("tr(P_N G)")),
        ("mm-corollary-1", "MM Thm 5", "scalar limit second moment", sp.Eq(sp.Symbol("s_inf"), limit["limit"],
                                                                        evaluate=False)),
        ("mm-corollary-1", "MM Cor 1", "scalar limit loss excess", sp.Eq(sp.Symbol("ell_inf"), limit["loss"],
                                                                       evaluate=False)),
        ("mm-corollary-1", "MM Cor 1", "d s_inf / d alpha", limit["derivative"]),
    ]
