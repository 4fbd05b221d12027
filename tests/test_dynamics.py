"""numeric/dynamics/: the simulators against the model formulas, schedules, batching, validation."""
import numpy as np
import pytest

from numeric import data, model, noisy
from numeric import dynamics
from numeric.dynamics.deterministic import gradient_descent
from numeric.dynamics.flows import gradient_flow, gradient_flow_mp
from numeric.dynamics.schedules import step_sizes
from numeric.dynamics.stochastic import project_ball, stochastic_descent


def _manual_gd(W0, wstar, eta, alphas, regularized=True):
    W = W0.copy()
    for a in alphas:
        g = model.grad_marginalized_loss(W, wstar, eta) if regularized else model.grad_loss(W, wstar)
        W = W - a * g
    return W


@pytest.mark.parametrize("L", [2, 3, 4, 5])
@pytest.mark.parametrize("regularized", [True, False])
def test_gd_matches_model_gradient(L, regularized):
    rng = np.random.default_rng(L)
    W0 = rng.normal(size=(L, 3))
    wstar = rng.normal(size=3)
    tr = gradient_descent(W0, wstar, 0.6, 5, 0.01, schedule="harmonic", decay_start=2,
                             regularized=regularized)
    ref = _manual_gd(W0, wstar, 0.6, step_sizes(5, 0.01, "harmonic", 2), regularized)
    np.testing.assert_allclose(tr.final_weights, ref, rtol=1e-13, atol=1e-15)
    assert tr.weights.shape == (6, 1, L, 3) and not tr.batched


def test_gd_batched_equals_separate_runs():
    rng = np.random.default_rng(1)
    W0 = rng.normal(size=(4, 3, 2))
    wstar = rng.normal(size=2)
    tr = gradient_descent(W0, wstar, 0.5, 50, 0.02, record_every=10)
    assert tr.batched and tr.final_weights.shape == (4, 3, 2)
    for k in range(4):
        one = gradient_descent(W0[k], wstar, 0.5, 50, 0.02, record_every=10)
        np.testing.assert_allclose(tr.weights[:, k], one.weights[:, 0], rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(tr.times, [0, 10, 20, 30, 40, 50])


def test_gd_eta_zero_regularized_equals_loss():
    rng = np.random.default_rng(2)
    W0 = rng.normal(size=(3, 2))
    wstar = rng.normal(size=2)
    a = gradient_descent(W0, wstar, 0.0, 20, 0.01)
    b = gradient_descent(W0, wstar, 0.5, 20, 0.01, regularized=False)
    np.testing.assert_allclose(a.final_weights, b.final_weights, rtol=1e-14)


def test_records_match_model():
    rng = np.random.default_rng(3)
    W0 = rng.normal(size=(3, 2))
    wstar = rng.normal(size=2)
    tr = gradient_descent(W0, wstar, 0.7, 3, 0.01)
    W = tr.weights[-1, 0]
    rec = tr.run(0)
    assert rec["loss"][-1] == pytest.approx(model.loss(W, wstar), rel=1e-13)
    assert rec["marginalized_loss"][-1] == pytest.approx(model.marginalized_loss(W, wstar, 0.7), rel=1e-13)
    assert rec["grad_norm"][-1] == pytest.approx(np.linalg.norm(model.grad_marginalized_loss(W, wstar, 0.7)))
    np.testing.assert_allclose(rec["product"][-1], model.product(W))
    gaps = [np.linalg.norm(W[l + 1] ** 2 - W[l] ** 2) for l in range(2)]
    np.testing.assert_allclose(rec["balancing_gap"][-1], gaps, rtol=1e-13)


def test_step_sizes():
    np.testing.assert_allclose(step_sizes(3, 0.5), [0.5, 0.5, 0.5])
    np.testing.assert_allclose(step_sizes(3, 1.0, "harmonic", 10), [1, 10 / 11, 10 / 12])
    np.testing.assert_allclose(step_sizes(2, 1.0, "power", 4, 0.5 + 0.25), [1, (4 / 5) ** 0.75])
    for bad in (dict(schedule="cosine"), dict(schedule="power", power=0.5), dict(schedule="power", power=1.2),
                dict(decay_start=0, schedule="harmonic")):
        with pytest.raises(ValueError):
            step_sizes(3, 1.0, **bad)
    with pytest.raises(ValueError, match="step_size"):
        step_sizes(3, -1.0)


def test_flow_matches_mpmath_and_energy():
    W0 = np.array([[0.3, -0.5], [1.1, 0.2]])
    wstar = np.array([1.2, -0.3])
    tr = gradient_flow(W0, wstar, 0.7, [0.0, 0.5], energy=True)
    Wmp, err = gradient_flow_mp(W0, wstar, 0.7, [0.5], dps=18, check_dps=24)
    assert float(err) < 1e-15
    np.testing.assert_allclose(tr.weights[-1, 0], np.array(Wmp[0], dtype=float), rtol=1e-10)
    LR = tr.records["marginalized_loss"][:, 0]
    assert tr.records["grad_norm_integral"][-1, 0] == pytest.approx(LR[0] - LR[-1], rel=1e-9)


def test_flow_unregularized_conserves_gaps():
    rng = np.random.default_rng(4)
    tr = gradient_flow(rng.normal(size=(2, 3, 2)), rng.normal(size=2), 0.5, [0, 1, 2], regularized=False)
    g = tr.records["balancing_gap"]
    np.testing.assert_allclose(g, np.broadcast_to(g[0], g.shape), rtol=1e-9)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_ssam_one_step_matches_noisy_kernel(L):
    K, d, n = 5, 3, 20
    rng0 = np.random.default_rng(L)
    W0 = rng0.normal(size=(L, d))
    wstar = rng0.normal(size=d)
    X, Y = data.whitened_data(n, wstar, 0)
    tr = stochastic_descent(W0, X, Y, 0.5, 1, 0.01, seeds=K, seed=7)
    rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence(7)))
    idx = rng.integers(0, n, size=(1, K))[0]
    G = rng.standard_normal((1, L, K, d))[0] * 0.5
    Wt = W0[None] + np.moveaxis(G, 0, 1)
    ref = W0[None] - 0.01 * noisy.noisy_gradients_from(Wt, X[idx], Y[idx])
    np.testing.assert_allclose(tr.weights[-1], ref, rtol=1e-14, atol=1e-15)


def test_sgd_reproducible_and_projection():
    wstar = np.array([1.0, -2.0])
    X, Y = data.whitened_data(10, wstar, 0)
    W0 = np.array([[3.0, 1.0], [2.0, -1.0]])
    a = stochastic_descent(W0, X, Y, 0.0, 30, 0.05, seeds=3, seed=5)
    b = stochastic_descent(W0, X, Y, 0.0, 30, 0.05, seeds=3, seed=5)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.info["algorithm"] == "sgd"
    p = stochastic_descent(W0, X, Y, 0.5, 30, 0.05, seeds=3, seed=5, radius=1.0)
    assert p.info["algorithm"] == "projected-ssam"
    assert np.all(np.sqrt(np.sum(p.weights ** 2, axis=(2, 3))) <= 1.0 + 1e-12)
    np.testing.assert_allclose(project_ball(np.ones((1, 2, 2)), 1.0), np.full((1, 2, 2), 0.5))


def test_ssam_mean_step_is_gd_step_on_LR():
    wstar = np.array([1.5, -0.8])
    X, Y = data.whitened_data(8, wstar, 0)
    W0 = np.array([[0.3, 1.2], [1.5, -0.2]])
    tr = stochastic_descent(W0, X, Y, 0.8, 1, 0.1, seeds=100_000, seed=3, block=1)
    mean = tr.weights[-1].mean(axis=0)
    se = tr.weights[-1].std(axis=0) / np.sqrt(100_000)
    expected = W0 - 0.1 * model.grad_marginalized_loss(W0, wstar, 0.8)
    assert np.all(np.abs(mean - expected) < 6 * se)  # 6 sigma: false failure < 1e-8 per entry


@pytest.mark.parametrize("call, word", [
    (lambda: gradient_descent(np.ones((1, 2)), [1.0, 1.0], 0.5, 3, 0.1), "depth"),
    (lambda: gradient_descent(np.ones((2, 2)), [1.0], 0.5, 3, 0.1), "wstar"),
    (lambda: gradient_descent(np.ones((2, 2)), [1.0, 1.0], -0.5, 3, 0.1), "eta"),
    (lambda: gradient_descent(np.ones((2, 2)), [1.0, 1.0], 0.5, -3, 0.1), "steps"),
    (lambda: gradient_descent(np.ones((2, 2)), [1.0, 1.0], 0.5, 3, 0.1, record_every=0), "record_every"),
    (lambda: gradient_flow(np.ones((2, 2)), [1.0, 1.0], 0.5, [1.0, 0.5]), "times"),
    (lambda: stochastic_descent(np.ones((2, 2)), np.ones((4, 2)), np.ones(4), 0.5, 3, 0.1), "whitened"),
    (lambda: project_ball(np.ones((1, 2, 2)), 0.0), "radius"),
])
def test_bad_input_raises_value_error(call, word):
    with pytest.raises(ValueError, match=word):
        call()


def test_divergence_reported_not_raised():
    tr = gradient_descent(np.array([[3.0], [3.0]]), [1.0], 0.5, 200, 5.0)
    assert tr.info["diverged"]


def test_package_reexports_the_names_used_outside():
    """``ssam-verify simulate`` uses these through ``numeric.dynamics``; they are the concept modules' objects."""
    assert sorted(dynamics.__all__) == sorted(["SCHEDULES", "step_sizes", "batch_marginalized_loss", "gradient_flow",
                                               "gradient_descent", "stochastic_descent"])
    assert dynamics.gradient_descent is gradient_descent and dynamics.gradient_flow is gradient_flow
    assert dynamics.stochastic_descent is stochastic_descent and dynamics.step_sizes is step_sizes


def test_step_sizes_pin_every_schedule():
    """Exact values over many steps: a schedule off by one step or with another exponent is seen."""
    k = np.arange(1000, dtype=float)
    np.testing.assert_allclose(step_sizes(1000, 0.3, "harmonic", 7), 0.3 * 7 / (k + 7), rtol=1e-15)
    np.testing.assert_allclose(step_sizes(1000, 0.3, "harmonic", 1), 0.3 / (k + 1), rtol=1e-15)
    np.testing.assert_allclose(step_sizes(1000, 0.3, "power", 7, 0.6), 0.3 * (7 / (k + 7)) ** 0.6, rtol=1e-14)
    assert np.all(step_sizes(1000, 0.3) == 0.3)
    # Robbins-Monro: the harmonic sum grows like a k0 log(n), the squares stay bounded
    steps = step_sizes(10 ** 5, 1.0, "harmonic", 10)
    assert np.sum(steps) == pytest.approx(10 * np.log(10 ** 5 / 10), rel=0.02)
    assert np.sum(steps ** 2) < 10 * 10 / 9


def test_batch_grad_matches_model_for_every_depth():
    from numeric.dynamics.batched_model import batch_grad

    rng = np.random.default_rng(5)
    for L in (2, 3, 4, 5):
        W = rng.normal(size=(6, 4, L, 3))
        W[0, 0, 1, 0] = 0.0  # zero weights are exact (no division)
        wstar = rng.normal(size=3)
        for regularized in (True, False):
            g = batch_grad(W, wstar, 0.7, regularized)
            for index in np.ndindex(6, 4):
                expected = (model.grad_marginalized_loss(W[index], wstar, 0.7) if regularized
                            else model.grad_loss(W[index], wstar))
                np.testing.assert_allclose(g[index], expected, rtol=1e-12, atol=1e-14)


def test_gradient_descent_to_convergence():
    from numeric.dynamics.deterministic import gradient_descent_to_convergence

    W0 = np.array([[[1.1, -0.9], [1.0, 1.2]], [[0.8, -1.2], [1.3, 0.7]]])
    wstar = np.array([1.6, -1.2])
    tr = gradient_descent_to_convergence(W0, wstar, 0.6, 0.05, 1e-10, chunk=300)
    assert tr.info["converged"] and tr.records["grad_norm"][-1].max() <= 1e-10
    assert tr.times[-1] == tr.info["steps"] and tr.times[-1] % 300 == 0 and tr.weights.shape[0] == tr.times[-1] + 1
    single = gradient_descent(W0, wstar, 0.6, int(tr.times[-1]), 0.05)
    np.testing.assert_array_equal(tr.weights, single.weights)  # the chunks join into one run
    capped = gradient_descent_to_convergence(W0, wstar, 0.6, 0.05, 1e-10, chunk=100, max_steps=150)
    assert not capped.info["converged"] and capped.times[-1] == 150
    with pytest.raises(ValueError, match="gradient_tolerance"):
        gradient_descent_to_convergence(W0, wstar, 0.6, 0.05, 0.0)


def test_stochastic_descent_without_recorded_quantities():
    X, Y = data.whitened_data(8, np.array([1.0, -0.5]), seed=1)
    full = stochastic_descent(np.ones((2, 2)), X, Y, 0.5, 20, 0.01, seeds=3, seed=4)
    bare = stochastic_descent(np.ones((2, 2)), X, Y, 0.5, 20, 0.01, seeds=3, seed=4, record_quantities=False)
    assert bare.records == {}
    np.testing.assert_array_equal(full.weights, bare.weights)
