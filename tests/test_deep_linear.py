"""Unit tests of numeric.deep_linear and derivations.deep_linear (Marion & Chizat, seed 003)."""
import numpy as np
import pytest
import sympy as sp

from derivations import deep_linear as dld
from numeric import deep_linear as dl
from numeric.sharpness import dense_network


def _problem(seed=0, d=3, widths=(3, 2, 1), scale=0.7):
    rng = np.random.default_rng(seed)
    Ws = [scale * rng.standard_normal(s) for s in dl.layer_shapes(d, widths)]
    Sigma = dl.covariance_with_spectrum(np.geomspace(3, 1, d), seed=seed)
    return Ws, np.ones(widths[-1]), Sigma, rng.standard_normal(d)


def test_gradient_matches_finite_differences_and_existing_gradient():
    Ws, p, Sigma, wstar = _problem()
    risk, grads = dl.excess_risk_and_gradient(Ws, p, Sigma, wstar)
    assert np.isclose(risk, dense_network.dense_loss(Ws, p, Sigma, wstar))
    for g, h in zip(grads, dense_network.dense_grad(Ws, p, Sigma, wstar)):
        assert np.allclose(g, h, rtol=1e-12, atol=1e-14)
    k, (i, j), step = 1, (0, 1), 1e-6
    plus = [W.copy() for W in Ws]
    minus = [W.copy() for W in Ws]
    plus[k][i, j] += step
    minus[k][i, j] -= step
    numeric = (dense_network.dense_loss(plus, p, Sigma, wstar) - dense_network.dense_loss(minus, p, Sigma, wstar)) / (
        2 * step)
    assert np.isclose(grads[k][i, j], numeric, rtol=1e-6)


def test_batched_gradient_equals_single_networks():
    nets = [_problem(seed) for seed in range(3)]
    Sigma, wstar = nets[0][2], nets[0][3]
    batch = [np.stack([n[0][k] for n in nets]) for k in range(3)]
    grads, w = dl.network.batched_gradient(batch, np.ones(1), Sigma, wstar)
    for b, n in enumerate(nets):
        single = dl.excess_risk_and_gradient(n[0], np.ones(1), Sigma, wstar)[1]
        assert all(np.allclose(grads[k][b], single[k]) for k in range(3))
    theta = dl.flatten_batch(batch)
    assert all(np.array_equal(a, b) for a, b in zip(dl.unflatten_batch(theta, [W.shape[1:] for W in batch]), batch))


@pytest.mark.parametrize("call, match", [
    (lambda: dl.check_problem([np.ones((2, 3))], [1.0, 1.0], np.eye(2), np.zeros(3)), "Sigma"),
    (lambda: dl.check_problem([np.ones((2, 3))], [1.0, 1.0], np.eye(3), np.zeros(2)), "wstar"),
    (lambda: dl.check_problem([np.ones((2, 3))], [1.0, 1.0], -np.eye(3), np.zeros(3)), "semi-definite"),
    (lambda: dl.check_problem([np.ones((2, 3)), np.ones((1, 3))], [1.0], np.eye(3), np.zeros(3)), "layer 2"),
    (lambda: dl.residual_initialization(0, 3, 1.0, 0), "depth"),
    (lambda: dl.residual_initialization(2, 3, -1.0, 0), "scale"),
    (lambda: dl.small_initialization(3, [2, 1], 1.0, 0, zero_layer=3), "zero_layer"),
    (lambda: dl.covariance_with_spectrum([1.0, 0.0], 0), "eigenvalues"),
    (lambda: dl.gradient_flow_to_convergence([np.ones((1, 2))], [1.0], np.eye(2), np.ones(2), loss_tol=0), "loss_tol"),
    (lambda: dl.gradient_descent_batch([np.ones((2, 1, 2))], [1.0], np.eye(2), np.ones(2), [0.1, -1.0]), "steps"),
    (lambda: dl.wrong_balancedness([np.ones((2, 2)), np.ones((1, 2))], "nonsense"), "variant"),
    (lambda: dl.structure([np.ones((2, 2)), np.ones((2, 2))]), "row"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_flow_conserves_balancedness_and_converges():
    Ws, p, Sigma, wstar = _problem(scale=0.3)
    trajectory = dl.gradient_flow_to_convergence(Ws, p, Sigma, wstar, loss_tol=1e-20)
    assert trajectory.converged and trajectory.excess_risks()[-1] <= 1.01e-20
    start, end = dl.balancedness(Ws), dl.balancedness(trajectory.final_layers)
    assert all(np.allclose(a, b, atol=1e-8) for a, b in zip(start, end))
    grid = dl.gradient_flow_on_grid(Ws, p, Sigma, wstar, t_end=1.0, n_times=5)
    assert grid.error_estimate < 1e-8 and len(grid.times) == 5


def test_structure_bounds_hold_at_random_points_and_eps_is_scale_squared():
    for seed in range(5):
        Ws, *_ = _problem(seed)
        s = dl.structure(Ws)
        assert np.all(s["defect"] <= s["defect_bound"] + 1e-12)
        assert np.all(s["spread"] <= s["spread_bound"] + 1e-12)
        assert np.all(1 - s["alignment"] <= s["alignment_bound"] + 1e-12)
    Ws, *_ = _problem(1)
    assert np.isclose(dl.balancedness_epsilon([0.1 * W for W in Ws]), 0.01 * dl.balancedness_epsilon(Ws))


def test_pl_profile_chain_and_residual_bound():
    Ws, p, Sigma, wstar = _problem(scale=0.5)
    trajectory = dl.gradient_flow_to_convergence(Ws, p, Sigma, wstar, loss_tol=1e-18, extra_times=10)
    profile = dl.pl_profile(trajectory, min_excess=1e-14)
    assert np.all(profile["ratio"] >= profile["first_layer_bound"] * (1 - 1e-9))
    assert np.isclose(profile["lambda_min"], 1.0)
    W0, p = dl.residual_initialization(3, 3, 1.0, seed=0)
    risk, grads = dl.excess_risk_and_gradient(W0, p, Sigma, wstar)
    assert sum(np.sum(g * g) for g in grads) / risk >= dl.residual_pl_bound(W0, p, 1.0) * (1 - 1e-12)


def test_partial_product_extremes_by_brute_force():
    Ws, _ = dl.residual_initialization(3, 2, 1.0, seed=4)
    products = [Ws[0], Ws[1], Ws[2], Ws[1] @ Ws[0], Ws[2] @ Ws[1], Ws[2] @ Ws[1] @ Ws[0]]
    singular = [np.linalg.svd(P, compute_uv=False) for P in products]
    extremes = dl.partial_product_extremes(Ws)
    assert np.isclose(extremes["max_norm"], max(s[0] for s in singular))
    assert np.isclose(extremes["min_singular"], min(s[-1] for s in singular))


def test_matrix_free_sharpness_and_slack_agree_with_dense_routes():
    from numeric.sharpness import dense_minimizers, minimizer_bounds

    Sigma = dl.covariance_with_spectrum([3.0, 1.0, 0.5], seed=2)
    wstar = np.array([0.3, -1.0, 0.5])
    Ws, p = dense_minimizers.random_dense_minimizer(wstar, 3, 5, seed=1)
    assert np.isclose(dl.sharpness(Ws, p, Sigma, wstar), dense_network.dense_sharpness(Ws, p, Sigma, wstar))
    near = [W + 1e-7 for W in Ws]
    assert np.isclose(dl.minimizer_slack(near, p, Sigma, wstar),
                      minimizer_bounds.lower_bound_slack(near, p, Sigma, wstar), rtol=1e-4)


def test_batched_descent_statuses():
    Ws, p, Sigma, wstar = _problem(scale=0.3)
    batch = [np.stack([W, W, W]) for W in Ws]
    runs = dl.gradient_descent_batch(batch, p, Sigma, wstar, [0.02, 5.0, 1e-6], max_iter=3000, loss_tol=1e-16)
    assert list(runs.status) == ["converged", "diverged", "unsettled"]
    assert runs.final_excess[0] <= 1e-16


def test_symbolic_invariant_and_its_wrong_variants():
    assert all(M.is_zero_matrix for M in dld.balancedness_derivative(2, [2, 2, 1]))
    assert all(M.is_zero_matrix for M in dld.balancedness_derivative(2, [2, 2], general_p=True))
    assert not all(M.is_zero_matrix for M in dld.balancedness_derivative(2, [2, 2, 1], "no transposes"))
    with pytest.raises(ValueError, match="variant"):
        dld.balancedness_derivative(2, [2, 1], "other")


def test_symbolic_lemma8_saddle_orders_and_gram():
    gap, closed = dld.lemma8_gap(2)
    assert sp.expand(gap - closed) == 0
    orders = dld.saddle_orders(2, [2, 2, 1])
    assert orders["gradient_orders"] == [2, 2, 2] and orders["ratio_exponent"] == 4
    gram, structured = dld.end_to_end_gram(2, [2, 1])
    assert (gram - structured).is_zero_matrix


def test_symbolic_chain_descent_and_pl_decay():
    a, alpha = sp.symbols("a alpha", positive=True)
    moving, sharpness, critical = dld.chain_descent_linearization(2)
    assert sp.simplify(sharpness - 4 * a) == 0 and sp.simplify(critical - 1 / (2 * a)) == 0
    assert sp.simplify(moving - (1 - alpha * sharpness)) == 0
    decay, path = dld.pl_decay_and_path_length()
    assert sp.simplify(path - 2 * sp.sqrt(sp.Symbol("y_0", positive=True)) / sp.Symbol("mu", positive=True)) == 0
    assert [f[0] for f in dld.formulas()].count("mc-critical-step") == 2
