"""theorem-3.1a: every critical point of ``L_R`` is balanced (eqs 28, 29).

Claim.  For every ``W`` the loss satisfies the cyclic identity
``W_{l+1} grad_{W_{l+1}} L = W_l grad_{W_l} L`` and the regularizer satisfies (eq 29)::

    grad_{W_{l+1}} R W_{l+1} - grad_{W_l} R W_l = 2 eta^2 prod_{k not in {l,l+1}} (W_k^2 + eta^2 I) (W_{l+1}^2 - W_l^2),

so at a critical point of ``L_R = L + R`` the right side vanishes: ``W_l^2 = W_{l+1}^2``
for every ``l``.  For general linear networks and any differentiable ``R``, critical
points satisfy ``W_{l+1}^T grad_{l+1} R = grad_l R W_l^T`` (eq 28).

Evidence.  Symbolic: both identities per coordinate for ``L = 2..8``
(:mod:`derivations.landscape.balancing`), eq 28 for dense 2x2 layers (``L = 2, 3``) with
``R`` an undefined SymPy function.  High precision: :mod:`numeric.model`'s gradients satisfy
both at 50 digits; an independent Newton search (:mod:`numeric.critical_points.newton_search`)
finds only balanced points, exactly the enumerated ones.  Negative controls at the boundary: eq 29
with the factor ``2`` off by 5 % (``2.1``, ``1.9``) and ``eta^{2.1}``, run through the symbolic
identity and the 50-digit check of the model's gradients (near miss: the factor ``2 (1 + 1e-45)``,
below the tolerance 1e-40); the product dropped, the sign flipped; eq 28 without transposes; and
"``W_{l+1} = W_l``" instead of the squares at the points the Newton search finds.
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from derivations.landscape import balancing
from derivations.marginalized import coordinate_symbols, prove_identity
from numeric import model
from numeric.critical_points import enumeration, newton_search

from ..controls import boundary_control_evidence
from ..framework import DETERMINISTIC, Evidence, claim
from .depths import depths_for_mode

theorem_3_1a = claim(
    "theorem-3.1a", "Balancing at critical points of L_R",
    statement="""
        For every W: W_{l+1} grad_{W_{l+1}} L = W_l grad_{W_l} L (cyclic identity) and grad_{W_{l+1}} R W_{l+1} -
        grad_{W_l} R W_l = 2 eta^2 prod_{k not in {l,l+1}}(W_k^2 + eta^2 I)(W_{l+1}^2 - W_l^2) (eq 29); hence every
        critical point of L_R has W_l^2 = W_{l+1}^2. For general linear networks and any differentiable R, critical
        points satisfy W_{l+1}^T grad_{l+1} R = grad_l R W_l^T (eq 28).
        """,
    section="3", order=31.1, equations=("28", "29"),
    false_failure_budget=DETERMINISTIC,
    notes="""
        Proven symbolically per coordinate for L = 2..8 (the model separates by coordinate); eq 28 for dense 2x2
        layers, L = 2, 3, with R an undefined SymPy function. Numerically, an independent Newton search finds only
        balanced critical points.
        """,
)


def eq29_holds(L, **variant) -> bool:
    """Is eq 29 (or the wrong ``variant`` of :func:`derivations.landscape.balancing.eq29_terms`) an identity at depth ``L``?"""
    return all(prove_identity(lhs, rhs) for lhs, rhs in balancing.eq29_terms(L, **variant))


def eq28_holds(n, L, transpose_side=True) -> bool:
    """Is eq 28 (``transpose_side=False``: the variant without transposes) an identity for dense ``n x n`` layers?"""
    return all(all(sp.expand(entry) == 0 for entry in (lhs - rhs))
               for lhs, rhs in balancing.general_network_terms(n, L, transpose_side))


# --- symbolic ------------------------------------------------------------------

@theorem_3_1a.method("symbolic", "cyclic-identity-and-eq29")
def cyclic_identity_and_eq29(ctx):
    rows = []
    for L in depths_for_mode(ctx):
        rows.append({"L": L,
                     "cyclic": all(prove_identity(x, y) for x, y in balancing.cyclic_identity_terms(L)),
                     "eq29": eq29_holds(L)})
    return Evidence("symbolic", all(r["cyclic"] and r["eq29"] for r in rows), {"depths": rows})


@theorem_3_1a.method("symbolic", "general-network-eq28")
def general_network_eq28(ctx):
    rows = []
    for n, L in ([(2, 2)] if ctx.quick else [(2, 2), (2, 3)]):
        rows.append({"n": n, "L": L, "identity": eq28_holds(n, L)})
    return Evidence("symbolic", all(r["identity"] for r in rows), {"cases": rows,
                    "regularizer": "undefined function R of all entries"})


# --- high precision --------------------------------------------------------------

#: Tolerance of the 50-digit check of eq 29 on the model's gradients (relative to the terms' size):
#: the products of 50-digit numbers are exact to ~1e-48, so 1e-40 leaves a margin of 1e8.
EQ29_TOLERANCE = mpmath.mpf("1e-40")


def model_gradient_defect(L, rng, d=3, **variant):
    """Largest relative defect of the cyclic identity and of eq 29 (or its wrong ``variant``) on :mod:`numeric.model`.

    ``W``, ``w*`` standard normal (``d`` coordinates), ``eta = 0.37``, 50 digits; the right side of
    eq 29 from :func:`derivations.landscape.balancing.eq29_terms` with ``variant``.
    """
    with mpmath.workdps(50):
        W = np.array([[mpmath.mpf(float(x)) for x in row] for row in rng.normal(size=(L, d))], dtype=object)
        wstar = np.array([mpmath.mpf(float(x)) for x in rng.normal(size=d)], dtype=object)
        eta_mp = mpmath.mpf("0.37")
        loss_gradient, regularizer_gradient = model.grad_loss(W, wstar), model.grad_regularizer(W, eta_mp)
        symbols = coordinate_symbols(L)
        worst = mpmath.mpf(0)
        for l, (_, rhs) in enumerate(balancing.eq29_terms(L, **variant)):
            eq29_rhs = sp.lambdify((symbols.w, symbols.eta), rhs, "mpmath")
            for h in range(d):
                cyclic_defect = W[l + 1, h] * loss_gradient[l + 1, h] - W[l, h] * loss_gradient[l, h]
                eq29_defect = (W[l + 1, h] * regularizer_gradient[l + 1, h] - W[l, h] * regularizer_gradient[l, h]
                               - eq29_rhs(list(W[:, h]), eta_mp))
                scale = 1 + abs(W[l, h] * loss_gradient[l, h]) + abs(W[l, h] * regularizer_gradient[l, h])
                worst = max(worst, abs(cyclic_defect) / scale, abs(eq29_defect) / scale)
    return worst


@theorem_3_1a.method("high-precision", "model-gradients-satisfy-eq29")
def model_gradients_satisfy_eq29(ctx):
    rng = np.random.default_rng(ctx.seed_for("3.1a-hp"))
    rows = [{"L": L, "max_rel_error": float(model_gradient_defect(L, rng))}
            for L in depths_for_mode(ctx, range(2, 7), range(2, 5))]
    return Evidence("high-precision", all(r["max_rel_error"] < EQ29_TOLERANCE for r in rows),
                    {"digits": 50, "tolerance": float(EQ29_TOLERANCE), "depths": rows})


def search_cases(ctx):
    """``(L, eta, w*, starts)`` of the Newton search: d = 2 (factorial design) and d = 1 cases per mode."""
    if ctx.quick:
        return [(2, "0.5", ["1", "-0.1"], 400), (3, "0.5", ["1"], 400)]
    if ctx.thorough:
        cases = []
        for L in (2, 3, 4, 5):
            cases.append((L, "0.5", ["1.3"], 1500))
            cases.append((L, "0.5", ["1", "-2"], 1500 ** 2))
        return cases
    return [(2, "0.5", ["1", "-2"], 100 ** 2), (3, "0.5", ["1", "-2"], 200 ** 2),
            (4, "0.5", ["-1.5"], 800), (5, "0.5", ["1"], 1200)]


def search_matches_enumeration(L, eta, wstar, starts, seed, digits=40):
    """Run the independent Newton search and match it with the enumeration of Theorem 3.1(b).

    Returns a detail dict: found, enumerated, unmatched (found but not enumerated),
    missing (enumerated but not found), max balance defect, max gradient norm.
    """
    search = newton_search.search_critical_points(L, eta, wstar, starts=starts, seed=seed, digits=digits,
                                                  design="factorial" if len(wstar) > 1 else "random")
    per_coordinate = [enumeration.coordinate_critical_points(L, eta, w, digits=digits) for w in wstar]
    tol = mpmath.mpf(10) ** (-(digits // 2))
    matched, unmatched, balance_defect = set(), 0, mpmath.mpf(0)
    for P in search.points:
        key = []
        for h in range(len(wstar)):
            column = list(P[:, h])
            balance_defect = max([balance_defect] + [abs(abs(column[l + 1]) - abs(column[l])) for l in range(L - 1)])
            indices = [i for i, p in enumerate(per_coordinate[h])
                       if max(abs(x - y) for x, y in zip(column, p.w_mp)) < tol]
            key.append(indices[0] if indices else None)
        if None in key:
            unmatched += 1
        else:
            matched.add(tuple(key))
    n_enumerated = int(np.prod([len(p) for p in per_coordinate]))
    return {"L": L, "eta": eta, "wstar": wstar, "starts": search.starts, "converged_starts": search.converged,
            "seed": seed, "found": len(search.points), "enumerated": n_enumerated, "matched": len(matched),
            "unmatched": unmatched, "missing": n_enumerated - len(matched),
            "max_balance_defect": float(balance_defect), "max_gradient": float(max(search.gradient_norms, default=0)),
            "match_tolerance": float(tol)}


@theorem_3_1a.method("high-precision", "newton-search-finds-only-balanced-enumerated-points")
def newton_search_finds_only_balanced_points(ctx):
    rows = [search_matches_enumeration(L, eta, wstar, starts, ctx.seed_for(f"search-{L}-{wstar}"))
            for L, eta, wstar, starts in search_cases(ctx)]
    ok = all(r["unmatched"] == 0 and r["missing"] == 0 and r["max_balance_defect"] < 1e-25 for r in rows)
    return Evidence("high-precision", ok, {"cases": rows, "digits": 40,
                    "note": "float64 Newton / saddle-free Newton from random starts, polished at 40 digits"})


# --- negative controls -------------------------------------------------------------

@theorem_3_1a.method("negative-control", "wrong-eq29-and-eq28-variants")
def wrong_eq29_and_eq28_controls(ctx):
    rng = np.random.default_rng(ctx.seed_for("3.1a-neg"))
    variants, near_misses = [], []
    for name, wrong_form, distance in [
            ("factor 2.1 instead of 2", {"factor": sp.Rational(21, 10)}, "factor x 1.05"),
            ("factor 1.9 instead of 2", {"factor": sp.Rational(19, 10)}, "factor x 0.95"),
            ("eta^2.1 instead of eta^2", {"eta_power": sp.Rational(21, 10)}, "exponent x 1.05"),
            ("product over k not in {l,l+1} dropped", {"drop_product": True}, "structural"),
            ("sign flipped", {"factor": -2}, "factor x -1")]:
        held = [L for L in range(2, 6) if eq29_holds(L, **wrong_form)]
        defect = model_gradient_defect(3, rng, **wrong_form)
        variants.append({"name": name, "rejected": len(held) < 4 and defect >= EQ29_TOLERANCE, "held_for_L": held,
                         "max_rel_defect_on_model_gradients": float(defect), "distance_from_boundary": distance})
    near_factor = 2 * (1 + sp.Float("1e-45", 60))
    defect = model_gradient_defect(3, rng, factor=near_factor)
    near_misses.append({"name": "factor 2 (1 + 1e-45): the 50-digit check on the model's gradients accepts it",
                        "passed": defect < EQ29_TOLERANCE, "max_rel_defect_on_model_gradients": float(defect),
                        "distance_from_boundary": "relative 1e-45, below the tolerance 1e-40"})
    variants.append({"name": "eq 28 without transposes (W_{l+1} G_{l+1} - G_l W_l)",
                     "rejected": not eq28_holds(2, 2, transpose_side=False), "distance_from_boundary": "structural"})
    # "critical points satisfy W_{l+1} = W_l" (no squares), at the points an independent Newton search finds
    search = newton_search.search_critical_points(3, "0.5", ["1"], starts=200, seed=ctx.seed_for("3.1a-neg/search"),
                                                  digits=30)
    equal = all(all(abs(P[l + 1, 0] - P[l, 0]) < 1e-20 for l in range(2)) for P in search.points)
    squares = all(all(abs(P[l + 1, 0] ** 2 - P[l, 0] ** 2) < 1e-20 for l in range(2)) for P in search.points)
    variants.append({"name": "W_{l+1} = W_l at critical points (instead of squares)", "rejected": not equal,
                     "points_found": len(search.points), "distance_from_boundary": "signs dropped"})
    near_misses.append({"name": "W_{l+1}^2 = W_l^2 at the same points", "passed": squares,
                        "points_found": len(search.points), "distance_from_boundary": "the claim itself"})
    return boundary_control_evidence(variants, near_misses)
