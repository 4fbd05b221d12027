"""Lemma F.1 (Appendix F): the fixed-endpoint secant scheme (regula falsi) for the shrinkage factors."""
from __future__ import annotations

import mpmath

__all__ = ["regula_falsi"]


def regula_falsi(phi, a, b, steps: int = 60, digits: int = 50, fixed: str = "b", tol=None):
    """Lemma F.1 (Appendix F): ``x_{k+1} = x_k - phi(x_k) (b - x_k) / (phi(b) - phi(x_k))``, ``x_0 = a``.

    For ``phi`` strictly increasing and strictly convex on ``[a, b]`` with
    ``phi(a) < 0 < phi(b)`` the iterates increase monotonically to the unique
    root.  Returns the list of iterates (mpf, ``digits`` + 10 guard digits).
    Stops after ``steps`` steps, at an exact root, or when a step is below
    ``tol`` (default ``10^-(digits+5)`` relative).
    ``fixed="a"`` keeps ``a`` fixed instead (``x_0 = b``): the variant the
    lemma does *not* cover, used as a negative control.
    Applied to ``f(lambda)`` (eq 13) on ``[lambda_c, 1]`` it gives the larger
    root; applied to ``x -> f(-x)`` on ``[-lambda_c, 0]`` the smaller one.
    """
    if fixed not in ("a", "b"):
        raise ValueError(f"fixed must be 'a' or 'b', got {fixed!r}")
    iterates = []
    with mpmath.workdps(digits + 10):
        a, b = mpmath.mpf(a), mpmath.mpf(b)
        tol = mpmath.mpf(10) ** (-(digits + 5)) if tol is None else mpmath.mpf(tol)
        fixed_end = b if fixed == "b" else a
        phi_at_fixed_end = phi(fixed_end)
        x = a if fixed == "b" else b
        iterates.append(x)
        for _ in range(steps):
            phi_x = phi(x)
            if phi_x == 0 or phi_at_fixed_end == phi_x:
                break
            next_x = x - phi_x * (fixed_end - x) / (phi_at_fixed_end - phi_x)
            converged = abs(next_x - x) <= tol * max(1, abs(x))
            x = next_x
            iterates.append(x)
            if converged or not mpmath.isfinite(x):
                break
    return iterates
