"""Run many claims, in this process or spread over worker processes.

Every claim draws its randomness from seeds derived from the run's base seed and
the claim's own labels (:meth:`checks.framework.RunContext.seed_for`), never from
shared state, so a claim gives the same numbers whichever process runs it and in
whatever order: ``jobs=2`` and ``jobs=1`` produce identical results (timings aside;
``tests/test_runner.py`` checks it).

:func:`run_false_failure` adds up the claims' false-failure probabilities (union bound): the
probability that a run of true claims reports a failure.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context

from .framework import ClaimResult, Evidence, RunContext, get_claim, registry, run_claim, to_jsonable

__all__ = ["run_claims", "default_jobs", "run_false_failure"]


def default_jobs() -> int:
    """The number of worker processes used by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _init_worker() -> None:
    import warnings

    warnings.simplefilter("ignore", RuntimeWarning)  # as the CLI does in the main process


def _run_in_worker(claim_id: str, ctx: RunContext) -> ClaimResult:
    """Run one claim in a worker; evidence details become plain JSON values (picklable)."""
    result = run_claim(get_claim(claim_id), ctx)
    result.evidence = [Evidence(e.method, bool(e.passed), to_jsonable(e.detail), e.name) for e in result.evidence]
    result.false_failure = to_jsonable(result.false_failure)
    return result


def run_false_failure(results) -> dict:
    """The run's false-failure probability: the union bound over its claims' (:attr:`ClaimResult.false_failure`).

    Returns ``{"probability", "budget", "control_miss_probability", "claims": {id: probability},
    "deterministic": [ids with budget 0], "undeclared": [ids without a budget]}``; ``budget`` is the sum of
    the claims' budgets, ``control_miss_probability`` the sum of their negative controls' miss probabilities
    (type II errors: reported, not part of the false-failure probability).
    """
    per_claim = {r.id: float((r.false_failure or {}).get("probability", 0.0)) for r in results}
    budgets = {r.id: (r.false_failure or {}).get("budget") for r in results}
    return {"probability": float(sum(per_claim.values())),
            "budget": float(sum(b for b in budgets.values() if b is not None)),
            "control_miss_probability": float(sum(float((r.false_failure or {}).get("control_miss_probability", 0.0))
                                                  for r in results)), "claims": per_claim,
            "deterministic": [i for i, b in budgets.items() if b is not None and float(b) == 0],
            "undeclared": [i for i, b in budgets.items() if b is None]}


def run_claims(ids=None, ctx: RunContext | None = None, jobs: int = 1, on_method=None, on_claim=None) -> list:
    """Run the claims ``ids`` (all if ``None``) and return their results in registry (or ``ids``) order.

    ``jobs``: worker processes (1: run here, in order).  ``on_method(claim, name)`` is
    called after each method when ``jobs == 1``; ``on_claim(result)`` after each claim
    (in completion order when ``jobs > 1``).
    """
    ctx = ctx or RunContext()
    claims = registry() if ids is None else [get_claim(i) for i in ids]
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    if jobs == 1 or len(claims) <= 1:
        results = []
        for c in claims:
            results.append(run_claim(c, ctx, on_method=on_method))
            if on_claim is not None:
                on_claim(results[-1])
        return results
    done: dict[str, ClaimResult] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(claims)), mp_context=get_context("spawn"),
                             initializer=_init_worker) as pool:
        futures = [pool.submit(_run_in_worker, c.id, ctx) for c in claims]
        for fut in as_completed(futures):
            result = fut.result()
            done[result.id] = result
            if on_claim is not None:
                on_claim(result)
    return [done[c.id] for c in claims]
