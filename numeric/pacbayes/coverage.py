"""Both sides of the PAC-Bayes bound of Lemma 2.3 over many data sets, and how often it is violated.

:func:`simulate_bound` evaluates ``E_G L_pop(W+G)`` and the ingredients of the
bound exactly (closed forms of :mod:`numeric.pacbayes.posterior`, no Monte Carlo
over ``G`` or ``Z``) on independent data sets; :func:`coverage_summary` counts
the violations with exact Clopper-Pearson bounds and reports the slack.
"""
from __future__ import annotations

import math

import numpy as np

from ..montecarlo import clopper_pearson
from ..validation import check_weights
from .bound import best_beta, bound_terms
from .inputs import draw_datasets
from .posterior import kl_divergence, posterior_empirical_loss, posterior_loss_moments
from .training import select_worst, train

__all__ = ["simulate_bound", "coverage_summary"]


def simulate_bound(wstar, depth, sigma, n, draws, delta=0.05, beta=1.0, weights=None, train_method=None,
                   Sigma=None, noise=0.5, inputs="gaussian", nu=5.0, seed=0, lr=0.05, steps=300,
                   init_scale=0.5, family=None, variant="lemma-2.3"):
    """Both sides of Lemma 2.3 on ``draws`` independent data sets of size ``n``.

    Either ``weights`` (L, d), fixed before the data, or ``train_method``:
    ``"gd"``/``"ssam"``, one W per data set learned on that data set by
    :func:`numeric.pacbayes.training.train` (S-SAM noise ``eta = sigma``), or
    ``"worst-of-family"``, the member of ``family`` (M, L, d) that is worst for
    the bound ``variant`` on that data set
    (:func:`numeric.pacbayes.training.select_worst`).  Returns a dict of per-draw
    arrays ``population`` (``E_G L_pop(W+G)``), ``empirical`` (``E_G L_emp(W+G)``),
    ``kl``, ``second_moment`` (``E_G E_Z l^2``) and the settings (plain
    numbers) for :func:`coverage_summary`.
    """
    if (weights is None) == (train_method is None):
        raise ValueError("give exactly one of weights (fixed W) and train_method ('gd', 'ssam' or "
                         "'worst-of-family')")
    X, Y = draw_datasets(draws, n, wstar, Sigma, noise, inputs, nu, seed)
    if weights is not None:
        W = check_weights(weights)
        if W.shape[0] != depth or W.shape[1] != X.shape[-1]:
            raise ValueError(f"weights must have shape ({depth}, {X.shape[-1]}) (depth, width), got {W.shape}")
    elif train_method == "worst-of-family":
        if family is None:
            raise ValueError("train_method 'worst-of-family' needs family (members, depth, width)")
        W = select_worst(X, Y, family, wstar, sigma, delta, beta, Sigma, noise, inputs, nu, variant)
    else:
        W = train(X, Y, depth, train_method, eta=sigma, lr=lr, steps=steps, init_scale=init_scale,
                  seed=np.random.SeedSequence([int(seed), 1]).generate_state(1)[0])
    population, second_moment = posterior_loss_moments(W, wstar, sigma, Sigma, noise, inputs, nu)
    K = X.shape[0]
    return {
        "population": np.broadcast_to(population, (K,)).astype(float),
        "empirical": posterior_empirical_loss(W, X, Y, sigma),
        "kl": np.broadcast_to(kl_divergence(W, sigma), (K,)).astype(float),
        "second_moment": np.broadcast_to(second_moment, (K,)).astype(float),
        "n": int(n), "draws": int(K), "delta": float(delta), "beta": float(beta), "sigma": float(sigma),
        "inputs": inputs, "nu": float(nu), "seed": int(seed),
        "weights": "fixed" if weights is not None else f"learned ({train_method})",
    }


def coverage_summary(sim, variant="lemma-2.3", alpha=1e-6, quantiles=(0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0),
                     shift=0.0):
    """Violation frequency of the bound ``variant`` (lowered by ``shift``) over the draws of :func:`simulate_bound`.

    Returns plain numbers: ``violations``, ``violation_rate``, exact one-sided
    Clopper-Pearson bounds at confidence ``1 - alpha`` (``violation_lower``,
    ``violation_upper``) and at 95 % (``violation_upper_95``), the quantiles of
    the slack ``bound - E_G L_pop`` and of the ratio ``(bound - emp) / (pop - emp)``
    where the gap is positive, medians of the bound and its terms, and the best
    beta in hindsight (:func:`numeric.pacbayes.bound.best_beta`) with the bound it
    would give (not a valid bound: beta must be chosen before the data).  ``shift > 0`` lowers the
    bound by a constant (negative controls at the boundary: a bound violated slightly more often).
    """
    shift = float(shift)
    if not np.isfinite(shift):
        raise ValueError(f"shift must be finite, got {shift}")
    terms = bound_terms(sim["empirical"], sim["kl"], sim["second_moment"], sim["n"], sim["delta"], sim["beta"],
                        variant)
    bound = terms["bound"] - shift
    population = sim["population"]
    violated = population > bound
    violations, draws = int(np.sum(violated)), int(violated.size)
    lower, upper = clopper_pearson(violations, draws, alpha)
    _, upper_95 = clopper_pearson(violations, draws, 0.05)
    slack = bound - population
    gap = population - sim["empirical"]
    beta_in_hindsight = best_beta(sim["kl"], sim["second_moment"], sim["delta"])
    bound_at_best_beta = sim["empirical"] + np.sqrt(2 * (sim["kl"] + math.log(1 / sim["delta"]))
                                                    * sim["second_moment"] / sim["n"])
    q = list(quantiles)
    return {
        "variant": variant, "shift": shift, "draws": draws, "violations": violations, "violation_rate": violations / draws,
        "alpha": alpha, "violation_lower": lower, "violation_upper": upper, "violation_upper_95": upper_95,
        "delta": sim["delta"], "beta": sim["beta"], "n": sim["n"],
        "bound_median": float(np.median(bound)), "population_loss_median": float(np.median(population)),
        "empirical_median": float(np.median(sim["empirical"])), "gap_median": float(np.median(gap)),
        "complexity_term_median": float(np.median(terms["complexity"])),
        "variance_term_median": float(np.median(terms["variance"])),
        "kl_median": float(np.median(sim["kl"])), "second_moment_median": float(np.median(sim["second_moment"])),
        "slack_quantiles": dict(zip([f"q{int(round(100 * p)):02d}" for p in q], np.quantile(slack, q).tolist())),
        "slack_ratio_median": float(np.median((bound - sim["empirical"])[gap > 0] / gap[gap > 0]))
        if np.any(gap > 0) else None,
        "best_beta_median": float(np.median(beta_in_hindsight)),
        "bound_at_best_beta_median": float(np.median(bound_at_best_beta)),
    }
