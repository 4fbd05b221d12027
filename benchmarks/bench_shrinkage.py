"""Benchmark for Section 3 (issue 3): certified shrinkage solves at 30 digits.

Run: ``PYTHONPATH=. python benchmarks/bench_shrinkage.py [--n 10000] [--json PATH]``.
Prints wall-clock numbers on this machine; nothing is asserted (speed is measured, never a test).

* ``n`` (default 10^4) calls of :func:`numeric.shrinkage.certified_roots.shrinkage_roots` at 30 digits, each with
  the exact regime decision and the certified enclosures, over a mix of depths ``L = 2..6``, noise
  levels and targets (a tenth of them within 1e-20 relative of the threshold, above and below);
* the same polynomials solved by ``mpmath.polyroots`` at 30 digits (not certified, no regime) on
  a subsample, for the per-solve ratio; the two agree to 30 digits where both give real roots.
"""
from __future__ import annotations

import argparse
import json
import time
from fractions import Fraction

import mpmath
import numpy as np

from numeric.shrinkage.certified_roots import shrinkage_roots
from numeric.shrinkage.exact_inputs import to_fraction
from numeric.shrinkage.threshold_regime import threshold


def cases(n, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        L = int(rng.integers(2, 7))
        eta = Fraction(int(rng.integers(1, 20)), 20)
        if i % 10 == 0:
            with mpmath.workdps(60):
                t = threshold(L, eta, digits=50)
                w = t * (1 + (1 if i % 20 == 0 else -1) * mpmath.mpf("1e-20"))
            w = to_fraction(w, "w")
        else:
            w = Fraction(int(rng.integers(1, 4000)), 1000)
        out.append((L, eta, w))
    return out


def polyroots_solve(L, eta, w, dps=30):
    with mpmath.workdps(dps):
        e, m = mpmath.mpf(eta.numerator) / eta.denominator, mpmath.mpf(w.numerator) / w.denominator
        # (a^2 + e^2)^(L-1) - m a^(L-2), coefficients in descending powers of a
        c = [mpmath.mpf(0)] * (2 * L - 1)
        for k in range(L):
            c[2 * k] = mpmath.binomial(L - 1, k) * e ** (2 * k)
        c[L] -= m
        roots = mpmath.polyroots(c, maxsteps=200, extraprec=60)
        return sorted(mpmath.re(r) for r in roots if abs(mpmath.im(r)) < mpmath.mpf(10) ** -15 and mpmath.re(r) > 0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--sub", type=int, default=500, help="subsample for mpmath.polyroots")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    cs = cases(args.n)
    t0 = time.perf_counter()
    res = [shrinkage_roots(L, e, w, digits=30) for L, e, w in cs]
    t_cert = time.perf_counter() - t0
    sub = cs[: args.sub]
    t0 = time.perf_counter()
    pr = [polyroots_solve(L, e, w) for L, e, w in sub]
    t_poly = time.perf_counter() - t0
    agree, compared, worst = 0, 0, mpmath.mpf(0)
    with mpmath.workdps(40):
        for i, (r, p) in enumerate(zip(res, pr)):
            if i % 10 != 0 and r.regime == "above":  # away from the threshold, where polyroots is reliable
                compared += 1
                if len(p) == len(r.roots_a):
                    err = max(abs(x - y) / y for x, y in zip(r.roots_a, p))
                    worst = max(worst, err)
                    agree += err < mpmath.mpf(10) ** -25
    out = {
        "solves": args.n, "digits": 30, "seconds_total": round(t_cert, 3),
        "per_solve_ms": round(1e3 * t_cert / args.n, 4),
        "regimes": {k: sum(r.regime == k for r in res) for k in ("below", "at", "above")},
        "polyroots_subsample": len(sub), "polyroots_per_solve_ms": round(1e3 * t_poly / len(sub), 4),
        "ratio_certified_over_polyroots": round((t_cert / args.n) / (t_poly / len(sub)), 3),
        "polyroots_agree_1e-25_away_from_threshold": f"{agree}/{compared}",
        "polyroots_max_rel_diff_away_from_threshold": float(worst),
    }
    print(json.dumps(out, indent=2))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
