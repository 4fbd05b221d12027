"""Expectations of polynomials in independent centred Gaussians, by moments.

For independent ``g_i ~ N(0, sigma_i^2)`` the expectation of a polynomial is
linear in its monomials and factorizes over variables, with
``E g^k = (k-1)!! sigma^k`` for even ``k`` and ``0`` for odd ``k``.  This is
exact, fast, and avoids ``sympy.stats`` (general, slow, with known failures on
products of random variables: SymPy issues #20756, #19952).
"""
from __future__ import annotations

import sympy as sp

__all__ = [
    "gaussian_moment",
    "gaussian_expectation",
    "gaussian_expectation_expanded",
    "whitened_expectation",
]


def gaussian_moment(k: int, sigma) -> sp.Expr:
    """``E g^k`` for ``g ~ N(0, sigma^2)``: ``(k-1)!! sigma^k`` if ``k`` is even, else 0."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    if k % 2:
        return sp.Integer(0)
    return sp.factorial2(k - 1) * sigma**k if k else sp.Integer(1)


def _sigma_of_each(noise, sigma):
    """``{noise variable: its sigma}`` from one sigma or one per variable."""
    noise = list(noise)
    sigmas = list(sigma) if isinstance(sigma, (list, tuple)) else [sigma] * len(noise)
    if len(sigmas) != len(noise):
        raise ValueError("sigma must be one value or one per noise variable")
    return dict(zip(noise, sigmas))


def gaussian_expectation_expanded(expr, noise, sigma) -> sp.Expr:
    """Reference implementation: expand fully, then replace each monomial by its moments.

    Exact but exponential in the number of factors; :func:`gaussian_expectation`
    gives the same result by exploiting independence.  Kept for cross-checks.
    """
    sigma_of = _sigma_of_each(noise, sigma)
    noise = list(sigma_of)
    poly = sp.Poly(sp.expand(expr), *noise)
    total = sp.Integer(0)
    for monom, coeff in poly.terms():
        factor = sp.Integer(1)
        for k, g in zip(monom, noise):
            factor *= gaussian_moment(k, sigma_of[g])
            if factor == 0:
                break
        if factor != 0:
            total += coeff * factor
    return sp.expand(total)


def _independent_groups(factors, noise_set):
    """Group product factors into classes that share noise variables (union-find).

    Returns ``[(noise variables of the group, factors of the group)]``.
    """
    groups: list[tuple[set, list]] = []
    for f in factors:
        merged_noise, merged_factors = set(f.free_symbols & noise_set), [f]
        kept = []
        for group_noise, group_factors in groups:
            if group_noise & merged_noise:
                merged_noise |= group_noise
                merged_factors += group_factors
            else:
                kept.append((group_noise, group_factors))
        groups = kept + [(merged_noise, merged_factors)]
    return groups


def gaussian_expectation(expr, noise, sigma) -> sp.Expr:
    """``E[expr]`` over independent ``noise`` variables, each ``N(0, sigma^2)``.

    ``expr`` must be a polynomial in the noise symbols (coefficients may be any
    expressions in other symbols); ``sigma`` is one expression or one per noise
    variable.  The operator is linear over sums and **factorizes over
    independent factors**: a product is split into groups of factors sharing no
    noise variable, ``E[prod_k f_k] = prod_k E[f_k]``; only a group that mixes
    several noise variables is expanded, one level at a time.  So
    ``E[prod_l (w_l + g_l)^2] = prod_l (w_l^2 + eta^2)`` costs ``O(L)``, not ``O(3^L)``.
    The result is not expanded (it keeps the product structure).
    """
    sigma_of = _sigma_of_each(noise, sigma)
    noise_set = set(sigma_of)

    def one_variable(e, g):
        poly = sp.Poly(sp.expand(e), g)
        return sp.Add(*[c * gaussian_moment(m[0], sigma_of[g]) for m, c in poly.terms()])

    def expectation(e):
        noise_in_e = e.free_symbols & noise_set
        if not noise_in_e:
            return e
        if len(noise_in_e) == 1:
            return one_variable(e, next(iter(noise_in_e)))
        if e.is_Add:
            return sp.Add(*[expectation(t) for t in e.args])
        if e.is_Mul:
            groups = _independent_groups(e.args, noise_set)
            if len(groups) > 1:
                return sp.Mul(*[expectation(sp.Mul(*group_factors)) for _, group_factors in groups])
        # one group mixing several noise variables: expand one level and recurse
        expanded = sp.expand(e, deep=False, mul=True, multinomial=True, power_exp=False,
                             power_base=False, log=False)
        if expanded == e:
            expanded = sp.expand(e)
            if expanded == e:  # a single monomial in several variables
                return (expectation(sp.Mul(*e.as_ordered_factors())) if e.is_Mul
                        else one_variable(e, next(iter(noise_in_e))))
        return expectation(expanded)

    return expectation(sp.sympify(expr))


def whitened_expectation(expr, inputs) -> sp.Expr:
    """Average over a whitened data set of an expression **quadratic** in the inputs.

    Whitening, ``(1/n) sum_i X_i X_i^T = I``, fixes exactly the second moments:
    ``x_h x_j -> delta_{hj}``.  Terms of degree other than 2 in the inputs are
    refused (their averages are not determined by whitening).
    """
    inputs = list(inputs)
    ones = {x: sp.Integer(1) for x in inputs}
    total = []
    for term in sp.Add.make_args(sp.expand(expr)):
        powers = term.as_powers_dict()
        degs = [int(powers.get(x, 0)) for x in inputs]
        deg = sum(degs)
        if deg == 0:
            total.append(term)
        elif deg != 2:
            raise ValueError("whitened_expectation needs an expression of degree 0 or 2 in the inputs")
        elif max(degs) == 2:
            total.append(term.xreplace(ones))
    return sp.Add(*total)
