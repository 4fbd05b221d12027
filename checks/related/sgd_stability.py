"""Claim ``sgd-stability``: the exact mean-square stability threshold of SGD
(Mulayoff & Michaeli 2024, Thm 3, Props 1-3, Thm 5; CLAIMS.md, sgd-stability).

Linearized SGD ``theta <- theta - alpha H_B theta`` near an interpolating minimum, with PSD
per-sample Hessians ``H_i``, ``H = mean_i H_i`` and batches of ``B`` of ``n`` samples drawn
without replacement, has the second-moment recursion
``vec S <- (I - alpha (H (+) H) + alpha^2 D) vec S`` and is mean-square stable iff

    alpha <= alpha* = 2 / lambda_max(C^+ D) = 1 / lambda_max((H (+) H)^+ D),      C = (H (+) H)/2,

    D = E[H_B (x) H_B] = (1-p) H (x) H + p mean_i H_i (x) H_i,      p = (n - B)/(B (n - 1)).

``alpha*`` is non-decreasing in ``B``, equals ``2/lambda_max(H)`` at ``B = n`` and is bounded by
Prop 3's ``2 lam/((1-p) lam^2 + p mean (v^T H_i v)^2)`` and ``2 tr H/((1-p)||H||_F^2 + p mean ||H_i||_F^2)``;
the mixture process ALG(p) has the same recursion and threshold; at a regular minimum the
range part of the second moment converges to ``Sigma`` with
``(H (+) H - alpha D) Sigma = alpha p P G P``, ``G = mean_i g_i g_i^T``.  The spec's
normalization and ``2/lambda_max(C^+ D)`` agree.

Methods: symbolic (batch moment and closed forms by SymPy, exact enumeration of batches),
high precision (structured vs dense vs the spec's normalization; the exact recursion on both
sides; the regular-minimum limit), Monte Carlo (one step; SGD and ALG(p) on both sides; SGD at
a regular minimum), negative controls (wrong thresholds and weights through the same checks,
:mod:`checks.related.stability_threshold_checks`).
"""
from __future__ import annotations

import itertools

import numpy as np

from derivations import related as related_derivations
from numeric.montecarlo import sample_moments
from numeric.stability import closed_form, hessians, moment_recursion, sgd_simulation

from ..controls import negative_control_evidence
from ..framework import Evidence, claim
from ..stats import assert_means_equal
from .stability_instances import regular_minimum_problem, stability_cases
from .stability_threshold_checks import check_one_step_map, check_threshold_recursion, check_threshold_simulation

__all__ = ["sgd_stability"]

sgd_stability = claim(
    "sgd-stability",
    "Exact mean-square stability threshold of SGD (Mulayoff & Michaeli, Thm 3, Props 1-3, Thm 5)",
    "Linearized SGD theta <- theta - alpha H_B theta with batches of B of n without replacement is mean-square "
    "stable iff alpha <= alpha* = 2/lambda_max(C^+ D) = 1/lambda_max((H (+) H)^+ D), C = (H (+) H)/2, "
    "D = (1-p) H (x) H + p mean_i H_i (x) H_i, p = (n-B)/(B(n-1)); alpha* is non-decreasing in B, equals "
    "2/lambda_max(H) at B = n, is bounded by Prop 3's 2 lam/((1-p) lam^2 + p mean (v^T H_i v)^2) and "
    "2 tr H/((1-p)||H||_F^2 + p mean ||H_i||_F^2); the mixture process ALG(p) has the same second-moment "
    "recursion and threshold; at a regular minimum the range part of the second moment converges to "
    "Sigma with (H (+) H - alpha D) Sigma = alpha p P G P, G = mean g_i g_i^T.",
    equations=("MM eq 12", "MM eq 13", "MM eq 14", "MM eqs 15-16", "MM eqs 17-18"),
    notes=("Normalization: the spec's 1/lambda_max((H(+)H)^+ E[H_B(x)H_B]) and the issue's 2/lambda_max(C^+ D) "
           "agree (C = (H(+)H)/2); verified numerically (dense vs structured) and symbolically. E[H_B (x) H_B] "
           "re-derived from pair-inclusion probabilities. Prop 3's bounds reconstructed as Rayleigh quotients "
           "at v v^T and I."),
    section="Related results (seed 004)", order=93,
)


def _derived_threshold(prob, B):
    return closed_form.threshold(prob, B).threshold


@sgd_stability.method("symbolic", "batch-moment-and-closed-forms")
def batch_moment_and_closed_forms_symbolic(ctx):
    """SymPy: E[H_B (x) H_B] has coefficients (1-p, p) with p = (n-B)/(B(n-1)); orthogonal rank-one samples give
    alpha* = 2B/max s_i^2 (diagonal entry of C^+ D equals s_i^2/B).  Exact enumeration (n = 6): the average of
    (I - a H_b) (x) (I - a H_b) over all batches, and over ALG(p)'s outcomes, equal I - a (H (+) H) + a^2 D."""
    import sympy as sp

    c_full, c_single, p = related_derivations.pair_moment_coefficients()
    symbolic_ok = sp.simplify(c_full - (1 - p)) == 0 and sp.simplify(c_single - p) == 0
    ratio = related_derivations.orthogonal_threshold_derivation()
    symbolic_ok &= sp.simplify(ratio - sp.Symbol("s2", positive=True) / sp.Symbol("B", positive=True)) == 0
    prob = stability_cases(ctx)[0][1]
    Hs = prob.dense()
    n, d = prob.n, prob.d
    errors = []
    for B in (1, 2, 3, 6):
        alpha = 0.7 * closed_form.threshold(prob, B).threshold
        T = moment_recursion.recursion_matrix(prob, B, alpha)
        step_matrices = [np.eye(d) - alpha * Hs[list(c)].mean(axis=0) for c in itertools.combinations(range(n), B)]
        E_sgd = np.mean([np.kron(M, M) for M in step_matrices], axis=0)
        p_B = hessians.batch_p(n, B)
        M_full = np.eye(d) - alpha * Hs.mean(axis=0)
        E_mix = (1 - p_B) * np.kron(M_full, M_full) + p_B * np.mean(
            [np.kron(np.eye(d) - alpha * H, np.eye(d) - alpha * H) for H in Hs], axis=0)
        errors.append({"B": B, "sgd_enumeration_error": float(np.abs(E_sgd - T).max()),
                       "mixture_error": float(np.abs(E_mix - T).max())})
    exact_ok = all(e["sgd_enumeration_error"] < 1e-12 and e["mixture_error"] < 1e-12 for e in errors)
    return Evidence("symbolic", bool(symbolic_ok and exact_ok),
                    {"p": str(p), "coefficients": [str(c_full), str(c_single)], "orthogonal_ratio": str(ratio),
                     "enumeration": errors})


@sgd_stability.method("high-precision", "threshold-structure")
def threshold_structure_high_precision(ctx):
    """Structured (eigh, Lanczos) vs dense vs the spec's normalization; spectral radius 1 at alpha*; the Kronecker
    matrix equals the matrix-form step; monotone in B; below Prop 3's bounds; GD threshold at B = n; PSD maximizer;
    orthogonal rank-one samples against the closed form 2 B / max s_i^2."""
    rows, ok = [], True
    for name, prob in stability_cases(ctx):
        previous = 0.0
        for B in range(1, prob.n + 1):
            by_eigh = closed_form.threshold(prob, B, method="eigh")
            by_lanczos = closed_form.threshold(prob, B, method="lanczos")
            dense = closed_form.dense_threshold(prob, B)
            spec_form = closed_form.spec_threshold(prob, B)
            T = moment_recursion.recursion_matrix(prob, B, by_eigh.threshold)
            spectral_radius = float(np.max(np.abs(np.linalg.eigvals(T))))
            # the Kronecker matrix and the matrix-form step are two implementations of T_alpha
            S_test = np.eye(prob.d) + 0.3 * np.ones((prob.d, prob.d))
            step_error = float(np.abs(T @ S_test.ravel() - moment_recursion.second_moment_step(
                prob, B, by_eigh.threshold, S_test).ravel()).max() / np.abs(S_test).max())
            bounds = closed_form.necessary_bounds(prob, B)
            psd = float(np.linalg.eigvalsh(by_eigh.sigma).min()) >= -1e-10
            good = (abs(by_eigh.threshold - dense) <= 1e-9 * dense and abs(by_lanczos.threshold - dense) <= 1e-8 * dense
                    and abs(spec_form - dense) <= 1e-9 * dense and abs(spectral_radius - 1) <= 1e-9
                    and step_error <= 1e-12
                    and by_eigh.threshold >= previous * (1 - 1e-12)
                    and by_eigh.threshold <= min(bounds["top_eigenvector"], bounds["trace"], bounds["gd"]) * (1 + 1e-12)
                    and psd
                    and (B < prob.n or abs(by_eigh.threshold - by_eigh.gd_threshold) <= 1e-9 * by_eigh.gd_threshold))
            ok &= bool(good)
            previous = by_eigh.threshold
            rows.append({"case": name, "B": B, "p": by_eigh.p, "threshold_eigh": by_eigh.threshold,
                         "threshold_lanczos": by_lanczos.threshold, "threshold_dense": dense,
                         "spec_normalization": spec_form, "spectral_radius_at_threshold": spectral_radius,
                         "recursion_matrix_vs_step": step_error, "gd_threshold": by_eigh.gd_threshold,
                         "prop3_top_eigenvector": bounds["top_eigenvector"], "prop3_trace": bounds["trace"],
                         "maximizer_psd": psd, "ok": bool(good)})
    # closed form: orthogonal rank-one samples x_i = s_i e_i (n = d) give alpha* = 2 B / max s_i^2
    s = np.array([1.0, 2.0, 0.5, 1.5])
    X = np.diag(s)
    closed = [(B, closed_form.threshold(X, B).threshold,
               float(related_derivations.orthogonal_threshold(B, float(np.max(s**2)))))
              for B in range(1, 5)]
    ok &= all(abs(structured - exact) <= 1e-10 * exact for _, structured, exact in closed)
    return Evidence("high-precision", bool(ok), {"rows": rows, "orthogonal_closed_form": closed})


@sgd_stability.method("high-precision", "second-moment-recursion")
def second_moment_recursion_high_precision(ctx):
    """The exact recursion decays at alpha*(1 - 0.002) and grows at alpha*(1 + 0.002)."""
    ok, detail = check_threshold_recursion(_derived_threshold, stability_cases(ctx),
                                           steps=ctx.size(300, quick=250, thorough=4000))
    return Evidence("high-precision", ok, detail)


@sgd_stability.method("high-precision", "regular-minimum-covariance")
def regular_minimum_covariance_high_precision(ctx):
    """Thm 5's limit covariance against the exact moment recursion run long, on the range of H."""
    rng = np.random.default_rng(ctx.seed_for("regular"))
    rows, ok = [], True
    for B in (1, 3):
        n, d = 6, 4
        X = rng.standard_normal((n, 3)) @ np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])  # H has a null direction
        prob = hessians.problem(features=X)
        g = rng.standard_normal((n, d))
        g -= g.mean(axis=0)
        alpha = 0.8 * closed_form.threshold(prob, B).threshold
        limit = closed_form.regular_limit_covariance(prob, g, B, alpha)
        _, S = moment_recursion.regular_moment_trajectory(prob, g, B, alpha, ctx.size(1500, quick=1200),
                                                          theta0=rng.standard_normal(d))
        range_projector = np.eye(d)
        range_projector[3, 3] = 0
        error = float(np.abs(range_projector @ S @ range_projector - limit).max() / np.abs(limit).max())
        good = error < 1e-8
        ok &= good
        rows.append({"B": B, "alpha": alpha, "relative_error": error, "trace_limit": float(np.trace(limit))})
    return Evidence("high-precision", ok, {"rows": rows})


@sgd_stability.method("monte-carlo", "one-step-map")
def one_step_map_monte_carlo(ctx):
    ok, detail = check_one_step_map(lambda n, B: hessians.batch_p(n, B), ctx)
    return Evidence("monte-carlo", ok, detail)


@sgd_stability.method("monte-carlo", "sgd-and-mixture-both-sides")
def sgd_and_mixture_both_sides_monte_carlo(ctx):
    ok, detail = check_threshold_simulation(_derived_threshold, ctx)
    return Evidence("monte-carlo", ok, detail)


@sgd_stability.method("monte-carlo", "regular-minimum-sgd")
def regular_minimum_sgd_monte_carlo(ctx):
    """Linearized SGD at a regular minimum: Monte Carlo second moment after T steps against the exact
    moment recursion (range part converging to Thm 5's limit; null part a random walk with variance
    growing by alpha^2 p G_NN per step); z-tests on the 10 entries of E[theta theta^T], Bonferroni."""
    B = 2
    prob, g, theta0 = regular_minimum_problem(ctx, B)
    alpha = 0.5 * closed_form.threshold(prob, B).threshold
    T = 40
    runs = ctx.size(20_000, quick=12_000, thorough=200_000)
    upper = np.triu_indices(prob.d)
    _, S = moment_recursion.regular_moment_trajectory(prob, g, B, alpha, T, theta0=theta0)

    def sampler(rng, k, scratch=None):
        theta = sgd_simulation.simulate_sgd_regular(prob, g, B, alpha, T, k, int(rng.integers(2**63)), theta0=theta0)
        return (theta[:, :, None] * theta[:, None, :])[:, upper[0], upper[1]]

    moments = sample_moments(sampler, runs, seed=ctx.seed_for("regular-mc"), chunk=10_000)
    passed, detail = assert_means_equal(moments, S[upper])
    G = g.T @ g / prob.n
    walk = theta0[3] ** 2 + T * alpha**2 * hessians.batch_p(prob.n, B) * G[3, 3]
    exact_walk = abs(S[3, 3] - walk) <= 1e-10 * walk
    detail.update({"B": B, "alpha": alpha, "steps": T, "null_direction_second_moment": float(S[3, 3]),
                   "random_walk_formula": float(walk), "random_walk_exact": bool(exact_walk)})
    return Evidence("monte-carlo", bool(passed and exact_walk), detail)


@sgd_stability.method("negative-control", "wrong-thresholds")
def wrong_thresholds_control(ctx):
    """Wrong thresholds through the recursion check; a 5% too large threshold through the SGD/ALG(p) simulation;
    the mixture weight with n in place of n-1 through the one-step Monte Carlo."""
    cases = stability_cases(ctx) if ctx.thorough else stability_cases(ctx)[:1]
    steps = ctx.size(300, quick=300, thorough=4000)
    out = []

    def dense_threshold_with_weight(prob, B, weight):
        return closed_form.dense_threshold(prob, B, p=weight(prob.n, B))

    variants = {
        "threshold 5% too large": lambda prob, B: 1.05 * closed_form.threshold(prob, B).threshold,
        "p with n in place of n-1": lambda prob, B: dense_threshold_with_weight(
            prob, B, lambda n, b: (n - b) / (b * n)),
        "GD threshold 2/lambda_max(H) for every B": lambda prob, B: closed_form.threshold(prob, B).gd_threshold,
        "normalization off by 2: 1/lambda_max(C^+ D)": lambda prob, B: closed_form.threshold(prob, B).threshold / 2,
    }
    for name, candidate in variants.items():
        passed, detail = check_threshold_recursion(candidate, cases, steps=steps,
                                                   batches=None if ctx.thorough else (lambda n: [1, 2, n]))
        rejected_rows = [r for r in detail["rows"] if not r["ok"]]
        out.append({"name": name, "method": "second-moment recursion", "rejected": not passed,
                    "rejected_at": [(r["case"], r["B"]) for r in rejected_rows][:6]})
    passed, detail = check_threshold_simulation(lambda prob, B: 1.05 * closed_form.threshold(prob, B).threshold, ctx,
                                                processes=("sgd",))
    out.append({"name": "threshold 5% too large", "method": "Monte Carlo SGD/ALG(p)", "rejected": not passed,
                "tests": [{k: r[k] for k in ("process", "side", "mean_sq_norm", "recursion", "z_direction")}
                          for r in detail["tests"]]})
    passed, detail = check_one_step_map(lambda n, B: (n - B) / (B * n) if B < n else 0.0, ctx)
    out.append({"name": "p with n in place of n-1", "method": "Monte Carlo one-step map", "rejected": not passed,
                "z_max": [t["z_max"] for t in detail["tests"]]})
    return negative_control_evidence(out)
