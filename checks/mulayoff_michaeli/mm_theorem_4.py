"""Claim ``mm-theorem-4``: mean-square stability at regular (non-interpolating) minima (Mulayoff & Michaeli 2024, Thm 4).

Statement (*reconstructed* from their App B.9-B.10, eqs 111-126, and Lemma 2; formulas lost).  At a
regular minimum (PSD ``H_i``, per-sample gradients ``g_i`` with ``mean_i g_i = 0``) linearized SGD
``theta <- (I - alpha H_B) theta - alpha g_B`` separates: ``H_B`` vanishes on ``N = null(H)``, so
``P_N theta`` is a random walk and ``P theta`` (``P`` onto ``range(H)``) evolves on its own.  With
``G = mean_i g_i g_i^T`` and ``p = (n-B)/(B(n-1))``:

1. ``E||P_N theta_t||^2 = ||P_N theta_0||^2 + t alpha^2 p tr(P_N G)``: bounded iff ``P_N g_i = 0`` for all
   ``i`` (or ``B = n``);
2. if ``alpha < alpha*`` (Thm 3's threshold) then ``limsup E||P theta_t||^2 < inf``;
3. if ``limsup E||P theta_t||^2 < inf`` then ``alpha <= alpha*``; under ``<Sigma*, G> > 0`` (``Sigma*`` the
   PSD top eigenvector of Thm 3) even ``alpha < alpha*``: at ``alpha = alpha*`` the second moment grows
   linearly, ``<Sigma*, S_t> = <Sigma*, S_0> + t alpha*^2 p <Sigma*, G> + O(1)``.

The second moment obeys the recursion with the *extra noise term* (their eqs 51, 116):
``S' = T_alpha(S) + alpha^2 p (mean_i H_i mu g_i^T + mean_i g_i mu^T H_i) + alpha^2 p G``, ``mu' = (I - alpha H) mu``.

Evidence (instance :func:`checks.mulayoff_michaeli.instances.regular_minimum`, ``d = 3``, null ``e_3``):

* **symbolic**: ``E[g_B g_B^T] = p G`` from pair-inclusion probabilities; ``d = 1``: ``E[(1 - a* h_B)^2] = 1``
  (linear growth at the threshold);
* **high-precision**: the recursion (built from the formulas in ``p``) equals the exact moments by
  enumeration of all batches (relative ``1e-12``, both sides of ``alpha*``); the stability boundary of
  the recursion found by bisection (Gelfand spectral radius) equals ``alpha*``; iterated, it converges to
  Thm 5's limit at ``alpha* (1 - 2e-3)``, grows at rate ``log rho(T_alpha)`` at ``(1 + 2e-3)``, grows
  linearly with the predicted slope at ``alpha*``, and stays bounded at ``alpha*`` when ``<Sigma*, G> = 0``
  (commuting instance, gradients orthogonal to the critical mode); the null part grows by exactly
  ``alpha^2 p tr(P_N G)`` per step on both sides and not at all when ``P_N g_i = 0`` or ``B = n``;
* **monte-carlo**: linearized SGD at ``0.95 alpha*`` and ``1.05 alpha*``: ``E||P theta_T||^2`` and
  ``E||P_N theta_T||^2`` against the recursion (median of means with the exact variance from fourth
  moments: heavy tails);
* **negative-control**: thresholds 5% off through the boundary search and the iteration, ``p`` with
  ``n`` in place of ``n - 1`` and ``1/B`` in the recursion (against enumeration), the boundary slope
  without ``p``; in the simulation the interpolating recursion (no extra noise term); near misses
  ``alpha* (1 + 5e-4)`` and the noise term 2% larger in the simulation (inside its resolution; with more than
  2e4 runs, as in ``--thorough``, the offset shrinks like ``1/sqrt(runs)``).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from derivations import sgd_moments
from numeric import linearized_sgd as lsgd
from numeric.ma_ying_criterion import commuting_threshold
from numeric.stability import closed_form, hessians, moment_recursion

from ..controls import boundary_control_evidence
from ..framework import DEFAULT_FALSE_FAILURE_BUDGET, Evidence, RunContext, claim
from ..stats import median_of_means_interval
from ..stats.median_of_means import failure_probability, miss_probability
from .instances import regular_minimum
from .relative_errors import rows_within_tolerance

__all__ = ["mm_theorem_4"]

mm_theorem_4 = claim(
    "mm-theorem-4",
    "Regular minima: the range part is mean-square stable iff alpha < alpha* (Mulayoff & Michaeli, Thm 4)",
    statement="""
        At a regular minimum (PSD H_i, mean_i g_i = 0): E||P_N theta_t||^2 = ||P_N theta_0||^2 + t alpha^2 p tr(P_N G)
        (bounded iff P_N g_i = 0 or B = n); alpha < alpha* => limsup E||P theta_t||^2 < inf; finite => alpha <=
        alpha*, and alpha < alpha* if <Sigma*, G> > 0 (at alpha* the second moment grows by alpha*^2 p <Sigma*, G> per
        step). The second moment follows S' = T_alpha(S) + alpha^2 p (mean H_i mu g_i^T + mean g_i mu^T H_i) + alpha^2
        p G.
        """,
    section="Related results (seed 004)", order=93.4,
    equations=("MM eq 51", "MM eqs 111-115", "MM eq 116", "MM Lemma 2"),
    false_failure_budget=DEFAULT_FALSE_FAILURE_BUDGET,
    notes="""
        Reconstructed from App B.9-B.10: statement 1 as the exact linear growth of the null-space walk (the seed keeps
        only 'if and only if'); statement 3's mild assumption read as <Sigma*, P G P> != 0. The boundary case alpha =
        alpha* is checked both ways: linear growth with the predicted slope, and boundedness when <Sigma*, G> = 0 (so
        the assumption is needed for the strict inequality).
        """,
)

BATCH = 2
#: False-failure budget 1e-6: the simulation, and its near miss (noise 2% larger, on the same draws), whose
#: failure bound (Cantelli per block, any law) follows from its known distance to the truth.
ALPHA_SIMULATION = mm_theorem_4.allocate("simulation", 0.15)
NEAR_MISS_SHARE = mm_theorem_4.allocate("near-misses", 0.75)
#: The near miss's noise offset: 2% up to 2e4 runs, then shrinking like 1/sqrt(runs) (0.12 radii in every mode).
NEAR_MISS_NOISE_OFFSET, NEAR_MISS_RUNS = 0.02, 20_000


def _instance(ctx):
    return regular_minimum(ctx.seed_for("mm-theorem-4/instance"))


def _initial_state(theta0):
    return np.concatenate([theta0, np.outer(theta0, theta0).ravel(), [1.0]])


def _second_moment(z, d):
    return z[d:d + d * d].reshape(d, d)


@mm_theorem_4.method("symbolic", "gradient-noise moment and the boundary multiplier")
def noise_moment_symbolic(ctx):
    import sympy as sp

    ratio = sgd_moments.gradient_noise_second_moment()
    n, B = sp.symbols("n B", positive=True)
    scalar = sgd_moments.scalar_limit()
    ok = sp.cancel(ratio - (n - B) / (B * (n - 1))) == 0 and scalar["boundary_multiplier"] == 1
    return Evidence("symbolic", bool(ok), {"E[g_B g_B^T]/G": str(ratio),
                                           "E[(1 - a* h_B)^2]": str(scalar["boundary_multiplier"]),
                                           "summary": f"E[g_B g_B^T] = {ratio} G"})


def check_recursion_against_enumeration(p_candidate, prob, grads, theta0, alphas, batches, steps=25, rtol=1e-12):
    """The recursion built with mixture weight ``p_candidate(n, B)`` against the exact moments by enumeration of
    all batches (mean and second moment after ``steps`` steps), relative error ``<= rtol``."""
    d, rows = prob.d, []
    for B in batches:
        for alpha in alphas:
            Z = lsgd.regular_transition_matrix(prob, grads, B, alpha, p=p_candidate(prob.n, B))
            z = np.linalg.matrix_power(Z, steps) @ _initial_state(theta0)
            exact = lsgd.exact_moments(lsgd.augmented_step_matrices(prob, B, alpha, grads), theta0, steps)
            S_exact = exact[2].reshape(d + 1, d + 1)[:d, :d]
            error = max(float(np.abs(_second_moment(z, d) - S_exact).max() / np.abs(S_exact).max()),
                        float(np.abs(z[:d] - exact[1][:d]).max() / max(np.abs(exact[1][:d]).max(), 1e-300)))
            rows.append({"B": B, "alpha": alpha, "steps": steps, "relative_error": error})
    return rows_within_tolerance(rows, rtol)


@mm_theorem_4.method("high-precision", "recursion with the extra noise term = exact enumeration")
def recursion_equals_enumeration(ctx):
    prob, grads, theta0 = _instance(ctx)
    alpha_star = closed_form.threshold(prob, BATCH).threshold
    ok, detail = check_recursion_against_enumeration(hessians.batch_p, prob, grads, theta0,
                                                     [0.5 * alpha_star, 1.05 * alpha_star], (1, BATCH, 5))
    detail["summary"] = f"rel err {max(r['relative_error'] for r in detail['rows']):.1e}"
    return Evidence("high-precision", ok, detail)


def _range_growth_rate(prob, grads, B, alpha):
    """``log rho`` of the recursion's transition (Gelfand): 0 while the range part is bounded."""
    return lsgd.log_spectral_radius(lsgd.regular_transition_matrix(prob, grads, B, alpha))


def check_boundary(candidate, prob, grads, theta0, B=BATCH, delta=2e-3, rtol=1e-8):
    """``candidate(prob, B) -> alpha``: (a) the boundary of the recursion found by bisection equals it within
    ``rtol``; (b) iterated (doubling the horizon until the range trace changes by < 1e-12), the recursion
    converges at ``alpha (1 - delta)`` and grows at ``alpha (1 + delta)`` at rate ``log rho(T_alpha)``."""
    alpha_c = float(candidate(prob, B))
    found = lsgd.stability_boundary(lambda a: _range_growth_rate(prob, grads, B, a) <= 1e-12)
    P = lsgd.range_projector(prob)
    d = prob.d
    z0 = _initial_state(theta0)
    Z = lsgd.regular_transition_matrix(prob, grads, B, alpha_c * (1 - delta))
    previous, steps, converged = None, 1024, False
    with np.errstate(over="ignore", invalid="ignore"):
        while steps <= 2**24:
            trace = float(np.trace(P @ _second_moment(np.linalg.matrix_power(Z, steps) @ z0, d) @ P))
            if not np.isfinite(trace) or (previous is not None and trace > 1e6 * previous):
                break  # growing: not bounded
            if previous is not None and abs(trace - previous) <= 1e-12 * abs(trace):
                converged = True
                break
            previous, steps = trace, 2 * steps
    limit = closed_form.regular_limit_covariance(prob, grads, B, alpha_c * (1 - delta)) if converged else None
    limit_error = float(abs(np.trace(limit) / trace - 1)) if converged else float("inf")
    PP = np.kron(P, P)
    rho_range = float(np.abs(np.linalg.eigvals(PP @ moment_recursion.recursion_matrix(prob, B, alpha_c * (1 + delta))
                                               @ PP)).max())
    rate = _range_growth_rate(prob, grads, B, alpha_c * (1 + delta))
    grows = rate > 0 and abs(rate / np.log(rho_range) - 1) <= 1e-6
    ok = abs(found / alpha_c - 1) <= rtol and converged and limit_error <= 1e-8 and grows
    return bool(ok), {"candidate": alpha_c, "boundary_by_bisection": found, "relative_error": found / alpha_c - 1,
                      "below": {"factor": 1 - delta, "converged": converged, "steps": steps, "range_trace": trace,
                                "vs_Thm5_limit": limit_error},
                      "above": {"factor": 1 + delta, "log_growth_rate": rate, "log_rho_T_range": float(np.log(rho_range))}}


@mm_theorem_4.method("high-precision", "boundary of the recursion = alpha*; converges below, grows above")
def recursion_boundary(ctx):
    prob, grads, theta0 = _instance(ctx)
    ok, detail = check_boundary(lambda pr, B: closed_form.threshold(pr, B).threshold, prob, grads, theta0)
    detail["summary"] = f"bisection rel err {detail['relative_error']:.1e}"
    return Evidence("high-precision", ok, detail)


def boundary_slope(prob, grads, theta0, B, alpha, sigma):
    """``(<Sigma, S_2N> - <Sigma, S_N>) / N`` of the recursion at ``alpha`` (exact powers); ``N`` doubles from 256 until
    the estimate changes by less than ``1e-10`` (relative to the largest ``<Sigma, S_N>/N`` seen), at most ``2^22``."""
    Z = lsgd.regular_transition_matrix(prob, grads, B, alpha)
    z0 = _initial_state(theta0)

    def projection(steps):
        return float(np.sum(sigma * _second_moment(np.linalg.matrix_power(Z, steps) @ z0, prob.d)))

    horizon, previous, scale = 256, None, 1e-300
    while True:
        slope = (projection(2 * horizon) - projection(horizon)) / horizon
        scale = max(scale, abs(projection(horizon)) / horizon, abs(slope))
        if (previous is not None and abs(slope - previous) <= 1e-10 * scale) or horizon >= 2**22:
            return slope
        previous, horizon = slope, 2 * horizon


def check_boundary_slope(slope_formula, ctx, rtol=1e-6):
    """At ``alpha = alpha*`` the recursion's ``<Sigma*, S_t>`` grows by ``slope_formula(alpha*, p, Sigma*, G)`` per step
    (regular instance), and not at all on the commuting instance with gradients orthogonal to ``Sigma*``."""
    prob, grads, theta0 = _instance(ctx)
    result = closed_form.threshold(prob, BATCH)
    G = grads.T @ grads / prob.n
    p = hessians.batch_p(prob.n, BATCH)
    measured = boundary_slope(prob, grads, theta0, BATCH, result.threshold, result.sigma)
    predicted = float(slope_formula(result.threshold, p, result.sigma, G))
    # commuting instance: Sigma* = e_j e_j^T, gradients with g_ij = 0
    rng = np.random.default_rng(ctx.seed_for("mm-theorem-4/orthogonal"))
    h = np.zeros((6, 3))
    h[:, :2] = rng.uniform(0.2, 1.5, size=(6, 2))
    commuting = hessians.problem(hessians=np.einsum("ni,ij->nij", h, np.eye(3)))
    j = commuting_threshold(h, BATCH)["coordinate"]
    g = rng.standard_normal((6, 3))
    g[:, j] = 0.0
    g -= g.mean(axis=0)
    exact = closed_form.threshold(commuting, BATCH)
    sigma_j = np.zeros((3, 3))
    sigma_j[j, j] = 1.0
    orthogonal_slope = boundary_slope(commuting, g, rng.standard_normal(3), BATCH, exact.threshold, sigma_j)
    bounded = abs(orthogonal_slope) <= 1e-12
    ok = abs(measured / predicted - 1) <= rtol and bounded
    return bool(ok), {"alpha_star": result.threshold, "measured_slope": measured, "predicted_slope": predicted,
                      "relative_error": measured / predicted - 1, "<Sigma*, G>": float(np.sum(result.sigma * G)),
                      "orthogonal_noise": {"coordinate": j, "slope": orthogonal_slope, "bounded": bool(bounded)}}


@mm_theorem_4.method("high-precision", "at alpha*: linear growth iff <Sigma*, G> > 0")
def boundary_growth(ctx):
    ok, detail = check_boundary_slope(lambda a, p, sigma, G: a**2 * p * np.sum(sigma * G), ctx)
    detail["summary"] = f"slope rel err {detail['relative_error']:.1e}; orthogonal noise slope {detail['orthogonal_noise']['slope']:.0e}"
    return Evidence("high-precision", ok, detail)


def check_null_walk(slope_formula, prob, grads, theta0, alpha_star, steps=200):
    """``E||P_N theta_t||^2 - ||P_N theta_0||^2 = t * slope_formula(alpha, n, B, G_N)`` in the recursion, for
    ``alpha = 0.5, 1.05 alpha*``, ``B = 2`` and ``B = n`` (where ``p = 0``), and 0 when ``P_N g_i = 0``."""
    PN = np.eye(prob.d) - lsgd.range_projector(prob)
    rows, ok = [], True
    for B, g in ((BATCH, grads), (prob.n, grads), (BATCH, grads @ (np.eye(prob.d) - PN))):
        for factor in (0.5, 1.05):
            alpha = factor * alpha_star
            z = np.linalg.matrix_power(lsgd.regular_transition_matrix(prob, g, B, alpha), steps) @ _initial_state(theta0)
            growth = float(np.trace(PN @ _second_moment(z, prob.d) @ PN) - theta0 @ PN @ theta0)
            predicted = steps * float(slope_formula(alpha, prob.n, B, np.trace(PN @ g.T @ g @ PN) / prob.n))
            good = abs(growth - predicted) <= 1e-10 * max(abs(predicted), 1.0)
            ok &= good
            rows.append({"B": B, "alpha / alpha*": factor, "null_gradients": bool(np.abs(g @ PN).max() > 0),
                         "growth": growth, "predicted": predicted})
    return bool(ok), {"steps": steps, "rows": rows}


@mm_theorem_4.method("high-precision", "null-space random walk: slope alpha^2 p tr(P_N G)")
def null_walk(ctx):
    prob, grads, theta0 = _instance(ctx)
    alpha_star = closed_form.threshold(prob, BATCH).threshold
    ok, detail = check_null_walk(lambda a, n, B, trG: a**2 * hessians.batch_p(n, B) * trG, prob, grads, theta0, alpha_star)
    detail["summary"] = "exact on both sides; 0 if P_N g = 0 or B = n"
    return Evidence("high-precision", ok, detail)


@lru_cache(maxsize=8)
def _simulated(seed, quick, thorough, factor, steps):
    """Simulated statistics and exact standard deviations at ``factor alpha*`` (shared by the check and controls)."""
    ctx = RunContext(seed, quick, thorough)
    prob, grads, theta0 = _instance(ctx)
    alpha = factor * closed_form.threshold(prob, BATCH).threshold
    P = lsgd.range_projector(prob)
    PN = np.eye(prob.d) - P
    runs = ctx.size(20_000, quick=10_000, thorough=200_000)
    A = lsgd.augmented_step_matrices(prob, BATCH, alpha, grads)
    exact = lsgd.exact_moments(A, theta0, steps, orders=(2, 4))
    sd = np.sqrt([lsgd.quadratic_statistic_moments(exact, Q)[1] for Q in (P, PN)])
    sim_seed = ctx.seed_for(f"mm-theorem-4/sgd/{factor}")
    theta = lsgd.simulate_batches(A, theta0, steps, runs, sim_seed)
    stats = np.stack([np.sum((theta @ P) * theta, axis=1), np.sum((theta @ PN) * theta, axis=1)], axis=1)
    return alpha, runs, sim_seed, stats, sd


def _statistics_of(transition, steps, theta0, P, PN):
    """``(E||P theta_T||^2, E||P_N theta_T||^2)`` of a second-moment recursion ``transition`` after ``steps``."""
    z = np.linalg.matrix_power(transition, steps) @ _initial_state(theta0)
    S = _second_moment(z, P.shape[0])
    return np.array([np.trace(P @ S @ P), np.trace(PN @ S @ PN)])


def check_simulation(claimed_recursion, ctx, factors=(0.95, 1.05), steps=20, alpha_total=ALPHA_SIMULATION):
    """Linearized SGD (``B = 2``) at ``f alpha*``: median-of-means intervals of ``||P theta_T||^2`` and
    ``||P_N theta_T||^2`` (exact standard deviations from the fourth moments by enumeration) must contain
    the values of ``claimed_recursion(prob, grads, B, alpha) -> transition matrix``.  Each row records, for
    each statistic, the failure probability (claimed value inside the radius) or the miss probability (outside)
    bound that its distance to the true recursion's value gives."""
    prob, grads, theta0 = _instance(ctx)
    P = lsgd.range_projector(prob)
    PN = np.eye(prob.d) - P
    rows, ok = [], True
    for f in factors:
        alpha, runs, seed, stats, sd = _simulated(ctx.seed, ctx.quick, ctx.thorough, f, steps)
        claimed = _statistics_of(claimed_recursion(prob, grads, BATCH, alpha), steps, theta0, P, PN)
        interval = median_of_means_interval(stats, sd, alpha_total / len(factors))
        good = bool(np.all(np.abs(interval["median"] - claimed) <= interval["radius"]))
        ok &= good
        truth = _statistics_of(lsgd.regular_transition_matrix(prob, grads, BATCH, alpha), steps, theta0, P, PN)
        design, block = interval["design"], interval["block_size"]
        rows.append({"alpha / alpha*": f, "steps": steps, "runs": runs, "seed": seed, "median": interval["median"],
                     "claimed": claimed, "radius": interval["radius"], "exact_sd": sd,
                     "detectable_discrepancy": interval["detectable_discrepancy"], "ok": good,
                     "claimed_minus_truth": claimed - truth,
                     "failure_probability": [failure_probability(c - t, s, block, design, r)
                                             for c, t, s, r in zip(claimed, truth, sd, interval["radius"])],
                     "miss_probability": [miss_probability(c - t, s, block, design, r)
                                          for c, t, s, r in zip(claimed, truth, sd, interval["radius"])]})
    return bool(ok), {"rows": rows, "sample_size": runs, "false_failure_probability": alpha_total,
                      "statistics": ["||P theta_T||^2", "||P_N theta_T||^2"], "test": interval["test"]}


@mm_theorem_4.method("monte-carlo", "linearized SGD at 0.95 and 1.05 alpha* against the recursion")
def simulation(ctx):
    ok, detail = check_simulation(lsgd.regular_transition_matrix, ctx)
    r = detail["rows"]
    detail["summary"] = (f"n={detail['sample_size']:.0e}: range {r[0]['median'][0]:.3g}/{r[1]['median'][0]:.3g} "
                         f"vs {r[0]['claimed'][0]:.3g}/{r[1]['claimed'][0]:.3g}")
    return Evidence("monte-carlo", ok, dict(detail, budget_share="simulation"))


@mm_theorem_4.method("negative-control", "wrong thresholds, weights and noise terms")
def wrong_variants(ctx):
    prob, grads, theta0 = _instance(ctx)
    alpha_star = closed_form.threshold(prob, BATCH).threshold
    variants, near_misses = [], []
    for name, factor in (("threshold 5% above alpha*", 1.05), ("threshold 5% below alpha*", 0.95)):
        passed, detail = check_boundary(lambda pr, B, f=factor: f * closed_form.threshold(pr, B).threshold,
                                        prob, grads, theta0)
        variants.append({"name": name, "method": "recursion boundary", "rejected": not passed,
                         "bisection_relative_error": detail["relative_error"], "below_converged": detail["below"]["converged"],
                         "distance_from_boundary": f"threshold {factor - 1:+.0%}"})
    passed, detail = check_boundary(lambda pr, B: (1 + 5e-4) * closed_form.threshold(pr, B).threshold, prob, grads, theta0,
                                    rtol=1e-3)
    near_misses.append({"name": "alpha* (1 + 5e-4), inside delta = 2e-3 (bisection tolerance 1e-3)",
                        "method": "recursion boundary", "passed": passed, "distance_from_boundary": 5e-4})
    for name, weight in (("p with n in place of n - 1", lambda n, B: (n - B) / (B * n)),
                         ("p = 1/B (sampling with replacement)", lambda n, B: 1 / B)):
        passed, detail = check_recursion_against_enumeration(weight, prob, grads, theta0, [0.5 * alpha_star], (BATCH,))
        variants.append({"name": name, "method": "recursion vs enumeration", "rejected": not passed,
                         "relative_error": detail["rows"][0]["relative_error"],
                         "distance_from_boundary": f"p {weight(prob.n, BATCH) / hessians.batch_p(prob.n, BATCH) - 1:+.1%}"})
    passed, detail = check_boundary_slope(lambda a, p, sigma, G: a**2 * np.sum(sigma * G), ctx)
    variants.append({"name": "boundary slope without the factor p", "method": "slope at alpha*", "rejected": not passed,
                     "relative_error": detail["relative_error"], "distance_from_boundary": "slope x 1/p"})
    passed, detail = check_null_walk(lambda a, n, B, trG: a**2 / B * trG, prob, grads, theta0, alpha_star)
    variants.append({"name": "null walk slope with p = 1/B", "method": "null-space walk", "rejected": not passed,
                     "distance_from_boundary": "p = 1/B instead of (n-B)/(B(n-1))"})

    def interpolating(prob, grads, B, alpha):
        return lsgd.regular_transition_matrix(prob, np.zeros_like(grads), B, alpha)

    passed, detail = check_simulation(interpolating, ctx)
    variants.append({"name": "interpolating recursion (no extra noise term)", "method": "Monte Carlo",
                     "rejected": not passed, "claimed_vs_median": [[r["claimed"], r["median"]] for r in detail["rows"]],
                     "distance_from_boundary": "extra noise term dropped",
                     "miss_probability": min(p for r in detail["rows"] for p in r["miss_probability"])})

    offset = NEAR_MISS_NOISE_OFFSET * min(1.0, np.sqrt(NEAR_MISS_RUNS / _simulated(
        ctx.seed, ctx.quick, ctx.thorough, 0.95, 20)[1]))

    # The near miss's failure probability depends on the instance (drawn from the seed) through exact,
    # data-free quantities (truth, exact sd, design); shrink the offset until it fits the share.
    for shrink in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5):
        trial = offset * shrink

        def noise_slightly_larger(prob, grads, B, alpha, trial=trial):
            return lsgd.regular_transition_matrix(prob, np.sqrt(1 + trial) * grads, B, alpha)

        passed, detail = check_simulation(noise_slightly_larger, ctx)
        if sum(p for r in detail["rows"] for p in r["failure_probability"]) <= NEAR_MISS_SHARE:
            break
    offset = trial
    near_misses.append({"name": f"gradient noise {offset:.2%} larger (inside the Monte Carlo resolution)",
                        "method": "Monte Carlo", "passed": passed, "radius": [r["radius"] for r in detail["rows"]],
                        "distance_from_boundary": f"noise +{offset:.2%}: " + ", ".join(
                            f"{abs(d) / rad:.2f}" for r in detail["rows"] for d, rad in zip(r["claimed_minus_truth"],
                                                                                            r["radius"])) + " radii",
                        "failure_probability": sum(p for r in detail["rows"] for p in r["failure_probability"])})
    return boundary_control_evidence(variants, near_misses, budget_share="near-misses")
