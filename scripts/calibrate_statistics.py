"""Calibrate every statistical test of the suite on its real statistic and data-generating process.

For each test: under the null (the claim true), the rejection rate at a raised level (1e-2, >= 2000
repetitions) must not exceed its binomial acceptance region around that level; under the stated
alternative (the reported detectable discrepancy, or the boundary control's rate), the rejection
rate must reach the claimed power (0.99).

Extrapolation to the true per-test level (1e-7 and below): for the z-tests, the relative error of the
normal tail of Student's t statistic grows like ``gamma^2 c^6 / (18 n)`` (two-term Edgeworth;
``gamma`` the draws' skewness, ``c`` the critical value).  Calibrating at the raised level with
``n' = n (c'/c)^6`` draws (``c'`` the raised level's critical value) reproduces the real test's relative
error, so the rate ratio measured at ``(n', 1e-2)`` is the one expected at ``(n, level)``
("matched Edgeworth size").  The exact tests (binomial, empirical Bernstein) hold at every level and
``n``; they are calibrated at smaller ``n``.

    python scripts/calibrate_statistics.py [--size small|full] [--write docs/statistics.md]

``small`` (about 20 s of CPU) covers one case of each kind with >= 2000 repetitions; ``tiny`` is the same
with a quarter of the repetitions (the smoke test of the normal test suite,
``tests/test_stats_calibration.py``); ``full`` (minutes; the ``@pytest.mark.slow`` test) every test.
Seeds are fixed: the same command gives the same table.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import binom, norm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import stats  # noqa: E402
from checks.framework import RunContext  # noqa: E402
from numeric.montecarlo import Moments  # noqa: E402

LEVEL = 1e-2
POWER = 0.99
ACCEPTANCE = 1e-4  # two-sided binomial acceptance region of each calibration row


def _row(name, claim, statistic, n_real, level_real, n_cal, reps, rejections, exact, power_rejections=None,
         power_reps=None, note=""):
    """One table row.  ``verdict``: ``exceeds`` if the 99.9 % interval of the null rate lies above the level,
    ``conservative`` if below, else ``holds``; ``ok`` iff it does not exceed and the power reaches 0.99 within
    its acceptance region (``exact`` tests are never expected to hold with equality)."""
    lo, up = stats_interval(rejections, reps)
    verdict = "exceeds" if lo > LEVEL else "conservative" if up < LEVEL else "holds"
    ok = verdict != "exceeds"
    row = {"test": name, "claim": claim, "statistic": statistic, "n": n_real, "level": level_real, "n_cal": n_cal,
           "reps": reps, "rejections": int(rejections), "rate": rejections / reps, "interval": (lo, up),
           "exact": exact, "verdict": verdict, "note": note}
    if power_rejections is not None:
        ok &= power_rejections >= binom.ppf(ACCEPTANCE, power_reps, POWER)
        row.update(power=power_rejections / power_reps, power_reps=power_reps)
    row["ok"] = bool(ok)
    return row


def stats_interval(k, n, confidence=0.999):
    from numeric.montecarlo import clopper_pearson

    return clopper_pearson(int(k), int(n), (1 - confidence) / 2)


def _per_rep_moments(x, seed):
    """``ShapedMoments`` of each repetition ``x[r]`` (shape (reps, n, entries))."""
    skew, kurt = stats.shape_of(x, axis=1)
    n = x.shape[1]
    return [stats.ShapedMoments(n=n, mean=x[r].mean(axis=0), var=x[r].var(axis=0, ddof=1), seed=seed, chunk=n,
                                skewness=skew[r], kurtosis=kurt[r]) for r in range(x.shape[0])]


def matched_size(n_real, level_real, k):
    """Draws at the raised level with the real test's Edgeworth size: ``n (c'/c)^6`` (module docstring)."""
    c, c_raised = stats.z_critical(level_real, k), stats.z_critical(LEVEL, k)
    return max(200, int(math.ceil(n_real * (c_raised / c) ** 6)))


def calibrate_z_test(name, claim, statistic, draw, truth, n_real, level_real, reps, seed, shaped=True, note=""):
    """The z-test (Edgeworth critical values if ``shaped``, else normal) at matched size, null and power."""
    reps = _scaled(reps)
    truth = np.atleast_1d(np.asarray(truth, dtype=float))
    k = truth.size
    n_cal = matched_size(n_real, level_real, k)
    rng = np.random.default_rng(seed)
    rejections = power_hits = refused = 0
    done = 0
    while done < reps:
        block = min(100, reps - done)
        x = np.asarray(draw(rng, block * n_cal), dtype=float).reshape(block, n_cal, -1)
        for moments in _per_rep_moments(x, seed):
            if not shaped:
                moments = Moments(n=moments.n, mean=moments.mean, var=moments.var, seed=seed, chunk=moments.n)
            try:
                ok, detail = stats.assert_means_equal(moments, truth, LEVEL)
            except ValueError:
                refused += 1
                continue
            rejections += not ok
            shifted = truth.copy()
            worst = int(np.argmax(detail.get("z_critical_by_entry", [detail["z_critical"]] * k)))
            se = np.atleast_1d(moments.standard_error)
            z = (detail["z_critical_by_entry"][worst] if "z_critical_by_entry" in detail else detail["z_critical"])
            shifted[worst] += (z + norm.isf(1 - POWER)) * se[worst]
            power_hits += not stats.assert_means_equal(moments, shifted, LEVEL)[0]
        done += block
    used = reps - refused
    note = note + (f"; at the calibration size the guard refused {refused} (shape estimated from {n_cal} draws)"
                   if refused else "")
    return _row(name, claim, statistic, n_real, level_real, n_cal, used, rejections, False, power_hits, used, note)


def _guard_at_real_size(sampler, level, runs, n=100_000):
    """The Edgeworth guard on ``runs`` samples of the real size: the largest correction and the refusals."""
    rng, worst, refused = np.random.default_rng(29), 0.0, 0
    for _ in range(runs):
        skew, kurt = stats.shape_of(sampler(rng, n, {}))
        for g, k in zip(np.atleast_1d(skew), np.atleast_1d(kurt)):
            try:
                tail = stats.studentized_critical_value(level, n, g, k)["tail"]
                worst = max(worst, tail["relative_correction_1"], tail["relative_correction_2"])
            except ValueError:
                refused += 1
    return (f"at the real size ({runs} x {n} draws): largest Edgeworth correction {worst:.3f} of the normal tail, "
            f"{refused} refusals (above 0.5)")


def lemma_2_3_rows(size):
    from checks.section2 import lemma_2_3, pacbayes_moment_cases as cases

    rows = []
    names = ["diagonal-near-zero"] if size == "small" else list(cases.MC_CASES)
    for case in names:
        sampler = cases.case_sampler(case)
        truth = cases.closed_form_moments(case)
        guard = _guard_at_real_size(sampler, lemma_2_3.ALPHA_PER_SAMPLING_CHECK / 2, 10 if size == "small" else 40)
        for shaped in (True, False):
            rows.append(calibrate_z_test(
                f"z-test {'(Edgeworth)' if shaped else '(normal quantiles)'}: {case}", "lemma-2.3",
                "E[l|G,s], E[l^2|G,s]", lambda rng, m, s=sampler: s(rng, m, {}), truth, 100_000,
                lemma_2_3.ALPHA_PER_SAMPLING_CHECK, 2000 if size == "small" else 4000, 11, shaped,
                guard if shaped else ""))
    if size == "full":  # the former statistic: sampling the data, l^2 = r^4 (Student t_20 inputs, 2e5 draws)
        from numeric.pacbayes.posterior import posterior_loss_moments
        from numeric.pacbayes.sampling import diagonal_end_to_end

        W, sigma, tau = np.array([[0.0] * 3] * 2), 0.05, 0.1
        wstar, cov = np.array(cases.COMMON_WSTAR), np.array(cases.COMMON_INPUT_COVARIANCE)
        chol = np.linalg.cholesky(cov)

        def former(rng, m):
            P = diagonal_end_to_end(W, sigma)(rng, m)
            X = (rng.standard_normal((m, 3)) @ chol.T) * np.sqrt(18.0 / rng.chisquare(20.0, size=(m, 1)))
            r = X @ wstar + tau * rng.standard_normal(m) - np.sum(P * X, axis=1)
            return np.stack([r * r, r**4], axis=1)

        truth = posterior_loss_moments(W, wstar, sigma, cov, tau, "student-t", 20.0)
        rows.append(calibrate_z_test("z-test (normal quantiles), data sampled: near-zero, t_20", "lemma-2.3 (main)",
                                     "l, l^2 = r^4", former, truth, 200_000, 5e-7, 4000, 12, False,
                                     "the design on main"))
    return rows


def other_claims_rows(size):
    """Plain z-tests of other claims on representative instances of their draws (public numeric samplers)."""
    from numeric import model
    from numeric.data import whitened_data
    from numeric.noisy import noisy_gradients, noisy_losses

    rng = np.random.default_rng(5)
    W = rng.choice([-1.0, 1.0], size=(3, 3)) * rng.uniform(0.3, 1.2, size=(3, 3))
    wstar = rng.uniform(-2.0, 2.0, size=3)
    X, Y = whitened_data(12, wstar, seed=6)
    W4 = rng.uniform(-1.2, 1.2, size=(4, 3))
    X4, Y4 = whitened_data(12, wstar, seed=7)

    def gradient_draws(Wm, Xm, Ym, eta):
        def draw(r, m):
            return noisy_gradients(Wm, Xm, Ym, eta, m, seed=int(r.integers(2**62))).reshape(m, -1)
        return draw

    targets = [("z-test (normal): E L(W+G) = L_R", "lemma-2.2", "L(W+G), L=3, eta=0.8",
                lambda r, m: noisy_losses(W, wstar, 0.8, m, seed=int(r.integers(2**62))),
                model.marginalized_loss(W, wstar, 0.8), 100_000, 1e-6 / 3)]
    if size == "full":
        targets += [("z-test (normal): E grad L~ = grad L_R", "lemma-2.2", "noisy gradient, eta=0.8 (9 entries)",
                     gradient_draws(W, X, Y, 0.8), model.grad_marginalized_loss(W, wstar, 0.8).ravel(), 100_000,
                     1e-6 / 3),
                    ("z-test (normal): SGD gradient unbiased", "lemma-2.1", "gradient at eta=0, L=4 (12 entries)",
                     gradient_draws(W4, X4, Y4, 0.0), model.grad_loss(W4, wstar).ravel(), 100_000, 1e-6)]
    return [calibrate_z_test(name, claim, statistic, draw, truth, n, level, 2000, 13, False,
                             "representative instance; theorem-4.4's one-step mean is affine in this gradient")
            for name, claim, statistic, draw, truth, n, level in targets]


def coverage_rows(size):
    """Exact binomial rate test: Bernoulli(delta) and the real coverage draws with the bound lowered to rate delta."""
    from checks.section2 import lemma_2_3, pacbayes_scenarios as scenarios
    from checks.stats import assert_rate_at_most

    rows, rng = [], np.random.default_rng(17)
    for n in (300, 1000):
        reps = _scaled(20_000)
        decision = {}  # the decision of the real test for each count (one call per distinct count)

        def rejects(count):
            if count not in decision:
                decision[count] = not assert_rate_at_most(int(count), n, 0.05, LEVEL)[0]
            return decision[count]

        rejections = sum(rejects(e) for e in rng.binomial(n, 0.05, size=reps))
        _, design = assert_rate_at_most(0, n, 0.05, LEVEL)
        power = sum(rejects(h) for h in rng.binomial(n, design["detectable_rate"], size=reps))
        rows.append(_row(f"exact rate test, Bernoulli(delta) (n = {n})", "lemma-2.3", "violations of n", n,
                         lemma_2_3.ALPHA_PER_COVERAGE_TEST, n, reps, rejections, True, power, reps,
                         f"power at the detectable rate {design['detectable_rate']:.3f}"))
    if size == "full":
        ctx = RunContext(seed=0, quick=True)
        slack = scenarios.pilot_slack("fixed-gaussian", ctx)
        settings = scenarios._simulation_arguments(scenarios.SCENARIOS["fixed-gaussian"][0])
        from numeric.pacbayes.coverage import coverage_summary, simulate_bound

        shift = float(np.quantile(slack, 0.05))
        reps, n = 2000, 1000
        rejections = power = 0
        _, design = assert_rate_at_most(0, n, 0.05, LEVEL)
        boundary = float(np.quantile(slack, min(0.5, 1.75 * design["detectable_rate"])))
        for rep in range(reps):
            sim = simulate_bound(draws=n, seed=10_000 + rep, **settings)
            s = coverage_summary(sim, shift=shift)
            rejections += not assert_rate_at_most(s["violations"], n, 0.05, LEVEL)[0]
            power += not assert_rate_at_most(coverage_summary(sim, shift=boundary)["violations"], n, 0.05, LEVEL)[0]
        rows.append(_row("exact rate test, coverage draws at rate ~delta", "lemma-2.3",
                         "violations of the lowered bound (fixed-gaussian)", n, lemma_2_3.ALPHA_PER_COVERAGE_TEST, n,
                         reps, rejections, True, power, reps, "rate delta from a 10000-draw pilot (+-0.006)"))
    return rows


def bounded_rows(size):
    """Empirical-Bernstein tests of sgd-stability on their real draws (exact at every n: calibrated at small n)."""
    from checks.related import sgd_stability, stability_threshold_checks as st
    from numeric.stability import closed_form, moment_recursion, sgd_simulation

    ctx = RunContext(seed=0, quick=True)
    rows = []
    prob, S, _ = st.one_step_problem(ctx)
    B, upper = 2, np.triu_indices(prob.d)
    step = 0.9 * closed_form.threshold(prob, B).threshold
    truth = moment_recursion.second_moment_step(prob, B, step, S)[upper]
    low, high = st._outcome_range(prob, B, step, S, "sgd")
    targets = [("empirical Bernstein: one SGD step", "one step, B = 2 (6 entries)",
                lambda r, m: sgd_simulation.one_step_draws(prob, B, step, S, r, m)[:, upper[0], upper[1]],
                truth, low, high, 100_000, sgd_stability.ALPHA_ONE_STEP / 4, 2000)]
    if size == "full":
        setting = st.regular_minimum_setting(ctx)
        _, S_reg = moment_recursion.regular_moment_trajectory(setting["prob"], setting["grads"], 2, setting["step"],
                                                              setting["steps"], theta0=setting["theta0"])
        sampler = st.regular_minimum_sampler(setting)
        targets.append(("empirical Bernstein: regular minimum", "theta theta^T after 5 steps (10 entries)",
                        lambda r, m: sampler(r, m), S_reg[setting["entries"]], setting["lower"], setting["upper"],
                        60_000, sgd_stability.ALPHA_REGULAR, 2000))
    for name, statistic, draw, truth, low, high, n_real, level_real, n_cal in targets:
        reps, rng = _scaled(2000), np.random.default_rng(19)
        rejections = power = 0
        for start in range(0, reps, 50):
            x = np.asarray(draw(rng, 50 * n_cal), dtype=float).reshape(50, n_cal, -1)
            for r in range(50):
                mo = Moments(n=n_cal, mean=x[r].mean(axis=0), var=x[r].var(axis=0, ddof=1), seed=0, chunk=n_cal)
                ok, detail = stats.assert_bounded_means_equal(mo, truth, low, high, LEVEL)
                rejections += not ok
                shifted = np.array(truth, dtype=float)
                shifted[0] += detail["detectable_discrepancy"]
                power += not stats.assert_bounded_means_equal(mo, shifted, low, high, LEVEL)[0]
        rows.append(_row(name, "sgd-stability", statistic, n_real, level_real, n_cal, reps, rejections, True,
                         power, reps, "exact at every n (calibrated at small n)"))
    return rows


def edgeworth_formula_rows(size):
    """The two-term expansion itself against simulation: Student's t of exponential draws (skewness 2)."""
    rng, reps, n = np.random.default_rng(23), _scaled(20_000 if size == "small" else 200_000), 400
    x = rng.exponential(size=(reps, n))
    t = (x.mean(axis=1) - 1) / (x.std(axis=1, ddof=1) / math.sqrt(n))
    c = stats.studentized_critical_value(LEVEL, n, 2.0, 6.0)["critical_value"]
    rejections = int(np.sum(np.abs(t) > c))
    return [_row("Edgeworth critical value, exponential draws", "(formula)", "Student t, n = 400", n, LEVEL, n, reps,
                 rejections, False, note=f"normal quantile rejects {np.mean(np.abs(t) > 2.576):.4f}")]


def table(rows) -> str:
    lines = ["| test | claim | statistic | n (real) | level (real) | n (calibration) | reps | rate at 1e-2 / 1e-2 "
             "(99.9 % interval) | level | power at the claimed alternative | ok | note |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lo, up = r["interval"]
        power = f"{r['power']:.4f} ({r['power_reps']})" if "power" in r else "-"
        lines.append(f"| {r['test']} | {r['claim']} | {r['statistic']} | {r['n']} | {r['level']:.2g} | {r['n_cal']} | "
                     f"{r['reps']} | {r['rate'] / LEVEL:.2f} ({lo / LEVEL:.2f}, {up / LEVEL:.2f}) | {r['verdict']} | "
                     f"{power} | {'yes' if r['ok'] else 'NO'} | {r['note']} |")
    return "\n".join(lines)


def _scaled(reps):
    return max(200, reps // 4) if SCALE["tiny"] else reps


SCALE = {"tiny": False}


def calibrate(size="small") -> tuple[list, float]:
    """All rows of the table and the seconds they took (``size``: tiny, small or full)."""
    SCALE["tiny"] = size == "tiny"
    size = "small" if size == "tiny" else size
    start = time.perf_counter()
    rows = (edgeworth_formula_rows(size) + lemma_2_3_rows(size) + coverage_rows(size) + bounded_rows(size)
            + other_claims_rows(size))
    return rows, time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=("tiny", "small", "full"), default="small")
    parser.add_argument("--write", metavar="MARKDOWN", help="replace the calibration table in this file")
    args = parser.parse_args(argv)
    rows, seconds = calibrate(args.size)
    text = (f"{table(rows)}\n\n`python scripts/calibrate_statistics.py --size {args.size}`: {seconds:.0f} s "
            f"(measured on 2 shared cores under load)")
    print(text)
    if args.write:
        path = Path(args.write)
        marker = f"<!-- calibration table ({args.size}) -->"
        content = path.read_text()
        pattern = re.compile(re.escape(marker) + r".*?" + re.escape("<!-- end calibration table -->"), re.S)
        content = pattern.sub(lambda _: f"{marker}\n{text}\n<!-- end calibration table -->", content)
        path.write_text(content)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
