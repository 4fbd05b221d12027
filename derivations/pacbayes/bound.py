"""Steps 3 and 5 of Lemma 2.3: the PAC-Bayes event, the bound solved from it, its variants, the best beta.

With probability ``>= 1 - delta``, for every posterior ``rho << pi`` simultaneously,
``lam n E_rho[mu - L_emp] - n lam^2 E_rho[m2] / 2 <= KL(rho||pi) + log(1/delta)``
(Corollary 17 of Chugg, Wang & Ramdas 2023 with a constant ``lam``).  Solved for
``R_pop`` at ``lam = beta / sqrt(n)``::

    E_G L_pop(W+G) <= E_G L_emp(W+G) + (KL + log(1/delta)) / (beta sqrt n)
                      + beta / (2 sqrt n) * E_G E_Z l(W+G; Z)^2.
"""
from __future__ import annotations

import sympy as sp

from .symbols import KL, M2, R_emp, R_pop, beta, delta, lam, n

__all__ = ["pac_bayes_event", "bound_from_event", "bound_variant", "best_beta"]


def pac_bayes_event() -> sp.Expr:
    """The event of probability ``>= 1 - delta`` (Corollary 17 with constant ``lambda``).

    ``lam n (R_pop - R_emp) - n lam^2 M_2 / 2 - KL - log(1/delta) <= 0``, with
    ``R_pop = E_rho L_pop``, ``R_emp = E_rho L_emp``, ``M_2 = E_rho E_Z l^2``; the
    left side is returned.
    """
    return lam * n * (R_pop - R_emp) - n * lam**2 * M2 / 2 - KL - sp.log(1 / delta)


def bound_from_event(lam_=None) -> sp.Expr:
    """Solve :func:`pac_bayes_event` ``= 0`` for ``R_pop``.

    Default ``lam = beta / sqrt(n)``: the bound of Lemma 2.3.  With ``lam_=lam``
    (the symbol itself) the result is the intermediate bound (27),
    ``R_emp + (KL + log(1/delta)) / (n lam) + lam M_2 / 2``.
    """
    event = pac_bayes_event().subs(lam, beta / sp.sqrt(n) if lam_ is None else lam_)
    solutions = sp.solve(sp.Eq(event, 0), R_pop)
    if len(solutions) != 1:
        raise RuntimeError("expected one solution")
    return sp.expand(solutions[0])


def bound_variant(name: str = "lemma-2.3") -> sp.Expr:
    """The stated right-hand side, or a negative-control variant (``no-kl``, ``no-log-delta``, ``rate-n``)."""
    rate = n if name == "rate-n" else sp.sqrt(n)
    kl_term = 0 if name == "no-kl" else KL
    log_term = 0 if name == "no-log-delta" else sp.log(1 / delta)
    if name not in ("lemma-2.3", "no-kl", "no-log-delta", "rate-n"):
        raise ValueError(f"variant must be lemma-2.3, no-kl, no-log-delta or rate-n, got {name!r}")
    return R_emp + (kl_term + log_term) / (beta * rate) + beta * M2 / (2 * rate)


def best_beta() -> tuple:
    """``(beta*, bound at beta*)``: the positive critical point of the bound in ``beta``.

    Written with ``D = KL + log(1/delta) > 0`` and ``M_2 > 0``:
    ``beta* = sqrt(2 D / M_2)`` and the bound becomes ``R_emp + sqrt(2 D M_2 / n)``.
    The bound is convex in ``beta > 0`` (second derivative ``2 D / (beta^3 sqrt n) > 0``).
    """
    D, m2 = sp.Symbol("D", positive=True), sp.Symbol("M_2", positive=True)
    bound = bound_variant().subs({KL: D - sp.log(1 / delta), M2: m2})
    critical_points = [c for c in sp.solve(sp.diff(bound, beta), beta) if c.is_positive]
    if len(critical_points) != 1:
        raise RuntimeError("expected one positive critical point")
    beta_star = sp.simplify(critical_points[0])
    return beta_star, sp.simplify(bound.subs(beta, beta_star))
