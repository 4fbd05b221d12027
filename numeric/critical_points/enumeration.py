"""All critical points of ``L_R`` (Theorem 3.1(a)-(b)), enumerated coordinate by coordinate.

By Theorem 3.1(a) a critical point is balanced, ``w_{l,h}^2 = w_{l+1,h}^2``, and
by Theorem 3.1(b) (eq 13) each coordinate ``h`` is either zero in every layer or
``w_{l,h} = s_{l,h} a_h`` with ``prod_l s_{l,h} = sign(w*_h)`` and ``a_h`` a
positive root of the shrinkage polynomial (:mod:`numeric.shrinkage.certified_roots`).
Since ``L_R`` is a sum over coordinates, the critical set is the **product over
coordinates** of the per-coordinate critical sets, each of size
``1 + n_h 2^(L-1)`` (``n_h`` in {0, 1, 2} nonzero roots; ``w*_h = 0`` gives
only the zero point).

Size and what is built
    The product has ``prod_h (1 + n_h 2^(L-1))`` points, which grows fast
    (``L = 5, d = 2``: up to ``33^2 = 1089``; ``L = 8, d = 4``: ~ ``6.6e10``).
    :func:`coordinate_critical_points` enumerates one coordinate (always small);
    :func:`critical_points` builds the product only when it has at most
    ``max_points`` points (default 4096) and otherwise raises ``ValueError``
    with the count; :func:`count_critical_points` counts without building;
    :func:`nearest_critical_point` finds the nearest point of the product
    coordinate by coordinate (distance squared is additive), without building it.

Classification
    The Hessian of ``L_R`` is block diagonal over coordinates
    (:func:`numeric.model.hessian_marginalized_loss`, blocks ``(L, L)``).  Each
    per-coordinate block is evaluated at ``digits`` digits (mpmath object
    arrays) and its eigenvalues computed with ``mpmath.eigsy``, then classified
    (:mod:`.classification`).  All sign patterns of one root share the
    eigenvalues (flipping an even number of signs is the orthogonal similarity
    ``S H S``): the block is evaluated per pattern and checked entrywise to equal
    ``S H_0 S``, and the eigenvalues of the first pattern's block are reused.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import lru_cache

import mpmath
import numpy as np

from .. import model
from ..shrinkage.certified_roots import shrinkage_roots
from ..shrinkage.exact_inputs import to_fraction
from ..validation import check_depth, check_eta, check_int, check_vector, check_weights
from .classification import classify_coordinate_point, kind_from_sign_flags, point_sign_flags

__all__ = [
    "CriticalPoint",
    "CoordinateCriticalPoint",
    "coordinate_critical_points",
    "count_critical_points",
    "critical_points",
    "nearest_critical_point",
    "target_entries",
]


@dataclass
class CriticalPoint:
    """A critical point of ``L_R``.

    weights: ``(L, d)`` float64; lambdas: ``(d,)`` shrinkage factors (0 for a zero
    coordinate); kind: ``"minimum" | "saddle" | "maximum" | "degenerate"``; value:
    ``L_R`` at the point (float); eigenvalues: Hessian eigenvalues per coordinate
    (``(d, L)`` float64); loss: ``L`` at the point; root_index: per coordinate,
    -1 for the zero point, else the index of the root (0 smaller, 1 larger).
    """

    weights: np.ndarray
    lambdas: np.ndarray
    kind: str
    value: float
    eigenvalues: np.ndarray = field(default=None)
    loss: float = 0.0
    root_index: tuple = ()


@dataclass
class CoordinateCriticalPoint:
    """One coordinate's critical point: ``w`` (``(L,)`` float64), ``w_mp`` (mpf list),
    ``lam`` (mpf), ``root_index`` (-1 zero point), ``kind``, ``value`` (mpf, this
    coordinate's ``L_R``), ``loss`` (mpf), ``eigenvalues`` (mpf list, ascending),
    ``multiplicity`` (of the root)."""

    w: np.ndarray
    w_mp: list
    lam: object
    root_index: int
    kind: str
    value: object
    loss: object
    eigenvalues: list
    multiplicity: int = 1
    digits: int = 50


def _sign_patterns(L: int, sign: int):
    """All ``s in {+-1}^L`` with ``prod s = sign``, in a fixed order."""
    patterns = []
    for s in itertools.product((1, -1), repeat=L):
        if int(np.prod(s)) == sign:
            patterns.append(s)
    return patterns


@lru_cache(maxsize=256)
def _coordinate_points_cached(L: int, eta_exact, wstar_exact, digits: int):
    """Per-coordinate enumeration, cached on the exact rationals ``eta_exact``, ``wstar_exact``."""
    roots = shrinkage_roots(L, eta_exact, abs(wstar_exact), digits=digits)
    sign = 1 if wstar_exact > 0 else -1
    points = []
    with mpmath.workdps(digits + 10):
        eta = mpmath.mpf(eta_exact.numerator) / eta_exact.denominator
        wstar_mp = mpmath.mpf(wstar_exact.numerator) / wstar_exact.denominator
        wstar = np.array([wstar_mp], dtype=object)
        candidates = [(-1, mpmath.mpf(0), mpmath.mpf(0), [tuple([1] * L)], 1)]
        for i, (a, lam) in enumerate(zip(roots.roots_a, roots.lambdas)):
            candidates.append((i, mpmath.mpf(a), mpmath.mpf(lam), _sign_patterns(L, sign), roots.multiplicities[i]))
        for root_index, a, lam, patterns, multiplicity in candidates:
            first_hessian = first_eigenvalues = first_signs = None
            for s in patterns:
                W = np.array([[si * a] for si in s], dtype=object)
                hessian = model.hessian_marginalized_loss(W, wstar, eta)[0]
                if first_hessian is None:
                    first_hessian, first_signs = hessian, np.array(s)
                    first_eigenvalues = sorted(mpmath.eigsy(mpmath.matrix(hessian.tolist()), eigvals_only=True))
                    first_kind = classify_coordinate_point(L, eta_exact, wstar_exact, root_index, s,
                                                           first_eigenvalues, digits, multiplicity)
                else:
                    # H = S H0 S with S = diag(s s0) orthogonal: same eigenvalues (checked entrywise)
                    relative_signs = np.array(s) * first_signs
                    tol = mpmath.mpf(10) ** (-digits) * (1 + max(abs(x) for x in first_hessian.ravel()))
                    deviation = max(abs(hessian[i, j] - relative_signs[i] * relative_signs[j] * first_hessian[i, j])
                                    for i in range(L) for j in range(L))
                    if deviation > tol:
                        raise ArithmeticError("Hessian is not the sign conjugate of the first pattern's")
                points.append(CoordinateCriticalPoint(
                    w=np.array([float(x) for x in W[:, 0]]), w_mp=list(W[:, 0]), lam=lam,
                    root_index=root_index, kind=first_kind,
                    value=model.marginalized_loss(W, wstar, eta), loss=model.loss(W, wstar),
                    eigenvalues=first_eigenvalues, multiplicity=multiplicity, digits=digits))
    return tuple(points)


def coordinate_critical_points(L: int, eta, wstar_h, digits: int = 50) -> list:
    """Every critical point of one coordinate's ``L_R`` (eq 13): the zero point and ``2^(L-1)`` sign patterns per root.

    ``eta`` and ``wstar_h`` are exact rationals (see :func:`numeric.shrinkage.exact_inputs.to_fraction`).
    Results are cached per ``(L, eta, w*_h, digits)``.
    """
    L = check_depth(L)
    check_int(digits, "digits", minimum=10, maximum=10000)
    eta_exact = to_fraction(eta, "eta")
    if eta_exact <= 0:
        raise ValueError(f"eta must be finite and > 0, got {eta!r}")
    wstar_exact = to_fraction(wstar_h, "wstar")
    return list(_coordinate_points_cached(L, eta_exact, wstar_exact, digits))


def target_entries(wstar) -> list:
    """The entries of ``w*`` as a list (a scalar is ``d = 1``; object arrays of mpf are kept as they are)."""
    if np.isscalar(wstar) or isinstance(wstar, (mpmath.mpf,)):
        return [wstar]
    if isinstance(wstar, (list, tuple)):
        return list(wstar)
    array = np.asarray(wstar)
    if array.dtype != object:
        check_vector(array, "wstar")
    return list(array.ravel())


def count_critical_points(L: int, eta, wstar, digits: int = 50) -> int:
    """Number of critical points of ``L_R``: ``prod_h (1 + n_h 2^(L-1))`` (Theorem 3.1(b))."""
    count = 1
    for wstar_h in target_entries(wstar):
        count *= len(coordinate_critical_points(L, eta, wstar_h, digits))
    return count


def _combine_coordinates(per_coordinate, choice) -> CriticalPoint:
    """The product point choosing ``per_coordinate[h][choice[h]]`` in each coordinate ``h``."""
    chosen = [per_coordinate[h][i] for h, i in enumerate(choice)]
    W = np.stack([p.w for p in chosen], axis=1)
    flags = [point_sign_flags(p.kind, p.eigenvalues, p.digits) for p in chosen]
    kind = kind_from_sign_flags(any(f[0] for f in flags), any(f[1] for f in flags), any(f[2] for f in flags))
    return CriticalPoint(
        weights=W, lambdas=np.array([float(p.lam) for p in chosen]), kind=kind,
        value=float(sum(p.value for p in chosen)),
        eigenvalues=np.array([[float(e) for e in p.eigenvalues] for p in chosen]),
        loss=float(sum(p.loss for p in chosen)), root_index=tuple(p.root_index for p in chosen))


def critical_points(L: int, eta, wstar, digits: int = 50, max_points: int = 4096) -> list:
    """All critical points of ``L_R`` for depth ``L``, noise ``eta`` and target ``wstar`` (Theorem 3.1(b)).

    ``wstar`` is a scalar (``d = 1``) or a vector.  Returns a list of
    :class:`CriticalPoint` (the product over coordinates of
    :func:`coordinate_critical_points`), ordered lexicographically by
    coordinate.  Raises ``ValueError`` if there are more than ``max_points``
    points (use :func:`coordinate_critical_points` or :func:`nearest_critical_point`).
    """
    L = check_depth(L)
    check_eta(float(to_fraction(eta, "eta")))
    check_int(max_points, "max_points", minimum=1)
    per_coordinate = [coordinate_critical_points(L, eta, wstar_h, digits) for wstar_h in target_entries(wstar)]
    count = int(np.prod([len(p) for p in per_coordinate]))
    if count > max_points:
        raise ValueError(f"max_points: L_R has {count} critical points (> max_points={max_points}); "
                         "enumerate per coordinate with coordinate_critical_points")
    return [_combine_coordinates(per_coordinate, choice)
            for choice in itertools.product(*[range(len(p)) for p in per_coordinate])]


def nearest_critical_point(W, eta, wstar, digits: int = 50):
    """``(CriticalPoint, distance)``: the critical point of ``L_R`` nearest to ``W`` in Frobenius norm.

    Chosen coordinate by coordinate (squared distance is additive over
    coordinates), so the product set is never built.
    """
    W = check_weights(W)
    L, d = W.shape
    wstar_entries = target_entries(wstar)
    if len(wstar_entries) != d:
        raise ValueError(f"wstar must have length {d} (the width of W), got {len(wstar_entries)}")
    per_coordinate, choice, total = [], [], 0.0
    for h in range(d):
        points = coordinate_critical_points(L, eta, wstar_entries[h], digits)
        squared_distances = [float(np.sum((np.asarray(W[:, h], dtype=float) - p.w) ** 2)) for p in points]
        nearest = int(np.argmin(squared_distances))
        per_coordinate.append(points)
        choice.append(nearest)
        total += squared_distances[nearest]
    return _combine_coordinates(per_coordinate, choice), float(np.sqrt(total))
