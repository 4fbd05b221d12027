"""Claim ``gradient-flow-facts``: the gradient flow of ``L_R`` is monotone, bounded and converges (eqs 15-17).

Statement.  Along the flow ``dW/dt = -grad L_R(W)`` (eq 12):

* ``d/dt L_R(W(t)) = -||grad L_R(W(t))||^2 <= 0``: ``L_R`` is non-increasing (eq 15);
* ``sum_l ||W_l(t)||_F^2 <= L_R(W(0)) / eta^{2(L-1)}`` (eq 16);
* ``(1/t) int_0^t ||grad L_R||^2 ds = (L_R(W(0)) - L_R(W(t))) / t <= L_R(W(0)) / t`` (eq 17);
* ``W(t)`` converges to a critical point of ``L_R``.

Evidence:

* **symbolic**: the gradient of :func:`derivations.marginalized.marginalized_loss` equals the closed
  form ``2 (w_l prod_{k!=l}(w_k^2+eta^2) - w* prod_{k!=l} w_k)``, and the weight-decay gap of eq 8
  is non-negative, for ``L = 2..5`` (``2..4`` with ``--quick``);
* **high-precision**: float64 flows (SciPy DOP853, rtol 1e-12) from random starts, ``L = 2..5``,
  each run until ``||grad L_R|| <= 1e-9`` (in segments), satisfy eqs 15-16 within :data:`FLOW_RTOL`;
  eq 17 by an independent route: ``int ||grad L_R||^2`` by Gauss-Legendre quadrature (8 nodes per
  recorded interval, error estimated against 4 nodes) of :func:`numeric.model.grad_marginalized_loss`
  at the flow's points, against ``L_R(W(0)) - L_R(W(t))`` from :func:`numeric.model.marginalized_loss`;
  the limits are enumerated critical points (:func:`numeric.critical_points.nearest_critical_point`).
  A start with one large layer and ``w* = 0`` attains eq 16 within 1% (so a 5% smaller bound is rejected);
* **negative-control** (at the boundary): eq 16 with 95% of the bound, eq 17 with factor 1.05, the
  limit in the critical set at ``1.05 eta``, ``L`` (not ``L_R``) monotone and the limit critical for
  ``L`` must all be rejected on the same flows; near-miss positives: eq 16 where nearly attained,
  eq 17 within its quadrature and solver error, the limit at ``eta``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from derivations.dynamics.gradient import gradient, gradient_closed_form
from derivations.marginalized import prove_identity, weight_decay_gap
from numeric import model
from numeric.critical_points import nearest_critical_point
from numeric.dynamics.flows import gradient_flow

from ..controls import BOUNDARY_OFFSET, boundary_control_evidence
from ..framework import DETERMINISTIC, Evidence, RunContext, claim
from .derived_functions import parameter_norm_bound_function
from .tolerances import FLOW_RTOL

__all__ = ["gradient_flow_facts"]

gradient_flow_facts = claim(
    "gradient-flow-facts", "Gradient flow of L_R: monotone, bounded, converges (eqs 15-17)",
    statement="""
        Along dW/dt = -grad L_R(W): d/dt L_R = -||grad L_R||^2 <= 0 (eq 15); sum_l ||W_l(t)||_F^2 <= L_R(W(0)) /
        eta^{2(L-1)} (eq 16); (1/t) int_0^t ||grad L_R||^2 ds = (L_R(W(0)) - L_R(W(t)))/t <= L_R(W(0))/t (eq 17); W(t)
        converges to a critical point of L_R.
        """,
    section="4.1", order=40, equations=("12", "15", "16", "17"),
    false_failure_budget=DETERMINISTIC,
    notes="""
        Float64 flows (SciPy DOP853, rtol 1e-12) from random starts, L = 2..5, run until ||grad L_R|| <= 1e-9. Eq 17
        is checked by an independent route: Gauss-Legendre quadrature of ||grad L_R||^2 (numeric.model) at the flow's
        points against the decrease of L_R, within the quadrature's estimated error plus the solver's. The limit is
        matched to the enumerated critical points (numeric.critical_points). Eq 16 is attained within 1% by a start
        with one large layer and w* = 0 (included, so that a bound 5% smaller is rejected).
        """,
)


@gradient_flow_facts.method("symbolic", "gradient closed form and eq 8")
def gradient_closed_form_symbolic(ctx):
    depths = ctx.depths(5, quick=4)
    gradient_proven = {L: prove_identity(gradient(L), gradient_closed_form(L)) for L in depths}
    weight_decay_gap_nonnegative = {L: weight_decay_gap(L)[1] for L in depths}
    return Evidence("symbolic", all(gradient_proven.values()) and all(weight_decay_gap_nonnegative.values()), {
        "gradient_closed_form": "dL_R/dw_l = 2 (w_l prod_{k!=l}(w_k^2+eta^2) - w* prod_{k!=l} w_k)",
        "proven_for_L": {str(k): v for k, v in gradient_proven.items()},
        "eq8_weight_decay_nonnegative_gap": {str(k): v for k, v in weight_decay_gap_nonnegative.items()},
    })


@gradient_flow_facts.method("high-precision", "eqs 15-17 and convergence along float64 flows")
def flow_facts_high_precision(ctx):
    runs = _flow_fact_runs(ctx.seed, ctx.quick, ctx.thorough)
    ok, detail = _check_flow_facts(runs)
    detail.update({"solver": "DOP853 rtol=1e-12 atol=1e-14", "seed": ctx.seed_for("flow-facts"),
                   "tolerance": FLOW_RTOL, "quadrature": f"Gauss-Legendre, {QUADRATURE_NODES} nodes per interval"})
    return Evidence("high-precision", ok, detail)


@gradient_flow_facts.method("negative-control", "eqs 15-17 and the limit just outside the claim")
def wrong_flow_facts_control(ctx):
    runs = _flow_fact_runs(ctx.seed, ctx.quick, ctx.thorough)
    _, positive = _check_flow_facts(runs)
    tight = max(c["eq16_max_ratio"] for c in positive["cases"])
    variants = []
    for name, distance, wrong_statement, field in [
            ("eq 16 with 95% of the bound", f"bound -5% (largest ratio found {tight:.4f})",
             {"factor": 1 - BOUNDARY_OFFSET}, "eq16_max_ratio"),
            ("eq 17 energy identity with factor 1.05", "factor +5%", {"energy_factor": 1 + BOUNDARY_OFFSET},
             "eq17_max_error_over_tolerance"),
            ("the limit is a critical point of L_R at 1.05 eta", "noise level +5%",
             {"eta_factor": 1 + BOUNDARY_OFFSET}, "distance_to_critical_set_max"),
            ("the limit is a critical point of L_R at 0.95 eta", "noise level -5%",
             {"eta_factor": 1 - BOUNDARY_OFFSET}, "distance_to_critical_set_max"),
            ("the unregularized loss L is monotone along the flow of L_R", "L in place of L_R",
             {"monotone": "loss"}, "max_relative_rise"),
            ("the limit is a critical point of L (not L_R)", "eta = 0 in the critical-point condition",
             {"critical_of": "L"}, "final_grad_norm_max")]:
        ok, d = _check_flow_facts(runs, **wrong_statement)
        variants.append({"name": name, "rejected": not ok, "distance_from_boundary": distance,
                         field: max(c[field] for c in d["cases"])})
    near_misses = [
        {"name": "eq 16 where nearly attained", "passed": positive["eq16_ok"],
         "distance_from_boundary": f"largest ||W(t)||^2 / bound = {tight:.4f}"},
        {"name": "eq 17 within quadrature and solver error", "passed": positive["eq17_ok"],
         "distance_from_boundary": "largest |error| / tolerance = "
                                   f"{max(c['eq17_max_error_over_tolerance'] for c in positive['cases']):.3g}"},
        {"name": "the limit in the critical set at eta", "passed": positive["converged_ok"],
         "distance_from_boundary": f"largest distance {max(c['distance_to_critical_set_max'] for c in positive['cases']):.2e}"
                                   f" (tolerance {LIMIT_DISTANCE:g})"}]
    return boundary_control_evidence(variants, near_misses)


# ----------------------------------------------------------------------------- the flows and the check
#: Gauss-Legendre nodes per recorded interval (the error is estimated against half as many).
QUADRATURE_NODES = 8
#: The flow is run (in segments of its horizon) until every run has ``||grad L_R|| <= GRADIENT_TOLERANCE``.
GRADIENT_TOLERANCE = 1e-9
#: At most this many segments.
MAX_SEGMENTS = 6
#: The limit must lie within this distance of an enumerated critical point (``>> GRADIENT_TOLERANCE / lambda_min``).
LIMIT_DISTANCE = 1e-6


def _flow_fact_instances(ctx):
    """``(name, L, W0 (K, L, d), wstar, eta, T)``: random starts per depth and one near-tight start for eq 16."""
    rng = np.random.default_rng(ctx.seed_for("flow-facts"))
    depths = (2, 3, 4) if ctx.quick else (2, 3, 4, 5)
    out = []
    for L in depths:
        W0 = rng.normal(size=(3, L, 2)) * 0.9
        out.append((f"random L={L}", L, W0, np.array([1.4, -0.9]), 0.8, 60.0))
    # nearly attains eq 16: one large layer, w* = 0: ||W||^2 / bound = w^2 / (w^2 + eta^2) = 0.990 at t = 0
    W0 = np.zeros((1, 3, 1))
    W0[0, 0, 0] = 4.0
    out.append(("eq-16 near-tight start (L=3, w*=0, eta=0.4)", 3, W0, np.array([0.0]), 0.4, 400.0))
    return out


def _gauss_legendre_nodes(times, n):
    """Nodes (flattened, per interval) and weights of ``n``-point Gauss-Legendre on every interval of ``times``."""
    x, w = np.polynomial.legendre.leggauss(n)
    left, right = times[:-1, None], times[1:, None]
    nodes = (left + right) / 2 + (right - left) / 2 * x[None, :]
    weights = (right - left) / 2 * w[None, :]
    return nodes, weights


def _squared_gradient_norms(weights, wstar, eta):
    """``||grad L_R||^2`` per point and run from :func:`numeric.model.grad_marginalized_loss`; ``weights`` (N, K, L, d)."""
    N, K, L, d = weights.shape
    wide = np.moveaxis(weights, 2, 0).reshape(L, N * K * d)
    g = model.grad_marginalized_loss(wide, np.tile(wstar, N * K), eta)
    return np.sum((g * g).reshape(L, N, K, d), axis=(0, 3))


def _marginalized_losses(weights, wstar, eta):
    """``L_R`` per point and run from :func:`numeric.model.marginalized_loss`; ``weights`` (N, K, L, d)."""
    N, K = weights.shape[:2]
    return np.array([[float(model.marginalized_loss(weights[n, k], wstar, eta)) for k in range(K)] for n in range(N)])


def _flow_segment(W0, wstar, eta, T):
    """One segment of the flow: records at ``0, geomspace(1e-3, T)``, plus quadrature of ``||grad||^2`` per interval."""
    times = np.concatenate([[0.0], np.geomspace(1e-3, T, 40)])
    nodes, node_weights = _gauss_legendre_nodes(times, QUADRATURE_NODES)
    half_nodes, half_weights = _gauss_legendre_nodes(times, QUADRATURE_NODES // 2)
    all_times = np.unique(np.concatenate([times, nodes.ravel(), half_nodes.ravel()]))
    trajectory = gradient_flow(W0, wstar, eta, all_times)
    at = {t: i for i, t in enumerate(all_times)}

    def integrals(points, quadrature_weights):
        index = np.array([[at[t] for t in row] for row in points])
        values = _squared_gradient_norms(trajectory.weights[index.ravel()], wstar, eta)
        return np.einsum("ij,ijk->ik", quadrature_weights, values.reshape(index.shape + (-1,)))

    fine, coarse = integrals(nodes, node_weights), integrals(half_nodes, half_weights)
    record_index = np.array([at[t] for t in times])
    return times, trajectory.weights[record_index], fine, np.abs(fine - coarse)


@lru_cache(maxsize=4)
def _flow_fact_runs(seed, quick, thorough):
    """Per instance: the flow run to convergence in segments, with records and the quadrature of ``||grad||^2``."""
    ctx = RunContext(seed, quick, thorough)
    runs = []
    for name, L, W0, wstar, eta, T in _flow_fact_instances(ctx):
        times, weights, interval_integrals, interval_errors, start, offset = [], [], [], [], W0, 0.0
        for _ in range(MAX_SEGMENTS):
            t, W, integral, error = _flow_segment(start, wstar, eta, T)
            keep = slice(None) if not times else slice(1, None)
            times.append(t[keep] + offset)
            weights.append(W[keep])
            interval_integrals.append(integral)
            interval_errors.append(error)
            offset += T
            start = W[-1]
            if _squared_gradient_norms(W[-1:], wstar, eta).max() <= GRADIENT_TOLERANCE ** 2:
                break
        weights = np.concatenate(weights)
        zero = np.zeros((1, weights.shape[1]))
        runs.append({"name": name, "L": L, "wstar": wstar, "eta": eta, "times": np.concatenate(times),
                     "weights": weights, "marginalized_loss": _marginalized_losses(weights, wstar, eta),
                     "loss": np.sum((wstar - np.prod(weights, axis=2)) ** 2, axis=-1),
                     "integral": np.concatenate([zero, np.cumsum(np.concatenate(interval_integrals), axis=0)]),
                     "quadrature_error": np.concatenate([zero, np.cumsum(np.concatenate(interval_errors), axis=0)])})
    return runs


def _check_flow_facts(runs, monotone="marginalized_loss", factor=1.0, energy_factor=1.0, critical_of="L_R",
                      eta_factor=1.0):
    """Eqs 15-17 and convergence on the flows ``runs``; the arguments parameterize the statements.

    ``monotone``: the record claimed non-increasing; ``factor``: eq 16's bound
    ``factor L_R(W(0)) / eta^{2(L-1)}``; ``energy_factor``: eq 17 claims
    ``int ||grad||^2 = energy_factor (L_R(W(0)) - L_R(W(t)))``, within the quadrature's error estimate plus
    ``FLOW_RTOL L_R(W(0))`` (solver); ``critical_of``: the limit is a critical point of ``"L_R"`` at
    ``eta_factor eta`` (within :data:`LIMIT_DISTANCE`) or of ``"L"``.
    """
    cases = []
    all_ok = {"eq15_ok": True, "eq16_ok": True, "eq17_ok": True, "converged_ok": True}
    for run in runs:
        L, wstar, eta = run["L"], run["wstar"], run["eta"]
        LR = run["marginalized_loss"]
        claimed_monotone = run[monotone]
        LR0 = LR[0]
        rise = float(np.max((claimed_monotone[1:] - claimed_monotone[:-1]) / np.maximum(claimed_monotone[0], 1e-300)))
        squared_norms = np.sum(run["weights"] ** 2, axis=(2, 3))
        eq16_max_ratio = float(np.max(squared_norms / parameter_norm_bound_function(L, 0, factor)(LR0, eta)))
        energy_error = np.abs(energy_factor * (LR0 - LR) - run["integral"])
        energy_tolerance = run["quadrature_error"] + FLOW_RTOL * LR0
        eq17_ratio = float(np.max(energy_error / energy_tolerance))
        W_final = run["weights"][-1]
        distances, grad_norms = [], []
        for k in range(W_final.shape[0]):
            _, distance = nearest_critical_point(W_final[k], eta_factor * eta, wstar)
            distances.append(distance)
            g = (model.grad_marginalized_loss(W_final[k], wstar, eta) if critical_of == "L_R"
                 else model.grad_loss(W_final[k], wstar))
            grad_norms.append(float(np.linalg.norm(g)))
        checks = {"eq15_ok": rise <= FLOW_RTOL, "eq16_ok": eq16_max_ratio <= 1 + FLOW_RTOL,
                  "eq17_ok": eq17_ratio <= 1 and bool(np.all(run["integral"] <= LR0 * (1 + FLOW_RTOL))),
                  "converged_ok": max(grad_norms) <= 10 * GRADIENT_TOLERANCE
                  and (critical_of != "L_R" or max(distances) <= LIMIT_DISTANCE)}
        for key, value in checks.items():
            all_ok[key] &= bool(value)
        cases.append({"case": run["name"], "passed": all(checks.values()), **checks, "max_relative_rise": rise,
                      "eq16_max_ratio": eq16_max_ratio, "eq17_max_error_over_tolerance": eq17_ratio,
                      "eq17_quadrature_error_max": float(run["quadrature_error"][-1].max()),
                      "final_grad_norm_max": max(grad_norms), "distance_to_critical_set_max": max(distances),
                      "final_time": float(run["times"][-1]), "runs": int(W_final.shape[0])})
    return all(all_ok.values()), {"cases": cases, **all_ok}
