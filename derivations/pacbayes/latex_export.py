"""The formulas of Lemma 2.3 for the LaTeX export and the notebooks (:func:`formulas`)."""
from __future__ import annotations

import sympy as sp

from .bound import best_beta, bound_from_event, pac_bayes_event
from .kl_divergence import kl_entry
from .loss_moments import student_t_fourth_moment_factor
from .symbols import R_pop, k4, lam, tau
from .tail_inequalities import mgf_bound

__all__ = ["formulas"]


def formulas() -> list:
    """The Lemma 2.3 formulas for LaTeX export: ``(claim id, equation, name, expression)``."""
    x = sp.Symbol("x", nonnegative=True)
    loss = sp.Symbol("ell", nonnegative=True)
    mu = sp.Symbol("mu", nonnegative=True)
    m2 = sp.Symbol("m_2", nonnegative=True)
    E = sp.Function("E")
    Q = sp.Symbol("Q", nonnegative=True)
    beta_star, bound_at_beta_star = best_beta()
    return [
        ("lemma-2.3", "", "lower tail of a nonnegative variable",
         sp.LessThan(sp.exp(-x), 1 - x + x**2 / 2, evaluate=False)),
        ("lemma-2.3", "", "sub-Gaussian lower tail, variance proxy the second moment",
         sp.LessThan(E(sp.exp(lam * (mu - loss))), mgf_bound(mu, m2)[1].subs(mu, 0), evaluate=False)),
        ("lemma-2.3", "", "Gaussian KL per weight", sp.Eq(sp.Symbol("KL_entry"), kl_entry(), evaluate=False)),
        ("lemma-2.3", "", "Corollary 17 event (constant lambda)", sp.LessThan(pac_bayes_event(), 0, evaluate=False)),
        ("lemma-2.3", "27", "divided by n lambda", sp.LessThan(R_pop, bound_from_event(lam), evaluate=False)),
        ("lemma-2.3", "", "the bound of Lemma 2.3, lambda = beta / sqrt(n)",
         sp.LessThan(R_pop, bound_from_event(), evaluate=False)),
        ("lemma-2.3", "", "best beta in hindsight", sp.Eq(sp.Symbol("beta^*"), beta_star, evaluate=False)),
        ("lemma-2.3", "", "bound at beta*", sp.Eq(sp.Symbol("B^*"), bound_at_beta_star, evaluate=False)),
        ("lemma-2.3", "", "second moment of the loss given u (Q = u^T Sigma u)",
         sp.Eq(sp.Symbol("E_Z ell^2"), k4 * Q**2 + 6 * tau**2 * Q + 3 * tau**4, evaluate=False)),
        ("lemma-2.3", "", "fourth-moment factor of multivariate t_nu inputs",
         sp.Eq(sp.Symbol("k_4"), student_t_fourth_moment_factor()[1], evaluate=False)),
    ]
