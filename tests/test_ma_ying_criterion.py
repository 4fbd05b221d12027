"""numeric.ma_ying_criterion: eq 11's quadratic form, alpha(S), the PSD-constrained threshold, eq 25, the commuting
closed form."""
import numpy as np
import pytest

from numeric import linearized_sgd as lsgd
from numeric import ma_ying_criterion as criterion
from numeric.stability import closed_form, hessians


@pytest.fixture(scope="module")
def prob():
    A = np.random.default_rng(4).standard_normal((5, 3, 3))
    return hessians.problem(hessians=np.einsum("nij,nkj->nik", A, A) / 3)


def test_quadratic_form_is_the_enumerated_average(prob):
    S = np.diag([1.0, 0.5, 0.2]) + 0.1
    alpha, B = 0.3, 2
    Hb, _ = lsgd.batch_hessians(prob, B)
    M = np.eye(3) - alpha * Hb
    expected = np.mean([np.sum(S * (m @ S @ m)) for m in M])
    assert np.isclose(criterion.second_moment_quadratic_form(prob, B, alpha, S), expected, rtol=1e-13)
    weights, matrices = criterion.second_moment_matrices(prob, B, alpha)
    assert np.isclose(sum(w * np.sum(S * (m @ S @ m)) for w, m in zip(weights, matrices)), expected, rtol=1e-13)


def test_step_bound_is_where_the_form_crosses(prob):
    S = np.eye(3)
    a = criterion.step_bound(prob, 2, S)
    assert np.isclose(criterion.second_moment_quadratic_form(prob, 2, a, S), np.sum(S * S), rtol=1e-12)


def test_threshold_and_bounds(prob):
    for B in (1, 2, 5):
        exact = closed_form.threshold(prob, B).threshold
        found, S, info = criterion.psd_constrained_threshold(prob, B)
        assert abs(found / exact - 1) < 1e-10 and info["converged"] and info["min_eigenvalue"] > -1e-12
        bounds = criterion.necessary_thresholds(prob, B)
        assert all(v >= exact * (1 - 1e-9) for v in bounds.values())
        assert bounds["rank_one"] <= bounds["top_eigenvector"] * (1 + 1e-9)


def test_commuting_closed_form():
    h = np.abs(np.random.default_rng(5).standard_normal((6, 3))) + 0.1
    prob = hessians.problem(hessians=np.einsum("ni,ij->nij", h, np.eye(3)))
    for B in (1, 3):
        out = criterion.commuting_threshold(h, B)
        assert abs(out["threshold"] / closed_form.threshold(prob, B).threshold - 1) < 1e-12
        assert np.all(out["entry_ratios"] >= out["threshold"] * (1 - 1e-12))


def test_bad_input(prob):
    with pytest.raises(ValueError, match="S must"):
        criterion.step_bound(prob, 1, np.eye(2))
    with pytest.raises(ValueError, match="batch"):
        criterion.psd_constrained_threshold(prob, 9)
    with pytest.raises(ValueError, match="diagonals"):
        criterion.commuting_threshold(np.array([[1.0, np.nan]]), 1)
