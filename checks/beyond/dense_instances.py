"""Shared instances of the dense claims (``dense-regularizer``, ``dense-balancing``).

The instances are fixed (their seeds are constants, reported in the evidence), so the Monte Carlo design
and the controls' distances from the boundary do not change with ``--seed``; the run's seed moves the
Monte Carlo draws and the random evaluation points.
"""
from __future__ import annotations

import numpy as np

__all__ = ["symbolic_dims", "random_dense_point", "MONTE_CARLO_INSTANCE_SEED", "monte_carlo_instance",
           "with_input_width_plus_one"]

#: Seed of the fixed Monte Carlo instance (weights and target).
MONTE_CARLO_INSTANCE_SEED = 20250315


def symbolic_dims(ctx) -> list:
    """Widths ``(d_0, .., d_L)`` of the symbolic proofs: depths 2-3 with ``--quick``, else 2-4."""
    quick = [(2, 1, 3), (3, 2, 1), (2, 2, 2), (2, 1, 2, 1)]
    if ctx.quick:
        return quick
    return quick + [(2, 2, 2, 2), (3, 2, 2, 1), (2, 1, 2, 1, 2)]


def random_dense_point(rng, dims):
    """Random ``(layers, W*, eta)``: entries ``1.2 N(0, 1/d_{l-1})``, ``W*`` in ``[-2, 2]``, eta in [0.2, 0.8]."""
    layers = [1.2 * rng.standard_normal((dims[l + 1], dims[l])) / np.sqrt(dims[l]) for l in range(len(dims) - 1)]
    wstar = rng.uniform(-2.0, 2.0, size=(dims[-1], dims[0]))
    return layers, wstar, float(rng.uniform(0.2, 0.8))


def monte_carlo_instance():
    """The fixed instance of the Monte Carlo check: widths (3, 2, 3, 2), eta = 0.4.

    Distinct widths, so a miscounted width changes ``R`` by 13 %; ``W*`` = the network's product plus
    ``N(0, 0.25)`` noise, so ``L`` and ``R`` both enter.  One draw's standard deviation is about 1.2 ``R``.
    """
    rng = np.random.default_rng(MONTE_CARLO_INSTANCE_SEED)
    dims = (3, 2, 3, 2)
    layers = [1.2 * rng.standard_normal((dims[l + 1], dims[l])) / np.sqrt(dims[l]) for l in range(3)]
    product = layers[2] @ layers[1] @ layers[0]
    wstar = product + 0.5 * rng.standard_normal(product.shape)
    return dims, layers, wstar, 0.4


def with_input_width_plus_one(layers) -> list:
    """The same network with one more input coordinate (a zero column in ``W_1``): ``tr N_0 = d_0 + 1``.

    The function it computes is unchanged; only a formula that counts the input width sees it.
    """
    first = np.hstack([layers[0], np.zeros((layers[0].shape[0], 1), dtype=layers[0].dtype)])
    return [first, *layers[1:]]
