"""numeric.quadrature: the tensor Gauss-Hermite grid shared by numeric.stationary and numeric.pacbayes.draw_shape."""
import numpy as np
import pytest

from numeric.quadrature import gauss_hermite_grid


def test_grid_is_exact_below_twice_the_points_per_variable():
    nodes, weights = gauss_hermite_grid(2, 3)
    assert nodes.shape == (9, 2) and weights.sum() == pytest.approx(1.0)
    g1, g2 = nodes.T
    assert np.sum(weights * g1**4) == pytest.approx(3.0)  # degree 4 < 6: exact
    assert np.sum(weights * g1**2 * g2**2) == pytest.approx(1.0)
    assert np.sum(weights * g1**6) != pytest.approx(15.0)  # degree 6: beyond the rule
    assert np.array_equal(nodes[:3, 0], np.full(3, nodes[0, 0]))  # last variable fastest


def test_grid_refuses_bad_sizes():
    with pytest.raises(ValueError, match="points"):
        gauss_hermite_grid(2, 0)
