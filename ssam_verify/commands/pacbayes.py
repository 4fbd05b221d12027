"""``ssam-verify pacbayes``: both sides of the PAC-Bayes bound (Lemma 2.3) over many data sets."""
from __future__ import annotations

import numpy as np

from numeric import pacbayes as pb
from numeric.validation import check_int, check_positive

from ..options import add_command, add_options, read_depth, read_eta, read_weights, read_wstar
from ..output import dump_json, table
from ..parsing import int_argument, parse_float, parse_matrix

#: The most numbers the data sets may hold together (draws x n x d: 160 MB of float64).
MAX_DATA_NUMBERS = 20_000_000
#: The most training work, steps x draws x n x d (a few seconds).
MAX_TRAINING_WORK = 2_000_000_000
MAX_TRAINING_STEPS = 100_000


def register(sub) -> None:
    p = add_command(sub, "pacbayes", cmd_pacbayes)
    add_options(p, "depth", "eta", "wstar",
                help={"eta": "prior/posterior standard deviation per weight, eta = sigma (> 0)"})
    g = p.add_mutually_exclusive_group(required=True)
    add_options(g, "weights", required={"weights": False},
                help={"weights": 'fixed weights: L rows (layer 1 first) separated by ";", d numbers each'})
    g.add_argument("--train", choices=("gd", "ssam"), help="learn W on each data set by GD or S-SAM")
    p.add_argument("--n", type=int_argument("n"), required=True,
                   help=f"samples per data set (>= 1; draws x n x d <= {MAX_DATA_NUMBERS:.0e})")
    p.add_argument("--draws", type=int_argument("draws"), required=True,
                   help="number of independent data sets K (>= 1)")
    p.add_argument("--delta", required=True, help="confidence parameter delta in (0, 1)")
    p.add_argument("--beta", required=True, help="tuning parameter beta (> 0), fixed before the data")
    p.add_argument("--noise", default="0.5", help="label noise standard deviation (>= 0, default 0.5)")
    p.add_argument("--inputs", choices=pb.INPUT_KINDS, default="gaussian", help="input law (default gaussian)")
    p.add_argument("--nu", default="5", help="degrees of freedom of student-t inputs (> 4, default 5)")
    p.add_argument("--cov", help='input covariance Sigma, rows separated by ";" (default identity)')
    p.add_argument("--lr", default="0.05", help="learning rate for --train (default 0.05)")
    p.add_argument("--steps", type=int_argument("steps"), default=300,
                   help=f"training steps for --train, 0 to {MAX_TRAINING_STEPS} (default 300)")
    add_options(p, "seed", "json")


def _read_cov(text, d) -> np.ndarray:
    """``--cov``: a symmetric positive definite ``d x d`` matrix (``ValueError`` naming ``cov``)."""
    Sigma = np.array(parse_matrix(text, "cov"))
    if Sigma.shape != (d, d):
        raise ValueError(f"cov: expected a {d} x {d} matrix (d = the length of wstar), got {Sigma.shape[0]} x "
                         f"{Sigma.shape[1]}")
    if not np.allclose(Sigma, Sigma.T, rtol=1e-12, atol=0):
        raise ValueError("cov: the covariance must be symmetric")
    if np.linalg.eigvalsh(Sigma).min() <= 0:
        raise ValueError("cov: the covariance must be positive definite")
    return Sigma


def cmd_pacbayes(args) -> int:
    """Coverage and slack of the PAC-Bayes bound of Lemma 2.3 over many data sets.

    Draw K independent data sets of n samples (E[XX^T] = Sigma, labels <w*,X> + N(0, noise^2)),
    evaluate both sides of Lemma 2.3 for a depth-L diagonal network with prior N(0, eta^2) and
    posterior N(W, eta^2) per weight: E_G L_pop(W+G) <= E_G L_emp(W+G) + (KL +
    log(1/delta))/(beta sqrt n) + beta/(2 sqrt n) E_G E_Z[l^2], KL = ||W||^2/(2 eta^2). W is
    fixed (--weights) or learned on each data set (--train gd|ssam). Reports the violation rate
    with its exact (Clopper-Pearson) 95% upper bound and the slack quantiles.
    """
    L, eta, wstar = read_depth(args), float(read_eta(args)), read_wstar(args)
    d = wstar.shape[0]
    n = check_int(args.n, "n", minimum=1)
    draws = check_int(args.draws, "draws", minimum=1)
    if draws * n * d > MAX_DATA_NUMBERS:
        raise ValueError(f"draws: draws x n x width = {draws * n * d} numbers of data; at most {MAX_DATA_NUMBERS} "
                         "(fewer draws or smaller data sets)")
    delta = parse_float(args.delta, "delta")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {args.delta}")
    beta = float(check_positive(parse_float(args.beta, "beta"), "beta"))
    noise = float(check_positive(parse_float(args.noise, "noise"), "noise", allow_zero=True))
    nu = parse_float(args.nu, "nu")
    Sigma = None if args.cov is None else _read_cov(args.cov, d)
    kw = dict(wstar=wstar, depth=L, sigma=eta, n=n, draws=draws, delta=delta, beta=beta, Sigma=Sigma,
              noise=noise, inputs=args.inputs, nu=nu, seed=args.seed)
    if args.weights is not None:
        kw["weights"] = read_weights(args, L, d)
    else:
        steps = check_int(args.steps, "steps", minimum=0, maximum=MAX_TRAINING_STEPS)
        if steps * draws * n * d > MAX_TRAINING_WORK:
            raise ValueError(f"steps: steps x draws x n x width = {steps * draws * n * d}; at most "
                             f"{MAX_TRAINING_WORK} (fewer steps or draws)")
        lr = float(check_positive(parse_float(args.lr, "lr"), "lr"))
        kw.update(train_method=args.train, lr=lr, steps=steps)
    sim = pb.simulate_bound(**kw)
    s = pb.coverage_summary(sim, alpha=0.05)
    out = {
        "depth": L, "width": d, "eta": eta, "n": n, "draws": draws, "delta": delta, "beta": beta,
        "inputs": args.inputs, "weights": sim["weights"], "seed": args.seed,
        "bound": s["bound_median"], "population_loss": s["population_loss_median"],
        "empirical_loss": s["empirical_median"], "kl": s["kl_median"], "second_moment": s["second_moment_median"],
        "complexity_term": s["complexity_term_median"], "variance_term": s["variance_term_median"],
        "violations": s["violations"], "violation_rate": s["violation_rate"],
        "violation_upper_95": s["violation_upper_95"], "slack_quantiles": s["slack_quantiles"],
        "best_beta_in_hindsight": s["best_beta_median"], "bound_at_best_beta": s["bound_at_best_beta_median"],
        "note": "bound, losses and terms are medians over the draws; best beta in hindsight is not a valid choice",
    }
    if args.json:
        dump_json(out)
        return 0
    keys = ("bound", "population_loss", "empirical_loss", "kl", "second_moment", "complexity_term",
            "variance_term", "violation_rate", "violation_upper_95", "best_beta_in_hindsight", "bound_at_best_beta")
    rows = [[k, f"{out[k]:.6g}"] for k in keys]
    rows += [[f"slack {q}", f"{v:.6g}"] for q, v in out["slack_quantiles"].items()]
    print(table(rows, ["quantity (median over draws)", "value"]))
    return 0
