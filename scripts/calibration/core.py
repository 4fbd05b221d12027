"""The calibration machinery: a table row, repeated tests at a raised level, matched sizes, pools.

Every row answers two questions about one statistical test of the suite, on its real statistic:

* **null**: the rejection rate at the raised level :data:`LEVEL` (1e-2) over ``reps`` repetitions,
  with its 99.9 % Clopper-Pearson interval; the test *exceeds* its declared rate if that interval
  lies above ``LEVEL * declared_factor`` (``declared_factor``: what the check declares beyond its
  nominal level, e.g. Section 2's Edgeworth inflation; 1 for every other test);
* **power**: the rejection rate at the alternative the check claims to detect (its reported
  detectable discrepancy) must reach :data:`POWER` (0.99) up to the binomial acceptance region.

Draws come either fresh from the real sampler (:func:`calibrate_z_test`) or, for expensive
processes (S-SAM trajectories), from a large *pool* of the real per-run statistic, resampled with
replacement and centred at the pool mean (:func:`pool_repetitions`): the bootstrap world has the
pool's law, tails included, and its null holds exactly.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.stats import binom, norm

from checks import stats
from numeric.montecarlo import Moments, clopper_pearson

LEVEL = 1e-2
POWER = 0.99
ACCEPTANCE = 1e-4  # two-sided binomial acceptance region of each calibration row
SCALE = {"tiny": False}


def scaled(reps: int) -> int:
    """``reps``, or a quarter of it (at least 200) in the ``tiny`` size of the normal test suite."""
    return max(200, reps // 4) if SCALE["tiny"] else reps


def interval(k, n, confidence=0.999):
    """Two-sided Clopper-Pearson interval of ``k`` successes in ``n``."""
    return clopper_pearson(int(k), int(n), (1 - confidence) / 2)


def row(name, claim, statistic, n_real, level_real, n_cal, reps, rejections, exact, power_rejections=None,
        power_reps=None, note="", declared_factor=1.0):
    """One table row; ``ok`` iff the null rate does not exceed ``LEVEL * declared_factor`` and the power reaches 0.99.

    ``verdict``: ``exceeds`` if the 99.9 % interval of the null rate lies above the declared rate,
    ``conservative`` if below the level, else ``holds``.
    """
    lo, up = interval(rejections, reps)
    verdict = "exceeds" if lo > LEVEL * declared_factor else "conservative" if up < LEVEL else "holds"
    ok = verdict != "exceeds"
    out = {"test": name, "claim": claim, "statistic": statistic, "n": n_real, "level": level_real, "n_cal": n_cal,
           "reps": reps, "rejections": int(rejections), "rate": rejections / reps, "interval": (lo, up),
           "exact": exact, "verdict": verdict, "note": note, "declared_factor": float(declared_factor)}
    if power_rejections is not None:
        ok &= power_rejections >= binom.ppf(ACCEPTANCE, power_reps, POWER)
        out.update(power=power_rejections / power_reps, power_reps=power_reps)
    out["ok"] = bool(ok)
    return out


def per_rep_moments(x, seed, shaped=True, exact_shape=None):
    """``ShapedMoments`` (or plain ``Moments``) of each repetition ``x[r]`` (shape (reps, n, entries)); with
    ``exact_shape = (skewness, excess_kurtosis)`` the law's shape instead of each repetition's sample shape."""
    n = x.shape[1]
    mean, var = x.mean(axis=1), x.var(axis=1, ddof=1)
    if not shaped:
        return [Moments(n=n, mean=mean[r], var=var[r], seed=seed, chunk=n) for r in range(x.shape[0])]
    if exact_shape is not None:
        skew, kurt = (np.broadcast_to(np.asarray(v, dtype=float), mean.shape) for v in exact_shape)
    else:
        skew, kurt = stats.shape_of(x, axis=1)
    return [stats.ShapedMoments(n=n, mean=mean[r], var=var[r], seed=seed, chunk=n, skewness=skew[r],
                                kurtosis=kurt[r]) for r in range(x.shape[0])]


def matched_size(n_real, level_real, k, level=LEVEL, k_raised=None):
    """Draws at the raised level with the real test's Edgeworth size: ``n (c'/c)^6``.

    The relative error of the normal tail of Student's t grows like ``gamma^2 c^6 / n`` (two-term Edgeworth),
    so a test at ``(n (c'/c)^6, c')`` has the real test's relative error at ``(n, c)``.
    """
    c, c_raised = stats.z_critical(level_real, k), stats.z_critical(level, k if k_raised is None else k_raised)
    return max(200, int(math.ceil(n_real * (c_raised / c) ** 6)))


def calibrate_z_test(name, claim, statistic, draw, truth, n_real, level_real, reps, seed, shaped=True, note="",
                     declared_factor=None, n_cal=None, exact_shape=None):
    """The z-test (Edgeworth critical values if ``shaped``, else normal) at the matched size, null and power.

    ``exact_shape = (skewness, excess_kurtosis)``: the Edgeworth critical values from the law's shape (as the check
    does where it is known exactly) instead of each repetition's sample shape.

    ``draw(rng, m) -> (m, entries)``; ``declared_factor(n_cal, z_critical) -> factor`` (default 1): what the
    check declares beyond its nominal level at the calibration's size and critical value.
    """
    reps = scaled(reps)
    truth = np.atleast_1d(np.asarray(truth, dtype=float)).ravel()
    k = truth.size
    n_cal = matched_size(n_real, level_real, k) if n_cal is None else n_cal
    rng = np.random.default_rng(seed)
    rejections = power_hits = refused = done = 0
    factor = 1.0
    while done < reps:
        block = min(max(1, 2_000_000 // (n_cal * k)), reps - done)
        x = np.asarray(draw(rng, block * n_cal), dtype=float).reshape(block, n_cal, -1)
        for moments in per_rep_moments(x, seed, shaped, exact_shape):
            try:
                ok, detail = stats.assert_means_equal(moments, truth, LEVEL)
            except ValueError:
                refused += 1
                continue
            rejections += not ok
            critical = np.asarray(detail.get("z_critical_by_entry", [detail["z_critical"]] * k))
            worst = int(np.argmax(critical))
            shifted = truth.copy()
            shifted[worst] += (critical[worst] + norm.isf(1 - POWER)) * np.atleast_1d(moments.standard_error)[worst]
            power_hits += not stats.assert_means_equal(moments, shifted, LEVEL)[0]
        done += block
    if declared_factor is not None:
        factor = float(declared_factor(n_cal, stats.z_critical(LEVEL, k)))
        note = f"declared factor {factor:.3f} (Edgeworth inflation at the calibration size); " + note
    used = reps - refused
    note += f"; the guard refused {refused} (shape estimated from {n_cal} draws)" if refused else ""
    return row(name, claim, statistic, n_real, level_real, n_cal, used, rejections, False, power_hits, used, note,
               declared_factor=factor)


def pool_repetitions(pool, size, reps, seed):
    """``reps`` resamples (with replacement) of ``size`` rows of ``pool`` centred at its mean: (reps, size, ...)."""
    pool = np.asarray(pool, dtype=float)
    centred = pool - pool.mean(axis=0)
    index = np.random.default_rng(seed).integers(0, pool.shape[0], size=(reps, size))
    return centred[index]


def shape_note(x) -> str:
    """Largest |skewness| and excess kurtosis over the entries of draws ``x`` (rows)."""
    skew, kurt = stats.shape_of(np.asarray(x, dtype=float).reshape(len(x), -1))
    return f"skewness <= {np.max(np.abs(skew)):.2f}, excess kurtosis <= {np.max(kurt):.1f}"


def table(rows) -> str:
    """The Markdown table of docs/statistics.md."""
    lines = ["| test | claim | statistic | n (real) | level (real) | n (calibration) | reps | rate at 1e-2 / 1e-2 "
             "(99.9 % interval) | declared / nominal | level | power at the claimed alternative | ok | note |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lo, up = r["interval"]
        power = f"{r['power']:.4f} ({r['power_reps']})" if "power" in r else "-"
        lines.append(f"| {r['test']} | {r['claim']} | {r['statistic']} | {r['n']} | {r['level']:.2g} | {r['n_cal']} | "
                     f"{r['reps']} | {r['rate'] / LEVEL:.2f} ({lo / LEVEL:.2f}, {up / LEVEL:.2f}) | "
                     f"{r['declared_factor']:.2f} | {r['verdict']} | {power} | {'yes' if r['ok'] else 'NO'} | "
                     f"{r['note']} |")
    return "\n".join(lines)
