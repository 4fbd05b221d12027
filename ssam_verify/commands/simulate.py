"""``ssam-verify simulate``: run the dynamics of Section 4 from a given start."""
from __future__ import annotations

import numpy as np

from numeric import data
from numeric import dynamics as dy
from numeric.validation import check_int, check_positive

from ..options import add_command, add_options, read_depth, read_eta, read_plot, read_weights, read_wstar
from ..output import dump_json, save_figure, table
from ..parsing import int_argument, parse_float

ALGORITHMS = ("gradient-flow", "gradient-flow-unregularized", "gd", "sgd", "ssam", "projected-ssam")

#: Limits that keep a run's time and memory bounded (each refused up front, named in the error).
MAX_STEPS = 10_000_000
MAX_SEEDS = 10_000
MAX_SAMPLES = 1_000_000
MAX_RECORDS = 100_000
#: The most numbers the recorded weights may hold (records x seeds x L x d: 400 MB of float64).
MAX_RECORDED_NUMBERS = 50_000_000
#: The most numbers the data (samples x width) and one step of all runs (seeds x L x d) may hold.
MAX_DATA_NUMBERS = 10_000_000
#: The most "stiffness units" T * M of a flow (M: a bound on the Hessian along it); the explicit
#: solver needs about T * M / 3 steps (about 3 s per 10^5 units, measured under load).
MAX_FLOW_STIFFNESS = 100_000
#: The nearest critical point enumerates 2^(L-1) sign patterns per root of every distinct |w*_h| at high
#: precision (a Hessian of cost ~L^2 each): computed when (distinct w*_h) 2^(L-1) L^2 is at most this.
MAX_CRITICAL_POINT_WORK = 20_000


def register(sub) -> None:
    p = add_command(sub, "simulate", cmd_simulate, epilog='Example: ssam-verify simulate --algorithm gd --depth 2 --eta 0.5 --wstar 3.14159 --init "0.2;2.5" --steps 2000 --step-size 0.01 --json')
    p.add_argument("--algorithm", required=True, choices=ALGORITHMS, help="which dynamics")
    add_options(p, "depth", "eta", "wstar", "init",
                help={"eta": "S-SAM noise level eta (> 0; sgd and unregularized flow use it only in L_R)"})
    length = p.add_mutually_exclusive_group(required=True)
    length.add_argument("--time", help="final time T of a gradient flow")
    length.add_argument("--steps", type=int_argument("steps"), help=f"number of steps of a recursion (<= {MAX_STEPS:.0e})")
    p.add_argument("--step-size", default="0.01", help="step size a (default 0.01)")
    p.add_argument("--schedule", default="constant", choices=dy.SCHEDULES,
                   help="constant: a; harmonic: a k0/(k+k0); power: a (k0/(k+k0))^p (default constant)")
    p.add_argument("--decay-start", type=int_argument("decay-start"), default=1000, help="k0 of the harmonic/power schedules (default 1000)")
    p.add_argument("--power", default="1.0", help="p of the power schedule, 0.5 < p <= 1 (default 1)")
    p.add_argument("--radius", help="projection radius r of projected S-SAM (default: 1.5 x the radius of Theorem 4.4)")
    p.add_argument("--seeds", type=int_argument("seeds"), default=1,
                   help=f"independent runs of a stochastic algorithm, batched, 1 to {MAX_SEEDS} (default 1)")
    add_options(p, "seed", help={"seed": "random seed (data and noise; default 0)"})
    p.add_argument("--samples", type=int_argument("samples"),
                   help=f"number of whitened data points n, d to {MAX_SAMPLES} (default max(4d, 10))")
    p.add_argument("--record-every", type=int_argument("record-every"),
                   help="record every k steps (default: about 100 records)")
    p.add_argument("--records", type=int_argument("records"), default=101,
                   help=f"number of recorded times of a flow, 2 to {MAX_RECORDS} (default 101)")
    add_options(p, "json", "plot", "quiet",
                help={"plot": "write a log-scale plot of the balancing gaps against the theoretical bound to "
                              "PATH (.png; SVG alongside)"})


def _radius_default(L, eta, wstar):
    """1.5 x the radius sqrt(L) ||w*|| / (2 eta^{L-1}) of Theorem 4.4 (derivations.dynamics)."""
    from derivations.dynamics import projection_radius

    r, (_, n, e) = projection_radius(L)
    return 1.5 * float(r.subs({n: float(np.linalg.norm(wstar)), e: eta}))


def _bound_curve(args, L, eta, wstar, W0, times, alphas):
    """Theoretical bound on ||D_l|| / ||D_l(0)||: Theorem 4.1 (flow) or 4.3 (GD, with our C)."""
    if args.algorithm.startswith("gradient-flow"):
        if args.algorithm == "gradient-flow-unregularized":
            return np.ones_like(times), "conserved (eta = 0: the flow of L)"
        return np.exp(-4 * eta ** (2 * (L - 1)) * times), "Theorem 4.1: exp(-4 eta^{2(L-1)} t)"
    from derivations.dynamics import contraction_constant

    C, (c, w, e) = contraction_constant()
    Cv = float(C.subs({c: float(dy.batch_marginalized_loss(W0[None], wstar, eta)[0]),
                       w: float(np.max(np.abs(wstar))), e: eta}))
    first = 1 - 4 * alphas * eta ** (2 * (L - 1))
    factors = first + Cv * alphas ** 2
    idx = np.asarray(times, dtype=int)
    with np.errstate(divide="ignore"):
        if np.all(np.abs(factors) < 1):
            logcum = np.concatenate([[0.0], np.cumsum(np.log(np.abs(factors)))])
            label = "Theorem 4.3: prod_k (1 - 4 alpha_k eta^(2(L-1)) + C alpha_k^2)"
        else:  # C alpha^2 >= 4 alpha eta^(2(L-1)): the bound is vacuous; show the first-order rate
            logcum = np.concatenate([[0.0], np.cumsum(np.log(np.abs(first)))])
            label = "first-order rate prod_k (1 - 4 alpha_k eta^(2(L-1))) (bound with C vacuous here)"
    if args.algorithm != "gd":
        label += " [GD reference]"
    return np.exp(np.maximum(logcum, -700.0))[idx], label


def _flow_stiffness(regularized, L, eta, wstar, W0) -> float:
    """A bound ``M`` on the top Hessian eigenvalue along the flow from ``W0``: its cost is about ``T M``.

    Regularized (the flow of ``L_R``): Theorem 4.2's ``M = (2 + (1+sqrt 2)(L-1)) (L_R(W0) -
    (d-1) eta^{2L}) / eta^2`` on the sublevel set the flow stays in.  Unregularized (the flow
    of ``L``): the flow conserves ``W_l^2 - W_1^2`` per coordinate and keeps ``|w* - pi| <=
    sqrt(L(W0))``, which bounds every ``|W_l|`` by ``B_l``; Gershgorin on ``Hess L = 2 grad pi
    grad pi^T - 2 r Hess pi`` then bounds the eigenvalues by ``max_a sum_b 2 |pi_-a| |pi_-b| +
    2 |r| sum_{b != a} |pi_-ab|``, with ``|pi_-ab| <= prod_k max(B_k, 1)``.
    """
    from numeric import model

    if regularized:
        c = float(model.marginalized_loss(W0, wstar, eta))
        d = W0.shape[1]
        return (2 + (1 + np.sqrt(2)) * (L - 1)) * max(c - (d - 1) * eta ** (2 * L), 0.0) / eta ** 2
    residual = np.sqrt(float(model.loss(W0, wstar)))
    offsets = W0 ** 2 - W0[:1] ** 2  # conserved, per layer and coordinate
    target = (np.abs(wstar) + residual) ** 2  # prod_l W_l^2 <= this along the flow
    lo = np.maximum(0.0, -offsets.min(axis=0))
    hi = lo + np.maximum(target, 1.0) ** (1.0 / L) + 1.0
    for _ in range(200):  # bisection for s: prod_l (s + offset_l) = target (increasing in s >= lo)
        mid = (lo + hi) / 2
        above = np.prod(mid[None] + offsets, axis=0) > target
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    bounds = np.sqrt(np.maximum(hi[None] + offsets, 0.0))  # |W_l| <= bounds[l] along the flow
    others = np.array([np.prod(np.delete(bounds, a, axis=0), axis=0) for a in range(L)])  # |pi_-a| bounds
    pairs = np.prod(np.maximum(bounds, 1.0), axis=0)  # a bound on every |pi_-ab|
    rows = 2 * others * others.sum(axis=0)[None] + 2 * residual * (L - 1) * pairs[None]
    return float(np.max(rows))


def _check_sizes(args, flow, steps, seeds, L, d):
    """Refuse, naming the option and the limit, runs whose memory or time the limits exceed."""
    if flow:
        check_int(args.records, "records", minimum=2, maximum=MAX_RECORDS)
        return
    check_int(steps, "steps", minimum=1, maximum=MAX_STEPS)
    if seeds * L * d > MAX_DATA_NUMBERS:
        raise ValueError(f"seeds: seeds x depth x width = {seeds * L * d} numbers per step; at most {MAX_DATA_NUMBERS}")
    every = args.record_every if args.record_every is not None else max(1, steps // 100)
    every = check_int(every, "record-every", minimum=1)
    recorded = (steps // every + 2) * seeds * L * d
    if recorded > MAX_RECORDED_NUMBERS:
        raise ValueError(f"record-every: {steps // every + 1} records x {seeds} seeds x {L * d} weights = {recorded} "
                         f"numbers to keep; at most {MAX_RECORDED_NUMBERS} (record less often)")
    return every


def cmd_simulate(args) -> int:
    """Simulate gradient flow, GD, SGD, S-SAM or projected S-SAM (Section 4).

    Simulate the training dynamics of Section 4 from one start: the gradient flow of L_R (eq 12)
    or of L, gradient descent on L_R (eq 18), SGD (eq 4), S-SAM (eq 6) or projected S-SAM (eq
    22) on whitened data with labels Y = <w*, X>. Records L, L_R, ||grad L_R|| and the balancing
    gaps ||W_{l+1}^2 - W_l^2||_F (Theorems 4.1, 4.3).
    """
    from numeric.critical_points import nearest_critical_point

    L, eta, wstar = read_depth(args), float(read_eta(args)), read_wstar(args)
    W0 = read_weights(args, L, wstar.size, name="init")
    d = W0.shape[1]
    seeds = check_int(args.seeds, "seeds", minimum=1, maximum=MAX_SEEDS)
    flow = args.algorithm.startswith("gradient-flow")
    if flow and args.time is None:
        raise ValueError("time: a gradient flow needs --time T (not --steps)")
    if not flow and args.steps is None:
        raise ValueError("steps: a recursion needs --steps N (not --time)")
    a = float(check_positive(parse_float(args.step_size, "step-size"), "step-size"))
    power = parse_float(args.power, "power")
    every = _check_sizes(args, flow, args.steps, seeds, L, d)
    plot = read_plot(args)
    info = {"algorithm": args.algorithm, "depth": L, "width": d, "eta": eta, "wstar": wstar}
    alphas = None
    if flow:
        T = float(check_positive(parse_float(args.time, "time"), "time"))
        regularized = args.algorithm == "gradient-flow"
        stiffness = _flow_stiffness(regularized, L, eta, wstar, W0)
        if T * stiffness > MAX_FLOW_STIFFNESS:
            raise ValueError(f"time: T = {T:g} is too long for this start: the flow is stiff (curvature up to "
                             f"M = {stiffness:.3g}) and T M must be <= {MAX_FLOW_STIFFNESS:g}, so T <= "
                             f"{MAX_FLOW_STIFFNESS / stiffness:.3g}; for longer horizons use --algorithm gd "
                             "(gradient descent with step size below 2/M follows the flow)")
        times = np.linspace(0.0, T, args.records)
        tr = dy.gradient_flow(W0, wstar, eta, times, regularized=regularized)
    else:
        steps = args.steps
        alphas = dy.step_sizes(steps, a, args.schedule, args.decay_start, power)
        info.update({"step_size": a, "schedule": args.schedule, "decay_start": args.decay_start, "power": power})
        if args.algorithm == "gd":
            tr = dy.gradient_descent(W0, wstar, eta, steps, a, args.schedule, args.decay_start, power,
                                     record_every=every, progress=not args.quiet)
        else:
            n = args.samples if args.samples is not None else max(4 * d, 10)
            n = check_int(n, "samples", minimum=d, maximum=MAX_SAMPLES)
            if n * d > MAX_DATA_NUMBERS:
                raise ValueError(f"samples: samples x width = {n * d}; at most {MAX_DATA_NUMBERS}")
            X, Y = data.whitened_data(n, wstar, seed=args.seed)
            radius = None
            if args.algorithm == "projected-ssam":
                radius = (float(check_positive(parse_float(args.radius, "radius"), "radius"))
                          if args.radius is not None else _radius_default(L, eta, wstar))
                info["radius"] = radius
            elif args.radius is not None:
                raise ValueError("radius: only projected-ssam uses --radius")
            e = 0.0 if args.algorithm == "sgd" else eta
            tr = dy.stochastic_descent(W0, X, Y, e, steps, a, args.schedule, args.decay_start, power,
                                       seeds=seeds, seed=args.seed, radius=radius, record_every=every,
                                       wstar=wstar, progress=not args.quiet)
            info.update({"seeds": seeds, "seed": args.seed, "samples": n})
    rec = tr.records
    mean = {k: np.nanmean(v, axis=1) for k, v in rec.items() if k in
            ("loss", "marginalized_loss", "grad_norm", "balancing_gap")}
    final_all = tr.weights[-1]  # (K, L, d)
    final = final_all.mean(axis=0)
    out = dict(info)
    out["times" if flow else "steps"] = tr.times
    out.update({k: mean[k] for k in ("balancing_gap", "loss", "marginalized_loss", "grad_norm")})
    out["final_weights"] = final
    if final_all.shape[0] > 1:
        out["final_weights_all"] = final_all
        out["statistics"] = "records are means over seeds; final_weights is the mean final point"
    work = len(set(np.abs(wstar).tolist())) * 2 ** (L - 1) * L * L
    if work > MAX_CRITICAL_POINT_WORK:
        out["nearest_critical_point"] = None
        out["nearest_critical_point_note"] = (f"not computed: (distinct |w*_h|) 2^(L-1) L^2 = {work} exceeds "
                                              f"{MAX_CRITICAL_POINT_WORK} (every sign pattern is enumerated)")
        if not np.all(np.isfinite(final)):
            out["diverged"] = True
    elif np.all(np.isfinite(final)):
        cps = [nearest_critical_point(W, eta, wstar) for W in final_all]
        cp, dist = nearest_critical_point(final, eta, wstar)
        out["nearest_critical_point"] = {"lambdas": cp.lambdas, "distance": dist, "kind": cp.kind,
                                         "value": cp.value, "weights": cp.weights}
        if len(cps) > 1:
            out["nearest_critical_point"]["distances_all"] = [c[1] for c in cps]
    else:
        out["nearest_critical_point"] = None
        out["diverged"] = True
    if plot:
        out["plot"] = _plot(plot, args, L, eta, wstar, W0, tr, alphas, mean["balancing_gap"])
    if args.json:
        dump_json(out)
        return 0
    rows = [[f"{t:g}", f"{lr:.6g}", f"{lo:.6g}", f"{g:.3g}", ", ".join(f"{x:.3g}" for x in gap)]
            for t, lr, lo, g, gap in zip(tr.times, mean["marginalized_loss"], mean["loss"], mean["grad_norm"],
                                          mean["balancing_gap"])]
    if len(rows) > 12:
        rows = rows[:6] + [["..."] * 5] + rows[-5:]
    print(table(rows, ["time" if flow else "step", "L_R", "L", "||grad L_R||", "balancing gaps"]))
    print("final weights (rows = layers" + (", mean over seeds" if final_all.shape[0] > 1 else "") + "):")
    for l, row in enumerate(final, 1):
        print(f"  W_{l}: " + ", ".join(f"{v:.8g}" for v in row))
    ncp = out["nearest_critical_point"]
    if "nearest_critical_point_note" in out:
        print(f"nearest critical point: {out['nearest_critical_point_note']}")
    elif ncp:
        print(f"nearest critical point: distance {ncp['distance']:.3g}, kind {ncp['kind']}, "
              f"lambdas {', '.join(f'{x:.6g}' for x in ncp['lambdas'])}")
    else:
        print("the iterates diverged (step size too large?)")
    return 0


def _plot(path, args, L, eta, wstar, W0, tr, alphas, gaps):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = np.asarray(tr.times, dtype=float)
    bound, label = _bound_curve(args, L, eta, wstar, W0, tr.times, alphas)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for l in range(gaps.shape[1]):
        g = gaps[:, l]
        ax.semilogy(t, np.maximum(g, 1e-300), label=f"||W_{l + 2}^2 - W_{l + 1}^2||_F")
        if g[0] > 0:
            ax.semilogy(t, g[0] * bound, "k--", lw=0.8, label=label if l == 0 else None)
    ax.set_xlabel("time t" if args.algorithm.startswith("gradient-flow") else "step k")
    ax.set_ylabel("balancing gap")
    ax.set_title(f"{args.algorithm}, L={L}, eta={eta:g}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    paths = [str(save_figure(fig, path)), str(save_figure(fig, str(path)[:-4] + ".svg"))]
    plt.close(fig)
    return paths
