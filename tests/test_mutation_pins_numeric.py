"""Pins of derived constants of the numeric and derivation layers that mutation testing checks (docs/mutation.md).

* the Theorem 4.3 constant ``C`` on an instance where the bound ``1 - 4 alpha eta^{2(L-1)} + C alpha^2``
  is attained (the balancing multiplier near ``W = 0`` with ``w* = 0``), measured by one step of the
  numeric gradient descent, so a smaller ``C`` is violated and a larger one is seen as slack;
* the global-switch ratio ``r_L`` recomputed in floating point by minimising the per-coordinate
  ``L_R`` over the root directly (scipy), not through the certified shrinkage roots.
"""
import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq, minimize_scalar

from derivations.dynamics import descent
from numeric import model
from numeric.critical_points.global_switch import global_switch_ratio


def _measured_multiplier(L, eta, alpha, scale=1e-7):
    """``D(1) / D(0)`` of the pair ``(1, 2)`` after one GD step ``w - alpha grad L_R`` from a tiny ``W``, ``w* = 0``."""
    W = np.full((L, 1), scale)
    W[1, 0] = 2 * scale
    gap = W[1] ** 2 - W[0] ** 2
    W1 = W - alpha * model.grad_marginalized_loss(W, np.zeros(1), eta)
    return float(((W1[1] ** 2 - W1[0] ** 2) / gap)[0]), float(model.marginalized_loss(W, np.zeros(1), eta))


@pytest.mark.parametrize("L,eta", [(2, 0.8), (3, 0.9), (4, 1.1)])
def test_theorem_4_3_constant_is_attained_near_the_origin(L, eta):
    C_expr, (c, w_inf, eta_sym) = descent.contraction_constant()
    alpha = 0.2 / eta ** (2 * (L - 1))  # inside the step condition alpha <= 1 / (4 eta^{2(L-1)})
    measured, loss0 = _measured_multiplier(L, eta, alpha)
    C = float(C_expr.subs({c: loss0, w_inf: 0, eta_sym: eta}))
    rate = 4 * alpha * eta ** (2 * (L - 1))
    bound = 1 - rate + C * alpha ** 2
    # attained: the multiplier is the bound up to the O(scale^2) terms of the tiny start
    assert abs(measured) == pytest.approx(bound, abs=1e-9 * C * alpha ** 2)
    # a constant 5 % smaller is violated, one 5 % larger leaves visible slack
    assert abs(measured) > 1 - rate + 0.95 * C * alpha ** 2
    assert abs(measured) < 1 - rate + 1.05 * C * alpha ** 2 - 0.04 * C * alpha ** 2


def test_theorem_4_3_constant_takes_the_larger_branch():
    """``C = 4 max(c^2, c^2/2 + 2 w_inf^2 c) / eta^4``: each branch wins somewhere, at its own value."""
    C_expr, (c, w_inf, eta) = descent.contraction_constant()
    value = lambda cv, wv, ev: float(C_expr.subs({c: cv, w_inf: wv, eta: ev}))  # noqa: E731
    # w_inf^2 <= c / 4: the first branch (the origin instance above); beyond: the second
    assert value(2.0, 0.5, 0.5) == pytest.approx(4 * 4.0 / 0.0625)
    assert value(2.0, 1.0, 0.5) == pytest.approx(4 * (2.0 + 4.0) / 0.0625)
    at_switch = value(2.0, np.sqrt(0.5), 0.5)
    assert at_switch == pytest.approx(4 * 4.0 / 0.0625, rel=1e-12)
    assert isinstance(C_expr, sp.Expr) and C_expr.free_symbols == {c, w_inf, eta}


def _switch_ratio_float(L):
    """``r_L``: the ``kappa / tau_L`` at which ``min_u>0 (kappa - u^L)^2 + (u^2+1)^L - u^{2L}`` equals its value at 0."""
    def profile(u, kappa):
        return (kappa - u ** L) ** 2 + (u * u + 1) ** L - u ** (2 * L)

    def gap(kappa):
        best = minimize_scalar(lambda u: profile(u, kappa), bounds=(0.5 * kappa ** (1 / L), 1.5 * kappa ** (1 / L)),
                               method="bounded", options={"xatol": 1e-13})
        return best.fun - profile(0.0, kappa)

    def has_nonzero_minimum(kappa):  # d/du profile = 0 has a root u > 0 (the threshold tau_L)
        u = np.linspace(1e-3, 3 * kappa ** (1 / L), 20001)
        d = -2 * L * u ** (L - 1) * (kappa - u ** L) + 2 * L * u * ((u * u + 1) ** (L - 1) - u ** (2 * L - 2))
        return np.any(d[1:] < 0) and np.any(d > 0)

    tau = brentq(lambda k: 1.0 if has_nonzero_minimum(k) else -1.0, 0.1, 10.0, xtol=1e-7)
    switch = brentq(gap, tau * 1.0001, 4 * tau, xtol=1e-12)
    return switch / tau


@pytest.mark.parametrize("L", [3, 4])
def test_global_switch_ratio_matches_a_direct_float_computation(L):
    assert float(global_switch_ratio(L, 12)) == pytest.approx(_switch_ratio_float(L), rel=2e-5)
    assert global_switch_ratio(2) == 1


def test_global_switch_ratio_converges_to_its_digits():
    r20, r30 = global_switch_ratio(3, 20), global_switch_ratio(3, 30)
    assert abs(r20 - r30) < mpmath.mpf(10) ** -19


def test_global_switch_ratio_is_accurate_to_its_digits_and_reports_a_bad_bracket():
    r30, r45 = global_switch_ratio(4), global_switch_ratio(4, 45)
    assert abs(r30 - r45) < mpmath.mpf(10) ** -28
    with pytest.raises(ArithmeticError, match=r"no sign change of V on \[1, 1.01\] for L=3"):
        global_switch_ratio(3, 15, hi=1.01)


# ------------------------------------------------------------------ step-size schedules and recorded steps
def test_step_size_defaults_and_edges():
    from numeric.dynamics.schedules import step_sizes

    k = np.arange(5.0)
    np.testing.assert_array_equal(step_sizes(5, 0.4, "harmonic"), 0.4 * 1000 / (k + 1000))  # decay_start 1000
    np.testing.assert_allclose(step_sizes(5, 0.4, "power", 10), 0.4 * 10 / (k + 10), rtol=1e-15)  # power 1
    np.testing.assert_allclose(step_sizes(5, 0.4, "power", 10, 1.0), step_sizes(5, 0.4, "harmonic", 10), rtol=1e-15)
    assert step_sizes(0, 0.4).shape == (0,) and step_sizes(0, 0.4, "harmonic").dtype == float
    for kwargs, message in (
            (dict(n=-1, a=0.1), "^steps must be >= 0"), (dict(n=2, a=0.0), "^step_size must be"),
            (dict(n=2, a=0.1, schedule="cos"), "^schedule must be one of constant, harmonic, power, got 'cos'"),
            (dict(n=2, a=0.1, schedule="harmonic", decay_start=0), "^decay_start must be >= 1"),
            (dict(n=2, a=0.1, schedule="power", power=0.5), r"^power must be in \(0.5, 1\], got 0.5")):
        with pytest.raises(ValueError, match=message):
            step_sizes(**kwargs)


def test_steps_to_record():
    from numeric.dynamics.schedules import steps_to_record

    assert steps_to_record(10, 3) == [0, 3, 6, 9, 10]
    assert steps_to_record(9, 3) == [0, 3, 6, 9]
    assert steps_to_record(10, 3, [10, 0, 4, 4.0]) == [0, 4, 10]
    assert steps_to_record(10, 3, [5]) == [5]
    for chosen in ([], [-1, 3], [11], [0, 11]):
        with pytest.raises(ValueError, match=r"record_steps must lie in \[0, 10\]"):
            steps_to_record(10, 3, chosen)
    with pytest.raises(ValueError, match="^record_every must be >= 1"):
        steps_to_record(10, 0)


# ------------------------------------------------------------------ derivations.dynamics.descent
@pytest.mark.parametrize("L", [2, 3])
def test_multiplier_control_is_the_first_order_part_of_the_multiplier(L):
    """The control "no alpha^2 term" is ``m(0) + alpha m'(0)`` of the exact multiplier (eq 50), not another formula."""
    m = descent.gd_multiplier(L, 1)
    first_order = m.subs(descent.ALPHA, 0) + descent.ALPHA * sp.diff(m, descent.ALPHA).subs(descent.ALPHA, 0)
    assert sp.expand(descent.gd_multiplier(L, 1, include_alpha2=False) - first_order) == 0


def test_contraction_constant_symbols_and_factor_bound():
    C_expr, (c, w_inf, eta) = descent.contraction_constant()
    assert [str(v) for v in (c, w_inf, eta)] == ["c", "w_inf", "eta"] and all(v.is_positive for v in (c, w_inf, eta))
    expr, (alpha, eta_b, C) = descent.contraction_factor_bound(3)
    values = {alpha: sp.Rational(1, 10), eta_b: sp.Rational(9, 10), C: 2}
    assert expr.subs(values) == 1 - 4 * sp.Rational(1, 10) * sp.Rational(9, 10) ** 4 + 2 * sp.Rational(1, 100)
    assert alpha is descent.ALPHA and eta_b.is_positive and C.is_positive and (str(eta_b), str(C)) == ("eta", "C")
    no_c, _ = descent.contraction_factor_bound(3, rate_factor=5, with_c=False)
    assert no_c.subs(values) == 1 - 5 * sp.Rational(1, 10) * sp.Rational(9, 10) ** 4
    assert descent.is_nonnegative_in_nonnegative_variables(sp.Integer(0), [c])


def test_theorem_4_3_proof_steps_keep_their_evidence_labels():
    """The labels name the inequality each certificate proves; the run's evidence and the report show them."""
    assert list(descent.contraction_constant_proof(3, 1)) == [
        "eta^4 A <= R", "eta^4 pi_{-{l,l+1}}^2 <= R", "2 eta^2 |w_l w_{l+1}| A <= R (both signs)",
        "s^2 <= 2 (A w_l w_{l+1})^2 + 2 w*^2 pi^2"]
    assert list(descent.contraction_constant_combination_proof()) == [
        "b - m >= 0 (C >= 4 c^2/eta^4, A >= eta^{2(L-2)}, eta^4 A <= c)",
        "b + m >= 0 (C >= 4 S2 >= 4 s^2, alpha <= 1/(4 eta^{2(L-1)}))", "2 (A w_l w_{l+1})^2 <= c^2/(2 eta^4)",
        "2 w*^2 pi_{-{l,l+1}}^2 <= 2 w_inf^2 c/eta^4", "C = 4 max(...)/eta^4 >= both"]
