"""Benchmarks for Section 2 (issue 2): symbolic derivation speed and Monte Carlo throughput.

Run: ``python benchmarks/bench_marginalized.py [--json PATH]``.  Prints wall-clock numbers on
this machine; nothing here is asserted (speed is measured, never a test).

1. Deriving ``L_R = E[L(W+G)]`` by Gaussian moments and proving eq 7 (``L_R = L + R`` and the
   subset expansion), for every ``L`` in 2..8; and the ratio against ``sympy.stats.E`` on the
   same expectation for ``L = 2, 3`` (the generic peer).
2. 10^6 S-SAM noisy-gradient samples at ``L = 4, d = 8`` (streamed means and variances, two
   threads), in samples/s: the numba kernel against the NumPy reference and against drawing
   the same noise alone (the limit).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import sympy as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/machine.py


def bench_derivation():
    from derivations import marginalized as dm

    dm.marginalized_loss.cache_clear()
    t0 = time.perf_counter()
    for L in range(2, 9):
        R = dm.regularizer_closed_form(L)
        assert dm.prove_identity(dm.marginalized_loss(L), dm.coordinate_loss(L) + R)
        assert dm.prove_identity(R, dm.regularizer_subset_expansion(L))
    total = time.perf_counter() - t0
    peers = {}
    for L in (2, 3):
        from sympy.stats import E, Normal

        s = dm.coordinate_symbols(L)
        gs = [Normal(f"G{l}", 0, s.eta) for l in range(L)]
        expr = (s.wstar - sp.Mul(*[w + g for w, g in zip(s.w, gs)])) ** 2
        t0 = time.perf_counter()
        ref = sp.expand(E(sp.expand(expr)))
        t_stats = time.perf_counter() - t0
        dm.marginalized_loss.cache_clear()
        t0 = time.perf_counter()
        ours = dm.marginalized_loss(L)
        t_ours = time.perf_counter() - t0
        assert sp.expand(ref - ours) == 0
        peers[L] = {"sympy_stats_s": t_stats, "moments_s": t_ours, "ratio": t_stats / t_ours}
    return {"derive_and_prove_L2_to_8_s": total, "vs_sympy_stats": peers}


def bench_monte_carlo(m=10**6):
    """10^6 noisy gradients: numba engine vs NumPy reference vs drawing the same noise alone (2 threads each)."""
    from numeric import data, noisy
    from numeric.montecarlo import sample_moments

    from machine import best_of

    rng = np.random.default_rng(0)
    L, d = 4, 8
    W = rng.uniform(-1, 1, (L, d))
    wstar = rng.standard_normal(d)
    X, Y = data.whitened_data(32, wstar, seed=0)
    run = lambda engine: noisy.noisy_gradient_moments(W, X, Y, 0.3, m, seed=1, engine=engine)  # noqa: E731
    noisy.noisy_gradient_moments(W, X, Y, 0.3, 20_000, seed=1, engine="numba")  # compile, warm threads

    def draw_only(rng_, k, scratch):  # the same draws as the estimators, nothing computed
        normals = scratch.get("normals")
        if normals is None or normals.shape[1] != k:
            normals = scratch["normals"] = np.empty((L, k, d))
        rng_.standard_normal(out=normals)
        rng_.integers(0, X.shape[0], size=k)
        return np.zeros((L, d)), np.zeros((L, d))

    kernel, reference = best_of(lambda: run("numba")), best_of(lambda: run("numpy"))
    drawing = best_of(lambda: sample_moments(draw_only, m, seed=1, reduced=True))
    return {"samples": m, "L": L, "d": d, "numba_s": kernel, "reference_numpy_s": reference,
            "draw_noise_s": drawing, "ratio_to_drawing": kernel / drawing, "target_ratio_at_most": 1.5,
            "ratio_vs_reference_numpy": reference / kernel, "samples_per_s": m / kernel, "threads": 2}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="write the numbers as JSON to this path")
    args = ap.parse_args()
    out = {"derivation": bench_derivation(), "monte_carlo": bench_monte_carlo()}
    d = out["derivation"]
    print(f"derive L_R and prove eq 7, L = 2..8: {d['derive_and_prove_L2_to_8_s']:.2f} s")
    for L, p in d["vs_sympy_stats"].items():
        print(f"  L = {L}: sympy.stats.E {p['sympy_stats_s']:.3f} s, moments {p['moments_s']:.4f} s, ratio {p['ratio']:.0f}x")
    m = out["monte_carlo"]
    print(f"10^6 noisy gradients (L=4, d=8, 2 threads): numba {m['numba_s']:.2f} s ({m['samples_per_s']:.2e}/s), "
          f"{m['ratio_to_drawing']:.2f}x the time to draw the noise alone ({m['draw_noise_s']:.2f} s); "
          f"NumPy reference {m['reference_numpy_s']:.2f} s ({m['ratio_vs_reference_numpy']:.1f}x slower)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2, default=float)


if __name__ == "__main__":
    main()
