"""``ssam-verify notebooks``: generate (and optionally execute) the Jupyter notebooks."""
from __future__ import annotations

import os
import sys
import threading

from ..options import add_command, add_options
from ..output import check_output_dir, table
from ..parsing import float_argument

__all__ = ["register"]


def register(sub) -> None:
    p = add_command(sub, "notebooks", cmd_notebooks)
    p.add_argument("-o", "--output", metavar="DIR",
                   help="output directory (default: notebooks/ of the source checkout; installed "
                        "elsewhere: ./ssam-verify-notebooks)")
    p.add_argument("--execute", action="store_true", help="run each notebook and keep its outputs")
    p.add_argument("--only", metavar="NAME,..", help="comma-separated notebook names, e.g. 02-marginalized-loss")
    p.add_argument("--check", action="store_true", help="only check that DIR holds up-to-date notebooks")
    p.add_argument("--timeout", type=float_argument("timeout"), default=300.0,
                   help="seconds allowed per cell with --execute, 1 to 86400 (default 300)")
    add_options(p, "quiet", help={"quiet": "no progress lines on stderr"})


def _interruptible(run):
    """``run()`` in a worker thread; Ctrl-C prints one line and exits with status 130 at once.

    nbclient, run in the main thread, installs its own SIGINT handler that shuts the kernel down and
    then reports a dead kernel (or, mid-cell, a traceback of the cancelled tasks).  In a worker thread
    it cannot install one, so Ctrl-C reaches the main thread, which exits without waiting for the
    libraries' shutdown.  The kernel (its own session, so the terminal's Ctrl-C never reaches it)
    exits by itself within a second when it sees its parent gone (ipykernel's parent poller).
    Notebooks already written are complete files (written atomically).
    """
    result, error = [], []

    def target():
        try:
            result.append(run())
        except BaseException as exc:  # handed to the main thread
            error.append(exc)

    worker = threading.Thread(target=target, name="ssam-verify-notebooks", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        sys.stdout.flush()
        print("ssam-verify: interrupted", file=sys.stderr, flush=True)
        os._exit(130)
    if error:
        raise error[0]
    return result[0]


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
    if not 1 <= args.timeout <= 86400:
        raise ValueError(f"timeout must be between 1 and 86400 seconds, got {args.timeout:g}")
    if args.output is not None and not args.output.strip():  # '' is refused, not read as "the default folder"
        raise ValueError("output: the path is empty; give a folder name")
    if args.output is not None and not args.check:
        check_output_dir(args.output, "output")
    outdir = args.output if args.output is not None else default_notebook_dir()
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
    def progress(stem, seconds):
        if args.execute and not args.quiet:
            print(f"ssam-verify notebooks: {stem} executed in {seconds:.0f} s", file=sys.stderr, flush=True)

    try:
        written = _interruptible(lambda: write_notebooks(outdir, only, execute=args.execute, timeout=args.timeout,
                                                         progress=progress))
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
