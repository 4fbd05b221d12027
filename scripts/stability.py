"""Stability of the verdicts over seeds: every claim, quick mode over many seeds and default mode over a few.

    python scripts/stability.py                      # quick over seeds 1..200, default over seeds 1..20
    python scripts/stability.py --quick-seeds 1-5 --default-seeds 1-2 --claims lemma-2.3,sgd-stability
    python scripts/stability.py --workers 2 --markdown stability.md

Each (mode, seed) runs the claims in one worker process (``checks.runner.run_claims``, the code of
``ssam-verify run``); the workers share the machine's cores (``--workers``, default: the CPUs
available).  Every failing or erroring claim is printed as soon as its seed finishes, with the
evidence that failed; a progress line per finished seed goes to stderr; the end prints the counts and the
total time.  Exit status 0 iff no failure.
A claim's declared false-failure probability is at most 1e-6, so any failure here is a bug (or a
far smaller miracle): a verdict that flips with the seed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_seeds(text: str) -> list[int]:
    """``"1-200"``, ``"3,7,11"`` or ``"1-5,9"`` -> sorted seeds; ``""`` -> none."""
    seeds = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "-" in part:
            lo, hi = part.split("-", 1)
            if not (lo.isdigit() and hi.isdigit()) or int(lo) > int(hi):
                raise ValueError(f"seeds: bad range {part!r} (expected like 1-200)")
            seeds.update(range(int(lo), int(hi) + 1))
        elif part.isdigit():
            seeds.add(int(part))
        else:
            raise ValueError(f"seeds: bad seed {part!r} (expected a nonnegative integer)")
    return sorted(seeds)


def _init_worker() -> None:
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)


def run_seed(mode: str, seed: int, ids) -> dict:
    """Run the claims ``ids`` (all if ``None``) at ``seed`` in ``mode`` (quick or default); failures only."""
    from checks.framework import RunContext
    from checks.runner import run_claims

    start = time.perf_counter()
    results = run_claims(ids, RunContext(seed=seed, quick=mode == "quick"), jobs=1)
    failures = [{"claim": r.id, "verdict": r.verdict,
                 "evidence": [f"{e.name}: {e.detail.get('error', 'failed')}"[:160] for e in r.evidence if not e.passed]}
                for r in results if r.verdict != "pass"]
    return {"mode": mode, "seed": seed, "claims": len(results), "failures": failures,
            "seconds": time.perf_counter() - start}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick-seeds", default="1-200", help="seeds of the quick runs (default 1-200)")
    parser.add_argument("--default-seeds", default="1-20", help="seeds of the default runs (default 1-20)")
    parser.add_argument("--claims", default=None, help="comma-separated claim ids (default: every claim)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: the CPUs available)")
    parser.add_argument("--markdown", metavar="PATH", help="also write the summary as Markdown")
    args = parser.parse_args(argv)
    try:
        jobs = [("quick", s) for s in parse_seeds(args.quick_seeds)] + [
            ("default", s) for s in parse_seeds(args.default_seeds)]
    except ValueError as exc:
        print(f"stability.py: error: {exc}", file=sys.stderr)
        return 2
    ids = None if args.claims is None else [c.strip() for c in args.claims.split(",") if c.strip()]
    if ids is not None:
        from checks.framework import get_claim

        try:
            for claim_id in ids:
                get_claim(claim_id)
        except ValueError as exc:
            print(f"stability.py: error: {exc}", file=sys.stderr)
            return 2
    workers = args.workers or len(os.sched_getaffinity(0))
    if workers < 1:
        print("stability.py: error: --workers must be >= 1", file=sys.stderr)
        return 2
    start = time.perf_counter()
    outcomes = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker) as pool:
        futures = [pool.submit(run_seed, mode, seed, ids) for mode, seed in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            out = future.result()
            outcomes.append(out)
            print(f"[{done}/{len(futures)}] {out['mode']} seed {out['seed']}: "
                  f"{len(out['failures'])} failing of {out['claims']} claims, {out['seconds']:.0f} s", file=sys.stderr,
                  flush=True)
            for failure in out["failures"]:
                print(f"FAIL {out['mode']} seed {out['seed']}: {failure['claim']} ({failure['verdict']}): "
                      + "; ".join(failure["evidence"]), flush=True)
    seconds = time.perf_counter() - start
    lines = []
    for mode in ("quick", "default"):
        runs = [o for o in outcomes if o["mode"] == mode]
        if not runs:
            continue
        failed = sorted((o["seed"], f["claim"]) for o in runs for f in o["failures"])
        seeds = sorted(o["seed"] for o in runs)
        lines.append(f"{mode}: {len(runs)} seeds ({seeds[0]}..{seeds[-1]}), {runs[0]['claims']} claims each, "
                     f"{len(failed)} failing claim runs" + (f": {failed}" if failed else "")
                     + f"; {sum(o['seconds'] for o in runs):.0f} s of worker time")
    lines.append(f"total {seconds:.0f} s wall with {workers} workers")
    print("\n".join(lines))
    if args.markdown:
        from ssam_verify.output import atomic_write_text

        atomic_write_text(Path(args.markdown), "\n".join(f"- {line}" for line in lines) + "\n")
    return 0 if all(not o["failures"] for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
