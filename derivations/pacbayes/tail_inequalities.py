"""Step 1 of Lemma 2.3: the lower tail of a nonnegative loss is sub-Gaussian with proxy ``E l^2``.

``exp(-x) <= 1 - x + x^2/2`` for ``x >= 0`` (:func:`lower_tail_inequality`) and
``1 + y <= exp(y)`` (:func:`one_plus_y_le_exp`) give, for ``l >= 0`` with mean
``mu`` and second moment ``m2 = E l^2``, ``E exp(lam (mu - l)) <= exp(lam^2 m2 / 2)``
(:func:`mgf_bound`): the variance proxy is the *second moment*, not the variance.
"""
from __future__ import annotations

import sympy as sp

from .symbols import lam

__all__ = ["lower_tail_inequality", "one_plus_y_le_exp", "mgf_bound", "nonnegative_on_unit_interval"]


def lower_tail_inequality() -> dict:
    """Prove ``exp(-x) <= 1 - x + x^2/2`` for ``x >= 0``.

    ``f(x) = 1 - x + x^2/2 - exp(-x)`` has ``f(0) = f'(0) = f''(0) = 0`` and
    ``f''' = exp(-x) > 0``, so ``f(x) = int_0^x int_0^r int_0^q exp(-t) dt dq dr``,
    an integral of a positive function over a region of non-negative measure
    when ``x >= 0``.  Returns the facts and ``proved``.
    """
    x, t, q, r = sp.symbols("x t q r", nonnegative=True)
    f = 1 - x + x**2 / 2 - sp.exp(-x)
    triple = sp.integrate(sp.integrate(sp.integrate(sp.exp(-t), (t, 0, q)), (q, 0, r)), (r, 0, x))
    facts = {
        "f": f,
        "f(0)": f.subs(x, 0), "f'(0)": sp.diff(f, x).subs(x, 0), "f''(0)": sp.diff(f, x, 2).subs(x, 0),
        "f'''": sp.diff(f, x, 3),
        "f == triple integral of exp(-t)": sp.simplify(triple - f) == 0,
        "exp(-t) > 0": bool(sp.exp(-t).is_positive),
    }
    facts["proved"] = bool(facts["f(0)"] == 0 and facts["f'(0)"] == 0 and facts["f''(0)"] == 0
                           and sp.simplify(facts["f'''"] - sp.exp(-x)) == 0
                           and facts["f == triple integral of exp(-t)"] and facts["exp(-t) > 0"])
    return facts


def nonnegative_on_unit_interval(factors, u) -> bool:
    """Whether the product of ``factors`` (expressions in ``u``) is ``>= 0`` for every ``u`` in ``[0, 1]``.

    Each factor must be provably positive for real arguments (SymPy's assumptions, e.g.
    ``exp``) or have no negative value on ``[0, 1]`` (``solveset`` of ``factor < 0`` is empty).
    """
    unit = sp.Interval(0, 1)
    for factor in factors:
        if factor.is_positive or factor.is_nonnegative:
            continue
        if sp.solveset(sp.Lt(factor, 0), u, unit) != sp.S.EmptySet:
            return False
    return True


def one_plus_y_le_exp() -> dict:
    """Prove ``1 + y <= exp(y)`` for real ``y``: ``exp(y) - 1 - y = y^2 int_0^1 (1-u) exp(u y) du >= 0``.

    Two facts, both checked: the integral identity (SymPy integrates; for ``y = 0`` both sides
    vanish) and that the integrand ``(1 - u) exp(u y)`` is ``>= 0`` on ``[0, 1]``
    (:func:`nonnegative_on_unit_interval`: ``1 - u`` has no negative value there, ``exp`` of a
    real number is positive), so the right-hand side is ``y^2`` times a nonnegative number.
    """
    y = sp.Symbol("y", real=True)
    u = sp.Symbol("u", real=True)
    integrand_factors = (1 - u, sp.exp(u * y))
    remainder = y**2 * sp.integrate(sp.Mul(*integrand_factors), (u, 0, 1), conds="none")
    target = sp.exp(y) - 1 - y
    ok = sp.simplify(sp.piecewise_fold(remainder - target)) == 0
    if not ok:  # SymPy returns a Piecewise for y = 0; check the generic branch
        ok = all(sp.simplify(e - target) == 0 for e, c in sp.piecewise_fold(remainder).args if c != sp.S.false
                 and not (c == sp.Eq(y, 0))) if isinstance(remainder, sp.Piecewise) else False
    nonnegative = nonnegative_on_unit_interval(integrand_factors, u)
    return {"remainder": remainder, "identity": bool(ok), "integrand (1-u) exp(u y) >= 0 on [0,1]": nonnegative,
            "proved": bool(ok and nonnegative)}


def mgf_bound(mu=None, m2=None, lam_=lam):
    """The chain ``E exp(-lam l) <= 1 - lam mu + lam^2 m2/2 <= exp(-lam mu + lam^2 m2/2)``.

    Returns ``(middle, right)``: taking expectations of ``exp(-x) <= 1 - x + x^2/2``
    at ``x = lam l >= 0`` gives ``middle``; ``1 + y <= e^y`` gives ``right``;
    multiplying by ``exp(lam mu)``: ``E exp(lam (mu - l)) <= exp(lam^2 m2 / 2)``.
    """
    mu = sp.Symbol("mu", nonnegative=True) if mu is None else mu
    m2 = sp.Symbol("m_2", nonnegative=True) if m2 is None else m2
    middle = 1 - lam_ * mu + lam_**2 * m2 / 2
    right = sp.exp(-lam_ * mu + lam_**2 * m2 / 2)
    return middle, right
