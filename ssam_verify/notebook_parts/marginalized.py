"""Notebook part: Section 2, the marginalized loss (Lemmas 2.1-2.2, eqs 7-9).

Derives ``L_R = E_G[L(W + G)]`` live by Gaussian moments
(:func:`derivations.marginalized.marginalized_loss`), shows eqs 7, 8 and 9
rendered, proves the identities for several depths, evaluates the numeric
implementation against the symbolic one at a point (float64 and 50 digits),
runs a small Monte Carlo of :mod:`numeric.noisy` against ``L_R`` and its
gradient, rejects wrong variants, and shows the section's figures.
"""
from __future__ import annotations

NOTEBOOK = "02-marginalized-loss"
TITLE = r"Section 2: the marginalized loss $L_R = \mathbb{E}\,L(W+G)$"


def cells() -> list:
    """The notebook's cells, ``[("markdown" | "code", source)]``."""
    return [
        ("markdown", r"""
S-SAM perturbs every weight by independent noise $G_l$ with entries $N(0,\eta^2)$ before taking a
gradient step. Lemma 2.2 says that in expectation it is gradient descent on the **marginalized loss**
$L_R(W) = \mathbb{E}_G\, L(W+G) = L(W) + R(W)$. The diagonal model separates by coordinate, so
everything below is per coordinate, with weights $w_1,\dots,w_L$, target $w^*$ and noise level $\eta$:
the loss of one coordinate is $(w^* - w_1\cdots w_L)^2$ (eq 3, no factor 1/2)."""),
        ("code", r"""
import numpy as np
import sympy as sp

from derivations import marginalized as dm
from numeric import data, model, noisy
from checks.stats import assert_means_equal
from ssam_verify.notebook_parts.display import show_claim, show_figure, show_formula, show_table, show_values

L = 3
s = dm.coordinate_symbols(L)
show_formula(dm.coordinate_loss(L), "loss of one coordinate (eq 3)")"""),
        ("markdown", r"""
## Deriving $L_R$ by Gaussian moments
`dm.marginalized_loss(L)` replaces $w_l$ by $w_l + g_l$ and takes the expectation over independent
$g_l \sim N(0,\eta^2)$ by the moment rule $\mathbb{E} g^k = (k-1)!!\,\eta^k$ (even $k$), factorized
over independent variables. No formula for $R$ goes in; it comes out."""),
        ("code", r"""
LR = dm.marginalized_loss(L)
show_formula(sp.Eq(sp.Symbol("L_R"), sp.factor_terms(LR), evaluate=False), "derived")
R_derived = sp.expand(LR - dm.coordinate_loss(L))
show_formula(sp.Eq(sp.Symbol("L_R") - sp.Symbol("L"), R_derived, evaluate=False), "the regularizer, derived")"""),
        ("markdown", r"""
## Eq 7: the regularizer, closed form and subset expansion
$R = \prod_l (w_l^2 + \eta^2) - \prod_l w_l^2 = \sum_{S \subsetneq \{1..L\}} \eta^{2(L-|S|)} \prod_{l\in S} w_l^2$;
the empty set contributes the constant $\eta^{2L}$. Each identity is proved by expanding the difference to 0."""),
        ("code", r"""
R_closed = dm.regularizer_closed_form(L)
R_subsets = dm.regularizer_subset_expansion(L)
show_formula(R_closed, "closed form")
show_formula(R_subsets, "subset expansion")
show_values({"$L_R - L$ equals the closed form": dm.prove_identity(R_derived, R_closed),
             "the closed form equals the subset sum": dm.prove_identity(R_closed, R_subsets),
             "equals the sum without the constant $\\eta^{2L}$ (a wrong variant: must be no)":
                 dm.prove_identity(R_closed, dm.regularizer_without_constant(L))},
            headers=("identity", "proved"))"""),
        ("markdown", r"""
## Eq 8: the weight-decay lower bound, and eq 9: average sharpness
$R \ge \eta^{2(L-1)} \sum_l w_l^2$: the gap, written in $u_l = w_l^2 \ge 0$ and $e = \eta^2 > 0$, is a
polynomial with non-negative coefficients, hence non-negative. The average sharpness
$S_{avg} = \mathbb{E}\,L(W+G) - L(W)$ (eq 9) equals $R$."""),
        ("code", r"""
gap, nonneg = dm.weight_decay_gap(L)
show_formula(dm.weight_decay_bound(L), "eq 8 bound")
show_formula(gap, "R - bound")
show_values({"the gap has only non-negative coefficients in $(w_l^2, \\eta^2)$": nonneg,
             "$S_{avg} = R$ (eq 9)": dm.prove_identity(dm.average_sharpness(L), R_closed)},
            headers=("statement", "proved"))"""),
        ("markdown", "## The same identities for depths 2 to 6"),
        ("code", r"""
rows = []
for depth in range(2, 7):
    c = dm.coordinate_symbols(depth)
    Rd = sp.expand(dm.marginalized_loss(depth) - dm.coordinate_loss(depth))
    rows.append((depth,
                 dm.prove_identity(Rd, dm.regularizer_closed_form(depth)),
                 dm.prove_identity(Rd, dm.regularizer_subset_expansion(depth)),
                 dm.weight_decay_gap(depth)[1],
                 dm.prove_identity(dm.average_sharpness(depth), Rd),
                 len(sp.Add.make_args(Rd))))
show_table(rows, ["depth $L$", "eq 7, closed form", "eq 7, subsets", "eq 8, gap $\\ge 0$", "eq 9",
                  "terms of $R$"])
assert all(all(r[1:5]) for r in rows)"""),
        ("markdown", r"""
## Numeric against symbolic at a point
`numeric.model` implements $L$, $R$ and $L_R$ for weights $W$ of shape $(L, d)$. At a point with $d=2$
we compare its float64 value with the derived expression evaluated exactly (rational arithmetic), and
with the same numeric code run on 50-digit mpmath numbers."""),
        ("code", r"""
import mpmath

rng = np.random.default_rng(0)
d = 2
W = np.round(rng.uniform(-1.5, 1.5, size=(L, d)), 3)
wstar = np.array([1.2, -0.7])
eta = 0.3

exact = sum(LR.subs({**{s.w[l]: sp.Rational(str(W[l, h])) for l in range(L)},
                     s.wstar: sp.Rational(str(wstar[h])), s.eta: sp.Rational(str(eta))})
            for h in range(d))
f64 = model.marginalized_loss(W, wstar, eta)
with mpmath.workdps(50):
    to_mp = np.vectorize(lambda x: mpmath.mpf(str(x)), otypes=[object])
    mp50 = model.marginalized_loss(to_mp(W), to_mp(wstar), mpmath.mpf(str(eta)))
    exact_mp = mpmath.mpf(exact.p) / exact.q
    show_table([["exact (SymPy, rational)", mpmath.nstr(exact_mp, 30), "0"],
                ["numeric, 50 digits", mpmath.nstr(mp50, 30), mpmath.nstr(abs(mp50 - exact_mp) / abs(exact_mp), 3)],
                ["numeric, float64", repr(float(f64)), f"{float(abs(f64 - exact) / abs(exact)):.2e}"]],
               ["evaluation", "$L_R(W)$", "relative error"])"""),
        ("markdown", r"""
## Monte Carlo: $\mathbb{E}\,L(W+G) = L_R(W)$ and $\mathbb{E}\,\nabla \tilde L = \nabla L_R$
`numeric.noisy` draws S-SAM perturbations (vectorized, seeded). The z-test of `checks.stats` declares a
false-failure probability of $10^{-6}$ (Bonferroni over entries) and reports the smallest discrepancy it
detects with probability 0.99. As negative controls, the same test must reject wrong values that are
off by more than that: $L$ alone (no $R$) and $R$ halved. $R$ without its constant $d\eta^{2L}$ is off
by only $2 \cdot 0.3^6 \approx 0.0015$ here, below the resolution of $2\cdot 10^5$ draws: a Monte Carlo test
can only be trusted to reject what it states it can detect (the claim `lemma-2.2` catches that variant
symbolically)."""),
        ("code", r"""
m = 200_000
mom = noisy.noisy_loss_moments(W, wstar, eta, m, seed=1)
ok, detail = assert_means_equal(mom, model.marginalized_loss(W, wstar, eta))
show_values({"Monte Carlo mean of $L(W+G)$": float(mom.mean), "its standard error": float(mom.standard_error),
             "$L_R(W)$": float(f64), "verdict": "PASS" if ok else "FAIL",
             **{k.replace("_", " "): detail[k] for k in ("samples", "z_max", "z_critical", "detectable_discrepancy",
                                                         "false_failure_probability")}})
assert ok

R_here = model.regularizer(W, eta)
wrong = {"$L$ alone ($R$ dropped)": model.loss(W, wstar),
         "$R$ halved": model.loss(W, wstar) + R_here / 2,
         "$R$ without the constant $d\\eta^{2L}$": model.marginalized_loss(W, wstar, eta) - d * eta ** (2 * L)}
rows = []
for name, value in wrong.items():
    rejected = not assert_means_equal(mom, value)[0]
    off = abs(float(value) - float(f64))
    resolvable = off > detail["detectable_discrepancy"]
    rows.append([name, off, detail["detectable_discrepancy"], rejected, "" if resolvable else "below the resolution"])
    assert rejected or not resolvable
show_table(rows, ["negative control", "off by", "detectable", "rejected", "note"])"""),
        ("code", r"""
X, Y = data.whitened_data(40, wstar, seed=2)
gm = noisy.noisy_gradient_moments(W, X, Y, eta, 200_000, seed=3)
ok, detail = assert_means_equal(gm, model.grad_marginalized_loss(W, wstar, eta))
rejected = not assert_means_equal(gm, model.grad_loss(W, wstar))[0]
show_values({"$\\mathbb{E}\\,\\nabla\\tilde L = \\nabla L_R$ (Lemma 2.2)": "PASS" if ok else "FAIL",
             **{k.replace("_", " "): detail[k] for k in ("samples", "entries", "z_max", "z_critical",
                                                         "detectable_discrepancy")},
             "negative control $\\nabla L$ (no regularizer) rejected": rejected})
assert ok and rejected"""),
        ("markdown", r"""
## Figures
$R$ along the balanced ray $w_l = t$ for depths 2 to 6 with the eq 8 bound, and Monte Carlo means of
$L(W+G)$ against $L_R$ along the same ray."""),
        ("code", 'show_figure("regularizer-vs-depth")'),
        ("code", 'show_figure("marginalized-loss-monte-carlo")'),
        ("markdown", "## The registered claim, run by the suite (quick sizes)"),
        ("code", 'show_claim("lemma-2.2", quick=True)'),
    ]
