"""Claim ``lemma-2.1``: the noisy S-SAM gradient (eq 6) and its SGD case (eq 4).

Statement.  With perturbed weights ``W~_l = W_l + G_l`` (``G_l`` diagonal, iid
``N(0, eta^2)`` entries) and one sample ``(X, Y)``, ``Y = <w*, X>``, the gradient
of the noisy loss ``L~ = (Y - 1^T W~_L...W~_1 X)^2`` is::

    grad_{W_l} L~ = -2 (Y - 1^T W~_L...W~_1 X) prod_{k != l} W~_k Diag(X)
                  = -2 prod_{k != l} W~_k Diag(X X^T (w* - w~)),   w~ = diag(W~_L...W~_1);

it depends on the input only through ``X X^T``, and at ``eta = 0`` its mean over
a uniformly drawn sample of whitened data is ``grad L`` (the SGD gradient of eq 4).

Evidence:

* **symbolic**: both closed forms equal the derivative of :func:`derivations.marginalized.noisy_loss`
  as polynomial identities in ``W~`` (the lemma is a statement about ``W~``), for
  ``L = 2..8`` (``2..4`` with ``--quick``) and ``d = 1..3``;
* **high-precision**: the float64 noisy gradients of :func:`numeric.noisy.noisy_gradients_from`
  against the closed form evaluated with mpmath at 50 digits at random points;
* **monte-carlo**: the mean of simulated S-SAM gradients (:func:`numeric.noisy.noisy_gradient_moments`,
  a uniform sample index and fresh noise per draw) equals, at ``eta = 0``, :func:`numeric.model.grad_loss`
  (SGD, eq 4) and, at ``eta = 0.4``, the exact expectation of Lemma 2.1's gradient by Gauss-Hermite
  quadrature (:func:`numeric.noisy.quadrature_mean_noisy_gradient`; independent of ``R`` and of
  Lemma 2.2); two z-tests (:mod:`checks.stats`) at the nominal level 1e-7, justified for the
  summands' tails as described in :mod:`.monte_carlo_design` (fixed instance ``L = 4``, ``d = 3``,
  bounded whitened data; ``2e5`` draws per test quick, ``8e5`` by default);
* **negative-control**: wrong closed forms (the factor ``-2.1``, sign, factor ``-1``, ``Diag(X)``
  dropped, ``k = l`` in the product) must be rejected by both the symbolic and the high-precision
  check (every route that runs a variant must reject it; near miss: the factor ``-2 (1 + 1e-14)``,
  accepted by the float64 check whose tolerance is 1e-12), and by the same Monte Carlo draws: the
  mean ``(1 + e) grad L`` at ``eta = 0``, the expectation at the noise level ``(1 + e) eta`` and
  ``grad L`` at ``eta = 0.4`` (``e = 10 %`` quick, ``5 %`` by default: at least 11 standard errors);
  near miss: the expectation shifted by 2 % of the detectable discrepancy.  The negative-control
  evidence adds up the claim's false-failure probability (at most 1e-6).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from derivations.marginalized import (network_symbols, noisy_gradient, noisy_gradient_closed_form,
                                      noisy_gradient_closed_form_xx, prove_identity)
from numeric.model import grad_loss
from numeric.noisy import noisy_gradient_moments, noisy_gradients, noisy_gradients_from, quadrature_mean_noisy_gradient

from ..controls import boundary_control_evidence
from ..framework import DEFAULT_FALSE_FAILURE_BUDGET, Evidence, RunContext, claim
from ..stats import assert_means_equal, z_critical
from . import monte_carlo_design as design
from .instances import (LEMMA_2_1_WEIGHTS, MONTE_CARLO_TARGET, bounded_whitened_data, random_network_point,
                        symbolic_proof_depths)
from .precision import DIGITS, FLOAT64_RTOL, max_relative_error

__all__ = ["lemma_2_1", "WRONG_GRADIENTS"]

lemma_2_1 = claim(
    "lemma-2.1", "Noisy S-SAM gradient",
    statement="""
        grad_{W_l} L~ = -2 (Y - 1^T W~_L...W~_1 X) prod_{k!=l} W~_k Diag(X) = -2 prod_{k!=l} W~_k Diag(X X^T (w* -
        w~)); at eta = 0 its mean over the data is grad L (SGD, eq 4).
        """,
    section="2", order=21, equations=("6", "4"),
    false_failure_budget=DEFAULT_FALSE_FAILURE_BUDGET,
    notes="""
        Proven symbolically for L = 2..8 and d = 1..3 in the perturbed weights W~ = W + G (the lemma is a statement
        about W~). The Monte Carlo part checks the simulated gradients at eta = 0 (SGD, mean grad L) and at eta = 0.4
        (mean: the exact Gauss-Hermite expectation of the closed form, independent of R).
        """,
)
#: False-failure budget 1e-6: the z-tests (nominal 1e-7 times the Edgeworth inflation) and the Monte Carlo
#: near miss (:mod:`.monte_carlo_design`).
design.allocate_shares(lemma_2_1)


# ----------------------------------------------------------------------------- symbolic

def _check_gradient_symbolic(candidate, depths, widths):
    """``candidate(L, d)`` equals the derivative of the noisy loss for every depth and width given."""
    failures = []
    for L in depths:
        for d in widths:
            if not prove_identity(noisy_gradient(L, d), candidate(L, d)):
                failures.append([L, d])
    return not failures, {"depths": list(depths), "widths": list(widths), "failures": failures}


@lemma_2_1.method("symbolic", "closed forms = derivative")
def _noisy_gradient_symbolic(ctx):
    widths = range(1, 4)
    depths = symbolic_proof_depths(ctx)
    first_ok, first_detail = _check_gradient_symbolic(noisy_gradient_closed_form, depths, widths)
    second_ok, second_detail = _check_gradient_symbolic(noisy_gradient_closed_form_xx, depths, widths)
    return Evidence("symbolic", first_ok and second_ok, {
        "identity": "d/dW~ (Y - 1^T W~ X)^2 == -2(Y - 1^T W~ X) prod_{k!=l} W~_k Diag(X) "
                    "== -2 prod_{k!=l} W~_k Diag(X X^T (w* - w~))",
        "first_form": first_detail, "second_form_xx": second_detail,
        "summary": f"L={min(depths)}..{max(depths)}, d=1..3",
    })


# ----------------------------------------------------------------------------- high precision

def _check_gradient_high_precision(candidate, L, d, rng, n_points=5):
    """float64 noisy gradients of numeric.noisy vs the candidate evaluated at 50 digits."""
    import mpmath

    s = network_symbols(L, d)
    arguments = [u for row in s.u for u in row] + list(s.x) + list(s.wstar)
    candidate_at = sp.lambdify(arguments, [list(row) for row in candidate(L, d)], modules="mpmath")
    worst = 0.0
    with mpmath.workdps(DIGITS):
        for _ in range(n_points):
            W_perturbed, wstar, _ = random_network_point(rng, L, d)
            x = rng.standard_normal(d)
            y = float(x @ wstar)
            float64_gradient = noisy_gradients_from(W_perturbed[None], x[None], np.array([y]))[0]
            reference = np.array(candidate_at(*[mpmath.mpf(v) for v in [*W_perturbed.ravel(), *x, *wstar]]),
                                 dtype=object)
            worst = max(worst, max_relative_error(float64_gradient, reference))
    return worst <= FLOAT64_RTOL, {"L": L, "d": d, "points": n_points, "max_rel_err": worst,
                                   "tolerance": FLOAT64_RTOL, "digits": DIGITS}


@lemma_2_1.method("high-precision", "float64 vs 50 digits")
def _noisy_gradient_high_precision(ctx):
    rng = np.random.default_rng(ctx.seed_for("lemma-2.1/hp"))
    cases = [(2, 1), (3, 2), (4, 3)] if ctx.quick else [(2, 1), (3, 2), (4, 3), (6, 2)]
    results = [_check_gradient_high_precision(noisy_gradient_closed_form, L, d, rng) for L, d in cases]
    details = [detail for _, detail in results]
    return Evidence("high-precision", all(passed for passed, _ in results), {
        "cases": details, "seed": ctx.seed_for("lemma-2.1/hp"),
        "summary": f"max rel err {max(detail['max_rel_err'] for detail in details):.1e}",
    })


# ----------------------------------------------------------------------------- Monte Carlo

#: Noise levels of the two Monte Carlo tests: SGD (eq 4) and S-SAM.
MONTE_CARLO_ETAS = (0.0, 0.4)


@lru_cache(maxsize=4)
def _simulated_gradients(seed, quick, thorough):
    """Moments of the simulated noisy gradients at each noise level (fixed instance), and pilot tails; cached per run."""
    ctx = RunContext(seed, quick, thorough)
    X, Y = bounded_whitened_data(MONTE_CARLO_TARGET)
    m = ctx.size(800_000, quick=200_000, thorough=3_200_000)
    moments, tails = {}, {}
    for eta in MONTE_CARLO_ETAS:
        moments[eta] = noisy_gradient_moments(LEMMA_2_1_WEIGHTS, X, Y, eta, m,
                                              seed=ctx.seed_for(f"lemma-2.1/mc/draws/{eta}"))
        tails[eta] = design.pilot_tails(noisy_gradients(LEMMA_2_1_WEIGHTS, X, Y, eta, design.PILOT_DRAWS,
                                                 seed=ctx.seed_for(f"lemma-2.1/mc/pilot/{eta}")))
    return X, Y, m, moments, tails


def expected_mean_gradient(eta, X, Y, noise_scale=1.0):
    """The mean noisy gradient the lemma implies: ``grad L`` at ``eta = 0``, else the quadrature at ``noise_scale * eta``."""
    if eta == 0:
        return grad_loss(LEMMA_2_1_WEIGHTS, MONTE_CARLO_TARGET)
    return quadrature_mean_noisy_gradient(LEMMA_2_1_WEIGHTS, X, Y, noise_scale * eta)


def _check_mean_gradient(eta, claimed, ctx):
    """z-test of the simulated mean gradient at noise level ``eta`` against ``claimed`` (level NOMINAL_ALPHA / 2)."""
    X, Y, m, moments, tails = _simulated_gradients(ctx.seed, ctx.quick, ctx.thorough)
    passed, detail = assert_means_equal(moments[eta], claimed, alpha=design.NOMINAL_ALPHA / len(MONTE_CARLO_ETAS))
    inflation = design.edgeworth_inflation(tails[eta]["skewness_max"], tails[eta]["excess_kurtosis_max"], m,
                                    detail["z_critical"])
    detail.update({"setting": {"L": 4, "d": 3, "eta": eta, "n_data": int(X.shape[0]), "data": "Hadamard, +-1"},
                   "tails": tails[eta], "edgeworth_inflation": inflation})
    return passed, detail


@lemma_2_1.method("monte-carlo", "simulated gradient means: SGD (eta = 0) and S-SAM (eta = 0.4)")
def _gradient_means_monte_carlo(ctx):
    X, Y, m, _, _ = _simulated_gradients(ctx.seed, ctx.quick, ctx.thorough)
    tests = {f"eta={eta}": _check_mean_gradient(eta, expected_mean_gradient(eta, X, Y), ctx) for eta in MONTE_CARLO_ETAS}
    inflation = max(t[1]["edgeworth_inflation"] for t in tests.values())
    passed = all(t[0] for t in tests.values()) and inflation <= design.MAX_INFLATION
    return Evidence("monte-carlo", passed, {
        "tests": {k: v[1] for k, v in tests.items()}, "samples": m, "z_max": max(t[1]["z_max"] for t in tests.values()),
        "nominal_alpha": design.NOMINAL_ALPHA, "edgeworth_inflation": inflation,
        "false_failure_probability": design.NOMINAL_ALPHA * inflation, "budget_share": "monte-carlo",
        "expected": {"eta=0.0": "numeric.model.grad_loss", "eta=0.4": "numeric.noisy.quadrature_mean_noisy_gradient"}})


# ----------------------------------------------------------------------------- negative controls

def _sign_flipped_gradient(L, d):
    return noisy_gradient_closed_form(L, d, factor=2)


def _gradient_without_chain_rule_factor(L, d):
    return noisy_gradient_closed_form(L, d, factor=-1)


def _gradient_with_factor_5_percent_off(L, d):
    return noisy_gradient_closed_form(L, d, factor=sp.Rational(-21, 10))


def _gradient_without_input(L, d):
    s = network_symbols(L, d)
    return tuple(tuple(e / s.x[h] for h, e in enumerate(row)) for row in noisy_gradient_closed_form(L, d))


def _gradient_with_every_layer_in_product(L, d):
    s = network_symbols(L, d)
    return tuple(tuple(e * s.u[l][h] for h, e in enumerate(row))
                 for l, row in enumerate(noisy_gradient_closed_form(L, d)))


def _gradient_with_factor_below_tolerance(L, d):
    return noisy_gradient_closed_form(L, d, factor=-2 * (1 + sp.Float("1e-14", 30)))


#: Wrong variants of the closed form: name -> (function (L, d) -> nested tuple of expressions, distance).
WRONG_GRADIENTS = {
    "factor -2.1 instead of -2": (_gradient_with_factor_5_percent_off, "factor x 1.05"),
    "sign flipped (+2)": (_sign_flipped_gradient, "factor x -1"),
    "factor -1 instead of -2 (no chain-rule 2)": (_gradient_without_chain_rule_factor, "factor x 1/2"),
    "Diag(X) dropped": (_gradient_without_input, "structural"),
    "product over all layers (k = l included)": (_gradient_with_every_layer_in_product, "structural"),
}


def _monte_carlo_controls(ctx):
    """Wrong means through the same z-tests, a near miss, and each one's escape / failure probability."""
    X, Y, m, moments, _ = _simulated_gradients(ctx.seed, ctx.quick, ctx.thorough)
    off = 0.10 if ctx.quick else 0.05
    eta = MONTE_CARLO_ETAS[1]
    truth = {e: expected_mean_gradient(e, X, Y) for e in MONTE_CARLO_ETAS}
    wrong = [(f"eta = 0: mean claimed {1 + off:g} grad L", 0.0, (1 + off) * truth[0.0], f"x {1 + off:g}"),
             (f"eta = {eta}: noise level {1 + off:g} eta in the expectation", eta,
              expected_mean_gradient(eta, X, Y, 1 + off), f"eta x {1 + off:g}"),
             (f"eta = {eta}: mean claimed grad L (regularizer ignored)", eta, truth[0.0], "R dropped")]
    variants = []
    for name, at_eta, claimed, distance in wrong:
        ok, detail = _check_mean_gradient(at_eta, claimed, ctx)
        variants.append(design.wrong_mean_control(name, ok, moments[at_eta], truth[at_eta], claimed,
                                                  detail["z_critical"], detail["z_max"], distance))
    zc = z_critical(design.NOMINAL_ALPHA / len(MONTE_CARLO_ETAS), truth[eta].size)
    near_shift = design.near_miss_shift(zc)
    claimed = truth[eta] + near_shift * moments[eta].standard_error
    ok, detail = _check_mean_gradient(eta, claimed, ctx)
    inflation = _check_mean_gradient(eta, truth[eta], ctx)[1]["edgeworth_inflation"]
    near = design.near_miss_record(f"eta = {eta}: expectation + 2 % of the detectable discrepancy in every entry", ok,
                                   truth[eta].size, near_shift, zc, inflation, z_max=detail["z_max"])
    return variants, near


@lemma_2_1.method("negative-control", "wrong gradients rejected")
def _wrong_gradients_negative_control(ctx):
    rng = np.random.default_rng(ctx.seed_for("lemma-2.1/neg"))
    variants, near_misses = [], []
    for name, (wrong_gradient, distance) in WRONG_GRADIENTS.items():
        symbolic_ok, _ = _check_gradient_symbolic(wrong_gradient, range(2, 4), range(1, 3))
        high_precision_ok, high_precision_detail = _check_gradient_high_precision(wrong_gradient, 3, 2, rng,
                                                                                  n_points=2)
        variants.append({"name": name, "rejected": (not symbolic_ok) and (not high_precision_ok),
                         "symbolic_rejects": not symbolic_ok, "high_precision_rejects": not high_precision_ok,
                         "max_rel_err": high_precision_detail["max_rel_err"], "distance_from_boundary": distance})
    ok, detail = _check_gradient_high_precision(_gradient_with_factor_below_tolerance, 3, 2, rng, n_points=2)
    near_misses.append({"name": "factor -2 (1 + 1e-14): accepted by the float64 check (tolerance 1e-12)",
                        "passed": ok, "max_rel_err": detail["max_rel_err"],
                        "distance_from_boundary": "relative 1e-14, below the tolerance 1e-12"})
    monte_carlo_variants, near = _monte_carlo_controls(ctx)
    return boundary_control_evidence(variants + monte_carlo_variants, near_misses + [near], {
        "rule": "a wrong closed form counts as rejected iff the symbolic and the high-precision check both reject it"},
        budget_share="near-misses")
