"""ssam-stationary: S-SAM with a constant step settles into a stationary spread around a minimum (outlook, Sec 5).

Claim.  Run S-SAM (eq 6) with a constant step ``alpha`` from a strict local minimum ``W°`` of ``L_R``
(Theorem 3.1(b): balanced, larger shrinkage root).  It does not converge: the deviation ``delta = W - W°``
reaches a stationary law whose second moment ``S = E[delta delta^T]`` is predicted by linearizing the step,
``delta' = delta - alpha (g0 + J delta)``, with ``g0`` the noisy gradient (Lemma 2.1) at ``W°``
(``E g0 = 0``, covariance ``Q``) and ``J`` its Jacobian (``E J = H = Hess L_R(W°)``):

* outlook's guess, the **discrete Lyapunov** equation ``S = A S A^T + alpha^2 Q``, ``A = I - alpha H``;
* derived here, the **mean-square** equation ``S = E[(I - alpha J) S (I - alpha J)^T] + alpha^2 Q``
  (multiplicative noise kept; ``vec S = alpha (H (+) H - alpha E[J (x) J])^{-1} vec Q``).

Both are ``alpha S_1 + O(alpha^2)`` with ``H S_1 + S_1 H = Q``; they differ at ``O(alpha^2)``, the same order
as the nonlinear terms neither keeps.  ``Q``, ``H`` and ``E[J (x) J]`` are derived per coordinate from Gaussian
moments (:mod:`derivations.stationary`).  For ``L = 2`` (one coordinate, ``a^2 = w* - eta^2``):
``s_b = alpha eta^2 mu_4 (2a^4 + 5a^2 eta^2 + eta^4) / (a^2 (1 - 2 alpha a^2))`` along ``(1, 1)`` and
``s_i = alpha eta^2 mu_4 (a^2 + 3 eta^2) / (1 - 2 alpha eta^2)`` along ``(1, -1)`` (discrete Lyapunov).
Drift toward balance, exact for every ``W``: ``E[D' | W] = (1 - 4 alpha eta^2 prod_{k not in {l,l+1}}
(W_k^2 + eta^2)) D + alpha^2 (E g_{l+1}^2 - E g_l^2)``, ``D = W_{l+1}^2 - W_l^2``.

Where the truth differs from the outlook's guess (measured on the instance below: 2e5 runs per step, and 8 seeds
of 3e4 runs at alpha = 0.01, which agree within 1%): the discrete Lyapunov prediction overestimates the stiff
(balanced) axis by about ``1.5 alpha lambda_max(H)``: +2.4% at alpha = 0.005, +4.3% to +5.2% at 0.01, +10.7% at
0.02; the mean-square one is off by -1.3%/+1.0%, about -2.5%/+2% and -4.5%/+4.7% (imbalance/balanced axis).
The error reaches the 4% tolerance near alpha = 0.009 (discrete) and 0.018 (mean square); both are far off at
alpha = 0.04 (+44% and +28%).  The linearized second moment diverges at ``alpha_ms = 0.245`` (mean square), far
below ``2 / lambda_max(H) = 0.667``.

Evidence.  Symbolic: ``E g0 = grad L_R``, ``E J = Hess L_R``, the drift identity (L = 2, 3), the ``L = 2``
closed forms.  High precision: exact quadrature (:mod:`numeric.stationary`) against the Gaussian-moment
formulas.  Monte Carlo: independent runs, one deviation per run after a burn-in fixed by the contraction
of the linearized second moment (transient below 3e-3); the test and its rate are in :func:`spread_test`.
Negative controls on the same sample: ``Q`` scaled by 1.1 and 0.9, the noise level 5% off; near misses
(``Q`` scaled by 1.01, 0.99) pass.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import sympy as sp
from scipy.optimize import brentq
from scipy.stats import norm

from derivations import stationary as stationary_derivation
from derivations.landscape.coordinate_model import coordinate_L_R
from numeric import model
from numeric import stationary
from numeric.montecarlo import Moments
from numeric.noisy import noisy_gradients
from numeric.shrinkage import shrinkage_roots

from ..controls import boundary_control_evidence
from ..framework import DEFAULT_FALSE_FAILURE_BUDGET, Evidence, claim
from ..stats import DEFAULT_ALPHA, DEFAULT_POWER, assert_means_equal, miss_probability

ssam_stationary = claim(
    "ssam-stationary", "S-SAM with a constant step: stationary spread around a minimum",
    statement="""
        With a constant step alpha, S-SAM started at a strict local minimum W° of L_R settles into a stationary law;
        its second moment S = E[(W - W°)(W - W°)^T] matches the mean-square linearization S = E[(I - alpha J) S (I -
        alpha J)^T] + alpha^2 Q (Q = Cov of the noisy gradient at W°, J its Jacobian, E J = Hess L_R) within 4% along
        every principal axis at alpha = 0.01 (L = 2, w* = 1, eta = 1/2, x = +-1); the discrete Lyapunov equation S = A
        S A^T + alpha^2 Q, A = I - alpha H, has the same leading order alpha S_1 (H S_1 + S_1 H = Q). Both fail by
        alpha = 0.04. The imbalance D = W_{l+1}^2 - W_l^2 drifts as E[D'|W] = (1 - 4 alpha eta^2 prod_{k not in
        {l,l+1}}(W_k^2 + eta^2)) D + alpha^2 (E g_{l+1}^2 - E g_l^2), exactly.
        """,
    section="beyond", order=90.3, equations=("6", "29"),
    false_failure_budget=DEFAULT_FALSE_FAILURE_BUDGET,
    notes="""
        Beyond the paper (outlook, Section 5). The outlook's discrete Lyapunov guess is right only to leading order:
        its relative error is about 1.5 alpha lambda_max(H) on the stiff axis (+4% to +5% at alpha = 0.01), because
        the multiplicative noise (E[J (x) J] != H (x) H) and the nonlinearity both enter at O(alpha^2); keeping the
        multiplicative noise halves the error here but does not remove the O(alpha) relative error. Tails grow with
        the step: the whitened deviations have kurtosis 3.0-3.1 at alpha = 0.01 and up to 14.6 at alpha = 0.04
        (multiplicative noise).
        """,
)

#: The instance: one coordinate, depth 2, w* = 1, eta = 1/2, inputs x = +-1 (whitened, E x^4 = 1).
DEPTH, WSTAR, ETA = 2, "1", "0.5"
INPUTS = np.array([[1.0], [-1.0]])
TOLERANCE = 0.04          # relative, per principal axis (and for the whitened cross moment)
TEST_STEP, BREAKDOWN_STEP = 0.01, 0.04
#: The claim's false-failure budget 1e-6: the spread test, the drift test, and the two near misses (Q x 1.01 and
#: x 0.99 through the spread test on the same runs: true statements while the measured errors, -2.5%/+2%, stay
#: inside the tolerance after a 1% shift, so each fails with at most the test's level).
SPREAD_ALPHA = ssam_stationary.allocate("spread", 0.25)
DRIFT_ALPHA = ssam_stationary.allocate("drift", 0.15)
ssam_stationary.allocate("near-misses", 0.5)
BURN_IN_TRANSIENT = 3e-3  # the linearized second moment is within 0.3% (< a tenth of the tolerance) after it


def instance():
    """``(W°, X, Y, eta)``: the minimum from the certified larger shrinkage root (not from a closed form)."""
    roots = shrinkage_roots(DEPTH, ETA, WSTAR, digits=30)
    a = float(roots.roots_a[-1])
    X = INPUTS
    return np.full((DEPTH, 1), a), X, X @ np.array([float(WSTAR)]), float(ETA)


def spread_test(deviations, S, tolerance=TOLERANCE, alpha=DEFAULT_ALPHA, power=DEFAULT_POWER):
    """Is ``S`` within ``tolerance`` of the stationary second moment along every principal axis of ``S``?

    Statistic: per run, the products ``z_i z_j`` of the deviations in units of ``S``
    (:func:`numeric.stationary.whitened_second_moments`); their means estimate ``E[z z^T]``, ``I`` when ``S``
    is right.  The check fails iff ``|mean_ij - I_ij| - z se_ij > tolerance`` for some entry (one-sided
    tolerance test, Bonferroni over entries).  Runs are independent, so the mean is a mean of iid products of
    near-Gaussian variables (skewed, all moments finite).  The critical ``z`` solves
    ``sum_ij [2 Phibar(z) + 2 |2 gamma_ij| (2 z^2 + 1) phi(z) / (6 sqrt n)] = alpha``: the one-term Edgeworth
    expansion of the studentized mean with twice the sample skewness ``gamma``; ``tests/`` calibrates it.
    Detects a true relative error ``delta`` above ``(tolerance + m) / (1 - m)``, ``m = (z + z_power) se``
    (``se`` as estimated here): under the alternative the products, hence their standard errors, grow by up
    to ``1 + delta`` (measured in scripts/calibrate_statistics.py: ``tolerance + m`` alone reached power 0.975
    instead of 0.99 at the calibration size).
    """
    estimate, standard_error, products = stationary.whitened_second_moments(deviations, S)
    p = np.asarray(S).shape[0]
    rows, cols = np.triu_indices(p)
    reference = (rows == cols).astype(float)
    n = products.shape[0]
    finite = bool(np.all(np.isfinite(products)))
    if finite:
        centred = products - products.mean(axis=0)
        skewness = np.abs(np.mean(centred ** 3, axis=0) / np.maximum(np.mean(centred ** 2, axis=0), 1e-300) ** 1.5)
    else:
        skewness = np.full(rows.size, np.inf)

    def excess_rate(z):
        edgeworth = np.sum(2 * 2 * skewness * (2 * z * z + 1) * norm.pdf(z) / (6 * math.sqrt(n)))
        return rows.size * 2 * norm.sf(z) + edgeworth - alpha

    z = brentq(excess_rate, 1.0, 40.0) if finite else math.inf
    excess = np.abs(estimate - reference) - z * standard_error
    passed = finite and bool(np.all(excess <= tolerance))
    return passed, {
        "test": "one-sided tolerance test per entry of E[z z^T] (principal axes of S), Bonferroni, "
                "Edgeworth-corrected critical value", "runs": int(n), "tolerance": tolerance,
        "relative_errors": (estimate - reference).tolist(), "standard_errors": standard_error.tolist(),
        "max_excess_over_margin": float(np.max(excess)) if finite else math.inf, "z_critical": z,
        "sample_skewness": skewness.tolist(), "false_failure_probability": alpha, "power": power,
        "detectable_relative_error": _detectable_relative_error(tolerance, (z + norm.isf(1 - power))
                                                                * float(np.max(standard_error)))
        if finite else math.inf, "diverged_runs": int(np.sum(~np.all(np.isfinite(deviations), axis=1)))}


def _detectable_relative_error(tolerance, margin):
    """``(tolerance + margin) / (1 - margin)``: the standard errors grow with the true error (inf if margin >= 1)."""
    return float((tolerance + margin) / (1 - margin)) if margin < 1 else math.inf


_SAMPLES = {}


def stationary_sample(ctx, alpha):
    """Independent S-SAM runs at step ``alpha`` (cached per seed and mode): ``(deviations, burn_in, runs, seed)``."""
    key = (ctx.seed, ctx.quick, ctx.thorough, alpha)
    if key not in _SAMPLES:
        W, X, Y, eta = instance()
        moments = stationary.noise_moments(W, X, Y, eta)
        burn_in = stationary.burn_in_steps(moments, alpha, BURN_IN_TRANSIENT)
        runs = ctx.size(30_000, quick=25_000, thorough=200_000) if alpha == TEST_STEP else ctx.size(
            40_000, thorough=100_000)
        seed = ctx.seed_for(f"ssam-stationary-{alpha}")
        if any(k[:3] != key[:3] for k in _SAMPLES):
            _SAMPLES.clear()  # keep the samples of one seed and mode only
        _SAMPLES[key] = (stationary.stationary_deviations(W, X, Y, eta, alpha, runs, burn_in, seed=seed),
                         burn_in, runs, seed)
    return _SAMPLES[key]


# --- symbolic --------------------------------------------------------------------------

@ssam_stationary.method("symbolic", "noise-moments-drift-identity-two-layer-spread")
def noise_moments_and_drift(ctx):
    rows = []
    for L in ((2,) if ctx.quick else (2, 3)):
        moments = stationary_derivation.noise_moments(L)
        s = moments["symbols"]
        hessian_gap = sp.expand(moments["H"] - sp.hessian(coordinate_L_R(L), s.w))
        drift = stationary_derivation.balance_drift_identity(L)
        operator_route = sp.expand(stationary_derivation.gradient_second_moment_by_operator(L, 0, L - 1)
                                   - moments["second"][0, L - 1]) == 0 if L == 2 else None
        rows.append({"L": L, "mean_is_grad_L_R": drift["mean_is_grad_L_R"],
                     "E_g1_gL_by_generic_operator_equal": operator_route,
                     "E_J_is_hess_L_R": hessian_gap == sp.zeros(L, L), "drift_identity_difference": str(
                         drift["difference"])})
    spread = stationary_derivation.two_layer_spread()
    two_layer = {k: str(spread[k]) for k in ("lambda_b", "lambda_i", "q_b", "q_i", "s_b", "s_i")}
    ok = all(r["mean_is_grad_L_R"] and r["E_J_is_hess_L_R"] and r["drift_identity_difference"] == "0"
             and r["E_g1_gL_by_generic_operator_equal"] is not False
             for r in rows) and spread["cross_terms"] == (0, 0) and spread["gradient_at_minimum"] == sp.zeros(2, 1)
    return Evidence("symbolic", bool(ok), {"depths": rows, "two_layer_minimum": two_layer,
                                           "cross_terms_balanced_imbalance": [str(c) for c in spread["cross_terms"]]})


# --- high precision ---------------------------------------------------------------------

def _exact_moments(L, W, wstar, eta, fourth_moment):
    """The symbolic moments (one coordinate) at a rational point, as exact rationals."""
    moments = stationary_derivation.noise_moments(L)
    s = moments["symbols"]
    values = {s.wstar: sp.Rational(str(wstar)), s.eta: sp.Rational(str(eta)), stationary_derivation.mu4:
              sp.Rational(str(fourth_moment))}
    values.update({w: sp.Rational(str(v)) for w, v in zip(s.w, W)})
    return {k: np.array(moments[k].subs(values).tolist(), dtype=float) for k in ("mean", "Q", "H")}


@ssam_stationary.method("high-precision", "quadrature-vs-gaussian-moments-and-closed-forms")
def quadrature_against_moments(ctx):
    cases = []
    # inputs with E x^2 = 1 (whitened) and E x^4 = 41/25 (data noise), at unbalanced rational points
    inputs = np.array([[0.5], [-0.5], [1.5], [-1.5]]) / math.sqrt(1.25)
    fourth = Fraction(np.mean(inputs[:, 0] ** 4)).limit_denominator(10 ** 6)
    points = ((2, ("3/4", "-1/2"), "1", "1/2"), (3, ("1/2", "6/5", "-3/4"), "-2/3", "3/5"))
    for L, W, wstar, eta in points[:1] if ctx.quick else points:
        W_float = np.array([[float(Fraction(w))] for w in W])
        Y = inputs @ np.array([float(Fraction(wstar))])
        numeric_moments = stationary.noise_moments(W_float, inputs, Y, float(Fraction(eta)))
        exact = _exact_moments(L, W, Fraction(wstar), Fraction(eta), fourth)
        errors = {k: float(np.max(np.abs(getattr(numeric_moments, k).reshape(exact[k].shape) - exact[k]))
                           / (1 + np.max(np.abs(exact[k])))) for k in ("mean", "Q", "H")}
        hessian_error = float(np.max(np.abs(numeric_moments.H - model.hessian_marginalized_loss(
            W_float, np.array([float(Fraction(wstar))]), float(Fraction(eta)))[0])))
        cases.append({"L": L, "W": W, "wstar": wstar, "eta": eta, "E_x4": str(fourth), "relative_errors": errors,
                      "H_vs_numeric_model_hessian": hessian_error,
                      "passed": max(errors.values()) < 1e-12 and hessian_error < 1e-12})
    W, X, Y, eta = instance()
    moments = stationary.noise_moments(W, X, Y, eta)
    spread = stationary_derivation.two_layer_spread()
    closed = {k: float(spread[k].subs({spread["a"]: sp.Float(W[0, 0], 30), spread["eta"]: sp.Rational(1, 2),
                                       stationary_derivation.mu4: 1, stationary_derivation.alpha: TEST_STEP}))
              for k in ("s_b", "s_i")}
    S = stationary.stationary_second_moment(moments, TEST_STEP, multiplicative=False)
    axes = np.array([[1, 1], [1, -1]]) / math.sqrt(2)
    along = np.diag(axes @ S @ axes.T)
    closed_error = max(abs(along[0] / closed["s_b"] - 1), abs(along[1] / closed["s_i"] - 1))
    thresholds = {"mean_square": stationary.mean_square_stability_threshold(moments),
                  "plain_2_over_lambda_max": stationary.mean_square_stability_threshold(moments, False)}
    ok = all(c["passed"] for c in cases) and closed_error < 1e-12 and thresholds["mean_square"] < thresholds[
        "plain_2_over_lambda_max"]
    return Evidence("high-precision", ok, {"cases": cases, "lyapunov_vs_closed_form_rel_error": closed_error,
                                           "stability_thresholds": thresholds,
                                           "quadrature": "Gauss-Hermite, 3 nodes per weight (exact to degree 5)"})


# --- Monte Carlo ------------------------------------------------------------------------------

def _errors_along_axes(deviations, S):
    estimate, _, _ = stationary.whitened_second_moments(deviations, S)
    rows, cols = np.triu_indices(S.shape[0])
    return (estimate - (rows == cols))[rows == cols]


def _spread_miss_estimate(detail):
    """Probability that :func:`spread_test` passes a prediction whose true errors are the observed ones (plug-in):
    every entry must, so at most the smallest entry's ``Phi(z - (|error| - tolerance) / se)``."""
    errors, se = np.abs(np.asarray(detail["relative_errors"])), np.asarray(detail["standard_errors"])
    return float(np.min(norm.cdf(detail["z_critical"] - (errors - detail["tolerance"]) / se)))


@ssam_stationary.method("monte-carlo", "stationary-spread-across-step-sizes")
def stationary_spread(ctx):
    W, X, Y, eta = instance()
    moments = stationary.noise_moments(W, X, Y, eta)
    deviations, burn_in, runs, seed = stationary_sample(ctx, TEST_STEP)
    mean_square = stationary.stationary_second_moment(moments, TEST_STEP)
    plain = stationary.stationary_second_moment(moments, TEST_STEP, multiplicative=False)
    passed, detail = spread_test(deviations, mean_square, alpha=SPREAD_ALPHA)
    plain_errors = _errors_along_axes(deviations, plain)
    detail.update({"step": TEST_STEP, "burn_in": burn_in, "runs": runs, "seed": seed,
                   "burn_in_criterion": f"rho(second-moment operator)^burn_in <= {BURN_IN_TRANSIENT}",
                   "discrete_lyapunov_relative_errors_along_axes": plain_errors.tolist(),
                   "mean_deviation": deviations.mean(axis=0).tolist(),
                   "stationary_imbalance_second_moment": float(np.mean(((W[1, 0] + deviations[:, 1]) ** 2
                                                                        - (W[0, 0] + deviations[:, 0]) ** 2) ** 2))})
    detail["budget_share"] = "spread"
    evidence = [Evidence("monte-carlo", passed, detail, name="mean-square-lyapunov-at-test-step")]
    if not ctx.quick:
        far, far_burn_in, far_runs, far_seed = stationary_sample(ctx, BREAKDOWN_STEP)
        rows = []
        for label, multiplicative in (("mean_square", True), ("discrete_lyapunov", False)):
            far_S = stationary.stationary_second_moment(moments, BREAKDOWN_STEP, multiplicative)
            rejected, far_detail = spread_test(far, far_S, alpha=SPREAD_ALPHA)
            rejected = not rejected
            far_errors = _errors_along_axes(far, far_S)
            rows.append({"prediction": label, "rejected_at_breakdown_step": rejected,
                         "relative_errors_along_axes": far_errors.tolist(), **{k: far_detail[k] for k in (
                             "max_excess_over_margin", "detectable_relative_error", "z_critical")},
                         "miss_probability_estimate": _spread_miss_estimate(far_detail)})
        evidence.append(Evidence("monte-carlo", all(r["rejected_at_breakdown_step"] for r in rows), {
            "false_failure_probability": 0.0, "control_miss_probability": max(
                r["miss_probability_estimate"] for r in rows),
            "role": "a control: the test must reject both predictions; a miss is a type II error (not spent), its "
                    "probability estimated at the observed errors",
            "step": BREAKDOWN_STEP, "burn_in": far_burn_in, "runs": far_runs, "seed": far_seed, "rows": rows,
            "where_it_stops_holding": "2e5-run scan (alpha = 0.005, 0.01, 0.02, 0.03, 0.04): the error reaches 4% "
            "near alpha = 0.009 (discrete Lyapunov, stiff axis) and alpha = 0.018 (mean square)"},
            name="linearization-breaks-down"))
    return evidence


DRIFT_POINT, DRIFT_STEP = np.array([[1.3], [0.5]]), 0.2  # unbalanced: D = 0.25 - 1.69


def one_step_imbalance(ctx):
    """Moments of ``D' = W'_2^2 - W'_1^2`` after one S-SAM step from ``DRIFT_POINT`` (noisy gradients of Lemma 2.1)."""
    _, X, Y, eta = instance()
    draws, seed = ctx.size(400_000, quick=300_000, thorough=2_000_000), ctx.seed_for("ssam-stationary-drift")
    after = DRIFT_POINT[None] - DRIFT_STEP * noisy_gradients(DRIFT_POINT, X, Y, eta, draws, seed=seed)
    imbalance = after[:, 1, 0] ** 2 - after[:, 0, 0] ** 2
    return Moments(draws, np.array([imbalance.mean()]), np.array([imbalance.var(ddof=1)]), seed, draws)


def predicted_drift(rate_factor=1.0, noise_term=True):
    """``(1 - 4 alpha eta^2) D + alpha^2 (E g_2^2 - E g_1^2)`` (L = 2), ``E g^2`` from the exact noise moments."""
    _, X, Y, eta = instance()
    moments = stationary.noise_moments(DRIFT_POINT, X, Y, eta)
    second = np.diag(moments.Q) + moments.mean ** 2
    D = DRIFT_POINT[1, 0] ** 2 - DRIFT_POINT[0, 0] ** 2
    return ((1 - rate_factor * 4 * DRIFT_STEP * eta ** 2) * D
            + (DRIFT_STEP ** 2 * (second[1] - second[0]) if noise_term else 0.0))


@ssam_stationary.method("monte-carlo", "drift-toward-balance-one-step")
def drift_toward_balance(ctx):
    passed, detail = assert_means_equal(one_step_imbalance(ctx), predicted_drift(), alpha=DRIFT_ALPHA)
    detail.update({"budget_share": "drift", "W": DRIFT_POINT.ravel().tolist(), "step": DRIFT_STEP, "predicted_mean_D_next":
                   predicted_drift(), "D_now": float(DRIFT_POINT[1, 0] ** 2 - DRIFT_POINT[0, 0] ** 2),
                   "statistic": "z-test of the mean of D' (a polynomial in Gaussians, all moments finite; the "
                                "design of lemma-2.2)"})
    return Evidence("monte-carlo", passed, detail)


# --- negative controls -------------------------------------------------------------------------

@ssam_stationary.method("negative-control", "wrong-noise-covariance-and-noise-level")
def wrong_noise_controls(ctx):
    W, X, Y, eta = instance()
    moments = stationary.noise_moments(W, X, Y, eta)
    deviations, _, runs, seed = stationary_sample(ctx, TEST_STEP)

    def run(name, prediction_moments, distance, near=False):
        passed, detail = spread_test(deviations, stationary.stationary_second_moment(prediction_moments, TEST_STEP),
                                     alpha=SPREAD_ALPHA)
        entry = {"name": name, "distance_from_boundary": distance, "relative_errors": detail["relative_errors"],
                 "max_excess_over_margin": detail["max_excess_over_margin"], "tolerance": TOLERANCE}
        if near:  # a true statement while its errors stay inside the tolerance (module docstring): the level
            return {**entry, "passed": passed, "failure_probability": SPREAD_ALPHA}
        return {**entry, "rejected": not passed, "miss_probability": _spread_miss_estimate(detail),
                "miss_probability_note": "plug-in: the observed errors taken as the true ones"}

    variants = [run(f"alpha^2 Q scaled by {c}", moments.scaled(c), f"{abs(c - 1):.0%} off") for c in (1.1, 0.9)]
    variants += [run(f"noise level eta x {c} in Q, H, E[J (x) J]", stationary.noise_moments(W, X, Y, eta * c),
                     f"{abs(c - 1):.0%} off") for c in (1.05, 0.95)]
    near_misses = [run(f"alpha^2 Q scaled by {c} (near miss, must pass)", moments.scaled(c), "1% off", near=True)
                   for c in (1.01, 0.99)]
    drift = one_step_imbalance(ctx)
    for name, wrong, distance in (("drift rate 4.4 alpha eta^2 (10% off)", predicted_drift(rate_factor=1.1), "rate +10%"),
                                  ("drift without the alpha^2 noise term", predicted_drift(noise_term=False),
                                   "alpha^2 term dropped")):
        passed, detail = assert_means_equal(drift, wrong, alpha=DRIFT_ALPHA)
        variants.append({"name": f"one-step imbalance: {name}", "rejected": not passed, "z_max": detail["z_max"],
                         "z_critical": detail["z_critical"], "distance_from_boundary": distance,
                         "miss_probability": miss_probability(wrong - predicted_drift(), detail["standard_error_max"],
                                                              detail["z_critical"])})
    evidence = boundary_control_evidence(variants, near_misses, {"runs": runs, "seed": seed}, budget_share="near-misses")
    if not ctx.quick:  # the L = 3 moments cost 0.15 s
        drift = stationary_derivation.balance_drift_identity(3)
        s = stationary_derivation.noise_moments(3)["symbols"]
        D = s.w[1] ** 2 - s.w[0] ** 2
        wrong_rate = sp.expand(drift["difference"] + 4 * stationary_derivation.alpha * s.eta ** 2 * (
            s.w[2] ** 2 + s.eta ** 2) * D * sp.Rational(1, 10))
        evidence.detail["variants"].append({"name": "drift rate 4.4 alpha eta^2 (10% off), L = 3",
                                            "rejected": wrong_rate != 0, "distance_from_boundary": "10% off"})
        evidence.passed = evidence.passed and wrong_rate != 0
    return evidence
