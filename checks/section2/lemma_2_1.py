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
* **monte-carlo**: at ``eta = 0`` the mean of simulated S-SAM (= SGD) gradients equals
  :func:`numeric.model.grad_loss`, by a z-test with false-failure probability 1e-6
  (:mod:`checks.stats`);
* **negative-control**: wrong closed forms (sign, factor, ``Diag(X)`` dropped,
  ``k = l`` in the product) must be rejected by the symbolic and the high-precision
  checks, and wrong means (``grad L / 2``, ``grad L_R`` at ``eta = 0.8``) by the
  same Monte Carlo draws that accept ``grad L``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from derivations.marginalized import (network_symbols, noisy_gradient, noisy_gradient_closed_form,
                                      noisy_gradient_closed_form_xx, prove_identity)
from numeric.data import whitened_data
from numeric.model import grad_loss, grad_marginalized_loss
from numeric.noisy import noisy_gradient_moments, noisy_gradients_from

from ..controls import negative_control_evidence
from ..framework import Evidence, RunContext, claim
from ..stats import assert_means_equal
from .instances import random_network_point, symbolic_proof_depths
from .precision import DIGITS, FLOAT64_RTOL, max_relative_error

__all__ = ["lemma_2_1", "WRONG_GRADIENTS"]

lemma_2_1 = claim(
    "lemma-2.1",
    "Noisy S-SAM gradient",
    "grad_{W_l} L~ = -2 (Y - 1^T W~_L...W~_1 X) prod_{k!=l} W~_k Diag(X) "
    "= -2 prod_{k!=l} W~_k Diag(X X^T (w* - w~)); at eta = 0 its mean over the data is grad L (SGD, eq 4).",
    equations=("6", "4"),
    section="2",
    order=21,
    notes="Proven symbolically for L = 2..8 and d = 1..3 in the perturbed weights W~ = W + G "
          "(the lemma is a statement about W~). The Monte Carlo part checks the SGD case eta = 0.",
)


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

@lru_cache(maxsize=4)
def _sgd_gradient_moments(seed, quick, thorough):
    """Moments of the simulated S-SAM gradients at ``eta = 0`` (a random ``L = 4``, ``d = 3`` point), cached per run."""
    ctx = RunContext(seed, quick, thorough)
    L, d = 4, 3
    W, wstar, _ = random_network_point(np.random.default_rng(ctx.seed_for("lemma-2.1/mc")), L, d)
    X, Y = whitened_data(max(4 * d, 10), wstar, seed=ctx.seed_for("lemma-2.1/mc/data"))
    m = ctx.size(400_000, quick=100_000, thorough=4_000_000)
    moments = noisy_gradient_moments(W, X, Y, 0.0, m, seed=ctx.seed_for("lemma-2.1/mc/draws"))
    return W, wstar, X, moments


def _check_mean_sgd_gradient(expected_fn, ctx):
    """At eta = 0 the mean of the noisy (SGD) gradient over uniform data equals ``expected_fn(W, w*)``.

    The draws are simulated once per run context and shared by the claim and its negative controls.
    """
    W, wstar, X, moments = _sgd_gradient_moments(ctx.seed, ctx.quick, ctx.thorough)
    passed, detail = assert_means_equal(moments, expected_fn(W, wstar))
    detail["setting"] = {"L": int(W.shape[0]), "d": int(W.shape[1]), "eta": 0.0, "n_data": int(X.shape[0])}
    return passed, detail


@lemma_2_1.method("monte-carlo", "SGD gradient unbiased (eta = 0)")
def _sgd_gradient_monte_carlo(ctx):
    passed, detail = _check_mean_sgd_gradient(grad_loss, ctx)
    return Evidence("monte-carlo", passed, detail)


# ----------------------------------------------------------------------------- negative controls

def _sign_flipped_gradient(L, d):
    return noisy_gradient_closed_form(L, d, factor=2)


def _gradient_without_chain_rule_factor(L, d):
    return noisy_gradient_closed_form(L, d, factor=-1)


def _gradient_without_input(L, d):
    s = network_symbols(L, d)
    return tuple(tuple(e / s.x[h] for h, e in enumerate(row)) for row in noisy_gradient_closed_form(L, d))


def _gradient_with_every_layer_in_product(L, d):
    s = network_symbols(L, d)
    return tuple(tuple(e * s.u[l][h] for h, e in enumerate(row))
                 for l, row in enumerate(noisy_gradient_closed_form(L, d)))


#: Wrong variants of the closed form: name -> function (L, d) -> nested tuple of expressions.
WRONG_GRADIENTS = {
    "sign flipped (+2)": _sign_flipped_gradient,
    "factor -1 instead of -2 (no chain-rule 2)": _gradient_without_chain_rule_factor,
    "Diag(X) dropped": _gradient_without_input,
    "product over all layers (k = l included)": _gradient_with_every_layer_in_product,
}


@lemma_2_1.method("negative-control", "wrong gradients rejected")
def _wrong_gradients_negative_control(ctx):
    rng = np.random.default_rng(ctx.seed_for("lemma-2.1/neg"))
    variants = []
    for name, wrong_gradient in WRONG_GRADIENTS.items():
        symbolic_ok, _ = _check_gradient_symbolic(wrong_gradient, range(2, 4), range(1, 3))
        high_precision_ok, high_precision_detail = _check_gradient_high_precision(wrong_gradient, 3, 2, rng,
                                                                                  n_points=2)
        variants.append({"name": name, "rejected": (not symbolic_ok) and (not high_precision_ok),
                         "symbolic_rejects": not symbolic_ok, "high_precision_rejects": not high_precision_ok,
                         "max_rel_err": high_precision_detail["max_rel_err"]})
    # Monte Carlo: the mean claimed to be half the SGD gradient, or the gradient of L_R at eta = 0.8
    ok, detail = _check_mean_sgd_gradient(lambda W, wstar: 0.5 * grad_loss(W, wstar), ctx)
    variants.append({"name": "MC: mean claimed 1/2 grad L", "rejected": not ok, "z_max": detail["z_max"],
                     "detectable_discrepancy": detail["detectable_discrepancy"]})
    ok, detail = _check_mean_sgd_gradient(lambda W, wstar: grad_marginalized_loss(W, wstar, 0.8), ctx)
    variants.append({"name": "MC: mean claimed grad L_R (eta=0.8) though eta = 0", "rejected": not ok,
                     "z_max": detail["z_max"], "detectable_discrepancy": detail["detectable_discrepancy"]})
    return negative_control_evidence(variants)
