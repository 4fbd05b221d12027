"""Appendix C of the main paper (proofs for Section 4), symbolically: Lemmas C.1, C.2 and the rate of Theorem 4.2.

Everything is per coordinate (the model separates by coordinate), in the symbols of
:func:`derivations.marginalized.coordinate_symbols`; ``Q_{-S} = prod_{k not in S}(w_k^2 + eta^2)``,
``pi_{-S} = prod_{k not in S} w_k``; ``R`` includes the constant ``eta^{2L}`` (eq 7).

* **Lemma C.2** (reconstructed from its proof: "expanding the product ... comparison with the
  representation (7) for R"): for ``S`` a strict subset of the layers,
  ``eta^{2(L-|S|)} prod_{l in S} w_l^2 <= R`` (``frobenius``),
  ``eta^{2(L-|S|)} prod_{l in S} (w_l^2 + eta^2) <= R`` (``shifted``), and for every ``S``
  ``eta^{2(L-|S|)} [prod_S (w_l^2 + eta^2) - prod_S w_l^2] <= R`` (``difference``, eq 43's form).
  Each gap ``R - lhs`` *is* the sum of the terms of eq 7 that the left side does not use
  (:func:`lemma_c2_gap_as_subset_sum`), hence non-negative; the constant 1 is sharp
  (:func:`lemma_c2_tight_ratio`).  Summing over coordinates gives the Frobenius-norm (and
  trace) statements; ``R`` may be replaced by ``L_R = L + R`` since ``L >= 0``.
* **Lemma C.1** (reading of the garbled summary, unconfirmed):
  ``||Hess L_R(W)||_op <= sqrt(L)(7 sqrt(L) + 2) L_R(W) / eta^2``.  It dominates the suite's
  proven bound of :mod:`derivations.dynamics.hessian` (:func:`reading_dominates_proven_bound`),
  so it holds.  Beyond the paper: on balanced points ``w_l = t`` the Hessian is
  ``(2 q^{L-1} - b) I + b 1 1^T`` (:func:`balanced_hessian_structure`), which reduces the best
  constant to a two-variable maximum (:func:`balanced_ratio_expressions`); at ``w* = 0`` it is
  ``(2L-1)^2 / (4(L-1))`` (:func:`zero_target_balanced_supremum`), for ``L = 2`` at the
  origin ``1 + sqrt 2`` (:func:`two_layer_origin_supremum`).
* **Rate of Theorem 4.2**: the per-coordinate identity
  ``L_R - s eta dL_R/dw_l = (w* - pi + s eta pi_{-l})^2 + (w_l - s eta)^2 (Q_{-l} - pi_{-l}^2)``
  (:func:`gradient_bound_proof`) gives ``eta^2 ||grad L_R||^2 <= L L_R^2`` (equality at
  ``w* = 0, w_l = +-eta``), so under the step bound the first-step ratio of the rate is at most
  ``2 delta (1-delta) L / K`` (:func:`first_step_ratio_bound`); on the invariant axis
  (``w* = 0``, one layer nonzero) ``L_R`` is an exact quadratic and one GD step with
  ``alpha = 1/(2 eta^{2(L-1)})`` makes the strong-descent condition an equality
  (:func:`axis_run_proof`): the rate's constant 1 is sharp for runs satisfying eq 19.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import combinations

import sympy as sp

from .dynamics.gradient import Q_excluding, gradient_closed_form, is_nonnegative_polynomial, pi_excluding
from .dynamics.hessian import hessian_bound, hessian_bound_paper_reading, hessian_closed_form
from .marginalized import coordinate_symbols, marginalized_loss, prove_identity, regularizer_closed_form

__all__ = [
    "LEMMA_C2_KINDS",
    "layer_subsets",
    "lemma_c2_left_side",
    "lemma_c2_gap_as_subset_sum",
    "lemma_c2_masked_left_side",
    "lemma_c2_proof",
    "lemma_c2_tight_ratio",
    "lemma_c1_reading",
    "reading_dominates_proven_bound",
    "reconstructed_split",
    "balanced_hessian_structure",
    "balanced_ratio_expressions",
    "zero_target_balanced_supremum",
    "two_layer_origin_supremum",
    "gradient_bound_proof",
    "first_step_ratio_bound",
    "axis_run_proof",
    "formulas",
]

#: The three forms of Lemma C.2 (see the module docstring).
LEMMA_C2_KINDS = ("frobenius", "shifted", "difference")

_T = sp.Symbol("t", nonnegative=True)


def layer_subsets(L: int, strict: bool = True) -> list:
    """Every subset ``S`` of the 0-based layers ``0..L-1`` (strict subsets only if ``strict``)."""
    top = L - 1 if strict else L
    return [S for k in range(top + 1) for S in combinations(range(L), k)]


def lemma_c2_left_side(L: int, S, kind: str = "frobenius", factor=1) -> sp.Expr:
    """The left side of Lemma C.2 for the layers ``S`` (0-based), one coordinate, times ``factor``.

    ``frobenius``: ``eta^{2(L-|S|)} prod_S w_l^2``; ``shifted``: ``eta^{2(L-|S|)} prod_S (w_l^2 + eta^2)``;
    ``difference``: ``eta^{2(L-|S|)} [prod_S (w_l^2 + eta^2) - prod_S w_l^2]`` (eq 43).  ``factor > 1``
    makes the inequality too strong (negative controls).
    """
    if kind not in LEMMA_C2_KINDS:
        raise ValueError(f"kind must be one of {LEMMA_C2_KINDS}, got {kind!r}")
    s = coordinate_symbols(L)
    scale = s.eta ** (2 * (L - len(S)))
    squares = sp.Mul(*[s.w[l] ** 2 for l in S])
    shifted = sp.Mul(*[s.w[l] ** 2 + s.eta ** 2 for l in S])
    body = {"frobenius": squares, "shifted": shifted, "difference": shifted - squares}[kind]
    return factor * scale * body


def lemma_c2_masked_left_side(L: int, kind: str = "frobenius"):
    """Lemma C.2's left side for every ``S`` at once: ``S`` is the mask ``m_l in {0, 1}`` (``m_l = 1`` iff ``l in S``).

    ``eta^{2(L - sum m)} prod_l (m_l x_l + 1 - m_l)`` with ``x_l = w_l^2`` (``frobenius``) or
    ``w_l^2 + eta^2`` (``shifted``), and their difference (``difference``).  Substituting the mask of ``S``
    gives :func:`lemma_c2_left_side` (checked in :func:`lemma_c2_proof`).  Returns ``(expr, masks)``.
    """
    if kind not in LEMMA_C2_KINDS:
        raise ValueError(f"kind must be one of {LEMMA_C2_KINDS}, got {kind!r}")
    s = coordinate_symbols(L)
    m = sp.symbols(f"m_1:{L + 1}", nonnegative=True)
    scale = s.eta ** (2 * (L - sp.Add(*m)))

    def selected(x):
        return sp.Mul(*[mi * xi + 1 - mi for mi, xi in zip(m, x)])

    squares = selected([w ** 2 for w in s.w])
    shifted = selected([w ** 2 + s.eta ** 2 for w in s.w])
    body = {"frobenius": squares, "shifted": shifted, "difference": shifted - squares}[kind]
    return scale * body, m


def lemma_c2_gap_as_subset_sum(L: int, S, kind: str = "frobenius") -> sp.Expr:
    """``sum eta^{2(L-|T|)} prod_T w_l^2`` over the strict subsets ``T`` of eq 7 the left side does not use.

    ``frobenius``: ``T != S``; ``shifted``: ``T`` not contained in ``S``; ``difference``: ``T`` not a
    strict subset of ``S``.  Lemma C.2's proof is the identity ``R - lhs = this sum``.
    """
    s = coordinate_symbols(L)
    S = frozenset(S)
    unused = {"frobenius": lambda T: T != S, "shifted": lambda T: not T <= S,
              "difference": lambda T: not T < S}[kind]
    return sp.Add(*[s.eta ** (2 * (L - len(T))) * sp.Mul(*[s.w[l] ** 2 for l in T])
                    for T in map(frozenset, layer_subsets(L)) if unused(T)])


def lemma_c2_proof(L: int) -> dict:
    """For every kind and subset: ``R - lhs`` equals :func:`lemma_c2_gap_as_subset_sum` and is non-negative.

    Subsets are strict for ``frobenius`` and ``shifted``; all subsets for ``difference``.
    Returns ``{kind: {"subsets": n, "identity": bool, "nonnegative": bool}}``.
    """
    s = coordinate_symbols(L)
    R = regularizer_closed_form(L)
    syms = list(s.w) + [s.eta]
    out = {}
    for kind in LEMMA_C2_KINDS:
        subsets = layer_subsets(L, strict=(kind != "difference"))
        identity = nonnegative = True
        masked, m = lemma_c2_masked_left_side(L, kind)
        mask_ok = True
        for S in subsets:
            gap = lemma_c2_gap_as_subset_sum(L, S, kind)
            lhs = lemma_c2_left_side(L, S, kind)
            identity &= prove_identity(R - lhs, gap)
            nonnegative &= _is_sum_of_even_monomials(gap, syms)
            mask_ok &= prove_identity(masked.subs({mi: int(i in S) for i, mi in enumerate(m)}), lhs)
        out[kind] = {"subsets": len(subsets), "identity": bool(identity), "nonnegative": bool(nonnegative),
                     "masked form": bool(mask_ok)}
    return out


def _is_sum_of_even_monomials(expr, symbols) -> bool:
    """``True`` if ``expr`` is, as built, a sum of positive multiples of even powers of ``symbols``
    (hence non-negative; zero qualifies): the certificate of
    :func:`derivations.dynamics.gradient.is_nonnegative_polynomial` read off the terms directly (a ``Poly``
    of each gap is slow at ``L = 5``)."""
    for term in sp.Add.make_args(expr):
        if term == 0:
            continue
        coefficient, factors = term.as_coeff_mul()
        if not coefficient > 0:
            return False
        for factor in factors:
            base, exponent = factor.as_base_exp()
            if base not in symbols or not (exponent.is_Integer and exponent % 2 == 0):
                return False
    return True


def lemma_c2_tight_ratio(L: int, S, kind: str = "frobenius"):
    """``lhs / R`` on the family ``w_l = t`` (``l in S``), ``w_l = 0`` otherwise, and its supremum over ``t >= 0``.

    ``frobenius``: ``(t^2/(t^2+eta^2))^{|S|}``, supremum 1 as ``t -> oo`` (not attained);
    ``shifted``: identically 1 (equality whenever every layer outside ``S`` vanishes);
    ``difference``: ``1 - (t^2/(t^2+eta^2))^{|S|}``, equal to 1 at ``t = 0`` (``W = 0``; also whenever
    every layer outside ``S`` and one layer in ``S`` vanish).
    Returns ``(ratio, supremum)``; the supremum is a limit or value computed by SymPy.
    """
    s = coordinate_symbols(L)
    if len(S) == L and kind != "difference":
        raise ValueError("S must be a strict subset of the layers for this kind")
    family = {s.w[l]: (_T if l in S else 0) for l in range(L)}
    ratio = sp.simplify(lemma_c2_left_side(L, S, kind).xreplace(family) / regularizer_closed_form(L).xreplace(family))
    if kind == "frobenius":
        supremum = sp.limit(ratio, _T, sp.oo)
    elif kind == "difference":
        supremum = sp.simplify(ratio.subs(_T, 0))
    else:
        supremum = sp.simplify(ratio)
    return ratio, supremum


# ----------------------------------------------------------------------------- Lemma C.1
def lemma_c1_reading():
    """The reading ``sqrt(L)(7 sqrt(L) + 2) c / eta^2`` of the paper's bound (unconfirmed), ``(expr, (L, c, eta))``."""
    return hessian_bound_paper_reading()


def reconstructed_split():
    """Our reconstruction of how the reading arises: ``3L`` (Hessian of ``L``, eq 41) plus
    ``sqrt(L)(4 sqrt(L) + 2)`` (Hessian of ``R``, eq 45), as ``(loss part, regularizer part, sums to reading)``.

    Only the sum is read (garbled) in the sources; the split is a plausible reconstruction of
    eqs 38-45 (per row ``3 sqrt(L) + 4 sqrt(L) + 2`` times ``L_R / eta^2``, times ``sqrt(L)`` over rows).
    """
    L = sp.Symbol("L", positive=True)
    loss_part, reg_part = 3 * L, sp.sqrt(L) * (4 * sp.sqrt(L) + 2)
    reading, (Lr, c, eta) = lemma_c1_reading()
    total = sp.simplify(reading.subs(Lr, L) * eta ** 2 / c)
    return loss_part, reg_part, sp.simplify(loss_part + reg_part - total) == 0


def reading_dominates_proven_bound():
    """``sqrt(L)(7 sqrt(L)+2) - (2 + (1+sqrt 2)(L-1))`` as a polynomial in ``s = sqrt(L)`` and whether
    every coefficient is positive (then the reading exceeds the proven constant for every ``L > 0``;
    the proven bound also subtracts ``(d-1) eta^{2L}`` from ``c``, which only lowers it)."""
    s = sp.Symbol("s", positive=True)
    M, (L, d, c, eta) = hessian_bound()
    proven_constant = sp.expand(M.subs({d: 1}) * eta ** 2 / c).subs(L, s ** 2)
    reading, (Lr, cr, er) = lemma_c1_reading()
    reading_constant = sp.expand(reading * er ** 2 / cr).subs(Lr, s ** 2)
    difference = sp.expand(reading_constant - proven_constant)
    coefficients = sp.Poly(difference, s).all_coeffs()
    return difference, all(sp.simplify(k).is_positive for k in coefficients)


def _balanced_substitution(L):
    s = coordinate_symbols(L)
    return s, {w: _T for w in s.w}


def balanced_hessian_structure(L: int) -> bool:
    """At ``w_l = t`` for all ``l``: ``Hess L_R = (2 q^{L-1} - b) I + b 1 1^T`` with ``q = t^2 + eta^2``,
    ``b = 4 t^2 q^{L-2} - 2 w* t^{L-2}`` (from :func:`derivations.dynamics.hessian.hessian_closed_form`)."""
    s, balanced = _balanced_substitution(L)
    q = _T ** 2 + s.eta ** 2
    b = 4 * _T ** 2 * q ** (L - 2) - 2 * s.wstar * _T ** (L - 2)
    expected = (2 * q ** (L - 1) - b) * sp.eye(L) + b * sp.ones(L, L)
    H = hessian_closed_form(L).xreplace(balanced)
    return all(sp.expand(H[i, j] - expected[i, j]) == 0 for i in range(L) for j in range(L))


def balanced_ratio_expressions(L: int):
    """The two eigenvalues of the balanced Hessian divided by ``L_R`` at ``eta = 1``, in ``(t, w*)``.

    ``(2 q^{L-1} + (L-1) b) / L_R`` (eigenvector ``1``) and ``(2 q^{L-1} - b) / L_R`` (multiplicity
    ``L - 1``); ``||Hess|| eta^2 / L_R`` on balanced points is the larger absolute value.  Returns
    ``((ones, orthogonal), (t, w*))``.
    """
    s, balanced = _balanced_substitution(L)
    at_one = {s.eta: 1}
    q = _T ** 2 + 1
    b = 4 * _T ** 2 * q ** (L - 2) - 2 * s.wstar * _T ** (L - 2)
    loss = marginalized_loss(L).xreplace(balanced).xreplace(at_one)
    return ((2 * q ** (L - 1) + (L - 1) * b) / loss, (2 * q ** (L - 1) - b) / loss), (_T, s.wstar)


def zero_target_balanced_supremum():
    """At ``w* = 0`` on balanced points (``u = t^2/eta^2``): ``ratio = (2 + (4L-2) u)/(1+u)^2``, maximal at
    ``u* = (2L-3)/(2L-1)`` with value ``V = (2L-1)^2/(4(L-1))``, symbolic ``L``: proven by the identity
    ``V (1+u)^2 - (2 + (4L-2) u) = V (u - u*)^2``.  Returns ``(ratio, u*, V, proven)``."""
    L, u = sp.symbols("L u", positive=True)
    ratio = (2 + (4 * L - 2) * u) / (1 + u) ** 2
    maximizer = (2 * L - 3) / (2 * L - 1)
    value = (2 * L - 1) ** 2 / (4 * (L - 1))
    proven = sp.cancel(value * (1 + u) ** 2 - (2 + (4 * L - 2) * u) - value * (u - maximizer) ** 2) == 0
    return ratio, maximizer, value, bool(proven)


def two_layer_origin_supremum():
    """``L = 2`` at ``W = 0``: ``||Hess|| eta^2 / L_R = (2 + 2 x)/(1 + x^2)`` with ``x = |w*|/eta^2``, maximal at
    ``x = sqrt 2 - 1`` with value ``1 + sqrt 2``: ``(1 + sqrt 2)(1 + x^2) - 2 - 2x = (1 + sqrt 2)(x - sqrt 2 + 1)^2``.
    Returns ``(ratio, maximizer, value, proven)``."""
    x = sp.Symbol("x", nonnegative=True)
    ratio = (2 + 2 * x) / (1 + x ** 2)
    maximizer, value = sp.sqrt(2) - 1, 1 + sp.sqrt(2)
    proven = prove_identity(value * (1 + x ** 2) - 2 - 2 * x, value * (x - maximizer) ** 2)
    return ratio, maximizer, value, bool(proven)


# ----------------------------------------------------------------------------- the rate of Theorem 4.2
def gradient_bound_proof(L: int) -> dict:
    """``L_R - s eta g_l = (w* - pi + s eta pi_{-l})^2 + (w_l - s eta)^2 (Q_{-l} - pi_{-l}^2)`` for ``s = +-1``,
    every layer, with ``Q_{-l} - pi_{-l}^2`` non-negative: hence ``eta |dL_R/dw_l| <= L_R`` per
    coordinate and ``eta^2 ||grad L_R||^2 <= L L_R^2``; equality at ``w* = 0``, ``w_l = eta``."""
    s = coordinate_symbols(L)
    LR = marginalized_loss(L)
    g = gradient_closed_form(L)
    syms = list(s.w) + [s.eta]
    pi = sp.Mul(*s.w)
    identity = nonnegative = True
    for l in range(L):
        Ql, pl = Q_excluding(s, (l,)), pi_excluding(s, (l,))
        nonnegative &= is_nonnegative_polynomial(Ql - pl ** 2, syms)
        for sign in (1, -1):
            identity &= prove_identity(LR - sign * s.eta * g[l],
                                       (s.wstar - pi + sign * s.eta * pl) ** 2
                                       + (s.w[l] - sign * s.eta) ** 2 * (Ql - pl ** 2))
    at_equality = {**{w: s.eta for w in s.w}, s.wstar: 0}
    equality = sp.expand((s.eta ** 2 * sum(gl ** 2 for gl in g) - L * LR ** 2).xreplace(at_equality)) == 0
    return {"identity": bool(identity), "Q_{-l} - pi_{-l}^2 >= 0": bool(nonnegative),
            "equality at w_l = eta, w* = 0": bool(equality)}


def first_step_ratio_bound():
    """Under ``alpha = 2 (1 - delta) / M``, ``M = K c / eta^2`` and ``eta^2 ||g||^2 <= L c^2``: the first-step
    ratio ``delta alpha ||g(0)||^2 / c <= 2 delta (1 - delta) L / K <= L / (2K)``.  Returns
    ``(bound in delta, bound at delta = 1/2, proven)`` (``delta (1 - delta) <= 1/4`` by a square)."""
    delta, L, K = sp.symbols("delta L K", positive=True)
    bound = 2 * delta * (1 - delta) * L / K
    best = bound.subs(delta, sp.Rational(1, 2))
    proven = prove_identity(best - bound, 2 * L / K * (delta - sp.Rational(1, 2)) ** 2)
    return bound, best, bool(proven)


@lru_cache(maxsize=None)
def axis_run_proof(L: int) -> dict:
    """The invariant axis ``w* = 0``, ``w_2 = .. = w_L = 0``: ``L_R = eta^{2(L-1)} w_1^2 + eta^{2L}``, the gradient's
    other components vanish, and with ``alpha = 1/(2 eta^{2(L-1)})`` one GD step from ``w_1 = A`` lands on 0 with
    ``f(A) - f(0) = alpha f'(A)^2 / 2`` (eq 19 with ``delta = 1/2`` as an equality); the first-step ratio of the
    rate is ``A^2 / (A^2 + eta^2)``.  Returns the proofs and the ratio."""
    s = coordinate_symbols(L)
    A = sp.Symbol("A", positive=True)
    axis = {**{w: 0 for w in s.w[1:]}, s.wstar: 0}
    f = sp.expand(marginalized_loss(L).xreplace(axis))
    g = [sp.expand(gl.xreplace(axis)) for gl in gradient_closed_form(L)]
    quadratic = prove_identity(f, s.eta ** (2 * (L - 1)) * s.w[0] ** 2 + s.eta ** (2 * L))
    alpha = 1 / (2 * s.eta ** (2 * (L - 1)))
    step = sp.simplify(A - alpha * g[0].subs(s.w[0], A))
    f_at = lambda x: f.subs(s.w[0], x)  # noqa: E731
    descent_equality = sp.simplify(f_at(A) - f_at(step) - alpha * g[0].subs(s.w[0], A) ** 2 / 2) == 0
    ratio = sp.simplify(sp.Rational(1, 2) * alpha * g[0].subs(s.w[0], A) ** 2 / f_at(A))
    return {"L_R quadratic on the axis": bool(quadratic), "axis invariant": all(x == 0 for x in g[1:]),
            "one step lands on 0": step == 0, "strong descent equality (delta = 1/2)": bool(descent_equality),
            "first-step ratio": ratio}


def formulas(L: int = 3) -> list:
    """The Appendix C formulas for LaTeX export: ``(claim id, equation, name, expression)``."""
    reading, _ = lemma_c1_reading()
    _, _, value, _ = zero_target_balanced_supremum()
    S = tuple(range(L - 1))
    R = sp.Function("R")(*coordinate_symbols(L).w)
    ratio_bound, _, _ = first_step_ratio_bound()
    return [
        ("lemma-C.1", "", "the reading of the bound M >= sup ||Hess L_R|| over {L_R <= c}",
         sp.Eq(sp.Symbol("M"), reading, evaluate=False)),
        ("lemma-C.1", "", "best constant at w* = 0 on balanced points (lower bound on the best constant)",
         sp.Eq(sp.Symbol("C_0"), value, evaluate=False)),
        ("lemma-C.2", "7", f"product of layers {[l + 1 for l in S]} bounded by R",
         sp.LessThan(lemma_c2_left_side(L, S, "frobenius"), R, evaluate=False)),
        ("lemma-C.2", "43", f"shifted product of layers {[l + 1 for l in S]} bounded by R",
         sp.LessThan(lemma_c2_left_side(L, S, "shifted"), R, evaluate=False)),
        ("theorem-4.2-rate", "19", "first-step ratio rho_1 = delta alpha ||g_0||^2 / c under the step bound",
         sp.LessThan(sp.Symbol("rho_1"), ratio_bound, evaluate=False)),
    ]
