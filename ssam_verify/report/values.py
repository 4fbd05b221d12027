"""Values in the report: scalars for humans, and an evidence ``detail`` turned into tables.

:func:`evidence_tables` walks a detail dict once and returns what both renderers
(Markdown and HTML) show, so they show the same things, always as tables:

* the scalars (numbers, strings, short lists), nested dicts flattened into
  ``parent / child`` names, as one two-column table (quantity, value);
* a list of records (negative-control variants, cases) as a table of its own;
* a dict of records (``{"E L(W+G) = L_R": {"samples": ..}, ..}``: one row per
  entry) as a table of its own, the entry's name in the first column;
* a traceback as preformatted text.
"""
from __future__ import annotations

import json

__all__ = ["format_value", "is_scalar", "is_record_list", "columns", "cell", "evidence_tables", "Table"]


def format_value(v) -> str:
    """A scalar for humans: floats to 6 significant digits, booleans as yes/no."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v != v:
            return "nan"
        if v == 0 or 1e-4 <= abs(v) < 1e6:
            return f"{v:.6g}"
        return f"{v:.4e}"
    if isinstance(v, int):
        return str(v)
    return str(v)


def is_scalar(v) -> bool:
    """``None``, a bool, a number or a string."""
    return v is None or isinstance(v, (bool, int, float, str))


def is_record_list(v) -> bool:
    """A non-empty list of dicts (e.g. negative-control variants): shown as a table."""
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _is_record_dict(v) -> bool:
    """A non-empty dict whose values are all dicts (one row per key): shown as a table."""
    return isinstance(v, dict) and bool(v) and all(isinstance(x, dict) and x for x in v.values())


def columns(records) -> list:
    """The keys of ``records`` in first-seen order: the table's columns."""
    cols = []
    for r in records:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols


def cell(v, limit=120) -> str:
    """One table cell: a formatted scalar, a short list, or JSON, cut to ``limit`` characters."""
    if is_scalar(v):
        s = format_value(v)
    elif isinstance(v, list) and all(is_scalar(x) for x in v):
        s = "[" + ", ".join(format_value(x) for x in v[:12]) + (", ..." if len(v) > 12 else "") + "]"
    else:
        s = json.dumps(v, default=str)
    return s if len(s) <= limit else s[: limit - 3] + "..."


class Table:
    """One table of an evidence: ``title`` (``""`` for the quantities table), ``headers``, ``rows`` of strings."""

    def __init__(self, title: str, headers: list, rows: list):
        self.title, self.headers, self.rows = title, headers, rows

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Table({self.title!r}, {self.headers!r}, {len(self.rows)} rows)"


def evidence_tables(detail: dict, limit: int = 300) -> tuple:
    """``(tables, tracebacks)`` for an evidence ``detail`` (see the module docstring).

    The first table, if any, is the quantities table (title ``""``, headers
    ``["quantity", "value"]``); the others are record tables titled by their key.
    """
    scalars, tables, tracebacks = [], [], []

    def walk(d: dict, prefix: str) -> None:
        for key, value in d.items():
            name = f"{prefix}{key}"
            if key == "traceback" and isinstance(value, str):
                tracebacks.append(value)
            elif is_record_list(value):
                cols = columns(value)
                tables.append(Table(name, cols, [[cell(r.get(c, "")) for c in cols] for r in value]))
            elif _is_record_dict(value) and all(is_scalar(x) or isinstance(x, list)
                                                for sub in value.values() for x in sub.values()):
                cols = columns(list(value.values()))
                tables.append(Table(name, [""] + cols,
                                    [[str(k)] + [cell(sub.get(c, "")) for c in cols] for k, sub in value.items()]))
            elif isinstance(value, dict) and value:
                walk(value, f"{name} / ")
            else:
                scalars.append([name, cell(value, limit)])

    walk(detail, "")
    if scalars:
        tables.insert(0, Table("", ["quantity", "value"], scalars))
    return tables, tracebacks
