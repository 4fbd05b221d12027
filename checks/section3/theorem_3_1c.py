"""theorem-3.1c: no critical point of ``L_R`` has zero loss.

Claim.  At every critical point of ``L_R``::

    L(W) = sum_h (1 - lambda_h^L)^2 (w*_h)^2        (lambda_h = 0 where W_h = 0),

hence ``L(W) > 0`` whenever ``W* != 0``: every ``lambda_h < 1`` because
``P(|w*|^{1/L}) = (|w*|^{2/L} + eta^2)^{L-1} - |w*|^{2(L-1)/L} > 0``.

Evidence.  Symbolic: the formula derived by substituting eq 13 into the loss
(:func:`derivations.landscape.critical_point_values.loss_at_critical_point`) and ``P(|w*|^{1/L})``
with positive coefficients.  High precision: the formula equals :func:`numeric.model.loss` at every
enumerated critical point (:mod:`numeric.critical_points.enumeration`, ``d = 2``, 50 digits) and the
minimum loss over the critical set is positive.  Negative controls: wrong powers of ``lambda``.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from derivations.landscape import critical_point_values
from derivations.landscape.coordinate_model import eta, lam, m
from numeric import model
from numeric.critical_points import enumeration

from ..controls import negative_control_evidence
from ..framework import Evidence, claim
from .depths import depths_for_mode
from .precise_evaluation import rational_to_mpf

theorem_3_1c = claim(
    "theorem-3.1c",
    "No zero loss at critical points",
    "At every critical point of L_R, L(W) = sum_h (1 - lambda_h^L)^2 (w*_h)^2 (lambda_h = 0 where W_h = 0); "
    "hence L(W) > 0 whenever W* != 0.",
    notes="Derived by substituting eq 13 into the loss; lambda < 1 because P(|w*|^{1/L}) = (|w*|^{2/L}+eta^2)^{L-1} "
          "- |w*|^{2(L-1)/L} > 0.",
    section="3",
    order=31.3,
)


def loss_formula_check(power=None, depths=(2, 3, 4)) -> tuple:
    """Candidate ``L = sum_h m_h^2 (1 - lambda_h^power)^2`` (power ``L`` if None) against ``model.loss`` at every enumerated point.

    Every critical point of ``d = 2`` networks with ``w* = (1.3, -0.4)`` (``-0.2`` for ``L = 2``), ``eta = 0.5``, 50 digits.
    """
    worst, n_points = mpmath.mpf(0), 0
    symbolic_match = True
    for L in depths:
        candidate = critical_point_values.loss_at_critical_point(L, power=(L if power is None else power(L)))
        derived = critical_point_values.loss_at_critical_point(L)
        symbolic_match &= sp.simplify(sp.expand(candidate - derived)) == 0
        candidate_loss = sp.lambdify((lam, m), candidate, "mpmath")
        wstar = ["1.3", "-0.4"] if L > 2 else ["1.3", "-0.2"]
        per_coordinate = [enumeration.coordinate_critical_points(L, "0.5", w, digits=50) for w in wstar]
        with mpmath.workdps(50):
            for p in per_coordinate[0]:
                for q in per_coordinate[1]:
                    W = np.array([[x, y] for x, y in zip(p.w_mp, q.w_mp)], dtype=object)
                    wstar_mp = np.array([rational_to_mpf(Fraction(w)) for w in wstar], dtype=object)
                    numeric_loss = model.loss(W, wstar_mp)
                    predicted = sum(candidate_loss(point.lam, abs(rational_to_mpf(Fraction(w))))
                                    for point, w in zip((p, q), wstar))
                    worst = max(worst, abs(numeric_loss - predicted) / (1 + abs(numeric_loss)))
                    n_points += 1
    return bool(symbolic_match) and worst < mpmath.mpf("1e-40"), {"symbolic_match": bool(symbolic_match),
                                                                  "max_rel_error": float(worst), "points": n_points}


# --- symbolic ------------------------------------------------------------------

@theorem_3_1c.method("symbolic", "loss-at-critical-points-and-lambda-below-one")
def loss_at_critical_points_and_lambda_below_one(ctx):
    rows = []
    x = sp.Symbol("x", positive=True)
    for L in depths_for_mode(ctx):
        derived = critical_point_values.loss_at_critical_point(L)
        same = sp.expand(derived - m ** 2 * (1 - lam ** L) ** 2) == 0
        gap = sp.Poly(sp.expand((x + eta ** 2) ** (L - 1) - x ** (L - 1)), x, eta)
        rows.append({"L": L, "derived": str(sp.factor(derived)), "equals_m2_(1-lambda^L)^2": bool(same),
                     "P(m^(1/L)) has positive coefficients": all(c > 0 for c in gap.coeffs())})
    ok = all(r["equals_m2_(1-lambda^L)^2"] and r["P(m^(1/L)) has positive coefficients"] for r in rows)
    return Evidence("symbolic", ok, {"depths": rows})


# --- high precision --------------------------------------------------------------

@theorem_3_1c.method("high-precision", "model-loss-at-enumerated-critical-points")
def model_loss_at_enumerated_critical_points(ctx):
    ok, detail = loss_formula_check(depths=(2, 3) if ctx.quick else ((2, 3, 4, 5) if ctx.thorough else (2, 3, 4)))
    # positivity: the minimum loss over all enumerated points is > 0
    minima = []
    for L in ((2, 3) if ctx.quick else (2, 3, 5)):
        points = enumeration.critical_points(L, "0.5", ["1.3", "-0.4"], digits=30)
        minima.append({"L": L, "min_loss": min(p.loss for p in points), "points": len(points)})
    ok &= all(r["min_loss"] > 0 for r in minima)
    return Evidence("high-precision", ok, {**detail, "minimum_loss": minima, "digits": 50})


# --- negative controls -------------------------------------------------------------

@theorem_3_1c.method("negative-control", "wrong-powers")
def wrong_power_controls(ctx):
    variants = []
    for name, power in [("lambda^(L-1)", lambda L: L - 1), ("lambda^(L+1)", lambda L: L + 1),
                        ("lambda^1", lambda L: 1)]:
        ok, detail = loss_formula_check(power=power, depths=(2, 3))
        variants.append({"name": f"(1 - {name})^2 |w*|^2", "rejected": not ok, **detail})
    return negative_control_evidence(variants)
