"""The right-hand side of the PAC-Bayes bound of Lemma 2.3, its wrong variants, and the best beta.

``bound = emp + (KL + log(1/delta)) / (beta sqrt n) + beta m2 / (2 sqrt n)``, split
into the *complexity* term ``(KL + log(1/delta)) / (beta sqrt n)`` and the
*variance* term ``beta m2 / (2 sqrt n)``; derived in :mod:`derivations.pacbayes.bound`.
"""
from __future__ import annotations

import math

import numpy as np

from ..validation import check_int, check_positive

__all__ = ["VARIANTS", "bound_terms", "bound_value", "best_beta"]

#: The bound of Lemma 2.3 and its deliberately wrong variants (negative controls).
VARIANTS = ("lemma-2.3", "no-kl", "no-log-delta", "rate-n")


def bound_terms(emp, kl, m2, n, delta, beta, variant="lemma-2.3"):
    """The right-hand side of Lemma 2.3 (or a wrong ``variant``), elementwise.

    ``lemma-2.3``: ``emp + (kl + log(1/delta)) / (beta sqrt n) + beta m2 / (2 sqrt n)``.
    Negative controls: ``no-kl`` (KL dropped), ``no-log-delta`` (``log(1/delta)``
    dropped), ``rate-n`` (``sqrt n`` replaced by ``n`` in both terms).
    Returns a dict with ``complexity``, ``variance`` and ``bound`` arrays.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    n = check_int(n, "n", minimum=1)
    delta = float(check_positive(delta, "delta"))
    if not delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta}")
    beta = float(check_positive(beta, "beta"))
    kl = np.asarray(kl, dtype=float)
    log_term = 0.0 if variant == "no-log-delta" else math.log(1.0 / delta)
    kl_term = 0.0 * kl if variant == "no-kl" else kl
    rate = float(n) if variant == "rate-n" else math.sqrt(n)
    complexity = (kl_term + log_term) / (beta * rate)
    variance = beta * np.asarray(m2, dtype=float) / (2.0 * rate)
    return {"complexity": complexity, "variance": variance,
            "bound": np.asarray(emp, dtype=float) + complexity + variance}


def bound_value(emp, kl, m2, n, delta, beta, variant="lemma-2.3"):
    """Shorthand for ``bound_terms(...)["bound"]``."""
    return bound_terms(emp, kl, m2, n, delta, beta, variant)["bound"]


def best_beta(kl, m2, delta):
    """``beta* = sqrt(2 (KL + log(1/delta)) / m2)``, the minimizer of the bound in ``beta``.

    Chosen after seeing the data it is **not** covered by Lemma 2.3 (beta must be
    fixed in advance; a grid of ``k`` betas costs ``log(k/delta)``); reported as
    "best beta in hindsight" only.  At ``beta*`` the two terms are equal and sum
    to ``sqrt(2 (KL + log(1/delta)) m2 / n)``.
    """
    delta = float(check_positive(delta, "delta"))
    return np.sqrt(2.0 * (np.asarray(kl, dtype=float) + math.log(1.0 / delta)) / np.asarray(m2, dtype=float))
