"""Shrinkage-thresholding of Theorem 3.1(b): certified roots at any precision.

At a critical point of ``L_R`` every coordinate ``h`` with ``W_h != 0`` is
balanced, ``|w_{l,h}| = a`` for all ``l``, and ``a > 0`` is a positive root of
the **shrinkage polynomial** (proof of Theorem 3.1(b), Appendix B)::

    P(a) = (a^2 + eta^2)^(L-1) - |w*| a^(L-2).

Equivalently the shrinkage factor ``lambda = a / |w*|^(1/L)`` in ``(0, 1)``
solves ``lambda^2 - lambda^((L-2)/(L-1)) + eta^2 |w*|^(-2/L) = 0`` (eq 13).
Nonzero roots exist iff ``|w*| >= tau_L(eta)`` (eq 14, :mod:`.threshold_regime`).

Scaling
    With ``a = eta u`` and ``kappa = |w*| / eta^L`` the polynomial becomes
    ``eta^(2(L-1)) F(u)``, ``F(u) = (u^2 + 1)^(L-1) - kappa u^(L-2)``: the roots
    in ``u`` depend on ``kappa`` (and ``L``) only.  The threshold is
    ``kappa_c = (2(L-1))^(L-1) / (L^(L/2) (L-2)^((L-2)/2))`` and the double root
    sits at ``u_c^2 = (L-2)/L``.

Algorithm
    1. *Regime, exactly.*  All inputs are converted to exact rationals
       (:mod:`.exact_inputs`).  ``|w*|`` vs ``tau_L(eta)`` is decided in integer
       arithmetic by comparing ``|w*|^2 L^L (L-2)^(L-2)`` with
       ``eta^(2L) (2(L-1))^(2(L-1))``: there is no rounding in the regime.
    2. *Roots.*  Starting values from :mod:`.root_starts` (monotone Newton in
       ``t = log u``, float64 far from the threshold; near it
       (``kappa / kappa_c - 1 < 1e-6``) a quadratic model in mpmath, with the
       working precision raised by ``-log2(kappa / kappa_c - 1) / 2`` bits, the
       conditioning).  Then Newton on ``F`` in exact integer arithmetic at scale
       ``2^-p`` polishes (:mod:`.exact_integer`).
    3. *Certificate.*  Each root ``u`` gets an interval ``[u - r, u + r]``
       (``r ~ 10^-(digits+2) u``) whose end points are exact binary rationals;
       the sign of ``F`` at them is evaluated in exact integer arithmetic.  A sign
       change proves a root inside; Descartes' rule of signs proves that ``P`` has
       at most two positive roots counting multiplicity, so two disjoint
       intervals with sign changes contain exactly one simple root each.  At the
       threshold (exact regime ``"at"``) the double root is ``u_c`` (the unique
       minimum of ``F / u^(L-2)``); its interval is certified by squaring.
       Enclosures of ``a = eta u`` and ``lambda = u / kappa^(1/L)`` are
       integer floor/ceiling divisions, with ``kappa^(1/L)`` bracketed by an
       integer ``L``-th root (``K^L <= kappa 2^(Lq) < (K+1)^L``).  Everything
       that certifies is integer arithmetic; no ``mpmath.iv`` function is used.
    If a certificate fails (never observed), the precision is raised and the
    roots recomputed; after 6 attempts :class:`ArithmeticError` is raised.

Precision
    ``digits`` (default 50) is the number of correct significant decimal digits
    promised; the enclosures are about ``100`` times narrower than that.
    Precision is raised locally (``mpmath.workprec``), never globally.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import mpmath

from .exact_inputs import checked_depth, checked_digits, positive_eta, target_magnitude
from .exact_integer import (binary_rational_mpf, integer_newton_polish, integer_root_floor,
                            scaled_polynomial_sign, square_root_enclosure)
from .root_starts import starting_roots
from .threshold_regime import regime, threshold, threshold_exact_power

__all__ = ["ShrinkageResult", "shrinkage_roots"]


@dataclass
class ShrinkageResult:
    """Nonzero shrinkage factors of one coordinate (Theorem 3.1(b)).

    Fields
        regime: ``"below"`` | ``"at"`` | ``"above"`` (``|w*|`` vs ``tau_L(eta)``, exact).
        lambdas: ascending nonzero roots ``lambda`` of eq 13 (mpf; midpoints of the enclosures).
        roots_a: ``a = lambda |w*|^(1/L)`` (the common ``|w_l|``), ascending.
        enclosures: ``(lo, hi)`` per lambda, each proven to contain exactly one root.
        threshold: ``tau_L(eta)`` (mpf, ``digits`` digits).
        enclosures_a: ``(lo, hi)`` per ``a``.
        multiplicities: 1 per simple root, 2 for the double root at the threshold.
        digits, depth, eta, wstar_abs (exact rationals as strings), certificate (how).
    """

    regime: str
    lambdas: list
    roots_a: list
    enclosures: list
    threshold: object
    enclosures_a: list = field(default_factory=list)
    multiplicities: list = field(default_factory=list)
    digits: int = 50
    depth: int = 0
    eta: str = ""
    wstar_abs: str = ""
    certificate: str = ""


def shrinkage_roots(L: int, eta, wstar_abs, digits: int = 50) -> ShrinkageResult:
    """All nonzero shrinkage factors of one coordinate, with certified enclosures (Theorem 3.1(b), eqs 13-14).

    Parameters
        L: depth (>= 2).  eta: noise level (> 0).  wstar_abs: ``|w*_h|`` (>= 0).
        Numbers are taken as exact rationals (pass strings/Decimals for exact
        decimals; floats and mpf are their exact binary values).
        digits: correct significant digits of the reported roots (default 50).

    Returns a :class:`ShrinkageResult`: ``regime`` decided exactly, ``lambdas``
    ascending (0, 1 or 2 values; the double root at the threshold once), each
    with an enclosure proven to contain exactly one root (see the module
    docstring for the certificate).

    Examples
        >>> r = shrinkage_roots(2, "0.5", "1", digits=20)
        >>> r.regime, mpmath.nstr(r.lambdas[0], 15)      # sqrt(1 - eta^2/|w*|)
        ('above', '0.866025403784439')
        >>> shrinkage_roots(4, 1, "6.75", digits=20).regime
        'at'
    """
    L = checked_depth(L)
    eta_exact, magnitude = positive_eta(eta), target_magnitude(wstar_abs)
    digits = checked_digits(digits)
    exact_regime = regime(L, eta_exact, magnitude)
    tau = threshold(L, eta_exact, digits)
    result = ShrinkageResult(exact_regime, [], [], [], tau, digits=digits, depth=L, eta=str(eta_exact),
                             wstar_abs=str(magnitude))
    if exact_regime == "below" or (exact_regime == "at" and L == 2):
        result.certificate = ("exact rational comparison of |w*|^2 with tau_L(eta)^2; below the threshold "
                              "the shrinkage polynomial has no positive root")
        return result
    kappa = magnitude / eta_exact ** L
    N, M = kappa.numerator, kappa.denominator
    target = int(digits * 3.3219280948873626) + 8  # enclosure radius ~ 2^-target relative
    if L == 2:
        u_enclosures = [square_root_enclosure(kappa - 1, target)]
        multiplicities = [1]
        how = "L = 2: u^2 = kappa - 1 bracketed by exact integer square roots"
    elif exact_regime == "at":
        u_enclosures = [square_root_enclosure(Fraction(L - 2, L), target)]
        multiplicities = [2]
        how = ("exact regime 'at': the double root u_c^2 = (L-2)/L, the unique minimizer of F/u^(L-2), "
               "bracketed by exact integer square roots")
    else:
        u_enclosures = certified_root_pair(L, N, M, target)
        multiplicities = [1, 1]
        how = ("exact-integer signs of F at binary-rational end points: two disjoint sign changes, "
               "and Descartes' rule (<= 2 positive roots) gives exactly one root in each")
    # transform u-enclosures to a = eta u and lambda = u / kappa^(1/L): integer floor/ceil divisions
    output_bits = target + 16  # output fraction bits beyond the leading bit
    q = output_bits + 8 + max(0, (M.bit_length() - N.bit_length()) // L + 2)
    K = integer_root_floor((N << (L * q)) // M, L)  # K / 2^q <= kappa^(1/L) <= (K+1) / 2^q
    eta_numerator, eta_denominator = eta_exact.numerator, eta_exact.denominator
    for (A_lo, A_hi, pb), multiplicity in zip(u_enclosures, multiplicities):
        a_bits = output_bits + max(0, pb - A_lo.bit_length() + 4)
        a_lo = (A_lo * eta_numerator << a_bits) // (eta_denominator << pb)
        a_hi = -((-(A_hi * eta_numerator << a_bits)) // (eta_denominator << pb))
        lambda_bits = a_bits + q
        lambda_lo = (A_lo << (q + lambda_bits)) // ((K + 1) << pb)
        lambda_hi = -((-(A_hi << (q + lambda_bits))) // (K << pb))
        result.enclosures_a.append((binary_rational_mpf(a_lo, -a_bits), binary_rational_mpf(a_hi, -a_bits)))
        result.enclosures.append((binary_rational_mpf(lambda_lo, -lambda_bits),
                                  binary_rational_mpf(lambda_hi, -lambda_bits)))
        result.roots_a.append(binary_rational_mpf(a_lo + a_hi, -a_bits - 1))
        result.lambdas.append(binary_rational_mpf(lambda_lo + lambda_hi, -lambda_bits - 1))
        result.multiplicities.append(multiplicity)
    result.certificate = how
    return result


def certified_root_pair(L: int, N: int, M: int, target: int):
    """The two simple roots of ``F`` (above the threshold) as ``(A_lo, A_hi, p)`` with exact-sign certificates."""
    kappa = Fraction(N, M)
    kappa_c_squared = threshold_exact_power(L)
    extra = 24
    gap = kappa * kappa / kappa_c_squared - 1  # exact, > 0; kappa/kappa_c - 1 ~ gap / 2
    near = gap < Fraction(1, 500000)
    if near:  # G(t_c) ~ gap must be resolved (-log2 gap bits), the roots then split by ~sqrt(gap)
        log2_gap = gap.numerator.bit_length() - gap.denominator.bit_length()
        extra += -log2_gap + 16
        target = max(target, -log2_gap // 2 + 24)  # enclosures narrower than the roots' separation
    for attempt in range(6):
        prec = target + extra
        starts = starting_roots(L, kappa, prec, near)
        enclosures = []
        for u0, (sign_lo, sign_hi) in zip(sorted(starts), [(1, -1), (-1, 1)]):
            e2 = int(mpmath.floor(mpmath.log(u0, 2))) if not isinstance(u0, float) else math.frexp(u0)[1]
            p = max(0, prec - e2)
            if isinstance(u0, float):  # u0 = m 2^e exactly; U0 = round(u0 2^p) without overflow
                m, e = math.frexp(u0)
                shift = p + e - 53
                U0 = int(m * 2**53) << shift if shift >= 0 else int(m * 2**53) >> -shift
            else:
                with mpmath.workprec(prec + 20):
                    U0 = int(mpmath.nint(mpmath.ldexp(u0, p)))
            U = integer_newton_polish(U0, p, L, N, M)
            radius = max(1, U >> target)
            lo, hi = U - radius, U + radius
            if (lo <= 0 or scaled_polynomial_sign(lo, p, L, N, M) != sign_lo
                    or scaled_polynomial_sign(hi, p, L, N, M) != sign_hi):
                break
            enclosures.append((lo, hi, p))
        if len(enclosures) == 2 and (Fraction(enclosures[0][1], 1 << enclosures[0][2])
                                     < Fraction(enclosures[1][0], 1 << enclosures[1][2])):
            return enclosures
        extra = 2 * extra + 32
    raise ArithmeticError(f"shrinkage_roots: could not certify the roots for L={L}, kappa={kappa}")
