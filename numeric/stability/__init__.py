"""Mean-square linear stability of SGD near a minimum (Mulayoff & Michaeli 2024, seed ``004``).

One module per concept:

* :mod:`~numeric.stability.hessians`: the inputs, per-sample Hessians ``H_i`` (dense or
  rank-one ``H_i = x_i x_i^T``) and the batch mixture weight ``p = (n - B)/(B (n - 1))``;
* :mod:`~numeric.stability.moment_recursion`: the exact second-moment recursion
  ``S <- T_alpha(S)`` (their eq 50) and its Kronecker matrices;
* :mod:`~numeric.stability.closed_form`: the threshold ``alpha* = 2 / lambda_max(C^+ D)``
  (Thm 3, eq 13; structured, dense and the spec's normalization), Prop 3's necessary
  bounds and the regular-minimum limit (Thm 5);
* :mod:`~numeric.stability.sgd_simulation`: Monte Carlo of linearized SGD and of ALG(p).

This package re-exports the public names of the former ``numeric/stability.py`` so that
``from numeric import stability as st; st.threshold(...)`` keeps working.

References: R. Mulayoff, T. Michaeli, *Exact Mean Square Linear Stability
Analysis for SGD*, COLT 2024 (arXiv 2306.07850): Thm 3, Prop 1-3, Thm 4-5.
"""
from __future__ import annotations

from .closed_form import (
    ThresholdResult,
    dense_threshold,
    necessary_bounds,
    regular_limit_covariance,
    spec_threshold,
    threshold,
)
from .hessians import StabilityProblem, batch_p, problem
from .moment_recursion import (
    certified_stability,
    collatz_wielandt_bracket,
    kronecker_matrices,
    range_recursion_top_eigenvalue,
    regular_moment_limit,
    recursion_matrix,
    regular_moment_trajectory,
    second_moment_step,
    second_moment_trajectory,
)
from .sgd_simulation import one_step_draws, simulate_mixture, simulate_sgd, simulate_sgd_regular

__all__ = [
    "batch_p",
    "StabilityProblem",
    "ThresholdResult",
    "problem",
    "kronecker_matrices",
    "dense_threshold",
    "spec_threshold",
    "recursion_matrix",
    "threshold",
    "necessary_bounds",
    "second_moment_step",
    "one_step_draws",
    "second_moment_trajectory",
    "simulate_sgd",
    "simulate_mixture",
    "regular_limit_covariance",
    "regular_moment_trajectory",
    "simulate_sgd_regular",
    "collatz_wielandt_bracket",
    "certified_stability",
    "range_recursion_top_eigenvalue",
    "regular_moment_limit",
]
