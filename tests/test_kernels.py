"""numeric.kernels: the compiled kernels agree with the NumPy reference they replace.

Two independent implementations of the same formulas that agree are part of the
verification.  Tolerances: GD on ``L`` performs the reference's operations in its
order (bit-identical); GD on ``L_R`` forms ``prod_{k!=l} Q_k`` by prefix/suffix
products instead of dividing ``prod_k Q_k`` by ``Q_l`` (a few ulp per step, so a
relative ``1e-12`` after 500 contracting steps); S-SAM and the Monte Carlo kernels
sum ``<pi~, X_i>`` in coordinate order where the reference uses ``einsum`` (again
rounding only); the flows are adaptive, so their step sequences may differ: ``1e-9``.
"""
from __future__ import annotations

import numpy as np
import pytest

from numeric import data
from numeric import kernels
from numeric.dynamics.deterministic import gradient_descent
from numeric.dynamics.flows import gradient_flow
from numeric.dynamics.stochastic import stochastic_descent
from numeric.noisy import noisy_gradient_moments, noisy_loss_moments

pytestmark = pytest.mark.skipif(not kernels.NUMBA_AVAILABLE, reason="numba is not installed")


def _relative(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-12)))


@pytest.mark.parametrize("L", [2, 3, 4, 6])
@pytest.mark.parametrize("schedule", ["constant", "harmonic"])
def test_gd_kernel_matches_the_numpy_reference(L, schedule):
    rng = np.random.default_rng(L)
    W0, wstar = rng.normal(size=(3, L, 5)) * 0.8, rng.normal(size=5)
    kwargs = dict(steps=500, step_size=0.01, schedule=schedule, decay_start=50, record_every=37)
    for eta, regularized, exact in ((0.5, True, False), (0.0, True, True), (0.5, False, True)):
        a = gradient_descent(W0, wstar, eta, regularized=regularized, engine="numpy", **kwargs)
        b = gradient_descent(W0, wstar, eta, regularized=regularized, engine="numba", **kwargs)
        assert np.array_equal(a.times, b.times)
        if exact:
            assert np.array_equal(a.weights, b.weights)
        else:
            assert _relative(a.weights, b.weights) < 1e-12


def test_gd_kernel_records_at_chosen_steps_and_reports_divergence():
    W0, wstar = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([1.0, 0.3])
    a = gradient_descent(W0, wstar, 0.4, 300, 0.02, record_steps=[3, 100, 299, 300], engine="numpy")
    b = gradient_descent(W0, wstar, 0.4, 300, 0.02, record_steps=[3, 100, 299, 300], engine="numba")
    assert list(b.times) == [3, 100, 299, 300] and _relative(a.weights, b.weights) < 1e-12
    diverged = gradient_descent(W0 * 10, wstar, 0.4, 200, 5.0, engine="numba")
    assert diverged.info["diverged"]


@pytest.mark.parametrize("L", [2, 3, 4])
@pytest.mark.parametrize("eta, radius", [(0.3, None), (0.0, None), (0.3, 1.5)])
def test_stochastic_kernel_matches_the_numpy_reference(L, eta, radius):
    rng = np.random.default_rng(10 + L)
    wstar = rng.normal(size=3)
    X, Y = data.whitened_data(12, wstar, seed=1)
    W0 = rng.normal(size=(L, 3)) * 0.7
    kwargs = dict(steps=700, step_size=0.01, seeds=4, seed=3, radius=radius, record_every=100, block=64)
    a = stochastic_descent(W0, X, Y, eta, engine="numpy", **kwargs)
    b = stochastic_descent(W0, X, Y, eta, engine="numba", **kwargs)
    assert np.array_equal(a.times, b.times)
    assert _relative(a.weights, b.weights) < 1e-12


def test_monte_carlo_kernels_match_the_numpy_reference():
    rng = np.random.default_rng(7)
    L, d = 4, 6
    wstar = rng.normal(size=d)
    X, Y = data.whitened_data(4 * d, wstar, seed=0)
    W = rng.normal(size=(L, d)) * 0.7
    a = noisy_gradient_moments(W, X, Y, 0.5, 50_000, seed=1, chunk=4096, engine="numpy")
    b = noisy_gradient_moments(W, X, Y, 0.5, 50_000, seed=1, chunk=4096, engine="numba")
    assert a.n == b.n and np.allclose(a.mean, b.mean, rtol=1e-12, atol=1e-14 * np.max(np.abs(a.mean)))
    assert np.allclose(a.var, b.var, rtol=1e-10)
    a = noisy_loss_moments(W, wstar, 0.5, 30_000, seed=2, engine="numpy")
    b = noisy_loss_moments(W, wstar, 0.5, 30_000, seed=2, engine="numba")
    assert np.allclose(a.mean, b.mean, rtol=1e-12) and np.allclose(a.var, b.var, rtol=1e-10)


@pytest.mark.parametrize("regularized", [True, False])
def test_flow_kernel_matches_the_numpy_reference(regularized):
    rng = np.random.default_rng(3)
    W0, wstar = rng.normal(size=(2, 3, 2)) * 0.9, np.array([1.4, -0.9])
    times = np.linspace(0, 5, 11)
    a = gradient_flow(W0, wstar, 0.8, times, regularized=regularized, energy=True, engine="numpy")
    b = gradient_flow(W0, wstar, 0.8, times, regularized=regularized, energy=True, engine="numba")
    assert np.allclose(a.weights, b.weights, rtol=1e-9, atol=1e-12)
    assert np.allclose(a.records["grad_norm_integral"], b.records["grad_norm_integral"], rtol=1e-9, atol=1e-12)


def test_engine_choice_is_validated_and_falls_back_without_numba(monkeypatch):
    with pytest.raises(ValueError, match="engine must be one of auto, numba, numpy"):
        kernels.resolve_engine("cuda")
    assert kernels.resolve_engine("auto") == "numba"
    monkeypatch.setattr(kernels, "NUMBA_AVAILABLE", False)
    assert kernels.resolve_engine("auto") == "numpy"
    with pytest.raises(ValueError, match="numba is not installed"):
        kernels.resolve_engine("numba")


def test_environment_chooses_what_auto_means(monkeypatch):
    from numeric.kernels import NUMBA_AVAILABLE, resolve_engine

    monkeypatch.setenv("SSAM_VERIFY_ENGINE", "numpy")
    assert resolve_engine("auto") == "numpy"
    if NUMBA_AVAILABLE:
        assert resolve_engine("numba") == "numba"  # an explicit engine wins over the environment
    monkeypatch.setenv("SSAM_VERIFY_ENGINE", "fortran")
    with pytest.raises(ValueError, match="SSAM_VERIFY_ENGINE"):
        resolve_engine("auto")
    monkeypatch.delenv("SSAM_VERIFY_ENGINE")
    assert resolve_engine("auto") == ("numba" if NUMBA_AVAILABLE else "numpy")
