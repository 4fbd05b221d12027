"""Benchmarks for Section 4 (issue 4): GD and batched S-SAM throughput.

Run: ``python benchmarks/bench_dynamics.py [--json PATH] [--quick]``.  Prints wall-clock and
CPU (process) seconds on this machine; nothing is asserted (speed is measured, never a test).

1. GD on ``L_R`` (eq 18): 10^5 steps at ``L = 4, d = 100`` (target: under 2 s), and the ratio
   against a plain loop calling :func:`numeric.model.grad_marginalized_loss` every step.
2. S-SAM (eq 6): 10^5 steps x 100 seeds batched at ``L = 4, d = 10`` (target: under 10 s), and the
   ratio against a per-seed Python loop (one seed at a time, same kernel; extrapolated from a
   shorter run).
"""
from __future__ import annotations

import argparse
import json
import time

import numpy as np


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def bench_gd(steps=100_000, L=4, d=100):
    from numeric import model
    from numeric.dynamics.deterministic import gradient_descent

    rng = np.random.default_rng(0)
    W0 = rng.normal(size=(L, d)) * 0.5
    wstar = rng.normal(size=d)
    _, wall, cpu = _timed(lambda: gradient_descent(W0, wstar, 0.5, steps, 1e-3, record_every=steps))
    n_ref = max(steps // 20, 1000)

    def plain():
        W = W0.copy()
        for _ in range(n_ref):
            W -= 1e-3 * model.grad_marginalized_loss(W, wstar, 0.5)
        return W

    _, wall_ref, cpu_ref = _timed(plain)
    per_step_ref = wall_ref / n_ref
    return {"steps": steps, "L": L, "d": d, "wall_s": wall, "cpu_s": cpu,
            "plain_loop_model_grad_s_extrapolated": per_step_ref * steps,
            "speedup_vs_plain_loop": per_step_ref * steps / wall, "target_s": 2.0}


def bench_ssam(steps=100_000, seeds=100, L=4, d=10):
    from numeric import data
    from numeric.dynamics.stochastic import stochastic_descent

    rng = np.random.default_rng(0)
    wstar = rng.normal(size=d)
    X, Y = data.whitened_data(4 * d, wstar, seed=0)
    W0 = rng.normal(size=(L, d)) * 0.5
    _, wall, cpu = _timed(lambda: stochastic_descent(W0, X, Y, 0.3, steps, 1e-3, seeds=seeds, seed=1,
                                                     record_every=steps))
    n_ref = max(steps // 50, 200)
    n_seeds_ref = 5

    def per_seed():
        for s in range(n_seeds_ref):
            stochastic_descent(W0, X, Y, 0.3, n_ref, 1e-3, seeds=1, seed=s, record_every=n_ref)

    _, wall_ref, cpu_ref = _timed(per_seed)
    extrap = wall_ref / (n_ref * n_seeds_ref) * steps * seeds
    return {"steps": steps, "seeds": seeds, "L": L, "d": d, "wall_s": wall, "cpu_s": cpu,
            "per_seed_loop_s_extrapolated": extrap, "speedup_vs_per_seed_loop": extrap / wall,
            "target_s": 10.0}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", help="write the numbers to this JSON file")
    p.add_argument("--quick", action="store_true", help="10x fewer steps (smoke run)")
    args = p.parse_args(argv)
    k = 10 if args.quick else 1
    out = {"gd": bench_gd(100_000 // k), "ssam": bench_ssam(100_000 // k)}
    for name, r in out.items():
        print(f"{name}: " + ", ".join(f"{key}={val:.4g}" if isinstance(val, float) else f"{key}={val}"
                                      for key, val in r.items()))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return out


if __name__ == "__main__":
    main()
