"""The numeric PAC-Bayes bound of Lemma 2.3 against the derived one, at exact rational points.

:func:`check_bound_formula` evaluates a candidate ``bound_terms`` (normally
:func:`numeric.pacbayes.bound.bound_terms`) on the rational points
:data:`BOUND_SETTINGS` x :data:`BOUND_ROWS` and compares its ``bound``,
``complexity`` and ``variance`` with :func:`derivations.pacbayes.bound.bound_variant`
substituted with the exact rationals and evaluated at 50 digits; so the formula
the coverage check uses is the derived one.  :data:`WRONG_BOUNDS` are wrong
numeric bounds it must reject (the negative controls of the ``bound-formula`` evidence).
"""
from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from derivations.pacbayes import bound as derived_bound
from derivations.pacbayes import symbols as bound_symbols
from numeric.pacbayes import bound as numeric_bound

__all__ = ["BOUND_SETTINGS", "BOUND_ROWS", "check_bound_formula", "WRONG_BOUNDS"]

_R = sp.Rational
#: Rational points of the bound-formula check: settings ``(n, delta, beta)`` (scalars of
#: :func:`numeric.pacbayes.bound_terms`) times rows ``(E_G L_emp, KL, E_G E_Z l^2)`` (passed as arrays).
#: KL > 0 and M_2 > 0 everywhere, so every term of every variant is nonzero and the variants differ.
BOUND_SETTINGS = ((50, _R(1, 20), _R(1)), (400, _R(1, 1000), _R(1, 5)), (7, _R(1, 3), _R(7, 3)),
                  (20, _R(1, 20), _R(13, 10)))
BOUND_ROWS = ((_R(3, 10), _R(5, 2), _R(17, 4)), (_R(0), _R(1, 7), _R(1, 100)), (_R(41, 3), _R(250), _R(3, 8)),
              (_R(9, 8), _R(1, 1000), _R(120)))


def _bound_exact(reference: str, dps: int) -> tuple:
    """The derived terms of ``reference`` at every point of :data:`BOUND_SETTINGS` x :data:`BOUND_ROWS`.

    The derived bound ``B`` is split into ``variance = B - B|_{M_2=0}`` (the part
    proportional to ``M_2``) and ``complexity = B|_{M_2=0} - R_emp``.
    The exact rationals are substituted into the SymPy terms and evaluated with
    mpmath at ``dps`` digits (``mpmath.workdps``, local); returns a tuple (one
    per point) of dicts term -> ``mpmath.mpf``.  Cached by the derived
    expression itself, so a changed derivation is always re-evaluated.
    """
    return _bound_exact_of(derived_bound.bound_variant(reference), dps)


@lru_cache(maxsize=16)
def _bound_exact_of(bound: sp.Expr, dps: int) -> tuple:
    M2, R_emp = bound_symbols.M2, bound_symbols.R_emp
    variance = sp.expand(bound - bound.subs(M2, 0))
    terms = {"bound": bound, "complexity": sp.expand(bound.subs(M2, 0) - R_emp), "variance": variance}
    arguments = (R_emp, bound_symbols.KL, M2, bound_symbols.n, bound_symbols.delta, bound_symbols.beta)
    term_functions = {term: sp.lambdify(arguments, expr, modules="mpmath") for term, expr in terms.items()}
    out = []
    with mpmath.workdps(dps):
        for n_value, delta_value, beta_value in BOUND_SETTINGS:
            for row in BOUND_ROWS:
                values = [mpmath.mpf(q.p) / q.q for q in (*row, sp.Integer(n_value), delta_value, beta_value)]
                out.append({term: +function(*values) for term, function in term_functions.items()})
    return tuple(out)


def check_bound_formula(bound_terms, variant="lemma-2.3", reference=None, tol=1e-12, dps=50) -> tuple[bool, dict]:
    """Compare a numeric bound ``bound_terms(emp, kl, m2, n, delta, beta, variant)`` with the derivation.

    The candidate (normally :func:`numeric.pacbayes.bound_terms`) is evaluated on
    :data:`BOUND_ROWS` (as arrays) for each of :data:`BOUND_SETTINGS`; its
    ``bound``, ``complexity`` and ``variance`` are compared with
    :func:`derivations.pacbayes.bound_variant` ``(reference or variant)``
    substituted with the exact rationals and evaluated to ``dps`` digits.
    Passes iff the largest relative error is ``<= tol`` (float64 inputs and
    arithmetic give ~1e-16; a wrong constant, term or rate gives >= 1e-3 here).
    """
    reference = variant if reference is None else reference
    exact_points = iter(_bound_exact(reference, dps))
    rows, worst = [], 0.0
    for n_value, delta_value, beta_value in BOUND_SETTINGS:
        columns = [np.array([float(r[i]) for r in BOUND_ROWS]) for i in range(3)]
        got = bound_terms(columns[0], columns[1], columns[2], n_value, float(delta_value), float(beta_value),
                          variant)
        for j, (emp, kl, m2) in enumerate(BOUND_ROWS):
            exact = next(exact_points)
            errors = {}
            with mpmath.workdps(dps):
                for term, exact_value in exact.items():
                    value = float(np.broadcast_to(np.asarray(got[term], dtype=float), (len(BOUND_ROWS),))[j])
                    if exact_value != 0:
                        errors[term] = float(abs(mpmath.mpf(value) - exact_value) / abs(exact_value))
                    else:
                        errors[term] = 0.0 if value == 0 else float("inf")
            worst = max(worst, *errors.values())
            rows.append({"n": n_value, "delta": str(delta_value), "beta": str(beta_value), "emp": str(emp),
                         "kl": str(kl), "m2": str(m2), "bound_exact": float(exact["bound"]),
                         "relative_errors": errors})
    return bool(worst <= tol), {"variant": variant, "reference": f"derivations.pacbayes.bound_variant({reference!r}) "
                                f"at {dps} digits", "tolerance_relative": tol, "max_relative_error": worst,
                                "points": rows}


def _with_recombined_bound(terms, emp):
    terms["bound"] = np.asarray(emp, dtype=float) + terms["complexity"] + terms["variance"]
    return terms


def _scaled_terms(complexity=1.0, variance=1.0):
    """A wrong numeric bound: :func:`numeric.pacbayes.bound_terms` with its terms multiplied by constants."""
    def candidate(emp, kl, m2, n, delta, beta, variant="lemma-2.3"):
        terms = dict(numeric_bound.bound_terms(emp, kl, m2, n, delta, beta, variant))
        terms["complexity"] = complexity * terms["complexity"]
        terms["variance"] = variance * terms["variance"]
        return _with_recombined_bound(terms, emp)
    return candidate


def _renamed(actual):
    """A wrong numeric bound: the numeric formula of variant ``actual`` answered under any variant name."""
    def candidate(emp, kl, m2, n, delta, beta, variant="lemma-2.3"):
        return numeric_bound.bound_terms(emp, kl, m2, n, delta, beta, actual)
    return candidate


#: Wrong numeric bounds that :func:`check_bound_formula` must reject against the stated bound.
WRONG_BOUNDS = {
    "numeric bound: complexity term x 1.1": _scaled_terms(complexity=1.1),
    "numeric bound: variance term dropped": _scaled_terms(variance=0.0),
    "numeric bound: complexity x 3, variance x 2 (the audit's mutation)": _scaled_terms(3.0, 2.0),
    "numeric bound: rate n instead of sqrt(n) (rate-n formula)": _renamed("rate-n"),
    "numeric bound: KL term dropped (no-kl formula)": _renamed("no-kl"),
}
