"""numeric.dense_marginalized: the dense L_R, its gradient, S-SAM draws, exact moments, critical points."""
import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import dense as dd
from numeric import dense_marginalized as dm
from numeric import model


def random_network(rng, dims, scale=1.0):
    layers = [scale * rng.standard_normal((dims[l + 1], dims[l])) for l in range(len(dims) - 1)]
    return layers, rng.standard_normal((dims[-1], dims[0]))


def flat(arrays):
    return np.concatenate([np.ravel(a) for a in arrays])


@pytest.mark.parametrize("dims", [(3, 2, 1), (2, 3, 2), (2, 2, 2, 2), (1, 3, 1, 2, 2)])
def test_gradient_matches_finite_differences(dims):
    rng = np.random.default_rng(1)
    layers, wstar = random_network(rng, dims)
    landscape = dm.DenseLandscape(dims, wstar, 0.4)
    x = flat(layers)
    h = 1e-6
    fd = np.array([(landscape.value(x + h * e) - landscape.value(x - h * e)) / (2 * h) for e in np.eye(x.size)])
    assert np.allclose(flat(dm.grad_dense_marginalized_loss(layers, wstar, 0.4)), fd, rtol=1e-6, atol=1e-7)
    def loss(v):
        return dm.dense_loss(landscape.layers(v), wstar)

    loss_fd = np.array([(loss(x + h * e) - loss(x - h * e)) / (2 * h) for e in np.eye(x.size)])
    assert np.allclose(flat(dm.grad_dense_loss(layers, wstar)), loss_fd, rtol=1e-6, atol=1e-7)


def test_parts_add_up_and_two_layer_closed_form():
    rng = np.random.default_rng(2)
    layers, wstar = random_network(rng, (3, 2, 4))
    eta = 0.3
    R = dm.dense_regularizer(layers, eta)
    assert np.isclose(dm.dense_marginalized_loss(layers, wstar, eta), dm.dense_loss(layers, wstar) + R)
    d0, d1, d2 = 3, 2, 4
    expected = eta**2 * (d0 * np.sum(layers[1] ** 2) + d2 * np.sum(layers[0] ** 2)) + eta**4 * d0 * d1 * d2
    assert np.isclose(R, expected)
    assert dm.dense_regularizer(layers, 0.0) == pytest.approx(0.0, abs=1e-12)
    # the prefix and suffix recursions give the same E||P~||^2 at every interface
    N, M = dm.noisy_prefix_moments(layers, eta), dm.noisy_suffix_moments(layers, eta)
    totals = [np.trace(M[j] @ N[j]) for j in range(len(N))]
    assert np.allclose(totals, totals[0])


def test_width_one_chain_is_the_diagonal_model():
    rng = np.random.default_rng(3)
    W = rng.standard_normal((4, 1))
    layers = [W[l].reshape(1, 1) for l in range(4)]
    wstar = np.array([1.3])
    assert np.isclose(dm.dense_marginalized_loss(layers, wstar, 0.5), model.marginalized_loss(W, wstar, 0.5))


def test_mpmath_arrays_evaluate_at_their_precision():
    rng = np.random.default_rng(4)
    layers, wstar = random_network(rng, (2, 2, 2))
    with mpmath.workdps(40):
        layers_mp = [np.array([[mpmath.mpf(float(v)) for v in row] for row in W], dtype=object) for W in layers]
        value = dm.dense_marginalized_loss(layers_mp, wstar.astype(object), mpmath.mpf("0.3"))
        assert isinstance(value, mpmath.mpf)
        assert abs(float(value) - dm.dense_marginalized_loss(layers, wstar, 0.3)) < 1e-12


def test_noisy_draws_average_to_L_R_and_are_reproducible():
    rng = np.random.default_rng(5)
    layers, wstar = random_network(rng, (2, 2, 1), scale=0.7)
    x = dm.dense_noisy_losses(layers, wstar, 0.3, 200_000, seed=11)
    mean, second = dm.dense_loss_exact_moments(layers, wstar, 0.3)
    assert mean == pytest.approx(dm.dense_marginalized_loss(layers, wstar, 0.3), rel=1e-12)
    assert abs(x.mean() - mean) < 6 * np.sqrt((second - mean**2) / x.size)
    assert np.array_equal(x, dm.dense_noisy_losses(layers, wstar, 0.3, 200_000, seed=11))
    a = dm.dense_noisy_loss_group_means(layers, wstar, 0.3, 5, 1000, seed=7)
    assert np.array_equal(a, dm.dense_noisy_loss_group_means(layers, wstar, 0.3, 5, 1000, seed=7))
    assert not np.array_equal(a, dm.dense_noisy_loss_group_means(layers, wstar, 0.3, 5, 1000, seed=8))


def test_exact_second_moment_matches_gaussian_moments():
    """E X^2 by the fourth-moment recursion against the symbolic moment rule on a small network."""
    dims = (2, 1, 2)
    s = dd.dense_symbols(dims)
    rng = np.random.default_rng(6)
    layers, wstar = random_network(rng, dims)
    eta = sp.Rational(7, 10)
    values = {**dict(zip(s.wstar, wstar.ravel())), **{w: v for W, L in zip(s.W, layers) for w, v in zip(W, L.ravel())}}
    values = {k: sp.Rational(float(v)) for k, v in values.items()}  # exact binary values
    noisy = [(W + G).xreplace(values) for W, G in zip(s.W, s.G)]
    X = dd.frobenius_squared(s.wstar.xreplace(values) - dd.end_to_end(noisy))
    symbolic = dd.layerwise_gaussian_expectation(X**2, [list(G) for G in s.G], eta)
    _, second = dm.dense_loss_exact_moments(layers, wstar, 0.7)
    assert second == pytest.approx(float(symbolic), rel=1e-12)


def test_balance_laws():
    rng = np.random.default_rng(7)
    layers, _ = random_network(rng, (3, 2, 2))
    for (left, right), gap in zip(dm.balance_sides(layers), dm.balance_gaps(layers)):
        assert np.allclose(right - left, gap)
    for (left, right), gap in zip(dm.weighted_balance_sides(layers, 0.2), dm.weighted_balance_gaps(layers, 0.2)):
        assert np.allclose(left - right, gap)
    assert dm.relative_gaps([(np.eye(2), np.eye(2))]) == [0.0]
    assert dm.relative_gaps([(np.eye(2), -np.eye(2))]) == [1.0]


def test_diagonal_landscape_matches_the_model_and_hessian_is_symmetric():
    landscape = dm.DiagonalLandscape(3, [1.5, 0.6], 0.3)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, landscape.size))
    W = x[1].reshape(3, 2)
    assert np.allclose(landscape.gradient(x)[1], model.grad_marginalized_loss(W, [1.5, 0.6], 0.3).ravel())
    assert landscape.value(x[1]) == pytest.approx(model.marginalized_loss(W, [1.5, 0.6], 0.3))
    H = dm.hessian(landscape, x[1])
    assert np.allclose(H, H.T)
    assert np.allclose(landscape.layers(x[1])[0], np.diag(W[0]))


def test_search_and_polish_find_certified_critical_points():
    landscape = dm.DenseLandscape((2, 2, 2), [[1.5, 0.4], [-0.3, 0.9]], 0.3)
    points, report = dm.search_critical_points(landscape, 8, seed=3)
    assert report["converged"] == 8 and points
    x_mp, residual, steps = dm.polish(landscape, points[0])
    point = dm.measure(landscape, x_mp, residual, steps)
    assert point.converged and point.residual <= 1e-40 and max(point.law_gap) < 1e-30
    assert max(point.relative_imbalance) < 1e-30  # L = 2 with d_0 = d_2: balanced (eq D6)
    assert point.index == 0 and point.zero_modes == 1  # the O(2) orbit of the hidden layer


@pytest.mark.parametrize("call, message", [
    (lambda: dm.dense_loss([np.ones((2, 3))], np.ones((2, 3))), "at least 2 matrices"),
    (lambda: dm.dense_loss([np.ones((2, 3)), np.ones((2, 3))], np.ones((2, 3))), r"layers\[1\] must have 2 columns"),
    (lambda: dm.dense_loss([np.ones((2, 3)), np.ones((1, 2))], np.ones((2, 3))), r"wstar must have shape \(d_L, d_0\)"),
    (lambda: dm.dense_regularizer([np.ones((2, 3)), np.full((1, 2), np.nan)], 0.1), "finite"),
    (lambda: dm.dense_regularizer([np.ones((2, 3)), np.ones((1, 2))], -0.1), "eta"),
    (lambda: dm.dense_noisy_losses([np.ones((2, 3)), np.ones((1, 2))], np.ones(3), 0.1, 0), "m must be >= 1"),
    (lambda: dm.DenseLandscape((2, 0, 1), np.ones((1, 2)), 0.1), "dims"),
    (lambda: dm.search_critical_points(dm.DiagonalLandscape(3, [1.0], 0.3), 4, 0, method="bfgs"), "method"),
    (lambda: dm.search_critical_points(dm.DiagonalLandscape(3, [1.0], 0.3), 4, 0, scale=-1.0), "scale"),
    (lambda: dm.polish(dm.DiagonalLandscape(3, [1.0], 0.3), np.zeros(4)), "3 parameters"),
    (lambda: dm.polish(dm.DiagonalLandscape(3, [1.0], 0.3), np.zeros(3), digits=30, residual_digits=40),
     "residual_digits"),
])
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
