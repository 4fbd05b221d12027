"""derivations.gaussian and derivations.marginalized: exact identities and agreement with numeric."""
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derivations import gaussian
from derivations import marginalized
from numeric import model


def test_gaussian_moments():
    s = sp.Symbol("s", positive=True)
    assert [gaussian.gaussian_moment(k, s) for k in range(7)] == [1, 0, s**2, 0, 3 * s**4, 0, 15 * s**6]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(-3, 3)), min_size=1, max_size=5))
def test_factorized_expectation_equals_expanded_reference(terms):
    x, y, a = sp.symbols("x y a")
    s = sp.Symbol("s", positive=True)
    expr = sp.Add(*[c * (x + a) ** i * (y - 1) ** j for i, j, c in terms]) ** 2
    fast = gaussian.gaussian_expectation(expr, [x, y], s)
    slow = gaussian.gaussian_expectation_expanded(expr, [x, y], s)
    assert sp.expand(fast - slow) == 0


def test_whitened_expectation_refuses_odd_degree():
    x1, x2 = sp.symbols("x1 x2")
    assert gaussian.whitened_expectation(3 * x1 * x2 + 2 * x1**2 + 5, [x1, x2]) == 7
    with pytest.raises(ValueError, match="degree"):
        gaussian.whitened_expectation(x1**3, [x1, x2])


@pytest.mark.parametrize("L", range(2, 9))
def test_section2_identities(L):
    R = marginalized.regularizer_closed_form(L)
    assert marginalized.prove_identity(marginalized.marginalized_loss(L), marginalized.coordinate_loss(L) + R)
    assert marginalized.prove_identity(R, marginalized.regularizer_subset_expansion(L))
    assert marginalized.prove_identity(marginalized.average_sharpness(L), R)
    assert marginalized.weight_decay_gap(L)[1]
    # negative controls: each wrong variant is not an identity
    assert not marginalized.prove_identity(R, marginalized.regularizer_without_constant(L))
    assert not marginalized.prove_identity(R, marginalized.regularizer_subset_expansion(L, eta_power=1))


@pytest.mark.parametrize("L,d", [(L, d) for L in range(2, 9) for d in range(1, 4)])
def test_lemma_2_1_and_gradient_identity(L, d):
    g = marginalized.noisy_gradient(L, d)
    assert marginalized.prove_identity(g, marginalized.noisy_gradient_closed_form(L, d))
    assert marginalized.prove_identity(g, marginalized.noisy_gradient_closed_form_xx(L, d))
    assert marginalized.prove_identity(marginalized.mean_noisy_gradient(L, d), marginalized.grad_marginalized_loss(L, d))


def test_weight_decay_gap_detects_a_false_bound():
    # a bound with coefficient 2 eta^{2(L-1)} is false: the gap gets a negative coefficient
    L = 3
    s = marginalized.coordinate_symbols(L)
    gap = sp.expand(marginalized.regularizer_closed_form(L) - 2 * marginalized.weight_decay_bound(L))
    assert any(c < 0 for c in sp.Poly(gap, *s.w, s.eta).coeffs())


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.lists(st.floats(-2, 2), min_size=6, max_size=6), st.floats(-3, 3), st.floats(0.1, 1.5))
def test_numeric_equals_symbolic_at_random_points(L, ws, wstar, eta):
    W = np.array(ws[:L])[:, None]
    s = marginalized.coordinate_symbols(L)
    f = sp.lambdify([*s.w, s.wstar, s.eta], marginalized.marginalized_loss(L))
    ref = f(*W[:, 0], wstar, eta)
    assert model.marginalized_loss(W, np.array([wstar]), eta) == pytest.approx(ref, rel=1e-10, abs=1e-10)
    grads = [sp.lambdify([*s.w, s.wstar, s.eta], sp.diff(marginalized.marginalized_loss(L), wl)) for wl in s.w]
    g = model.grad_marginalized_loss(W, np.array([wstar]), eta)[:, 0]
    assert np.allclose(g, [gr(*W[:, 0], wstar, eta) for gr in grads], rtol=1e-9, atol=1e-9)


def test_formulas_for_latex():
    items = marginalized.formulas()
    assert all(len(t) == 4 and t[0].startswith("lemma-2.") for t in items)
    assert all(sp.latex(t[3]) for t in items)


@pytest.mark.parametrize("L", range(2, 7))
def test_average_sharpness_by_the_heat_series_is_R(L):
    """Eq 9 by a route that uses neither the Gaussian moments nor R."""
    heat = marginalized.average_sharpness_heat_series(L)
    assert marginalized.prove_identity(heat, marginalized.regularizer_closed_form(L))
    assert not marginalized.prove_identity(heat, marginalized.regularizer_without_constant(L))


def test_weight_decay_factor_one_is_sharp():
    assert marginalized.weight_decay_gap(4)[1]
    assert marginalized.weight_decay_gap(4, sp.Rational(99, 100))[1]
    assert not marginalized.weight_decay_gap(4, sp.Rational(101, 100))[1]


def test_gradient_cache_is_bounded():
    assert marginalized.grad_marginalized_loss.cache_info().maxsize == 64
