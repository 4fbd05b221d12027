"""Benchmarks for Section 4: compiled kernels against the best NumPy peers, as ratios in one run.

Run: ``python benchmarks/bench_dynamics.py [--json PATH] [--quick]``.  Nothing is asserted
(speed is measured, never a test); every ratio compares two programs timed in the same
process, each the best of three runs, after the machine report and its limits.

1. **GD on ``L_R``** (eq 18), ``L = 4, d = 100``, ``10^5`` steps: the numba kernel
   (``engine="numba"``) against (a) a competent vectorised NumPy loop as a researcher writes
   it (the gradient from ``cumprod`` products excluding one layer, about 15 array operations a
   step) and (b) the suite's own NumPy reference (in place, preallocated, ~20 calls a step).
   Target: at least 30x (a).
2. **S-SAM** (eq 6), 100 runs x ``10^4`` steps, ``L = 4, d = 100``: the numba engine (noise
   drawn in a background thread while the kernel steps, on the other core) against drawing the
   same ``4 x 10^8`` normals and the sample indices alone on one core, and against the NumPy
   reference (batched over runs).  Target: within 1.2x of the drawing time.
3. **Gradient flow** (eq 12), ``L = 4``, 3 runs of ``d = 2``, ``T = 60``, DOP853 at ``rtol 1e-12``:
   compiled vector field against the NumPy one (same solver).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import best_of, copy_bandwidth, machine_report, normal_throughput  # noqa: E402


def researcher_gd(W0, wstar, eta, steps, step):
    """GD on ``L_R`` as a competent researcher writes it in vectorised NumPy (the peer of the kernel)."""
    W = W0.copy()
    for _ in range(steps):
        Q = W * W + eta * eta
        ones = np.ones((1, W.shape[1]))
        w_excl = (np.cumprod(np.vstack([ones, W[:-1]]), axis=0)
                  * np.cumprod(np.vstack([W[1:], ones])[::-1], axis=0)[::-1])
        q_excl = (np.cumprod(np.vstack([ones, Q[:-1]]), axis=0)
                  * np.cumprod(np.vstack([Q[1:], ones])[::-1], axis=0)[::-1])
        W -= step * (2 * W * q_excl - 2 * wstar * w_excl)
    return W


def bench_gd(steps=100_000, L=4, d=100):
    from numeric.dynamics.deterministic import gradient_descent

    rng = np.random.default_rng(0)
    W0, wstar = rng.normal(size=(L, d)) * 0.5, rng.normal(size=d)
    run = lambda engine, n: gradient_descent(W0, wstar, 0.5, n, 1e-3, record_every=n, engine=engine)  # noqa: E731
    run("numba", 10)  # compile (cached on disk afterwards)
    check = np.max(np.abs(researcher_gd(W0, wstar, 0.5, 200, 1e-3) - run("numba", 200).weights[-1, 0]))
    kernel = best_of(lambda: run("numba", steps))
    peer_steps = max(steps // 10, 1000)
    researcher = best_of(lambda: researcher_gd(W0, wstar, 0.5, peer_steps, 1e-3)) * steps / peer_steps
    reference = best_of(lambda: run("numpy", peer_steps)) * steps / peer_steps
    return {"steps": steps, "L": L, "d": d, "numba_s": kernel, "researcher_numpy_s": researcher,
            "reference_numpy_s": reference, "ratio_vs_researcher_numpy": researcher / kernel,
            "ratio_vs_reference_numpy": reference / kernel, "target_ratio": 30,
            "peers_agree_after_200_steps": float(check), "ns_per_coordinate_step": kernel / steps / d * 1e9}


def bench_ssam(steps=10_000, runs=100, L=4, d=100, block=256):
    from numeric import data
    from numeric.dynamics.stochastic import stochastic_descent

    rng = np.random.default_rng(0)
    wstar = rng.normal(size=d)
    X, Y = data.whitened_data(4 * d, wstar, seed=0)
    W0 = rng.normal(size=(L, d)) * 0.5
    run = lambda engine, n: stochastic_descent(W0, X, Y, 0.3, n, 1e-3, seeds=runs, seed=1,  # noqa: E731
                                               record_every=n, engine=engine)
    run("numba", 50)

    def draw_only():
        g = np.random.Generator(np.random.SFC64(np.random.SeedSequence(1)))
        normals = np.empty((block, L, runs, d))
        for _ in range(-(-steps // block)):
            g.integers(0, X.shape[0], size=(block, runs))
            g.standard_normal(out=normals)

    kernel = best_of(lambda: run("numba", steps))
    drawing = best_of(draw_only)
    reference_steps = max(steps // 10, 256)
    reference = best_of(lambda: run("numpy", reference_steps), 2) * steps / reference_steps
    normals = steps * runs * L * d
    return {"steps": steps, "runs": runs, "L": L, "d": d, "numba_s": kernel, "draw_noise_one_core_s": drawing,
            "ratio_to_drawing": kernel / drawing, "target_ratio_at_most": 1.2, "reference_numpy_s": reference,
            "ratio_vs_reference_numpy": reference / kernel, "normals": normals,
            "normals_per_s_while_stepping": normals / kernel}


def bench_flow(L=4):
    from numeric.dynamics.flows import gradient_flow

    rng = np.random.default_rng(1)
    W0, wstar = rng.normal(size=(3, L, 2)) * 0.9, np.array([1.4, -0.9])
    times = np.concatenate([[0.0], np.geomspace(1e-3, 60, 40)])
    run = lambda engine: gradient_flow(W0, wstar, 0.8, times, energy=True, engine=engine)  # noqa: E731
    run("numba")
    kernel, reference = best_of(lambda: run("numba")), best_of(lambda: run("numpy"))
    return {"L": L, "runs": 3, "d": 2, "numba_s": kernel, "reference_numpy_s": reference,
            "ratio_vs_reference_numpy": reference / kernel, "rhs_evaluations": run("numba").info["nfev"]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", help="write the numbers to this JSON file")
    p.add_argument("--quick", action="store_true", help="10x fewer steps (smoke run)")
    args = p.parse_args(argv)
    k = 10 if args.quick else 1
    out = {"machine": machine_report(),
           "limits": {"normals_per_s_one_core": normal_throughput(), "copy_bytes_per_s": copy_bandwidth()},
           "gd": bench_gd(100_000 // k), "ssam": bench_ssam(10_000 // k), "flow": bench_flow()}
    for name, r in out.items():
        print(f"{name}: " + ", ".join(f"{key}={val:.4g}" if isinstance(val, float) else f"{key}={val}"
                                      for key, val in r.items()))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return out


if __name__ == "__main__":
    main()
