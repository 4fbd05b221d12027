"""Notebook part: beyond the paper, dense networks (claims ``dense-regularizer`` and ``dense-balancing``).

Derives S-SAM's marginalized loss for dense layers live by Gaussian moments, shows the recursion, its
closed form and the two-layer weight decay, checks the numeric implementation against the simulated
noisy loss, and answers the outlook's question whether the critical points are balanced: the balance law
they do satisfy, and critical points found and polished at 50 digits, with the diagonal model as control.
"""
from __future__ import annotations

NOTEBOOK = "10-beyond-dense"
TITLE = "Beyond the paper: S-SAM on dense deep linear networks"


def cells() -> list:
    """The notebook's cells, ``[("markdown" | "code", source)]``."""
    return [
        ("markdown", r"""
The paper's outlook (Section 5) asks what S-SAM does to **dense** linear networks
$W_L \cdots W_1$, $W_l \in \mathbb{R}^{d_l \times d_{l-1}}$, when every entry is perturbed by independent
$N(0,\eta^2)$ noise. With whitened data and a target matrix $W^*$ ($d_L \times d_0$; a row vector when
$d_L = 1$) the loss is $L(W) = \|W^* - W_L\cdots W_1\|_F^2$ (no factor 1/2), and S-SAM follows the
marginalized loss $L_R(W) = \mathbb{E}\,L(W+G) = L(W) + R(W)$."""),
        ("code", """
import numpy as np
import sympy as sp

from derivations import dense as dd
from numeric import dense_marginalized as dm
from ssam_verify.notebooks import show_claim, show_formula

for _, equation, name, expr in dd.formulas():
    show_formula(expr, f"{equation}, {name}")"""),
        ("markdown", r"""
## The one-layer step and the recursion
For $G$ with iid $N(0,\eta^2)$ entries and any $A$ independent of it, $\mathbb{E}[G A G^T] = \eta^2\,
\mathrm{tr}(A)\, I$. Conditioning on the layers below gives the recursion
$N_l = W_l N_{l-1} W_l^T + \eta^2 \mathrm{tr}(N_{l-1}) I$ for $N_l = \mathbb{E}[\tilde P_l \tilde P_l^T]$, and
$R = \mathrm{tr}\, N_L - \|W_L \cdots W_1\|_F^2$. Below, $L_R$ is derived **by Gaussian moments, layer by
layer** (no formula for $R$ goes in) and compared with the recursion and its closed form."""),
        ("code", """
for (derived, rule) in dd.gaussian_sandwich(2, 3):
    print("sandwich rule holds:", dd.is_zero_matrix(derived - rule))
dims = (2, 1, 2, 1)
R_moments = dd.marginalized_loss_by_moments(dims) - dd.dense_loss(dims)
print("moments == recursion:  ", dd.is_identity(R_moments, dd.regularizer_recursion(dims)))
print("moments == closed form:", dd.is_identity(R_moments, dd.regularizer_segment_expansion(dims)))
R_scalar = dd.regularizer_segment_expansion((1, 1, 1, 1))
show_formula(sp.factor_terms(R_scalar), "R for widths 1 (the diagonal model)")"""),
        ("markdown", r"""
## Two layers: weight decay with the *outer* widths
$R = \eta^2 (d_0 \|W_2\|_F^2 + d_2 \|W_1\|_F^2) + \eta^4 d_0 d_1 d_2$. For a row-vector target ($d_2 = 1$) and
$d_0$ inputs the second layer is penalized $d_0$ times more than the first. Deeper networks add, at lower
powers of $\eta$, products of squared norms of runs of consecutive layers (eq D5); the paper's eq 7 read for
dense layers is wrong as soon as a width exceeds 1."""),
        ("code", """
def regularizer_by_moments(dims):
    return dd.marginalized_loss_by_moments(dims) - dd.dense_loss(dims)


print("L = 2 form holds for (3, 2, 1):",
      dd.is_identity(regularizer_by_moments((3, 2, 1)), dd.two_layer_regularizer((3, 2, 1))))
print("eq 7 transplanted, widths 2:",
      dd.is_identity(regularizer_by_moments((2, 2, 2)), dd.diagonal_formula_transplanted((2, 2, 2))), "(must be False)")
print("weight-decay coefficients c_l for widths (3, 2, 4, 1):", dd.weight_decay_coefficients((3, 2, 4, 1)))"""),
        ("markdown", r"""
## The numeric implementation against simulated S-SAM noise
The simulated losses are heavy-tailed (a degree-$2L$ polynomial in Gaussians), so the claim uses a
median-of-means test with the exact variance; here just the numbers."""),
        ("code", """
rng = np.random.default_rng(0)
layers = [rng.standard_normal((2, 3)) * 0.7, rng.standard_normal((3, 2)) * 0.7, rng.standard_normal((1, 3)) * 0.7]
wstar = np.array([[1.0, -0.5, 0.3]])
draws = dm.dense_noisy_losses(layers, wstar, 0.4, 200_000, seed=1)
mean, second = dm.dense_loss_exact_moments(layers, wstar, 0.4)
print(f"simulated mean {draws.mean():.4f}, L_R {dm.dense_marginalized_loss(layers, wstar, 0.4):.4f}, "
      f"exact sd of one draw {np.sqrt(second - mean**2):.3f}")"""),
        ("markdown", r"""
## Are the critical points balanced?
No. Every critical point satisfies the **noise-weighted balance law** (eq D6)
$\mathrm{tr}(M_{l+1})\, W_l N_{l-1} W_l^T = \mathrm{tr}(N_{l-1})\, W_{l+1}^T M_{l+1} W_{l+1}$, with $M$ the
second moments of the noisy suffix products. For two layers it reads $d_2 W_1 W_1^T = d_0 W_2^T W_2$. Below:
critical points from 24 random starts, polished by Newton at 50 digits, measured with the same code for the
dense landscape and for the paper's diagonal one."""),
        ("code", """
cases = {"dense (2,2,2,2)": dm.DenseLandscape((2, 2, 2, 2), [[1.5, 0.4], [-0.3, 0.9]], 0.3),
         "diagonal L = 3": dm.DiagonalLandscape(3, [1.5, 0.6], 0.3)}
for name, landscape in cases.items():
    points, report = dm.search_critical_points(landscape, 24, seed=1, method="newton")
    for x in points:
        x_mp, residual, steps = dm.polish(landscape, x)
        p = dm.measure(landscape, x_mp, residual, steps)
        if not p.is_origin:
            print(f"{name}: L_R {p.value:.5f} index {p.index} residual {p.residual:.0e} "
                  f"imbalance {max(p.relative_imbalance):.2e} law gap {max(p.law_gap):.0e}")"""),
        ("markdown", "## The claims, run in quick mode"),
        ("code", """
show_claim("dense-regularizer")
show_claim("dense-balancing")"""),
    ]
