"""Dense (non-diagonal) deep linear networks under S-SAM noise, symbolically (beyond the paper).

Setting: layers ``W_l`` of shape ``d_l x d_{l-1}`` (``dims = (d_0, .., d_L)``), whitened data, target
``W*`` (``d_L x d_0``, a row vector when ``d_L = 1``), ``L(W) = ||W* - W_L..W_1||_F^2`` (no factor 1/2),
S-SAM noise ``G_l`` with iid ``N(0, eta^2)`` entries, independent across layers.

* :mod:`.symbols`: the symbols, exact polynomial identities in a sparse ring;
* :mod:`.moments`: ``L_R = E[L(W + G)]`` by Gaussian moments, layer by layer, and the sandwich rule
  ``E[G A G^T] = eta^2 tr(A) I``;
* :mod:`.regularizer`: the recursion ``N_l = W_l N_{l-1} W_l^T + eta^2 tr(N_{l-1}) I`` (proved there),
  ``R = tr N_L - ||P||_F^2``, its closed form as a sum over runs of noiseless layers, two layers;
* :mod:`.balance`: the balance law ``tr(M_{l+1}) W_l N_{l-1} W_l^T = tr(N_{l-1}) W_{l+1}^T M_{l+1} W_{l+1}``
  at critical points (proved there);
* :mod:`.latex_formulas`: ``formulas()`` for the LaTeX export.
"""
from .balance import balance_identity_gap, two_layer_balance_gap, weighted_balance_gap
from .latex_formulas import formulas
from .moments import gaussian_sandwich, layerwise_gaussian_expectation, marginalized_loss_by_moments
from .regularizer import (diagonal_formula_transplanted, noisy_prefix_moments, noisy_suffix_moments,
                          regularizer_recursion, regularizer_segment_expansion, two_layer_regularizer,
                          weight_decay_coefficients, weight_decay_part)
from .symbols import (DenseSymbols, RingMatrices, dense_loss, dense_symbols, end_to_end, frobenius_squared,
                      is_identity, is_zero_matrix, symbol_matrix)

__all__ = [
    "DenseSymbols", "dense_symbols", "symbol_matrix", "end_to_end", "frobenius_squared", "dense_loss",
    "is_identity", "is_zero_matrix", "RingMatrices",
    "layerwise_gaussian_expectation", "marginalized_loss_by_moments", "gaussian_sandwich",
    "noisy_prefix_moments", "noisy_suffix_moments", "regularizer_recursion", "regularizer_segment_expansion",
    "weight_decay_coefficients", "weight_decay_part", "two_layer_regularizer", "diagonal_formula_transplanted",
    "balance_identity_gap", "weighted_balance_gap", "two_layer_balance_gap",
    "formulas",
]
