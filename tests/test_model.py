"""numeric.model: gradients and Hessians against finite differences, edge cases, validation."""
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric import model

finite = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


def weights(L, d):
    return st.lists(finite, min_size=L * d, max_size=L * d).map(lambda v: np.array(v).reshape(L, d))


@st.composite
def points(draw):
    L = draw(st.integers(2, 6))
    d = draw(st.integers(1, 3))
    W = draw(weights(L, d))
    wstar = np.array(draw(st.lists(finite, min_size=d, max_size=d)))
    eta = draw(st.floats(0.05, 1.5))
    return W, wstar, eta


def _fd_grad(f, W, h=1e-6):
    g = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        e = np.zeros_like(W)
        e[idx] = h
        g[idx] = (f(W + e) - f(W - e)) / (2 * h)
    return g


@settings(max_examples=40, deadline=None)
@given(points())
def test_gradient_matches_finite_differences(p):
    W, wstar, eta = p
    g = model.grad_marginalized_loss(W, wstar, eta)
    fd = _fd_grad(lambda V: model.marginalized_loss(V, wstar, eta), W)
    assert np.allclose(g, fd, rtol=1e-5, atol=1e-5 * (1 + np.abs(g).max()))


@settings(max_examples=30, deadline=None)
@given(points())
def test_hessian_matches_finite_differences_of_gradient(p):
    W, wstar, eta = p
    L, d = W.shape
    H = model.hessian_marginalized_loss(W, wstar, eta)  # (d, L, L)
    h = 1e-6
    for a in range(L):
        e = np.zeros_like(W)
        e[a] = h
        col = (model.grad_marginalized_loss(W + e, wstar, eta) - model.grad_marginalized_loss(W - e, wstar, eta)) / (2 * h)
        # perturbing layer a in every coordinate at once is fine: the Hessian is block diagonal
        assert np.allclose(col.T, H[:, :, a], rtol=1e-5, atol=1e-4 * (1 + np.abs(H).max()))


def test_loss_parts_add_up_and_regularizer_constant():
    rng = np.random.default_rng(1)
    W, wstar, eta = rng.standard_normal((3, 4)), rng.standard_normal(4), 0.7
    assert model.marginalized_loss(W, wstar, eta) == pytest.approx(
        model.loss(W, wstar) + model.regularizer(W, eta))
    assert model.average_sharpness(W, wstar, eta) == pytest.approx(model.regularizer(W, eta))
    by_coordinate = model.regularizer_by_coordinate(W, eta)
    assert by_coordinate.shape == (4,) and np.sum(by_coordinate) == pytest.approx(model.regularizer(W, eta))
    assert by_coordinate[1] == pytest.approx(model.regularizer(W[:, 1:2], eta))
    # at W = 0 only the constant d eta^{2L} of eq 7 remains
    assert model.regularizer(np.zeros((3, 4)), eta) == pytest.approx(4 * eta**6)


def test_products_excluding_exact_with_zeros():
    W = np.array([[0.0, 2.0], [3.0, 0.0], [5.0, 7.0]])
    out = model.products_excluding(W)
    assert np.array_equal(out, np.array([[15.0, 0.0], [0.0, 14.0], [0.0, 0.0]]))
    batch = np.stack([W, 2 * W])
    assert np.array_equal(model.products_excluding(batch)[1], 4 * out)


def test_mpmath_object_arrays_give_high_precision():
    with mpmath.workdps(40):
        W = np.array([[mpmath.mpf(1) / 3, mpmath.mpf(2)], [mpmath.mpf(-1) / 7, mpmath.mpf(5) / 11]], dtype=object)
        ws = np.array([mpmath.mpf(1), mpmath.mpf(-2)], dtype=object)
        eta = mpmath.mpf(1) / 2
        val = model.marginalized_loss(W, ws, eta)
        exact = mpmath.mpf(0)
        for h in range(2):
            p = W[0, h] * W[1, h]
            exact += (ws[h] - p) ** 2 + (W[0, h] ** 2 + eta**2) * (W[1, h] ** 2 + eta**2) - p**2
        assert abs(val - exact) < mpmath.mpf(10) ** -38


@pytest.mark.parametrize("bad, match", [
    (np.ones(3), "shape"),
    (np.ones((1, 3)), "depth must be >= 2"),
    (np.ones((2, 0)), "width must be >= 1"),
    (np.array([[1.0, np.nan], [1.0, 1.0]]), "finite"),
    (np.array([[1.0, np.inf], [1.0, 1.0]]), "finite"),
])
def test_bad_weights_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        model.loss(bad, np.ones(bad.shape[-1] if bad.ndim == 2 and bad.shape[-1] else 1))


@pytest.mark.parametrize("eta", [-1.0, float("nan"), float("inf")])
def test_bad_eta_is_refused(eta):
    with pytest.raises(ValueError, match="eta must be finite and >= 0"):
        model.grad_marginalized_loss(np.ones((2, 2)), np.ones(2), eta)


def test_eta_zero_allowed_for_the_unregularized_loss_but_not_as_a_noise_level():
    from numeric import check_eta

    assert model.regularizer(np.ones((2, 2)), 0.0) == 0.0
    with pytest.raises(ValueError, match="eta must be finite and > 0"):
        check_eta(0.0)


def test_wstar_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="wstar must have length 3"):
        model.loss(np.ones((2, 3)), np.ones(2))
