"""Parsing of command-line numbers, with errors that name the argument.

One grammar for every number on the command line: ASCII decimal literals
``[+-]digits[.digits][e[+-]digits]`` (``1``, ``-0.5``, ``.25``, ``3e-4``), nothing
else.  Python's ``float`` and ``int`` also accept Unicode digits (``'٣'`` is 3),
underscores (``'1_0'``) and surrounding whitespace of any kind; a command line
that reads ``٠.5`` as 0.5 misleads, so they are refused.  ``inf`` and ``nan`` are
recognised only to say that a number must be finite.  A literal has at most
:data:`MAX_NUMBER_CHARS` characters (so Python's 4300-digit limit on integer
conversion is never reached and never leaks into a message); a list at most
:data:`MAX_LIST_ENTRIES` entries.
"""
from __future__ import annotations

import argparse
import math
import re
from decimal import Decimal, InvalidOperation

__all__ = ["parse_float", "parse_int", "parse_vector", "parse_matrix", "parse_decimal", "parse_claim_ids",
           "int_argument", "float_argument", "MAX_NUMBER_CHARS", "MAX_LIST_ENTRIES", "NUMBER_PATTERN"]

#: The longest literal accepted (digits, sign, point and exponent together).
MAX_NUMBER_CHARS = 400
#: The most entries of a comma-separated list or of a matrix (all rows together).
MAX_LIST_ENTRIES = 100_000
#: An ASCII decimal literal: optional sign, digits with an optional point, optional exponent.
NUMBER_PATTERN = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_INTEGER_PATTERN = re.compile(r"[+-]?[0-9]+(?:[eE]\+?[0-9]+)?\Z")
_NON_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)\Z", re.IGNORECASE)


def _show(text, limit: int = 40) -> str:
    """``repr`` of ``text``, shortened to ``limit`` characters for an error message."""
    s = str(text)
    return repr(s) if len(s) <= limit else repr(s[:limit]) + f"... ({len(s)} characters)"


def _literal(text, name: str, what: str = "a number") -> str:
    """``text`` stripped of ASCII spaces, checked against the grammar; ``ValueError`` naming ``name``."""
    if not isinstance(text, str):
        raise ValueError(f"{name}: expected {what} as text, got {type(text).__name__}")
    s = text.strip(" \t")
    if len(s) > MAX_NUMBER_CHARS:
        raise ValueError(f"{name}: {_show(s)} is too long for {what} (at most {MAX_NUMBER_CHARS} characters)")
    if _NON_FINITE.match(s):
        raise ValueError(f"{name} must be finite, got {_show(s)}")
    if not NUMBER_PATTERN.match(s):
        example = "12 or 1e6" if what == "an integer" else "-0.5 or 1e-3"
        raise ValueError(f"{name}: cannot parse {_show(s)} as {what} (ASCII digits, e.g. {example})")
    return s


def parse_float(text: str, name: str) -> float:
    """A finite float64 from an ASCII decimal literal, or ``ValueError`` naming ``name``."""
    s = _literal(text, name)
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(f"{name}: {_show(s)} is outside the float64 range (|x| <= 1.8e308)")
    return v


def parse_int(text: str, name: str) -> int:
    """An integer from ASCII digits (``12``, ``-3``) or an exact power form (``1e6``); ``ValueError`` naming ``name``."""
    s = _literal(text, name, "an integer")
    if not _INTEGER_PATTERN.match(s):
        raise ValueError(f"{name}: {_show(s)} is not an integer")
    mantissa, _, exponent = s.lower().partition("e")
    if exponent and int(exponent) > 30:
        raise ValueError(f"{name}: {_show(s)} is too large (at most 10^30)")
    return int(mantissa) * 10 ** int(exponent or 0)


def _argparse_type(parse, name: str, kind: str):
    """An ``argparse`` type calling ``parse(text, name)``, its ``ValueError`` turned into argparse's error path."""

    def convert(text):
        try:
            return parse(text, name)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = f"{name} ({kind})"
    return convert


def int_argument(name: str):
    """An ``argparse`` type for the option ``name``: :func:`parse_int` with argparse's error path."""
    return _argparse_type(parse_int, name, "integer")


def float_argument(name: str):
    """An ``argparse`` type for the option ``name``: :func:`parse_float` with argparse's error path."""
    return _argparse_type(parse_float, name, "number")


def parse_decimal(text: str, name: str, max_exponent: int | None = None) -> Decimal:
    """An exact decimal (never through float), finite, or ``ValueError`` naming ``name``.

    ``max_exponent``: refuse numbers with a decimal exponent outside ``[-max_exponent,
    max_exponent]`` (i.e. ``|x| >= 10^(max_exponent+1)`` or ``0 < |x| < 10^-max_exponent``),
    naming the range: exact arithmetic on such numbers costs time proportional to the exponent.
    """
    s = _literal(text, name)
    try:
        v = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the grammar admits only valid literals
        raise ValueError(f"{name}: cannot parse {_show(s)} as a number") from None
    if max_exponent is not None and v != 0 and abs(v.adjusted()) > max_exponent:
        raise ValueError(f"{name}: {_show(s)} is out of range: |{name}| must lie in "
                         f"[1e-{max_exponent}, 1e{max_exponent + 1})")
    return v


def _split(text, name: str, sep: str, what: str) -> list[str]:
    if not isinstance(text, str):
        raise ValueError(f"{name}: expected {what} as text, got {type(text).__name__}")
    if text.count(",") + text.count(";") >= MAX_LIST_ENTRIES:
        raise ValueError(f"{name}: at most {MAX_LIST_ENTRIES} numbers")
    parts = [p.strip(" \t") for p in text.split(sep)]
    if any(p == "" for p in parts):
        raise ValueError(f"{name}: expected {what}, got {_show(text)} (an empty entry)")
    return parts


def parse_vector(text: str, name: str) -> list[float]:
    """Comma-separated finite numbers, e.g. ``"1,2.5,-3"`` (at most :data:`MAX_LIST_ENTRIES`)."""
    return [parse_float(p, name) for p in _split(text, name, ",", "comma-separated numbers")]


def parse_matrix(text: str, name: str) -> list[list[float]]:
    """Rows separated by ``;``, entries by ``,``; all rows of equal length."""
    rows = [parse_vector(r, name) for r in _split(text, name, ";", 'rows separated by ";"')]
    if len({len(r) for r in rows}) != 1:
        raise ValueError(f"{name}: every row must have the same number of entries, got {[len(r) for r in rows]}")
    return rows


def parse_claim_ids(text: str) -> list[str]:
    """Comma-separated claim ids."""
    ids = [p.strip() for p in str(text).split(",") if p.strip()]
    if not ids:
        raise ValueError("claims: expected comma-separated claim ids")
    return ids
