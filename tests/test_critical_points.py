"""numeric/critical_points/: enumeration, classification, nearest point, independent Newton search."""
import mpmath
import numpy as np
import pytest

import numeric.critical_points
from numeric import model
from numeric.critical_points.enumeration import (coordinate_critical_points, count_critical_points, critical_points,
                                                 nearest_critical_point)
from numeric.critical_points.global_switch import global_switch_ratio
from numeric.critical_points.newton_search import search_critical_points
from numeric.shrinkage.threshold_regime import threshold


def test_counts_and_product():
    assert count_critical_points(3, "0.5", 1) == 9
    assert count_critical_points(3, "0.5", [1, -2]) == 81
    assert len(critical_points(3, "0.5", [1, 0])) == 9  # w* = 0 contributes only the zero point
    assert count_critical_points(5, "0.5", "0.01") == 1


def test_points_are_critical_and_balanced():
    for cp in critical_points(4, "0.5", [1.3, -0.7]):
        g = model.grad_marginalized_loss(cp.weights, np.array([1.3, -0.7]), 0.5)
        assert np.max(np.abs(g)) < 1e-12
        assert np.allclose(np.abs(cp.weights), np.abs(cp.weights[0]))
        assert np.isclose(cp.value, model.marginalized_loss(cp.weights, np.array([1.3, -0.7]), 0.5))


def test_classification_findings():
    pts = coordinate_critical_points(3, "0.5", 1)
    kinds = {p.root_index: p.kind for p in pts}
    assert kinds == {-1: "minimum", 0: "saddle", 1: "minimum"}
    pts2 = coordinate_critical_points(2, "0.5", 1)
    assert {p.root_index: p.kind for p in pts2} == {-1: "saddle", 0: "minimum"}
    at = coordinate_critical_points(4, 1, "6.75")
    assert {p.kind for p in at if p.root_index == 0} == {"degenerate"}
    # just above the threshold the nonzero minima are only local: L_R(0) is smaller
    with mpmath.workdps(40):
        w = threshold(4, "0.5", 40) * (1 + mpmath.mpf("1e-3"))
    pts = coordinate_critical_points(4, "0.5", w)
    zero = [p.value for p in pts if p.root_index == -1][0]
    big = min(p.value for p in pts if p.root_index == 1)
    assert zero < big


def test_product_kind_combines_blocks():
    pts = critical_points(3, "0.5", [1, 1])
    kinds = {cp.root_index: cp.kind for cp in pts}
    assert kinds[(0, 1)] == "saddle" and kinds[(1, 1)] == "minimum" and kinds[(-1, 1)] == "minimum"


def test_max_points_and_bad_input():
    with pytest.raises(ValueError, match="max_points"):
        critical_points(5, "0.5", [1, 1, 1], max_points=100)
    with pytest.raises(ValueError, match="eta"):
        critical_points(3, 0, [1])
    with pytest.raises(ValueError, match="design"):
        search_critical_points(3, "0.5", [1], design="grid")


def test_nearest_critical_point():
    cps = critical_points(3, "0.5", [1, -2])
    target = cps[17]
    cp, dist = nearest_critical_point(target.weights + 1e-9, "0.5", [1, -2])
    assert np.allclose(cp.weights, target.weights) and dist < 1e-8


def test_search_finds_exactly_the_enumeration_small():
    res = search_critical_points(3, "0.5", [1, -2], starts=150 ** 2, design="factorial", seed=3)
    enum = critical_points(3, "0.5", [1, -2])
    assert len(res.points) == len(enum) == 81
    for P in res.points:
        Pf = np.array(P, dtype=float)
        assert min(np.max(np.abs(Pf - cp.weights)) for cp in enum) < 1e-12


def test_factorial_shortcut_equals_explicit_run():
    a = search_critical_points(3, "0.5", [1.0, 2.0], starts=100, design="factorial", seed=1)
    b = search_critical_points(3, "0.5", [1.0, 2.0], starts=100, design="factorial", seed=1, explicit=True)
    assert a.converged == b.converged and len(a.points) == len(b.points)
    for p, q in zip(a.points, b.points):
        assert all(x == y for x, y in zip(p.ravel(), q.ravel()))


def test_global_switch_ratio():
    r3 = global_switch_ratio(3, 15)
    assert 1.08 < r3 < 1.083
    with mpmath.workdps(30):
        tau = threshold(3, "0.5", 30)
    for ratio, global_root in ((0.999 * float(r3), -1), (1.001 * float(r3), 1)):
        pts = coordinate_critical_points(3, "0.5", mpmath.mpf(float(tau) * ratio))
        best = min(pts, key=lambda p: p.value)
        assert best.root_index == global_root


def test_package_reexports_the_names_used_outside():
    """``numeric.critical_points`` re-exports exactly the names other code uses, as the enumeration's objects."""
    assert sorted(numeric.critical_points.__all__) == ["coordinate_critical_points", "critical_points",
                                                       "nearest_critical_point"]
    assert numeric.critical_points.critical_points is critical_points
    assert numeric.critical_points.nearest_critical_point is nearest_critical_point
    assert numeric.critical_points.coordinate_critical_points is coordinate_critical_points


def test_factorization_minimization_ends_balanced_at_the_minimum():
    from numeric.critical_points.factorization_minimization import minimize_over_factorizations

    for L, m, eta in [(2, 1.7, 0.5), (4, -0.3, 1.1), (5, 2.0, 0.3)]:
        r = minimize_over_factorizations(L, m, eta, "regularizer", starts=16, seed=3)
        assert r.converged.all() and np.allclose(np.prod(r.weights, axis=0), m, rtol=1e-12)
        assert np.allclose(np.abs(r.weights), abs(m) ** (1 / L), rtol=1e-7)
        assert np.allclose(r.values, (abs(m) ** (2 / L) + eta ** 2) ** L - m ** 2, rtol=1e-12)
        t = minimize_over_factorizations(L, m, eta, "hessian_trace", starts=16, seed=3)
        assert np.allclose(t.values, 2 * L * abs(m) ** (2 * (L - 1) / L), rtol=1e-12)


@pytest.mark.parametrize("kwargs, word", [({"m": 0.0}, "m must be"), ({"objective": "x"}, "objective"),
                                          ({"starts": 0}, "starts"), ({"L": 1}, "depth")])
def test_factorization_minimization_bad_input(kwargs, word):
    from numeric.critical_points.factorization_minimization import minimize_over_factorizations

    args = {"L": 3, "m": 1.0, "eta": 0.5, "objective": "regularizer", **kwargs}
    with pytest.raises(ValueError, match=word):
        minimize_over_factorizations(**args)


def test_balanced_grid_finds_every_critical_value_near_the_threshold():
    with mpmath.workdps(30):
        w = threshold(4, "0.5", 30) * mpmath.mpf("1.001")
    res = search_critical_points(4, "0.5", [mpmath.nstr(w, 25)], starts=1, design="factorial", balanced_grid=24, seed=0)
    magnitudes = {round(float(abs(P[0, 0])), 9) for P in res.points}
    assert len(magnitudes) == 3  # the zero point and both roots
    with pytest.raises(ValueError, match="balanced_grid"):
        search_critical_points(3, "0.5", [1.0], starts=4, balanced_grid=3)
