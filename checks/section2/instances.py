"""The instances of the Lemma 2.1 and 2.2 checks: depths of the symbolic proofs, random points, Monte Carlo designs.

The Monte Carlo instances are fixed (the seed changes only the draws): their controls must sit a
fixed number of standard errors from the truth for every seed, which a random instance cannot
promise.  Their data are bounded and whitened (:func:`bounded_whitened_data`), which keeps the
summands' tails light (:mod:`.monte_carlo_design`).
"""
from __future__ import annotations

import numpy as np

__all__ = ["symbolic_proof_depths", "random_network_point", "bounded_whitened_data", "LEMMA_2_1_WEIGHTS",
           "LEMMA_2_2_WEIGHTS", "MONTE_CARLO_TARGET"]

#: ``w*`` of the Monte Carlo instances (``d = 3``).
MONTE_CARLO_TARGET = np.array([1.5, -2.0, 0.7])
#: Weights of the Lemma 2.1 Monte Carlo instance (``L = 4``, ``d = 3``), moduli 0.8 .. 1.4.
LEMMA_2_1_WEIGHTS = np.array([[1.2, -0.9, 1.4], [1.1, 0.8, -1.3], [0.9, -1.2, 1.0], [1.0, 1.1, -0.8]])
#: Weights of the Lemma 2.2 Monte Carlo instance (``L = 3``, ``d = 3``).
LEMMA_2_2_WEIGHTS = LEMMA_2_1_WEIGHTS[:3].copy()


def symbolic_proof_depths(ctx):
    """Depths ``L`` of the symbolic proofs: 2..4 with ``--quick``, else 2..8."""
    return ctx.depths(8, quick=4)


def random_network_point(rng, L, d):
    """A random point ``(W, w*, eta)``: weights of modulus in [0.2, 2] with random signs, ``w*`` in [-3, 3], eta in [0.2, 1]."""
    signs = rng.choice([-1.0, 1.0], size=(L, d))
    W = signs * rng.uniform(0.2, 2.0, size=(L, d))
    wstar = rng.uniform(-3.0, 3.0, size=d)
    eta = float(rng.uniform(0.2, 1.0))
    return W, wstar, eta


def bounded_whitened_data(wstar):
    """Whitened inputs with entries ``+-1`` and labels ``Y = X w*`` for ``d = 3``: ``X`` = columns 2..4 of a 4x4 Hadamard matrix.

    ``(1/4) X^T X = I`` exactly; every input has norm ``sqrt(3)``, so the data add no heavy tail.
    """
    X = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    if len(wstar) != X.shape[1]:
        raise ValueError(f"wstar must have length {X.shape[1]}, got {len(wstar)}")
    return X, X @ np.asarray(wstar, dtype=float)
