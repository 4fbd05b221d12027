"""The instances of the Lemma 2.1 and 2.2 checks: the depths of the symbolic proofs and random evaluation points."""
from __future__ import annotations

__all__ = ["symbolic_proof_depths", "random_network_point"]


def symbolic_proof_depths(ctx):
    """Depths ``L`` of the symbolic proofs: 2..4 with ``--quick``, else 2..8."""
    return range(2, 5) if ctx.quick else range(2, 9)


def random_network_point(rng, L, d):
    """A random point ``(W, w*, eta)``: weights of modulus in [0.2, 2] with random signs, ``w*`` in [-3, 3], eta in [0.2, 1]."""
    signs = rng.choice([-1.0, 1.0], size=(L, d))
    W = signs * rng.uniform(0.2, 2.0, size=(L, d))
    wstar = rng.uniform(-3.0, 3.0, size=d)
    eta = float(rng.uniform(0.2, 1.0))
    return W, wstar, eta
