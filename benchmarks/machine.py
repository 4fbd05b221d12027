"""The machine a benchmark ran on, its thread settings, and its physical limits.

Every benchmark prints :func:`machine_report` first, so its ratios come with the
CPU, the core count, the library versions and the thread settings they were
measured under, and compares itself with the limits measured here:

* :func:`normal_throughput`: standard normals per second that NumPy's generator
  (``SFC64``, the one the simulators use) draws on one core;
* :func:`copy_bandwidth`: bytes per second of a large ``np.copyto`` (read + write),
  the memory bandwidth a streaming kernel can hope for.
"""
from __future__ import annotations

import os
import platform
import time

import numpy as np

__all__ = ["machine_report", "normal_throughput", "copy_bandwidth", "timed", "best_of"]


def timed(fn):
    """``(result, wall seconds)`` of ``fn()``."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def best_of(fn, repeats: int = 3) -> float:
    """The smallest wall time of ``repeats`` calls of ``fn()`` (the least disturbed by other load)."""
    return min(timed(fn)[1] for _ in range(repeats))


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_report() -> dict:
    """CPU, cores, load, versions and thread settings, as a dict (printed by the benchmarks)."""
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    try:
        import numba

        versions["numba"] = numba.__version__
        threads = {"numba_threads": numba.config.NUMBA_NUM_THREADS}
    except ImportError:
        threads = {"numba_threads": None}
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        threads[name] = os.environ.get(name, "unset")
    try:
        from threadpoolctl import threadpool_info

        threads["blas"] = [f"{p.get('internal_api')} x{p.get('num_threads')}" for p in threadpool_info()]
    except ImportError:
        threads["blas"] = "threadpoolctl not installed"
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "load_average_1min": os.getloadavg()[0],
            "platform": platform.platform(), "versions": versions, "threads": threads}


def normal_throughput(count: int = 40_000_000, chunk: int = 1_000_000) -> float:
    """Standard normals per second drawn by ``Generator(SFC64)`` on one core (into a reused buffer)."""
    rng = np.random.Generator(np.random.SFC64(0))
    buffer = np.empty(chunk)

    def draw():
        for _ in range(count // chunk):
            rng.standard_normal(out=buffer)

    return count / best_of(draw)


def copy_bandwidth(size_bytes: int = 400_000_000) -> float:
    """Bytes moved per second (read plus write) by ``np.copyto`` of a ``size_bytes`` array."""
    source = np.ones(size_bytes // 8)
    target = np.empty_like(source)
    return 2 * size_bytes / best_of(lambda: np.copyto(target, source))
