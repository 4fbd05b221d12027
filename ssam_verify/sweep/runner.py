"""Run a sweep on Dask: every task a chunk of points, results written as they arrive.

By default an embedded ``dask.distributed.LocalCluster`` sized to the machine (one
single-threaded worker process per CPU) runs the tasks; ``scheduler="tcp://host:port"``
sends them to a cluster the user already has (``dask scheduler`` / ``dask worker``,
or any deployment), whose workers must be able to import this package.

Each finished task is written as one Parquet part before the next result is
awaited, so an interrupted sweep loses at most the tasks in flight; ``resume=True``
computes only the points the parts do not hold.  The rows depend only on the
sweep's seed and the points' indices (:func:`ssam_verify.sweep.design.point_seed`),
so the final table is the same whatever the number of workers or the order in
which tasks finish (``tests/test_sweep.py`` checks it).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from .design import SweepDesign
from .quantities import DEFAULT_OPTIONS, QUANTITIES, compute_chunk
from .store import SweepStore

__all__ = ["SweepResult", "sweep_spec", "run_sweep", "default_workers"]


def default_workers() -> int:
    """One worker per CPU this process may use."""
    from checks.runner import default_jobs

    return default_jobs()


def sweep_spec(quantity: str, design: SweepDesign, options: dict | None = None) -> dict:
    """The JSON definition of a sweep (what ``spec.json`` holds and ``--resume`` compares)."""
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {', '.join(QUANTITIES)}, got {quantity!r}")
    merged = dict(DEFAULT_OPTIONS[quantity])
    unknown = set(options or {}) - set(merged)
    if unknown:
        raise ValueError(f"options {sorted(unknown)} do not apply to {quantity}; it takes {sorted(merged) or 'none'}")
    merged.update(options or {})
    return {"quantity": quantity, "design": design.to_json(), "options": merged, "format": 1}


@dataclass
class SweepResult:
    """What a sweep did: folder, table path, counts, time, and where it ran."""

    directory: Path
    table_path: Path
    points: int
    computed: int
    skipped: int
    seconds: float
    scheduler: str
    workers: int
    rows: list = field(default_factory=list, repr=False)


def _chunks(points: list, size: int) -> list:
    return [points[i:i + size] for i in range(0, len(points), size)]


def _client(scheduler: str | None, workers: int | None):
    """A ``(client, cluster, description)``: the given scheduler, or an embedded LocalCluster."""
    from dask.distributed import Client, LocalCluster

    for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny",
                 "distributed.core", "distributed.http.proxy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if scheduler:
        try:
            client = Client(scheduler, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"scheduler: cannot connect to {scheduler}: {exc}") from None
        n = len(client.scheduler_info().get("workers", {}))
        return client, None, f"{scheduler} ({n} workers)"
    n = workers or default_workers()
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster, f"embedded LocalCluster ({n} workers)"


def run_sweep(spec: dict, directory, scheduler: str | None = None, workers: int | None = None,
              resume: bool = False, chunk_size: int | None = None, progress=None) -> SweepResult:
    """Run the sweep ``spec`` (:func:`sweep_spec`) into ``directory``; see the module docstring.

    ``progress(done, total)`` is called after every written part.  ``KeyboardInterrupt``
    cancels the tasks in flight; the parts written so far stay (finish with ``resume``).
    """
    from dask.distributed import as_completed

    design_json = spec["design"]
    design = _design_from_json(design_json)
    store = SweepStore(directory)
    finished = store.check(spec, resume)
    todo = [p for p in design.points_table() if p["point"] not in finished]
    total = design.size()
    start = time.perf_counter()
    description, n_workers = "none (nothing left to compute)", 0
    if todo:
        client, cluster, description = _client(scheduler, workers)  # connect before writing anything
    store.prepare(spec)
    if progress is not None:
        progress(len(finished), total)
    if todo:
        n_workers = len(client.scheduler_info().get("workers", {}))
        size = chunk_size or max(1, min(64, len(todo) // (8 * max(1, n_workers)) or 1))
        futures = []
        try:
            futures = [client.submit(compute_chunk, spec["quantity"], chunk, spec["options"], pure=False)
                       for chunk in _chunks(todo, size)]
            done = len(finished)
            for future in as_completed(futures):
                rows = future.result()
                store.write_part(rows)
                done += len(rows)
                if progress is not None:
                    progress(done, total)
        finally:
            for future in futures:
                future.cancel()
            client.close()
            if cluster is not None:
                cluster.close()
    table = store.write_table()
    return SweepResult(store.directory, store.table_path, total, len(todo), len(finished),
                       time.perf_counter() - start, description, n_workers, table.to_pylist())


def _design_from_json(design_json: dict) -> SweepDesign:
    from .design import Axis

    axes = tuple(Axis(a["name"], a["kind"], tuple(a["values"]), a.get("integer", False))
                 for a in design_json["axes"])
    return SweepDesign(axes, design_json["kind"], design_json["points"] if design_json["kind"] == "random" else 0,
                       design_json["seed"])
