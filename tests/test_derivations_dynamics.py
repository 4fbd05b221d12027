"""derivations/dynamics/: the identities of Section 4, proven for small L, and wrong variants refuted."""
import pytest
import sympy as sp

from derivations import dynamics
from derivations.dynamics import descent, flow, gradient, hessian, projection
from derivations.marginalized import coordinate_symbols, prove_identity


@pytest.mark.parametrize("L", [2, 3, 4])
def test_gradient_closed_form(L):
    assert prove_identity(gradient.gradient(L), gradient.gradient_closed_form(L))


@pytest.mark.parametrize("L", [2, 3, 4])
def test_eq35_and_eq36(L):
    s = coordinate_symbols(L)
    for l in range(1, L):
        assert prove_identity(flow.flow_balancing_derivative(L, l), flow.balancing_ode_rhs(L, l))
        assert not prove_identity(flow.flow_balancing_derivative(L, l), flow.balancing_ode_rhs(L, l, 5))
        assert gradient.is_nonnegative_polynomial(flow.balancing_rate_floor_gap(L, l), [*s.w, s.eta])


@pytest.mark.parametrize("L", [2, 3])
def test_eq50_factorization_and_multiplier(L):
    s = coordinate_symbols(L)
    g = gradient.gradient(L)
    for l in range(1, L):
        D = s.w[l] ** 2 - s.w[l - 1] ** 2
        assert prove_identity(descent.gd_balancing_next(L, l), descent.gd_balancing_recursion(L, l))
        assert not prove_identity(descent.gd_balancing_next(L, l), descent.gd_balancing_recursion(L, l, False))
        assert prove_identity(g[l] ** 2 - g[l - 1] ** 2, descent.gd_gradient_square_difference(L, l))
        assert prove_identity(descent.gd_balancing_next(L, l), descent.gd_multiplier(L, l) * D)
        assert not prove_identity(descent.gd_balancing_next(L, l), descent.gd_multiplier(L, l, False) * D)
        assert all(descent.contraction_constant_proof(L, l).values())


def test_l2_multiplier_is_paper_form():
    s = coordinate_symbols(2)
    r = s.wstar - s.w[0] * s.w[1]
    m = 1 - 4 * descent.ALPHA * s.eta ** 2 + 4 * descent.ALPHA ** 2 * (s.eta ** 4 - r ** 2)
    assert sp.expand(descent.gd_multiplier(2, 1) - m) == 0


@pytest.mark.parametrize("L", [2, 3])
def test_hessian_bound_proof(L):
    steps = hessian.hessian_bound_proof(L)
    assert steps and all(steps.values()), steps


def test_hessian_bound_is_below_paper_reading():
    M, (Lv, d, c, eta) = hessian.hessian_bound()
    P, (Ls, c2, eta2) = hessian.hessian_bound_paper_reading()
    for L in range(2, 12):
        ours = (M.subs({Lv: L, d: 1}) * eta ** 2 / c)
        theirs = P.subs(Ls, L) * eta2 ** 2 / c2
        assert float(ours) < float(theirs)


def test_is_nonnegative_polynomial_refutes():
    x, y = sp.symbols("x y", real=True)
    assert gradient.is_nonnegative_polynomial(x ** 2 + 3 * y ** 4, [x, y])
    assert not gradient.is_nonnegative_polynomial(x ** 2 - y ** 2, [x, y])
    assert not gradient.is_nonnegative_polynomial(x ** 3, [x, y])


@pytest.mark.parametrize("L", [2, 3, 4])
def test_eq57(L):
    s = coordinate_symbols(L)
    gap = projection.inner_product(L) - projection.inner_product_lower_bound(L)
    assert gradient.is_nonnegative_polynomial(gap, [*s.w, s.eta])


def test_radius_from_discriminant():
    disc, r0 = projection.radius_discriminant_condition()
    r, _ = projection.projection_radius()
    assert sp.simplify(r0 - r) == 0
    r_half, _ = projection.projection_radius(factor=sp.Rational(1, 4))
    assert sp.simplify(r0 - r_half) != 0


def test_formulas_shape():
    out = dynamics.formulas()
    assert len(out) >= 6
    for cid, eq, name, expr in out:
        assert cid.startswith(("theorem-4", "gradient-flow")) and isinstance(name, str)
        assert isinstance(expr, sp.Basic)


def test_package_reexports_the_names_used_outside():
    """``ssam-verify simulate`` and ``ssam-verify latex`` use these through ``derivations.dynamics``."""
    assert sorted(dynamics.__all__) == ["contraction_constant", "formulas", "projection_radius"]
    assert dynamics.contraction_constant is descent.contraction_constant
    assert dynamics.projection_radius is projection.projection_radius


def test_contraction_constant_combination_is_proven():
    steps = descent.contraction_constant_combination_proof()
    assert len(steps) == 5 and all(steps.values()), steps


def test_contraction_constant_combination_sees_a_smaller_constant(monkeypatch):
    """The certificates use the derived C: 'max' replaced by its first argument, or C scaled by 0.9, fails."""
    original = descent.contraction_constant

    def first_argument_only():
        C, (c, w, eta) = original()
        return 4 * c ** 2 / eta ** 4, (c, w, eta)

    for mutant in (first_argument_only, lambda: (original()[0] * sp.Rational(9, 10), original()[1])):
        monkeypatch.setattr(descent, "contraction_constant", mutant)
        assert not all(descent.contraction_constant_combination_proof().values())


def test_nonnegativity_in_nonnegative_variables():
    x, y = sp.symbols("x y", nonnegative=True)
    assert descent.is_nonnegative_in_nonnegative_variables(x ** 3 + 2 * x * y, [x, y])
    assert not descent.is_nonnegative_in_nonnegative_variables(x ** 2 - x * y, [x, y])


def test_radius_from_the_discriminant():
    _, r_zero = projection.radius_discriminant_condition()
    r, _ = projection.projection_radius()
    assert sp.simplify(r_zero - r) == 0
