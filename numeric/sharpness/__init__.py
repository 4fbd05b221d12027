"""Sharpness (top Hessian eigenvalue) of diagonal and dense deep linear networks.

Two models, both with the loss **without** a factor 1/2, one module per concept:

* :mod:`~numeric.sharpness.diagonal_network`: the diagonal network of the main paper
  (``L`` and ``L_R = L + R``), its Hessian, sharpness, balanced minimizers and the
  per-sample Gauss-Newton features fed to :mod:`numeric.stability`;
* :mod:`~numeric.sharpness.dense_network`: the dense network of Marion & Chizat (seed
  ``003``, eq 3): excess risk, gradient, exact Hessian-vector products, sharpness;
* :mod:`~numeric.sharpness.dense_minimizers`: its minimizers (rank-one, balanced,
  random) and the gradient flow that reaches one (their eq 4);
* :mod:`~numeric.sharpness.minimizer_bounds`: bounds on the sharpness of minimizers
  (their Thms 1-2, Cor 2, reconstructed) and the slack certifying near-minimizers.

This package re-exports the public names of the former ``numeric/sharpness.py`` so that
``from numeric import sharpness as sh; sh.diagonal_sharpness(...)`` keeps working.
"""
from __future__ import annotations

from .dense_minimizers import balanced_dense_minimizer, gradient_flow, random_dense_minimizer, rank_one_minimizer
from .dense_network import (
    dense_grad,
    dense_hessian,
    dense_hvp,
    dense_loss,
    dense_product,
    dense_sharpness,
    flatten,
    least_squares,
    unflatten,
)
from .diagonal_network import (
    balanced_minimizer,
    diagonal_hessian,
    diagonal_minimal_sharpness,
    diagonal_per_sample_features,
    diagonal_sharpness,
    rescale_layers,
)
from .minimizer_bounds import (
    balanced_sharpness,
    gradient_flow_factor,
    layer_lower_bound,
    lower_bound,
    lower_bound_slack,
    upper_bound,
)

__all__ = [
    "diagonal_hessian",
    "diagonal_sharpness",
    "diagonal_minimal_sharpness",
    "balanced_minimizer",
    "rescale_layers",
    "least_squares",
    "dense_product",
    "dense_loss",
    "dense_grad",
    "dense_hvp",
    "dense_hessian",
    "dense_sharpness",
    "flatten",
    "unflatten",
    "balanced_dense_minimizer",
    "rank_one_minimizer",
    "random_dense_minimizer",
    "lower_bound",
    "layer_lower_bound",
    "balanced_sharpness",
    "upper_bound",
    "gradient_flow_factor",
    "lower_bound_slack",
    "gradient_flow",
    "diagonal_per_sample_features",
]
