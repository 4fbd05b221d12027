"""Dense (non-diagonal) deep linear networks under S-SAM noise, numerically (beyond the paper).

:mod:`.network` (loss, the noisy second-moment recursions, ``R``, ``L_R`` and gradients, balance laws),
:mod:`.sampling` (S-SAM draws, exact first and second moments of the noisy loss),
:mod:`.landscapes` (the dense ``L_R`` and the paper's diagonal one behind one interface) and
:mod:`.critical_points` (critical points from many starts, polished at high precision, measured).
"""
from .critical_points import CriticalPoint, measure, polish, relative_gaps, search_critical_points
from .landscapes import DenseLandscape, DiagonalLandscape, hessian
from .network import (balance_gaps, balance_sides, check_layers, check_target, dense_loss, dense_marginalized_loss,
                      dense_regularizer, end_to_end, grad_dense_loss, grad_dense_marginalized_loss,
                      noisy_prefix_moments, noisy_suffix_moments, weighted_balance_gaps, weighted_balance_sides)
from .sampling import dense_loss_exact_moments, dense_noisy_loss_group_means, dense_noisy_losses

__all__ = [
    "check_layers", "check_target", "end_to_end", "dense_loss", "noisy_prefix_moments", "noisy_suffix_moments",
    "dense_regularizer", "dense_marginalized_loss", "grad_dense_loss", "grad_dense_marginalized_loss",
    "balance_sides", "balance_gaps", "weighted_balance_sides", "weighted_balance_gaps",
    "dense_noisy_losses", "dense_noisy_loss_group_means", "dense_loss_exact_moments",
    "DenseLandscape", "DiagonalLandscape", "hessian",
    "CriticalPoint", "search_critical_points", "polish", "measure", "relative_gaps",
]
