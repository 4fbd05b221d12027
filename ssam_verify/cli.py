"""The ``ssam-verify`` command line.

Subcommands live in :mod:`ssam_verify.commands`, one module each, exposing
``register(subparsers)``; they are discovered at start-up.  Bad input anywhere
prints one line ``ssam-verify: error: ...`` to stderr and exits with status 2,
without a traceback.

BLAS threads: the command line runs one BLAS thread per process unless the
environment says otherwise (``OPENBLAS_NUM_THREADS`` etc. are set to 1 by default,
before NumPy is loaded, and inherited by the claim worker processes and Dask
workers).  The suite loops over many small matrices and runs claims in parallel
processes; extra BLAS threads then only contend (``benchmarks/bench_stability.py``
took 14 s of CPU with OpenBLAS's default threads, 1.8 s with one, on the 2-core
reference machine).  Set e.g. ``OPENBLAS_NUM_THREADS=2`` to override.
"""
from __future__ import annotations

import os

#: Environment variables that cap the threads of the BLAS/OpenMP libraries NumPy and SciPy may load.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                         "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
for _variable in BLAS_THREAD_VARIABLES:  # before NumPy is imported by any command
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import importlib  # noqa: E402
import pkgutil  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

__all__ = ["main", "build_parser", "UsageError"]


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


#: A command-line word that is a number, not an option: "-0.5", "-.5", "-1e-3", "-0.5,1" (a list),
#: "-1,2;3,4" (a matrix), "-inf".  argparse's own test (``^-\d+$|^-\d*\.\d+$``) misses the last
#: four kinds and then reports "expected one argument" for ``--wstar -0.5,1``.
NEGATIVE_NUMBER = re.compile(r"^-(?:[0-9]|\.[0-9]|inf|nan)", re.IGNORECASE)
_REPEATED_NAME = re.compile(r"^argument (?:-{1,2})?([\w-]+): \1(?=[: ])")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER  # no option of ours looks like a number

    def error(self, message):  # one line, exit 2 (argparse prints usage too by default)
        # "argument --depth: depth: ..." (a type function that names its option) -> "depth: ..."
        raise UsageError(_REPEATED_NAME.sub(r"\1", message))


def build_parser() -> argparse.ArgumentParser:
    import ssam_verify.commands as commands

    parser = _Parser(
        prog="ssam-verify",
        description=(
            "Verify, symbolically, at high precision and by Monte Carlo, the lemmas and "
            "theorems on stochastic sharpness-aware minimization (S-SAM) for diagonal "
            "linear networks (Clara, Langer & Schmidt-Hieber, arXiv 2503.11891)."
        ),
        epilog="Run 'ssam-verify COMMAND --help' for the options of one command.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"ssam_verify.commands.{info.name}")
        if hasattr(mod, "register"):
            mod.register(sub)
    return parser


def main(argv=None) -> int:
    from .options import SEED_MAX

    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        seed = getattr(args, "seed", None)
        if isinstance(seed, int) and not 0 <= seed <= SEED_MAX:
            raise UsageError(f"seed must be an integer between 0 and {SEED_MAX} (2^32 - 1), got {seed}")
        with warnings.catch_warnings():
            # overflow and the like are reported as errors by the commands, not as warnings
            warnings.simplefilter("ignore", RuntimeWarning)
            return int(args.func(args) or 0)
    except (UsageError, ValueError) as exc:
        msg = " ".join(str(exc).split())
        print(f"ssam-verify: error: {msg}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a path that cannot be read or written
        what = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"ssam-verify: error: cannot access{what}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ssam-verify: interrupted", file=sys.stderr)
        return 130
    except MemoryError:  # a backstop: commands refuse sizes they cannot hold before allocating
        print("ssam-verify: error: not enough memory for these arguments (use smaller sizes)", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
