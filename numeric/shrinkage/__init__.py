"""Shrinkage-thresholding of Theorem 3.1(b) and the secant scheme of Lemma F.1, at any precision.

One module per concept:

* :mod:`.exact_inputs`: numbers as the exact rationals they denote (``to_fraction``) and argument checks;
* :mod:`.threshold_regime`: ``tau_L(eta)`` (eq 14), its exact square, the exact regime, the double root;
* :mod:`.equations`: the shrinkage polynomial ``P(a)``, the lambda equation ``f`` (eq 13) and its constant ``c``;
* :mod:`.certified_roots`: ``shrinkage_roots`` with certified enclosures (algorithm and certificate
  documented there), built on :mod:`.root_starts` (starting values) and :mod:`.exact_integer`
  (exact integer signs and Newton polish);
* :mod:`.secant_scheme`: ``regula_falsi`` (Lemma F.1).

This package re-exports the names that code outside it uses; code in the project
imports from the concept modules.
"""
from .certified_roots import shrinkage_roots
from .exact_inputs import to_fraction
from .threshold_regime import double_root, threshold, threshold_exact_power

__all__ = ["shrinkage_roots", "to_fraction", "threshold", "threshold_exact_power", "double_root"]
