"""Notebook part: Mulayoff & Michaeli (seed 004), Theorems 1, 2, 4, 6 and Corollary 1."""
from __future__ import annotations

NOTEBOOK = "09-mulayoff-michaeli"
TITLE = "Mulayoff & Michaeli: the mean, Ma & Ying's criterion, regular minima, covariance limits, Kronecker systems"


def cells():
    return [
        ("markdown", "# " + TITLE + "\n\nClaims `mm-theorem-1`, `mm-theorem-2`, `mm-theorem-4`, `mm-corollary-1`, "
                     "`mm-theorem-6` (Theorem 3, the exact threshold `alpha*`, is `sgd-stability`). The seed lost "
                     "its formulas: each claim module states the reconstructed version it verifies."),
        ("code", "import numpy as np\n"
                 "from numeric import linearized_sgd as lsgd, ma_ying_criterion as criterion, kronecker_systems\n"
                 "from numeric.stability import closed_form\n"
                 "from derivations import sgd_moments\n"
                 "from checks.mulayoff_michaeli.instances import regular_minimum, interpolating_cases\n"
                 "from checks.framework import load_claims, get_claim, run_claim, RunContext\nload_claims()\n"
                 "prob, grads, theta0 = regular_minimum(0)\nB = 2\n"
                 "alpha_star = closed_form.threshold(prob, B).threshold\n"
                 "alpha_gd = 2 / np.linalg.eigvalsh(prob.mean_hessian()).max()\n"
                 "print('alpha* =', alpha_star, ' 2/lambda_max =', alpha_gd)"),
        ("markdown", "## Theorem 1: the mean follows GD, whatever the batch size\n\nThe boundary of the mean map "
                     "`E[I - alpha H_b]` (all batches enumerated), found by bisection on its spectral radius, "
                     "against `2/lambda_max(H)`."),
        ("code", "for b in (1, 2, prob.n):\n"
                 "    found = lsgd.stability_boundary(lambda a: lsgd.log_spectral_radius(lsgd.mean_step_matrix(prob, b, a)) <= 1e-12)\n"
                 "    print(b, found, found / alpha_gd - 1)\n"
                 "sgd_moments.mean_stability_interval()"),
        ("markdown", "## Theorem 2: Ma & Ying's PSD criterion equals `alpha*`; where its necessary conditions are loose"),
        ("code", "for name, pr in interpolating_cases(0):\n"
                 "    exact = closed_form.threshold(pr, 1).threshold\n"
                 "    found, S, info = criterion.psd_constrained_threshold(pr, 1)\n"
                 "    ratios = {k: round(v / exact, 4) for k, v in criterion.necessary_thresholds(pr, 1).items()}\n"
                 "    print(f'{name:42s} alpha_MY/alpha* - 1 = {found / exact - 1:+.1e}', ratios)"),
        ("markdown", "## Theorem 4: at `alpha*` the extra noise term makes the second moment grow linearly\n\n"
                     "Slope of `<Sigma*, S_t>` in the recursion against `alpha*^2 p <Sigma*, G>`; the null-space "
                     "part is a random walk at every step size."),
        ("code", "res = closed_form.threshold(prob, B)\n"
                 "Z = lsgd.regular_transition_matrix(prob, grads, B, res.threshold)\n"
                 "z0 = np.concatenate([theta0, np.outer(theta0, theta0).ravel(), [1.0]])\n"
                 "S = lambda t: (np.linalg.matrix_power(Z, t) @ z0)[3:12].reshape(3, 3)\n"
                 "G, p = grads.T @ grads / prob.n, (prob.n - B) / (B * (prob.n - 1))\n"
                 "print('measured', np.sum(res.sigma * (S(8192) - S(4096))) / 4096,\n"
                 "      'predicted', res.threshold**2 * p * np.sum(res.sigma * G))"),
        ("markdown", "## Corollary 1: the limits grow with the step size and blow up at `alpha*`"),
        ("code", "for f in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99):\n"
                 "    Sigma = closed_form.regular_limit_covariance(prob, grads, B, f * alpha_star)\n"
                 "    print(f, lsgd.taylor_limits(prob, Sigma))"),
        ("markdown", "## Theorem 6: the top eigenvalue of a symmetric Kronecker system is dominant, with a PSD "
                     "eigenvector; a negative weight breaks it"),
        ("code", "reflection = np.diag([1.0, -1.0])\n"
                 "for w in (0.05, 0.0, -0.05):\n"
                 "    M = kronecker_systems.kronecker_square_sum([reflection, np.eye(2)], [1.0, w])\n"
                 "    c = kronecker_systems.psd_top_certificate(M, 2)\n"
                 "    print(w, {k: round(c[k], 4) for k in ('lambda_max', 'lambda_min', 'dominance_margin', 'psd_gap')})"),
        ("markdown", "## The claims"),
        ("code", "for cid in ['mm-theorem-1', 'mm-theorem-2', 'mm-theorem-4', 'mm-corollary-1', 'mm-theorem-6']:\n"
                 "    r = run_claim(get_claim(cid), RunContext(quick=True)); print(cid, r.verdict, round(r.seconds, 2))"),
    ]
