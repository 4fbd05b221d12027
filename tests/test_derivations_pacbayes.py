"""derivations/pacbayes/: every step of the Lemma 2.3 derivation, and the closed forms."""
import sympy as sp

from derivations import pacbayes
from derivations.gaussian import gaussian_expectation
from derivations.pacbayes import symbols as bound_symbols
from derivations.pacbayes.bound import best_beta, bound_from_event, bound_variant
from derivations.pacbayes.kl_divergence import kl_entry, kl_entry_by_integration, kl_network
from derivations.pacbayes.latex_export import formulas
from derivations.pacbayes.loss_moments import loss_moments_given_u, sigma_matrix, student_t_fourth_moment_factor
from derivations.pacbayes.posterior_moments import (dense_posterior_moments, diagonal_posterior_moments,
                                                    whitened_empirical_posterior_loss)
from derivations.pacbayes.tail_inequalities import lower_tail_inequality, nonnegative_on_unit_interval, one_plus_y_le_exp


def test_lower_tail_and_exponential_inequalities_are_proved():
    assert lower_tail_inequality()["proved"]
    facts = one_plus_y_le_exp()
    assert facts["proved"] and facts["identity"] and facts["integrand (1-u) exp(u y) >= 0 on [0,1]"]


def test_integrand_sign_is_checked_not_asserted():
    """The nonnegativity of (1-u) exp(u y) on [0, 1] is decided by SymPy: wrong integrands are caught."""
    u, y = sp.Symbol("u", real=True), sp.Symbol("y", real=True)
    assert nonnegative_on_unit_interval((1 - u, sp.exp(u * y)), u)
    assert not nonnegative_on_unit_interval((u - 1, sp.exp(u * y)), u)
    assert not nonnegative_on_unit_interval((1 - u, u - sp.Rational(1, 2)), u)
    assert not nonnegative_on_unit_interval((sp.Rational(9, 10) - u,), u)


def test_kl_by_moments_and_by_integration():
    w, s = sp.Symbol("w", real=True), sp.Symbol("sigma", positive=True)
    assert sp.simplify(kl_entry(w, s) - w**2 / (2 * s**2)) == 0
    assert sp.simplify(kl_entry_by_integration(w, s) - w**2 / (2 * s**2)) == 0
    a, b = sp.symbols("a b", real=True)
    assert sp.simplify(kl_network([a, b], s) - (a**2 + b**2) / (2 * s**2)) == 0


def test_event_rearranges_to_the_bound_and_variants_differ():
    b = bound_from_event()
    assert sp.simplify(b - bound_variant("lemma-2.3")) == 0
    for v in ("no-kl", "no-log-delta", "rate-n"):
        assert sp.simplify(b - bound_variant(v)) != 0


def test_best_beta():
    bstar, bmin = best_beta()
    D, M2 = sp.Symbol("D", positive=True), sp.Symbol("M_2", positive=True)
    assert sp.simplify(bstar - sp.sqrt(2 * D / M2)) == 0
    assert sp.simplify(bmin - bound_symbols.R_emp - sp.sqrt(2 * D * M2 / bound_symbols.n)) == 0


def test_student_t_factor():
    nu, k4 = student_t_fourth_moment_factor()
    assert sp.simplify(k4 - 3 * (nu - 2) / (nu - 4)) == 0


def test_loss_moments_given_u():
    u, first, second = loss_moments_given_u(3)
    S = sigma_matrix(3)
    Q = sp.expand((sp.Matrix([u]) * S * sp.Matrix(u))[0])
    assert sp.expand(first - Q - bound_symbols.tau**2) == 0
    assert sp.expand(second - (bound_symbols.k4 * Q**2 + 6 * bound_symbols.tau**2 * Q + 3 * bound_symbols.tau**4)) == 0


def test_polynomial_route_equals_gaussian_expectation_route():
    # diagonal L = 2, d = 1, symbolic: E_G through sympy.Poly vs derivations.gaussian.gaussian_expectation
    sym, pop, m2 = diagonal_posterior_moments(2, 1)
    u, first, second = loss_moments_given_u(1, sym["Sigma"])
    P = (sym["W"][0][0] + sym["G"][0][0]) * (sym["W"][1][0] + sym["G"][1][0])
    noise = [sym["G"][0][0], sym["G"][1][0]]
    ref = gaussian_expectation(sp.expand(second.subs(u[0], sym["wstar"][0] - P)), noise, sym["sigma"])
    assert sp.expand(ref - m2) == 0


def test_whitened_empirical_term_is_L_plus_Savg():
    lhs, rhs = whitened_empirical_posterior_loss(2, 3)
    assert sp.expand(lhs - rhs) == 0


def test_dense_reduces_to_known_case():
    # a dense 1-1-1 network is the depth-2 diagonal network of width 1
    sym_d, pop_d, m2_d = dense_posterior_moments((1, 1, 1))
    sym, pop, m2 = diagonal_posterior_moments(2, 1)
    sub = {sym_d["W"][0][0, 0]: sym["W"][0][0], sym_d["W"][1][0, 0]: sym["W"][1][0]}
    assert sp.expand(pop_d.xreplace(sub) - pop) == 0 and sp.expand(m2_d.xreplace(sub) - m2) == 0


def test_formulas_shape():
    fs = formulas()
    assert len(fs) >= 8
    for cid, eq, name, expr in fs:
        assert cid == "lemma-2.3" and isinstance(name, str) and isinstance(expr, sp.Basic)


def test_formulas_render_to_latex():
    for _, _, _, expr in formulas():
        assert sp.latex(expr)


def test_package_re_exports_its_public_names():
    # ssam_verify.latex collects derivations.pacbayes.formulas(); notebooks use dp.bound_variant, dp.R_pop, ...
    assert pacbayes.formulas is formulas and pacbayes.bound_variant is bound_variant
    assert pacbayes.R_emp is bound_symbols.R_emp and pacbayes.M2 is bound_symbols.M2
    assert all(hasattr(pacbayes, name) for name in pacbayes.__all__)
