"""Benchmark: SGD mean-square threshold (Mulayoff & Michaeli, Thm 3) by the structured operator route.

Run: ``PYTHONPATH=. python benchmarks/bench_stability.py``.  Prints the time for
n = 1000 rank-one H_i = x_i x_i^T in d = 300 (the dense d^2 x d^2 route would need
d^4 * 8 bytes = 65 GB per matrix), and at d = 30 the time and agreement against the
dense Kronecker route.

BLAS threads: on the shared 2-core machine OpenBLAS with 2 threads is slowed down
badly by contention (a 300 x 300 ``eigh`` went from 0.02 s to 3 s; the dense route
at d = 30 from 2 s to 26 s).  Like the ``ssam-verify`` command line, the script
therefore defaults to one BLAS thread (``OPENBLAS_NUM_THREADS=1`` etc., set before
NumPy loads); set the variable to override.  It prints the setting.
"""
from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from numeric.stability import closed_form  # noqa: E402


def bench(n, d, B, seed=0, dense=False):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    t0 = time.perf_counter()
    r = closed_form.threshold(X, B, method="lanczos")
    t1 = time.perf_counter()
    out = {"n": n, "d": d, "B": B, "threshold": r.threshold, "gd_threshold": r.gd_threshold,
           "structured_seconds": t1 - t0, "dense_route_bytes": 8 * d**4}
    if dense:
        t2 = time.perf_counter()
        a = closed_form.dense_threshold(X, B)
        out["dense_seconds"] = time.perf_counter() - t2
        out["dense_threshold"] = a
        out["relative_difference"] = abs(a - r.threshold) / a
        out["speedup"] = out["dense_seconds"] / out["structured_seconds"]
    return out


if __name__ == "__main__":
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset (all cores)')}")
    for res in (bench(1000, 300, 4), bench(200, 30, 4, dense=True)):
        print(", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in res.items()))
