"""Claim ``mc-corollary-3``: the minimizer reached from residual initialization is within ``C kappa`` of the
minimal sharpness, ``C`` independent of depth and width (Marion & Chizat, Corollary 3; *reconstructed*).

Statement.  Under the assumptions of Theorem 4 and with ``Sigma`` full rank, the limit ``W^oo`` of the flow has::

    S_min <= S(W^oo) <= C kappa(Sigma) S_min,     C depending only on the initialization scale s.

The proof (App B.9), step by step with measured constants: at a minimizer the Hessian is ``2 J^T Sigma J`` with
``J J^T = sum_k ||l_k||^2 A_k^T A_k`` (``l_k = W_{k+1}^T ... W_L^T p``, ``A_k = W_{k-1} ... W_1``), so
``S <= 2 Lambda L ||p||^2 U^4``; with the lower bound ``2 L q a^{2-2/L} <= S_min`` (claim ``sharpness-minimizers``,
``a = ||w*||``, ``q = u^T Sigma u``)::

    S(W^oo) / lower <= (Lambda / q) U^4 ||p||^2 / a^{2-2/L}       (Lambda / q <= kappa).

Reconstruction: the display and ``C`` were lost.  The *dependence* is checked exactly at the scale-0 member of
eq 2 (``W_k(0) = I``, deterministic) with ``w*`` along the bottom eigenvector (``Lambda / q = kappa``, the worst
direction): the constant ``S / (lower kappa)`` stays within a factor 2 across ``kappa in {4, 16, 64}`` and across
depths ``4, 8, 16`` (measured: 1.5 and 1.02 at most); with ``kappa^{1/2}``, without ``kappa``, or with an extra
``1/L`` it leaves that band.

Evidence: **symbolic** (``J J^T = sum_k ||l_k||^2 A_k^T A_k`` by differentiation, symbolic ``p``); **high-precision**
(Gaussian draws, depths 2-8: the end point is a minimizer, ``S >= lower`` up to the certified slack, ``S / lower`` below the
explicit factor, the constant ``C = S / (lower Lambda / q)`` reported; the ``kappa`` and depth sweeps);
**negative-control** (``kappa^{1/2}``, no ``kappa``, ``C / L``: rejected; ``kappa^{0.99}``: near miss, passes).
The pre-asymptotic
variation of the constant (up to 1.5x, not monotone, between ``kappa = 4`` and ``64``) keeps a ``kappa^{0.9}`` from
being resolved in this budget: at ``kappa = 64 .. 1024`` the local slope of ``S / lower`` is ``1`` within 2%
(measured, 3 seeds, outside the claim).
"""
from __future__ import annotations

import numpy as np

from derivations import deep_linear as dl_derivations
from numeric import deep_linear as dl
from numeric.sharpness import minimizer_bounds

from ..controls import boundary_control_evidence
from ..framework import DETERMINISTIC, Evidence, claim
from ..related.measurement_cache import cached_measurement
from .instances import identity_flows, residual_flows
from .mc_theorem_4 import identity_depths
from .scaling import check_constant_band

__all__ = ["mc_corollary_3", "sharpness_measurements", "MAX_SPREAD"]

#: largest spread (max / min) of the constant along a sweep that still counts as "independent of" the swept variable
#: (the measured pre-asymptotic variation along kappa = 4 .. 64 reaches 1.5; a kappa^{1/2} form spreads by >= 2.7)
MAX_SPREAD = 2.0
#: deepest Gaussian draw used here (Theorem 4 runs to 16; the sharpness adds a Lanczos solve per draw)
GAUSSIAN_MAX_DEPTH = 8
#: rounding allowance on top of the certified slack of the lower bound
ROUNDING = 1e-9

mc_corollary_3 = claim(
    "mc-corollary-3",
    ("Residual initialization: the reached minimizer is within C kappa of the minimal sharpness, C independent of L "
     "and d (Marion & Chizat, Corollary 3)"),
    statement="""
        S_min <= S(W^oo) <= C kappa S_min with C depending only on s; explicitly S(W^oo) / (2 L q a^{2-2/L}) <=
        (Lambda/q) U^4 ||p||^2 / a^{2-2/L} (U bounds the partial products, q = u^T Sigma u <= Lambda); the constant
        S/(lower kappa) does not grow with kappa or depth.
        """,
    section="Related results (seed 003)", order=92.6, equations=("MC Thm 2", "MC Thm 4", "MC Cor 3", "MC App B.9"),
    false_failure_budget=DETERMINISTIC,
    notes="""
        Reconstructed: the display and C were lost; the explicit factor is derived from the proof; the kappa and depth
        dependence is checked at the scale-0 member of eq 2 (W_k(0) = I) with w* along the bottom eigenvector, where
        Lambda/q = kappa and the ratio S/lower grows like kappa (measured constant ~0.7). The lower bound used is 2 L
        (w*^T Sigma w*)/||w*||^{2/L} (claim sharpness-minimizers), not the spec's 2 Lambda L a^{2-2/L}.
        """,
)


def sharpness_measurements(row) -> dict:
    """At the end point of one flow: sharpness, lower bound and its certified slack, ``Lambda / q``, the explicit
    factor with ``U`` at the end point, the constant ``S / (lower Lambda / q)`` and ``S / (lower kappa)``."""
    W, p, Sigma, wstar = row["trajectory"].final_layers, row["p"], row["Sigma"], row["wstar"]
    L = len(W)
    eigenvalues = np.linalg.eigvalsh(Sigma)
    a = float(np.linalg.norm(wstar))
    q = float(wstar @ Sigma @ wstar) / a ** 2
    S = dl.sharpness(W, p, Sigma, wstar)
    lower = minimizer_bounds.lower_bound(Sigma, wstar, L)
    U = max(1.0, dl.partial_product_extremes(W)["max_norm"])
    factor = eigenvalues[-1] / q * U ** 4 * float(p @ p) / a ** (2 - 2 / L)
    return {"L": L, "d": W[0].shape[0], "kappa": float(eigenvalues[-1] / eigenvalues[0]),
            "converged": row["trajectory"].converged, "sharpness": S, "lower": lower,
            "lower_slack": dl.minimizer_slack(W, p, Sigma, wstar), "ratio": S / lower,
            "explicit_factor": factor, "Lambda_over_q": eigenvalues[-1] / q, "U": U,
            "C": S / lower / (eigenvalues[-1] / q), "C_kappa": S / lower / (eigenvalues[-1] / eigenvalues[0])}


def _sweeps(ctx):
    def compute(ctx):
        kappas = (4.0, 64.0) if ctx.quick else (4.0, 16.0, 64.0)
        by_kappa = [sharpness_measurements(identity_flows(ctx, (4,), kappa)[0]) for kappa in kappas]
        by_depth = [sharpness_measurements(r) for r in identity_flows(ctx, identity_depths(ctx))]
        return by_kappa, by_depth
    return cached_measurement("mc-corollary-3-sweeps", ctx, compute)


def _dependence(by_kappa, by_depth, kappa_exponent=1.0, depth_exponent=0.0):
    """Constants ``S / (lower kappa^e) * L^f`` along each sweep, and whether they stay within ``MAX_SPREAD``."""
    kappa_ok, kappa = check_constant_band([r["kappa"] for r in by_kappa],
                                          [r["ratio"] / r["kappa"] ** kappa_exponent for r in by_kappa], MAX_SPREAD)
    depth_ok, depth = check_constant_band([r["L"] for r in by_depth],
                                          [r["ratio"] / r["kappa"] ** kappa_exponent * r["L"] ** depth_exponent
                                           for r in by_depth], MAX_SPREAD)
    return kappa_ok and depth_ok, {"kappa_sweep": kappa, "depth_sweep": depth, "kappa_exponent": kappa_exponent,
                                   "depth_exponent": depth_exponent}


@mc_corollary_3.method("symbolic", "J J^T = sum_k ||l_k||^2 A_k^T A_k (differentiated)")
def gram_symbolic(ctx):
    gram, structured = dl_derivations.end_to_end_gram(2, [2, 2])
    return Evidence("symbolic", bool((gram - structured).is_zero_matrix),
                    {"network": "d = 2, widths (2, 2), symbolic p", "identity": "J J^T = sum_k ||l_k||^2 A_k^T A_k"})


@mc_corollary_3.method("high-precision", "Gaussian draws: lower <= S <= explicit factor; kappa and depth sweeps")
def sharpness_high_precision(ctx):
    rows = [sharpness_measurements(r) for r in residual_flows(ctx, max_depth=GAUSSIAN_MAX_DEPTH)]
    exact = all(r["converged"] and r["ratio"] >= 1 - r["lower_slack"] - ROUNDING
                and r["ratio"] <= r["explicit_factor"] * (1 + ROUNDING) for r in rows)
    by_kappa, by_depth = _sweeps(ctx)
    dependence_ok, dependence = _dependence(by_kappa, by_depth)
    return Evidence("high-precision", exact and dependence_ok and all(r["converged"] for r in by_kappa + by_depth),
                    {"gaussian": rows, "C_max_gaussian": max(r["C"] for r in rows), "dependence": dependence,
                     "kappa_sweep": by_kappa, "depth_sweep": by_depth, "max_spread": MAX_SPREAD})


@mc_corollary_3.method("negative-control", "kappa^0.5, no kappa, C/L rejected; kappa^0.99 near miss")
def dependence_control(ctx):
    by_kappa, by_depth = _sweeps(ctx)
    variants = []
    for name, kappa_exponent, depth_exponent in (("S <= C kappa^0.5 S_min", 0.5, 0.0),
                                                 ("S <= C S_min (no kappa)", 0.0, 0.0),
                                                 ("S <= C kappa S_min / L", 1.0, 1.0)):
        passed, detail = _dependence(by_kappa, by_depth, kappa_exponent, depth_exponent)
        variants.append({"name": name, "rejected": not passed, "kappa_spread": detail["kappa_sweep"]["spread"],
                         "depth_spread": detail["depth_sweep"]["spread"],
                         "distance_from_boundary": f"kappa exponent {kappa_exponent - 1:+.1f}, depth exponent "
                                                   f"{-depth_exponent:+.1f}"})
    passed, detail = _dependence(by_kappa, by_depth, 0.99)
    near_misses = [{"name": "S <= C kappa^0.99 S_min", "passed": passed, "distance_from_boundary": 0.01,
                    "kappa_spread": detail["kappa_sweep"]["spread"], "depth_spread": detail["depth_sweep"]["spread"]}]
    return boundary_control_evidence(variants, near_misses)
