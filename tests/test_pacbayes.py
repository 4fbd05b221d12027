"""numeric/pacbayes/: closed forms against sampling, the bound and its variants, training, validation."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.stats import assert_means_equal, sample_shaped_moments
from numeric import model
from numeric import pacbayes
from numeric.data import whitened_data
from numeric.montecarlo import clopper_pearson
from numeric.pacbayes.bound import best_beta, bound_terms, bound_value
from numeric.pacbayes.coverage import coverage_summary, simulate_bound
from numeric.pacbayes.inputs import draw_datasets
from numeric.pacbayes.posterior import kl_divergence, posterior_empirical_loss, posterior_loss_moments
from numeric.pacbayes.sampling import conditional_loss_sampler, diagonal_end_to_end, sample_loss_moments
from numeric.pacbayes.training import select_worst, train

WSTAR = np.array([1.0, -0.5, 0.25])
SIGMA_X = np.array([[1.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 0.8]])
W = np.array([[1.0, 0.7, -0.4], [0.8, -0.6, 0.5]])


@pytest.mark.parametrize("inputs", ["gaussian", "student-t"])
def test_loss_moments_match_conditional_sampling(inputs):
    # 2e5 conditional draws (light tails: Edgeworth critical values apply), alpha 1e-6
    pop, m2 = posterior_loss_moments(W, WSTAR, 0.1, SIGMA_X, 0.5, inputs, 40.0)
    sampler = conditional_loss_sampler(diagonal_end_to_end(W, 0.1), WSTAR, SIGMA_X, 0.5, inputs, 40.0)
    mo = sample_shaped_moments(sampler, 200_000, seed=7, centre=[pop, m2])
    ok, det = assert_means_equal(mo, [pop, m2])
    assert ok, det
    assert max(det["shape"]["edgeworth_relative_correction"]) < 0.5


@pytest.mark.parametrize("inputs", ["gaussian", "student-t"])
def test_population_loss_matches_sampling_the_data(inputs):
    """The full sampler (X and eps drawn) agrees on E l, whose draws are light enough; E l^2 = E r^4 is not tested
    that way (skewness above 10: the Edgeworth z-test refuses it, see the next test)."""
    pop, _ = posterior_loss_moments(W, WSTAR, 0.3, SIGMA_X, 0.5, inputs, 20.0)
    full = sample_loss_moments(diagonal_end_to_end(W, 0.3), WSTAR, SIGMA_X, 0.5, inputs, 20.0, 200_000, seed=7)
    shape = sample_shaped_moments(lambda rng, k, scratch: _full_loss_draws(rng, k, inputs), 200_000, seed=7)
    assert np.allclose(shape.mean, full.mean[0])  # same draws, same numbers
    ok, det = assert_means_equal(shape, pop)
    assert ok, det


def _full_loss_draws(rng, k, inputs):
    """The draws of :func:`sample_loss_moments` (same random numbers in the same order), loss only."""
    P = diagonal_end_to_end(W, 0.3)(rng, k)
    X = rng.standard_normal((k, 3)) @ np.linalg.cholesky(SIGMA_X).T
    if inputs == "student-t":
        X *= np.sqrt(18.0 / rng.chisquare(20.0, size=(k, 1)))
    residual = X @ WSTAR + 0.5 * rng.standard_normal(k) - np.sum(P * X, axis=1)
    return residual * residual


def test_sampling_the_data_is_too_heavy_tailed_for_a_z_test_of_the_second_moment():
    """Student t_20 inputs: l^2 = r^4 has skewness in the tens; the Edgeworth critical value refuses it."""
    def fourth_powers(rng, k, scratch):
        return _full_loss_draws(rng, k, "student-t") ** 2
    shape = sample_shaped_moments(fourth_powers, 200_000, seed=7)
    assert shape.skewness > 10
    with pytest.raises(ValueError, match="heavy-tailed"):
        assert_means_equal(shape, float(shape.mean))


def test_empirical_posterior_loss_matches_sampling_over_G():
    X, Y = draw_datasets(3, 15, WSTAR, SIGMA_X, 0.5, seed=2)
    exact = posterior_empirical_loss(W, X, Y, 0.3)
    rng = np.random.default_rng(0)
    P = diagonal_end_to_end(W, 0.3)(rng, 200_000)  # (m, d)
    losses = np.mean((Y[:, None, :] - np.einsum("knd,md->kmn", X, P)) ** 2, axis=-1)  # (K, m)
    se = losses.std(axis=1) / math.sqrt(losses.shape[1])
    assert np.all(np.abs(losses.mean(axis=1) - exact) < 6 * se)


def test_whitened_empirical_term_is_L_plus_average_sharpness():
    X, Y = whitened_data(30, WSTAR, seed=3)
    val = posterior_empirical_loss(W, X, Y, 0.4)
    assert val == pytest.approx(model.loss(W, WSTAR) + model.average_sharpness(W, WSTAR, 0.4), rel=1e-12)


def test_population_loss_whitened_noiseless_is_marginalized_loss():
    pop, _ = posterior_loss_moments(W, WSTAR, 0.4, None, 0.0)
    assert pop == pytest.approx(model.marginalized_loss(W, WSTAR, 0.4), rel=1e-13)


def test_batch_of_weights_equals_one_by_one():
    Wb = np.stack([W, 2 * W, -W])
    pop, m2 = posterior_loss_moments(Wb, WSTAR, 0.3, SIGMA_X, 0.5)
    for k in range(3):
        p1, m1 = posterior_loss_moments(Wb[k], WSTAR, 0.3, SIGMA_X, 0.5)
        assert pop[k] == pytest.approx(p1) and m2[k] == pytest.approx(m1)
    assert np.allclose(kl_divergence(Wb, 0.3), [np.sum(w * w) / 0.18 for w in Wb])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-2, 2), min_size=6, max_size=6), st.floats(0.05, 1.0), st.floats(0.0, 1.0))
def test_second_moment_dominates_square_of_mean(ws, sigma, tau):
    Wr = np.array(ws).reshape(2, 3)
    for inputs in ("gaussian", "student-t"):
        pop, m2 = posterior_loss_moments(Wr, WSTAR, sigma, SIGMA_X, tau, inputs, 5.0)
        assert m2 >= pop**2 * (1 - 1e-12) and pop >= tau**2 * (1 - 1e-12)


def test_bound_terms_and_variants():
    t = bound_terms(1.0, 2.0, 3.0, 100, 0.05, 0.5)
    assert t["bound"] == pytest.approx(1.0 + (2.0 + math.log(20)) / (0.5 * 10) + 0.5 * 3.0 / 20)
    assert bound_value(1.0, 2.0, 3.0, 100, 0.05, 0.5, "no-kl") == pytest.approx(1 + math.log(20) / 5 + 0.075)
    assert bound_value(1.0, 2.0, 3.0, 100, 0.05, 0.5, "no-log-delta") == pytest.approx(1 + 2 / 5 + 0.075)
    assert bound_value(1.0, 2.0, 3.0, 100, 0.05, 0.5, "rate-n") == pytest.approx(
        1 + (2 + math.log(20)) / 50 + 0.5 * 3 / 200)
    b = best_beta(2.0, 3.0, 0.05)
    grid = np.linspace(0.1, 5, 2001)
    vals = [bound_value(1.0, 2.0, 3.0, 100, 0.05, g) for g in grid]
    assert abs(grid[int(np.argmin(vals))] - b) < 3e-3


def test_clopper_pearson_known_values():
    lo, up = clopper_pearson(0, 1000, 1e-6)
    assert lo == 0 and up == pytest.approx(1 - 1e-6 ** (1 / 1000))
    lo, up = clopper_pearson(1000, 1000, 0.05)
    assert up == 1 and lo == pytest.approx(0.05 ** (1 / 1000))
    lo, up = clopper_pearson(50, 100, 0.025)
    assert 0.39 < lo < 0.5 < up < 0.61


def test_draw_datasets_moments_and_determinism():
    for inputs in ("gaussian", "student-t"):
        X, Y = draw_datasets(20, 5000, WSTAR, SIGMA_X, 0.5, inputs, 7.0, seed=1)
        C = np.einsum("kni,knj->ij", X, X) / (X.shape[0] * X.shape[1])
        assert np.allclose(C, SIGMA_X, atol=0.05)
        X2, Y2 = draw_datasets(20, 5000, WSTAR, SIGMA_X, 0.5, inputs, 7.0, seed=1)
        assert np.array_equal(X, X2) and np.array_equal(Y, Y2)


@pytest.mark.parametrize("method", ["gd", "ssam"])
def test_training_lowers_the_empirical_loss(method):
    X, Y = draw_datasets(50, 40, WSTAR, SIGMA_X, 0.3, seed=4)
    W0 = train(X, Y, 2, method, eta=0.1, steps=0, seed=0)
    W1 = train(X, Y, 2, method, eta=0.1, steps=300, seed=0)
    e0 = posterior_empirical_loss(W0, X, Y, 1e-9)
    e1 = posterior_empirical_loss(W1, X, Y, 1e-9)
    assert np.all(e1 < e0) and np.median(e1) < 0.2


def test_simulate_and_summary():
    sim = simulate_bound(WSTAR, 2, 0.3, 50, 500, weights=W, Sigma=SIGMA_X)
    s = coverage_summary(sim)
    assert s["violations"] == 0 and s["violation_upper"] <= 0.05
    assert s["slack_quantiles"]["q00"] > 0 and s["bound_at_best_beta_median"] < s["bound_median"]


@pytest.mark.parametrize("call, match", [
    (lambda: kl_divergence(W, 0.0), "sigma"),
    (lambda: draw_datasets(10, 5, WSTAR, inputs="cauchy"), "inputs"),
    (lambda: draw_datasets(10, 5, WSTAR, inputs="student-t", nu=4.0), "nu must be > 4"),
    (lambda: posterior_loss_moments(W, WSTAR[:2], 0.3), "wstar"),
    (lambda: posterior_loss_moments(W, WSTAR, 0.3, np.eye(2)), "Sigma"),
    (lambda: posterior_loss_moments(W, WSTAR, 0.3, -np.eye(3)), "positive definite"),
    (lambda: bound_terms(1, 1, 1, 10, 1.5, 1), "delta"),
    (lambda: bound_terms(1, 1, 1, 10, 0.1, 1, "wrong"), "variant"),
    (lambda: train(np.zeros((2, 3, 3)), np.zeros((2, 3)), 2, "adam"), "method"),
    (lambda: simulate_bound(WSTAR, 2, 0.3, 10, 5), "exactly one"),
    (lambda: clopper_pearson(5, 3, 0.05), "k must be"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_select_worst_picks_the_maximal_excess():
    X, Y = draw_datasets(20, 30, WSTAR, SIGMA_X, 0.5, seed=6)
    fam = 0.4 * np.random.default_rng(1).standard_normal((7, 2, 3))
    Wsel = select_worst(X, Y, fam, WSTAR, 0.3, 0.05, 0.5, SIGMA_X)

    def excess(Wj):
        pop, m2 = posterior_loss_moments(Wj, WSTAR, 0.3, SIGMA_X, 0.5)
        return pop - bound_value(posterior_empirical_loss(Wj, X, Y, 0.3), kl_divergence(Wj, 0.3), m2, 30,
                                    0.05, 0.5)

    table = np.stack([excess(Wj) for Wj in fam])  # (M, K)
    assert np.array_equal(Wsel, fam[np.argmax(table, axis=0)])


def test_package_re_exports_its_public_names():
    # code outside section 2 uses ``from numeric import pacbayes as pb; pb.simulate_bound(...)``
    import numeric.pacbayes.coverage as coverage
    assert pacbayes.simulate_bound is coverage.simulate_bound and pacbayes.bound_terms is bound_terms
    assert pacbayes.clopper_pearson is clopper_pearson
    assert all(callable(getattr(pacbayes, name)) or name.isupper() for name in pacbayes.__all__)
