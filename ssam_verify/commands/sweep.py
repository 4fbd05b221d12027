"""``ssam-verify sweep``: parameter sweeps on Dask, a tidy Parquet table and a phase diagram."""
from __future__ import annotations

import sys
import time

from ..options import add_command, add_options
from ..output import dump_json, table
from ..parsing import float_argument, int_argument

__all__ = ["register"]

#: The most steps one run of a point may take, and the most runs per point.
MAX_STEPS = 10_000_000
MAX_RUNS = 10_000

_OPTION_FLAGS = {  # option -> (flag, type, help)
    "init": ("--init-scale", "float", "start scale s: W_1 = 1.5 s |w*|^(1/L), W_l = s |w*|^(1/L) (gd, ssam; default 1)"),
    "tol": ("--tol", "float", "gd: stop when ||grad L_R|| <= tol (default 1e-10)"),
    "max_steps": ("--max-steps", "int", "gd: at most this many steps (default 200000)"),
    "steps": ("--steps", "int", "ssam: steps per run (default 20000)"),
    "runs": ("--runs", "int", "ssam: independent runs per point (default 8)"),
    "schedule": ("--schedule", "str", "ssam: constant, harmonic or power step sizes (default harmonic)"),
    "decay_start": ("--decay-start", "int", "ssam: k0 of the harmonic schedule a k0/(k+k0) (default 2000)"),
    "samples": ("--samples", "int", "ssam: whitened data points n (default 16)"),
}


def register(sub) -> None:
    from ..sweep.quantities import QUANTITIES

    p = add_command(sub, "sweep", cmd_sweep, epilog=(
        "Example: ssam-verify sweep gd --depth 2,3,4 --eta 0.05:1:20 --wstar 0.05:2:20 --out output/sweep-gd"))
    p.add_argument("quantity", choices=list(QUANTITIES), help="what to compute at each point: shrinkage "
                   "(certified landscape), gd (GD on L_R to convergence), ssam (S-SAM runs)")
    p.add_argument("--depth", default="2,3,4", help="depths L, a list of integers >= 2 (default 2,3,4)")
    p.add_argument("--eta", default="0.05:1:20",
                   help="noise levels: a list, start:stop:count or start:stop:count:log (default 0.05:1:20)")
    p.add_argument("--wstar", default="0.05:2:20", help="targets |w*| (> 0), same forms (default 0.05:2:20)")
    p.add_argument("--step-size", default="0.01", help="step sizes (gd, ssam), same forms (default 0.01)")
    p.add_argument("--design", choices=("grid", "random"), default="grid",
                   help="grid: every combination; random: --points points drawn in the ranges (default grid)")
    p.add_argument("--points", type=int_argument("points"), help="number of points of a random design")
    add_options(p, "seed", help={"seed": "seed of the sweep: point i uses SeedSequence([seed, i]) (default 0)"})
    p.add_argument("--out", metavar="DIR", help="output folder (default output/sweep-QUANTITY)")
    p.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of an existing Dask scheduler, e.g. tcp://host:8786 (default: an embedded "
                        "LocalCluster)")
    p.add_argument("--workers", type=int_argument("workers"), help="workers of the embedded LocalCluster (default: one per CPU)")
    p.add_argument("--chunk-size", type=int_argument("chunk-size"), help="points per task (default: about 8 tasks per worker)")
    for flag, kind, text in _OPTION_FLAGS.values():  # numbers through the one grammar (no Unicode digits, no inf)
        name = flag.lstrip("-")
        convert = {"int": int_argument(name), "float": float_argument(name), "str": str}[kind]
        p.add_argument(flag, type=convert, help=text)
    add_options(p, "json", help={"json": "print a JSON summary (paths, counts, seconds) instead of a table"})
    p.add_argument("--no-plot", action="store_true", help="do not draw the phase diagram")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def _options(args, quantity: str) -> dict:
    from numeric.validation import check_int, check_positive

    from ..sweep.quantities import DEFAULT_OPTIONS

    given = {key: getattr(args, flag.lstrip("-").replace("-", "_"))
             for key, (flag, _, _) in _OPTION_FLAGS.items()}
    given = {k: v for k, v in given.items() if v is not None}
    unknown = sorted(_OPTION_FLAGS[k][0] for k in given if k not in DEFAULT_OPTIONS[quantity])
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not an option of the {quantity} sweep")
    for key in ("max_steps", "steps"):
        if key in given:
            check_int(given[key], _OPTION_FLAGS[key][0].lstrip("-"), minimum=1, maximum=MAX_STEPS)
    if "runs" in given:
        check_int(given["runs"], "runs", minimum=1, maximum=MAX_RUNS)
    if "samples" in given:
        check_int(given["samples"], "samples", minimum=1, maximum=100_000)
    if "decay_start" in given:
        check_int(given["decay_start"], "decay-start", minimum=1)
    for key in ("init", "tol"):
        if key in given:
            check_positive(given[key], _OPTION_FLAGS[key][0].lstrip("-"))
    if "schedule" in given and given["schedule"] not in ("constant", "harmonic", "power"):
        raise ValueError(f"schedule must be constant, harmonic or power, got {given['schedule']!r}")
    return given


def _design(args, quantity: str):
    from numeric.validation import check_int

    from ..sweep.design import SweepDesign, parse_axis

    axes = [parse_axis("depth", args.depth, integer=True, minimum=2),
            parse_axis("eta", args.eta, positive=True),
            parse_axis("wstar", args.wstar, positive=True)]
    if quantity != "shrinkage":
        axes.append(parse_axis("step_size", args.step_size, positive=True))
    for value in axes[0].values:
        check_int(value, "depth", minimum=2, maximum=64)
    if args.design == "random" and args.points is None:
        raise ValueError("points: a random design needs --points N")
    if args.design == "grid" and args.points is not None:
        raise ValueError("points: only a random design takes --points")
    seed = check_int(args.seed, "seed", minimum=0, maximum=2**63 - 1)
    return SweepDesign(tuple(axes), args.design, args.points or 0, seed)


def _progress_printer(quiet: bool):
    """A progress bar on a terminal, a line every 5 s otherwise, nothing with ``--quiet``."""
    if quiet:
        return None, lambda: None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="point", file=sys.stderr, leave=False)

        def update(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()

        return update, bar.close
    last = [0.0]

    def line(done, total):
        now = time.monotonic()
        if now - last[0] >= 5 or done == total:
            last[0] = now
            print(f"sweep: {done}/{total} points", file=sys.stderr, flush=True)

    return line, lambda: None


def cmd_sweep(args) -> int:
    """Sweep a landscape quantity or a simulation over a grid of parameters, on Dask.

    Each point of the design (depth L, noise level eta, target |w*|, step size) is computed
    on one coordinate: 'shrinkage' gives the certified threshold tau_L(eta) and shrinkage
    factors (Theorem 3.1b); 'gd' runs GD on L_R to convergence; 'ssam' runs S-SAM. Tasks run on
    an embedded Dask LocalCluster (one worker per CPU) or on an existing cluster (--scheduler).
    Results are written to DIR/parts as Parquet, one part per finished task, so an interrupted
    sweep loses nothing and --resume finishes it; at the end DIR/table.parquet holds every row
    (sorted by point) and DIR/phase-diagram.png the final shrinkage factor over (eta, |w*|) per
    depth with the threshold curve |w*| = tau_L(eta) of eq 14. The same seed gives the same
    table whatever the number of workers.
    """
    from numeric.validation import check_int

    from ..sweep.phase_diagram import draw_phase_diagram
    from ..sweep.runner import run_sweep, sweep_spec

    design = _design(args, args.quantity)
    spec = sweep_spec(args.quantity, design, _options(args, args.quantity))
    if args.workers is not None:
        if args.scheduler:
            raise ValueError("workers: --workers sizes the embedded cluster; not with --scheduler")
        check_int(args.workers, "workers", minimum=1, maximum=256)
    if args.chunk_size is not None:
        check_int(args.chunk_size, "chunk-size", minimum=1, maximum=100_000)
    if args.out is not None and not args.out.strip():  # '' is refused, not read as "the default folder"
        raise ValueError("out: the path is empty; give a folder name")
    out = args.out if args.out is not None else f"output/sweep-{args.quantity}"
    update, close = _progress_printer(args.quiet or args.json)
    try:
        result = run_sweep(spec, out, scheduler=args.scheduler, workers=args.workers, resume=args.resume,
                           chunk_size=args.chunk_size, progress=update)
    except KeyboardInterrupt:
        close()
        print(f"ssam-verify: interrupted; the finished points are kept in {out} (continue with --resume)",
              file=sys.stderr)
        return 130
    close()
    figure = None
    if not args.no_plot:
        figure = draw_phase_diagram(result.rows, args.quantity, result.directory / "phase-diagram.png",
                                    grid=design.kind == "grid")[0]
    summary = {"quantity": args.quantity, "directory": str(result.directory), "table": str(result.table_path),
               "phase_diagram": str(figure) if figure else None, "points": result.points,
               "computed": result.computed, "skipped": result.skipped, "seconds": round(result.seconds, 3),
               "scheduler": result.scheduler, "workers": result.workers, "seed": design.seed}
    if args.json:
        dump_json(summary)
        return 0
    print(table([[k, v] for k, v in summary.items()], ["sweep", "value"]))
    return 0
