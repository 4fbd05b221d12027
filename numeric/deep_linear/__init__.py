"""Dense and residual deep linear networks for univariate regression: the dynamics of Marion & Chizat (seed 003).

One module per concept (the product, loss, Hessian and sharpness themselves live in
:mod:`numeric.sharpness.dense_network` and are reused):

* :mod:`~numeric.deep_linear.network`: validated problems, the vectorized gradient (eqs 5-6), initializations
  (small-scale, residual eq 2), covariances with a given spectrum;
* :mod:`~numeric.deep_linear.flows`: gradient flow (eq 4) to convergence (LSODA) or on a grid with a global
  error estimate (DOP853);
* :mod:`~numeric.deep_linear.invariants`: the conserved balancedness (Lemma 1), wrong variants, the structure
  bounds of Lemma 2;
* :mod:`~numeric.deep_linear.polyak_lojasiewicz`: the PL ratio along a flow and its exact lower bounds;
* :mod:`~numeric.deep_linear.residual`: singular values of partial products (Lemma 3, Thm 4);
* :mod:`~numeric.deep_linear.descent`: gradient descent on a batch of networks, one step size each;
* :mod:`~numeric.deep_linear.hessian`: matrix-free sharpness and the slack of the lower bound at near-minimizers.

The package re-exports every public name of its modules.
"""
from __future__ import annotations

from . import descent, flows, hessian, invariants, network, polyak_lojasiewicz, residual
from .descent import *  # noqa: F401,F403
from .flows import *  # noqa: F401,F403
from .hessian import *  # noqa: F401,F403
from .invariants import *  # noqa: F401,F403
from .network import *  # noqa: F401,F403
from .polyak_lojasiewicz import *  # noqa: F401,F403
from .residual import *  # noqa: F401,F403

__all__ = [*network.__all__, *flows.__all__, *hessian.__all__, *invariants.__all__, *polyak_lojasiewicz.__all__,
           *residual.__all__,
           *descent.__all__]
