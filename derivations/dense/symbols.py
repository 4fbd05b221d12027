"""Symbols of a dense linear network and exact polynomial arithmetic on them.

Layers ``W_l`` (``d_l x d_{l-1}``, ``l = 1..L``, ``dims = (d_0, .., d_L)``), noise ``G_l`` of the same
shapes, target ``W*`` (``d_L x d_0``; a row vector when ``d_L = 1``) and the noise level ``eta``.
Identities are decided exactly in a sparse polynomial ring over the rationals (:func:`is_identity`);
:class:`RingMatrices` does matrix products there, much faster than expanding SymPy expressions.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

__all__ = ["DenseSymbols", "check_dims", "dense_symbols", "symbol_matrix", "end_to_end", "frobenius_squared",
           "dense_loss", "is_identity", "is_zero_matrix", "RingMatrices", "run_product"]


@dataclass(frozen=True)
class DenseSymbols:
    """Symbols of a dense network: ``dims``, weights ``W[l]``, noise ``G[l]``, target ``wstar``, ``eta``.

    ``W[l]`` is layer ``l + 1`` (``d_{l+1} x d_l``), with entries ``w{l+1}_{ij}``.
    """

    dims: tuple
    W: tuple
    G: tuple
    wstar: sp.ImmutableMatrix
    eta: sp.Symbol

    @property
    def depth(self) -> int:
        """The number of layers ``L``."""
        return len(self.dims) - 1


def check_dims(dims) -> tuple:
    """``dims = (d_0, .., d_L)``: ``L >= 2`` and integer widths ``>= 1``, else ``ValueError`` naming ``dims``."""
    dims = tuple(dims)
    if len(dims) < 3 or any(isinstance(d, bool) or not isinstance(d, int) or d < 1 for d in dims):
        raise ValueError(f"dims must be (d_0, .., d_L) with L >= 2 and every width an integer >= 1, got {dims}")
    return dims


def symbol_matrix(name: str, rows: int, cols: int) -> sp.ImmutableMatrix:
    """A ``rows x cols`` matrix of real symbols ``name_{ij}`` (1-based)."""
    return sp.ImmutableMatrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


@lru_cache(maxsize=32)
def dense_symbols(dims) -> DenseSymbols:
    """Symbolic weights ``w{l}_{ij}``, noise ``g{l}_{ij}`` and target ``wstar_{ij}`` for widths ``dims``."""
    dims = check_dims(dims)
    L = len(dims) - 1
    W = tuple(symbol_matrix(f"w{l + 1}", dims[l + 1], dims[l]) for l in range(L))
    G = tuple(symbol_matrix(f"g{l + 1}", dims[l + 1], dims[l]) for l in range(L))
    return DenseSymbols(dims, W, G, symbol_matrix("wstar", dims[-1], dims[0]), sp.Symbol("eta", positive=True))


@lru_cache(maxsize=256)
def run_product(dims, first: int, last: int) -> sp.Matrix:
    """``W_last .. W_first`` (1-based layers, ``first <= last``) of :func:`dense_symbols` ``(dims)``, cached."""
    s = dense_symbols(dims)
    return end_to_end(list(s.W[first - 1:last]))


def end_to_end(matrices) -> sp.Matrix:
    """``M_L ... M_1`` of a list ``[M_1, .., M_L]`` (layer 1 first)."""
    out = matrices[0]
    for M in matrices[1:]:
        out = M * out
    return out


def frobenius_squared(M) -> sp.Expr:
    """``||M||_F^2``, the sum of the squared entries."""
    return sum((entry**2 for entry in M), sp.Integer(0))


@lru_cache(maxsize=64)
def dense_loss(dims) -> sp.Expr:
    """``L(W) = ||W* - W_L ... W_1||_F^2`` (whitened data, no factor 1/2)."""
    s = dense_symbols(dims)
    return frobenius_squared(s.wstar - run_product(s.dims, 1, s.depth))


@lru_cache(maxsize=64)
def _ring_over(symbols: tuple):
    return sp.ring(symbols, sp.QQ)[0]


@lru_cache(maxsize=1024)
def _as_polynomial(expr, symbols: tuple):
    return _ring_over(symbols).from_expr(expr)


def is_identity(a, b) -> bool:
    """``a == b`` as polynomials with rational coefficients (compared in a sparse polynomial ring).

    Conversions are cached per expression, so an expression compared with several candidates is
    converted once.
    """
    a, b = sp.sympify(a), sp.sympify(b)
    symbols = tuple(sorted(a.free_symbols | b.free_symbols, key=str))
    if not symbols:
        return sp.nsimplify(a - b) == 0
    return _as_polynomial(a, symbols) == _as_polynomial(b, symbols)


def is_zero_matrix(M) -> bool:
    """Every entry is the zero polynomial (an exact polynomial identity)."""
    return all(is_identity(entry, 0) for entry in M)


class RingMatrices:
    """Matrices as lists of rows of elements of ``sp.ring(generators, domain)``."""

    def __init__(self, generators, domain=sp.QQ):
        self.generators = list(generators)
        self.ring = sp.ring(self.generators, domain)[0]

    def of(self, M) -> list:
        """A SymPy matrix (entries polynomial in the generators) as ring rows."""
        return [[self.ring.from_expr(entry) for entry in row] for row in sp.Matrix(M).tolist()]

    def identity(self, n: int) -> list:
        """The ``n x n`` identity."""
        return [[self.ring.one if i == j else self.ring.zero for j in range(n)] for i in range(n)]

    def times(self, A, B) -> list:
        """The matrix product ``A B``."""
        return [[sum((A[i][k] * B[k][j] for k in range(len(B))), self.ring.zero) for j in range(len(B[0]))]
                for i in range(len(A))]

    @staticmethod
    def plus(A, B, scale=1) -> list:
        """``A + scale B``."""
        return [[a + scale * b for a, b in zip(ra, rb)] for ra, rb in zip(A, B)]

    @staticmethod
    def transpose(A) -> list:
        """``A^T``."""
        return [list(column) for column in zip(*A)]

    def trace(self, A):
        """``tr A``."""
        return sum((A[i][i] for i in range(len(A))), self.ring.zero)

    @staticmethod
    def to_matrix(A) -> sp.Matrix:
        """Back to a SymPy matrix of expanded polynomials."""
        return sp.Matrix([[entry.as_expr() for entry in row] for row in A])
