"""numeric.linearized_sgd: enumerated batch law, exact moments of every order, the paper's recursion, Gelfand
spectral radius, boundary bisection, Thm 5's limit routes, simulation; bad input."""
import numpy as np
import pytest

from numeric import linearized_sgd as lsgd
from numeric.stability import closed_form, hessians, moment_recursion


@pytest.fixture(scope="module")
def regular():
    rng = np.random.default_rng(3)
    n, d = 5, 3
    X = np.zeros((n, d))
    X[:, :2] = rng.standard_normal((n, 2))
    g = rng.standard_normal((n, d))
    g -= g.mean(axis=0)
    return hessians.problem(features=X), g, rng.standard_normal(d)


def test_enumerate_batches():
    b = lsgd.enumerate_batches(5, 2)
    assert b.shape == (10, 2) and len({tuple(r) for r in b}) == 10
    with pytest.raises(ValueError, match="batch"):
        lsgd.enumerate_batches(5, 6)
    with pytest.raises(ValueError, match="exceed"):
        lsgd.enumerate_batches(40, 20)


def test_batch_average_is_the_mean_hessian(regular):
    prob, _, _ = regular
    for B in range(1, prob.n + 1):
        Hb, _ = lsgd.batch_hessians(prob, B)
        assert np.allclose(Hb.mean(axis=0), prob.mean_hessian(), atol=1e-14)


def test_exact_second_moment_matches_the_existing_recursion(regular):
    prob, g, theta0 = regular
    alpha = 0.6 * closed_form.threshold(prob, 2).threshold
    m = lsgd.exact_moments(lsgd.augmented_step_matrices(prob, 2, alpha, g), theta0, 15, orders=(1, 2))
    mu, S = moment_recursion.regular_moment_trajectory(prob, g, 2, alpha, 15, theta0=theta0)
    assert np.allclose(m[2].reshape(4, 4)[:3, :3], S, rtol=1e-12, atol=1e-13)
    assert np.allclose(m[1][:3], mu, atol=1e-13)
    Z = lsgd.regular_transition_matrix(prob, g, 2, alpha)
    z = np.linalg.matrix_power(Z, 15) @ np.concatenate([theta0, np.outer(theta0, theta0).ravel(), [1]])
    assert np.allclose(z[3:12].reshape(3, 3), S, rtol=1e-12, atol=1e-13)


def test_fourth_moment_variance_against_simulation(regular):
    prob, g, theta0 = regular
    alpha = 0.5 * closed_form.threshold(prob, 2).threshold
    A = lsgd.augmented_step_matrices(prob, 2, alpha, g)
    mean, var = lsgd.quadratic_statistic_moments(lsgd.exact_moments(A, theta0, 5, orders=(2, 4)), np.eye(3))
    theta = lsgd.simulate_batches(A, theta0, 5, 200_000, seed=1)
    q = np.sum(theta**2, axis=1)
    assert abs(q.mean() - mean) < 6 * np.sqrt(var / q.size)
    assert abs(q.var() / var - 1) < 0.05


def test_linear_statistic_moments(regular):
    prob, g, theta0 = regular
    A = lsgd.augmented_step_matrices(prob, 1, 0.3, g)
    m = lsgd.exact_moments(A, theta0, 1, orders=(1, 2))
    mean, var = lsgd.linear_statistic_moments(m, np.eye(3)[0])
    values = (A[:, :3, :3] @ theta0 + A[:, :3, 3])[:, 0]
    assert np.isclose(mean, values.mean()) and np.isclose(var, values.var())


def test_log_spectral_radius_and_boundary():
    M = np.array([[0.5, 3.0], [0.0, -1.2]])  # non-normal: Gelfand, not the norm
    assert abs(lsgd.log_spectral_radius(M) - np.log(1.2)) < 1e-12
    assert lsgd.log_spectral_radius(np.zeros((2, 2))) == float("-inf")
    assert abs(lsgd.stability_boundary(lambda a: a <= 0.37, start=5.0) - 0.37) < 1e-12


def test_mean_boundary_is_the_gd_threshold(regular):
    prob, _, _ = regular
    found = lsgd.stability_boundary(lambda a: lsgd.log_spectral_radius(lsgd.mean_step_matrix(prob, 2, a)) <= 1e-12)
    assert abs(found * np.linalg.eigvalsh(prob.mean_hessian()).max() / 2 - 1) < 1e-9


def test_limit_covariance_routes_agree(regular):
    prob, g, _ = regular
    alpha = 0.8 * closed_form.threshold(prob, 2).threshold
    cg = closed_form.regular_limit_covariance(prob, g, 2, alpha)
    assert np.allclose(lsgd.dense_limit_covariance(prob, g, 2, alpha), cg, rtol=1e-10, atol=1e-12)
    h = np.abs(np.random.default_rng(0).standard_normal((5, 3)))
    commuting = hessians.problem(hessians=np.einsum("ni,ij->nij", h, np.eye(3)))
    a = 0.5 * closed_form.threshold(commuting, 2).threshold
    assert np.allclose(lsgd.commuting_limit_covariance(h, g, 2, a), lsgd.dense_limit_covariance(commuting, g, 2, a),
                       rtol=1e-10, atol=1e-13)


def test_taylor_limits(regular):
    prob, _, _ = regular
    S = np.diag([1.0, 2.0, 0.0])
    out = lsgd.taylor_limits(prob, S)
    H = prob.mean_hessian()
    assert np.isclose(out["distance"], 3.0) and np.isclose(out["loss"], np.trace(H @ S) / 2)
    assert np.isclose(out["gradient"], np.trace(H @ H @ S))


def test_range_projector(regular):
    prob, _, _ = regular
    P = lsgd.range_projector(prob)
    assert np.allclose(P @ P, P) and np.isclose(np.trace(P), 2) and np.allclose(P[2], 0)


def test_simulation_is_seeded(regular):
    prob, g, theta0 = regular
    A = lsgd.augmented_step_matrices(prob, 2, 0.2, g)
    assert np.array_equal(lsgd.simulate_batches(A, theta0, 3, 10, 5), lsgd.simulate_batches(A, theta0, 3, 10, 5))


def test_bad_input(regular):
    prob, g, theta0 = regular
    with pytest.raises(ValueError, match="grads"):
        lsgd.augmented_step_matrices(prob, 2, 0.1, g + 1.0)
    with pytest.raises(ValueError, match="alpha"):
        lsgd.augmented_step_matrices(prob, 2, -0.1, g)
    with pytest.raises(ValueError, match="theta0"):
        lsgd.exact_moments(lsgd.augmented_step_matrices(prob, 2, 0.1, g), np.zeros(2), 3)
    with pytest.raises(ValueError, match="order"):
        lsgd.exact_moments(lsgd.augmented_step_matrices(prob, 2, 0.1, g), theta0, 3, orders=(5,))
    with pytest.raises(ValueError, match="diagonals"):
        lsgd.commuting_limit_covariance(-np.ones((3, 2)), np.zeros((3, 2)), 1, 0.1)
    with pytest.raises(ValueError, match="square"):
        lsgd.log_spectral_radius(np.ones((2, 3)))
    with pytest.raises(ValueError, match="start"):
        lsgd.stability_boundary(lambda a: True, start=-1.0)
