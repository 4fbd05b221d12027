"""Claim ``theorem-4.3``: balancing under GD at rate ``1 - 4 alpha eta^{2(L-1)} + C alpha^2`` (eqs 50-51).

Statement.  With ``D(k) = W_{l+1}(k)^2 - W_l(k)^2`` and ``P_l = prod_{k not in {l,l+1}} (W_k^2 + eta^2 I)``,
one GD step on ``L_R`` gives ::

    D(k+1) = (I - 4 alpha_k eta^2 P_l(k)) D(k) + alpha_k^2 ((grad_{l+1} L_R)^2 - (grad_l L_R)^2)   (eq 50)

and, beyond the paper, exactly ``D_h(k+1) = [(1 - 2 alpha eta^2 A_h)^2 - 4 alpha^2 s_h^2] D_h(k)`` per
coordinate, with ``A = P_l`` and ``s = A w_l w_{l+1} - w* prod_{k not in {l,l+1}} w_k``.  Hence
``||D(k+1)||_F <= (1 - 4 alpha_k eta^{2(L-1)} + C alpha_k^2) ||D(k)||_F`` with our constant
``C = 4 max(c^2, c^2/2 + 2 max|w*|^2 c) / eta^4``, ``c = L_R(W(0))``, for
``alpha_k <= 1/(4 eta^{2(L-1)})`` and the step condition of Theorem 4.2; the paper's ``C`` is
unreadable (*reconstructed*).  Steps ``alpha_k = c0/(k + k0)`` give ``||D(k)|| ~ k^{-4 c0 eta^{2(L-1)}}``
(the spec's ``c0/(k+1)`` is ``k0 = 1``; ``k0 >= c0 / alpha_max`` keeps every step allowed).

Evidence:

* **symbolic**: eq 50, the factorization ``g_{l+1}^2 - g_l^2 = 4 D (eta^4 A^2 - s^2)``, ``D' = m D``,
  the proof steps of ``C`` and their combination into ``|m| <= 1 - 4 alpha eta^{2(L-1)} + C alpha^2``
  (slack-variable certificates), every ``l``, ``L = 2..4`` (``2..3`` with ``--quick``);
* **high-precision**: simulated GD gaps follow the lambdified factor ``m`` (relative error below
  1e-9) and contract at most by the bound (rounding allowance from the cancellation in ``D``), at
  the largest allowed step and a small one, including a case where the bound with our ``C`` is
  nearly attained (``w* = 0``, ``d = 1``, weights small against ``eta``); under ``alpha_k = c0/(k+k0)``
  the first steps follow ``m`` with exactly these steps, and the fitted exponent of ``||D(k)||`` is
  ``4 c0 eta^{2(L-1)}`` within a tolerance from the pre-asymptotic terms where the rate is attained,
  at least that (less the tolerance) elsewhere;
* **negative-control** (at the boundary): ``C`` 5% smaller, rate 4.2, exponent 4.2 and 3.8, steps
  ``c0/(k+k0+1)``, the factor and the bound without the ``alpha^2`` term, eq 50 without it
  (symbolic) must be rejected; near-miss positives: the nearly attained bound and the exponent.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from derivations.dynamics.descent import (contraction_constant_combination_proof, contraction_constant_proof,
                                          gd_balancing_next, gd_balancing_recursion, gd_gradient_square_difference,
                                          gd_multiplier)
from derivations.dynamics.gradient import gradient
from derivations.marginalized import coordinate_symbols, prove_identity
from numeric import model
from numeric.dynamics.deterministic import gradient_descent

from ..controls import BOUNDARY_OFFSET, boundary_control_evidence
from ..framework import DETERMINISTIC, Evidence, RunContext, claim
from .derived_functions import (contraction_constant_function, contraction_factor_bound_function,
                                evaluate_per_coordinate, hessian_bound_function)
from .tolerances import DELTA

__all__ = ["theorem_4_3"]

theorem_4_3 = claim(
    "theorem-4.3", "Balancing under GD: rate 1 - 4 alpha eta^{2(L-1)} + C alpha^2",
    statement="""
        D(k+1) = (I - 4 alpha_k eta^2 P_l(k)) D(k) + alpha_k^2 ((grad_{l+1} L_R)^2 - (grad_l L_R)^2) (eq 50), and
        exactly D_h(k+1) = [(1 - 2 alpha eta^2 A_h)^2 - 4 alpha^2 s_h^2] D_h(k) per coordinate; ||D(k+1)||_F <= (1 - 4
        alpha_k eta^{2(L-1)} + C alpha_k^2) ||D(k)||_F with C = 4 max(c^2, c^2/2 + 2 max|w*|^2 c)/eta^4, c =
        L_R(W(0)), alpha_k <= 1/(4 eta^{2(L-1)}); alpha_k = c0/(k+k0) gives ||D(k)|| ~ k^{-4 c0 eta^{2(L-1)}}.
        """,
    section="4.2", order=43, equations=("50", "51"),
    false_failure_budget=DETERMINISTIC,
    notes="""
        Beyond the paper: the alpha^2 term factors exactly, g_{l+1}^2 - g_l^2 = 4 D (eta^4 A^2 - s^2) with A = prod_{k
        not in {l,l+1}}(w_k^2+eta^2) and s = A w_l w_{l+1} - w* prod_{k not in {l,l+1}} w_k, so each coordinate's gap
        is multiplied by an explicit factor; the constant C is ours (the paper's C is a function of L, eta and the
        start that is not readable); it is nearly attained for w* = 0, d = 1 and weights small against eta (ratio
        ~0.9997). The spec's alpha_k = c0/(k+1) violates the step condition at k = 0 unless c0 <= alpha_max (GD then
        can diverge); we use c0/(k+k0) with k0 = ceil(c0/alpha_max), same exponent.
        """,
)

#: Relative error allowed between a simulated gap step ``D(k+1)`` and ``m D(k)``.
MULTIPLIER_RTOL = 1e-9
#: Target exponent ``4 c0 eta^{2(L-1)}`` of the harmonic-step runs (``c0`` is chosen to give it).
HARMONIC_TARGET_EXPONENT = 0.8
#: Harmonic runs: the first steps recorded one by one (their multiplier pins the schedule).
HARMONIC_FIRST_STEPS = 60
#: Steps whose rounding allowance exceeds this carry no information about the contraction.
MAX_ROUNDING_ALLOWANCE = 1e-3
#: Gaps below this are not used: their squares (inside the Frobenius norm) are subnormal.
SMALLEST_GAP = 1e-150


def _balancing_recursion_proven(L: int) -> bool:
    """Eq 50, the gradient-square difference, ``D' = m D`` and the proof steps of C, for every l."""
    s = coordinate_symbols(L)
    g = gradient(L)
    ok = True
    for l in range(1, L):
        D = s.w[l] ** 2 - s.w[l - 1] ** 2
        ok &= prove_identity(gd_balancing_next(L, l), gd_balancing_recursion(L, l))
        ok &= prove_identity(g[l] ** 2 - g[l - 1] ** 2, gd_gradient_square_difference(L, l))
        ok &= prove_identity(gd_balancing_next(L, l), gd_multiplier(L, l) * D)
        ok &= all(contraction_constant_proof(L, l).values())
    return bool(ok)


@theorem_4_3.method("symbolic", "eq 50, exact factorization, constant C")
def balancing_recursion_symbolic(ctx):
    proven = {str(L): _balancing_recursion_proven(L) for L in ctx.depths(4, quick=3)}
    combination = contraction_constant_combination_proof()
    return Evidence("symbolic", all(proven.values()) and all(combination.values()), {
        "identities": ["eq 50", "g_{l+1}^2 - g_l^2 = 4 D (eta^4 A^2 - s^2)", "D' = m D",
                       "eta^4 A <= R, eta^4 pi^2 <= R, 2 eta^2 |w_l w_{l+1}| A <= R, s^2 <= 2x^2 + 2y^2"],
        "proven_for_L": proven, "combination_into_C": combination})


@theorem_4_3.method("high-precision", "simulated gaps follow the derived factor and the bound")
def gap_factor_and_bound_high_precision(ctx):
    runs = _descent_runs(ctx.seed, ctx.quick, ctx.thorough)
    multiplier_ok, multiplier_detail = _check_multiplier(runs)
    contraction_ok, contraction_detail = _check_contraction(runs)
    return Evidence("high-precision", multiplier_ok and contraction_ok, {
        "per_coordinate_factor": multiplier_detail, "contraction_bound": contraction_detail,
        "seed": ctx.seed_for("theorem-4.3")})


@theorem_4_3.method("high-precision", "alpha_k = c0/(k+k0): polynomial rate k^{-4 c0 eta^{2(L-1)}}")
def harmonic_rate_high_precision(ctx):
    runs = _harmonic_runs(ctx.seed, ctx.quick, ctx.thorough)
    steps_ok, steps_detail = _check_harmonic_steps(runs)
    exponent_ok, fits = _check_exponent(runs)
    return Evidence("high-precision", steps_ok and exponent_ok, {
        "first_steps_follow_m_with_c0/(k+k0)": steps_detail, "fits": fits,
        "tolerance": "pre-asymptotic: k0/k_min + 1/k_min + max k |log m + 4 alpha eta^2 A| / target"})


@theorem_4_3.method("negative-control", "constants 5% off, schedule off by one, no alpha^2 term")
def wrong_rate_control(ctx):
    runs = _descent_runs(ctx.seed, ctx.quick, ctx.thorough)
    harmonic = _harmonic_runs(ctx.seed, ctx.quick, ctx.thorough)
    off = BOUNDARY_OFFSET
    variants = []
    ok, d = _check_contraction(runs, constant_factor=1 - off)
    variants.append({"name": "bound with C 5% smaller", "rejected": not ok, "distance_from_boundary": "C -5%",
                     "worst_ratio_over_bound": d["worst_ratio_over_bound"]})
    ok, d = _check_contraction(runs, rate_factor=4 * (1 + off))
    variants.append({"name": "bound with rate 4.2 alpha eta^{2(L-1)}", "rejected": not ok,
                     "distance_from_boundary": "rate constant +5%", "worst_ratio_over_bound": d["worst_ratio_over_bound"]})
    ok, d = _check_contraction(runs, with_c=False)
    variants.append({"name": "bound 1 - 4 alpha eta^{2(L-1)} without C alpha^2", "rejected": not ok,
                     "distance_from_boundary": "C = 0", "worst_ratio_over_bound": d["worst_ratio_over_bound"]})
    ok, d = _check_multiplier(runs, include_alpha2=False)
    variants.append({"name": "per-coordinate factor without the alpha^2 term", "rejected": not ok,
                     "distance_from_boundary": "alpha^2 term dropped", "max_relative_error": d["max_relative_error"]})
    variants.append({"name": "eq 50 without the alpha^2 term (symbolic, L=3)", "distance_from_boundary": "alpha^2 term dropped",
                     "rejected": not prove_identity(gd_balancing_next(3, 1),
                                                    gd_balancing_recursion(3, 1, include_alpha2=False))})
    ok, d = _check_harmonic_steps(harmonic, k0_shift=1)
    variants.append({"name": "harmonic steps c0/(k+k0+1)", "rejected": not ok, "distance_from_boundary": "k0 + 1",
                     "max_relative_error": d["max_relative_error"]})
    for factor in (4 * (1 + off), 4 * (1 - off)):
        ok, fits = _check_exponent(harmonic, factor)
        variants.append({"name": f"polynomial exponent {factor:g} c0 eta^{{2(L-1)}}", "rejected": not ok,
                         "distance_from_boundary": f"exponent {'+' if factor > 4 else '-'}5%",
                         "fitted_over_claimed": [f["fitted_exponent"] / f["claimed_exponent"] for f in fits]})
    ok, d = _check_contraction(runs)
    tight = [c for c in d["cases"] if c["case"].startswith("near-tight")]
    ok_exp, fits = _check_exponent(harmonic)
    near_misses = [
        {"name": "bound with our C where it is nearly attained", "passed": ok and bool(tight),
         "distance_from_boundary": f"contraction/bound = {tight[0]['ratio_over_bound']:.6f}" if tight else None},
        {"name": "exponent 4 c0 eta^{2(L-1)} (attained cases)", "passed": ok_exp,
         "distance_from_boundary": "|fitted/claimed - 1| = " + ", ".join(
             f"{abs(f['fitted_exponent'] / f['claimed_exponent'] - 1):.2e} (tol {f['relative_tolerance']:.2e})"
             for f in fits if f["attained"])}]
    return boundary_control_evidence(variants, near_misses)


# ----------------------------------------------------------------------------- constant steps
def _descent_instances(ctx):
    """``(name, L, W0 (K, L, d), wstar, eta)``: random starts, a visible ``alpha^2`` term, an attained rate,
    and a start where the bound with our ``C`` is nearly attained."""
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
    # C nearly attained: d = 1, w* = 0, |w| << eta, so c ~ eta^4 = eta^4 A and s ~ 0 (m ~ bound)
    W0 = (rng.uniform(0.005, 0.02) * np.array([1.0, -2.0])).reshape(1, 2, 1)
    cases.append(("near-tight C (L=2, d=1, w*=0, |w| << eta)", 2, W0, np.zeros(1), 0.9))
    return cases


def _largest_allowed_step(L, W0, wstar, eta):
    """``(alpha_max, c)``: ``min(2(1-delta)/M, 1/(4 eta^{2(L-1)}))`` with ``c = max L_R(W0)`` (Theorems 4.2, 4.3)."""
    c = max(float(model.marginalized_loss(W, wstar, eta)) for W in W0)
    M = float(hessian_bound_function(L)(W0.shape[2], c, eta))
    return min(2 * (1 - DELTA) / M, 1 / (4 * eta ** (2 * (L - 1)))), c


@lru_cache(maxsize=4)
def _descent_runs(seed, quick, thorough):
    """``(name, L, wstar, eta, alpha, c, trajectory)``: GD at the largest allowed step and at 5% of it."""
    ctx = RunContext(seed, quick, thorough)
    steps = ctx.size(600, quick=300, thorough=3000)
    out = []
    for name, L, W0, wstar, eta in _descent_instances(ctx):
        alpha, c = _largest_allowed_step(L, W0, wstar, eta)
        for step_multiple in (1.0, 0.05):  # the largest allowed step (alpha^2 visible) and a small one
            trajectory = gradient_descent(W0, wstar, eta, steps, alpha * step_multiple)
            out.append((name, L, wstar, eta, alpha * step_multiple, c, trajectory))
    return out


def _multiplier_errors(W, wstar, eta, alphas, include_alpha2=True):
    """Per coordinate ``|D(k+1) - m(W(k), alpha_k) D(k)| / (|D(k)| + 1e-6 (w_l^2 + w_{l+1}^2))`` for every pair."""
    L = W.shape[-2]
    errors = []
    for l in range(1, L):
        D = W[:, :, l, :] ** 2 - W[:, :, l - 1, :] ** 2
        m = evaluate_per_coordinate("gd_multiplier", W[:-1], wstar, eta, alphas, l, include_alpha2)
        scale = W[:-1, :, l, :] ** 2 + W[:-1, :, l - 1, :] ** 2
        # relative to |D| while |D| >> roundoff of w^2, else to 1e-6 w^2 (cancellation in D)
        with np.errstate(invalid="ignore", divide="ignore"):
            err = np.abs(D[1:] - m * D[:-1]) / (np.abs(D[:-1]) + 1e-6 * scale)
        errors.append(err[scale > 1e-150])  # weights in the subnormal range carry no relative precision
    return np.concatenate([e.ravel() for e in errors])


def _check_multiplier(runs, include_alpha2=True):
    """Per coordinate D_h(k+1)/D_h(k) (simulated) against the derived factor m(W(k))."""
    worst = 0.0
    for name, L, wstar, eta, alpha, c, trajectory in runs:
        err = _multiplier_errors(trajectory.weights, wstar, eta, alpha, include_alpha2)
        worst = max(worst, float(np.nanmax(err)) if err.size else 0.0)
    return worst <= MULTIPLIER_RTOL, {"max_relative_error": worst, "tolerance": MULTIPLIER_RTOL,
                                      "measure": "|D(k+1) - m D(k)| / (|D(k)| + 1e-6 (w_l^2 + w_{l+1}^2))"}


def _check_contraction(runs, rate_factor=4, with_c=True, constant_factor=1.0):
    """``||D(k+1)|| / ||D(k)|| <= 1 - rate_factor alpha eta^{2(L-1)} + constant_factor C alpha^2`` at every step.

    Rounding: ``D = w_{l+1}^2 - w_l^2`` is computed with an absolute error of a few ``eps (w_l^2 + w_{l+1}^2)``,
    and one GD step adds a few ``eps`` relative to the weights; the allowance per step is
    ``16 eps (scale(k)/||D(k)|| + scale(k+1)/||D(k+1)||)`` with ``scale = ||w_l^2 + w_{l+1}^2||``.  Steps whose
    allowance exceeds :data:`MAX_ROUNDING_ALLOWANCE` (``D`` lost to cancellation) or whose gaps are below
    :data:`SMALLEST_GAP` (subnormal squares) are skipped and counted.
    """
    worst, cases = 0.0, []
    constant_C = contraction_constant_function()
    eps = np.finfo(float).eps
    for name, L, wstar, eta, alpha, c, trajectory in runs:
        C = constant_factor * float(constant_C(c, float(np.max(np.abs(wstar))), eta))
        bound = float(contraction_factor_bound_function(L, rate_factor, with_c)(alpha, eta, C))
        W2 = trajectory.weights ** 2
        gaps = trajectory.records["balancing_gap"]  # (R, K, L-1)
        scale = np.sqrt(np.sum((W2[..., 1:, :] + W2[..., :-1, :]) ** 2, axis=-1))
        with np.errstate(invalid="ignore", divide="ignore"):
            relative_rounding = scale / gaps
            allowance = 16 * eps * (relative_rounding[:-1] + relative_rounding[1:])
            contraction = gaps[1:] / gaps[:-1]
        # ||D|| is computed from D^2, which is subnormal (no relative precision) below ~1e-154
        usable = (allowance <= MAX_ROUNDING_ALLOWANCE) & (gaps[:-1] > SMALLEST_GAP) & (gaps[1:] > SMALLEST_GAP)
        excess = contraction[usable] / (bound * (1 + allowance[usable]))
        ratio_over_bound = float(np.max(contraction[usable]) / bound) if np.any(usable) else 0.0
        worst = max(worst, float(np.max(excess)) if excess.size else 0.0)
        cases.append({"case": name, "alpha": alpha, "C": C if with_c else 0.0, "bound": bound,
                      "max_contraction": float(np.max(contraction[usable])) if np.any(usable) else None,
                      "ratio_over_bound": ratio_over_bound, "steps_used": int(np.sum(usable)),
                      "steps_skipped_for_rounding": int(np.sum(~usable)),
                      "max_rounding_allowance": float(np.max(allowance[usable])) if np.any(usable) else None})
    return worst <= 1.0, {"worst_ratio_over_bound": max(c["ratio_over_bound"] for c in cases),
                          "worst_ratio_over_bound_with_allowance": worst, "cases": cases}


# ----------------------------------------------------------------------------- harmonic steps
def _harmonic_configs(ctx):
    """``(name, L, W0 (L, d), wstar, eta, attained)`` of the harmonic-step runs."""
    rng = np.random.default_rng(ctx.seed_for("theorem-4.3/harmonic"))
    return [("L=2 random (attained)", 2, rng.normal(size=(2, 2)) * 0.6, np.array([1.2, -0.7]), 0.7, True),
            ("L=3 attained (layer 3, w* zero)", 3, np.array([[0.4, -0.3], [0.9, 0.2], [0.0, 0.0]]),
             np.zeros(2), 0.8, True),
            ("L=3 generic (rate >= target)", 3, rng.normal(size=(3, 2)) * 0.6, np.array([1.2, -0.7]), 0.8, False)]


@lru_cache(maxsize=4)
def _harmonic_runs(seed, quick, thorough):
    """GD with ``alpha_k = c0/(k + k0)``, ``c0 = target/(4 eta^{2(L-1)})``, ``k0 = ceil(c0/alpha_max)``.

    Recorded at every one of the first :data:`HARMONIC_FIRST_STEPS` steps and at geometrically spaced
    steps after.  Returns dicts with the setting and the trajectory.
    """
    ctx = RunContext(seed, quick, thorough)
    steps = ctx.size(20000, quick=8000, thorough=100000)
    recorded = np.union1d(np.arange(HARMONIC_FIRST_STEPS + 1), np.unique(np.geomspace(1, steps, 80).astype(int)))
    out = []
    for name, L, W0, wstar, eta, attained in _harmonic_configs(ctx):
        c0 = HARMONIC_TARGET_EXPONENT / (4 * eta ** (2 * (L - 1)))
        alpha_max, _ = _largest_allowed_step(L, W0[None], wstar, eta)
        k0 = int(np.ceil(c0 / alpha_max))
        trajectory = gradient_descent(W0, wstar, eta, steps, c0 / k0, schedule="harmonic", decay_start=k0,
                                      record_steps=recorded)
        out.append({"case": name, "L": L, "wstar": wstar, "eta": eta, "c0": c0, "k0": k0, "alpha_max": alpha_max,
                    "attained": attained, "steps": steps, "trajectory": trajectory})
    return out


def _check_harmonic_steps(runs, k0_shift=0):
    """The first steps follow ``D(k+1) = m(W(k), alpha_k) D(k)`` with the claim's ``alpha_k = c0/(k + k0)``.

    ``k0_shift`` shifts the claimed schedule (negative control).  This pins the schedule the
    simulator actually used to the one the claim states.
    """
    worst = 0.0
    for run in runs:
        trajectory = run["trajectory"]
        first = HARMONIC_FIRST_STEPS + 1
        k = trajectory.times[:first].astype(float)
        alphas = run["c0"] / (k[:-1] + run["k0"] + k0_shift)
        W = trajectory.weights[:first]
        err = _multiplier_errors(W, run["wstar"], run["eta"], alphas[:, None, None])
        worst = max(worst, float(np.nanmax(err)) if err.size else 0.0)
    return worst <= MULTIPLIER_RTOL, {"max_relative_error": worst, "tolerance": MULTIPLIER_RTOL,
                                      "steps_checked": HARMONIC_FIRST_STEPS}


def _check_exponent(runs, rate_factor=4):
    """Fitted exponent of ``||D(k)||`` on ``k >= steps/4`` against ``rate_factor c0 eta^{2(L-1)}``.

    Error analysis: per step ``log m_k = -4 alpha_k eta^2 A_k + rho_k`` with
    ``|rho_k| <= |m_k - (1 - 4 alpha_k eta^2 A_k)| + x_k^2 / (2 (1 - x_k))``, ``x_k = 1 - m_k``; with
    ``alpha_k = c0/(k+k0)`` the local slope in ``log k`` is ``4 c0 eta^2 A k/(k + k0) + k rho_k``.  Where the
    rate is attained (``A = eta^{2(L-2)}``) the fit is within ``k0/k_min + 1/k_min + max k |rho_k| / target``
    (relative) of the target; elsewhere (``A >= eta^{2(L-2)}``) at least the target less that.  A run
    whose gap is not finite and positive on the window fails.
    """
    ok, fits = True, []
    for run in runs:
        L, eta, c0, k0 = run["L"], run["eta"], run["c0"], run["k0"]
        trajectory = run["trajectory"]
        k = trajectory.times.astype(float)
        gap = trajectory.records["balancing_gap"][:, 0, 0]
        window = k >= run["steps"] // 4
        target = 4 * c0 * eta ** (2 * (L - 1))
        claimed = rate_factor * c0 * eta ** (2 * (L - 1))
        usable = bool(np.all(np.isfinite(gap[window])) and np.all(gap[window] > 0) and np.sum(window) >= 5)
        fit = {"case": run["case"], "L": L, "eta": eta, "c0": c0, "k0": k0, "target": target,
               "claimed_exponent": claimed, "attained": run["attained"], "gap_finite_and_positive": usable}
        if not usable:
            ok = False
            fit.update({"fitted_exponent": float("nan"), "relative_tolerance": float("nan"), "passed": False})
            fits.append(fit)
            continue
        slope = -np.polyfit(np.log(k[window]), np.log(gap[window]), 1)[0]
        W = trajectory.weights[window]
        alphas = (c0 / (k[window] + k0))[:, None, None]
        m = evaluate_per_coordinate("gd_multiplier", W, run["wstar"], eta, alphas, 1)
        first_order = 1 - evaluate_per_coordinate("gd_multiplier", W, run["wstar"], eta, alphas, 1, False)
        x = 1 - m
        rho = np.abs(m - (1 - first_order)) + x ** 2 / (2 * (1 - x))
        k_min = float(k[window][0])
        tolerance = k0 / k_min + 1 / k_min + float(np.max(k[window][:, None, None] * rho)) / target
        if run["attained"]:
            passed = abs(slope / claimed - 1) <= tolerance
        else:
            passed = slope >= claimed * (1 - tolerance)
        ok &= bool(passed)
        fit.update({"fitted_exponent": float(slope), "relative_tolerance": tolerance, "k_min": k_min,
                    "passed": bool(passed)})
        fits.append(fit)
    return ok, fits
