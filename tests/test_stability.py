import numpy as np
import pytest

from numeric.stability import closed_form, hessians, moment_recursion


def test_p_and_validation():
    assert hessians.batch_p(10, 10) == 0.0
    assert hessians.batch_p(10, 1) == 1.0
    assert hessians.batch_p(6, 2) == pytest.approx(4 / 10)
    with pytest.raises(ValueError, match="batch"):
        hessians.batch_p(5, 6)
    with pytest.raises(ValueError, match="positive semi-definite"):
        hessians.problem(hessians=-np.eye(2)[None])
    with pytest.raises(ValueError, match="symmetric"):
        hessians.problem(hessians=np.array([[[1.0, 1.0], [0.0, 1.0]]]))


@pytest.mark.parametrize("B", [1, 2, 4, 5])
def test_structured_equals_dense(B):
    rng = np.random.default_rng(B)
    X = rng.standard_normal((5, 3))
    d = closed_form.dense_threshold(X, B)
    assert closed_form.threshold(X, B, method="eigh").threshold == pytest.approx(d, rel=1e-9)
    assert closed_form.threshold(X, B, method="lanczos").threshold == pytest.approx(d, rel=1e-8)
    A, D = moment_recursion.kronecker_matrices(X, B)
    spec = 1 / np.max(np.linalg.eigvals(np.linalg.pinv(A, hermitian=True) @ D).real)
    assert spec == pytest.approx(d, rel=1e-9)  # the spec's normalization agrees


def test_gd_limit_and_orthogonal_closed_form():
    X = np.diag([1.0, 2.0, 0.5])
    for B in (1, 2, 3):
        assert closed_form.threshold(X, B).threshold == pytest.approx(2 * B / 4.0, rel=1e-10)
    r = closed_form.threshold(X, 3)
    assert r.threshold == pytest.approx(r.gd_threshold)


def test_second_moment_matches_enumeration():
    import itertools
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 2))
    Hs = X[:, :, None] * X[:, None, :]
    S = np.array([[1.0, 0.3], [0.3, 2.0]])
    for B in (1, 2, 3):
        exp = np.mean([(np.eye(2) - 0.3 * Hs[list(c)].mean(0)) @ S @ (np.eye(2) - 0.3 * Hs[list(c)].mean(0))
                       for c in itertools.combinations(range(5), B)], axis=0)
        assert np.allclose(moment_recursion.second_moment_step(X, B, 0.3, S), exp, atol=1e-13)


def test_regular_limit_solves_fixed_point():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, 3))
    g = rng.standard_normal((6, 3))
    g -= g.mean(0)
    a = 0.5 * closed_form.threshold(X, 2).threshold
    Sig = closed_form.regular_limit_covariance(X, g, 2, a)
    _, S = moment_recursion.regular_moment_trajectory(X, g, 2, a, 2000, theta0=np.ones(3))
    assert np.allclose(S, Sig, rtol=1e-8, atol=1e-12)
    with pytest.raises(ValueError, match="average to zero"):
        closed_form.regular_limit_covariance(X, g + 1, 2, a)


@pytest.mark.parametrize("B", [1, 3, 6])
def test_spec_threshold_and_recursion_matrix(B):
    rng = np.random.default_rng(10 + B)
    A = rng.standard_normal((6, 3, 3))
    prob = hessians.problem(hessians=np.einsum("nij,nkj->nik", A, A) / 3)
    thr = closed_form.dense_threshold(prob, B)
    assert closed_form.spec_threshold(prob, B) == pytest.approx(thr, rel=1e-9)
    S = np.array([[1.0, 0.2, -0.1], [0.2, 2.0, 0.4], [-0.1, 0.4, 0.5]])
    for alpha in (0.3 * thr, thr):
        T = moment_recursion.recursion_matrix(prob, B, alpha)
        assert np.allclose(T @ S.ravel(), moment_recursion.second_moment_step(prob, B, alpha, S).ravel(), atol=1e-12)
    T_at_threshold = moment_recursion.recursion_matrix(prob, B, thr)
    assert np.max(np.abs(np.linalg.eigvals(T_at_threshold))) == pytest.approx(1.0, abs=1e-9)
    with pytest.raises(ValueError, match="alpha"):
        moment_recursion.recursion_matrix(prob, B, -1.0)


def test_package_reexports_the_concept_modules():
    """``from numeric import stability as st; st.threshold`` (used by code outside the package) is the concept
    module's object, for every public name of the former numeric/stability.py."""
    import numeric.stability as package
    from numeric.stability import sgd_simulation

    modules = (closed_form, hessians, moment_recursion, sgd_simulation)
    assert len(package.__all__) == len(set(package.__all__)) == 22
    for name in package.__all__:
        (owner,) = [m for m in modules if name in m.__all__]
        assert getattr(package, name) is getattr(owner, name), name


# ---------------------------------------------------------------- convergence criteria with proved bounds
@pytest.mark.parametrize("B", [1, 2, 5, 6])
def test_collatz_wielandt_bracket_contains_the_spectral_radius(B):
    rng = np.random.default_rng(10 + B)
    X = rng.standard_normal((6, 3))
    alpha = 0.9 * closed_form.threshold(X, B).threshold
    rho = float(np.max(np.abs(np.linalg.eigvals(moment_recursion.recursion_matrix(X, B, alpha)))))
    for S in (np.eye(3), np.diag([1.0, 0.1, 0.01]), np.outer([1.0, 2.0, 0.5], [1.0, 2.0, 0.5])):
        lower, upper = moment_recursion.collatz_wielandt_bracket(X, B, alpha, S)
        assert lower <= rho * (1 + 1e-12) and rho <= upper * (1 + 1e-12)


def test_certified_stability_decides_both_sides_and_says_when_it_cannot():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((6, 3))
    a = closed_form.threshold(X, 2).threshold
    assert moment_recursion.certified_stability(X, 2, 0.999 * a)["verdict"] == "stable"
    assert moment_recursion.certified_stability(X, 2, 1.001 * a)["verdict"] == "unstable"
    assert moment_recursion.certified_stability(X, 2, 1.0001 * a, max_steps=1)["verdict"] == "undecided"
    with pytest.raises(ValueError, match="p must be in"):
        moment_recursion.certified_stability(X, 2, a, p=1.5)
    with pytest.raises(ValueError, match="alpha"):
        moment_recursion.certified_stability(X, 2, -1.0)


def test_regular_moment_limit_meets_its_error_bound():
    rng = np.random.default_rng(4)
    X = np.zeros((6, 4))
    X[:, :3] = rng.standard_normal((6, 3))
    g = rng.standard_normal((6, 4))
    g -= g.mean(axis=0)
    for B in (1, 3):
        alpha = 0.9 * closed_form.threshold(X, B).threshold
        out = moment_recursion.regular_moment_limit(X, g, B, alpha, theta0=rng.standard_normal(4), rtol=1e-11)
        limit = closed_form.regular_limit_covariance(X, g, B, alpha)
        assert np.linalg.norm(out["sigma"] - limit) <= out["error_bound"] + 1e-11 * np.linalg.norm(limit)
        assert out["error_bound"] <= 1e-11 * np.linalg.norm(out["sigma"]) and out["top_eigenvalue"] < 1
    with pytest.raises(ValueError, match="not below the stability threshold"):
        moment_recursion.regular_moment_limit(X, g, 1, 1.01 * closed_form.threshold(X, 1).threshold)
    with pytest.raises(ValueError, match="did not reach"):
        moment_recursion.regular_moment_limit(X, g, 1, 0.9 * closed_form.threshold(X, 1).threshold, max_steps=3)
