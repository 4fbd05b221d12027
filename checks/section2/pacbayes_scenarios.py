"""The coverage scenarios of Lemma 2.3 (the PAC-Bayes bound), simulated once per seed and mode.

Each scenario is a configuration of :func:`numeric.pacbayes.coverage.simulate_bound`
(how the weights are chosen, the input law, ``n``, ``beta``, ...) with its number
of independent data sets per mode.  :data:`POSITIVE_SCENARIOS` are those where
the stated bound must hold; :data:`CONTROLS` pairs each wrong variant of the
bound with the scenario where it must be violated significantly more often than ``delta``.
"""
from __future__ import annotations

import numpy as np

from numeric.pacbayes.coverage import simulate_bound

__all__ = ["COMMON_WSTAR", "COMMON_INPUT_COVARIANCE", "SCENARIOS", "POSITIVE_SCENARIOS", "CONTROLS", "scenario",
           "BOUNDARY_SCENARIO", "pilot_slack"]

# The common setting: depth 2, width 3, correlated inputs, noisy labels.
COMMON_WSTAR = (1.0, -0.5, 0.25)
COMMON_INPUT_COVARIANCE = ((1.0, 0.3, 0.1), (0.3, 1.5, 0.2), (0.1, 0.2, 0.8))
#: The family for the adversarial selection: 100 depth-2 weights of scale 0.3, drawn once (seed 2023).
_WEIGHT_FAMILY = 0.3 * np.random.default_rng(2023).standard_normal((100, 2, 3))
_COMMON_SETTINGS = dict(wstar=COMMON_WSTAR, depth=2, Sigma=COMMON_INPUT_COVARIANCE, noise=0.5, sigma=0.3,
                        delta=0.05, beta=1.0, n=50)

#: Configurations: name -> (settings for :func:`numeric.pacbayes.simulate_bound`, (default, quick, thorough) draws).
SCENARIOS = {
    # W fixed before the data: a near-balanced factorization of w*.
    "fixed-gaussian": (dict(_COMMON_SETTINGS, weights=((1.0, 0.7, 0.5), (1.0, -0.7, 0.5))), (4000, 1000, 20000)),
    "fixed-student-t": (dict(_COMMON_SETTINGS, weights=((1.0, 0.7, 0.5), (1.0, -0.7, 0.5)), inputs="student-t",
                             nu=5.0),
                        (4000, 1000, 20000)),
    # W = 0 (posterior = prior, KL = 0), n = 400, beta = 0.2: the configuration where dropping
    # log(1/delta) or using the rate 1/n (instead of 1/sqrt(n)) is violated often.
    "prior-gaussian": (dict(_COMMON_SETTINGS, weights=((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)), n=400, beta=0.2),
                       (2000, 600, 10000)),
    # W learned on the same data (the bound is uniform over posteriors).
    "gd-gaussian": (dict(_COMMON_SETTINGS, train_method="gd", lr=0.05, steps=300), (1000, 400, 5000)),
    "ssam-student-t": (dict(_COMMON_SETTINGS, train_method="ssam", lr=0.05, steps=300, inputs="student-t", nu=5.0),
                       (1000, 400, 5000)),
    # W chosen after seeing the data as the worst of 100 weights fixed in advance (adversarial selection):
    # "simultaneously for every W" must cover it.  Small beta = 0.2 and sigma = 0.3, weights of scale 0.3.
    "worst-of-family": (dict(_COMMON_SETTINGS, train_method="worst-of-family", beta=0.2, family=_WEIGHT_FAMILY),
                        (500, 300, 3000)),
    # Over-parametrized (d = 40 > n = 20), GD to near interpolation, small posterior noise: the
    # configuration where the bound without its KL term is violated most of the time.
    "overfit-gd": (dict(wstar=(0.15,) * 40, depth=2, Sigma=None, noise=0.5, sigma=0.05, delta=0.05, beta=1.0,
                        n=20, train_method="gd", lr=0.6, steps=200, init_scale=0.3), (300, 300, 1500)),
}

#: The scenarios where the stated bound must hold (all of them).
POSITIVE_SCENARIOS = ("fixed-gaussian", "fixed-student-t", "prior-gaussian", "gd-gaussian", "ssam-student-t",
                      "worst-of-family", "overfit-gd")

#: Negative controls: (variant, scenario where it must be violated significantly more often than delta).
CONTROLS = (("no-kl", "overfit-gd"), ("no-log-delta", "prior-gaussian"), ("rate-n", "prior-gaussian"))

#: The scenario of the coverage controls at the boundary (a bound lowered to be violated slightly more
#: often than the check resolves, and a near-miss violated slightly less often than delta).
BOUNDARY_SCENARIO = "fixed-gaussian"

_SIMULATIONS: dict = {}


def _simulation_arguments(settings: dict) -> dict:
    """The settings of a scenario as arguments of :func:`numeric.pacbayes.coverage.simulate_bound` (arrays)."""
    arguments = dict(settings)
    for name in ("wstar", "weights", "Sigma"):
        if arguments.get(name) is not None:
            arguments[name] = np.array(arguments[name], dtype=float)
    return arguments


def scenario(name: str, ctx) -> dict:
    """Run (once per seed and mode) the scenario ``name`` of :data:`SCENARIOS`; returns the simulation."""
    settings, (default, quick, thorough) = SCENARIOS[name]
    draws = ctx.size(default, quick=quick, thorough=thorough)
    seed = ctx.seed_for(f"lemma-2.3/{name}")
    key = (name, draws, seed)
    if key not in _SIMULATIONS:
        arguments = _simulation_arguments(settings)
        if len(_SIMULATIONS) > 16:
            _SIMULATIONS.clear()
        _SIMULATIONS[key] = simulate_bound(draws=draws, seed=seed, **arguments)
    return _SIMULATIONS[key]


def pilot_slack(name: str, ctx) -> np.ndarray:
    """Sorted slack ``bound - E_G L_pop`` of the stated bound on an independent pilot run of scenario ``name``.

    Same configuration, its own seed and ten times the draws of the run's scenario: the
    boundary controls take the shift that makes the bound violated at a chosen rate from here,
    so that rate is estimated independently of the draws that test it.
    """
    from numeric.pacbayes.bound import bound_terms

    settings, (default, quick, thorough) = SCENARIOS[name]
    draws = 10 * ctx.size(default, quick=quick, thorough=thorough)
    pilot_ctx_seed = ctx.seed_for(f"lemma-2.3/pilot/{name}")
    key = ("pilot", name, draws, pilot_ctx_seed)
    if key not in _SIMULATIONS:
        arguments = _simulation_arguments(settings)
        sim = simulate_bound(draws=draws, seed=pilot_ctx_seed, **arguments)
        terms = bound_terms(sim["empirical"], sim["kl"], sim["second_moment"], sim["n"], sim["delta"], sim["beta"])
        _SIMULATIONS[key] = np.sort(terms["bound"] - sim["population"])
    return _SIMULATIONS[key]
