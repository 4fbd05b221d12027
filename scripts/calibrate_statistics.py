"""Calibrate every statistical test of the suite on its real statistic and data-generating process.

For each test: under the null (the claim true), the rejection rate at a raised level (1e-2, >= 2000
repetitions) must not exceed its binomial acceptance region around the rate the check declares (the
level, or for Section 2 the level times its declared Edgeworth inflation); under the stated
alternative (the reported detectable discrepancy, or the boundary control's rate), the rejection rate
must reach the claimed power (0.99).  The machinery is in ``scripts/calibration/core.py``, the rows
of each part of the suite beside it.

Extrapolation to the true per-test level (1e-7 and below): for the z-tests, the relative error of the
normal tail of Student's t statistic grows like ``gamma^2 c^6 / (18 n)`` (two-term Edgeworth;
``gamma`` the draws' skewness, ``c`` the critical value).  Calibrating at the raised level with
``n' = n (c'/c)^6`` draws (``c'`` the raised level's critical value) reproduces the real test's relative
error, so the rate ratio measured at ``(n', 1e-2)`` is the one expected at ``(n, level)``
("matched Edgeworth size").  The exact tests (binomial, empirical Bernstein, median of means) hold at
every level and ``n``; they are calibrated at smaller ``n``.  Student t over a few hundred seeds
(theorem-4.4) is calibrated at its real size from a pool of real runs, with the Edgeworth estimate at
the real level in the note.

    python scripts/calibrate_statistics.py [--size tiny|small|full] [--write docs/statistics.md]

``small`` (about a minute of CPU) covers one case of each kind with >= 2000 repetitions; ``tiny`` is the
same with a quarter of the repetitions (the smoke test of the normal test suite,
``tests/test_stats_calibration.py``); ``full`` (tens of minutes; the slow test) every test.  Seeds are
fixed: the same command gives the same table.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from calibration import beyond, related, section2, section4  # noqa: E402
from calibration.core import LEVEL, SCALE, matched_size, table  # noqa: E402,F401

#: The row builders, in the table's order.
PARTS = (section2.edgeworth_formula_rows, section2.lemma_2_1_rows, section2.lemma_2_2_rows, section2.lemma_2_3_rows,
         section2.coverage_rows, related.bounded_rows, related.median_of_means_rows, beyond.dense_regularizer_rows,
         beyond.nonwhitened_rows, beyond.ssam_stationary_rows, beyond.figure_3_rows, section4.theorem_4_4_rows)


def calibrate(size="small", parts=PARTS) -> tuple[list, float]:
    """All rows of the table and the seconds they took (``size``: tiny, small or full)."""
    SCALE["tiny"] = size == "tiny"
    size = "small" if size == "tiny" else size
    start = time.perf_counter()
    rows = [r for part in parts for r in part(size)]
    return rows, time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=("tiny", "small", "full"), default="small")
    parser.add_argument("--only", metavar="NAMES", help="comma-separated row builders (e.g. lemma_2_2_rows)")
    parser.add_argument("--write", metavar="MARKDOWN", help="replace the calibration table in this file")
    args = parser.parse_args(argv)
    parts = PARTS if not args.only else [p for p in PARTS if p.__name__ in args.only.split(",")]
    rows, seconds = calibrate(args.size, parts)
    text = (f"{table(rows)}\n\n`python scripts/calibrate_statistics.py --size {args.size}`: {seconds:.0f} s "
            f"(measured on 2 shared cores under load)")
    print(text)
    if args.write:
        path = Path(args.write)
        marker = f"<!-- calibration table ({args.size}) -->"
        content = path.read_text()
        pattern = re.compile(re.escape(marker) + r".*?" + re.escape("<!-- end calibration table -->"), re.S)
        content = pattern.sub(lambda _: f"{marker}\n{text}\n<!-- end calibration table -->", content)
        path.write_text(content)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
