"""Claim ``lemma-2.3``: the PAC-Bayes generalization bound (eq 27), reconstructed, derived and measured.

Statement (reconstructed from the proof, Appendix A.3).  Data ``Z = (X, Y)`` i.i.d.,
``E X = 0``, ``E[XX^T] = Sigma``, finite fourth moments, ``Y = <w*, X> + eps``;
loss ``l(W; Z) = (Y - W_L...W_1 X)^2``; prior: every weight ``N(0, sigma^2)``;
posterior: ``W + G``, ``G`` iid ``N(0, sigma^2)``.  For ``beta > 0``, ``sigma > 0``
fixed before the data, with probability ``>= 1 - delta`` over the ``n`` samples,
simultaneously for every (possibly data-dependent) ``W``::

    E_G L_pop(W+G) <= E_G L_emp(W+G) + (KL + log(1/delta)) / (beta sqrt(n))
                      + beta / (2 sqrt(n)) E_G E_Z[l(W+G; Z)^2],     KL = sum_l ||W_l||_F^2 / (2 sigma^2),

with ``E_Z`` the *population* second moment.  For the diagonal network with
whitened data and ``Y = <w*, X>`` (``sigma = eta``) the first term is
``L(W) + S_avg(W)`` (Lemma 2.2).

Evidence:

* ``symbolic``: the derivation chain of :mod:`derivations.pacbayes` (lower-tail
  inequality, ``1 + y <= e^y``, Gaussian KL by moments and by integration, the
  rearrangement of Corollary 17's event at ``lambda = beta/sqrt(n)``, the best
  ``beta``, the loss moments given ``u``, the Student-t fourth-moment factor, and
  ``E_G L_emp(W+G) = L(W) + S_avg(W)`` on whitened data (Lemma 2.2));
* ``high-precision``: the closed forms of :mod:`numeric.pacbayes` against the
  exact rational values of the symbolic closed forms at rational points; and
  the bound itself: :func:`numeric.pacbayes.bound.bound_terms` (its complexity and
  variance terms and their sum) for the stated bound and all three
  negative-control variants against :func:`derivations.pacbayes.bound.bound_variant`
  evaluated at 50 digits on rational points
  (:func:`checks.section2.pacbayes_bound_formula.check_bound_formula`), so
  the formula the coverage check uses is the derived one;
* ``monte-carlo``: (i) the closed forms against Monte Carlo conditional on the
  posterior noise and the Student mixing variable (dense network too; z-tests with
  Edgeworth critical values, :mod:`checks.section2.pacbayes_moment_cases`); (ii)
  **coverage**: over many independent data sets the violation frequency of the bound
  is tested against ``delta`` by an exact binomial test (fails iff the Clopper-Pearson
  lower bound exceeds ``delta``: exact level for every true rate ``<= delta``), for fixed
  and learned (GD, S-SAM) weights, Gaussian and Student-t inputs
  (:mod:`checks.section2.pacbayes_scenarios`); the evidence also states the upper bounds
  the draws establish;
* ``negative-control`` (:mod:`checks.section2.pacbayes_controls`): the bound without the KL
  term, without ``log(1/delta)`` and with ``sqrt(n)`` replaced by ``n`` must each fail the
  coverage test in the configurations of :data:`~checks.section2.pacbayes_scenarios.CONTROLS`;
  at the boundary, the stated bound lowered to be violated at 1.5 times the detectable rate
  must fail it, lowered to be violated at ``0.8 delta`` must pass; ``E l^2`` with a wrong
  fourth-moment factor (the Gaussian 3 for ``t_40`` inputs, 5.3 % low; 5 % high; 2.5 % low)
  must fail the sampling check that accepts the derived one, a near-miss 0.2 standard errors
  off must pass; and wrong numeric bounds (complexity term x 1.1, variance term
  dropped, the audit's 3x complexity / 2x variance, the ``rate-n`` and ``no-kl``
  formulas under the name of the stated bound) must be rejected by
  :func:`~checks.section2.pacbayes_bound_formula.check_bound_formula`.

False-failure budget ``1e-6`` (one for the claim): 0.3 of it for the four sampling
checks, 0.3 for the seven coverage tests, 0.4 for the near-misses' failure probabilities (computed and
recorded in the evidence; the controls' miss probabilities, type II errors, are recorded beside them and
reported as ``control_miss_probability``, not spent).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from derivations.pacbayes import symbols as bound_symbols
from derivations.pacbayes.bound import best_beta, bound_from_event, bound_variant
from derivations.pacbayes.kl_divergence import kl_entry, kl_entry_by_integration, kl_network
from derivations.pacbayes.loss_moments import loss_moments_given_u, sigma_matrix, student_t_fourth_moment_factor
from derivations.pacbayes.posterior_moments import diagonal_posterior_moments, whitened_empirical_posterior_loss
from derivations.pacbayes.tail_inequalities import lower_tail_inequality, one_plus_y_le_exp
from numeric import model
from numeric.data import whitened_data
from numeric.pacbayes import bound as numeric_bound
from numeric.pacbayes.inputs import INPUT_KINDS, input_fourth_moment_factor
from numeric.pacbayes.posterior import kl_divergence, posterior_empirical_loss, posterior_loss_moments

from ..framework import DEFAULT_FALSE_FAILURE_BUDGET, Evidence, claim
from .pacbayes_bound_formula import WRONG_BOUNDS, check_bound_formula
from .pacbayes_controls import coverage_check, coverage_controls, fourth_moment_controls
from .pacbayes_moment_cases import (HIGH_PRECISION_STUDENT_NU, MC_CASES, check_loss_moments, closed_form_moments,
                                    fourth_moment_factor_exact, rational_point)
from .pacbayes_scenarios import POSITIVE_SCENARIOS, SCENARIOS, scenario

__all__ = ["lemma_2_3", "check_coverage", "check_violated", "ALPHA_PER_SAMPLING_CHECK", "ALPHA_PER_COVERAGE_TEST"]

STATEMENT = (
    "Data Z=(X,Y) i.i.d., E X = 0, E[XX^T] = Sigma, finite fourth moments, Y = <w*,X> + eps. Loss "
    "l(W;Z) = (Y - W_L...W_1 X)^2 (arbitrary widths). Prior: every weight N(0, sigma^2); posterior: W + G, "
    "G iid N(0, sigma^2). For beta > 0, sigma > 0 fixed before the data, with probability >= 1 - delta over "
    "the n samples, simultaneously for every (possibly data-dependent) W:\n"
    "  E_G L_pop(W+G) <= E_G L_emp(W+G) + (KL + log(1/delta)) / (beta sqrt(n)) "
    "+ beta/(2 sqrt(n)) E_G E_Z[l(W+G;Z)^2],   KL = sum_l ||W_l||_F^2 / (2 sigma^2),\n"
    "with E_Z the POPULATION second moment. For the diagonal network with whitened data and Y = <w*,X> "
    "(sigma = eta) the first term is L(W) + S_avg(W) (Lemma 2.2); in general it is "
    "L_emp(W) + sum_h Sigma^_hh R_h(W), Sigma^ = X^T X / n."
)

NOTES = (
    "Reconstruction confirmed against the proof (App. A.3): Corollary 17 of Chugg-Wang-Ramdas with a constant "
    "lambda, divided by n lambda, Gaussian prior/posterior of equal covariance (KL = sum ||W_l||^2/(2 sigma^2)), "
    "lambda = beta/sqrt(n) gives exactly the stated form; every step is derived symbolically here "
    "(exp(-x) <= 1 - x + x^2/2 for x >= 0 and 1 + y <= e^y give E exp(lam(E l - l)) <= exp(lam^2 E[l^2]/2): "
    "the variance proxy is the second moment, not the variance). "
    "(1) The second-moment term must be the population E_Z[l^2] (the compensator of the supermartingale is "
    "deterministic for each parameter); it is an oracle term, as the paper says. "
    "(2) 'Simultaneously for every W' holds because the Markov event concerns the prior mixture only; it "
    "needs the prior, sigma and beta fixed before the data. The best beta in hindsight, "
    "sqrt(2(KL + log 1/delta)/E[l^2]), is reported but is NOT covered (a grid of k betas costs log(k/delta)). "
    "(3) The proof text mentions a Jensen step whose formula was lost; the form verified here needs none "
    "(E_G L_emp(W+G) is computed exactly). "
    "(4) E[l^2] < inf needs fourth moments of X and eps (the lemma's assumption); the closed form is "
    "k4 E_G Q^2 + 6 tau^2 E_G Q + 3 tau^4, Q = u^T Sigma u, u = w* - P, k4 = 3 (Gaussian) or "
    "3(nu-2)/(nu-4) (multivariate t_nu). "
    "(5) Coverage measured: no violation in any positive configuration (W fixed in advance, W learned by GD or "
    "S-SAM on the same data, W chosen per data set as the worst of 100 fixed weights; Gaussian and t_5 inputs); "
    "the bound is loose, typically 15-80 times the actual generalization gap, dominated by "
    "KL/(beta sqrt n). Dropping the KL term is harmless for a W fixed in advance (a fixed posterior can serve "
    "as prior), so that control needs a data-dependent W (scenario overfit-gd). "
    "(6) Statistics: the coverage test fails iff the exact lower confidence bound of the violation rate exceeds "
    "delta (false failure <= its share for any true rate <= delta; the former design, an upper bound <= delta, "
    "failed with probability up to 1 - (1 - rate)^300 on 300 draws). The loss moments are sampled conditionally "
    "on (G, s): sampling X makes l^2 = r^4 so heavy-tailed (sample kurtosis 138-843) that the z-test's |z| > 4 "
    "was 25 times likelier than declared."
)

lemma_2_3 = claim(
    "lemma-2.3", "PAC-Bayes bound: population loss <= empirical loss + average sharpness + norm and variance terms",
    statement=STATEMENT,
    section="2", order=23, equations=("27",),
    false_failure_budget=DEFAULT_FALSE_FAILURE_BUDGET,
    notes=NOTES,
)
#: False-failure shares: the four sampling checks, the seven coverage tests, the near misses of the controls.
ALPHA_SAMPLING = lemma_2_3.allocate("closed-forms-vs-sampling", 0.3)
ALPHA_COVERAGE = lemma_2_3.allocate("coverage", 0.3)
ALPHA_CONTROLS = lemma_2_3.allocate("wrong-bounds", 0.4)
ALPHA_PER_SAMPLING_CHECK = ALPHA_SAMPLING / len(MC_CASES)
ALPHA_PER_COVERAGE_TEST = ALPHA_COVERAGE / len(POSITIVE_SCENARIOS)


# ----------------------------------------------------------------------------- symbolic

@lemma_2_3.method("symbolic", "derivation-chain")
def _derivation_chain_symbolic(ctx):
    """Each step of the proof, derived with SymPy."""
    checks = {}
    checks["exp(-x) <= 1 - x + x^2/2 (x >= 0)"] = lower_tail_inequality()["proved"]
    checks["1 + y <= exp(y)"] = one_plus_y_le_exp()["proved"]
    w, s = sp.Symbol("w", real=True), sp.Symbol("sigma", positive=True)
    kl_by_moments = kl_entry(w, s)
    checks["KL per weight by moments == w^2/(2 sigma^2)"] = bool(sp.simplify(kl_by_moments - w**2 / (2 * s**2)) == 0)
    if not ctx.quick:
        checks["KL per weight by integration == by moments"] = bool(
            sp.simplify(kl_entry_by_integration(w, s) - kl_by_moments) == 0)
    checks["event at lambda = beta/sqrt(n) rearranges to the stated bound"] = bool(
        sp.simplify(bound_from_event() - bound_variant("lemma-2.3")) == 0)
    D, M2 = sp.Symbol("D", positive=True), sp.Symbol("M_2", positive=True)
    beta_star, bound_at_beta_star = best_beta()
    checks["best beta = sqrt(2 D / M2), bound R_emp + sqrt(2 D M2 / n)"] = bool(
        sp.simplify(beta_star - sp.sqrt(2 * D / M2)) == 0
        and sp.simplify(bound_at_beta_star - bound_symbols.R_emp - sp.sqrt(2 * D * M2 / bound_symbols.n)) == 0)
    u, first, second = loss_moments_given_u(2)
    Q = sp.expand((sp.Matrix([u]) * sigma_matrix(2) * sp.Matrix(u))[0])
    tau, k4 = bound_symbols.tau, bound_symbols.k4
    checks["E_Z l = Q + tau^2, E_Z l^2 = k4 Q^2 + 6 tau^2 Q + 3 tau^4"] = bool(
        sp.expand(first - Q - tau**2) == 0
        and sp.expand(second - k4 * Q**2 - 6 * tau**2 * Q - 3 * tau**4) == 0)
    nu, k4_student = student_t_fourth_moment_factor()
    checks["t_nu: k4 = 3 (nu-2)/(nu-4)"] = bool(sp.simplify(k4_student - 3 * (nu - 2) / (nu - 4)) == 0)
    checks["numeric k4 of t_nu equals the derived one (nu = 5, 6, 12)"] = bool(all(
        abs(input_fourth_moment_factor("student-t", v) - float(k4_student.subs(nu, v))) < 1e-14 for v in (5, 6, 12)))
    for L, d in ((2, 2), (3, 2)) if not ctx.quick else ((2, 2),):
        lhs, rhs = whitened_empirical_posterior_loss(L, d)
        checks[f"whitened: E_G L_emp(W+G) = L(W) + S_avg(W) (L={L}, d={d})"] = bool(sp.expand(lhs - rhs) == 0)
    passed = all(checks.values())
    return Evidence("symbolic", passed, {"identities": checks})


# ----------------------------------------------------------------------------- high precision

@lemma_2_3.method("high-precision", "closed-forms-exact")
def _closed_forms_high_precision(ctx):
    """numeric closed forms vs exact rationals of the symbolic closed forms; KL; whitened identity."""
    rng = np.random.default_rng(ctx.seed_for("lemma-2.3/hp"))
    rows, worst = [], 0.0
    as_floats = lambda M: np.array(M, dtype=float)  # noqa: E731
    for L, d in ((2, 2), (3, 2)) if not ctx.quick else ((2, 2),):
        W = rational_point(rng, (L, d))
        wstar = rational_point(rng, (1, d))[0]
        A = sp.Matrix(rational_point(rng, (d, d), -1, 1, 5))
        covariance = A * A.T + sp.eye(d) / 2
        sigma, tau = sp.Rational(2, 5), sp.Rational(1, 2)
        _, population_k4, second_moment_k4 = diagonal_posterior_moments(L, d, W, wstar, sigma, covariance,
                                                                         bound_symbols.k4, tau)
        for inputs in INPUT_KINDS:
            k4 = fourth_moment_factor_exact(inputs, HIGH_PRECISION_STUDENT_NU)
            population = population_k4.subs(bound_symbols.k4, k4)
            second_moment = second_moment_k4.subs(bound_symbols.k4, k4)
            numeric_population, numeric_second_moment = posterior_loss_moments(
                as_floats(W), as_floats(wstar), float(sigma), as_floats(covariance.tolist()), float(tau), inputs,
                float(HIGH_PRECISION_STUDENT_NU))
            err = max(abs(float(numeric_population) - float(population)) / abs(float(population)),
                      abs(float(numeric_second_moment) - float(second_moment)) / abs(float(second_moment)))
            worst = max(worst, err)
            kl_exact = kl_network([x for row in W for x in row], sigma)
            kl_err = abs(float(kl_divergence(as_floats(W), float(sigma))) - float(kl_exact)) / max(float(kl_exact),
                                                                                                   1e-300)
            worst = max(worst, kl_err)
            rows.append({"depth": L, "width": d, "inputs": inputs, "k4": str(k4), "population_exact": str(population),
                         "second_moment_exact": str(second_moment), "relative_error": err,
                         "kl_relative_error": kl_err})
    # Lemma 2.2 link: on whitened noiseless data the empirical term is L(W) + S_avg(W) (model.py).
    W_float = rng.standard_normal((3, 4))
    wstar_float = rng.standard_normal(4)
    X, Y = whitened_data(40, wstar_float, seed=ctx.seed_for("lemma-2.3/hp/whitened"))
    empirical = float(posterior_empirical_loss(W_float, X, Y, 0.3))
    reference = float(model.loss(W_float, wstar_float) + model.average_sharpness(W_float, wstar_float, 0.3))
    whitened_err = abs(empirical - reference) / abs(reference)
    tol = 1e-12
    passed = worst <= tol and whitened_err <= tol
    return Evidence("high-precision", passed, {"tolerance_relative": tol, "max_relative_error": worst,
                                               "points": rows, "whitened_L_plus_Savg_relative_error": whitened_err,
                                               "reference": "exact rationals (SymPy)"})


@lemma_2_3.method("high-precision", "bound-formula")
def _bound_formula_high_precision(ctx):
    """numeric ``bound_terms`` (stated bound and the 3 control variants) vs the derived bound at 50 digits."""
    out = []
    for variant in numeric_bound.VARIANTS:
        ok, detail = check_bound_formula(numeric_bound.bound_terms, variant)
        out.append(Evidence("high-precision", ok, detail, name=f"bound-formula-{variant}"))
    return out


# ----------------------------------------------------------------------------- Monte Carlo

@lemma_2_3.method("monte-carlo", "closed-forms-vs-sampling")
def _closed_forms_monte_carlo(ctx):
    """E_G E_Z l and E_G E_Z l^2: symbolic (dense 2-2-1) and numeric (diagonal) closed forms vs conditional draws."""
    out = []
    for case in MC_CASES:
        ok, detail = check_loss_moments(ctx, case, closed_form_moments(case), ALPHA_PER_SAMPLING_CHECK)
        detail["budget_share"] = "closed-forms-vs-sampling"
        out.append(Evidence("monte-carlo", ok, detail, name=f"closed-form-{case}"))
    return out


def check_coverage(sim, variant="lemma-2.3", alpha=None) -> tuple[bool, dict]:
    """Coverage: an exact binomial test of ``violation rate <= delta`` (:func:`~checks.stats.assert_rate_at_most`).

    Fails iff the Clopper-Pearson lower bound (confidence ``1 - alpha``) of the violation rate
    exceeds ``delta``: a bound whose true violation rate is ``<= delta`` fails with probability
    ``<= alpha`` whatever the number of draws.  The summary also reports what the draws
    establish (``violation_upper`` at ``1 - alpha``, ``violation_upper_95``) and the rate the
    test detects with probability 0.99 (``detectable_rate``).
    """
    return coverage_check(sim, variant, ALPHA_PER_COVERAGE_TEST if alpha is None else alpha)


def check_violated(sim, variant, alpha=None) -> tuple[bool, dict]:
    """A variant is *rejected* iff it fails :func:`check_coverage` (the same test)."""
    ok, summary = check_coverage(sim, variant, alpha)
    return not ok, summary


@lemma_2_3.method("monte-carlo", "coverage")
def _coverage_monte_carlo(ctx):
    """Violation frequency of Lemma 2.3 over independent data sets: exact binomial test of rate <= delta."""
    out = []
    for name in POSITIVE_SCENARIOS:
        sim = scenario(name, ctx)
        ok, summary = check_coverage(sim)
        settings = {k: v for k, v in SCENARIOS[name][0].items() if k not in ("wstar", "Sigma", "weights", "family")}
        out.append(Evidence("monte-carlo", ok, dict(summary, scenario=name, settings=settings, seed=sim["seed"],
                                                     weights=sim["weights"], budget_share="coverage"),
                            name=f"coverage-{name}"))
    return out


# ----------------------------------------------------------------------------- negative controls

@lemma_2_3.method("negative-control", "wrong-bounds")
def _wrong_bounds_negative_control(ctx):
    """Wrong bounds fail the coverage test, wrong k4 the sampling check, wrong numeric bounds the formula check;
    near-misses (a bound violated at 0.8 delta, k4 off by 0.2 standard errors) pass."""
    variants, near_misses = coverage_controls(ctx, ALPHA_PER_COVERAGE_TEST)
    k4_variants, k4_near_misses = fourth_moment_controls(ctx, ALPHA_PER_SAMPLING_CHECK)
    variants += k4_variants
    near_misses += k4_near_misses
    # Wrong numeric bounds, rejected by the check that accepts numeric.pacbayes.bound_terms (bound-formula).
    for label, candidate in WRONG_BOUNDS.items():
        ok, detail = check_bound_formula(candidate, "lemma-2.3")
        variants.append({"name": label, "rejected": not ok, "max_relative_error": detail["max_relative_error"],
                         "tolerance_relative": detail["tolerance_relative"], "miss_probability": 0.0})
    passed = all(v["rejected"] for v in variants) and not any(v["rejected"] for v in near_misses)
    return Evidence("negative-control", passed, {
        "variants": variants, "near_misses": near_misses,
        "false_failure_probability": sum(v["failure_probability"] for v in near_misses),
        "control_miss_probability": sum(v["miss_probability"] for v in variants), "budget_share": "wrong-bounds",
        "note": "false_failure_probability: the near misses' failure probabilities (the evidence fails if any is "
                "rejected); the variants' miss probabilities (type II errors) are reported as control_miss_probability"})
