"""numeric.data and numeric.noisy: whitening, determinism, shapes, validation."""
import numpy as np
import pytest

from numeric import data, model, noisy


def test_whitened_data_is_whitened_and_seeded():
    X, Y = data.whitened_data(20, np.array([1.0, -2.0, 0.5]), seed=3)
    assert np.allclose(X.T @ X / 20, np.eye(3), atol=1e-12)
    assert np.allclose(Y, X @ np.array([1.0, -2.0, 0.5]))
    X2, _ = data.whitened_data(20, np.array([1.0, -2.0, 0.5]), seed=3)
    assert np.array_equal(X, X2)


def test_non_whitened_data_is_refused():
    X = np.random.default_rng(0).standard_normal((30, 2))
    with pytest.raises(ValueError, match="X must be whitened"):
        noisy.noisy_gradients(np.ones((2, 2)), X, X @ np.ones(2), 0.5, 10)


def test_too_few_samples_refused():
    with pytest.raises(ValueError, match="n must be >= 3"):
        data.whitened_data(2, np.ones(3))


def test_noisy_gradients_shape_determinism_and_input_untouched():
    W = np.array([[1.0, 0.5], [-0.3, 2.0], [0.7, 0.1]])
    X, Y = data.whitened_data(8, np.array([1.0, 1.0]), seed=0)
    G1 = noisy.noisy_gradients(W, X, Y, 0.3, 50, seed=7)
    G2 = noisy.noisy_gradients(W, X, Y, 0.3, 50, seed=7)
    assert G1.shape == (50, 3, 2) and np.array_equal(G1, G2)
    Wt = noisy.perturb(W, 0.3, 4, seed=1)
    keep = Wt.copy()
    noisy.noisy_gradients_from(Wt, X[:4], Y[:4])
    assert np.array_equal(Wt, keep)


def test_eta_zero_and_one_sample_equals_sgd_gradient():
    W = np.array([[1.0, 0.5], [-0.3, 2.0]])
    X, Y = data.whitened_data(5, np.array([0.3, -1.0]), seed=2)
    g = noisy.noisy_gradients_from(W[None], X[:1], Y[:1])[0]
    resid = Y[0] - X[0] @ np.prod(W, axis=0)
    assert np.allclose(g, -2 * resid * model.products_excluding(W) * X[0])


def test_moments_do_not_depend_on_thread_count():
    W = np.array([[1.0, 0.5], [-0.3, 2.0]])
    X, Y = data.whitened_data(5, np.array([0.3, -1.0]), seed=2)
    a = noisy.noisy_gradient_moments(W, X, Y, 0.4, 5000, seed=11, chunk=1000, workers=1)
    b = noisy.noisy_gradient_moments(W, X, Y, 0.4, 5000, seed=11, chunk=1000, workers=2)
    assert np.array_equal(a.mean, b.mean) and np.array_equal(a.var, b.var)


@pytest.mark.parametrize("seed, match", [(-1, "seed must be >= 0"), (2.5, "seed must be an integer")])
def test_bad_seeds_are_refused(seed, match):
    with pytest.raises(ValueError, match=match):
        data.whitened_data(5, np.ones(2), seed=seed)
    with pytest.raises(ValueError, match=match):
        noisy.noisy_losses(np.ones((2, 2)), np.ones(2), 0.5, 10, seed=seed)


def test_none_arguments_are_refused_with_their_name():
    with pytest.raises(ValueError, match="eta"):
        model.grad_marginalized_loss(np.ones((2, 2)), np.ones(2), None)
    with pytest.raises(ValueError, match="wstar"):
        model.loss(np.ones((2, 2)), None)


def test_quadrature_means_are_exact_and_independent_of_the_regularizer():
    rng = np.random.default_rng(5)
    for L, d in [(2, 1), (3, 3), (4, 2)]:
        W, wstar, eta = rng.standard_normal((L, d)), rng.standard_normal(d), 0.6
        X, Y = data.whitened_data(2 * d + 1, wstar, seed=2)
        assert np.allclose(noisy.quadrature_mean_noisy_gradient(W, X, Y, eta),
                           model.grad_marginalized_loss(W, wstar, eta), rtol=1e-11, atol=1e-11)
        assert noisy.quadrature_mean_perturbed_loss(W, wstar, eta) == pytest.approx(
            model.marginalized_loss(W, wstar, eta), rel=1e-12)
        # eta = 0: the SGD mean and the loss itself
        assert np.allclose(noisy.quadrature_mean_noisy_gradient(W, X, Y, 0.0), model.grad_loss(W, wstar), atol=1e-12)


def test_quadrature_refuses_too_many_weights():
    W = np.ones((6, 3))
    X, Y = data.whitened_data(4, np.ones(3), seed=1)
    with pytest.raises(ValueError, match="L \\* d must be <= 16"):
        noisy.quadrature_mean_noisy_gradient(W, X, Y, 0.5)
