"""checks.runner: claims run side by side give the same numbers as claims run in order."""
import json

from checks import runner
from checks.framework import RunContext


def _numbers(results):
    out = []
    for r in results:
        d = r.to_json()
        d.pop("seconds")
        for e in d["evidence"]:
            e["detail"].pop("seconds", None)
        out.append(json.dumps(d, sort_keys=True))
    return out


def test_parallel_run_equals_serial_run():
    ids = ["theorem-3.1c", "ssam-sharpness", "lemma-3.2"]
    ctx = RunContext(seed=5, quick=True)
    serial = runner.run_claims(ids, ctx, jobs=1)
    finished = []
    parallel = runner.run_claims(ids, ctx, jobs=2, on_claim=lambda r: finished.append(r.id))
    assert [r.id for r in parallel] == ids and sorted(finished) == sorted(ids)
    assert _numbers(parallel) == _numbers(serial)
    assert all(r.verdict == "pass" for r in parallel)


def test_default_jobs_is_positive():
    assert runner.default_jobs() >= 1
