"""Section 3 of the main paper, symbolically: the landscape of ``L_R``.

Everything here is *derived* from the marginalized loss of Section 2
(:func:`derivations.marginalized.regularizer_closed_form`) by differentiation,
substitution and solving; the closed forms of the paper are produced as
outputs, and the checks (:mod:`checks.section3`) compare them with the
numeric implementation (:mod:`numeric.shrinkage`) and with the paper's
statements.  One module per concept:

* :mod:`.coordinate_model`: the symbols (``a``, ``lam``, ``m``, ``Ls``, ``eta``) and one coordinate of ``L_R``;
* :mod:`.balancing`: Theorem 3.1(a), the cyclic identity, eq 29 and eq 28;
* :mod:`.shrinkage_polynomial`: Theorem 3.1(b), the shrinkage polynomial from the critical-point
  equation, the lambda equation (eq 13), Descartes' sign changes;
* :mod:`.threshold`: Theorem 3.1(b), the threshold as a minimum for symbolic ``L`` (eq 14), the double
  root, the ``L -> oo`` asymptotics;
* :mod:`.critical_point_values`: the Hessian eigenvalues (classification) and the loss (Theorem 3.1(c))
  at critical points;
* :mod:`.factorizations`: Lemma 3.2, minima of ``R`` and ``tr Hess L`` over factorizations;
* :mod:`.secant_bracket`: Lemma F.1, the minimizer of ``f`` and Appendix F's bracket of both roots;
* :mod:`.latex_formulas`: the formulas for the LaTeX export.

This package re-exports the names that code outside it uses (``formulas``, found by
:func:`ssam_verify.latex.collect_formulas`); code in the project imports from the concept modules.
"""
from .latex_formulas import formulas

__all__ = ["formulas"]
