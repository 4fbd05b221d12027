"""Issue 15, depth: the symbolic derivations and the certified threshold at ``L = 12``, and the
critical-point enumeration at large depth (``L = 30``: counted and refused without building
``2^(L-1)`` sign patterns; represented by orbits of sign patterns with their sizes).

Each positive check has a negative control through the same code path, just outside the
statement (a constant 10% off, a dropped term, a target 5% off the threshold).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from derivations import marginalized as M
from derivations.dynamics.flow import balancing_ode_rhs, balancing_rate_floor_gap, flow_balancing_derivative
from derivations.dynamics.gradient import gradient, gradient_closed_form, is_nonnegative_polynomial
from derivations.dynamics.hessian import hessian_bound_proof
from derivations.landscape.threshold import double_root_conditions, threshold_closed_form, threshold_derived
from numeric.critical_points import enumeration
from numeric.shrinkage.certified_roots import shrinkage_roots
from numeric.shrinkage.threshold_regime import regime, threshold, threshold_exact_power

DEEP = 12


# --- Section 2: eq 7, eq 8 and the mean noisy gradient at L = 12 -------------------------------

def test_regularizer_closed_form_equals_subset_expansion_at_depth_12():
    closed = M.regularizer_closed_form(DEEP)
    assert M.prove_identity(closed, M.regularizer_subset_expansion(DEEP))
    # control: without the constant eta^{2L} the identity fails (eta^3 for eta^2: tests/test_derivations_marginalized.py)
    assert not M.prove_identity(closed, M.regularizer_subset_expansion(DEEP, include_constant=False))


@pytest.mark.parametrize("factor, holds", [(1, True), (Fraction(9, 10), True), (Fraction(11, 10), False)])
def test_weight_decay_bound_at_depth_12(factor, holds):
    """eq 8: ``R >= eta^{2(L-1)} ||w||^2``; the factor 1 is sharp (1.1 fails, 0.9 holds)."""
    assert M.weight_decay_gap(DEEP, sp.Rational(factor))[1] is holds


def _regularizer_tenth_too_large(L):
    """``1.1 R`` (module level: :func:`derivations.marginalized.grad_marginalized_loss` caches by identity)."""
    return M.regularizer_closed_form(L) * sp.Rational(11, 10)


def test_mean_noisy_gradient_is_gradient_of_marginalized_loss_at_depth_12():
    """Lemma 2.2 at L = 12, one coordinate: E[noisy gradient] = grad (loss + R); R 10% too large fails."""
    mean = M.mean_noisy_gradient(DEEP, 1)
    assert M.prove_identity(mean, M.grad_marginalized_loss(DEEP, 1))
    assert not M.prove_identity(mean, M.grad_marginalized_loss(DEEP, 1, regularizer=_regularizer_tenth_too_large))


@pytest.mark.slow
def test_average_sharpness_heat_series_at_depth_12():
    """eq 9 at L = 12 by the heat series (independent of eq 7's expansion)."""
    heat = M.average_sharpness_heat_series(DEEP)
    assert M.prove_identity(heat, M.regularizer_closed_form(DEEP))
    assert not M.prove_identity(heat, M.regularizer_without_constant(DEEP))


# --- Section 3: the threshold eq 14, derived and certified, at L = 12 ---------------------------

def test_threshold_derived_equals_eq14_and_is_a_double_root_at_depth_12():
    derived = threshold_derived(DEEP)
    assert sp.simplify(derived["tau"] - threshold_closed_form(DEEP)) == 0
    assert sp.simplify(derived["tau"] - threshold_closed_form(DEEP, swap_exponent=True)) != 0
    assert double_root_conditions(DEEP) == (0, 0)


def test_certified_threshold_at_depth_12():
    """At ``eta = 1/2`` the threshold tau_12 is rational: exactly at it one double root,
    5% below it no nonzero root, 5% above it two simple roots (certified enclosures)."""
    eta = Fraction(1, 2)
    tau_squared = threshold_exact_power(DEEP) * eta ** (2 * DEEP)
    tau = Fraction(sp.sqrt(sp.Rational(tau_squared.numerator, tau_squared.denominator)))
    assert tau * tau == tau_squared  # tau_12 = eta^12 22^11 / (12^6 10^5) is rational
    derived = threshold_derived(DEEP)["tau"].subs(sp.Symbol("eta", positive=True), sp.Rational(1, 2))
    assert sp.Rational(tau.numerator, tau.denominator) == derived
    with mpmath.workdps(50):
        assert mpmath.almosteq(threshold(DEEP, "0.5", digits=40), mpmath.mpf(tau.numerator) / tau.denominator, 1e-38)
    at, below, above = (shrinkage_roots(DEEP, eta, tau * k, digits=30)
                        for k in (1, Fraction(95, 100), Fraction(105, 100)))
    assert (at.regime, at.multiplicities) == ("at", [2])
    assert (below.regime, below.roots_a) == ("below", [])
    assert (above.regime, above.multiplicities) == ("above", [1, 1])
    assert regime(DEEP, eta, tau * Fraction(999, 1000)) == "below"


# --- Section 4: gradient, balancing ODE, Hessian bound at L = 12 ---------------------------------

def test_gradient_and_balancing_ode_at_depth_12():
    assert M.prove_identity(gradient(DEEP), gradient_closed_form(DEEP))
    s = M.coordinate_symbols(DEEP)
    for l in range(1, DEEP):
        derivative = flow_balancing_derivative(DEEP, l)
        assert M.prove_identity(derivative, balancing_ode_rhs(DEEP, l))
        assert is_nonnegative_polynomial(balancing_rate_floor_gap(DEEP, l), (*s.w, s.eta))
    # control: the rate 4.4 instead of 4 (10% off) is not the derivative
    assert not M.prove_identity(flow_balancing_derivative(DEEP, 1), balancing_ode_rhs(DEEP, 1, sp.Rational(22, 5)))
    # control: a floor eta^{2(L-2)} times 1.1 is not below Q_{-{l,l+1}}
    gap = balancing_rate_floor_gap(DEEP, 1) - s.eta ** (2 * (DEEP - 2)) / 10
    assert not is_nonnegative_polynomial(gap, (*s.w, s.eta))


@pytest.mark.slow
def test_hessian_bound_proof_at_depth_12():
    steps = hessian_bound_proof(DEEP)
    assert all(steps.values()), steps


# --- critical points at large depth ------------------------------------------------------------

@pytest.mark.parametrize("L", [30, 64])
def test_count_and_refusal_at_large_depth_build_nothing(L):
    """Counting needs the certified roots only; listing every sign pattern is refused with the limit named."""
    assert enumeration.count_critical_points(L, "0.5", ["3", "-2", "0"]) == (1 + 2 ** L) ** 2
    with pytest.raises(ValueError, match=r"depth: L = %d .*max_points = 8193" % L):
        enumeration.coordinate_critical_points(L, "0.5", "3")


def test_refusal_limit_is_at_depth_13():
    """The default limit lists every ``w*`` up to ``L = 13`` (1 + 2 * 2^12 points) and refuses ``L = 14``."""
    assert enumeration.MAX_COORDINATE_POINTS == 1 + 2 * 2 ** 12
    with pytest.raises(ValueError, match="depth: L = 14"):
        enumeration.coordinate_critical_points(14, "0.5", "3")
    with pytest.raises(ValueError, match="max_points"):
        enumeration.coordinate_critical_points(6, "0.5", "3", max_points=2 ** 5 * 2)  # 65 points > 64


@pytest.mark.parametrize("wstar", ["3", "-3", "0.1"])
def test_orbits_stand_for_every_sign_pattern(wstar):
    """Orbits (one point and a size) reproduce the full enumeration at L = 6: sizes, kinds, values."""
    L = 6
    points = enumeration.coordinate_critical_points(L, "0.5", wstar)
    orbits = enumeration.coordinate_critical_orbits(L, "0.5", wstar)
    assert sum(o.orbit_size for o in orbits) == len(points)
    for orbit in orbits:
        members = [p for p in points if p.root_index == orbit.root_index]
        assert len(members) == orbit.orbit_size
        assert {p.kind for p in members} == {orbit.kind}
        assert all(mpmath.almosteq(p.value, orbit.value, 1e-40) for p in members)
        sign = 1 if float(wstar) > 0 else -1
        assert all(int(np.prod(np.sign(p.w))) == sign for p in members if orbit.root_index >= 0)


def test_nearest_critical_point_in_closed_form_equals_brute_force():
    """The closed-form nearest sign pattern (signs of W, smallest entry flipped) is the brute-force nearest."""
    L, wstar = 7, ["3", "-2"]
    rng = np.random.default_rng(15)
    per_coordinate = [enumeration.coordinate_critical_points(L, "0.5", w) for w in wstar]
    for _ in range(20):
        W = rng.normal(scale=1.5, size=(L, 2))
        _, distance = enumeration.nearest_critical_point(W, "0.5", wstar)
        brute = sum(min(float(np.sum((W[:, h] - p.w) ** 2)) for p in per_coordinate[h]) for h in range(2))
        assert distance == pytest.approx(np.sqrt(brute), rel=1e-12)


@pytest.mark.slow
def test_orbits_and_nearest_point_at_depth_30():
    L = 30
    orbits = enumeration.coordinate_critical_orbits(L, "0.5", "3")
    assert [(o.root_index, o.orbit_size) for o in orbits] == [(-1, 1), (0, 2 ** 29), (1, 2 ** 29)]
    assert [o.kind for o in orbits] == ["minimum", "saddle", "minimum"]
    W = np.random.default_rng(30).normal(size=(L, 1))
    point, distance = enumeration.nearest_critical_point(W, "0.5", ["3"])
    assert distance == pytest.approx(float(np.linalg.norm(W[:, 0] - point.weights[:, 0])), rel=1e-12)
