r"""Notebook part: Mulayoff & Michaeli (seed 004), Theorems 1, 2, 4, 6 and Corollary 1.

A derivation a reader follows: the mean of linearized SGD follows GD whatever the batch size (Theorem 1, the
boundary found by bisection against $2/\lambda_{\max}$); Ma & Ying's PSD criterion equals the exact threshold
$\alpha^*$ and where its necessary conditions are loose (Theorem 2); the linear growth of the second moment at
$\alpha^*$ at a regular minimum (Theorem 4); the limits of Corollary 1 and their pole at $\alpha^*$; the
dominant, PSD top eigenvector of a symmetric Kronecker system and the negative weight that breaks
dominance (Theorem 6); and the claims.
"""
from __future__ import annotations

NOTEBOOK = "09-mulayoff-michaeli"
TITLE = "Mulayoff & Michaeli: the mean, Ma & Ying's criterion, regular minima, covariance limits, Kronecker systems"

CLAIMS = ["mm-theorem-1", "mm-theorem-2", "mm-theorem-4", "mm-corollary-1", "mm-theorem-6"]


def cells() -> list:
    """The cells of the notebook, in order: ``[("markdown" | "code", source), ...]``."""
    return [
        ("markdown", r"""
Claims """ + ", ".join(f"`{c}`" for c in CLAIMS) + r""" (Theorem 3, the exact threshold $\alpha^*$, is the
claim `sgd-stability`). Near a minimum $\theta^*$ with per-sample Hessians $H_i$ (PSD), mean Hessian
$H = \frac1n \sum_i H_i$ and per-sample gradients $g_i$ with $\sum_i g_i = 0$, linearized SGD with batches $B_t$ of
$B$ of the $n$ samples, drawn without replacement, is
$$\theta_{t+1} - \theta^* = (I - \alpha H_{B_t})(\theta_t - \theta^*) - \alpha\, g_{B_t},$$
and the batch noise enters through $p = \frac{n - B}{B (n - 1)}$. The seed lost its formulas: each claim module
states the reconstructed version it verifies. The instance: a regular minimum with $n = 6$, $d = 3$, the null
direction $e_3$ of $H$ and gradients with a component along it; batches of $B = 2$."""),
        ("code", r"""
import numpy as np

from checks.mulayoff_michaeli.instances import interpolating_cases, regular_minimum
from derivations import sgd_moments
from numeric import kronecker_systems, linearized_sgd as lsgd, ma_ying_criterion as criterion
from numeric.stability import closed_form
from ssam_verify.notebook_parts.display import show_claims, show_formulas, show_table

prob, grads, theta0 = regular_minimum(0)
B = 2
alpha_star = closed_form.threshold(prob, B).threshold
alpha_gd = 2 / np.linalg.eigvalsh(prob.mean_hessian()).max()
show_table([["exact mean-square threshold $\\alpha^*$ (Theorem 3, $B = 2$)", alpha_star],
            ["$2 / \\lambda_{\\max}(H)$", alpha_gd]], ["quantity", "value"])"""),
        ("markdown", r"""
## Theorem 1: the mean follows GD, whatever the batch size
Since $\mathbb{E}[H_B] = H$ and $\mathbb{E}[g_B] = 0$, the mean $\mu_t = \mathbb{E}[\theta_t - \theta^*]$ obeys
$\mu_{t+1} = (I - \alpha H)\mu_t$. Per eigenvalue $\lambda > 0$ of $H$, SymPy solves $|1 - \alpha\lambda| \le 1$
(bounded) and $< 1$ (convergent):"""),
        ("code", r"""
bounded, convergent = sgd_moments.mean_stability_interval()
show_formulas([("bounded: $\\vert 1 - \\alpha\\lambda\\vert \\le 1$", bounded),
               ("convergent: $\\vert 1 - \\alpha\\lambda\\vert < 1$", convergent)],
              headers=("", "set of $\\alpha \\ge 0$"))"""),
        ("markdown", r"""
Independently of that formula, the boundary of the mean map $\mathbb{E}[I - \alpha H_b]$ (all batches
enumerated) is found by bisection on its spectral radius (Gelfand's formula, no eigenvalues), for three batch
sizes; it is $2/\lambda_{\max}(H)$ each time:"""),
        ("code", r"""
rows = []
for b in (1, 2, prob.n):
    found = lsgd.stability_boundary(lambda a: lsgd.log_spectral_radius(lsgd.mean_step_matrix(prob, b, a)) <= 1e-12)
    rows.append([b, found, found / alpha_gd - 1])
show_table(rows, ["batch size $B$", "boundary found", "relative difference to $2/\\lambda_{\\max}(H)$"])"""),
        ("markdown", r"""
## Theorem 2: Ma & Ying's PSD criterion equals $\alpha^*$; where its necessary conditions are loose
At an interpolating minimum ($g_i = 0$) the second moment stays bounded iff
$\langle S, C S\rangle \le \|S\|_F^2$ for every PSD $S$, with
$C = \mathbb{E}[(I - \alpha H_B) \otimes (I - \alpha H_B)]$ (eq 11). Each PSD $S$ allows exactly the steps
$$\alpha \le \alpha(S) = \frac{2 \operatorname{tr}(S H S)}{(1 - p) \operatorname{tr}((H S)^2) + \frac{p}{n}
\sum_i \operatorname{tr}((H_i S)^2)},$$
so the criterion's threshold is $\alpha_{\mathrm{MY}} = \inf_{S \succeq 0} \alpha(S)$, found below by a power
iteration that never leaves the PSD cone, and every fixed $S$ gives a necessary condition: $2/\lambda_{\max}(H)$,
$S = v v^\top$ with $v$ a top eigenvector of $H$ (eq 15), $S = I$ (eq 16) and the best rank-one $S$ (eq 25). Each
is at least $\alpha^*$ ($B = 1$); a ratio above 1 marks a loose condition:"""),
        ("code", r"""
rows = []
for name, case in interpolating_cases(0):
    exact = closed_form.threshold(case, 1).threshold
    found, _, _ = criterion.psd_constrained_threshold(case, 1)
    bounds = criterion.necessary_thresholds(case, 1)
    rows.append([name, found / exact - 1] + [bounds[k] / exact for k in ("gd", "top_eigenvector", "trace", "rank_one")])
show_table(rows, ["minimum", "$\\alpha_{\\mathrm{MY}} / \\alpha^* - 1$", "$2/\\lambda_{\\max}(H)$, $/ \\alpha^*$",
                  "eq 15 $/ \\alpha^*$", "eq 16 $/ \\alpha^*$", "eq 25 $/ \\alpha^*$"], digits=4)"""),
        ("markdown", r"""
## Theorem 4: at $\alpha^*$ the extra noise term makes the second moment grow linearly
At a regular minimum the recursion for $(\mu_t, S_t = \mathbb{E}[\Delta_t \Delta_t^\top])$,
$\Delta_t = \theta_t - \theta^*$, is linear (one matrix on $(\mu, \operatorname{vec} S, 1)$) and carries the extra
noise term $\alpha^2 p\, G$ with $G = \frac1n \sum_i g_i g_i^\top$. With $\Sigma^*$ the PSD top eigenvector of
Theorem 3, at $\alpha = \alpha^*$ the component $\langle \Sigma^*, S_t\rangle$ grows by
$\alpha^{*2} p \langle \Sigma^*, G\rangle$ per step. The slope measured between $t = 4096$ and $t = 8192$ against
that prediction:"""),
        ("code", r"""
result = closed_form.threshold(prob, B)
Z = lsgd.regular_transition_matrix(prob, grads, B, result.threshold)
d = prob.d
z0 = np.concatenate([theta0, np.outer(theta0, theta0).ravel(), [1.0]])


def second_moment(t):
    return (np.linalg.matrix_power(Z, t) @ z0)[d:d + d * d].reshape(d, d)


G, p = grads.T @ grads / prob.n, (prob.n - B) / (B * (prob.n - 1))
measured = np.sum(result.sigma * (second_moment(8192) - second_moment(4096))) / 4096
predicted = result.threshold ** 2 * p * np.sum(result.sigma * G)
show_table([["measured slope of $\\langle \\Sigma^*, S_t\\rangle$", measured],
            ["predicted $\\alpha^{*2} p \\langle \\Sigma^*, G\\rangle$", predicted],
            ["relative difference", measured / predicted - 1]], ["quantity", "value"])"""),
        ("markdown", r"""
## Corollary 1: the limits grow with the step size and blow up at $\alpha^*$
For $\alpha < \alpha^*$ the range part of the second moment converges to a limit $\Sigma$ (Theorem 5), and the
limits of the distance $\mathbb{E}\|P\Delta_t\|^2$, the excess of the quadratic loss and the squared gradient norm
are $\operatorname{tr}\Sigma$, $\operatorname{tr}(H\Sigma)/2$ and $\operatorname{tr}(H^2\Sigma)$. Each increases
in $\alpha$ and has a simple pole at $\alpha^*$, so $(1 - \alpha/\alpha^*)$ times it levels off:"""),
        ("code", r"""
rows = []
for fraction in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999):
    Sigma = closed_form.regular_limit_covariance(prob, grads, B, fraction * alpha_star)
    limits = lsgd.taylor_limits(prob, Sigma)
    rows.append([fraction, limits["distance"], limits["loss"], limits["gradient"], (1 - fraction) * limits["distance"]])
show_table(rows, ["$\\alpha / \\alpha^*$", "$\\operatorname{tr}\\Sigma$", "$\\operatorname{tr}(H\\Sigma)/2$",
                  "$\\operatorname{tr}(H^2\\Sigma)$",
                  "$(1 - \\alpha/\\alpha^*) \\operatorname{tr}\\Sigma$"], digits=5)"""),
        ("markdown", r"""
## Theorem 6: symmetric Kronecker systems
For symmetric $A_k$ and weights $w_k \ge 0$, $M = \sum_k w_k A_k \otimes A_k$ (eq 23) has a dominant top
eigenvalue, $\lambda_{\max}(M) = \rho(M)$, with a PSD top eigenvector. For $A_1 = \mathrm{diag}(1, -1)$,
$A_2 = I$, the weight $w_2 = 0$ is the tie $\lambda_{\min}(M) = -\lambda_{\max}(M)$. A negative weight breaks
dominance: the margin $(\lambda_{\max} + \lambda_{\min}) / \rho$ turns negative, so $\rho(M) = -\lambda_{\min}$
exceeds $\lambda_{\max}$ (here a PSD top eigenvector still exists: the gap of the certificate, the shortfall of
the best PSD Rayleigh quotient below $\lambda_{\max}$ relative to $\rho$, stays 0). The near miss $+0.05$ keeps
the margin positive:"""),
        ("code", r"""
reflection = np.diag([1.0, -1.0])
rows = []
for weight in (0.05, 0.0, -0.05):
    M = kronecker_systems.kronecker_square_sum([reflection, np.eye(2)], [1.0, weight])
    certificate = kronecker_systems.psd_top_certificate(M, 2)
    rows.append([weight] + [certificate[k] for k in ("lambda_max", "lambda_min", "dominance_margin", "psd_gap")])
show_table(rows, ["weight $w_2$", "$\\lambda_{\\max}(M)$", "$\\lambda_{\\min}(M)$", "dominance margin",
                  "gap of the PSD certificate"], digits=4)"""),
        ("markdown", "## The claims, run by the suite (quick sizes)"),
        ("code", f"show_claims({CLAIMS!r})"),
    ]
