"""Claim ``mc-theorem-3``: the PL inequality along the gradient flow from small initialization (Marion & Chizat,
Theorem 3, Lemma 8; *reconstructed*).

Statement.  Under Assumption (A1) (``R(W(0)) <= R(0)`` and ``grad R(W(0)) != 0``) there is ``mu > 0`` with::

    ||grad R(W(t))||_F^2 >= mu (R(W(t)) - R_min)        for all t >= 1.

The proof's two steps, checked at every sample: ``||grad R||^2 >= ||grad_{W_1} R||^2 = ||l_1||^2 ||grad R(w)||^2
>= 4 lambda_min ||l_1||^2 (R - R_min)`` (eq 5 and Lemma 8, ``l_1 = W_2^T ... W_L^T p``), and ``||l_1||`` stays away
from zero for ``t >= 1``.  The constant is measured: ``mu_hat = min_{t >= 1} rho(t)``,
``rho = ||grad R||^2 / (R - R_min)``.  Its dependence on the initialization scale ``s`` (``W(0) = s Z``) is
derived: near the saddle every ``grad_{W_k} R(s Z)`` is ``s^{L-1}`` times a nonzero limit and ``R(s Z) - R_min``
tends to ``w*^T Sigma w*``, so ``rho(W(0)) ~ c s^{2(L-1)}``; for ``L >= 3`` the flow leaves the saddle only after
a time of order ``s^{-(L-2)} >> 1``, so ``mu_hat(s) ~ c' s^{2(L-1)}`` (verified: local slopes within 2% of
``2(L-1)``; the correction is ``O(s^{L-2})``, so ``L = 3`` is swept at ``s <= 1e-3``).  For ``L = 2`` the escape
takes a time of order ``log(1/s)`` and, at the scales swept, is over
before ``t = 1``: ``mu_hat`` is then of order one (reported, not a claim of the paper).

Reconstruction: the theorem's display was lost; the time ``t >= 1`` and the assumption are read from the proof
("for t >= 1 ... R(W(t)) <= R(W(1)) < R(W(0)) <= R(0)").  The paper's explicit ``mu`` (eq 29) is unreadable;
the suite measures it and its order in ``s`` instead.

Evidence: **symbolic** (Lemma 8 as a nonnegative form in the eigenbasis; the orders of the gradient near the
saddle); **high-precision** (along flows from small initialization, depths 2-4: ``rho >= 4 lambda_min ||l_1||^2``
at every sample with ``t >= 1``, ``mu_hat > 0``, and the exponent); **negative-control** (the coefficient 4.4
instead of 4 is rejected on a flow where the chain is attained, which passes as a near miss; exponents
``2(L-1)(1 +- 0.1)`` are rejected; an initialization violating (A1), two zero layers, has ``mu_hat = 0``).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from derivations import deep_linear as dl_derivations
from numeric import deep_linear as dl

from ..controls import boundary_control_evidence
from ..framework import DETERMINISTIC, Evidence, claim
from ..related.measurement_cache import cached_measurement
from .instances import SMALL_INIT_LOSS_TOL, regression_problem, small_init_cases, small_init_flows
from .scaling import check_exponent

__all__ = ["mc_theorem_3", "check_pl", "EXPONENT_TOL"]

#: relative tolerance on the fitted exponent 2(L-1) (local slopes between consecutive scales)
EXPONENT_TOL = 0.02
#: samples with an excess risk below this are not used for rho (w - w* has lost its relative accuracy there)
ACCURATE_EXCESS = 1e-16
#: rounding allowance of the chain rho >= 4 lambda_min ||l_1||^2
ROUNDING = 1e-9

mc_theorem_3 = claim(
    "mc-theorem-3", "PL inequality along the flow from small initialization (Marion & Chizat, Theorem 3)",
    statement="""
        Under (A1) (R(W(0)) <= R(0), grad R(W(0)) != 0) there is mu > 0 with ||grad R(W(t))||^2 >= mu (R(W(t)) -
        R_min) for t >= 1; along the flow ||grad R||^2 >= 4 lambda_min ||W_2^T...W_L^T p||^2 (R - R_min) (Lemma 8);
        the measured mu(s) for W(0) = s Z scales as s^{2(L-1)} for L >= 3.
        """,
    section="Related results (seed 003)", order=92.3, equations=("MC eq 5", "MC Lemma 8", "MC Thm 3", "MC eq 29"),
    false_failure_budget=DETERMINISTIC,
    notes="""
        Reconstructed: the display and mu (eq 29) were lost; mu is measured (min over t >= 1 of the PL ratio) and its
        order s^{2(L-1)} in the initialization scale is derived (homogeneity of the gradient at the saddle) and
        verified within 2% for L >= 3. For L = 2 the flow leaves the saddle before t = 1 at the scales swept and mu is
        of order one.
        """,
)


def check_pl(trajectory, coefficient=4.0, t_min=1.0) -> tuple[bool, dict]:
    """``rho(t) >= coefficient * lambda_min * ||l_1(t)||^2`` at every sample with ``t >= t_min`` and excess risk
    ``> ACCURATE_EXCESS``, and ``mu_hat = min rho > 0``; returns ``mu_hat``, the worst ratio of the chain, the
    smallest ``||l_1||^2`` and the last accurate ``rho``."""
    profile = dl.pl_profile(trajectory, min_excess=ACCURATE_EXCESS)
    keep = profile["times"] >= t_min
    if not np.any(keep):
        return False, {"samples": 0}
    ratio, bound = profile["ratio"][keep], coefficient / 4.0 * profile["first_layer_bound"][keep]
    worst = float(np.max(bound / ratio)) if np.all(ratio > 0) else np.inf
    mu_hat = float(np.min(ratio))
    detail = {"mu_hat": mu_hat, "t_at_min": float(profile["times"][keep][np.argmin(ratio)]),
              "min_first_layer": float(np.min(profile["first_layer"][keep])), "rho_last": float(ratio[-1]),
              "worst_bound_over_rho": worst, "samples": int(np.sum(keep)), "lambda_min": profile["lambda_min"],
              "coefficient": coefficient}
    return bool(worst <= 1 + ROUNDING and mu_hat > 0), detail


@mc_theorem_3.method("symbolic", "Lemma 8 and the orders of the gradient at the saddle")
def pl_symbolic(ctx):
    gap, closed = dl_derivations.lemma8_gap(3)
    nonnegative = all(c > 0 for c in sp.Poly(closed, *sorted(closed.free_symbols, key=str)).coeffs())
    rows = []
    for L in ((3,) if ctx.quick else (3, 4)):
        orders = dl_derivations.saddle_orders(2, [2] * (L - 1) + [1])
        good = orders["ratio_exponent"] == 2 * (L - 1) and orders["gradient_orders"] == [L - 1] * L
        rows.append(orders | {"expected_exponent": 2 * (L - 1), "ok": good})
    return Evidence("symbolic", bool(sp.expand(gap - closed) == 0 and nonnegative and all(r["ok"] for r in rows)),
                    {"lemma8_gap": str(closed), "nonnegative_coefficients": nonnegative, "saddle_orders": rows})


def theorem_3_scales(ctx):
    """Scales per depth: the saddle-escape correction to ``mu(s) / s^{2(L-1)}`` is ``O(s^{L-2})`` (for ``L = 3`` about
    ``65 s`` here), so ``L = 3`` is swept at ``1e-3 .. 1e-4`` and ``L = 2, 4`` at the shared ``1e-2 .. 1e-3``."""
    _, shared = small_init_cases(ctx)
    tiny = tuple(s / 10 for s in shared)
    return {2: shared, 3: tiny} if ctx.quick else {2: shared, 3: tiny, 4: shared}


def _measured(ctx):
    rows = []
    for row in small_init_flows(ctx, theorem_3_scales(ctx)):
        passed, detail = check_pl(row["trajectory"])
        rows.append({"L": row["L"], "scale": row["scale"], "A1": row["A1"], "converged": row["trajectory"].converged,
                     "pl_holds": passed} | detail)
    return rows


def _exponent_checks(rows, factor=1.0):
    out = []
    for L in sorted({r["L"] for r in rows if r["L"] >= 3}):
        sub = [r for r in rows if r["L"] == L]
        expected = 2 * (L - 1)
        passed, detail = check_exponent([r["scale"] for r in sub], [r["mu_hat"] for r in sub], factor * expected,
                                        EXPONENT_TOL * expected)
        out.append(detail | {"L": L, "passed": passed})
    return out


@mc_theorem_3.method("high-precision", "PL along the flows; mu(s) ~ s^{2(L-1)}")
def pl_high_precision(ctx):
    rows = _measured(ctx)
    exponents = _exponent_checks(rows)
    ok = all(r["pl_holds"] and r["A1"] and r["converged"] for r in rows) and all(e["passed"] for e in exponents)
    return Evidence("high-precision", ok, {"flows": rows, "exponents": exponents})


def _attained_flow(ctx):
    """A flow on which the chain is attained: ``W_1(0) = 0`` (then only ``grad_{W_1}`` is nonzero) and ``w*`` along
    the bottom eigenvector of ``Sigma`` (Lemma 8 with equality), ``L = 3``, ``s = 1e-3``, over ``t <= 3`` (the
    chain is closest to equality at ``t = 1``, where ``W_1`` is still of order ``s^2``)."""
    def compute(ctx):
        Sigma, wstar = regression_problem(ctx.seed_for("mc-theorem-3-attained"), 3, 4.0, wstar_direction="bottom")
        W0 = dl.small_initialization(3, [3, 3, 1], 1e-3, seed=ctx.seed_for("mc-theorem-3-attained-init"),
                                     zero_layer=1)
        return dl.gradient_flow_to_convergence(W0, np.ones(1), Sigma, wstar, loss_tol=SMALL_INIT_LOSS_TOL,
                                               t_max=3.0, extra_times=20)
    return cached_measurement("mc-theorem-3-attained", ctx, compute)


@mc_theorem_3.method("negative-control", "coefficient 4.4, exponents off by 10%, (A1) violated")
def pl_control(ctx):
    attained = _attained_flow(ctx)
    variants, near_misses = [], []
    passed, detail = check_pl(attained, coefficient=4.4)
    variants.append({"name": "4.4 lambda_min ||l_1||^2 instead of 4 (flow with W_1(0) = 0, w* bottom eigenvector)",
                     "rejected": not passed, "worst_bound_over_rho": detail["worst_bound_over_rho"],
                     "distance_from_boundary": "coefficient +10%"})
    passed, detail = check_pl(attained)
    near_misses.append({"name": "4 lambda_min ||l_1||^2 on the same flow (attained)", "passed": passed,
                        "distance_from_boundary": 1 - detail["worst_bound_over_rho"],
                        "worst_bound_over_rho": detail["worst_bound_over_rho"]})
    rows = _measured(ctx)
    for factor in (0.9, 1.1):
        for e in _exponent_checks(rows, factor):
            variants.append({"name": f"mu ~ s^({factor} * 2(L-1)), L = {e['L']}", "rejected": not e["passed"],
                             "worst_deviation": e["worst_deviation"], "tolerance": e["tolerance"],
                             "distance_from_boundary": f"exponent {factor - 1:+.0%}"})
    Sigma, wstar = small_init_flows(ctx)[0]["Sigma"], small_init_flows(ctx)[0]["wstar"]
    W0 = dl.small_initialization(3, [3, 3, 1], 1e-2, seed=ctx.seed_for("mc-theorem-3-stuck"))
    W0[0], W0[1] = np.zeros_like(W0[0]), np.zeros_like(W0[1])
    stuck = dl.gradient_flow_to_convergence(W0, np.ones(1), Sigma, wstar, t_max=10.0)
    passed, detail = check_pl(stuck)
    variants.append({"name": "(A1) violated: W_1(0) = W_2(0) = 0, so grad R(W(0)) = 0", "rejected": not passed,
                     "mu_hat": detail.get("mu_hat"), "distance_from_boundary": "hypothesis (A1) violated"})
    return boundary_control_evidence(variants, near_misses)
