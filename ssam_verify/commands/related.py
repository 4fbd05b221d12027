"""``ssam-verify sharpness`` and ``ssam-verify sgd-threshold``: the related results (seeds 003, 004)."""
from __future__ import annotations

import numpy as np

from numeric import sharpness as sh
from numeric import shrinkage as S
from numeric import stability as st
from numeric.validation import check_int

from ..options import add_command, add_options, read_depth, read_eta, read_weights, read_wstar
from ..output import dump_json, table
from ..parsing import int_argument
from .array_files import load_array

#: Work limits of sgd-threshold (each refused up front, named in the error): n d^3 for dense
#: Hessians (a Lanczos step costs O(n d^3)), n d^2 for rank-one Hessians (O(n d^2)).
MAX_DENSE_WORK = 200_000_000
MAX_RANK_ONE_WORK = 1_000_000_000


def register(sub) -> None:
    p = add_command(sub, "sharpness", cmd_sharpness)
    add_options(p, "depth", "eta", "wstar")
    g = p.add_mutually_exclusive_group(required=True)
    add_options(g, "weights", required={"weights": False})
    g.add_argument("--at", choices=["critical-points"], help="evaluate at the local minima of L_R")
    add_options(p, "json")

    q = add_command(sub, "sgd-threshold", cmd_sgd_threshold)
    given = q.add_mutually_exclusive_group(required=True)
    given.add_argument("--hessians", metavar="FILE",
                       help="per-sample Hessians H_i, shape (n, d, d): FILE.npz (array H, or its only array) "
                            "or FILE.npy")
    given.add_argument("--features", "--gradients", dest="features", metavar="FILE",
                       help="rank-one Hessians H_i = x_i x_i^T from rows x_i, shape (n, d), never forming (n, d, d): "
                            "features of least squares (exact) or per-sample gradients of the model output "
                            "(Gauss-Newton); FILE.npz (array X, or its only array), FILE.npy, or FILE.csv/.txt "
                            "(one sample per row)")
    q.add_argument("--batch", type=int_argument("batch"), required=True, help="batch size B (1 <= B <= n)")
    add_options(q, "json")


#: --at critical-points: at most this many coordinates (up to 2^d minima up to sign patterns are listed)
#: and this depth (each coordinate's points are classified with high-precision Hessians).
MAX_WIDTH_AT_CRITICAL_POINTS = 12
MAX_DEPTH_AT_CRITICAL_POINTS = 32


def _point_row(W, wstar, eta, L):
    """Sharpness of ``L`` and ``L_R``, the minimal sharpness, their ratio and ``tr Hess L`` at ``W``."""
    from numeric import model

    with np.errstate(over="ignore", invalid="ignore"):
        blocks = model.hessian_loss(W, wstar)
        blocks_R = model.hessian_marginalized_loss(W, wstar, eta)
    if not (np.all(np.isfinite(blocks)) and np.all(np.isfinite(blocks_R))):
        raise ValueError("weights/wstar: the Hessian overflows float64 at this point")
    s = float(np.linalg.eigvalsh(blocks)[:, -1].max())
    m = sh.diagonal_minimal_sharpness(wstar, L)
    return {"sharpness": s, "sharpness_LR": float(np.linalg.eigvalsh(blocks_R)[:, -1].max()),
            "minimal_sharpness": m, "ratio": s / m if m > 0 else None,
            "trace": float(np.trace(blocks, axis1=1, axis2=2).sum())}


def _coordinate_minima(L, eta_text, w):
    """The local minima of one coordinate's ``L_R``, one per root (sign patterns share the Hessian):
    ``[(lambda, a, kind)]`` with kind ``minimum`` or ``degenerate minimum`` (degenerate, yet a strict
    local minimum by the reduced-function test, e.g. ``L = 2`` at ``|w*| = tau_2``)."""
    import mpmath

    from numeric import model
    from numeric.critical_points.classification import coordinate_root_kinds, is_degenerate_local_minimum

    roots = S.shrinkage_roots(L, eta_text, abs(w), digits=60)
    out = []
    for root_index, kind, _ in coordinate_root_kinds(L, eta_text, w, digits=60):
        lam, a = (0.0, mpmath.mpf(0)) if root_index < 0 else (float(roots.lambdas[root_index]),
                                                              roots.roots_a[root_index])
        if kind == "degenerate":
            with mpmath.workdps(200):
                eta_mp, w_mp = mpmath.mpf(S.to_fraction(eta_text, "eta").numerator) / S.to_fraction(
                    eta_text, "eta").denominator, mpmath.mpf(w)
                point = [(-1 if (w < 0 and l == 0) else 1) * mpmath.mpf(a) for l in range(L)]

                def value_at(v):
                    return model.marginalized_loss(np.array(v, dtype=object)[:, None], np.array([w_mp], dtype=object),
                                                   eta_mp)

                H = model.hessian_marginalized_loss(np.array(point, dtype=object)[:, None],
                                                    np.array([w_mp], dtype=object), eta_mp)[0]
                if is_degenerate_local_minimum(value_at, H.tolist(), point, digits=60):
                    out.append((lam, float(a), "degenerate minimum"))
        elif kind == "minimum":
            out.append((lam, float(a), "minimum"))
    return out


def _critical_point_rows(L, eta, eta_text, wstar):
    """One row per local minimum of ``L_R`` up to sign patterns (``sign_patterns`` says how many each stands for)."""
    import itertools

    if wstar.size > MAX_WIDTH_AT_CRITICAL_POINTS:
        raise ValueError(f"wstar: at most {MAX_WIDTH_AT_CRITICAL_POINTS} coordinates with --at critical-points "
                         f"(the minima are a product over coordinates: up to 2^d of them), got {wstar.size}")
    if L > MAX_DEPTH_AT_CRITICAL_POINTS:
        raise ValueError(f"depth: at most {MAX_DEPTH_AT_CRITICAL_POINTS} with --at critical-points (each point is "
                         f"classified with high-precision Hessians), got {L}")
    per_coordinate = [_coordinate_minima(L, eta_text, float(w)) for w in wstar]
    rows = []
    for combo in itertools.product(*per_coordinate):
        lambdas = np.array([c[0] for c in combo])
        W = np.ones((L, wstar.size)) * np.array([c[1] for c in combo])[None]
        W[0] *= np.where(wstar < 0, -1.0, 1.0)
        nonzero = int(np.sum(lambdas > 0))
        rows.append({"weights": W.tolist(), "lambdas": lambdas.tolist(),
                     "kinds": [c[2] for c in combo], "degenerate": any(c[2] != "minimum" for c in combo),
                     "sign_patterns": 2 ** ((L - 1) * nonzero), **_point_row(W, wstar, eta, L)})
    return rows


def cmd_sharpness(args) -> int:
    """Sharpness of L (and L_R) of a diagonal network vs the minimal sharpness of minimizers.

    Top Hessian eigenvalue of the loss L (no factor 1/2) of a depth-L diagonal network at given
    weights or at every local minimum of L_R (Theorem 3.1b; degenerate minima included and marked,
    one row per minimum up to sign patterns), against the minimal sharpness 2 L max_h
    |w*_h|^{2-2/L} of L's minimizers (Marion & Chizat).
    """
    L, eta, wstar = read_depth(args), read_eta(args), read_wstar(args)
    if args.weights is not None:
        W = read_weights(args, L, wstar.size)
        out = {"depth": L, "eta": eta, "wstar": wstar.tolist(), **_point_row(W, wstar, eta, L)}
        rows = [out]
    else:
        rows = _critical_point_rows(L, eta, args.eta, wstar)
        out = {"depth": L, "eta": eta, "wstar": wstar.tolist(), "points": rows}
    if args.json:
        dump_json(out)
        return 0
    print(table([[i, f"{r['sharpness']:.10g}", f"{r['sharpness_LR']:.10g}", f"{r['minimal_sharpness']:.10g}",
                  "-" if r["ratio"] is None else f"{r['ratio']:.6f}", f"{r['trace']:.10g}"]
                 + ([", ".join(r["kinds"])] if "kinds" in r else []) for i, r in enumerate(rows)],
                ["point", "sharpness L", "sharpness L_R", "minimal sharpness", "ratio", "trace"]
                + (["kinds"] if rows and "kinds" in rows[0] else [])))
    return 0


def _read_problem(args):
    """The per-sample Hessians of ``--hessians`` or ``--features`` as a validated problem."""
    if args.hessians is not None:
        H = load_array(args.hessians, "hessians", keys=("H", "hessians"), ranks=(3,))
        n, d = H.shape[0], H.shape[-1]
        if n * d ** 3 > MAX_DENSE_WORK:
            raise ValueError(f"hessians: n d^3 = {n * d ** 3} exceeds {MAX_DENSE_WORK} (too slow); for rank-one "
                             "Hessians give the rows x_i with --features")
        kind = "hessians"
        prob_kwargs = {"hessians": H}
    else:
        X = load_array(args.features, "features", keys=("X", "features", "gradients"), ranks=(2,))
        if X.shape[0] * X.shape[1] ** 2 > MAX_RANK_ONE_WORK:
            raise ValueError(f"features: n d^2 = {X.shape[0] * X.shape[1] ** 2} exceeds {MAX_RANK_ONE_WORK} "
                             "(too slow)")
        kind = "features"
        prob_kwargs = {"features": X}
    try:
        return st.problem(**prob_kwargs), kind
    except ValueError as exc:
        message = str(exc)
        raise ValueError(message if message.startswith(kind) else f"{kind}: {message}") from None


def cmd_sgd_threshold(args) -> int:
    """Exact mean-square stability threshold of SGD (Mulayoff & Michaeli, Thm 3).

    alpha* = 2/lambda_max(C^+ D), C = (H (+) H)/2, D = (1-p) H (x) H + p mean H_i (x) H_i, p =
    (n-B)/(B(n-1)), for per-sample Hessians H_i: dense from --hessians (shape (n, d, d)) or rank-one
    H_i = x_i x_i^T from --features (shape (n, d); least squares, or per-sample gradients for the
    Gauss-Newton Hessian), never forming the (n, d, d) stack. When every H_i is zero SGD is stable
    for every step size: no finite threshold (JSON: null).
    """
    prob, kind = _read_problem(args)
    B = check_int(args.batch, "batch", minimum=1, maximum=prob.n)
    r = st.threshold(prob, B)
    nb = st.necessary_bounds(prob, B)

    def finite(x):
        return float(x) if np.isfinite(x) else None

    out = {"threshold": finite(r.threshold), "gd_threshold": finite(r.gd_threshold), "p": r.p, "n": prob.n,
           "d": prob.d, "batch": B, "input": kind, "rank": r.rank, "method": r.method,
           "necessary_bounds": {k: finite(nb[k]) for k in ("top_eigenvector", "trace", "gd")}}
    if out["threshold"] is None:
        out["note"] = "every H_i is zero: SGD is mean-square stable for every step size (no finite threshold)"
    if args.json:
        dump_json(out)
        return 0
    if out["threshold"] is None:
        print(f"no finite threshold: every H_i is zero, so SGD is mean-square stable for every step size "
              f"(n = {prob.n}, d = {prob.d}, B = {B})")
        return 0
    print(table([["threshold alpha*", f"{r.threshold:.12g}"], ["GD threshold 2/lambda_max(H)", f"{r.gd_threshold:.12g}"],
                 ["p", f"{r.p:.12g}"], ["Prop 3 (top eigenvector)", f"{nb['top_eigenvector']:.12g}"],
                 ["Prop 3 (trace)", f"{nb['trace']:.12g}"]], ["quantity", "value"]))
    return 0
