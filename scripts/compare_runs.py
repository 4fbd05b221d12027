"""Compare two ``ssam-verify run --json`` files, timing fields aside.

Used when code moves: save the JSON of a few seeded runs before, run the same
commands after, and check that verdicts and numbers are identical::

    python scripts/compare_runs.py before.json after.json

Claims are matched by id and evidence by ``(method, name)``, so a changed order of
claims or of a claim's methods is not a difference.  ``--claims id,..`` compares only
those claims (for a run restricted with ``run --claims``).  Exits 0 when the two agree
exactly on every field except timings (``seconds``), 1 otherwise, printing each
differing path (at most 50).
"""
from __future__ import annotations

import json
import sys

TIMING_KEYS = {"seconds"}


def differences(a, b, path="$"):
    """Yield ``(path, a, b)`` for every leaf where ``a`` and ``b`` differ (timing keys skipped)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k in TIMING_KEYS:
                continue
            if k not in a or k not in b:
                yield f"{path}.{k}", a.get(k, "<missing>"), b.get(k, "<missing>")
            else:
                yield from differences(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}[len]", len(a), len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield path, a, b


def _keyed(run: dict, only=None) -> dict:
    """The run with claims keyed by id and each claim's evidence keyed by (method, name)."""
    claims = {}
    for c in run.get("claims", []):
        if only is not None and c["id"] not in only:
            continue
        evidence = {}
        for e in c.get("evidence", []):
            key = f"{e.get('method')}|{e.get('name')}"
            while key in evidence:  # duplicate names keep their order
                key += "'"
            evidence[key] = e
        claims[c["id"]] = dict(c, evidence=evidence)
    out = dict(run, claims=claims)
    if only is not None:
        out.pop("summary", None)
    return out


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    only = None
    if "--claims" in argv:
        i = argv.index("--claims")
        only = set(argv[i + 1].split(","))
        del argv[i:i + 2]
    if len(argv) != 2:
        print("usage: python scripts/compare_runs.py BEFORE.json AFTER.json [--claims id,..]", file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        before = json.load(f)
    with open(argv[1]) as f:
        after = json.load(f)
    if isinstance(before, dict) and "claims" in before:
        before, after = _keyed(before, only), _keyed(after, only)
    diffs = list(differences(before, after))
    for path, x, y in diffs[:50]:
        print(f"{path}: {str(x)[:120]!s} != {str(y)[:120]!s}")
    print(f"{len(diffs)} difference(s) between {argv[0]} and {argv[1]} (timings aside)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
