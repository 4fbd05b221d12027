"""Mulayoff & Michaeli (2024), *Exact Mean Square Linear Stability Analysis for SGD* (seed 004).

One module per claim, named for its id: ``mm_theorem_1`` (stability of the mean),
``mm_theorem_2`` (Ma & Ying's PSD-constrained criterion and the necessary conditions it gives),
``mm_theorem_4`` (regular minima: the second-moment recursion with the extra noise term),
``mm_corollary_1`` (the limits of distance, loss and gradient norm) and ``mm_theorem_6``
(symmetric Kronecker systems).  Their Theorem 3 (the exact threshold) is ``sgd-stability`` in
:mod:`checks.related`.  Beside the claims: ``instances`` (the minima they share),
the Monte Carlo test used for heavy-tailed statistics is
:func:`checks.stats.median_of_means_interval` (with the exact variance from
:mod:`numeric.linearized_sgd`), the controls' evidence :func:`checks.controls.boundary_control_evidence`.  The formulas of the seed were lost in
extraction; each claim module states the version it verifies and how it was reconstructed.
"""
