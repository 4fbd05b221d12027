"""lemma-3.2: balanced factorizations minimize the average sharpness and the Hessian trace (corrected).

Claim.  Over all diagonal factorizations ``W_L ... W_1 = M``, both ``S_avg = R`` and
``tr Hess L = 2 sum_l ||prod_{k != l} W_k||_F^2`` attain their minima::

    R_min = sum_h [(|m_h|^{2/L} + eta^2)^L - m_h^2],      T_min = 2L sum_h |m_h|^{2(L-1)/L},

iff ``W_l^2 = W_{l+1}^2``.  Corrected: the "only if" for ``tr Hess L`` needs ``m_h != 0`` (or
``L = 2``); for ``L >= 3`` and ``m_h = 0`` the trace minimum 0 is attained exactly when at least
two layers vanish at ``h``, e.g. ``W = (0, 0, 5)``.  For ``R`` the statement holds as stated.

Evidence.  Symbolic: the trace identity, the Lagrange conditions in ``t = log w^2`` and the
minima at the balanced factorization (:mod:`derivations.landscape.factorizations`), and the
counterexample.  High precision: the balanced factorization attains the minima in
:mod:`numeric.model` at 50 digits and random factorizations never beat it.  Negative controls:
an unbalanced factorization claimed minimal, wrong closed-form minima, the uncorrected claim.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from derivations.landscape import factorizations
from derivations.landscape.coordinate_model import Ls, eta, m
from derivations.marginalized import coordinate_symbols, prove_identity, regularizer_closed_form
from numeric import model

from ..controls import negative_control_evidence
from ..framework import Evidence, claim
from .depths import depths_for_mode
from .precise_evaluation import evaluate_at

lemma_3_2 = claim(
    "lemma-3.2",
    "Balancing minimizes average sharpness and the Hessian trace",
    "Over all diagonal factorizations W_L...W_1 = M, S_avg = R and tr Hess L = 2 sum_l ||prod_{k != l} W_k||_F^2 "
    "attain their minima sum_h [(|m_h|^{2/L} + eta^2)^L - m_h^2] and 2L sum_h |m_h|^{2(L-1)/L} iff W_l^2 = W_{l+1}^2.",
    notes="Corrected claim: the 'only if' for tr Hess L needs m_h != 0 (or L = 2). For L >= 3 and m_h = 0 the "
          "minimum 0 is attained exactly when at least two layers vanish at h, e.g. W = (0, 0, 5) (trace 0, not "
          "balanced). For R the statement holds as stated (m_h = 0: minimum eta^{2L} only at W_h = 0).",
    section="3",
    order=32,
)


def minima_at_depth(L, minima=None) -> dict:
    """The candidate minima (``{"R_min": expr, "trace_min": expr}``, symbolic ``L`` allowed) at depth ``L``.

    ``None``: the derived :func:`derivations.landscape.factorizations.factorization_minima` (symbolic ``L``).
    """
    candidate = factorizations.factorization_minima(None) if minima is None else minima
    return {k: sp.sympify(v).subs(Ls, L) for k, v in candidate.items()}


def minima_symbolic_check(L, minima=None) -> tuple:
    """Do the candidate minima equal ``R`` and ``tr Hess L`` at the balanced factorization, symbolically?

    Substitutes ``w_l = m^(1/L)`` (``m > 0``) into ``R`` (Lemma 2.2,
    :func:`derivations.marginalized.regularizer_closed_form`) and into the trace of the Hessian of
    the loss (:func:`derivations.landscape.factorizations.hessian_trace_loss`) and requires
    ``expand(value - candidate) == 0``.
    """
    candidate = minima_at_depth(L, minima)
    symbols = coordinate_symbols(L)
    balanced = {w: m ** sp.Rational(1, L) for w in symbols.w}
    values = {"R_min": regularizer_closed_form(L).xreplace(balanced),
              "trace_min": factorizations.hessian_trace_loss(L)[0].xreplace(balanced)}
    differences = {k: sp.expand(values[k] - candidate[k]) for k in ("R_min", "trace_min")}
    return all(d == 0 for d in differences.values()), {"L": L, **{f"{k}_minus_value_at_balanced": str(d)
                                                                  for k, d in differences.items()}}


def factorization_minimum_check(L, eta_value, m_value, W, which="R", minima=None) -> tuple:
    """Is ``W`` (a factorization of ``m``, shape (L,)) a minimizer of ``R`` (or of the trace) over F(m)?

    Compares ``model.regularizer`` / ``trace(model.hessian_loss)`` at ``W`` (50
    digits) with the candidate minimum (``minima``: ``{"R_min": expr, "trace_min": expr}`` in
    ``eta``, ``m`` and possibly the symbolic ``L``; default the derived
    :func:`derivations.landscape.factorizations.factorization_minima`); a minimizer matches to 1e-40.
    """
    with mpmath.workdps(50):
        W_mp = np.array([[mpmath.mpf(x)] for x in W], dtype=object)
        eta_mp, m_mp = mpmath.mpf(str(eta_value)), mpmath.mpf(str(m_value))
        candidate = minima_at_depth(L, minima)
        if which == "R":
            value = model.regularizer(W_mp, eta_mp)
            minimum = evaluate_at(candidate["R_min"], {eta: eta_value, m: abs(m_mp)}, 50)
        else:
            value = sum(model.hessian_loss(W_mp, np.array([m_mp], dtype=object))[0][l, l] for l in range(L))
            minimum = evaluate_at(candidate["trace_min"], {eta: eta_value, m: abs(m_mp)}, 50)
        gap = (value - minimum) / (1 + abs(minimum))
    return abs(gap) < mpmath.mpf("1e-40"), {"value": float(value), "minimum": float(minimum),
                                            "relative_gap": float(gap)}


def wrong_minima():
    """Wrong closed-form minima (symbolic ``L``), each replacing one of the derived minima."""
    balanced_square = m ** (2 / Ls)
    derived = factorizations.factorization_minima(None)
    return [
        ("R_min without the -m^2 term", {**derived, "R_min": (balanced_square + eta ** 2) ** Ls}),
        ("R_min with exponent L-1", {**derived, "R_min": (balanced_square + eta ** 2) ** (Ls - 1) - m ** 2}),
        ("trace_min = 2L m^(2L/(L-1))", {**derived, "trace_min": 2 * Ls * m ** (2 * Ls / (Ls - 1))}),
        ("trace_min = L m^(2(L-1)/L)", {**derived, "trace_min": Ls * m ** (2 * (Ls - 1) / Ls)}),
    ]


# --- symbolic ------------------------------------------------------------------

@lemma_3_2.method("symbolic", "trace-identity-lagrange-minima")
def trace_identity_lagrange_minima(ctx):
    rows = [{"L": L, "trace_identity": prove_identity(*factorizations.hessian_trace_loss(L))}
            for L in depths_for_mode(ctx)]
    lagrange = factorizations.lagrange_balancing(3)
    lagrange_ok = all(len(v["stationary_t"]) == 1 and v["second"].is_positive for v in lagrange.values())
    minima = factorizations.factorization_minima(None)
    minima_rows = []
    for L in depths_for_mode(ctx):
        minima_ok, minima_detail = minima_symbolic_check(L)
        minima_rows.append({**minima_detail, "passed": minima_ok})
    # counterexample for the uncorrected claim, L = 3, m = 0: W = (0, 0, 5)
    symbols = coordinate_symbols(3)
    trace, closed = factorizations.hessian_trace_loss(3)
    trace_at_counterexample = trace.subs({symbols.w[0]: 0, symbols.w[1]: 0, symbols.w[2]: 5, symbols.wstar: 0})
    # corrected: with m = 0 the trace vanishes iff at least two layers vanish
    trace_with_one_zero_layer = sp.simplify(closed.subs(symbols.w[0], 0))
    ok = (all(r["trace_identity"] for r in rows) and lagrange_ok and trace_at_counterexample == 0
          and trace_with_one_zero_layer != 0 and all(r["passed"] for r in minima_rows))
    return Evidence("symbolic", bool(ok), {
        "depths": rows, "minima_at_balanced_factorization": minima_rows,
        "lagrange": {k: {"stationary_t": [str(s) for s in v["stationary_t"]], "second_derivative": str(v["second"])}
                     for k, v in lagrange.items()},
        "R_min": str(minima["R_min"]), "trace_min": str(minima["trace_min"]),
        "counterexample": {"L": 3, "W": [0, 0, 5], "m": 0, "trace": str(trace_at_counterexample), "balanced": False},
        "trace_with_one_zero_layer": str(trace_with_one_zero_layer)})


# --- high precision --------------------------------------------------------------

@lemma_3_2.method("high-precision", "random-factorizations-never-beat-balanced")
def random_factorizations_never_beat_balanced(ctx):
    rng = np.random.default_rng(ctx.seed_for("lemma-3.2"))
    n = ctx.size(2000, quick=300, thorough=20000)
    rows, ok = [], True
    for L in (2, 3, 4, 6):
        for m_value, eta_value in ((1.7, 0.5), (-0.3, 1.1)):
            with mpmath.workdps(60):
                root = mpmath.root(abs(mpmath.mpf(str(m_value))), L)
                balanced = [root] * (L - 1) + [root if m_value > 0 else -root]
            attains_R, R_detail = factorization_minimum_check(L, eta_value, m_value, balanced, "R")
            attains_trace, trace_detail = factorization_minimum_check(L, eta_value, m_value, balanced, "trace")
            # random factorizations, vectorized as n coordinates of one network
            factors = (np.exp(rng.normal(scale=0.7, size=(L - 1, n)))
                       * rng.choice([-1.0, 1.0], size=(L - 1, n)))
            last = m_value / np.prod(factors, axis=0)
            W = np.vstack([factors, last[None, :]])
            wstar = np.full(n, m_value)
            R_values = np.array([model.regularizer(W[:, i:i + 1], eta_value) for i in range(n)])
            trace_values = np.trace(model.hessian_loss(W, wstar), axis1=1, axis2=2)
            R_excess = np.min((R_values - R_detail["minimum"]) / R_detail["minimum"])
            trace_excess = np.min((trace_values - trace_detail["minimum"]) / trace_detail["minimum"])
            good = attains_R and attains_trace and R_excess > -1e-12 and trace_excess > -1e-12
            ok &= good
            rows.append({"L": L, "m": m_value, "eta": eta_value, "samples": n, "balanced_attains_R_min": attains_R,
                         "balanced_attains_trace_min": attains_trace, "min_relative_excess_R": float(R_excess),
                         "min_relative_excess_trace": float(trace_excess)})
    return Evidence("high-precision", ok, {"cases": rows, "seed": ctx.seed_for("lemma-3.2"),
                    "sampling": "w_1..w_{L-1} = +-exp(0.7 N(0,1)), w_L = m / prod"})


# --- negative controls -------------------------------------------------------------

@lemma_3_2.method("negative-control", "unbalanced-claimed-minimal-and-wrong-minima")
def unbalanced_and_wrong_minima_controls(ctx):
    variants = []
    L, eta_value, m_value = 3, 0.5, 1.7
    with mpmath.workdps(60):
        root = mpmath.cbrt(mpmath.mpf("1.7"))
    unbalanced = [2 * root, root / 2, root]
    for which in ("R", "trace"):
        ok, detail = factorization_minimum_check(L, eta_value, m_value, unbalanced, which)
        variants.append({"name": f"unbalanced (2a, a/2, a) claimed to minimize {which}", "rejected": not ok,
                         **detail})
    # wrong closed-form minima through the same checks as the derived ones (balanced point, L = 3)
    balanced = [root, root, root]
    for name, candidate in wrong_minima():
        which = "R" if name.startswith("R_min") else "trace"
        ok, detail = factorization_minimum_check(L, eta_value, m_value, balanced, which, minima=candidate)
        symbolic_ok, _ = minima_symbolic_check(L, minima=candidate)
        variants.append({"name": name, "rejected": not ok and not symbolic_ok, "rejected_numerically": not ok,
                         "rejected_symbolically": not symbolic_ok, **detail})
    # the uncorrected 'only if' for the trace with m = 0, L = 3
    with mpmath.workdps(30):
        W = np.array([[mpmath.mpf(0)], [mpmath.mpf(0)], [mpmath.mpf(5)]], dtype=object)
        trace = sum(model.hessian_loss(W, np.array([mpmath.mpf(0)], dtype=object))[0][l, l] for l in range(3))
    variants.append({"name": "uncorrected: every trace minimizer of m = 0 (L = 3) is balanced",
                     "rejected": trace == 0, "counterexample": [0, 0, 5], "trace": float(trace)})
    return negative_control_evidence(variants)
