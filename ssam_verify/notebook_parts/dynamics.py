"""Notebook part for Section 4: gradient flow, GD, S-SAM and projected S-SAM."""
from __future__ import annotations

NOTEBOOK = "04-dynamics"
TITLE = "Section 4: dynamics of the gradient flow, GD and (projected) S-SAM"


def cells() -> list:
    """The cells of the notebook, in order (each code cell runs in a few seconds)."""
    return [
        ("markdown", "# " + TITLE + "\n\n"
         "Claims `gradient-flow-facts`, `theorem-4.1` .. `theorem-4.4` of Clara, Langer & "
         "Schmidt-Hieber (arXiv 2503.11891), Section 4 and Appendices C-D. Per coordinate "
         "`L_R = w*^2 - 2 w* pi + prod_l (w_l^2 + eta^2)`, so the gradient is "
         "`2 (w_l prod_{k!=l}(w_k^2+eta^2) - w* prod_{k!=l} w_k)`."),
        ("code", "import numpy as np\nimport sympy as sp\n"
                 "from derivations.dynamics import descent, flow, hessian, projection\n"
                 "from derivations.marginalized import prove_identity\n"
                 "from numeric import model\nfrom numeric.critical_points import nearest_critical_point\n"
                 "from numeric.dynamics.deterministic import gradient_descent\n"
                 "from numeric.dynamics.flows import gradient_flow\n"
                 "from checks.framework import RunContext, get_claim, run_claim"),
        ("markdown", "## Theorem 4.1: the balancing ODE (eq 35)\n"
                     "`d/dt (w_{l+1}^2 - w_l^2) = -4 eta^2 prod_{k not in {l,l+1}} (w_k^2+eta^2) (w_{l+1}^2 - w_l^2)`."),
        ("code", "L = 3\nprint(prove_identity(flow.flow_balancing_derivative(L, 1), flow.balancing_ode_rhs(L, 1)))\n"
                 "flow.balancing_ode_rhs(L, 1)"),
        ("code", "# L = 2: the gap decays exactly like exp(-4 eta^2 t)\n"
                 "W0 = np.array([[0.3], [1.7]]); wstar = np.array([1.3]); eta = 0.7\n"
                 "t = np.linspace(0, 2, 5)\ntr = gradient_flow(W0, wstar, eta, t)\n"
                 "g = tr.records['balancing_gap'][:, 0, 0]\nprint(g / g[0] / np.exp(-4 * eta**2 * t) - 1)"),
        ("markdown", "## Theorem 4.3: one GD step multiplies each coordinate's gap by an explicit factor\n"
                     "Beyond the paper: eq 50's `alpha^2` term factors, so `D' = [(1 - 2 alpha eta^2 A)^2 - 4 alpha^2 s^2] D`."),
        ("code", "s = descent.gd_multiplier(2, 1)\nprint(sp.factor(s))\n"
                 "print(prove_identity(descent.gd_balancing_next(3, 1), descent.gd_multiplier(3, 1) * "
                 "(sp.Symbol('w_2', real=True)**2 - sp.Symbol('w_1', real=True)**2)))"),
        ("markdown", "## Theorem 4.2: our Hessian bound and GD from a generic start\n"
                     "`M = (2 + (1+sqrt2)(L-1)) (L_R(W(0)) - (d-1) eta^{2L}) / eta^2`, steps `alpha <= 2(1-delta)/M`."),
        ("code", "M, (Lv, d, c, e) = hessian.hessian_bound()\nprint(M)\n"
                 "print({k: v for k, v in hessian.hessian_bound_proof(3).items()})"),
        ("code", "L, eta, wstar = 3, 0.6, np.array([1.6, -1.2])\n"
                 "W0 = np.array([[1.1, -0.9], [0.8, 1.2], [1.3, 0.9]])\n"
                 "cval = float(model.marginalized_loss(W0, wstar, eta))\n"
                 "alpha = 2 * 0.5 / float(M.subs({Lv: L, d: 2, c: cval, e: eta}))\n"
                 "tr = gradient_descent(W0, wstar, eta, 10000, alpha, record_every=1000)\n"
                 "cp, dist = nearest_critical_point(tr.final_weights, eta, wstar)\n"
                 "print(alpha, dist, cp.kind, cp.root_index, cp.lambdas)"),
        ("markdown", "## Theorem 4.4: the projection radius `sqrt(L) ||w*|| / (2 eta^{L-1})`"),
        ("code", "print(projection.radius_discriminant_condition())"),
        ("code", "# the claims, quick mode\nfor cid in ['gradient-flow-facts', 'theorem-4.1', 'theorem-4.3']:\n"
                 "    r = run_claim(get_claim(cid), RunContext(quick=True))\n    print(cid, r.verdict, round(r.seconds, 1))"),
        ("code", "from pathlib import Path\nfrom ssam_verify.figures.dynamics import FIGURES\n"
                 "paths = FIGURES['balancing-decay'](Path('figures'))\nfrom IPython.display import Image\nImage(str(paths[0]))"),
    ]
