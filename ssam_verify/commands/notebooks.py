"""``ssam-verify notebooks``: generate (and optionally execute) the Jupyter notebooks."""
from __future__ import annotations

import sys

from ..options import add_command
from ..output import table

__all__ = ["register"]


def register(sub) -> None:
    p = add_command(sub, "notebooks", cmd_notebooks)
    p.add_argument("-o", "--output", metavar="DIR",
                   help="output directory (default: notebooks/ of the source checkout; installed "
                        "elsewhere: ./ssam-verify-notebooks)")
    p.add_argument("--execute", action="store_true", help="run each notebook and keep its outputs")
    p.add_argument("--only", metavar="NAME,..", help="comma-separated notebook names, e.g. 02-marginalized-loss")
    p.add_argument("--check", action="store_true", help="only check that DIR holds up-to-date notebooks")
    p.add_argument("--timeout", type=float, default=300, help="seconds allowed per cell with --execute (default 300)")


def cmd_notebooks(args) -> int:
    """Generate the Jupyter notebooks (one per part of the paper).

    Generate one Jupyter notebook per part of the paper from ssam_verify.notebook_parts
    (nbformat v4, kernel python3), without outputs. With --execute each notebook is run top to
    bottom on a fresh kernel of this Python first and written with its outputs (commit the
    notebooks generated without --execute). --check only verifies that the notebooks in DIR are
    up to date (exit 1 if not). Example: ssam-verify notebooks --execute -o /tmp/nb
    """
    from ..notebooks import default_notebook_dir, stale_notebooks, write_notebooks

    only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    if args.timeout <= 0:
        raise ValueError(f"--timeout must be > 0 seconds, got {args.timeout}")
    outdir = args.output or default_notebook_dir()
    if args.check:
        if args.execute:
            raise ValueError("--check and --execute exclude each other")
        stale = stale_notebooks(outdir, only)
        for stem, why in stale:
            print(f"{stem}: {why}")
        if stale:
            print("regenerate with: ssam-verify notebooks", file=sys.stderr)
            return 1
        print(f"notebooks in {outdir} are up to date")
        return 0
    try:
        written = write_notebooks(outdir, only, execute=args.execute, timeout=args.timeout)
    except RuntimeError as exc:
        print(f"ssam-verify: error: {exc}", file=sys.stderr)
        return 1
    print(table([[p.name, "executed" if args.execute else "no outputs", f"{s:.1f}"] for p, s in written],
                ["notebook", "outputs", "seconds"]))
    print(f"written to {outdir}")
    if args.execute and args.output is None:
        print("note: these notebooks now carry outputs; run 'ssam-verify notebooks' (without --execute) "
              "before committing them", file=sys.stderr)
    return 0
