"""Notebook part for Section 4: gradient flow, GD, S-SAM and projected S-SAM.

A derivation a reader follows: the gradient of ``L_R`` per coordinate, the
balancing ODE of Theorem 4.1 derived and measured on a flow, the exact one-step
factor of GD (Theorem 4.3), the suite's Hessian bound and the step it allows
(Theorem 4.2), the projection radius of Theorem 4.4, the figures and the claims.
"""
from __future__ import annotations

NOTEBOOK = "04-dynamics"
TITLE = "Section 4: dynamics of the gradient flow, GD and (projected) S-SAM"


def cells() -> list:
    """The cells of the notebook, in order (each code cell runs in a few seconds)."""
    return [
        ("markdown", r"""
Section 4 and Appendices C-D of Clara, Langer & Schmidt-Hieber (arXiv 2503.11891) study four dynamics on the
marginalized loss $L_R = L + R$: the gradient flow $\dot W_l = -\nabla_{W_l} L_R(W)$ (eq 12), gradient descent
with steps $\alpha_k$ (eq 18), S-SAM (eq 6) and projected S-SAM (eq 22). Claims `gradient-flow-facts` and
`theorem-4.1` to `theorem-4.4`. The model separates by coordinate, so everything below is one coordinate with
weights $w_1, \dots, w_L$, target $w^*$ and noise level $\eta$:

$$L_R(w) = (w^* - w_1 \cdots w_L)^2 + \prod_{l=1}^{L} (w_l^2 + \eta^2) - \prod_{l=1}^{L} w_l^2 .$$"""),
        ("code", r"""
import numpy as np
import sympy as sp

from derivations.dynamics import descent, flow, hessian, projection
from derivations.dynamics.gradient import gradient, gradient_closed_form
from derivations.marginalized import coordinate_symbols, prove_identity
from numeric import model
from numeric.critical_points import nearest_critical_point
from numeric.dynamics.deterministic import gradient_descent
from numeric.dynamics.flows import gradient_flow
from ssam_verify.notebook_parts.display import (show_claims, show_figure, show_formula, show_formulas,
                                                show_table, show_values)"""),
        ("markdown", r"""
## The gradient of $L_R$
Differentiating $L_R$ (SymPy) and the closed form used throughout the paper,
$\partial_{w_l} L_R = 2\big(w_l \prod_{k \ne l} (w_k^2 + \eta^2) - w^* \prod_{k \ne l} w_k\big)$, agree as
polynomials; here for $L = 3$:"""),
        ("code", r"""
L = 3
derived, closed = gradient(L), gradient_closed_form(L)
show_formulas([(f"$\\partial L_R / \\partial w_{l + 1}$", g) for l, g in enumerate(closed)])
show_values({f"layer {l + 1}: derivative = closed form": prove_identity(d, c)
             for l, (d, c) in enumerate(zip(derived, closed))})"""),
        ("markdown", r"""
## Theorem 4.1: balancing under the gradient flow (eq 35)
Along the flow, the imbalance $D_l = w_{l+1}^2 - w_l^2$ of two neighbouring layers obeys
$$\frac{d}{dt} D_l = -4 \eta^2 \prod_{k \notin \{l, l+1\}} (w_k^2 + \eta^2)\, D_l ,$$
so $|D_l(t)| \le e^{-4 \eta^{2(L-1)} t} |D_l(0)|$, with equality for $L = 2$ (the product is empty). Without
noise ($\eta = 0$) the imbalance is conserved. SymPy differentiates $D_l$ along the flow and compares with the
right-hand side:"""),
        ("code", r"""
show_formula(sp.Eq(sp.Derivative(sp.Function("D_1")(sp.Symbol("t")), sp.Symbol("t")), flow.balancing_ode_rhs(3, 1),
                   evaluate=False), "eq 35, L = 3, l = 1")
show_table([[depth, prove_identity(flow.flow_balancing_derivative(depth, 1), flow.balancing_ode_rhs(depth, 1))]
            for depth in range(2, 7)], ["depth $L$", "$\\dot D_1$ equals eq 35"])"""),
        ("markdown", r"""
For $L = 2$ the bound is an equality: a flow integrated numerically (SciPy, relative tolerance $10^{-12}$) from
$w = (0.3, 1.7)$, $w^* = 1.3$, $\eta = 0.7$ follows $e^{-4\eta^2 t}$ to the integrator's accuracy."""),
        ("code", r"""
W0, wstar, eta = np.array([[0.3], [1.7]]), np.array([1.3]), 0.7
t = np.linspace(0, 2, 5)
gap = gradient_flow(W0, wstar, eta, t).records["balancing_gap"][:, 0, 0]
show_table([[ti, g / gap[0], np.exp(-4 * eta**2 * ti), g / gap[0] / np.exp(-4 * eta**2 * ti) - 1]
            for ti, g in zip(t, gap)],
           ["time $t$", "$|D(t)|/|D(0)|$", "$e^{-4\\eta^2 t}$", "relative difference"])"""),
        ("markdown", r"""
## Theorem 4.3: one GD step multiplies the imbalance by an explicit factor
For GD with step $\alpha$ the paper writes $D(k+1) = (1 - 4\alpha\eta^2 P_l) D(k) + \alpha^2(\dots)$ (eq 50).
The $\alpha^2$ term factors as well (beyond the paper): with $A = \prod_{k \notin \{l,l+1\}} (w_k^2 + \eta^2)$ and
$s = w_l w_{l+1} A - w^* \prod_{k \notin \{l, l+1\}} w_k$,
$$D(k+1) = \big[(1 - 2\alpha\eta^2 A)^2 - 4\alpha^2 s^2\big]\, D(k) .$$
SymPy confirms the factorization for $L = 2$ to $5$:"""),
        ("code", r"""
w1, w2 = coordinate_symbols(3).w[:2]
show_formula(sp.Eq(sp.Symbol("m"), descent.gd_multiplier(3, 1), evaluate=False), "factor m, L = 3, l = 1")
show_table([[depth, prove_identity(descent.gd_balancing_next(depth, 1),
                                   descent.gd_multiplier(depth, 1) * (coordinate_symbols(depth).w[1] ** 2
                                                                      - coordinate_symbols(depth).w[0] ** 2))]
            for depth in range(2, 6)], ["depth $L$", "$D(k+1) = m\\, D(k)$"])"""),
        ("markdown", r"""
## Theorem 4.2: GD converges for steps below $2(1-\delta)/M$
The paper's bound $M$ on $\|\nabla^2 L_R\|$ over the sublevel set $\{L_R \le L_R(W(0))\}$ is unreadable in the
sources; the suite derives its own, proved step by step (a Gershgorin bound on the per-coordinate Hessian):"""),
        ("code", r"""
M, (Lv, d, c, e) = hessian.hessian_bound()
show_formula(sp.Eq(sp.Symbol("M"), M, evaluate=False), "Hessian bound on {L_R <= c}")
show_table([[step, proved] for step, proved in hessian.hessian_bound_proof(3).items()],
           ["proof step ($L = 3$)", "proved"])"""),
        ("markdown", r"""
GD from a generic start with $\alpha = 2(1 - \delta)/M$, $\delta = 1/2$, runs $10^4$ steps; the end point is
compared with the nearest critical point of $L_R$ from the enumeration of Theorem 3.1(b) (50 digits): it
lands on the larger shrinkage root, a local minimum."""),
        ("code", r"""
L, eta, wstar = 3, 0.6, np.array([1.6, -1.2])
W0 = np.array([[1.1, -0.9], [0.8, 1.2], [1.3, 0.9]])
level = float(model.marginalized_loss(W0, wstar, eta))
alpha = 2 * 0.5 / float(M.subs({Lv: L, d: 2, c: level, e: eta}))
end = gradient_descent(W0, wstar, eta, 10000, alpha, record_every=1000).final_weights
point, distance = nearest_critical_point(end, eta, wstar)
show_values({"$L_R(W(0))$": level, "step $\\alpha$": alpha, "distance to the nearest critical point": distance,
             "its kind": point.kind, "shrinkage root (0: zero, 1: smaller, 2: larger)": point.root_index,
             "shrinkage factors $\\lambda_h$": point.lambdas})"""),
        ("markdown", r"""
## Theorem 4.4: the projection radius of projected S-SAM
On the sphere $\|W\| = r$ the gradient points outwards, $\langle \nabla L_R(W), W\rangle \ge
2\eta^{2(L-1)}\|W\|^2 + 2L\pi^2 - 2L\|w^*\|\,|\pi| > 0$ (eq 57), as soon as the quadratic in $|\pi|$ has no
real root. SymPy solves the discriminant condition for the radius:"""),
        ("code", r"""
discriminant, radius = projection.radius_discriminant_condition()
show_formulas([("discriminant", discriminant), ("radius $r$ where it vanishes", radius)])
show_values({"radius equals sqrt(L) ||w*|| / (2 eta^(L-1))":
             sp.simplify(radius - projection.projection_radius()[0]) == 0})"""),
        ("markdown", r"""
## Figures
Balancing gaps along flows and GD runs against the bounds of Theorems 4.1 and 4.3, and the paper's Figure 3."""),
        ("code", 'show_figure("balancing-decay")'),
        ("code", 'show_figure("figure-3")'),
        ("markdown", r"""
## The claims, run by the suite (quick sizes)
Each claim runs its symbolic, high-precision, Monte Carlo (`theorem-4.4`) and negative-control evidence."""),
        ("code", 'show_claims(["gradient-flow-facts", "theorem-4.1", "theorem-4.3"])'),
    ]
