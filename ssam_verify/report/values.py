"""Values in the report: scalars for humans, tables of records, and the walk over an evidence detail."""
from __future__ import annotations

import json

__all__ = ["format_value", "is_record_list", "columns", "cell", "detail_items"]


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
    return isinstance(v, list) and v and all(isinstance(x, dict) for x in v)


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
        return format_value(v)
    if isinstance(v, list) and all(is_scalar(x) for x in v):
        s = "[" + ", ".join(format_value(x) for x in v[:12]) + (", ..." if len(v) > 12 else "") + "]"
    else:
        s = json.dumps(v, default=str)
    return s if len(s) <= limit else s[: limit - 3] + "..."


def detail_items(detail: dict):
    """Walk an evidence ``detail``: yields ``(kind, key, value)`` with kind ``"traceback"``
    (a traceback string), ``"table"`` (a list of records), ``"nested"`` (a dict) or ``"value"``.

    Both renderers (Markdown and HTML) walk details this way, so they show the same things.
    """
    for key, value in detail.items():
        if key == "traceback" and isinstance(value, str):
            yield "traceback", key, value
        elif is_record_list(value):
            yield "table", key, value
        elif isinstance(value, dict):
            yield "nested", key, value
        else:
            yield "value", key, value
