"""Notebook part beyond the paper: S-SAM's stationary spread at a constant step, and non-whitened data."""
from __future__ import annotations

NOTEBOOK = "11-beyond-stationary-nonwhitened"
TITLE = "Beyond the paper: S-SAM's stationary spread, and the landscape on non-whitened data"


def cells() -> list:
    """The cells of the notebook, in order: ``[("markdown" | "code", source), ...]``."""
    return [
        ("markdown", r"""
Two open questions of the paper's outlook (Section 5), made checkable: claims `ssam-stationary` and
`nonwhitened-landscape`. Every number below is computed by the suite."""),
        ("code", r"""
import mpmath
import numpy as np
import sympy as sp

from checks.beyond import ssam_stationary as stationary_claim
from derivations import nonwhitened as nonwhitened_derivation
from derivations import stationary as stationary_derivation
from numeric import nonwhitened, stationary
from ssam_verify.notebook_parts.display import show_claims, show_formula, show_formulas, show_table, show_values"""),
        ("markdown", r"""
## S-SAM with a constant step settles into a stationary spread
Linearize one step at a minimum $W^\circ$: $\delta' = \delta - \alpha(g_0 + J\delta)$. The noise moments
$Q = \mathrm{Cov}\,g_0$, $H = \mathbb{E} J$ and $\mathbb{E}[J\otimes J]$ are exact (Gaussian moments per coordinate,
checked against Gauss-Hermite quadrature). For $L = 2$ at the balanced minimum $a^2 = w^* - \eta^2$, with
$\mu_4 = \mathbb{E}x^4$ the fourth moment of the input, the curvatures $\lambda$, the noise variances $q$ and the
stationary variances $s$ along the balanced ($b$) and the imbalance ($i$) direction are:"""),
        ("code", r"""
spread = stationary_derivation.two_layer_spread()
symbols = {"lambda_b": "$\\lambda_b$", "lambda_i": "$\\lambda_i$", "q_b": "$q_b$", "q_i": "$q_i$", "s_b": "$s_b$",
           "s_i": "$s_i$"}
show_formulas([(label, spread[name]) for name, label in symbols.items()], headers=("quantity", "derived"))"""),
        ("markdown", r"""
The imbalance $D = W_{l+1}^2 - W_l^2$ drifts toward balance at GD's rate, up to an $\alpha^2$ noise term, exactly
(a polynomial identity for every $W$, here $L = 3$):"""),
        ("code", r"""
drift = stationary_derivation.balance_drift_identity(3)
compact = next(expr for claim, eq, name, expr in stationary_derivation.formulas() if name.startswith("one-step drift"))
show_formula(compact, "one S-SAM step")
show_values({"expected imbalance after the step minus the right side, expanded": sp.simplify(drift["difference"])})"""),
        ("markdown", r"""
Independent S-SAM runs (one deviation per run after the burn-in) against the discrete Lyapunov prediction
$S = ASA^\top + \alpha^2 Q$ and the mean-square one (multiplicative noise kept), along the principal axes of each
prediction: 1 is exact. At $\alpha = 0.04$, a sixth of the mean-square stability threshold, the linearization
starts to break down along the imbalance axis (the claim reports the step where it does)."""),
        ("code", r"""
W, X, Y, eta = stationary_claim.instance()
moments = stationary.noise_moments(W, X, Y, eta)
rows = []
for alpha in (0.01, 0.02, 0.04):
    burn_in = stationary.burn_in_steps(moments, alpha, 3e-3)
    deviations = stationary.stationary_deviations(W, X, Y, eta, alpha, 20000, burn_in, seed=1)
    for multiplicative in (False, True):
        S = stationary.stationary_second_moment(moments, alpha, multiplicative)
        estimate, se, _ = stationary.whitened_second_moments(deviations, S)
        rows.append([alpha, "mean-square" if multiplicative else "discrete Lyapunov", estimate[0], se[0],
                     estimate[2], se[2]])
show_table(rows, ["step $\\alpha$", "prediction", "axis 1: measured / predicted", "standard error",
                  "axis 3: measured / predicted", "standard error"], digits=4,
           caption=f"mean-square stability threshold of the linearization: "
                   f"{stationary.mean_square_stability_threshold(moments):.4g}")"""),
        ("markdown", r"""
## Non-whitened data: the threshold moves to an effective target
With input covariance $\Sigma$, $\mathbb{E}[L(W+G)] = (w^*-\pi)^\top\Sigma(w^*-\pi) + \sum_h \Sigma_{hh} R_h$; at a
balanced point the critical equation is the whitened shrinkage polynomial at the effective target
$m_h = w^*_h + \sum_{k\ne h} (\Sigma_{hk}/\Sigma_{hh})(w^*_k - \pi_k)$:"""),
        ("code", r"""
equation = nonwhitened_derivation.critical_equation(3)
show_formula(sp.Eq(sp.Symbol("m_1"), equation["effective_target"], evaluate=False), "effective target")
show_values({"critical equation minus the whitened polynomial at $m_1$": sp.cancel(equation["difference"])})"""),
        ("markdown", r"""
For $L = 2$ the minimizers' products solve a weighted lasso: with correlated inputs a coordinate below
$\tau_2 = \eta^2$ can be nonzero. A Newton search from 100 random starts at 40 digits, $\eta = 0.5$,
$w^* = (2, 0.2)$, $\Sigma = \begin{pmatrix} 2 & 0.7 \\ 0.7 & 1 \end{pmatrix}$:"""),
        ("code", r"""
Sigma = np.array([[mpmath.mpf(2), mpmath.mpf("0.7")], [mpmath.mpf("0.7"), mpmath.mpf(1)]], dtype=object)
points = nonwhitened.search_critical_points(2, mpmath.mpf("0.5"), [mpmath.mpf(2), mpmath.mpf("0.2")], Sigma,
                                            starts=100)
show_table([[p.kind] + [mpmath.nstr(x, 8) for x in p.W.ravel()] for p in points],
           ["kind", "$w_{11}$", "$w_{12}$", "$w_{21}$", "$w_{22}$"])"""),
        ("markdown", "## The claims, run by the suite (quick sizes)"),
        ("code", 'show_claims(["ssam-stationary", "nonwhitened-landscape"])'),
    ]
