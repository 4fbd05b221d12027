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

This package re-exports every public name of its concept modules (their ``__all__``), so
that ``from numeric import sharpness as sh; sh.diagonal_sharpness(...)`` keeps working.
"""
from __future__ import annotations

from . import dense_minimizers, dense_network, diagonal_network, minimizer_bounds
from .dense_minimizers import *  # noqa: F401,F403  (names listed in dense_minimizers.__all__)
from .dense_network import *  # noqa: F401,F403
from .diagonal_network import *  # noqa: F401,F403
from .minimizer_bounds import *  # noqa: F401,F403

__all__ = [*diagonal_network.__all__, *dense_network.__all__, *dense_minimizers.__all__, *minimizer_bounds.__all__]
