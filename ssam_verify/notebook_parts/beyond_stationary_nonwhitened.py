"""Notebook part beyond the paper: S-SAM's stationary spread at a constant step, and non-whitened data."""
from __future__ import annotations

NOTEBOOK = "11-beyond-stationary-nonwhitened"
TITLE = "Beyond the paper: S-SAM's stationary spread, and the landscape on non-whitened data"


def cells() -> list:
    """The cells of the notebook, in order: ``[("markdown" | "code", source), ...]``."""
    return [
        ("markdown", f"# {TITLE}\n\n"
         "Two open questions of the paper's outlook (Section 5), made checkable: claims `ssam-stationary` and "
         "`nonwhitened-landscape`. Every number below is computed by the suite."),
        ("markdown", "## S-SAM with a constant step settles into a stationary spread\n"
         "Linearize one step at a minimum $W^\\circ$: $\\delta' = \\delta - \\alpha(g_0 + J\\delta)$. The noise moments "
         "$Q = \\mathrm{Cov}\\,g_0$, $H = E J$ and $E[J\\otimes J]$ are exact (Gaussian moments per coordinate, "
         "checked against Gauss-Hermite quadrature). For $L = 2$ at the balanced minimum $a^2 = w^* - \\eta^2$:"),
        ("code", "import numpy as np\n"
                 "from derivations import stationary as stationary_derivation\n"
                 "spread = stationary_derivation.two_layer_spread()\n"
                 "{k: spread[k] for k in ('lambda_b', 'lambda_i', 'q_b', 'q_i', 's_b', 's_i')}"),
        ("markdown", "The imbalance $D = W_{l+1}^2 - W_l^2$ drifts toward balance at GD's rate, up to an "
         "$\\alpha^2$ noise term, exactly:"),
        ("code", "stationary_derivation.balance_drift_identity(3)['rhs']"),
        ("markdown", "Independent S-SAM runs (one deviation per run after the burn-in) against the discrete "
         "Lyapunov prediction $S = ASA^T + \\alpha^2 Q$ and the mean-square one (multiplicative noise kept), "
         "along the principal axes of each prediction (1 = exact):"),
        ("code", "from numeric import stationary\n"
                 "from checks.beyond import ssam_stationary as claim\n"
                 "W, X, Y, eta = claim.instance()\n"
                 "moments = stationary.noise_moments(W, X, Y, eta)\n"
                 "print('mean-square stability threshold', stationary.mean_square_stability_threshold(moments))\n"
                 "for alpha in (0.01, 0.02, 0.04):\n"
                 "    burn_in = stationary.burn_in_steps(moments, alpha, 3e-3)\n"
                 "    deviations = stationary.stationary_deviations(W, X, Y, eta, alpha, 20000, burn_in, seed=1)\n"
                 "    for multiplicative in (False, True):\n"
                 "        S = stationary.stationary_second_moment(moments, alpha, multiplicative)\n"
                 "        estimate, se, _ = stationary.whitened_second_moments(deviations, S)\n"
                 "        print(alpha, 'mean-square' if multiplicative else 'discrete  ', np.round(estimate[[0, 2]], 3),\n"
                 "              '+-', np.round(se[[0, 2]], 3))"),
        ("markdown", "## Non-whitened data: the threshold moves to an effective target\n"
         "$E[L(W+G)] = (w^*-\\pi)^T\\Sigma(w^*-\\pi) + \\sum_h \\Sigma_{hh} R_h$; at a balanced point the critical "
         "equation is the whitened shrinkage polynomial at $m_h = w^*_h + \\sum_{k\\ne h} (\\Sigma_{hk}/\\Sigma_{hh})"
         "(w^*_k - \\pi_k)$:"),
        ("code", "import sympy as sp\n"
                 "from derivations import nonwhitened as nonwhitened_derivation\n"
                 "equation = nonwhitened_derivation.critical_equation(3)\n"
                 "print('difference:', sp.cancel(equation['difference']))\n"
                 "equation['effective_target']"),
        ("markdown", "For $L = 2$ the minimizers' products solve a weighted lasso: with correlated inputs a "
         "coordinate below $\\tau_2 = \\eta^2$ can be nonzero (Newton from random starts, 40 digits):"),
        ("code", "import mpmath\n"
                 "from numeric import nonwhitened\n"
                 "Sigma = np.array([[mpmath.mpf(2), mpmath.mpf('0.7')], [mpmath.mpf('0.7'), mpmath.mpf(1)]], "
                 "dtype=object)\n"
                 "points = nonwhitened.search_critical_points(2, mpmath.mpf('0.5'), [mpmath.mpf(2), mpmath.mpf('0.2')], "
                 "Sigma, starts=100)\n"
                 "for p in points:\n"
                 "    print(p.kind, [mpmath.nstr(x, 8) for x in p.W.ravel()])"),
        ("markdown", "## The claims"),
        ("code", "from checks.framework import RunContext, get_claim, run_claim\n"
                 "for cid in ['ssam-stationary', 'nonwhitened-landscape']:\n"
                 "    r = run_claim(get_claim(cid), RunContext(quick=True)); print(cid, r.verdict, round(r.seconds, 2))"),
    ]
