"""``ssam-verify figures``: draw the paper's figures and the suite's own as PNG and SVG."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ..options import add_command, add_options
from ..output import check_output_dir, staged_folder, table

__all__ = ["register", "write_figures"]


def register(sub) -> None:
    p = add_command(sub, "figures", cmd_figures)
    p.add_argument("-o", "--output", metavar="DIR", default="figures", help="output directory (default: ./figures)")
    p.add_argument("--only", metavar="NAME,..", help="comma-separated figure names (default: all)")
    add_options(p, "seed", help={"seed": "seed for figures with randomness (default 0)"})
    p.add_argument("--list", action="store_true", help="list the figure names and exit")
    add_options(p, "quiet", help={"quiet": "no 'drawn NAME' lines on stderr"})


def _names(only: str | None, known: dict) -> list:
    if not only:
        return list(known)
    names = [n.strip() for n in only.split(",") if n.strip()]
    if not names:
        raise ValueError("--only: give at least one figure name")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"--only: unknown figure(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return names


def write_figures(outdir, names=None, seed: int = 0, progress=None) -> list:
    """Draw figures ``names`` (default all) into ``outdir``; returns ``[(name, [paths], seconds)]``.

    Each figure is drawn into a staging folder inside ``outdir`` and its files are moved into
    ``outdir`` (atomic renames) once drawn, so an interrupt never leaves a truncated PNG or SVG.
    """
    from ..figures import all_figures

    figs = all_figures()
    names = list(figs) if names is None else names
    outdir = Path(outdir)
    done = []
    for name in names:
        t0 = time.perf_counter()
        with staged_folder(outdir) as stage:
            paths = [outdir / Path(p).relative_to(stage) for p in figs[name](stage, seed=seed)]
        done.append((name, paths, time.perf_counter() - t0))
        if progress is not None:
            progress(name)
    return done


def cmd_figures(args) -> int:
    """Draw every registered figure (PNG and SVG).

    Draw every registered figure (ssam_verify.figures.all_figures(): the paper's Figures 2-3 and
    the suite's section figures) as PNG and SVG into DIR. Example: ssam-verify figures -o
    figures --only regularizer-vs-depth
    """
    from ..figures import all_figures

    figs = all_figures()
    if args.list:
        for name in figs:
            print(name)
        return 0
    names = _names(args.only, figs)
    check_output_dir(args.output, "output")
    done = write_figures(args.output, names, seed=args.seed,
                         progress=None if args.quiet else lambda n: print(f"drawn {n}", file=sys.stderr, flush=True))
    print(table([[n, ", ".join(str(p) for p in ps), f"{s:.1f}"] for n, ps, s in done],
                ["figure", "files", "seconds"]))
    return 0
