"""All critical points of ``L_R`` (Theorem 3.1(a)-(b)), enumerated coordinate by coordinate.

By Theorem 3.1(a) a critical point is balanced, ``w_{l,h}^2 = w_{l+1,h}^2``, and
by Theorem 3.1(b) (eq 13) each coordinate ``h`` is either zero in every layer or
``w_{l,h} = s_{l,h} a_h`` with ``prod_l s_{l,h} = sign(w*_h)`` and ``a_h`` a
positive root of the shrinkage polynomial (:mod:`numeric.shrinkage.certified_roots`).
Since ``L_R`` is a sum over coordinates, the critical set is the **product over
coordinates** of the per-coordinate critical sets, each of size
``1 + n_h 2^(L-1)`` (``n_h`` in {0, 1, 2} nonzero roots; ``w*_h = 0`` gives
only the zero point).

Symmetry: orbits of sign patterns
    Flipping the signs of an even number of layers (``s -> s t`` with ``prod t = 1``) maps a
    critical point to a critical point with the same ``L_R``, loss, and Hessian up to the
    orthogonal similarity ``T H T`` (``L_R`` depends on ``w`` only through the ``w_l^2`` and
    ``prod_l w_l``).  So one coordinate's critical set is a union of **orbits**: the zero point
    (size 1) and, per nonzero root, the ``2^(L-1)`` sign patterns with ``prod s = sign(w*)``.
    :func:`coordinate_critical_orbits` returns one representative per orbit with its size
    (``orbit_size``), classified once: it works at any depth (``L = 30``: 3 orbits standing for
    ``1 + 2^30`` points; three high-precision Hessians, about 10 s CPU under load, 20 MB).  The enumeration checks the symmetry on up to
    :data:`SYMMETRY_CHECKED_PATTERNS` patterns per orbit (Hessian ``= T H_0 T`` entrywise, same ``L_R``).

Size and what is built
    The product has ``prod_h (1 + n_h 2^(L-1))`` points, which grows fast
    (``L = 5, d = 2``: up to ``33^2 = 1089``; ``L = 8, d = 4``: ~ ``6.6e10``).
    :func:`coordinate_critical_points` lists one coordinate's points, pattern by pattern, when
    there are at most ``max_points`` (default :data:`MAX_COORDINATE_POINTS` = 8193: every ``w*``
    for ``L <= 13``) and otherwise raises ``ValueError`` naming the depth and the limit;
    :func:`critical_points` builds the product only when it has at most ``max_points`` points
    (default 4096), counted from the orbits before anything is built;
    :func:`count_critical_points` counts from the orbits (any depth);
    :func:`nearest_critical_point` finds the nearest point of the product coordinate by
    coordinate (squared distance is additive) and, within an orbit, the nearest sign pattern in
    closed form (signs of ``W``, the smallest ``|w_l|`` flipped if the product is wrong): any depth.

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
    "MAX_COORDINATE_POINTS",
    "SYMMETRY_CHECKED_PATTERNS",
    "coordinate_critical_orbits",
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
    ``multiplicity`` (of the root), ``orbit_size`` (number of sign patterns of this root with
    the same product: 1 for the zero point, ``2^(L-1)`` otherwise; the point stands for them all
    when it comes from :func:`coordinate_critical_orbits`)."""

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
    orbit_size: int = 1


#: Default limit of :func:`coordinate_critical_points`: ``1 + 2 * 2^12``, every ``w*`` up to ``L = 13``.
MAX_COORDINATE_POINTS = 8193
#: Sign patterns per orbit on which the enumeration checks the symmetry (Hessian ``T H_0 T``, same ``L_R``).
SYMMETRY_CHECKED_PATTERNS = 16


def _sign_patterns(L: int, sign: int):
    """All ``s in {+-1}^L`` with ``prod s = sign``, in a fixed order (the order of ``itertools.product((1, -1))``).

    A generator: ``2^(L-1)`` patterns, produced one at a time.
    """
    for s in itertools.product((1, -1), repeat=L):
        if (-1) ** s.count(-1) == sign:
            yield s


def _first_pattern(L: int, sign: int) -> tuple:
    """The first pattern of :func:`_sign_patterns`: all ``+1``, the last ``-1`` if ``sign = -1``."""
    return (1,) * (L - 1) + (sign,)


def _coordinate_point(W, wstar, eta, lam, root_index, eigenvalues, multiplicity, digits, orbit_size, kind):
    """A :class:`CoordinateCriticalPoint` at the ``(L, 1)`` mpf column ``W`` (value and loss evaluated there)."""
    return CoordinateCriticalPoint(
        w=np.array([float(x) for x in W[:, 0]]), w_mp=list(W[:, 0]), lam=lam, root_index=root_index,
        kind=kind, value=model.marginalized_loss(W, wstar, eta),
        loss=model.loss(W, wstar), eigenvalues=eigenvalues, multiplicity=multiplicity, digits=digits,
        orbit_size=orbit_size)


def _exact_inputs(L, eta, wstar_h, digits):
    L = check_depth(L)
    check_int(digits, "digits", minimum=10, maximum=10000)
    eta_exact = to_fraction(eta, "eta")
    if eta_exact <= 0:
        raise ValueError(f"eta must be finite and > 0, got {eta!r}")
    return L, eta_exact, to_fraction(wstar_h, "wstar")


@lru_cache(maxsize=256)
def _orbits_cached(L: int, eta_exact, wstar_exact, digits: int):
    """One representative per orbit (the zero point; per root the first sign pattern), classified once."""
    roots = shrinkage_roots(L, eta_exact, abs(wstar_exact), digits=digits)
    sign = 1 if wstar_exact > 0 else -1
    with mpmath.workdps(digits + 10):
        eta = mpmath.mpf(eta_exact.numerator) / eta_exact.denominator
        wstar = np.array([mpmath.mpf(wstar_exact.numerator) / wstar_exact.denominator], dtype=object)
        candidates = [(-1, mpmath.mpf(0), mpmath.mpf(0), (1,) * L, 1, 1)]
        for i, (a, lam) in enumerate(zip(roots.roots_a, roots.lambdas)):
            candidates.append((i, mpmath.mpf(a), mpmath.mpf(lam), _first_pattern(L, sign), roots.multiplicities[i],
                               2 ** (L - 1)))
        orbits = []
        for root_index, a, lam, pattern, multiplicity, size in candidates:
            W = np.array([[si * a] for si in pattern], dtype=object)
            hessian = model.hessian_marginalized_loss(W, wstar, eta)[0]
            eigenvalues = sorted(mpmath.eigsy(mpmath.matrix(hessian.tolist()), eigvals_only=True))
            kind = classify_coordinate_point(L, eta_exact, wstar_exact, root_index, pattern, eigenvalues, digits,
                                             multiplicity)
            orbits.append(_coordinate_point(W, wstar, eta, lam, root_index, eigenvalues, multiplicity, digits, size,
                                            kind))
    return tuple(orbits)


def coordinate_critical_orbits(L: int, eta, wstar_h, digits: int = 50) -> list:
    """The critical points of one coordinate's ``L_R`` up to sign flips with the same product (Theorem 3.1(b)).

    One :class:`CoordinateCriticalPoint` per orbit: the zero point (``orbit_size = 1``) and, per
    nonzero root ``a``, the pattern ``(a, .., a, sign(w*) a)`` standing for all ``2^(L-1)``
    patterns ``s a`` with ``prod s = sign(w*)`` (``orbit_size = 2^(L-1)``), which share ``L_R``,
    the loss and the Hessian eigenvalues.  Works at any depth.  ``eta`` and ``wstar_h`` are exact
    rationals (:func:`numeric.shrinkage.exact_inputs.to_fraction`); cached per input.
    """
    return list(_orbits_cached(*_exact_inputs(L, eta, wstar_h, digits), digits))


def _checked_pattern_indices(size: int) -> set:
    """Indices of the patterns of an orbit on which the symmetry is checked: up to SYMMETRY_CHECKED_PATTERNS, spread out."""
    if size <= SYMMETRY_CHECKED_PATTERNS:
        return set(range(size))
    return {round(k * (size - 1) / (SYMMETRY_CHECKED_PATTERNS - 1)) for k in range(SYMMETRY_CHECKED_PATTERNS)}


@lru_cache(maxsize=256)
def _coordinate_points_cached(L: int, eta_exact, wstar_exact, digits: int):
    """Every sign pattern of every orbit; the symmetry checked on :func:`_checked_pattern_indices`."""
    sign = 1 if wstar_exact > 0 else -1
    points = []
    with mpmath.workdps(digits + 10):
        eta = mpmath.mpf(eta_exact.numerator) / eta_exact.denominator
        wstar = np.array([mpmath.mpf(wstar_exact.numerator) / wstar_exact.denominator], dtype=object)
        for orbit in _orbits_cached(L, eta_exact, wstar_exact, digits):
            if orbit.root_index < 0:
                points.append(orbit)
                continue
            a = abs(orbit.w_mp[0])
            first_signs = np.array(_first_pattern(L, sign))
            first_hessian = model.hessian_marginalized_loss(np.array([[x] for x in orbit.w_mp], dtype=object),
                                                            wstar, eta)[0]
            checked = _checked_pattern_indices(orbit.orbit_size)
            tol = mpmath.mpf(10) ** (-digits) * (1 + max(abs(x) for x in first_hessian.ravel()))
            for index, s in enumerate(_sign_patterns(L, sign)):
                W = np.array([[si * a] for si in s], dtype=object)
                if index in checked:  # H = T H0 T with T = diag(s s0) orthogonal; same L_R
                    hessian = model.hessian_marginalized_loss(W, wstar, eta)[0]
                    relative = np.array(s) * first_signs
                    deviation = max(abs(hessian[i, j] - relative[i] * relative[j] * first_hessian[i, j])
                                    for i in range(L) for j in range(L))
                    value_gap = abs(model.marginalized_loss(W, wstar, eta) - orbit.value)
                    if deviation > tol or value_gap > tol * (1 + abs(orbit.value)):
                        raise ArithmeticError("a sign pattern is not equivalent to its orbit's representative")
                points.append(CoordinateCriticalPoint(
                    w=np.array([float(x) for x in W[:, 0]]), w_mp=list(W[:, 0]), lam=orbit.lam,
                    root_index=orbit.root_index, kind=orbit.kind, value=orbit.value, loss=orbit.loss,
                    eigenvalues=orbit.eigenvalues, multiplicity=orbit.multiplicity, digits=digits))
    return tuple(points)


def coordinate_critical_points(L: int, eta, wstar_h, digits: int = 50, max_points: int = MAX_COORDINATE_POINTS) -> list:
    """Every critical point of one coordinate's ``L_R`` (eq 13): the zero point and ``2^(L-1)`` sign patterns per root.

    ``eta`` and ``wstar_h`` are exact rationals (see :func:`numeric.shrinkage.exact_inputs.to_fraction`).
    Results are cached per ``(L, eta, w*_h, digits)``.  Raises ``ValueError`` (naming the depth and
    the limit) if there are more than ``max_points`` points: use :func:`coordinate_critical_orbits`.
    """
    L, eta_exact, wstar_exact = _exact_inputs(L, eta, wstar_h, digits)
    check_int(max_points, "max_points", minimum=1)
    count = _coordinate_count(L, eta_exact, wstar_exact, digits)
    if count > max_points:
        raise ValueError(f"depth: L = {L} gives {count} critical points in one coordinate (2^(L-1) = {2 ** (L - 1)} "
                         f"sign patterns per root), more than max_points = {max_points} (every w* is listed up to "
                         "L = 13); use coordinate_critical_orbits (one point per orbit, with its size)")
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


def _coordinate_count(L: int, eta_exact, wstar_exact, digits: int) -> int:
    """``1 + n_h 2^(L-1)``: one coordinate's number of critical points, from the certified roots alone
    (no Hessian), so a refusal at large depth is immediate."""
    return 1 + len(shrinkage_roots(L, eta_exact, abs(wstar_exact), digits=digits).roots_a) * 2 ** (L - 1)


def count_critical_points(L: int, eta, wstar, digits: int = 50) -> int:
    """Number of critical points of ``L_R``: ``prod_h (1 + n_h 2^(L-1))`` (Theorem 3.1(b)); any depth."""
    count = 1
    for wstar_h in target_entries(wstar):
        count *= _coordinate_count(*_exact_inputs(L, eta, wstar_h, digits), digits)
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
    count = count_critical_points(L, eta, wstar, digits)
    if count > max_points:
        raise ValueError(f"max_points: L_R has {count} critical points (> max_points={max_points}); "
                         "enumerate per coordinate with coordinate_critical_points or coordinate_critical_orbits")
    per_coordinate = [coordinate_critical_points(L, eta, wstar_h, digits, max(max_points, MAX_COORDINATE_POINTS))
                      for wstar_h in target_entries(wstar)]
    return [_combine_coordinates(per_coordinate, choice)
            for choice in itertools.product(*[range(len(p)) for p in per_coordinate])]


def _mpf(x):
    """An exact rational input (:func:`numeric.shrinkage.exact_inputs.to_fraction`) as an mpf at the working precision."""
    q = to_fraction(x, "x")
    return mpmath.mpf(q.numerator) / q.denominator


def _nearest_in_orbit(orbit, column, wstar_h, eta, digits):
    """``(point, squared distance)``: the sign pattern of ``orbit`` nearest to ``column`` (float64).

    ``|column - s a|^2 = |column|^2 - 2 a <s, column> + L a^2`` is smallest for ``s = sign(column)``
    (``+1`` at zeros); if ``prod s`` is not the orbit's sign, flipping the smallest ``|column_l|``
    costs least.  The zero point's orbit is itself.
    """
    if orbit.root_index < 0:
        return orbit, float(np.sum(column ** 2))
    signs = np.where(column < 0, -1, 1)
    if int(np.prod(signs)) != int(np.sign(orbit.w[-1])):  # the representative is (a, .., a, sign(w*) a)
        signs[int(np.argmin(np.abs(column)))] *= -1
    a = abs(orbit.w_mp[0])
    with mpmath.workdps(digits + 10):
        W = np.array([[int(si) * a] for si in signs], dtype=object)
        wstar = np.array([_mpf(wstar_h)], dtype=object)
        point = CoordinateCriticalPoint(
            w=np.array([float(x) for x in W[:, 0]]), w_mp=list(W[:, 0]), lam=orbit.lam, root_index=orbit.root_index,
            kind=orbit.kind, value=model.marginalized_loss(W, wstar, _mpf(eta)), loss=model.loss(W, wstar),
            eigenvalues=orbit.eigenvalues, multiplicity=orbit.multiplicity, digits=digits)
    return point, float(np.sum((column - point.w) ** 2))


def nearest_critical_point(W, eta, wstar, digits: int = 50):
    """``(CriticalPoint, distance)``: the critical point of ``L_R`` nearest to ``W`` in Frobenius norm.

    Chosen coordinate by coordinate (squared distance is additive over coordinates) and, within
    each orbit of sign patterns, in closed form (:func:`_nearest_in_orbit`), so neither the
    product set nor the sign patterns are built: any depth.
    """
    W = check_weights(W)
    L, d = W.shape
    wstar_entries = target_entries(wstar)
    if len(wstar_entries) != d:
        raise ValueError(f"wstar must have length {d} (the width of W), got {len(wstar_entries)}")
    chosen, total = [], 0.0
    for h in range(d):
        column = np.asarray(W[:, h], dtype=float)
        candidates = [_nearest_in_orbit(orbit, column, wstar_entries[h], eta, digits)
                      for orbit in coordinate_critical_orbits(L, eta, wstar_entries[h], digits)]
        point, squared_distance = min(candidates, key=lambda c: c[1])
        chosen.append([point])
        total += squared_distance
    return _combine_coordinates(chosen, [0] * d), float(np.sqrt(total))
