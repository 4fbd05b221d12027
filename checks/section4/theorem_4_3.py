"""Claim ``theorem-4.3``: balancing under GD at rate ``1 - 4 alpha eta^{2(L-1)} + C alpha^2`` (eqs 50-51).

Statement.  With ``D(k) = W_{l+1}(k)^2 - W_l(k)^2`` and ``P_l = prod_{k not in {l,l+1}} (W_k^2 + eta^2 I)``,
one GD step on ``L_R`` gives ::

    D(k+1) = (I - 4 alpha_k eta^2 P_l(k)) D(k) + alpha_k^2 ((grad_{l+1} L_R)^2 - (grad_l L_R)^2)   (eq 50)

and, beyond the paper, exactly ``D_h(k+1) = [(1 - 2 alpha eta^2 A_h)^2 - 4 alpha^2 s_h^2] D_h(k)`` per
coordinate, with ``A = P_l`` and ``s = A w_l w_{l+1} - w* prod_{k not in {l,l+1}} w_k``.  Hence
``||D(k+1)||_F <= (1 - 4 alpha_k eta^{2(L-1)} + C alpha_k^2) ||D(k)||_F`` with our constant
``C = 4 max(c^2, c^2/2 + 2 max|w*|^2 c) / eta^4``, ``c = L_R(W(0))``, for
``alpha_k <= 1/(4 eta^{2(L-1)})`` (and the step condition of Theorem 4.2); the paper's ``C`` is
unreadable (*reconstructed*).  Steps ``alpha_k = c0/(k+1)`` give ``||D(k)|| ~ k^{-4 c0 eta^{2(L-1)}}``.

Evidence:

* **symbolic**: eq 50, the factorization ``g_{l+1}^2 - g_l^2 = 4 D (eta^4 A^2 - s^2)``, ``D' = m D``
  and the proof steps of ``C``, every ``l``, ``L = 2..4`` (``2..3`` with ``--quick``);
* **high-precision**: simulated GD gaps follow the lambdified factor ``m`` (relative error
  below 1e-9) and contract at most by the bound, at the largest allowed step and a small one;
  the fitted exponent of ``||D(k)||`` under ``alpha_k = c0/(k+1)`` is ``4 c0 eta^{2(L-1)}``
  within 2% where the rate is attained, and at least that (less 2%) elsewhere;
* **negative-control**: the factor and the bound without the ``alpha^2`` term, rate 5, eq 50
  without the ``alpha^2`` term (symbolic) and the exponent ``5 c0 eta^{2(L-1)}`` must be rejected.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from derivations.dynamics.descent import (gd_balancing_next, gd_balancing_recursion, gd_gradient_square_difference,
                                          gd_multiplier, contraction_constant_proof)
from derivations.dynamics.gradient import gradient
from derivations.marginalized import coordinate_symbols, prove_identity
from numeric import model
from numeric.dynamics.deterministic import gradient_descent

from ..controls import negative_control_evidence
from ..framework import Evidence, RunContext, claim
from .derived_functions import (contraction_constant_function, contraction_factor_bound_function,
                                evaluate_per_coordinate, hessian_bound_function)
from .tolerances import DELTA

__all__ = ["theorem_4_3"]

theorem_4_3 = claim(
    "theorem-4.3",
    "Balancing under GD: rate 1 - 4 alpha eta^{2(L-1)} + C alpha^2",
    "D(k+1) = (I - 4 alpha_k eta^2 P_l(k)) D(k) + alpha_k^2 ((grad_{l+1} L_R)^2 - (grad_l L_R)^2) (eq 50), "
    "and exactly D_h(k+1) = [(1 - 2 alpha eta^2 A_h)^2 - 4 alpha^2 s_h^2] D_h(k) per coordinate; "
    "||D(k+1)||_F <= (1 - 4 alpha_k eta^{2(L-1)} + C alpha_k^2) ||D(k)||_F with "
    "C = 4 max(c^2, c^2/2 + 2 max|w*|^2 c)/eta^4, c = L_R(W(0)), alpha_k <= 1/(4 eta^{2(L-1)}); "
    "alpha_k = c0/(k+1) gives ||D(k)|| ~ k^{-4 c0 eta^{2(L-1)}}.",
    equations=("50", "51"),
    section="4.2",
    order=43,
    notes="Beyond the paper: the alpha^2 term factors exactly, g_{l+1}^2 - g_l^2 = 4 D (eta^4 A^2 - s^2) "
          "with A = prod_{k not in {l,l+1}}(w_k^2+eta^2) and s = A w_l w_{l+1} - w* prod_{k not in {l,l+1}} w_k, "
          "so each coordinate's gap is multiplied by an explicit factor; the constant C is ours "
          "(the paper's C is a function of L, eta and the start that is not readable).",
)

#: Relative error allowed between a simulated gap step ``D(k+1)`` and ``m D(k)``.
MULTIPLIER_RTOL = 1e-9
#: Target exponent ``4 c0 eta^{2(L-1)}`` of the harmonic-step runs (``c0`` is chosen to give it).
HARMONIC_TARGET_EXPONENT = 0.8


@theorem_4_3.method("symbolic", "eq 50, exact factorization, constant C")
def balancing_recursion_symbolic(ctx):
    depths = range(2, 4) if ctx.quick else range(2, 5)
    proven = {}
    for L in depths:
        s = coordinate_symbols(L)
        g = gradient(L)
        ok = True
        for l in range(1, L):
            D = s.w[l] ** 2 - s.w[l - 1] ** 2
            ok &= prove_identity(gd_balancing_next(L, l), gd_balancing_recursion(L, l))
            ok &= prove_identity(g[l] ** 2 - g[l - 1] ** 2, gd_gradient_square_difference(L, l))
            ok &= prove_identity(gd_balancing_next(L, l), gd_multiplier(L, l) * D)
            ok &= all(contraction_constant_proof(L, l).values())
        proven[str(L)] = bool(ok)
    return Evidence("symbolic", all(proven.values()), {
        "identities": ["eq 50", "g_{l+1}^2 - g_l^2 = 4 D (eta^4 A^2 - s^2)", "D' = m D",
                       "eta^4 A <= R, eta^4 pi^2 <= R, 2 eta^2 |w_l w_{l+1}| A <= R, s^2 <= 2x^2 + 2y^2"],
        "proven_for_L": proven})


@theorem_4_3.method("high-precision", "simulated gaps follow the derived factor and the bound")
def gap_factor_and_bound_high_precision(ctx):
    runs = _descent_runs(ctx.seed, ctx.quick, ctx.thorough)
    multiplier_ok, multiplier_detail = _check_multiplier(runs)
    contraction_ok, contraction_detail = _check_contraction(runs)
    return Evidence("high-precision", multiplier_ok and contraction_ok, {
        "per_coordinate_factor": multiplier_detail, "contraction_bound": contraction_detail,
        "seed": ctx.seed_for("theorem-4.3")})


@theorem_4_3.method("high-precision", "alpha_k = c0/(k+1): polynomial rate k^{-4 c0 eta^{2(L-1)}}")
def harmonic_rate_high_precision(ctx):
    fits = _harmonic_fits(ctx.seed, ctx.quick, ctx.thorough)
    return Evidence("high-precision", _check_exponent(fits), {"fits": fits, "tolerance": "2% (attained), "
                                                              "at least target - 2% (generic)"})


@theorem_4_3.method("negative-control", "no alpha^2 term, rate 5")
def wrong_rate_control(ctx):
    runs = _descent_runs(ctx.seed, ctx.quick, ctx.thorough)
    variants = []
    ok, d = _check_multiplier(runs, include_alpha2=False)
    variants.append({"name": "per-coordinate factor without the alpha^2 term", "rejected": not ok,
                     "max_relative_error": d["max_relative_error"]})
    ok, d = _check_contraction(runs, with_c=False)
    variants.append({"name": "bound 1 - 4 alpha eta^{2(L-1)} without C alpha^2", "rejected": not ok,
                     "worst_ratio_over_bound": d["worst_ratio_over_bound"]})
    ok, d = _check_contraction(runs, rate_factor=5)
    variants.append({"name": "bound with rate 5 alpha eta^{2(L-1)}", "rejected": not ok,
                     "worst_ratio_over_bound": d["worst_ratio_over_bound"]})
    variants.append({"name": "eq 50 without the alpha^2 term (symbolic, L=3)",
                     "rejected": not prove_identity(gd_balancing_next(3, 1),
                                                    gd_balancing_recursion(3, 1, include_alpha2=False))})
    fits = _harmonic_fits(ctx.seed, ctx.quick, ctx.thorough)
    variants.append({"name": "polynomial exponent 5 c0 eta^{2(L-1)}", "rejected": not _check_exponent(fits, 5)})
    return negative_control_evidence(variants)


# ----------------------------------------------------------------------------- constant steps
def _descent_instances(ctx):
    """``(name, L, W0 (K, L, d), wstar, eta)``: random starts, a visible ``alpha^2`` term, an attained rate."""
    rng = np.random.default_rng(ctx.seed_for("theorem-4.3"))
    cases = []
    for L in ((2, 3) if ctx.quick else (2, 3, 4)):
        eta = 0.7
        W0 = rng.normal(size=(3, L, 3)) * 0.8
        wstar = rng.normal(size=3)
        cases.append((f"random L={L}", L, W0, wstar, eta))
    # alpha^2 term visible: w* = 0, small weights (|pi| < eta^2 so eta^4 A^2 > s^2)
    W0 = np.array([[[0.1, 0.3], [0.5, -0.2]]])
    cases.append(("w*=0, small weights (alpha^2 term positive)", 2, W0, np.zeros(2), 0.9))
    # the rate is attained: other layers and w* zero
    W0 = np.zeros((1, 3, 2))
    W0[0, :2] = [[0.4, -0.3], [0.9, 0.2]]
    cases.append(("attained L=3 (layer 3 and w* zero)", 3, W0, np.zeros(2), 0.8))
    return cases


@lru_cache(maxsize=4)
def _descent_runs(seed, quick, thorough):
    """``(name, L, wstar, eta, alpha, c, trajectory)``: GD at the largest allowed step and at 5% of it."""
    ctx = RunContext(seed, quick, thorough)
    steps = ctx.size(600, quick=300, thorough=3000)
    out = []
    for name, L, W0, wstar, eta in _descent_instances(ctx):
        c = max(float(model.marginalized_loss(W, wstar, eta)) for W in W0)
        M = float(hessian_bound_function(L)(W0.shape[2], c, eta))
        alpha = min(2 * (1 - DELTA) / M, 1 / (4 * eta ** (2 * (L - 1))))
        for step_multiple in (1.0, 0.05):  # the largest allowed step (alpha^2 visible) and a small one
            trajectory = gradient_descent(W0, wstar, eta, steps, alpha * step_multiple)
            out.append((name, L, wstar, eta, alpha * step_multiple, c, trajectory))
    return out


def _check_multiplier(runs, include_alpha2=True):
    """Per coordinate D_h(k+1)/D_h(k) (simulated) against the derived factor m(W(k))."""
    worst = 0.0
    for name, L, wstar, eta, alpha, c, trajectory in runs:
        W = trajectory.weights  # (R, K, L, d)
        for l in range(1, L):
            D = W[:, :, l, :] ** 2 - W[:, :, l - 1, :] ** 2
            m = evaluate_per_coordinate("gd_multiplier", W[:-1], wstar, eta, alpha, l, include_alpha2)
            scale = W[:-1, :, l, :] ** 2 + W[:-1, :, l - 1, :] ** 2
            # relative to |D| while |D| >> roundoff of w^2, else to 1e-6 w^2 (cancellation in D)
            with np.errstate(invalid="ignore", divide="ignore"):
                err = np.abs(D[1:] - m * D[:-1]) / (np.abs(D[:-1]) + 1e-6 * scale)
            # weights that decayed into the subnormal range carry no relative precision
            err = err[scale > 1e-150]
            if err.size:
                worst = max(worst, float(np.nanmax(err)))
    return worst <= MULTIPLIER_RTOL, {"max_relative_error": worst, "tolerance": MULTIPLIER_RTOL,
                                      "measure": "|D(k+1) - m D(k)| / (|D(k)| + 1e-6 (w_l^2 + w_{l+1}^2))"}


def _check_contraction(runs, rate_factor=4, with_c=True):
    """``||D(k+1)|| / ||D(k)|| <= 1 - rate_factor alpha eta^{2(L-1)} (+ C alpha^2)`` along every run."""
    worst, cases = 0.0, []
    constant_C = contraction_constant_function()
    for name, L, wstar, eta, alpha, c, trajectory in runs:
        C = float(constant_C(c, float(np.max(np.abs(wstar))), eta))
        bound = float(contraction_factor_bound_function(L, rate_factor, with_c)(alpha, eta, C))
        gaps = trajectory.records["balancing_gap"]
        keep = gaps[:-1] > 1e-12 * gaps[0].max()
        contraction = gaps[1:][keep] / gaps[:-1][keep]
        ratio_over_bound = float(contraction.max() / bound)
        worst = max(worst, ratio_over_bound)
        cases.append({"case": name, "alpha": alpha, "C": C if with_c else 0.0, "bound": bound,
                      "max_contraction": float(contraction.max()), "ratio_over_bound": ratio_over_bound})
    return worst <= 1 + 1e-12, {"worst_ratio_over_bound": worst, "cases": cases}


# ----------------------------------------------------------------------------- harmonic steps
@lru_cache(maxsize=4)
def _harmonic_fits(seed, quick, thorough):
    """Fitted exponent of ||D(k)|| vs k for alpha_k = c0/(k+1); target 4 c0 eta^{2(L-1)}."""
    ctx = RunContext(seed, quick, thorough)
    steps = ctx.size(20000, quick=8000, thorough=100000)
    recorded = np.unique(np.geomspace(1, steps, 80).astype(int))
    out = []
    rng = np.random.default_rng(ctx.seed_for("theorem-4.3/harmonic"))
    configs = [("L=2 random (attained)", 2, rng.normal(size=(2, 2)) * 0.6, np.array([1.2, -0.7]), 0.7),
               ("L=3 attained (layer 3, w* zero)", 3, np.array([[0.4, -0.3], [0.9, 0.2], [0.0, 0.0]]),
                np.zeros(2), 0.8),
               ("L=3 generic (rate >= target)", 3, rng.normal(size=(3, 2)) * 0.6, np.array([1.2, -0.7]), 0.8)]
    for name, L, W0, wstar, eta in configs:
        target = HARMONIC_TARGET_EXPONENT
        c0 = target / (4 * eta ** (2 * (L - 1)))
        trajectory = gradient_descent(W0, wstar, eta, steps, c0, schedule="harmonic", decay_start=1,
                                      record_steps=recorded)
        k = trajectory.times
        gap = trajectory.records["balancing_gap"][:, 0, 0]
        late = k >= steps // 10
        slope = -np.polyfit(np.log(k[late]), np.log(gap[late]), 1)[0]
        out.append({"case": name, "c0": c0, "eta": eta, "L": L, "target": target,
                    "fitted_exponent": float(slope), "attained": "generic" not in name})
    return out


def _check_exponent(fits, rate_factor=4):
    """Fitted exponent within 2% of ``rate_factor c0 eta^{2(L-1)}`` (attained) or at least 98% of it (generic)."""
    ok = True
    for fit in fits:
        target = rate_factor * fit["c0"] * fit["eta"] ** (2 * (fit["L"] - 1))
        if fit["attained"]:
            ok &= abs(fit["fitted_exponent"] / target - 1) <= 0.02
        else:
            ok &= fit["fitted_exponent"] >= target * 0.98
    return ok
