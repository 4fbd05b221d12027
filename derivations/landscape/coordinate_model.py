"""The symbols of Section 3 and one coordinate of ``L_R``.

The model separates by coordinate, so identities are proven for one coordinate
with symbols ``w_1..w_L`` (real), ``w^*`` (real), ``eta > 0``
(:func:`derivations.marginalized.coordinate_symbols`).  The landscape adds
``a`` (the common ``|w_l|`` at a balanced point), ``lam`` (the shrinkage factor
``lambda``), ``m = |w*|`` (all positive) and a symbolic depth ``Ls``.
"""
from __future__ import annotations

import sympy as sp

from derivations.marginalized import coordinate_symbols, regularizer_closed_form

__all__ = ["a", "lam", "m", "Ls", "eta", "coordinate_L_R"]

a, lam, m = sp.symbols("a lambda m", positive=True)
Ls = sp.Symbol("L", integer=True, positive=True)
eta = sp.Symbol("eta", positive=True)


def coordinate_L_R(L: int) -> sp.Expr:
    """One coordinate of ``L_R = (w* - prod w_l)^2 + prod(w_l^2 + eta^2) - prod w_l^2`` (Lemma 2.2)."""
    s = coordinate_symbols(L)
    return (s.wstar - sp.Mul(*s.w)) ** 2 + regularizer_closed_form(L)
