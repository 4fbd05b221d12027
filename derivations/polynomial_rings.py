"""Polynomial identities by coefficient comparison, in SymPy's sparse polynomial rings.

An identity ``a == b`` between polynomials holds iff ``a - b`` has no nonzero coefficient.
``sympy.expand`` decides it by building every monomial as an expression tree and sorting them,
which is slow once there are thousands of monomials (``prod_{l <= 12} (w_l^2 + eta^2)`` has
4096).  A sparse polynomial ring over ``QQ`` (:mod:`sympy.polys.rings`) stores a polynomial as a
dictionary ``exponent tuple -> rational coefficient`` and multiplies products of sums there, so
the same comparison is exact and 10-1000x faster at depths ``L = 8..12``.

* :func:`as_polynomial` converts an expression to a ring element (``ValueError`` if it is not a
  polynomial with rational coefficients in the generators: ``1/eta``, ``sqrt 2``, floats,
  undefined functions);
* :func:`is_identity` decides ``a == b`` by coefficients, falling back to
  ``expand(a - b) == 0`` for non-polynomial expressions (same answer, slower);
* :func:`monomial_terms` lists ``(exponents, coefficient)`` and :func:`has_square_certificate`
  decides the non-negativity certificate used by the proofs (every monomial has even
  exponents and a non-negative coefficient).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.polys.domains import QQ, ZZ
from sympy.polys.rings import ring

__all__ = ["polynomial_ring", "as_polynomial", "is_identity", "monomial_terms", "has_square_certificate",
           "ring_expand"]


@lru_cache(maxsize=512)
def polynomial_ring(generators: tuple, domain=QQ):
    """The sparse ring ``domain[generators]`` (``QQ`` or ``ZZ``; cached per tuple of generators)."""
    return ring(generators, domain)[0]


def _generators(*exprs) -> tuple:
    """Every free symbol of ``exprs``, in a fixed (printed-name) order."""
    symbols = set()
    for e in exprs:
        symbols |= sp.sympify(e).free_symbols
    return tuple(sorted(symbols, key=sp.default_sort_key))


def as_polynomial(expr, generators=None, domain=QQ):
    """``expr`` as an element of ``domain[generators]`` (default ``QQ`` and its free symbols).

    Products and integer powers of sums are multiplied in the ring (never expanded as
    expressions).  Raises ``ValueError`` if ``expr`` is not a polynomial in ``generators``
    with coefficients in ``domain`` (negative powers, radicals, floats, function applications;
    fractions if ``domain`` is ``ZZ``).
    """
    expr = sp.sympify(expr)
    if expr.has(sp.Float):
        raise ValueError("as_polynomial: floating-point coefficients are not exact; use rationals")
    gens = _generators(expr) if generators is None else tuple(generators)
    if not gens:
        if expr.is_Rational:
            return polynomial_ring((sp.Dummy("x"),), domain)(expr)
        raise ValueError(f"as_polynomial: {expr} is not a rational number")
    return polynomial_ring(gens, domain).from_expr(expr)


def is_identity(a, b) -> bool:
    """``True`` iff ``a - b`` is identically zero: by coefficients when both are polynomials, else by ``expand``.

    Integer coefficients are tried first (``ZZ``, machine-fast), then rationals (``QQ``).
    """
    gens = _generators(a, b)
    if gens:
        for domain in (ZZ, QQ):
            try:
                return as_polynomial(a, gens, domain) == as_polynomial(b, gens, domain)
            except ValueError:
                continue
    return sp.expand(a - b) == 0


def monomial_terms(expr, generators) -> list:
    """``[(exponents, coefficient)]`` of ``expr`` in ``generators`` (SymPy numbers).

    In the ring ``QQ[generators]`` when the coefficients are rational; otherwise (floats) by
    :class:`sympy.Poly` of the expanded expression (coefficients may then involve other symbols).
    """
    try:
        poly = as_polynomial(expr, generators)
    except ValueError:
        return list(sp.Poly(sp.expand(expr), *generators).terms())
    domain = poly.ring.domain
    return [(monomial, domain.to_sympy(coefficient)) for monomial, coefficient in poly.terms()]


def has_square_certificate(expr, generators) -> bool:
    """``True`` if every monomial of ``expr`` in ``generators`` has even exponents and a coefficient ``>= 0``.

    A sufficient certificate of ``expr >= 0`` for all real inputs (the zero polynomial qualifies).
    A coefficient whose sign is undetermined (it involves other symbols) is not a certificate.
    """
    return all(bool(coefficient.is_nonnegative) and not any(e % 2 for e in monomial)
               for monomial, coefficient in monomial_terms(expr, generators))


def ring_expand(expr, generators=None) -> sp.Expr:
    """``expr`` expanded through the ring (same result as ``sympy.expand`` for polynomials, faster for large ones)."""
    gens = _generators(expr) if generators is None else tuple(generators)
    try:
        return as_polynomial(expr, gens).as_expr()
    except ValueError:
        return sp.expand(expr)
