r"""Notebook part: the dynamics of deep linear networks behind Marion & Chizat's sharpness results (seed 003).

A derivation a reader follows: the conserved quantity of the gradient flow (Lemma 1) derived symbolically and
measured along a flow against the integrator's error; the structure it forces at the end of a flow from small
initialization (Lemma 2, Corollary 1); the PL inequality and the order of its constant in the initialization
scale (Theorem 3); residual networks, their movement of order $1/L$ and their sharpness (Theorem 4,
Corollary 3); the critical step $2/S_{\min}$ of gradient descent; and the claims.
"""
from __future__ import annotations

NOTEBOOK = "08-marion-chizat"
TITLE = "Marion & Chizat: invariants, PL, the end of the flow, residual networks and the critical step"

CLAIMS = ["mc-lemma-1", "mc-lemma-2", "mc-theorem-3", "mc-corollary-1", "mc-theorem-4", "mc-corollary-3",
          "mc-critical-step"]


def cells() -> list:
    """The cells of the notebook, in order: ``[("markdown" | "code", source), ...]``."""
    return [
        ("markdown", r"""
Marion & Chizat (seed 003) explain *why* gradient flow on a deep linear network ends at a flat minimizer. The
network maps $x$ to $p^\top W_L \cdots W_1 x$, with end-to-end vector
$$w = W_1^\top \cdots W_L^\top p \qquad \text{(eq 3)},$$
a fixed $p$ ($p = 1$ and a row $W_L$ for a dense network; square layers near the identity and a unit $p$ for a
residual one). The risk, without a factor $\frac12$, sees the data only through the covariance $\Sigma$ and the
minimal-norm target $w^*$:
$$R(W) - R_{\min} = (w - w^*)^\top \Sigma\, (w - w^*) \qquad \text{(eq 6)} .$$
Its gradient is a rank-one product (eq 5): $\nabla_{W_k} R = l_k h_k^\top$ with
$l_k = W_{k+1}^\top \cdots W_L^\top p$, $h_k = W_{k-1} \cdots W_1 g$ and $g = 2\Sigma(w - w^*)$; the flow is
$\dot W_k = -\nabla_{W_k} R$ (eq 4). Claims """ + ", ".join(f"`{c}`" for c in CLAIMS) + r""". The papers'
displays were lost in extraction: each claim module states the version it verifies, reconstructed from the
proofs, and this notebook derives and measures them."""),
        ("code", r"""
import numpy as np
import sympy as sp

from checks.framework import RunContext
from checks.marion_chizat.instances import identity_flows, residual_flows
from checks.marion_chizat.mc_theorem_4 import residual_measurements
from derivations import deep_linear as dld
from numeric import deep_linear as dl
from numeric.sharpness import minimizer_bounds
from ssam_verify.notebook_parts.display import show_claims, show_formula, show_formulas, show_table

context = RunContext(seed=0, quick=True)  # the flows the claims check (quick sizes), shared with the claims below"""),
        ("markdown", r"""
## Lemma 1: a conserved quantity of the flow
By eq 5, $W_{k+1}^\top \nabla_{W_{k+1}} R = W_{k+1}^\top l_{k+1} h_{k+1}^\top = l_k h_k^\top W_k^\top =
\nabla_{W_k} R\, W_k^\top$, so $A_k = W_{k+1}^\top W_{k+1} - W_k W_k^\top$ has derivative $-(X + X^\top)$ with
$X = W_{k+1}^\top \nabla_{W_{k+1}} R - \nabla_{W_k} R\, W_k^\top = 0$. SymPy checks this without eq 5: a network
with symbolic entries ($d = 2$ inputs, widths $2, 2, 1$), the gradient of an *arbitrary* loss $f(w)$ by the chain
rule ($g_i = \partial f / \partial w_i$ kept as symbols), and $\dot A_k$ expanded. The two ways of misplacing the
transposes give a nonzero derivative:"""),
        ("code", r"""
variants = {"lemma 1": "$W_{k+1}^\\top W_{k+1} - W_k W_k^\\top$ (Lemma 1)",
            "no transposes": "$W_{k+1} W_{k+1}^\\top - W_k^\\top W_k$",
            "transposes swapped on one side": "$W_{k+1}^\\top W_{k+1} - W_k^\\top W_k$"}
rows, derivatives = [], {}
for variant, label in variants.items():
    derivatives[variant] = dld.balancedness_derivative(2, [2, 2, 1], variant)
    nonzero = sum(1 for M in derivatives[variant] for entry in M if entry != 0)
    rows.append([label, len(derivatives[variant]), nonzero, nonzero == 0])
show_table(rows, ["quantity", "pairs $(k, k+1)$ of matching shape", "nonzero entries of its derivative",
                  "conserved"])
wrong_entry = next(entry for entry in derivatives["no transposes"][0] if entry != 0)
show_formula(sp.factor(wrong_entry), "an entry of the derivative of $W_{k+1} W_{k+1}^\\top - W_k^\\top W_k$")"""),
        ("markdown", r"""
Along a flow integrated numerically (DOP853, with a global error estimate from the same flow at 100x tighter
tolerances), $A_k$ stays constant to the integrator's accuracy, while the wrong variants drift by the size of the
weights' change. A dense network with $d = 3$, widths $3, 3, 1$, $\Sigma$ with eigenvalues $4, 2, 1$:"""),
        ("code", r"""
Sigma = dl.covariance_with_spectrum([4.0, 2.0, 1.0], seed=0)
wstar = np.array([1.0, -0.5, 0.3])
W0 = dl.small_initialization(3, [3, 3, 1], 0.3, seed=1)
grid = dl.gradient_flow_on_grid(W0, np.ones(1), Sigma, wstar, t_end=3.0, n_times=7)


def drift(quantity, i):
    return max(np.linalg.norm(a - b) for a, b in zip(quantity(grid.layers(i)), quantity(W0)))


rows = [[grid.times[i], drift(dl.balancedness, i),
         drift(lambda Ws: dl.wrong_balancedness(Ws, "no transposes"), i),
         drift(lambda Ws: dl.wrong_balancedness(Ws, "transposes swapped on one side"), i),
         dl.excess_risk_and_gradient(grid.layers(i), np.ones(1), Sigma, wstar)[0]] for i in range(len(grid.times))]
show_table(rows, ["time $t$", "$\\max_k \\|A_k(t) - A_k(0)\\|_F$", "drift, no transposes", "drift, swapped",
                  "$R - R_{\\min}$"], caption=f"global error estimate of the flow: {grid.error_estimate:.1e}",
           digits=3)"""),
        ("markdown", r"""
## Lemma 2 and Corollary 1: from small initialization to a rank-one, balanced, aligned end
With $\sigma_k, u_k, v_k$ the top singular value and vectors of $W_k$ and $\varepsilon = \max_j (\|A_j\|_2 +
|\operatorname{tr} A_j|)$, the conserved $A_j$ force (the lemma's displays were lost; these are what its proof
gives step by step, Weyl's inequality on Lemma 1, its trace, and telescoping from the row $W_L$):
$$\|W_k\|_F^2 - \sigma_k^2 \le \sum_{j \ge k} (\|A_j\|_2 - \operatorname{tr} A_j) \le (L-k)\,\varepsilon, \qquad
1 - \langle v_{k+1}, u_k\rangle^2 \le \frac{2\|A_k\|_2 + \sum_{j > k} (\|A_j\|_2 - \operatorname{tr} A_j)}
{\sigma_{k+1}^2} .$$
At the end of the flow $w = w^*$, so $\prod_k \sigma_k \ge \|w^*\|$ and the layers share the norm
$\sigma_k^2 \approx \|w^*\|^{2/L}$ (Corollary 1). From $W(0) = s Z$ ($\varepsilon$ of order $s^2$), $L = 3$:
the deviation and the rank-one defect are of order $\varepsilon$ (their ratios to $\varepsilon$ settle), the
misalignment is of order $\varepsilon^2$, one order better than the bound."""),
        ("code", r"""
L, rows = 3, []
for s in (1e-2, 3e-3, 1e-3):
    W0 = [s * W for W in dl.small_initialization(3, [3, 3, 1], 1.0, seed=1)]
    end = dl.structure(dl.gradient_flow_to_convergence(W0, np.ones(1), Sigma, wstar).final_layers)
    eps = dl.balancedness_epsilon(W0)
    deviation = np.max(np.abs(end["sigma"] ** 2 - np.linalg.norm(wstar) ** (2 / L)))
    misalignment = np.max(1 - end["alignment"])
    rows.append([s, eps, deviation / eps, end["defect"].max() / eps,
                 np.max(end["defect"][:-1] / end["defect_bound"][:-1]), misalignment / eps, misalignment / eps ** 2,
                 np.max((1 - end["alignment"]) / end["alignment_bound"])])
show_table(rows, ["scale $s$", "$\\varepsilon$",
                  "$\\max_k \\vert\\sigma_k^2 - \\Vert w^*\\Vert^{2/L}\\vert / \\varepsilon$",
                  "defect $/ \\varepsilon$", "defect / its bound", "misalignment $/ \\varepsilon$",
                  "misalignment $/ \\varepsilon^2$", "misalignment / its bound"], digits=3,
           caption="largest ratios over the layers; the row $W_L$ has defect 0 (up to rounding) and bound 0")"""),
        ("markdown", r"""
## Theorem 3: the PL inequality and the order of its constant
The proof chains two steps: $\|\nabla R\|_F^2 \ge \|\nabla_{W_1} R\|_F^2 = \|l_1\|^2 \|g\|^2$ (eq 5) and
Lemma 8, $\|g\|^2 = \|2\Sigma x\|^2 \ge 4\lambda_{\min} x^\top \Sigma x = 4 \lambda_{\min} (R - R_{\min})$ with
$x = w - w^*$. In the eigenbasis of $\Sigma$, with eigenvalues $\lambda_{\min} + \delta_i$, the gap of Lemma 8
expands into terms with non-negative coefficients (each $\delta_i \ge 0$), so it is non-negative:"""),
        ("code", r"""
gap, form = dld.lemma8_gap(2)
show_formula(form, "$\\Vert 2\\Sigma x\\Vert^2 - 4\\lambda_{\\min} x^\\top \\Sigma x$ in the eigenbasis ($d = 2$)")
show_table([["gap minus the form expands to zero", sp.expand(gap - form) == 0],
            ["every coefficient positive",
              all(c > 0 for c in sp.Poly(form, *sorted(form.free_symbols, key=str)).coeffs())]],
           ["Lemma 8", "holds"])"""),
        ("markdown", r"""
How the constant depends on the initialization scale $s$ (the paper's explicit $\mu$, eq 29, is unreadable): near
the saddle $W = 0$ every entry of $\nabla_{W_k} R(sZ)$ is $s^{L-1}$ times a nonzero limit (each
$\partial w_i / \partial W_k$ is homogeneous of degree $L - 1$ in the layer entries, verified below), while
$R(sZ) - R_{\min} \to w^{*\top} \Sigma w^*$. So the PL ratio $\rho = \|\nabla R\|^2 / (R - R_{\min})$ is of
order $s^{2(L-1)}$ there, and for $L \ge 3$ the flow stays near the saddle long enough that the constant
$\hat\mu = \min_{t \ge 1} \rho(t)$ has that order too."""),
        ("code", r"""
rows = []
for depth in (2, 3):
    orders = dld.saddle_orders(2, [2] * (depth - 1) + [1])
    rows.append([depth, orders["gradient_orders"], orders["product_order"], orders["ratio_exponent"]])
show_table(rows, ["depth $L$", "degree of $\\nabla_{W_k} R$ near 0, per layer", "degree of $w$",
                  "order of $\\rho$ in $s$"])
scales, mu_hat = np.array([1e-3, 3e-4, 1e-4]), []
for s in scales:
    W0 = [s * W for W in dl.small_initialization(3, [3, 3, 1], 1.0, seed=1)]
    profile = dl.pl_profile(dl.gradient_flow_to_convergence(W0, np.ones(1), Sigma, wstar, extra_times=50),
                            min_excess=1e-16)
    mu_hat.append(profile["ratio"][profile["times"] >= 1].min())
slopes = np.diff(np.log(mu_hat)) / np.diff(np.log(scales))
show_table([[s, m, m / s ** 4, slope] for s, m, slope in zip(scales, mu_hat, [np.nan, *slopes])],
           ["scale $s$", "$\\hat\\mu = \\min_{t \\ge 1} \\rho$", "$\\hat\\mu / s^4$",
            "local slope (expected $2(L-1) = 4$)"],
           caption="$L = 3$: the measured constant scales as $s^4$", digits=4)"""),
        ("markdown", r"""
## Theorem 4 and Corollary 3: residual networks
For $W_k(0) = I + s N_k / \sqrt{L d}$ (eq 2), every partial product $W_k \cdots W_j$ keeps its spectral norm below
some $U$ and its smallest singular value above some $c$ along the flow (Lemma 3), which gives the PL constant of
eq 37, $\mu = 4 L \lambda_{\min} \|p\|^2 c^4$, proportional to $L$. SymPy integrates the comparison equation of
Lemma 7 and the path length $\int_0^\infty \sqrt{y(t)}\, dt$, which bounds each layer's movement (eq 8, with the
explicit constant $U^2 / c^4$); Corollary 3's bound on the sharpness over its lower bound
$2 L q\, a^{2-2/L}$ follows from $J J^\top = \sum_k \|l_k\|^2 A_k^\top A_k$:"""),
        ("code", r"""
t, mu, y0 = sp.symbols("t mu y_0", positive=True)
decay, path = dld.pl_decay_and_path_length()
movement, pl_constant = dld.residual_movement_bound()
factor, _, _ = dld.residual_sharpness_factor()
show_formulas([("Lemma 7: $y(t)$", decay), ("path length $\\int_0^\\infty \\sqrt{y}\\,dt$", path),
               ("eq 37: PL constant $\\mu$", pl_constant),
               ("eq 8: $\\max_k \\Vert W_k^\\infty - W_k(0)\\Vert_F \\le$", movement),
               ("Cor 3: $S(W^\\infty) / (2 L q a^{2-2/L}) \\le$", factor)],
              headers=("", "derived"))"""),
        ("markdown", r"""
The flows the claims check: Gaussian draws ($s = 1$, $d = 4$) and the scale-0 member $W_k(0) = I$ of eq 2, where
the dependence on the depth is deterministic. Every flow ends at a minimizer; the movement stays below eq 8's
bound with the measured $U$ and $c$; at $W_k(0) = I$, $L$ times the movement levels off (the extrapolated local
slope of the movement against $L$ is $-1$ within 5%, claim `mc-theorem-4`), and the sharpness stays within a
small factor of its lower bound, independently of $L$ (Corollary 3)."""),
        ("code", r"""
rows = []
for kind, flows in (("Gaussian, $s = 1$", residual_flows(context)),
                    ("$W_k(0) = I$", identity_flows(context, (4, 8, 16)))):
    for row in flows:
        m = residual_measurements(row)
        end = row["trajectory"].final_layers
        sharpness_ratio = (dl.sharpness(end, row["p"], row["Sigma"], row["wstar"])
                           / minimizer_bounds.lower_bound(row["Sigma"], row["wstar"], m["L"]))
        rows.append([kind, m["L"], m["converged"], m["movement"], m["eq8_explicit_bound"], m["L"] * m["movement"],
                     m["U"], m["c"], sharpness_ratio])
show_table(rows, ["initialization", "depth $L$", "converged", "movement", "eq 8 bound", "$L \\times$ movement",
                  "$U$", "$c$", "$S / (2 L q a^{2-2/L})$"], digits=3)"""),
        ("markdown", r"""
## The critical step $2/S_{\min}$
Gradient descent $W \leftarrow W - \alpha \nabla R$ can settle only at minimizers of sharpness $S \le 2/\alpha$.
For the scalar chain $(a - w_1 \cdots w_L)^2$ (one coordinate of every model here) SymPy differentiates the GD map
at the balanced minimizer $w_l = a^{1/L}$: its Jacobian has eigenvalue $1$ along the minimizers ($L - 1$ times)
and $1 - \alpha S$ with $S = 2 L a^{2-2/L}$, the smallest sharpness of any minimizer (claim
`sharpness-minimizers`); $|1 - \alpha S| < 1$ exactly for $0 < \alpha < 2/S$:"""),
        ("code", r"""
rows = []
for depth in (2, 3, 4):
    moving, sharpness, critical = dld.chain_descent_linearization(depth)
    rows.append([depth, moving, sharpness, critical])
show_table(rows, ["depth $L$", "moving eigenvalue", "sharpness $S$", "critical step $2/S$"])"""),
        ("markdown", r"""
Batched GD on a whitened dense network ($d = 2$, widths $2, 2, 1$, $L = 3$) from four small initializations, at
steps $c \cdot 2/S_{\min}$. Runs below the critical step converge; the cap for the runs above it is four times
the slowest convergence below it (a criterion, not a fixed count), and every converged run ends at a minimizer
with $\alpha S \le 2$:"""),
        ("code", r"""
ws, L = np.array([0.8, -0.6]), 3
s_min = minimizer_bounds.lower_bound(np.eye(2), ws, L)
rng = np.random.default_rng(0)
W0 = [np.stack([0.1 * rng.standard_normal(shape) for _ in range(4)]) for shape in dl.layer_shapes(2, [2, 2, 1])]
below = {c: dl.gradient_descent_batch(W0, np.ones(1), np.eye(2), ws, np.full(4, c * 2 / s_min), max_iter=20000)
         for c in (0.5, 0.95, 0.98)}
cap = 4 * max(int(runs.iterations.max()) for runs in below.values())
above = {c: dl.gradient_descent_batch(W0, np.ones(1), np.eye(2), ws, np.full(4, c * 2 / s_min), max_iter=cap)
         for c in (1.02, 1.05)}
rows = []
for c, runs in {**below, **above}.items():
    converged = [b for b in range(4) if runs.status[b] == "converged"]
    worst = max((c * 2 / s_min * dl.sharpness(runs.layers_of(b), np.ones(1), np.eye(2), ws) for b in converged),
                default=float("nan"))
    rows.append([c, f"{len(converged)} of 4", int(runs.iterations.max()), worst])
show_table(rows, ["step $/ (2/S_{\\min})$", "converged", "iterations (largest)", "largest $\\alpha S$ at the end"],
           caption=f"$S_{{\\min}} = 2 L \\Vert w^*\\Vert^{{2-2/L}} = {s_min:.4f}$; "
                   f"cap above the critical step: {cap} iterations", digits=4)"""),
        ("markdown", "## The claims, run by the suite (quick sizes)"),
        ("code", f"show_claims({CLAIMS!r})"),
    ]
