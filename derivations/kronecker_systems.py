"""Symmetric Kronecker systems ``M = sum_k w_k A_k (x) A_k``, symbolically (Mulayoff & Michaeli 2024, Thm 6).

The proof of their Theorem 6 (App C) rests on three identities, derived here for symbolic matrices:

* :func:`swap_commutator`: ``K (A (x) A) K - A (x) A = 0`` (``K`` the commutation matrix,
  ``K vec S = vec S^T``) for a general ``d x d`` ``A`` (``d = 2, 3``): ``M`` maps symmetric matrices
  to symmetric ones and skew to skew, hence (statement 1) an eigenbasis of symmetric and
  skew-symmetric matrices exists once ``M`` is symmetric;
* :func:`rayleigh_in_eigenbasis`: for ``S = U diag(s) U^T`` (``d = 2``, ``U`` a rotation) ``<S, (A (x) A) S> = sum_{ij} s_i s_j (u_i^T A u_j)^2`` (their eqs 138, 150-155):
  all coefficients are squares, so replacing ``s`` by ``|s|`` can only increase the quotient, which
  gives statements 2-3 on the symmetric matrices;
* :func:`skew_rayleigh_2x2` and :func:`skew_domination_2x2`: for ``d = 2`` the only skew direction
  ``Omega`` has ``<Omega, (A (x) A) Omega>/||Omega||^2 = det A``, and
  ``<I, (A (x) A) I>/||I||^2 -+ det A`` are sums of squares: the symmetric matrix ``I/sqrt 2``
  beats every skew eigenvalue in absolute value (the interlacing step of their eq 145, for ``d = 2``).
"""
from __future__ import annotations

import sympy as sp

__all__ = ["general_matrix", "symmetric_matrix", "commutation_matrix", "swap_commutator",
           "rayleigh_in_eigenbasis", "skew_rayleigh_2x2", "skew_domination_2x2", "formulas"]


def general_matrix(name: str, d: int):
    """A ``d x d`` matrix of independent real symbols."""
    return sp.Matrix(d, d, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def symmetric_matrix(name: str, d: int):
    """A symmetric ``d x d`` matrix of real symbols ``name_ij`` (``i <= j``)."""
    return sp.Matrix(d, d, lambda i, j: sp.Symbol(f"{name}_{min(i, j) + 1}{max(i, j) + 1}", real=True))


def commutation_matrix(d: int):
    """``K`` with ``K vec(S) = vec(S^T)``, row-major ``vec``."""
    K = sp.zeros(d * d, d * d)
    for i in range(d):
        for j in range(d):
            K[i * d + j, j * d + i] = 1
    return K


def swap_commutator(d: int = 2, symmetric: bool = False):
    """``K (A (x) A) K - A (x) A`` for a symbolic (general or symmetric) ``A``; expands to zero."""
    A = symmetric_matrix("a", d) if symmetric else general_matrix("a", d)
    K = commutation_matrix(d)
    AA = sp.kronecker_product(A, A)
    return (K * AA * K - AA).applyfunc(sp.expand)


def rayleigh_in_eigenbasis():
    """``(remainder, quadratic_form, eigenbasis_sum)`` for ``d = 2``: ``tr(A S A S)`` at
    ``S = U diag(s1, s2) U^T`` with ``U = [[c, -s], [s, c]]``, the sum ``sum_{ij} s_i s_j (u_i^T A u_j)^2``
    (their eq 138), and the remainder of their difference modulo ``c^2 + s^2 - 1`` (zero: an identity
    for every rotation; reflections follow by ``u_2 -> -u_2``, which leaves the squares unchanged)."""
    A = symmetric_matrix("a", 2)
    c, s = sp.symbols("c s", real=True)
    U = sp.Matrix([[c, -s], [s, c]])
    spectrum = sp.symbols("s1 s2", real=True)
    S = U * sp.diag(*spectrum) * U.T
    quadratic_form = (A * S * A * S).trace()
    eigenbasis_sum = sum(spectrum[i] * spectrum[j] * ((U[:, i].T * A * U[:, j])[0, 0]) ** 2
                         for i in range(2) for j in range(2))
    remainder = sp.reduced(sp.expand(quadratic_form - eigenbasis_sum), [c**2 + s**2 - 1], c, s)[1]
    return remainder, quadratic_form, eigenbasis_sum


def skew_rayleigh_2x2():
    """``(quotient, det A)``: ``<Omega, (A (x) A) Omega>/||Omega||^2`` for ``Omega = [[0, 1], [-1, 0]]``
    (``A Omega A^T = det(A) Omega`` for ``2 x 2`` matrices)."""
    A = symmetric_matrix("a", 2)
    Omega = sp.Matrix([[0, 1], [-1, 0]])
    vec = sp.Matrix(list(Omega))  # row-major
    quotient = (vec.T * sp.kronecker_product(A, A) * vec)[0, 0] / (vec.T * vec)[0, 0]
    return sp.expand(quotient), sp.expand(A.det())


def skew_domination_2x2():
    """``(symmetric_quotient, [(difference, sum of squares), ...])`` for ``d = 2``:
    ``q = <I, (A (x) A) I>/2 = (a11^2 + 2 a12^2 + a22^2)/2`` and ``q -+ det A`` written as sums of
    squares ``(a11 - a22)^2/2 + 2 a12^2`` and ``(a11 + a22)^2/2``; so ``q >= |skew eigenvalue|``
    for every ``A``, and summed with weights ``w_k >= 0`` for every ``M``."""
    A = symmetric_matrix("a", 2)
    a11, a12, a22 = A[0, 0], A[0, 1], A[1, 1]
    vec = sp.Matrix([1, 0, 0, 1])
    q = sp.expand((vec.T * sp.kronecker_product(A, A) * vec)[0, 0] / 2)
    skew = A.det()
    pairs = [(q - skew, (a11 - a22) ** 2 / 2 + 2 * a12**2), (q + skew, (a11 + a22) ** 2 / 2)]
    return q, pairs


def formulas():
    """``(claim id, equation, name, expression)`` for the LaTeX export."""
    s_i, s_j, c_ij = sp.symbols("s_i s_j c_ij", real=True)
    quotient, skew = skew_rayleigh_2x2()
    q, pairs = skew_domination_2x2()
    return [
        ("mm-theorem-6", "MM eq 138", "Rayleigh quotient in the eigenbasis of S, c_ij = sum_k (u_i^T A_k u_j)^2",
         sp.Sum(s_i * s_j * c_ij, (sp.Symbol("i"), 1, sp.Symbol("d")), (sp.Symbol("j"), 1, sp.Symbol("d")))),
        ("mm-theorem-6", "MM App C", "skew eigenvalue for d = 2", sp.Eq(sp.Symbol("mu_skew"), skew, evaluate=False)),
        ("mm-theorem-6", "MM App C", "symmetric quotient at I/sqrt(2), d = 2", sp.Eq(sp.Symbol("q_I"), q, evaluate=False)),
        ("mm-theorem-6", "MM eq 145", "q_I - mu_skew as a sum of squares", pairs[0][1]),
        ("mm-theorem-6", "MM eq 145", "q_I + mu_skew as a sum of squares", pairs[1][1]),
    ]
