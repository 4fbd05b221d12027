"""Notebook part: related sharpness results (Marion & Chizat; Mulayoff & Michaeli) and S-SAM's critical points.

A derivation a reader follows: the minimal sharpness of a chain by Lagrange and
AM-GM, the lower and upper bounds for dense networks on non-whitened data
(where the spec's lower bound fails), the diagonal network's minimal sharpness
against the sharpness of S-SAM's stable critical points, and SGD's exact
mean-square stability threshold with its batch-size dependence.
"""
from __future__ import annotations

NOTEBOOK = "06-related-sharpness"
TITLE = "Related results: minimal sharpness of minimizers and SGD's exact stability threshold"


def cells() -> list:
    """The cells of the notebook, in order: ``[("markdown" | "code", source), ...]``."""
    return [
        ("markdown", r"""
Two results on sharpness that put the paper in context, and one that connects them to it. Sharpness is the top
eigenvalue of the Hessian; the loss is the mean squared error without a factor $\frac12$,
$L = \frac1n \sum_i (y_i - f(x_i))^2$, as in the paper.

* **Marion & Chizat** (claims `sharpness-minimizers`, `sharpness-gradient-flow`): every minimizer of a deep
  linear network has sharpness at least a bound depending on the depth $L$, the data covariance $\Sigma$ and the
  target, and gradient flow from a small initialization ends close to it.
* **Mulayoff & Michaeli** (claim `sgd-stability`): SGD with batches of size $B$ is mean-square stable at an
  interpolating minimum exactly for steps $\alpha \le \alpha^*(B)$, in closed form.
* **S-SAM** (claim `ssam-sharpness`): the stable critical points of $L_R$ are flatter than every minimizer of $L$."""),
        ("code", r"""
import numpy as np
import sympy as sp

from derivations import related as related_derivations
from numeric.critical_points import critical_points
from numeric.sharpness import dense_minimizers, dense_network, diagonal_network, minimizer_bounds
from numeric.stability import closed_form
from ssam_verify.notebook_parts.display import show_claims, show_figure, show_formulas, show_table"""),
        ("markdown", r"""
## The minimal sharpness of a chain
For a chain of $L$ scalars with product $w_1 \cdots w_L = a$ (one coordinate, whitened data), the sharpness of
$(a - \prod_l w_l)^2$ at a minimizer is $2 a^2 \sum_l w_l^{-2}$. By AM-GM, $\sum_l w_l^{-2} \ge L\,a^{-2/L}$ with
equality at the balanced point $w_l = a^{1/L}$, where the Lagrange conditions hold with one multiplier. SymPy
finds the balanced point and the minimal value $2 L a^{2 - 2/L}$:"""),
        ("code", r"""
rows = []
for L in (2, 3, 4):
    point, value = related_derivations.chain_minimal_sharpness(L)
    rows.append((f"$L = {L}$: balanced weight, minimal sharpness", sp.Tuple(point, value)))
show_formulas(rows, headers=("depth", "$(w_l, \\; 2 a^2 \\sum_l w_l^{-2})$"))"""),
        ("markdown", r"""
## Dense networks on non-whitened data: which bound is a lower bound?
The spec states the lower bound $2\lambda_{\max}(\Sigma) L a^{2-2/L}$ with $a = \|w^*\|$. Re-derivation shows it is an
*upper* bound on the minimal sharpness; the lower bound is $2L\, (w^{*\top}\Sigma w^*) / a^{2/L}$, which the
balanced dense minimizer attains when $w^*$ is an eigenvector of $\Sigma$. Here $\Sigma = \mathrm{diag}(2, 1)$,
$w^* = (0, 1)$ (the small eigenvalue's direction), $L = 4$:"""),
        ("code", r"""
ws, Sigma, L = np.array([0.0, 1.0]), np.diag([2.0, 1.0]), 4
Ws, product = dense_minimizers.balanced_dense_minimizer(ws, L, 2)
a = np.linalg.norm(ws)
show_table([["sharpness of the balanced minimizer", dense_network.dense_sharpness(Ws, product, Sigma, ws)],
            ["lower bound $2L\\,(w^{*\\top}\\Sigma w^*)/a^{2/L}$", minimizer_bounds.lower_bound(Sigma, ws, L)],
            ["the spec's $2\\lambda_{\\max}(\\Sigma) L a^{2-2/L}$ (above the minimum: not a lower bound)",
             2 * np.linalg.eigvalsh(Sigma).max() * L * a ** (2 - 2 / L)]],
           ["quantity", "value"])"""),
        ("markdown", r"""
## The diagonal network, and S-SAM's critical points
For the diagonal network on whitened data the minimal sharpness over minimizers of $L$ is
$2L \max_h |w^*_h|^{2-2/L}$, attained at balanced factorizations. S-SAM does not converge to a minimizer of $L$
but to a critical point of $L_R$ (Theorem 3.1): its weights are shrunk by $\lambda_h < 1$, and the sharpness of
$L_R$ there is smaller, decreasing in $\eta$:"""),
        ("code", r"""
wstar = np.array([1.0, 0.5])
rows = []
for L in (2, 3, 4, 5):
    row = [L, diagonal_network.diagonal_minimal_sharpness(wstar, L)]
    for eta in (0.1, 0.2, 0.3):
        minima = [p for p in critical_points(L, eta, wstar) if p.kind == "minimum" and np.all(p.lambdas > 0)]
        row.append(diagonal_network.diagonal_sharpness(minima[0].weights, wstar, eta=eta) if minima else float("nan"))
    rows.append(row)
show_table(rows, ["depth $L$", "minimal sharpness of $L$"] + [f"$L_R$ at S-SAM's minimum, $\\eta = {e}$"
                                                               for e in (0.1, 0.2, 0.3)], digits=4)"""),
        ("markdown", r"""
## SGD's exact stability threshold (Mulayoff & Michaeli, Theorem 3)
Linearized SGD $\theta \leftarrow \theta - \alpha H_B \theta$ with per-sample Hessians $H_i = x_i x_i^\top$ and
batches of $B$ of the $n$ samples drawn without replacement is mean-square stable iff $\alpha \le \alpha^*(B) =
2/\lambda_{\max}(C^+ D)$, where the batch second moment mixes $H \otimes H$ and the per-sample moments with weight
$p = (n - B)/(B(n-1))$. For $B = n$ it is GD's threshold $2/\lambda_{\max}(H)$. The suite computes the threshold
from the $d$-dimensional structure of rank-one Hessians, and checks it against the dense $d^2 \times d^2$ route;
$n = 8$ samples in $d = 3$:"""),
        ("code", r"""
X = np.random.default_rng(0).standard_normal((8, 3))
rows = []
for B in range(1, 9):
    r = closed_form.threshold(X, B)
    rows.append([B, r.p, r.threshold, closed_form.dense_threshold(X, B), r.gd_threshold])
show_table(rows, ["batch size $B$", "$p$", "$\\alpha^*(B)$, structured", "$\\alpha^*(B)$, dense route",
                  "GD: $2/\\lambda_{\\max}(H)$"], digits=8)"""),
        ("markdown", r"""
## Figures
The threshold against the batch size with the necessary conditions of Proposition 3, and the sharpness of S-SAM's
minima against the depth."""),
        ("code", 'show_figure("sgd-threshold-vs-batch")'),
        ("code", 'show_figure("sharpness-vs-depth")'),
        ("markdown", "## The claims, run by the suite (quick sizes)"),
        ("code", 'show_claims(["sharpness-minimizers", "sharpness-gradient-flow", "sgd-stability", "ssam-sharpness"])'),
    ]
