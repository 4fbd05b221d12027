"""numeric/shrinkage/: threshold, exact regime, certified roots, regula falsi (Theorem 3.1(b), Lemma F.1)."""
from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric.shrinkage
from numeric.shrinkage.certified_roots import shrinkage_roots
from numeric.shrinkage.equations import lambda_equation, shrinkage_offset, shrinkage_polynomial
from numeric.shrinkage.secant_scheme import regula_falsi
from numeric.shrinkage.threshold_regime import double_root, regime, threshold, threshold_exact_power


def test_threshold_known_values():
    assert threshold(2, "0.5") == mpmath.mpf("0.25")
    assert threshold(4, 1) == mpmath.mpf("6.75")
    with mpmath.workdps(60):
        t3 = threshold(3, "0.7", digits=55)
        assert abs(t3 - 16 * mpmath.sqrt(3) / 9 * mpmath.mpf("0.7") ** 3) < mpmath.mpf(10) ** -53


@pytest.mark.parametrize("L", range(2, 9))
def test_threshold_squared_is_exact_power(L):
    with mpmath.workdps(70):
        t = threshold(L, "0.3", digits=60)
        exact = threshold_exact_power(L) * Fraction(3, 10) ** (2 * L)
        assert abs(t ** 2 / (mpmath.mpf(exact.numerator) / exact.denominator) - 1) < mpmath.mpf(10) ** -58


def test_regime_is_exact():
    assert regime(4, 1, "6.75") == "at"
    assert regime(4, 1, "6.75" + "0" * 40 + "1") == "above"
    assert regime(4, 1, "6.74" + "9" * 50) == "below"
    assert regime(2, "0.5", "0.25") == "at"


def test_input_types_agree():
    vals = [shrinkage_roots(3, e, w, digits=30).lambdas for e, w in
            [("0.5", "1"), (0.5, 1.0), (Decimal("0.5"), Decimal(1)), (Fraction(1, 2), 1), (mpmath.mpf(0.5), mpmath.mpf(1))]]
    for v in vals[1:]:
        assert v == vals[0]


def test_two_layer_closed_form():
    r = shrinkage_roots(2, "0.5", "1", digits=40)
    with mpmath.workdps(45):
        assert abs(r.lambdas[0] - mpmath.sqrt(1 - mpmath.mpf("0.25"))) < mpmath.mpf(10) ** -40
    assert shrinkage_roots(2, "0.5", "0.25").lambdas == []  # at the threshold the root is a = 0


def test_roots_solve_polynomial_and_enclosures_certify_sign_change():
    r = shrinkage_roots(5, "0.3", "0.2", digits=50)
    assert r.regime == "above" and len(r.lambdas) == 2 and r.lambdas[0] < r.lambdas[1] < 1
    with mpmath.workdps(80):
        e, w = mpmath.mpf("0.3"), mpmath.mpf("0.2")
        for a, (lo, hi) in zip(r.roots_a, r.enclosures_a):
            assert lo < a < hi and (hi - lo) / a < mpmath.mpf(10) ** -50
            assert shrinkage_polynomial(lo, 5, e, w) * shrinkage_polynomial(hi, 5, e, w) < 0
        for lam, (lo, hi) in zip(r.lambdas, r.enclosures):
            assert lo <= lam <= hi
            assert lambda_equation(lo, 5, e, w) * lambda_equation(hi, 5, e, w) < 0


@pytest.mark.parametrize("rel, n", [("1e-30", 2), ("-1e-30", 0), ("1e-20", 2), ("-1e-20", 0), ("1e-60", 2)])
def test_near_threshold_no_spurious_or_missing_roots(rel, n):
    with mpmath.workdps(120):
        w = threshold(3, 1, digits=110) * (1 + mpmath.mpf(rel))
    r = shrinkage_roots(3, 1, w, digits=50)
    assert len(r.lambdas) == n
    if n == 2:
        assert r.enclosures[0][1] < r.enclosures[1][0]


def test_double_root_reported_once():
    r = shrinkage_roots(4, 1, "6.75", digits=50)
    assert r.regime == "at" and len(r.lambdas) == 1 and r.multiplicities == [2]
    a_c, lam_c = double_root(4, 1, digits=50)
    with mpmath.workdps(60):
        assert abs(r.roots_a[0] - a_c) < mpmath.mpf(10) ** -48
        assert abs(r.lambdas[0] - lam_c) < mpmath.mpf(10) ** -48


def test_agrees_with_polyroots_to_30_digits():
    with mpmath.workdps(100):
        e, w = mpmath.mpf("0.5"), mpmath.mpf("2")
        coeffs = [1, 0, 3 * e ** 2, 0, 3 * e ** 4 - w, 0, e ** 6]  # (a^2+e^2)^3 - w a^2, L = 4
        ref = sorted(mpmath.re(x) for x in mpmath.polyroots(coeffs, maxsteps=500, extraprec=300)
                     if abs(mpmath.im(x)) < 1e-50 and mpmath.re(x) > 0)
    r = shrinkage_roots(4, "0.5", "2", digits=30)
    assert len(ref) == 2
    for x, y in zip(r.roots_a, ref):
        assert abs(x - y) / y < mpmath.mpf(10) ** -30


@settings(max_examples=25, deadline=None)
@given(L=st.integers(2, 7), eta=st.integers(1, 30), w=st.integers(0, 400))
def test_count_matches_regime(L, eta, w):
    eta_q, w_q = Fraction(eta, 20), Fraction(w, 50)
    r = shrinkage_roots(L, eta_q, w_q, digits=20)
    expected = {"below": 0, "at": 0 if L == 2 else 1, "above": 1 if L == 2 else 2}[r.regime]
    assert len(r.lambdas) == expected
    assert all(0 < x < 1 for x in r.lambdas)


@pytest.mark.parametrize("kwargs, word", [
    (dict(L=1, eta=1, wstar_abs=1), "depth"), (dict(L=3, eta=0, wstar_abs=1), "eta"),
    (dict(L=3, eta=1, wstar_abs=-1), "wstar_abs"), (dict(L=3, eta=1, wstar_abs=1, digits=2), "digits"),
    (dict(L=3, eta=float("nan"), wstar_abs=1), "eta"), (dict(L=3, eta="x", wstar_abs=1), "eta")])
def test_bad_input_names_argument(kwargs, word):
    with pytest.raises(ValueError, match=word):
        shrinkage_roots(**kwargs)


def test_regula_falsi_monotone_and_wrong_endpoint_is_not():
    with mpmath.workdps(60):
        e, w = mpmath.mpf("0.5"), mpmath.mpf(1)
        f = lambda x: lambda_equation(x, 3, e, w)  # noqa: E731
        lc = (mpmath.mpf(1) / 4) ** (mpmath.mpf(2) / 3)
        xs = regula_falsi(f, lc, 1, steps=2000)
        assert all(b > a for a, b in zip(xs, xs[1:]))
        root = shrinkage_roots(3, "0.5", "1").lambdas[1]
        assert abs(xs[-1] - root) < mpmath.mpf(10) ** -40
        bad = regula_falsi(f, lc, 1, steps=50, fixed="a")
        assert not all(b > a for a, b in zip(bad, bad[1:]))


def test_shrinkage_offset_is_the_constant_term_of_eq13():
    with mpmath.workdps(50):
        e, w = mpmath.mpf("0.3"), mpmath.mpf("0.7")
        for L in (3, 4, 7):
            c = shrinkage_offset(L, e, w)
            assert abs(c - lambda_equation(mpmath.mpf(0), L, e, w)) < mpmath.mpf("1e-45")
            assert abs(c - e ** 2 / w ** (mpmath.mpf(2) / L)) < mpmath.mpf("1e-45")


def test_package_reexports_the_names_used_outside():
    """``numeric.shrinkage`` re-exports exactly the names other code uses, as the concept modules' objects."""
    from numeric.shrinkage import exact_inputs

    assert sorted(numeric.shrinkage.__all__) == ["double_root", "shrinkage_roots", "threshold",
                                                 "threshold_exact_power", "to_fraction"]
    assert numeric.shrinkage.shrinkage_roots is shrinkage_roots and numeric.shrinkage.threshold is threshold
    assert numeric.shrinkage.double_root is double_root
    assert numeric.shrinkage.threshold_exact_power is threshold_exact_power
    assert numeric.shrinkage.to_fraction is exact_inputs.to_fraction
