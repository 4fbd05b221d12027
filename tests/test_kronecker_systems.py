"""numeric.kronecker_systems and derivations.kronecker_systems (Thm 6 of Mulayoff & Michaeli)."""
import numpy as np
import pytest
import sympy as sp

from derivations import kronecker_systems as kd
from numeric import kronecker_systems as ks


def _sym(rng, d):
    X = rng.standard_normal((d, d))
    return (X + X.T) / 2


def test_kronecker_sums_match_numpy():
    rng = np.random.default_rng(0)
    A = np.array([_sym(rng, 3) for _ in range(2)])
    B = A + 0.1 * np.array([_sym(rng, 3) for _ in range(2)])
    assert np.allclose(ks.kronecker_square_sum(A, [1.0, 2.0]), np.kron(A[0], A[0]) + 2 * np.kron(A[1], A[1]))
    expected = sum((np.kron(a, b) + np.kron(b, a)) / 2 for a, b in zip(A, B))
    assert np.allclose(ks.kronecker_pair_sum(A, B), expected)
    S = _sym(rng, 3)
    assert np.allclose(ks.kronecker_square_sum(A[:1]) @ S.ravel(), (A[0] @ S @ A[0]).ravel())


def test_commutation_and_bases():
    K = ks.commutation_matrix(3)
    S = np.arange(9.0).reshape(3, 3)
    assert np.array_equal(K @ S.ravel(), S.T.ravel())
    Bs, Bk = ks.symmetric_skew_bases(3)
    assert Bs.shape == (9, 6) and Bk.shape == (9, 3)
    assert np.allclose(np.hstack([Bs, Bk]).T @ np.hstack([Bs, Bk]), np.eye(9))
    with pytest.raises(ValueError):
        K[0, 0] = 2.0  # cached and read-only


def test_statements_on_random_and_tie_instances():
    rng = np.random.default_rng(1)
    for _ in range(30):
        d = int(rng.integers(2, 5))
        M = ks.kronecker_square_sum([_sym(rng, d) for _ in range(int(rng.integers(1, 4)))])
        system = ks.symmetric_skew_eigensystem(M, d)
        assert system.residual < 1e-12 and system.completeness > 1 - 1e-12
        cert = ks.psd_top_certificate(M, d, system=system)
        assert cert["dominance_margin"] > -1e-12 and cert["psd_gap"] < 1e-10
        assert np.linalg.eigvalsh(cert["certificate"]).min() > -1e-12
    tie = ks.psd_top_certificate(ks.kronecker_square_sum([np.diag([1.0, -1.0])]), 2)
    assert abs(tie["dominance_margin"]) < 1e-15 and tie["multiplicity"] == 2


def test_negative_weight_breaks_the_certificate():
    M = ks.kronecker_square_sum([np.eye(2), np.diag([1.0, -1.0])], [1.0, -0.05])
    assert ks.psd_top_certificate(M, 2)["psd_gap"] > 0.09


def test_psd_generalized_rayleigh_finds_lambda_max():
    rng = np.random.default_rng(2)
    A = np.array([_sym(rng, 3) for _ in range(3)])
    value, S = ks.psd_generalized_rayleigh(lambda S: np.einsum("kij,jl,klm->im", A, S, A), lambda S: S, 3,
                                          [np.eye(3), rng.standard_normal((3, 3))])
    assert abs(value - np.linalg.eigvalsh(ks.kronecker_square_sum(A)).max()) < 1e-8
    assert np.linalg.eigvalsh(S).min() > -1e-10


def test_bad_input():
    with pytest.raises(ValueError, match="left"):
        ks.kronecker_square_sum(np.ones((2, 3)) * np.nan)
    with pytest.raises(ValueError, match="weights"):
        ks.kronecker_square_sum(np.eye(2)[None], [1.0, 2.0])
    with pytest.raises(ValueError, match="M must"):
        ks.symmetric_skew_eigensystem(np.eye(3), 2)


def test_derivations():
    assert kd.swap_commutator(2) == sp.zeros(4, 4)
    assert kd.swap_commutator(2, symmetric=True) == sp.zeros(4, 4)
    assert kd.rayleigh_in_eigenbasis()[0] == 0
    quotient, det = kd.skew_rayleigh_2x2()
    assert sp.expand(quotient - det) == 0
    q, pairs = kd.skew_domination_2x2()
    assert all(sp.expand(a - b) == 0 for a, b in pairs)
    assert all(f[0] == "mm-theorem-6" for f in kd.formulas())
