"""``ssam-verify sharpness`` and ``ssam-verify sgd-threshold``: the related results (seeds 003, 004)."""
from __future__ import annotations

import numpy as np

from numeric import sharpness as sh
from numeric import stability as st
from numeric.validation import check_int

from ..options import add_command, add_options, read_depth, read_eta, read_weights, read_wstar
from ..output import dump_json, table


def register(sub) -> None:
    p = add_command(sub, "sharpness", cmd_sharpness)
    add_options(p, "depth", "eta", "wstar")
    g = p.add_mutually_exclusive_group(required=True)
    add_options(g, "weights", required={"weights": False})
    g.add_argument("--at", choices=["critical-points"], help="evaluate at the local minima of L_R")
    add_options(p, "json")

    q = add_command(sub, "sgd-threshold", cmd_sgd_threshold)
    q.add_argument("--hessians", required=True, help="FILE.npz holding an array H of shape (n, d, d)")
    q.add_argument("--batch", type=int, required=True, help="batch size B (1 <= B <= n)")
    add_options(q, "json")


def _point_row(W, wstar, eta, L):
    s = sh.diagonal_sharpness(W, wstar)
    m = sh.diagonal_minimal_sharpness(wstar, L)
    H = sh.diagonal_hessian(W, wstar)
    return {"sharpness": s, "sharpness_LR": sh.diagonal_sharpness(W, wstar, eta=eta), "minimal_sharpness": m,
            "ratio": s / m, "trace": float(np.trace(H))}


def cmd_sharpness(args) -> int:
    """Sharpness of L (and L_R) of a diagonal network vs the minimal sharpness of minimizers.

    Top Hessian eigenvalue of the loss L (no factor 1/2) of a depth-L diagonal network at given
    weights or at every stable critical point of L_R (Theorem 3.1b), against the minimal
    sharpness 2 L max_h |w*_h|^{2-2/L} of L's minimizers (Marion & Chizat).
    """
    L, eta, wstar = read_depth(args), read_eta(args), read_wstar(args)
    if args.weights is not None:
        W = read_weights(args, L, wstar.size)
        out = {"depth": L, "eta": eta, "wstar": wstar.tolist(), **_point_row(W, wstar, eta, L)}
        rows = [out]
    else:
        from numeric import critical_points as cpm

        pts = [q for q in cpm.critical_points(L, eta, wstar) if q.kind == "minimum"]
        rows = [{"weights": q.weights.tolist(), "lambdas": q.lambdas.tolist(), **_point_row(q.weights, wstar, eta, L)}
                for q in pts]
        out = {"depth": L, "eta": eta, "wstar": wstar.tolist(), "points": rows}
    if args.json:
        dump_json(out)
        return 0
    print(table([[i, f"{r['sharpness']:.10g}", f"{r['sharpness_LR']:.10g}", f"{r['minimal_sharpness']:.10g}",
                  f"{r['ratio']:.6f}", f"{r['trace']:.10g}"] for i, r in enumerate(rows)],
                ["point", "sharpness L", "sharpness L_R", "minimal sharpness", "ratio", "trace"]))
    return 0


def cmd_sgd_threshold(args) -> int:
    """Exact mean-square stability threshold of SGD (Mulayoff & Michaeli, Thm 3).

    alpha* = 2/lambda_max(C^+ D), C = (H (+) H)/2, D = (1-p) H (x) H + p mean H_i (x) H_i, p =
    (n-B)/(B(n-1)), for per-sample Hessians H_i read from FILE.npz (array H, shape (n, d, d)).
    """
    try:
        f = np.load(args.hessians, allow_pickle=False)
    except (OSError, EOFError, ValueError) as exc:
        reason = "not a NumPy .npz/.npy file" if isinstance(exc, ValueError) else exc
        raise ValueError(f"hessians: cannot read {args.hessians}: {reason}") from None
    if not isinstance(f, np.lib.npyio.NpzFile):
        raise ValueError(f"hessians: {args.hessians} must be an .npz archive holding an array H of shape (n, d, d)")
    with f:
        if "H" not in f:
            raise ValueError(f"hessians: {args.hessians} has no array named H")
        H = np.array(f["H"])
    prob = st.problem(hessians=H)
    B = check_int(args.batch, "batch", minimum=1, maximum=prob.n)
    r = st.threshold(prob, B)
    nb = st.necessary_bounds(prob, B)
    out = {"threshold": r.threshold, "gd_threshold": r.gd_threshold, "p": r.p, "n": prob.n, "d": prob.d,
           "batch": B, "method": r.method,
           "necessary_bounds": {"top_eigenvector": nb["top_eigenvector"], "trace": nb["trace"], "gd": nb["gd"]}}
    if args.json:
        dump_json(out)
        return 0
    print(table([["threshold alpha*", f"{r.threshold:.12g}"], ["GD threshold 2/lambda_max(H)", f"{r.gd_threshold:.12g}"],
                 ["p", f"{r.p:.12g}"], ["Prop 3 (top eigenvector)", f"{nb['top_eigenvector']:.12g}"],
                 ["Prop 3 (trace)", f"{nb['trace']:.12g}"]], ["quantity", "value"]))
    return 0
