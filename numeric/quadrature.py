"""Tensor Gauss-Hermite quadrature: exact expectations of polynomials in independent standard normals."""
from __future__ import annotations

import itertools

import numpy as np

from .validation import check_int

__all__ = ["gauss_hermite_grid"]


def gauss_hermite_grid(variables: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``(points^variables, variables)`` and weights (summing to 1) of ``E f(g)``, ``g`` iid ``N(0, 1)``:
    exact for polynomials of degree below ``2 points`` in each variable.  Nodes in lexicographic order (the last
    variable fastest)."""
    variables = check_int(variables, "variables", minimum=1)
    points = check_int(points, "points", minimum=1)
    x, w = np.polynomial.hermite_e.hermegauss(points)
    index = np.array(list(itertools.product(range(points), repeat=variables)))
    return x[index], np.prod((w / w.sum())[index], axis=1)
