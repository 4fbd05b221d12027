"""The command-line options every command shares, declared once.

A command declares itself with :func:`add_command` and takes shared options by name
with :func:`add_options`; it reads them back, validated, with the ``read_*``
functions.  So ``--depth`` means the same thing, with the same help and the same
error message, in every command::

    p = add_command(sub, "evaluate", cmd_evaluate)   # help and description: cmd_evaluate's docstring
    add_options(p, "depth", "eta", "wstar", "weights", "json")
    ...
    L, eta, wstar = read_depth(args), read_eta(args), read_wstar(args)
    W = read_weights(args, L, wstar.size)

The shared options (name: flag):

========  ===============  =====================================================
name      flag             meaning
========  ===============  =====================================================
depth     ``--depth L``    number of layers (>= 2), required
eta       ``--eta E``      noise level (> 0), required, parsed as a float
wstar     ``--wstar W``    the target ``w*``, comma-separated, required
weights   ``--weights W``  a point: ``L`` rows (layer 1 first) separated by ``;``
init      ``--init W``     a start ``W(0)``, same format as ``--weights``
seed      ``--seed S``     the random seed (0 <= S < 2^32, default 0)
json      ``--json``       print JSON instead of a table
plot      ``--plot PATH``  also write a PNG (SVG alongside) to ``PATH`` (``.png``)
digits    ``--digits N``   significant digits of high-precision output (default 50)
quiet     ``--quiet``      no progress output on stderr
========  ===============  =====================================================

Numbers follow one grammar (:mod:`ssam_verify.parsing`): ASCII decimal literals; a
negative number may follow its option directly (``--wstar -0.5,1``).

A command adapts a help text with ``help={"eta": "..."}`` and makes an option
optional (e.g. inside a mutually exclusive group) with ``required={"weights": False}``.
"""
from __future__ import annotations

import inspect

import numpy as np

from numeric.validation import check_depth, check_eta

from .output import check_output_file
from .parsing import int_argument, parse_float, parse_matrix, parse_vector

__all__ = ["SHARED_OPTIONS", "SEED_MAX", "add_command", "add_options", "read_depth", "read_eta", "read_wstar",
           "read_weights", "read_plot"]

#: The largest seed: seeds are 32-bit (``checks.framework.RunContext.seed_for`` reduces modulo 2^32,
#: so a larger seed would silently repeat a smaller one).
SEED_MAX = 2**32 - 1

_ROWS_HELP = 'L rows (layer 1 first) separated by ";", each with d comma-separated numbers'

#: name -> (flags, keyword arguments of ``argparse.ArgumentParser.add_argument``)
SHARED_OPTIONS: dict[str, tuple[tuple[str, ...], dict]] = {
    "depth": (("--depth",), {"type": int_argument("depth"), "required": True, "help": "number of layers L (>= 2)"}),
    "eta": (("--eta",), {"required": True, "help": "S-SAM noise level eta (> 0)"}),
    "wstar": (("--wstar",), {"required": True, "help": 'true parameter w*, comma-separated, e.g. "1.5,-0.2"'}),
    "weights": (("--weights",), {"required": True, "help": f"weights: {_ROWS_HELP}"}),
    "init": (("--init",), {"required": True, "help": f"start W(0): {_ROWS_HELP}"}),
    "seed": (("--seed",), {"type": int_argument("seed"), "default": 0,
                           "help": f"random seed, 0 <= S <= {SEED_MAX} (default 0)"}),
    "json": (("--json",), {"action": "store_true", "help": "print JSON"}),
    "plot": (("--plot",), {"metavar": "PATH", "help": "also write a plot to PATH (PNG; SVG alongside)"}),
    "digits": (("--digits",), {"type": int_argument("digits"), "default": 50,
                               "help": "significant digits (default 50)"}),
    "quiet": (("--quiet",), {"action": "store_true", "help": "no progress output on stderr"}),
}


def add_command(sub, name: str, func, epilog: str | None = None):
    """Add the sub-command ``name`` running ``func(args)``; returns its parser.

    The command documents itself: the first line of ``func``'s docstring is its one-line
    help in ``ssam-verify --help``, the rest its description in ``ssam-verify NAME --help``.
    """
    doc = inspect.cleandoc(func.__doc__ or "")
    first, _, rest = doc.partition("\n\n")
    if not first or not rest:  # a programming error: every command documents itself
        raise ValueError(f"{func.__name__}: needs a docstring with a summary line and a description")
    summary = " ".join(first.split()).rstrip(".")
    parser = sub.add_parser(name, help=summary[0].lower() + summary[1:], description=" ".join(rest.split()),
                            epilog=epilog)
    parser.set_defaults(func=func)
    return parser


def add_options(target, *names: str, help: dict | None = None, required: dict | None = None) -> None:
    """Add the shared options ``names`` (keys of :data:`SHARED_OPTIONS`) to a parser or group.

    ``help`` and ``required`` map option names to a command's own help text or
    requiredness; everything else is as declared in :data:`SHARED_OPTIONS`.
    """
    help = help or {}
    required = required or {}
    unknown = set(names) - set(SHARED_OPTIONS)
    if unknown:  # a programming error, not user input
        raise KeyError(f"unknown shared option(s) {sorted(unknown)}; known: {sorted(SHARED_OPTIONS)}")
    for name in names:
        flags, kwargs = SHARED_OPTIONS[name]
        kwargs = dict(kwargs)
        if name in help:
            kwargs["help"] = help[name]
        if name in required:
            kwargs["required"] = required[name]
        target.add_argument(*flags, **kwargs)


def read_depth(args) -> int:
    """``--depth`` as a validated int (``>= 2``)."""
    return check_depth(args.depth)


def read_eta(args) -> float:
    """``--eta`` as a validated float (``> 0``, finite)."""
    return check_eta(parse_float(args.eta, "eta"))


def read_wstar(args, max_width: int | None = None, why: str = "") -> np.ndarray:
    """``--wstar`` as a float vector; with ``max_width``, at most that many coordinates (``why`` says why)."""
    wstar = np.array(parse_vector(args.wstar, "wstar"))
    if max_width is not None and wstar.size > max_width:
        raise ValueError(f"wstar: at most {max_width} coordinates here{why and ' (' + why + ')'}, got {wstar.size}")
    return wstar


def read_plot(args) -> str | None:
    """``--plot`` checked before any work: a writable file name ending in ``.png`` (``None`` if not given)."""
    if args.plot is None:
        return None
    check_output_file(args.plot, "plot", suffix=".png")
    return args.plot


def read_weights(args, depth: int, width: int, name: str = "weights") -> np.ndarray:
    """``--weights`` (or ``--init`` with ``name="init"``) as an array of shape ``(depth, width)``.

    The error names the option and says which shape was expected: ``depth`` rows,
    each with ``width`` entries (the length of ``--wstar``).
    """
    W = np.array(parse_matrix(getattr(args, name), name))
    if W.shape[0] != depth:
        raise ValueError(f"{name}: expected {depth} rows (the depth), got {W.shape[0]}")
    if W.shape[1] != width:
        raise ValueError(f"{name}: each row must have {width} entries (the length of wstar), got {W.shape[1]}")
    return W
