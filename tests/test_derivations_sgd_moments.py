"""derivations.sgd_moments: the symbolic facts behind mm-theorem-1/2/4 and mm-corollary-1."""
import sympy as sp

from derivations import sgd_moments as sm


def test_batch_mean_and_noise():
    assert sm.batch_mean() == (1, 0)
    n, B = sp.symbols("n B", positive=True)
    assert sp.cancel(sm.gradient_noise_second_moment() - (n - B) / (B * (n - 1))) == 0


def test_mean_stability_interval():
    lam = sp.Symbol("lambda", positive=True)
    bounded, convergent = sm.mean_stability_interval()
    assert bounded == sp.Interval(0, 2 / lam) and convergent == sp.Interval.open(0, 2 / lam)


def test_quadratic_form_by_enumeration():
    for B in (1, 2, 3):
        enumerated, formula = sm.quadratic_form_by_enumeration(B)
        assert sp.expand(enumerated - formula) == 0


def test_rank_one_and_lagrange():
    root, _ = sm.rank_one_step_bound()
    qbar, q2, p = sp.symbols("qbar q2 p", positive=True)
    assert sp.cancel(root - 2 * qbar / ((1 - p) * qbar**2 + p * q2)) == 0
    gap, lagrange = sm.weighted_cauchy_schwarz(4)
    assert sp.expand(gap - lagrange) == 0


def test_scalar_limit():
    r = sm.scalar_limit()
    a, h, m2, G, p = r["symbols"]
    assert sp.cancel(r["limit"] - a * p * G / (2 * h - a * m2)) == 0
    assert r["boundary_multiplier"] == 1
    assert sp.cancel(r["small_step"] - p * G / (2 * h)) == 0


def test_formulas_are_labelled():
    ids = {f[0] for f in sm.formulas()}
    assert ids == {"mm-theorem-1", "mm-theorem-2", "mm-theorem-4", "mm-corollary-1"}
