"""Simulators of the training dynamics (main paper, Section 4 and Appendices C-D).

One module per concept:

* :mod:`numeric.dynamics.flows` -- the gradient flow ``dW_l/dt = -grad_{W_l} L_R(W)`` (eq 12)
  in float64 (SciPy DOP853) and in mpmath (Taylor-series ODE solver, with an error estimate);
* :mod:`numeric.dynamics.deterministic` -- gradient descent on ``L_R`` (eq 18) or on ``L``;
* :mod:`numeric.dynamics.stochastic` -- SGD (eq 4), S-SAM (eq 6) and projected S-SAM (eq 22)
  on whitened data, and the projection onto a ball;
* :mod:`numeric.dynamics.schedules` -- step-size schedules (constant, harmonic, power;
  Robbins-Monro) and the steps at which a recursion is recorded;
* :mod:`numeric.dynamics.batched_model` -- ``L``, ``L_R``, ``grad L_R`` and the balancing gaps
  for a batch of runs;
* :mod:`numeric.dynamics.trajectory` -- :class:`~numeric.dynamics.trajectory.Trajectory`, the
  records of one simulation, and the input handling shared by the simulators.

Every simulator is vectorized over coordinates and over independent runs:
``W0`` of shape ``(L, d)`` is one run, ``(K, L, d)`` is ``K`` runs (independent
initializations; for the stochastic recursions ``seeds=K`` copies of one start
with independent noise).  Because the model separates by coordinate, ``K``
deterministic runs are simulated as one run of width ``K d``.

This package re-exports the names used outside it (``from numeric import dynamics as dy;
dy.gradient_flow(...)``); code of Section 4 imports from the concept modules directly.
"""
from .batched_model import batch_marginalized_loss
from .deterministic import gradient_descent
from .flows import gradient_flow
from .schedules import SCHEDULES, step_sizes
from .stochastic import stochastic_descent

__all__ = [
    "SCHEDULES",
    "step_sizes",
    "batch_marginalized_loss",
    "gradient_flow",
    "gradient_descent",
    "stochastic_descent",
]
