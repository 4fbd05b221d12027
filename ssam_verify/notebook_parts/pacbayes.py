"""Notebook part: Lemma 2.3, the PAC-Bayes generalization bound (Appendix A.3).

Reconstructs the lost inequality from its proof, derives every step live
(:mod:`derivations.pacbayes`), checks the closed-form moments of the loss
against exact rationals and sampling, measures the coverage of the bound over
many independent data sets for fixed and learned weights (:mod:`numeric.pacbayes`),
shows the negative controls being rejected, and plots the slack.
"""
from __future__ import annotations

NOTEBOOK = "05-pacbayes"
TITLE = "Lemma 2.3: the PAC-Bayes bound, derived and measured"


def cells() -> list:
    """The notebook's cells, ``[("markdown" | "code", source)]``."""
    return [
        ("markdown", r"""
Lemma 2.3 bounds the population loss of the noisy (posterior-averaged) network by its empirical loss,
the average sharpness and the parameter norm. Its formula was lost in extraction; the proof (Appendix A.3)
applies Corollary 17 of Chugg, Wang & Ramdas (2023) with prior $N(0,\sigma^2)$ and posterior
$N(W,\sigma^2)$ for every weight. The reconstructed statement, confirmed step by step below: for
$\beta>0$, $\sigma>0$ fixed before the data, with probability $\ge 1-\delta$ over $n$ i.i.d. samples,
**simultaneously for every** (possibly data-dependent) $W$,

$$\mathbb{E}_G L_{pop}(W+G) \le \mathbb{E}_G L_{emp}(W+G) + \frac{KL + \log(1/\delta)}{\beta\sqrt n}
 + \frac{\beta}{2\sqrt n}\,\mathbb{E}_G\mathbb{E}_Z\big[\ell(W+G;Z)^2\big],\qquad
 KL = \sum_l \frac{\|W_l\|_F^2}{2\sigma^2}.$$

For the diagonal network on whitened data the first term is $L(W) + S_{avg}(W)$ (Lemma 2.2)."""),
        ("code", r"""
import numpy as np
import sympy as sp

from derivations import pacbayes as dp
from numeric import pacbayes as pb
from checks.section2 import lemma_2_3, pacbayes_scenarios
from checks.framework import RunContext
from ssam_verify.notebook_parts.display import (show_claim, show_figure, show_formula, show_formulas, show_table,
                                                show_values)

show_formulas([(name, expr) for cid, eq, name, expr in dp.formulas()],
              headers=("step of the proof", "derived formula"))"""),
        ("markdown", r"""
## Step 1: the lower tail of a nonnegative loss is sub-Gaussian with proxy $\mathbb{E}\ell^2$
$f(x) = 1 - x + x^2/2 - e^{-x}$ has $f(0)=f'(0)=f''(0)=0$ and $f'''=e^{-x}>0$, so
$f(x) = \int_0^x\!\int_0^r\!\int_0^q e^{-t}\,dt\,dq\,dr \ge 0$ for $x\ge0$. With $1+y\le e^y$:
$\mathbb{E}e^{\lambda(\mu-\ell)} \le e^{\lambda\mu}(1-\lambda\mu+\lambda^2\mathbb{E}\ell^2/2) \le e^{\lambda^2\mathbb{E}\ell^2/2}$.
The proxy is the **second moment**, not the variance, and it is the **population** one: it is the
deterministic compensator of the supermartingale $\exp(\lambda\sum_i(\mu-\ell_i) - n\lambda^2\mathbb{E}\ell^2/2)$."""),
        ("code", r"""
lt = dp.lower_tail_inequality()
show_values({**{f"${k}$": lt[k] for k in ("f(0)", "f'(0)", "f''(0)", "f'''")},
             "$e^{-x} \\le 1 - x + x^2/2$ for $x \\ge 0$": lt["proved"],
             "$1 + y \\le e^y$": dp.one_plus_y_le_exp()["proved"]})
middle, right = dp.mgf_bound()
show_formula(sp.LessThan(middle, right, evaluate=False), "$\\mathbb{E}\\, e^{\\lambda(\\mu - \\ell)} \\le$ middle $\\le$ right")"""),
        ("markdown", r"""
## Steps 2-5: mixture over the prior, Markov, Donsker-Varadhan, Gaussian KL, $\lambda=\beta/\sqrt n$
The Markov event concerns only the prior mixture, so on it the Donsker-Varadhan inequality holds for
every posterior at once: that is why the bound is uniform in $W$, and why $\beta$, $\sigma$ and the
prior must not depend on the data. The KL of two Gaussians with equal variance is derived twice."""),
        ("code", r"""
w, s = sp.Symbol("w", real=True), sp.Symbol("sigma", positive=True)
show_formula(dp.kl_entry(w, s), "KL per weight, by Gaussian moments")
show_formula(dp.kl_entry_by_integration(w, s), "KL per weight, by integration")
show_formula(sp.LessThan(dp.pac_bayes_event(), 0, evaluate=False), "the event of probability >= 1 - delta")
bound = dp.bound_from_event()
show_formula(sp.LessThan(dp.R_pop, bound, evaluate=False), "solved for R_pop at lambda = beta/sqrt(n)")
show_values({"equals the stated bound": sp.simplify(bound - dp.bound_variant()) == 0})
bstar, bmin = dp.best_beta()
show_formula(sp.Eq(sp.Symbol("beta^*"), bstar, evaluate=False), "best $\\beta$, with $D = \\mathrm{KL} + \\log(1/\\delta)$")
show_formula(sp.Eq(sp.Symbol("B^*"), bmin, evaluate=False), "bound at beta* (only valid if beta* were fixed in advance)")"""),
        ("markdown", r"""
## The moments of the loss in closed form
For $u = w^* - P$ ($P$ the end-to-end vector) and inputs with $\mathbb{E}XX^\top=\Sigma$:
$\mathbb{E}_Z\ell = u^\top\Sigma u + \tau^2$ and $\mathbb{E}_Z\ell^2 = k_4 Q^2 + 6\tau^2 Q + 3\tau^4$,
$Q = u^\top\Sigma u$, with $k_4 = 3$ (Gaussian) or $3(\nu-2)/(\nu-4)$ (multivariate $t_\nu$); then
$\mathbb{E}_G$ by fourth Gaussian moments of the products."""),
        ("code", r"""
u, first, second = dp.loss_moments_given_u(2)
show_formula(first, "$\\mathbb{E}_Z \\ell$, $d = 2$")
show_formula(sp.factor_terms(second), "$\\mathbb{E}_Z \\ell^2$, $d = 2$")
nu, k4 = dp.student_t_fourth_moment_factor()
show_formula(sp.Eq(sp.Symbol("k_4"), k4, evaluate=False), "multivariate t_nu")
sym, pop, m2 = dp.diagonal_posterior_moments(2, 1)
show_formula(sp.factor_terms(pop), "E_G L_pop, diagonal L = 2, d = 1")
lhs, rhs = dp.whitened_empirical_posterior_loss(2, 2)
show_values({"whitened data: $\\mathbb{E}_G L_{emp}(W+G) = L(W) + S_{avg}(W)$": sp.expand(lhs - rhs) == 0})"""),
        ("code", r"""
R = sp.Rational
W = [[R(1, 2), R(-1, 3), 1], [R(3, 4), R(1, 5), -2], [1, 1, R(1, 2)]]
ws = [1, R(-1, 2), R(1, 4)]
S = [[1, R(3, 10), R(1, 10)], [R(3, 10), R(3, 2), R(1, 5)], [R(1, 10), R(1, 5), R(4, 5)]]
_, pop_x, m2_x = dp.diagonal_posterior_moments(3, 3, W, ws, R(2, 5), S, 3, R(1, 2))
f = lambda M: np.array(M, dtype=float)
pop_n, m2_n = pb.posterior_loss_moments(f(W), f(ws), 0.4, f(S), 0.5, "gaussian")
show_table([["exact (rational)", pop_x, m2_x],
            ["numeric (float64)", pop_n, m2_n],
            ["relative error", abs(pop_n / float(pop_x) - 1), abs(m2_n / float(m2_x) - 1)]],
           ["", "$\\mathbb{E}_G L_{pop}(W+G)$", "$\\mathbb{E}_G \\mathbb{E}_Z \\ell^2$"])"""),
        ("markdown", r"""
## Coverage over independent data sets
Each scenario draws many data sets, evaluates both sides exactly (closed forms, no Monte Carlo over
$G$ or $Z$) and counts violations; the exact Clopper-Pearson upper bound (confidence $1-10^{-6}$)
must be $\le\delta$. Learned $W$ (GD or S-SAM on the same data) must be covered too, and so must the
adversarial choice "for each data set, the worst of 100 weights fixed in advance" (worst-of-family)."""),
        ("code", r"""
ctx = RunContext(seed=0, quick=True)
keys = ("draws", "violations", "violation_upper", "gap_median", "bound_median", "slack_ratio_median",
        "best_beta_median", "bound_at_best_beta_median")
rows = []
for name in ("fixed-gaussian", "fixed-student-t", "gd-gaussian", "ssam-student-t", "worst-of-family", "overfit-gd"):
    ok, summ = lemma_2_3.check_coverage(pacbayes_scenarios.scenario(name, ctx))
    rows.append([name] + [summ[k] for k in keys] + ["PASS" if ok else "FAIL"])
    assert ok
show_table(rows, ["scenario"] + [k.replace("_", " ") for k in keys] + ["verdict"], digits=4)"""),
        ("markdown", r"""
## Negative controls
Dropping the KL term is harmless for a $W$ fixed in advance (that posterior could have been the
prior), so it is tested on an over-parametrized GD fit ($d=40 > n=20$); dropping $\log(1/\delta)$ and
using the rate $1/n$ are tested at $W=0$ (posterior = prior), $n=400$, $\beta=0.2$. Each must be
violated significantly more often than $\delta$ (Clopper-Pearson lower bound $>\delta$)."""),
        ("code", r"""
rows = []
for variant, name in pacbayes_scenarios.CONTROLS:
    rejected, summ = lemma_2_3.check_violated(pacbayes_scenarios.scenario(name, ctx), variant)
    rows.append([variant, name, summ["violation_rate"], summ["violation_lower"], summ["delta"], rejected])
    assert rejected
show_table(rows, ["wrong variant", "scenario", "violation rate", "its lower bound", "$\\delta$", "rejected"],
           digits=3)"""),
        ("markdown", r"## The slack, and the bound as a function of $\beta$"),
        ("code", 'show_figure("pacbayes-slack")'),
        ("markdown", "## The registered claim, run by the suite (quick sizes)"),
        ("code", 'show_claim("lemma-2.3", quick=True)'),
    ]
