"""Claim ``sharpness-gradient-flow``: gradient flow from small initialization ends near the flattest
minimizer (Marion & Chizat 2024, eq 4, Cor 2; CLAIMS.md, sharpness-minimizers).

Gradient flow ``dW/dt = -grad R`` on a dense deep linear network from small initialization
converges to a minimizer ``W_GF`` with

    lower_bound <= S(W_GF) <= (Lambda/(u^T Sigma u) + L - 1)/L * lower_bound <= kappa(Sigma) * lower_bound,

    lower_bound = 2 L (w*^T Sigma w*) / a^{2/L}     (a = ||w*||, u = w*/a, Lambda = lambda_max(Sigma));

it ends at the balanced rank-one minimizer, whose sharpness ``2 a^{2-2/L} lambda_max((I + (L-1) u u^T) Sigma)``
it matches (whitened: exactly the minimal sharpness).  The paper's constant in Cor 2 was lost in
extraction; the factor verified is the derived one (``derivations.related.gradient_flow_factor``,
the balanced minimizer's upper bound over the lower bound).  Tolerances from an error analysis: the
flow conserves the layer imbalances ``W_{k+1}^T W_{k+1} - W_k W_k^T``, so its end point's layer norms differ
from balanced by a relative ``delta`` (:func:`checks.related.gradient_flow_runs.conserved_imbalance`,
~1e-4 at initialization scale 1e-2), which moves the sharpness by at most about ``delta`` (each of the
``L`` terms ``prod_{j!=k} ||W_j||^2`` of ``J J^T`` moves by ``delta``); the check allows
:data:`IMBALANCE_FACTOR` ``delta`` (measured at most 0.6 ``delta``).  Below the lower bound: the certified ODE
slack (:func:`numeric.sharpness.minimizer_bounds.lower_bound_slack`, ~1e-15) plus the rounding of
``eigvalsh`` (``10 P eps``, ``P`` parameters).

Methods: symbolic (the factor by SymPy, compared with the numeric one), high precision (the flow's
end points, both sides), negative controls (wrong factors and bounds through
:func:`check_gradient_flow_factor` with the same tolerances).
"""
from __future__ import annotations

import numpy as np

from derivations import related as related_derivations
from numeric.sharpness import minimizer_bounds

from ..controls import boundary_control_evidence
from ..framework import DETERMINISTIC, Evidence, claim
from .gradient_flow_runs import gradient_flow_cases, gradient_flow_measurements

__all__ = ["sharpness_gradient_flow", "check_gradient_flow_factor", "IMBALANCE_FACTOR", "EIGVALSH_ROUNDING"]

#: The end point may differ from the balanced minimizer's sharpness by this many conserved imbalances.
IMBALANCE_FACTOR = 3.0
#: ``eigvalsh`` of a symmetric ``P x P`` matrix: eigenvalues within ``c P eps ||H||`` (``c`` taken as 10).
EIGVALSH_ROUNDING = 10 * np.finfo(float).eps

sharpness_gradient_flow = claim(
    "sharpness-gradient-flow",
    "Gradient flow from small initialization ends near the flattest minimizer (Marion & Chizat, Cor 2)",
    statement="""
        Gradient flow dW/dt = -grad R from small initialization converges to a minimizer whose sharpness is at most
        (Lambda/(u^T Sigma u) + L - 1)/L <= kappa(Sigma) times the lower bound 2 L (w*^T Sigma w*)/a^{2/L}; it ends at
        the balanced rank-one minimizer, whose sharpness 2 a^{2-2/L} lambda_max((I+(L-1)uu^T) Sigma) it matches
        (whitened: exactly the minimal sharpness).
        """,
    section="Related results (seed 003)", order=92, equations=("MC eq 4", "MC Cor 2"),
    false_failure_budget=DETERMINISTIC,
    notes="""
        The paper's constant in Cor 2 was lost in extraction; the factor verified is the derived one, (Lambda/(u^T
        Sigma u) + L - 1)/L <= kappa (numeric.sharpness.gradient_flow_factor, derived in
        derivations.related.gradient_flow_factor as the balanced rank-one minimizer's upper bound over the lower
        bound). The end point matches the balanced minimizer's sharpness within 3 conserved imbalances (~1e-4 relative
        at initialization scale 1e-2; was a fixed 2% at scale 5e-2); below, the end point must reach the lower bound
        up to the certified ODE slack (numeric.sharpness.lower_bound_slack, ~1e-15) plus the rounding of eigvalsh.
        Targets are drawn so that the balanced minimizer is >= 10% above the lower bound for kappa > 1, so a control
        claiming the flow reaches the bound is rejected on every seed.
        """,
)


@sharpness_gradient_flow.method("symbolic", "derived-factor")
def derived_factor_symbolic(ctx):
    """SymPy: J J^T at the balanced rank-one minimizer is a^{2-2/L}(I + (L-1) u u^T) (differentiated), and the
    factor upper/lower built from it equals (Lambda/q + L - 1)/L for symbolic L; compared with
    numeric.sharpness.gradient_flow_factor (and with upper_bound/lower_bound) on the flow's problems."""
    import sympy as sp

    a, Lam, q, L_symbol = sp.symbols("a Lambda q", positive=True) + (sp.Symbol("L", positive=True),)
    general, _, _ = related_derivations.gradient_flow_factor()
    closed = (Lam / q + L_symbol - 1) / L_symbol
    rows, ok = [], bool(sp.simplify(general - closed) == 0)
    for L in ((2, 3) if ctx.quick else (2, 3, 4)):
        _, coef_identity, coef_uu = related_derivations.balanced_rank_one_gram(L)
        factor_L, _, _ = related_derivations.gradient_flow_factor(L)
        good = (sp.simplify(coef_identity - a ** (2 - sp.Rational(2, L))) == 0
                and sp.simplify(coef_uu - (L - 1) * a ** (2 - sp.Rational(2, L))) == 0
                and sp.simplify(factor_L - general.subs(L_symbol, L)) == 0)
        ok &= bool(good)
        rows.append({"L": L, "gram_coefficients": [str(coef_identity), str(coef_uu)], "factor": str(factor_L),
                     "exact": bool(good)})
    numeric_rows = []
    for L, _, kappa, Sigma, wstar, _, _ in gradient_flow_cases(ctx):
        numeric_factor = minimizer_bounds.gradient_flow_factor(Sigma, wstar, L)
        q_value = float(wstar @ Sigma @ wstar) / float(wstar @ wstar)
        symbolic_factor = float(general.subs({Lam: float(np.linalg.eigvalsh(Sigma)[-1]), q: q_value, L_symbol: L}))
        upper_over_lower = minimizer_bounds.upper_bound(Sigma, wstar, L) / minimizer_bounds.lower_bound(Sigma, wstar, L)
        good = (abs(numeric_factor - symbolic_factor) <= 1e-12 * symbolic_factor
                and abs(numeric_factor - upper_over_lower) <= 1e-12 * symbolic_factor
                and numeric_factor <= kappa * (1 + 1e-12))
        ok &= bool(good)
        numeric_rows.append({"L": L, "kappa": kappa, "numeric": numeric_factor, "symbolic": symbolic_factor,
                             "upper_over_lower": upper_over_lower, "agree": bool(good)})
    return Evidence("symbolic", bool(ok), {"general": str(general), "rows": rows, "numeric": numeric_rows})


@sharpness_gradient_flow.method("high-precision", "gradient-flow")
def gradient_flow_high_precision(ctx):
    """The flow's end points lie between the lower bound and the derived (and the kappa) factor times it, and
    match the balanced rank-one minimizer's sharpness within the conserved imbalance."""
    rows = gradient_flow_measurements(ctx)
    derived_ok, derived_detail = check_gradient_flow_factor(lambda r: r["derived_factor"], rows)
    kappa_ok, kappa_detail = check_gradient_flow_factor(lambda r: r["kappa_factor"], rows)
    return Evidence("high-precision", bool(derived_ok and kappa_ok),
                    {"derived_factor": derived_detail, "kappa_factor": kappa_detail, "rows": rows})


@sharpness_gradient_flow.method("negative-control", "wrong-factors")
def wrong_factors_control(ctx):
    """Each variant goes through the same check, with the same tolerances, as the positive evidence."""
    rows = gradient_flow_measurements(ctx)
    derived = {"factor": lambda r: r["derived_factor"]}
    variants = {
        "reaches the lower bound (factor 1)": ({"factor": lambda r: 1.0}, "factor 1 (balanced >= 1.1 x bound)"),
        "ends at 95% of the balanced value": ({**derived, "balanced_scale": 0.95}, "balanced value -5%"),
        "ends at 105% of the balanced value": ({**derived, "balanced_scale": 1.05}, "balanced value +5%"),
        "lower bound 5% too large": ({**derived, "lower": lambda r: 1.05 * r["lower_bound"]}, "lower bound +5%"),
        "L replaced by L-1 in the lower bound": (
            {"factor": lambda r: (r["L"] - 1) / r["L"]}, "factor (L-1)/L"),
        "spec: 2 Lambda L a^(2-2/L) as the lower bound": (
            {**derived, "lower": lambda r: 2 * r["Lambda"] * r["L"] * r["norm_wstar"] ** (2 - 2 / r["L"])},
            "Lambda in place of u^T Sigma u"),
    }
    out = []
    for name, (candidate, distance) in variants.items():
        passed, detail = check_gradient_flow_factor(candidate["factor"], rows, lower=candidate.get("lower"),
                                                    balanced_scale=candidate.get("balanced_scale", 1.0))
        out.append({"name": name, "rejected": not passed, "distance_from_boundary": distance,
                    "tolerance": detail["tolerance"], "cases": detail["cases"]})
    passed, detail = check_gradient_flow_factor(derived["factor"], rows)
    near = [{"name": "derived factor, balanced value, lower bound", "passed": passed,
             "distance_from_boundary": "|S/balanced - 1| / tolerance = " + ", ".join(
                 f"{c['balanced_error_over_tolerance']:.2f}" for c in detail["cases"])
             + "; S / lower bound - 1 = " + ", ".join(f"{c['ratio'] - 1:.2e}" for c in detail["cases"])}]
    return boundary_control_evidence(out, near)


# --------------------------------------------------------------------------- the check
def check_gradient_flow_factor(factor, rows, lower=None, balanced_scale=1.0) -> tuple[bool, dict]:
    """Check a candidate factor ``factor(row)`` bounding ``S(W_GF) / lower_bound`` from both sides.

    With ``ratio = S(W_GF) / lower(row)`` (``lower`` defaults to the row's ``lower_bound``) and the row's
    tolerance ``tol = IMBALANCE_FACTOR x conserved imbalance``:

    * ``|S(W_GF) - balanced_scale x balanced| <= tol x balanced_scale x balanced``: the end point is the
      balanced rank-one minimizer up to its conserved imbalance;
    * ``ratio <= factor (1 + tol)``: the end point is no sharper than the factor allows;
    * ``ratio >= 1 - slack``: the end point is at least as sharp as the lower bound of every
      minimizer (Thm 2), with ``slack = lower_slack + EIGVALSH_ROUNDING x parameters``: ``lower_slack``
      certifies by Weyl how far below the bound a point at distance ``w - w*`` from the minimizers can be
      (~1e-15: LSODA at rtol 1e-10, atol 1e-13 drives the excess loss to <= 1e-30);
    * the end point is a minimizer (excess loss ``< 1e-10``).
    """
    out, ok = [], True
    for r in rows:
        tol = IMBALANCE_FACTOR * r["imbalance"]
        factor_value = float(factor(r))
        lower_value = r["lower_bound"] if lower is None else float(lower(r))
        ratio = r["sharpness"] / lower_value
        slack = r["lower_slack"] + EIGVALSH_ROUNDING * r["parameters"]
        target = balanced_scale * r["balanced"]
        balanced_error = abs(r["sharpness"] - target) / (tol * target)
        matches_balanced = balanced_error <= 1
        below_factor = ratio <= factor_value * (1 + tol)
        above_lower = ratio >= 1 - slack
        minimizer = r["loss_end"] < 1e-10
        good = matches_balanced and below_factor and above_lower and minimizer
        ok &= bool(good)
        out.append({"L": r["L"], "kappa": r["kappa"], "ratio": ratio, "factor": factor_value, "lower_slack": slack,
                    "tolerance": tol, "balanced_error_over_tolerance": balanced_error,
                    "matches_balanced": bool(matches_balanced), "below_factor": bool(below_factor),
                    "at_least_lower_bound": bool(above_lower), "minimizer": bool(minimizer), "within": bool(good)})
    return ok, {"cases": out, "tolerance": f"{IMBALANCE_FACTOR:g} x conserved imbalance"}
