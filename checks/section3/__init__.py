"""Claims of Section 3 and Appendix F: the landscape of the marginalized loss ``L_R``.

One module per claim, named for its id: :mod:`.theorem_3_1a` (balancing at critical points),
:mod:`.theorem_3_1b` (shrinkage-thresholding, with its candidate checks in
:mod:`.shrinkage_candidates`), :mod:`.theorem_3_1c` (no zero loss), :mod:`.lemma_3_2` (balancing
minimizes sharpness) and :mod:`.lemma_F_1` (the secant scheme of Appendix F).  Each compares the
symbolic derivation (:mod:`derivations.landscape`) with the numeric implementation
(:mod:`numeric.shrinkage`, :mod:`numeric.critical_points`, :mod:`numeric.model`) and runs wrong
variants through the same checks (negative controls).  Shared machinery: :mod:`.depths` (the
depths each run mode covers), :mod:`.precise_evaluation` (exact rationals and SymPy
expressions evaluated as mpmath numbers); the negative-control evidence with near misses just
inside the boundary is :func:`checks.controls.boundary_control_evidence`.
"""
