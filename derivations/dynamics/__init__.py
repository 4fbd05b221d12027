"""Section 4 and Appendix C of the main paper, symbolically: the dynamics.

Everything is per coordinate (the model separates by coordinate), with the symbols of
:func:`derivations.marginalized.coordinate_symbols`; every result is a polynomial identity
or a non-negativity certificate, proven for small ``L``.  One module per concept:

* :mod:`derivations.dynamics.gradient` -- the gradient ``2 (w_l Q_{-l} - w* pi_{-l})`` and the
  non-negativity certificate;
* :mod:`derivations.dynamics.flow` -- the gradient flow: eq 16 and Theorem 4.1 (eqs 35, 36);
* :mod:`derivations.dynamics.hessian` -- Theorem 4.2: the Hessian and our bound ``M`` with its proof;
* :mod:`derivations.dynamics.descent` -- Theorem 4.3: eq 50, its exact factorization, the constant ``C``;
* :mod:`derivations.dynamics.projection` -- Theorem 4.4: eq 57 and the projection radius;
* :mod:`derivations.dynamics.latex_formulas` -- the formulas exported to LaTeX.

This package re-exports the names used outside it (``ssam-verify simulate`` and
``ssam-verify latex``); code of Section 4 imports from the concept modules directly.
"""
from .descent import contraction_constant
from .latex_formulas import formulas
from .projection import projection_radius

__all__ = ["contraction_constant", "formulas", "projection_radius"]
