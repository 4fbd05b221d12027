"""Starting values for the two nonzero roots of the scaled shrinkage polynomial.

In ``t = log u`` the function ``G(t) = (L-1) log(1 + e^{2t}) - (L-2) t - log kappa``
(``= log(F / u^(L-2))``) is strictly convex with its minimum at ``t_c``
(``e^{2 t_c} = (L-2)/L``); the smaller root lies in ``(-log kappa / (L-2), t_c)``,
the larger in ``(t_c, log kappa / L)``.  Far from the threshold, float64 Newton
from the outer ends converges monotonically; near it (``near``) the start is the
quadratic model ``t_c +- sqrt(2 (log kappa - log kappa_c) / G''(t_c))`` refined by
Newton in mpmath.  These are only starts: :mod:`.certified_roots` polishes and
certifies them in exact integer arithmetic.
"""
from __future__ import annotations

import math

import mpmath

from .exact_inputs import fraction_to_mpf

__all__ = ["starting_roots", "newton_on_log_scale", "float_log_roots"]


def newton_on_log_scale(t, L, log_kappa, prec):
    """Newton on ``G(t) = (L-1) log(1+e^{2t}) - (L-2) t - log kappa`` at ``prec`` bits; returns ``u = e^t``.

    Stops when the step stagnates (rounding noise of ``G`` near a close pair of
    roots) or after 30 steps: the result is only a start for the exact
    integer Newton polish (:func:`numeric.shrinkage.exact_integer.integer_newton_polish`).
    """
    with mpmath.workprec(prec):
        t = mpmath.mpf(t)
        tol = mpmath.ldexp(1, -prec + 6)
        last_step = mpmath.inf
        for _ in range(30):
            e2 = mpmath.exp(2 * t)
            G = (L - 1) * mpmath.log1p(e2) - (L - 2) * t - log_kappa
            dG = 2 * (L - 1) * e2 / (1 + e2) - (L - 2)
            if dG == 0:  # at the minimum t_c of G (a start exactly at the double root): stop
                break
            step = G / dG
            if abs(step) >= last_step:
                break
            t = t - step
            last_step = abs(step)
            if last_step <= tol * max(1, abs(t)):
                break
        return mpmath.exp(t)


def float_log_roots(L, log_kappa):
    """Float64 monotone Newton in ``t = log u`` from the outer bracket ends (convex ``G``)."""
    def G(t):
        x = 2 * t
        log1p_exp = x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))
        return (L - 1) * log1p_exp - (L - 2) * t - log_kappa

    def dG(t):
        x = 2 * t
        sigmoid = 1 / (1 + math.exp(-x)) if x > -700 else 0.0
        return 2 * (L - 1) * sigmoid - (L - 2)

    roots = []
    for t in (-log_kappa / (L - 2), log_kappa / L):
        for _ in range(200):
            g, d = G(t), dG(t)
            if d == 0:
                break
            step = g / d
            t -= step
            if abs(step) <= 1e-15 * max(1.0, abs(t)):
                break
        roots.append(t)
    return roots


def starting_roots(L, kappa, prec, near):
    """Starting values for the two roots in ``u``: float64 (far from the threshold) or mpf (near it).

    A root outside float64's range (``|log u| > 700``, e.g. ``|w*| = 1e400`` or ``eta = 1e-400``)
    is returned as an mpf, so huge and tiny roots neither overflow nor underflow to 0.
    """
    if not near:
        log_kappa = math.log(kappa.numerator) - math.log(kappa.denominator)
        return [math.exp(t) if abs(t) < 700 else mpmath.exp(t) for t in float_log_roots(L, log_kappa)]
    with mpmath.workprec(prec):
        log_kappa = mpmath.log(fraction_to_mpf(kappa))
        t_c = mpmath.log(mpmath.mpf(L - 2) / L) / 2
        e2 = mpmath.exp(2 * t_c)
        G_at_t_c = (L - 1) * mpmath.log1p(e2) - (L - 2) * t_c - log_kappa
        G2_at_t_c = 4 * (L - 1) * e2 / (1 + e2) ** 2
        delta = mpmath.sqrt(-2 * G_at_t_c / G2_at_t_c)
        starts = [t_c - delta, t_c + delta]
    return [newton_on_log_scale(t0, L, log_kappa, prec) for t0 in starts]
