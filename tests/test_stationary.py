"""numeric.stationary and derivations.stationary: exact noise moments, Lyapunov predictions, validation."""
import math

import numpy as np
import pytest
import sympy as sp
from scipy.linalg import solve_discrete_lyapunov

from derivations import stationary as derivation
from numeric import model, stationary
from numeric.data import whitened_data
from numeric.noisy import noisy_gradients

W2 = np.array([[0.8], [-0.6]])
X2 = np.array([[1.0], [-1.0]])


def test_moments_mean_and_hessian_are_those_of_L_R():
    X, Y = whitened_data(6, np.array([0.7, -1.2]), seed=3)
    W = np.array([[0.5, -0.9], [1.1, 0.4]])
    moments = stationary.noise_moments(W, X, Y, 0.4)
    assert np.allclose(moments.mean, model.grad_marginalized_loss(W, np.array([0.7, -1.2]), 0.4).ravel(), atol=1e-12)
    blocks = model.hessian_marginalized_loss(W, np.array([0.7, -1.2]), 0.4)
    H = moments.H.reshape(2, 2, 2, 2)
    for h in range(2):
        assert np.allclose(H[:, h, :, h], blocks[h], atol=1e-12)


def test_noise_covariance_matches_sampled_gradients():
    X, Y = whitened_data(6, np.array([0.7, -1.2]), seed=3)
    W = np.array([[0.5, -0.9], [1.1, 0.4]])
    moments = stationary.noise_moments(W, X, Y, 0.4)
    draws = noisy_gradients(W, X, Y, 0.4, 200_000, seed=1).reshape(200_000, -1)
    assert np.allclose(np.cov(draws.T), moments.Q, rtol=0.05, atol=0.05 * np.abs(moments.Q).max())


def test_quadrature_equals_gaussian_moment_derivation_exactly():
    exact = derivation.noise_moments(2)
    s = exact["symbols"]
    values = {s.w[0]: sp.Rational(4, 5), s.w[1]: sp.Rational(-3, 5), s.wstar: 1, s.eta: sp.Rational(1, 2),
              derivation.mu4: 1}
    moments = stationary.noise_moments(W2, X2, X2 @ np.array([1.0]), 0.5)
    assert np.allclose(moments.Q, np.array(exact["Q"].subs(values).tolist(), dtype=float), rtol=1e-13, atol=1e-13)


def test_plain_prediction_is_the_discrete_lyapunov_solution():
    moments = stationary.noise_moments(np.full((2, 1), math.sqrt(0.75)), X2, X2 @ np.array([1.0]), 0.5)
    alpha = 0.02
    A = np.eye(2) - alpha * moments.H
    assert np.allclose(stationary.stationary_second_moment(moments, alpha, multiplicative=False),
                       solve_discrete_lyapunov(A, alpha ** 2 * moments.Q), rtol=1e-10)
    mean_square = stationary.stationary_second_moment(moments, alpha)
    assert np.all(np.linalg.eigvalsh(mean_square) > 0)


def test_stability_thresholds_and_burn_in():
    moments = stationary.noise_moments(np.full((2, 1), math.sqrt(0.75)), X2, X2 @ np.array([1.0]), 0.5)
    plain = stationary.mean_square_stability_threshold(moments, multiplicative=False)
    assert plain == pytest.approx(2 / np.max(np.linalg.eigvalsh(moments.H)), rel=1e-8)
    mean_square = stationary.mean_square_stability_threshold(moments)
    assert 0 < mean_square < plain
    with pytest.raises(ValueError, match="alpha must be below"):
        stationary.stationary_second_moment(moments, 1.01 * mean_square)
    assert stationary.burn_in_steps(moments, 0.01, 1e-3) > stationary.burn_in_steps(moments, 0.02, 1e-3)


def test_whitened_second_moments_are_identity_for_matching_samples():
    rng = np.random.default_rng(0)
    S = np.array([[2.0, 0.3], [0.3, 0.5]])
    deviations = rng.multivariate_normal(np.zeros(2), S, size=100_000)
    estimate, standard_error, _ = stationary.whitened_second_moments(deviations, S)
    assert np.all(np.abs(estimate - np.array([1.0, 0.0, 1.0])) < 6 * standard_error)


@pytest.mark.parametrize("call, message", [
    (lambda: stationary.noise_moments(np.ones((3, 3)), np.eye(3) * math.sqrt(3), np.ones(3), 0.5), "depth \\* width"),
    (lambda: stationary.noise_moments(W2, np.array([[2.0], [1.0]]), np.ones(2), 0.5), "whitened"),
    (lambda: stationary.noise_moments(W2, X2, np.ones(2), -1.0), "eta"),
    (lambda: stationary.stationary_deviations(W2, X2, np.ones(2), 0.5, 0.01, 1, 5), "runs"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_drift_identity_and_two_layer_closed_forms():
    for L in (2, 3):
        drift = derivation.balance_drift_identity(L)
        assert drift["difference"] == 0 and drift["mean_is_grad_L_R"]
    spread = derivation.two_layer_spread()
    a, eta = spread["a"], spread["eta"]
    assert sp.simplify(spread["lambda_b"] - 4 * a ** 2) == 0 and sp.simplify(spread["lambda_i"] - 4 * eta ** 2) == 0
    assert spread["cross_terms"] == (0, 0)
    assert all(len(item) == 4 for item in derivation.formulas())
