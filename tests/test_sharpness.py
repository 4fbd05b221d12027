import numpy as np
import pytest

from numeric.sharpness import dense_minimizers, dense_network, diagonal_network, minimizer_bounds


def test_hvp_matches_finite_differences():
    rng = np.random.default_rng(0)
    Sigma = np.diag([2.0, 1.0, 0.5])
    ws = np.array([0.3, 1.0, -0.5])
    Ws = [rng.standard_normal((4, 3)), rng.standard_normal((4, 4)), rng.standard_normal((1, 4))]
    p = np.array([1.0])
    V = [rng.standard_normal(W.shape) for W in Ws]
    h = 1e-6
    gp = dense_network.flatten(dense_network.dense_grad([W + h * v for W, v in zip(Ws, V)], p, Sigma, ws))
    gm = dense_network.flatten(dense_network.dense_grad([W - h * v for W, v in zip(Ws, V)], p, Sigma, ws))
    hvp = dense_network.flatten(dense_network.dense_hvp(Ws, p, Sigma, ws, V))
    assert np.allclose((gp - gm) / (2 * h), hvp, atol=1e-6)
    assert dense_network.dense_sharpness(Ws, p, Sigma, ws, "eigh") == pytest.approx(
        dense_network.dense_sharpness(Ws, p, Sigma, ws, "lanczos"), rel=1e-8)


def test_diagonal_full_hessian_and_minimum():
    ws = np.array([1.5, -0.4, 0.8])
    for L in (2, 3, 5):
        W = diagonal_network.balanced_minimizer(ws, L)
        assert diagonal_network.diagonal_sharpness(W, ws, method="dense") == pytest.approx(
            diagonal_network.diagonal_minimal_sharpness(ws, L))
        H = diagonal_network.diagonal_hessian(W, ws, eta=0.1)
        assert np.allclose(H, H.T)


def test_whitened_dense_minimum():
    ws = np.array([0.6, -0.8, 0.2])
    for L in (2, 3, 4):
        Ws, p = dense_minimizers.balanced_dense_minimizer(ws, L, 3)
        val = 2 * L * np.linalg.norm(ws) ** (2 - 2 / L)
        assert dense_network.dense_sharpness(Ws, p, np.eye(3), ws) == pytest.approx(val, rel=1e-10)
        assert minimizer_bounds.lower_bound(np.eye(3), ws, L) == pytest.approx(val)


def test_per_sample_features_mean():
    from numeric.data import whitened_data
    ws = np.array([1.0, 0.5])
    X, _ = whitened_data(8, ws, seed=0)
    W = diagonal_network.balanced_minimizer(ws, 3)
    F = diagonal_network.diagonal_per_sample_features(W, X)
    assert np.allclose(F.T @ F / 8, diagonal_network.diagonal_hessian(W, ws), atol=1e-12)


def test_gradient_flow_factor_is_upper_over_lower():
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    Sigma = Q @ np.diag([5.0, 2.0, 1.0]) @ Q.T
    ws = rng.standard_normal(3)
    for L in (2, 3, 5):
        f = minimizer_bounds.gradient_flow_factor(Sigma, ws, L)
        lower = minimizer_bounds.lower_bound(Sigma, ws, L)
        assert f == pytest.approx(minimizer_bounds.upper_bound(Sigma, ws, L) / lower, rel=1e-12)
        assert minimizer_bounds.balanced_sharpness(Sigma, ws, L) / lower <= f * (1 + 1e-12)
        assert 1 <= f <= 5.0
        # w* a top eigenvector: factor 1
        assert minimizer_bounds.gradient_flow_factor(Sigma, Q[:, 0], L) == pytest.approx(1.0, rel=1e-12)
    with pytest.raises(ValueError, match="Sigma"):
        minimizer_bounds.gradient_flow_factor(np.eye(2), ws, 2)
    with pytest.raises(ValueError):
        minimizer_bounds.gradient_flow_factor(Sigma, ws, 0)


def test_lower_bound_slack_certifies_near_minimizers():
    rng = np.random.default_rng(4)
    Sigma = np.diag([3.0, 1.0, 0.5])
    ws = np.array([0.4, 1.0, -0.7])
    Ws, p = dense_minimizers.balanced_dense_minimizer(ws, 3, 3)
    assert minimizer_bounds.lower_bound_slack(Ws, p, Sigma, ws) < 1e-13  # exact minimizer
    for eps in (1e-6, 1e-3, 1e-2):
        Wp = [W + eps * rng.standard_normal(W.shape) for W in Ws]
        slack = minimizer_bounds.lower_bound_slack(Wp, p, Sigma, ws)
        assert 0 < slack < 100 * eps
        assert dense_network.dense_sharpness(Wp, p, Sigma, ws) / minimizer_bounds.lower_bound(Sigma, ws, 3) >= 1 - slack


def test_package_reexports_the_concept_modules():
    """``from numeric import sharpness as sh; sh.diagonal_sharpness`` (used by code outside the package) is the
    concept module's object, for every public name of the former numeric/sharpness.py."""
    import numeric.sharpness as package

    modules = (dense_minimizers, dense_network, diagonal_network, minimizer_bounds)
    assert len(package.__all__) == len(set(package.__all__)) == sum(len(m.__all__) for m in modules)
    assert {"diagonal_sharpness", "diagonal_minimal_sharpness", "diagonal_hessian", "lower_bound",
            "gradient_flow_factor", "dense_sharpness"} <= set(package.__all__)  # used outside the package
    for name in package.__all__:
        (owner,) = [m for m in modules if name in m.__all__]
        assert getattr(package, name) is getattr(owner, name), name


def test_parametrized_dense_minimizer_covers_minimizers():
    rng = np.random.default_rng(3)
    wstar = np.array([0.4, -1.1, 0.7])
    for L, width in ((2, 3), (3, 2), (4, 2)):
        n = dense_minimizers.parameter_count(L, width, 3)
        assert n == (L - 1) * width * width + width * 3
        Ws, p = dense_minimizers.parametrized_dense_minimizer(rng.normal(size=n), wstar, L, width)
        np.testing.assert_allclose(dense_network.dense_product(Ws, p), wstar, atol=1e-12)
        assert dense_network.dense_loss(Ws, p, np.eye(3), wstar) < 1e-24
    with pytest.raises(ValueError, match="vanishes"):
        dense_minimizers.parametrized_dense_minimizer(np.zeros(dense_minimizers.parameter_count(2, 2, 3)), wstar, 2, 2)
    with pytest.raises(ValueError, match="x must have length"):
        dense_minimizers.parametrized_dense_minimizer(np.zeros(3), wstar, 2, 2)


def test_lower_bound_attained_iff_aligned_with_top_eigenvector():
    """2 L (w*^T Sigma w*)/||w*||^{2/L} is the balanced sharpness when w* is a top eigenvector of Sigma."""
    Q, _ = np.linalg.qr(np.random.default_rng(2).normal(size=(3, 3)))
    Sigma = Q @ np.diag([5.0, 2.0, 1.0]) @ Q.T
    for L in (2, 3):
        aligned = 1.3 * Q[:, 0]
        Ws, p = dense_minimizers.balanced_dense_minimizer(aligned, L, 3)
        assert dense_network.dense_sharpness(Ws, p, Sigma, aligned) == pytest.approx(
            minimizer_bounds.lower_bound(Sigma, aligned, L), rel=1e-12)
        other = 1.3 * (Q[:, 0] + Q[:, 2]) / np.sqrt(2)
        assert minimizer_bounds.balanced_sharpness(Sigma, other, L) > 1.05 * minimizer_bounds.lower_bound(Sigma, other, L)
