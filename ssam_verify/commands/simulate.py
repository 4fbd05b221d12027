"""``ssam-verify simulate``: run the dynamics of Section 4 from a given start."""
from __future__ import annotations

import numpy as np

from numeric import data
from numeric import dynamics as dy
from numeric.validation import check_int, check_positive

from ..options import add_command, add_options, read_depth, read_eta, read_weights, read_wstar
from ..output import dump_json, table
from ..parsing import parse_float

ALGORITHMS = ("gradient-flow", "gradient-flow-unregularized", "gd", "sgd", "ssam", "projected-ssam")


def register(sub) -> None:
    p = add_command(sub, "simulate", cmd_simulate, epilog='Example: ssam-verify simulate --algorithm gd --depth 2 --eta 0.5 --wstar 3.14159 --init "0.2;2.5" --steps 2000 --step-size 0.01 --json')
    p.add_argument("--algorithm", required=True, choices=ALGORITHMS, help="which dynamics")
    add_options(p, "depth", "eta", "wstar", "init",
                help={"eta": "S-SAM noise level eta (> 0; sgd and unregularized flow use it only in L_R)"})
    length = p.add_mutually_exclusive_group(required=True)
    length.add_argument("--time", help="final time T of a gradient flow")
    length.add_argument("--steps", type=int, help="number of steps of a recursion")
    p.add_argument("--step-size", default="0.01", help="step size a (default 0.01)")
    p.add_argument("--schedule", default="constant", choices=dy.SCHEDULES,
                   help="constant: a; harmonic: a k0/(k+k0); power: a (k0/(k+k0))^p (default constant)")
    p.add_argument("--decay-start", type=int, default=1000, help="k0 of the harmonic/power schedules (default 1000)")
    p.add_argument("--power", default="1.0", help="p of the power schedule, 0.5 < p <= 1 (default 1)")
    p.add_argument("--radius", help="projection radius r of projected S-SAM (default: 1.5 x the radius of Theorem 4.4)")
    p.add_argument("--seeds", type=int, default=1, help="independent runs of a stochastic algorithm, batched (default 1)")
    add_options(p, "seed", help={"seed": "random seed (data and noise; default 0)"})
    p.add_argument("--samples", type=int, help="number of whitened data points n (default max(4d, 10))")
    p.add_argument("--record-every", type=int, help="record every k steps (default: about 100 records)")
    p.add_argument("--records", type=int, default=101, help="number of recorded times of a flow (default 101)")
    add_options(p, "json", "plot",
                help={"plot": "write a log-scale plot of the balancing gaps against the theoretical bound to PATH"})


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
    seeds = check_int(args.seeds, "seeds", minimum=1)
    flow = args.algorithm.startswith("gradient-flow")
    if flow and args.time is None:
        raise ValueError("time: a gradient flow needs --time T (not --steps)")
    if not flow and args.steps is None:
        raise ValueError("steps: a recursion needs --steps N (not --time)")
    a = float(check_positive(parse_float(args.step_size, "step-size"), "step-size"))
    power = parse_float(args.power, "power")
    info = {"algorithm": args.algorithm, "depth": L, "width": d, "eta": eta, "wstar": wstar}
    alphas = None
    if flow:
        T = float(check_positive(parse_float(args.time, "time"), "time"))
        n_rec = check_int(args.records, "records", minimum=2)
        times = np.linspace(0.0, T, n_rec)
        tr = dy.gradient_flow(W0, wstar, eta, times, regularized=args.algorithm == "gradient-flow")
    else:
        steps = check_int(args.steps, "steps", minimum=1)
        every = args.record_every if args.record_every is not None else max(1, steps // 100)
        every = check_int(every, "record-every", minimum=1)
        alphas = dy.step_sizes(steps, a, args.schedule, args.decay_start, power)
        info.update({"step_size": a, "schedule": args.schedule, "decay_start": args.decay_start, "power": power})
        if args.algorithm == "gd":
            tr = dy.gradient_descent(W0, wstar, eta, steps, a, args.schedule, args.decay_start, power,
                                     record_every=every, progress=True)
        else:
            n = args.samples if args.samples is not None else max(4 * d, 10)
            n = check_int(n, "samples", minimum=d)
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
                                       wstar=wstar, progress=True)
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
    if np.all(np.isfinite(final)):
        cps = [nearest_critical_point(W, eta, wstar) for W in final_all]
        cp, dist = nearest_critical_point(final, eta, wstar)
        out["nearest_critical_point"] = {"lambdas": cp.lambdas, "distance": dist, "kind": cp.kind,
                                         "value": cp.value, "weights": cp.weights}
        if len(cps) > 1:
            out["nearest_critical_point"]["distances_all"] = [c[1] for c in cps]
    else:
        out["nearest_critical_point"] = None
        out["diverged"] = True
    if args.plot:
        _plot(args.plot, args, L, eta, wstar, W0, tr, alphas, mean["balancing_gap"])
        out["plot"] = args.plot
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
    if ncp:
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
    fig.savefig(path)
    plt.close(fig)
