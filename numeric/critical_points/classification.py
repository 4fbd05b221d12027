"""The type of a critical point from its Hessian eigenvalues, with the precision the signs need.

A point is a ``"saddle"`` if its Hessian has eigenvalues of both signs, else
``"degenerate"`` if one is zero, else ``"minimum"`` / ``"maximum"``.  For a
product point the eigenvalues are the union over coordinates (the Hessian is
block diagonal), so the per-block sign flags are combined with ``any`` before
:func:`kind_from_sign_flags`.

Deciding "zero"
    A computed eigenvalue is trusted to be nonzero when ``|mu| > 10^(-0.6 digits)
    max(1, max |mu|)`` (far above the rounding error of a ``digits``-digit
    computation).  Below that cutoff the old rule called it zero, which
    mislabelled *non-degenerate* points as degenerate just above the threshold
    (the small eigenvalue shrinks like the root splitting, ``sqrt(|w*| - tau_L)``)
    and for huge ``|w*|`` (the eigenvalues then span ``(|w*| / eta^L)^(2/L)`` and
    more).  :func:`classify_coordinate_point` instead *raises the precision*:
    it recomputes the root (certified, :func:`numeric.shrinkage.shrinkage_roots`)
    and the Hessian at twice the digits until every eigenvalue's sign is stable,
    ``|mu| > 10 |mu_p - mu_2p|``, up to :data:`MAX_CLASSIFICATION_DIGITS`.  An
    eigenvalue is zero only when that is exact: the double root at the threshold
    (multiplicity 2, decided in exact arithmetic), or at the zero point, whose
    Hessian is rational and whose eigenvalue signs are counted exactly
    (:func:`exact_inertia`: Descartes' rule of signs, exact for the real-rooted
    characteristic polynomial of a symmetric matrix).

Degenerate minima
    A degenerate point may still be a local minimum (``L = 2`` at ``|w*| = tau_2``:
    the zero point, where ``L_R - L_R(0) = 4 eta^2 y^2 + (t^2 - y^2)^2`` in rotated
    coordinates).  :func:`is_degenerate_local_minimum` decides it numerically
    from the reduced function on the Hessian's null space.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

__all__ = ["eigenvalue_sign_flags", "kind_from_sign_flags", "classify_eigenvalues", "classify_coordinate_point",
           "point_sign_flags", "coordinate_root_kinds",
           "exact_inertia", "is_degenerate_local_minimum", "MAX_CLASSIFICATION_DIGITS"]

#: The most digits :func:`classify_coordinate_point` raises the precision to.
MAX_CLASSIFICATION_DIGITS = 3200


def _cutoff(eigenvalues, digits: int):
    scale = max([mpmath.mpf(1)] + [abs(e) for e in eigenvalues])
    return scale * mpmath.mpf(10) ** (-int(0.6 * digits))


def eigenvalue_sign_flags(eigenvalues, digits: int = 50):
    """``(any positive, any negative, any zero)`` among the eigenvalues, with the cutoff of the module doc."""
    eigenvalues = [mpmath.mpf(e) for e in eigenvalues]
    tol = _cutoff(eigenvalues, digits)
    return (any(e > tol for e in eigenvalues), any(e < -tol for e in eigenvalues),
            any(abs(e) <= tol for e in eigenvalues))


def kind_from_sign_flags(positive: bool, negative: bool, zero: bool) -> str:
    """``"saddle" | "degenerate" | "minimum" | "maximum"`` from the three sign flags."""
    if positive and negative:
        return "saddle"
    if zero:
        return "degenerate"
    return "minimum" if positive else "maximum"


def classify_eigenvalues(eigenvalues, digits: int = 50) -> str:
    """``"minimum" | "maximum" | "saddle" | "degenerate"`` from Hessian eigenvalues (cutoff as in the module doc)."""
    return kind_from_sign_flags(*eigenvalue_sign_flags(eigenvalues, digits))


def point_sign_flags(kind: str, eigenvalues, digits: int = 50):
    """``(any positive, any negative, any zero)`` of a classified point: from its ``kind``, which
    :func:`classify_coordinate_point` decided at the precision the signs need; for a degenerate point
    the nonzero eigenvalues' signs come from the cutoff rule (they are far from zero)."""
    if kind == "degenerate":
        positive, negative, _ = eigenvalue_sign_flags(eigenvalues, digits)
        return positive, negative, True
    return {"minimum": (True, False, False), "maximum": (False, True, False),
            "saddle": (True, True, False)}[kind]


def exact_inertia(matrix) -> tuple[int, int, int]:
    """``(positive, negative, zero)`` eigenvalue counts of a symmetric matrix of rationals, exactly.

    The characteristic polynomial (Faddeev-LeVerrier, in ``Fraction`` arithmetic) of a
    symmetric matrix has only real roots, so Descartes' rule of signs counts its
    positive roots exactly; negative roots from ``p(-t)``; zero roots from the
    trailing zero coefficients.
    """
    A = [[Fraction(x) for x in row] for row in matrix]
    n = len(A)
    if all(A[i][j] == 0 for i in range(n) for j in range(n) if i != j):  # diagonal: the entries are the eigenvalues
        diagonal = [A[i][i] for i in range(n)]
        return sum(x > 0 for x in diagonal), sum(x < 0 for x in diagonal), sum(x == 0 for x in diagonal)
    coefficients = [Fraction(1)]  # of t^n, t^(n-1), ..., 1
    M = [[Fraction(0)] * n for _ in range(n)]
    for k in range(1, n + 1):
        if k > 1:
            M = [[sum(A[i][m] * M[m][j] for m in range(n)) for j in range(n)] for i in range(n)]
        for i in range(n):
            M[i][i] += coefficients[-1]
        AM = [[sum(A[i][m] * M[m][j] for m in range(n)) for j in range(n)] for i in range(n)]
        coefficients.append(-sum(AM[i][i] for i in range(n)) / k)
    zero = 0
    while coefficients and coefficients[-1] == 0:
        coefficients.pop()
        zero += 1

    def sign_changes(cs):
        signs = [c > 0 for c in cs if c != 0]
        return sum(1 for a, b in zip(signs, signs[1:]) if a != b)

    positive = sign_changes(coefficients)
    degree = len(coefficients) - 1
    negative = sign_changes([c * (-1) ** (degree - i) for i, c in enumerate(coefficients)])
    return positive, negative, zero


def _coordinate_hessian_eigenvalues(L, eta_exact, wstar_exact, a, signs, dps):
    """Sorted eigenvalues of one coordinate's Hessian block of ``L_R`` at ``w = signs * a``, at ``dps`` digits."""
    from .. import model

    with mpmath.workdps(dps):
        eta = mpmath.mpf(eta_exact.numerator) / eta_exact.denominator
        wstar = np.array([mpmath.mpf(wstar_exact.numerator) / wstar_exact.denominator], dtype=object)
        W = np.array([[int(s) * mpmath.mpf(a)] for s in signs], dtype=object)
        hessian = model.hessian_marginalized_loss(W, wstar, eta)[0]
        return sorted(mpmath.eigsy(mpmath.matrix(hessian.tolist()), eigvals_only=True))


def classify_coordinate_point(L, eta_exact, wstar_exact, root_index, signs, eigenvalues, digits, multiplicity=1):
    """The kind of one coordinate's critical point, with every eigenvalue sign decided (module doc).

    ``root_index``: ``-1`` for the zero point, else the index of the shrinkage root (ascending);
    ``signs``: its sign pattern; ``eigenvalues``: the Hessian block's eigenvalues already computed
    from the root at ``digits`` digits; ``multiplicity``: 2 for the double root at the threshold.
    """
    from .. import model
    from ..shrinkage.certified_roots import shrinkage_roots

    if root_index < 0:  # the zero point: a rational Hessian, signs counted exactly
        W = np.array([[Fraction(0)] for _ in range(L)], dtype=object)
        H = model.hessian_marginalized_loss(W, np.array([wstar_exact], dtype=object), eta_exact)[0]
        return kind_from_sign_flags(*(count > 0 for count in exact_inertia(H.tolist())))
    eigenvalues = sorted(mpmath.mpf(e) for e in eigenvalues)
    exactly_zero = None
    if multiplicity == 2:  # the double root: exactly one zero eigenvalue (the smallest in magnitude)
        exactly_zero = min(range(len(eigenvalues)), key=lambda i: abs(eigenvalues[i]))
    tol = _cutoff(eigenvalues, digits)
    unresolved = [i for i, e in enumerate(eigenvalues) if abs(e) <= tol and i != exactly_zero]
    dps = digits
    while unresolved:
        if dps >= MAX_CLASSIFICATION_DIGITS:
            break
        dps = min(2 * dps, MAX_CLASSIFICATION_DIGITS)
        a = shrinkage_roots(L, eta_exact, abs(wstar_exact), digits=dps).roots_a[root_index]
        finer = _coordinate_hessian_eigenvalues(L, eta_exact, wstar_exact, a, signs, dps + 10)
        floor = max([mpmath.mpf(1)] + [abs(e) for e in finer]) * mpmath.mpf(10) ** (-dps)
        unresolved = [i for i in unresolved if not abs(finer[i]) > 10 * (abs(finer[i] - eigenvalues[i]) + floor)]
        eigenvalues = finer
    positive = any(e > 0 for i, e in enumerate(eigenvalues) if i != exactly_zero and i not in unresolved)
    negative = any(e < 0 for i, e in enumerate(eigenvalues) if i != exactly_zero and i not in unresolved)
    return kind_from_sign_flags(positive, negative, exactly_zero is not None or bool(unresolved))


def coordinate_root_kinds(L, eta, wstar_h, digits: int = 50) -> list:
    """``[(root_index, kind, multiplicity), ...]`` for one coordinate: the zero point (``-1``) and each root.

    One sign pattern per root suffices (all ``2^(L-1)`` patterns of a root share the Hessian's
    eigenvalues, :mod:`.enumeration`), so the cost is polynomial in ``L`` where the enumeration
    of every critical point is exponential.  ``eta``, ``wstar_h``: exact rationals (any form
    :func:`numeric.shrinkage.to_fraction` takes).
    """
    from ..shrinkage.certified_roots import shrinkage_roots
    from ..shrinkage.exact_inputs import positive_eta, to_fraction

    eta_exact, w = positive_eta(eta), to_fraction(wstar_h, "wstar")
    roots = shrinkage_roots(L, eta_exact, abs(w), digits=digits)
    out = [(-1, classify_coordinate_point(L, eta_exact, w, -1, (1,) * L, [], digits), 1)]
    signs = (1 if w >= 0 else -1,) + (1,) * (L - 1)
    for i, (a, multiplicity) in enumerate(zip(roots.roots_a, roots.multiplicities)):
        eigenvalues = _coordinate_hessian_eigenvalues(L, eta_exact, w, a, signs, digits + 10)
        out.append((i, classify_coordinate_point(L, eta_exact, w, i, signs, eigenvalues, digits, multiplicity),
                    multiplicity))
    return out


def is_degenerate_local_minimum(value_at, hessian, point, digits: int = 50) -> bool:
    """Whether a degenerate critical point with no negative eigenvalue is a strict local minimum (numerically).

    ``value_at(w)``: the function (an mpmath-capable callable of a 1-D object array);
    ``hessian``: its Hessian at ``point`` (square, mpf); ``point``: the critical point.
    The reduced function ``g(t) = min_y f(p + t v + y)`` (``v`` a unit null vector, ``y``
    orthogonal to the null space, found by Newton steps on the positive definite part)
    must exceed ``f(p)`` at ``t = +-10^-k`` for ``k = 2, 3, 4`` and every null vector;
    a negative eigenvalue, or a decrease found, gives ``False``.
    """
    with mpmath.workdps(3 * digits + 20):
        H = mpmath.matrix([[mpmath.mpf(x) for x in row] for row in hessian])
        mu, vectors = mpmath.eigsy(H)
        n = H.rows
        tol = max([mpmath.mpf(1)] + [abs(m) for m in mu]) * mpmath.mpf(10) ** (-int(0.6 * digits))
        if any(m < -tol for m in mu):
            return False
        null = [j for j in range(n) if abs(mu[j]) <= tol]
        rest = [j for j in range(n) if j not in null]
        p = np.array([mpmath.mpf(x) for x in point], dtype=object)
        f0 = value_at(p)
        for j in null:
            v = np.array([vectors[i, j] for i in range(n)], dtype=object)
            for k in (2, 3, 4):
                for t in (mpmath.mpf(10) ** -k, -mpmath.mpf(10) ** -k):
                    y = np.array([mpmath.mpf(0)] * len(rest), dtype=object)
                    for _ in range(40):  # Newton on the coefficients y of the non-null eigenvectors
                        def f_of(coefficients):
                            w = p + t * v
                            for c, jj in zip(coefficients, rest):
                                w = w + c * np.array([vectors[i, jj] for i in range(n)], dtype=object)
                            return value_at(w)
                        grad = [mpmath.diff(lambda s, m=m: f_of(_replace(y, m, s)), y[m]) for m in range(len(rest))]
                        step = [g / mu[jj] for g, jj in zip(grad, rest)]
                        y = np.array([yi - si for yi, si in zip(y, step)], dtype=object)
                        if all(abs(si) < mpmath.mpf(10) ** (-2 * digits) for si in step):
                            break
                    if not f_of(y) - f0 > 0:
                        return False
        return True


def _replace(array, index, value):
    out = array.copy()
    out[index] = value
    return out
