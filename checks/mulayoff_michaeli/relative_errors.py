"""The verdict of a table of relative errors against one tolerance (Mulayoff & Michaeli's high-precision checks)."""
from __future__ import annotations

__all__ = ["rows_within_tolerance"]


def rows_within_tolerance(rows: list, rtol: float) -> tuple:
    """``(passed, detail)``: passed iff every row's ``relative_error`` is at most ``rtol`` (a NaN fails);
    ``detail`` holds the rows and the tolerance."""
    return all(row["relative_error"] <= rtol for row in rows), {"rows": rows, "tolerance": rtol}
