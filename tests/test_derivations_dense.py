"""derivations.dense: moments, recursions, closed form, two layers, the balance law, LaTeX formulas."""
import pytest
import sympy as sp

from derivations import dense as dd


def regularizer_by_moments(dims):
    return dd.marginalized_loss_by_moments(dims) - dd.dense_loss(dims)


def test_sandwich_rule_by_moments():
    for m, n in [(1, 1), (2, 3), (3, 2)]:
        for derived, expected in dd.gaussian_sandwich(m, n):
            assert dd.is_zero_matrix(derived - expected)


@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 1, 2), (1, 2, 2)])
def test_nested_moments_equal_fully_expanded_moments(dims):
    assert dd.is_identity(dd.marginalized_loss_by_moments(dims),
                          dd.marginalized_loss_by_moments(dims, nested=False))


@pytest.mark.parametrize("dims", [(2, 1, 3), (3, 2, 1), (2, 2, 2), (2, 1, 2, 1), (3, 2, 2, 1), (1, 2, 1, 2, 1)])
def test_moments_recursion_and_closed_form_agree(dims):
    R = regularizer_by_moments(dims)
    assert dd.is_identity(R, dd.regularizer_recursion(dims))
    assert dd.is_identity(R, dd.regularizer_segment_expansion(dims))
    L = len(dims) - 1
    assert dd.is_identity(dd.regularizer_segment_expansion(dims, sizes=(L - 1, L)), dd.weight_decay_part(dims))


def test_two_layers_is_weight_decay_with_outer_widths_plus_a_constant():
    for dims in [(2, 1, 3), (3, 2, 1), (2, 2, 2)]:
        assert dd.is_identity(regularizer_by_moments(dims), dd.two_layer_regularizer(dims))
    s = dd.dense_symbols((3, 2, 1))
    R = dd.two_layer_regularizer((3, 2, 1))
    assert sp.Poly(R, *s.W[1]).coeff_monomial(s.W[1][0, 0] ** 2) == 3 * s.eta**2  # d_0 ||W_2||^2
    assert dd.weight_decay_coefficients((3, 2, 1)) == [1, 3]
    assert dd.weight_decay_coefficients((2, 3, 4, 5)) == [20, 10, 6]


def test_wrong_variants_are_not_identities():
    dims = (2, 1, 2, 1)
    R = regularizer_by_moments(dims)
    assert not dd.is_identity(R, dd.regularizer_segment_expansion(dims, width_factors=(3, 1, 2, 1)))
    assert not dd.is_identity(R, dd.regularizer_segment_expansion(dims, constant_factor=sp.Rational(11, 10)))
    assert not dd.is_identity(R, dd.regularizer_recursion(dims, width_factors=(3,)))
    assert not dd.is_identity(regularizer_by_moments((2, 2, 2)), dd.diagonal_formula_transplanted((2, 2, 2)))
    assert dd.is_identity(regularizer_by_moments((1, 1, 1, 1)), dd.diagonal_formula_transplanted((1, 1, 1, 1)))


@pytest.mark.parametrize("dims", [(2, 2, 2), (3, 2, 1), (2, 1, 2, 1)])
def test_balance_identity_and_law(dims):
    N, M = dd.noisy_prefix_moments(dims), dd.noisy_suffix_moments(dims)
    for l in range(1, len(dims) - 1):
        assert dd.is_zero_matrix(dd.balance_identity_gap(dims, l))
        assert dd.is_zero_matrix(dd.weighted_balance_gap(dims, l) - (M[l + 1].trace() * N[l] - N[l - 1].trace() * M[l]))
    wrong_loss = dd.dense_loss(dims) + sp.Rational(11, 10) * regularizer_by_moments(dims)
    assert not dd.is_zero_matrix(dd.balance_identity_gap(dims, 1, marginalized_loss=wrong_loss))
    assert not dd.is_zero_matrix(dd.balance_identity_gap(dims, 1, width_factors=(dims[0] + 1,)))


def test_two_layer_law_and_bad_input():
    for dims in [(3, 2, 2), (2, 2, 2)]:
        assert dd.is_zero_matrix(dd.weighted_balance_gap(dims, 1) - dd.two_layer_balance_gap(dims))
    with pytest.raises(ValueError, match="dims"):
        dd.dense_symbols((2, 0, 1))
    with pytest.raises(ValueError, match="dims"):
        dd.dense_symbols((2, 2))
    with pytest.raises(ValueError, match="l must be in"):
        dd.balance_identity_gap((2, 2, 2), 2)
    with pytest.raises(ValueError, match="depth 2"):
        dd.two_layer_regularizer((2, 2, 2, 2))


def test_formulas_are_well_formed():
    items = dd.formulas()
    assert {cid for cid, *_ in items} == {"dense-regularizer", "dense-balancing"}
    assert all(isinstance(expr, sp.Basic) and eq.startswith("D") for _, eq, _, expr in items)
    assert len({eq for _, eq, _, _ in items}) == len(items)
