"""numeric.nonwhitened and derivations.nonwhitened: L_R on data of covariance Sigma, derivatives, search."""
import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import nonwhitened as derivation
from numeric import model, nonwhitened

RNG = np.random.default_rng(4)
W = RNG.standard_normal((3, 2))
WSTAR = np.array([0.9, -1.3])
SIGMA = np.array([[2.0, 0.7], [0.7, 1.0]])


def test_identity_covariance_is_the_whitened_model():
    assert nonwhitened.marginalized_loss(W, WSTAR, np.eye(2), 0.4) == pytest.approx(
        model.marginalized_loss(W, WSTAR, 0.4), rel=1e-14)
    assert np.allclose(nonwhitened.grad_marginalized_loss(W, WSTAR, np.eye(2), 0.4),
                       model.grad_marginalized_loss(W, WSTAR, 0.4), atol=1e-13)


def test_derivatives_agree_with_finite_differences():
    f = lambda V: nonwhitened.marginalized_loss(V, WSTAR, SIGMA, 0.4)
    g = nonwhitened.grad_marginalized_loss(W, WSTAR, SIGMA, 0.4)
    H = nonwhitened.hessian_marginalized_loss(W, WSTAR, SIGMA, 0.4)
    e = 1e-6
    for i in range(3):
        for j in range(2):
            step = np.zeros_like(W)
            step[i, j] = e
            assert (f(W + step) - f(W - step)) / (2 * e) == pytest.approx(g[i, j], abs=1e-6)
            column = (nonwhitened.grad_marginalized_loss(W + step, WSTAR, SIGMA, 0.4)
                      - nonwhitened.grad_marginalized_loss(W - step, WSTAR, SIGMA, 0.4)) / (2 * e)
            assert np.allclose(column.ravel(), H[i * 2 + j], atol=1e-6)


def test_effective_targets():
    assert np.allclose(nonwhitened.effective_targets(W, WSTAR, np.diag([3.0, 0.5])), WSTAR)
    pi = np.prod(W, axis=0)
    m = nonwhitened.effective_targets(W, WSTAR, SIGMA)
    assert m[1] == pytest.approx(WSTAR[1] + 0.7 / 1.0 * (WSTAR[0] - pi[0]))


def test_search_finds_the_lasso_solution_for_two_layers():
    """L = 2: the products at the minima solve a weighted lasso; coordinate 2 is nonzero below tau_2 = eta^2."""
    with mpmath.workdps(50):
        Sigma = np.array([[mpmath.mpf(2), mpmath.mpf("0.7")], [mpmath.mpf("0.7"), mpmath.mpf(1)]], dtype=object)
        points = nonwhitened.search_critical_points(2, mpmath.mpf("0.5"), [mpmath.mpf(2), mpmath.mpf("0.2")], Sigma,
                                                   starts=100, seed=2, digits=30)
    minima = [p for p in points if p.kind == "minimum"]
    assert minima and all(p.gradient_norm < 1e-30 for p in points)
    lasso = np.array([2, 0.2]) - np.linalg.solve(np.array([[2, 0.7], [0.7, 1]]), 0.25 * np.array([2.0, 1.0]))
    for p in minima:
        assert np.allclose(np.abs(np.prod(np.array(p.W.tolist(), dtype=float), axis=0)), lasso, atol=1e-12)


@pytest.mark.parametrize("Sigma, message", [(np.array([[1.0, 0.2], [0.3, 1.0]]), "symmetric"),
                                            (np.array([[1.0, 2.0], [2.0, 1.0]]), "positive definite"),
                                            (np.eye(3), "shape")])
def test_bad_covariance_is_refused(Sigma, message):
    with pytest.raises(ValueError, match=message):
        nonwhitened.marginalized_loss(W, WSTAR, Sigma, 0.4)


def test_derivation_identities_two_layers():
    assert sp.expand(derivation.marginalized_loss_derived(2) - derivation.marginalized_loss_closed_form(2)) == 0
    assert derivation.balancing_identity(2) == 0
    assert sp.cancel(derivation.critical_equation(2, (1, -1), 1)["difference"]) == 0
    assert all(len(item) == 4 for item in derivation.formulas())
