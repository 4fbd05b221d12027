"""Notebook part: the dynamics of deep linear networks behind Marion & Chizat's sharpness results (seed 003)."""
from __future__ import annotations

NOTEBOOK = "08-marion-chizat"
TITLE = "Marion & Chizat: invariants, PL, the end of the flow, residual networks and the critical step"

CLAIMS = ["mc-lemma-1", "mc-lemma-2", "mc-theorem-3", "mc-corollary-1", "mc-theorem-4", "mc-corollary-3",
          "mc-critical-step"]


def cells():
    return [
        ("markdown", "# " + TITLE + "\n\nLoss without 1/2: `R(W) - R_min = (w - w*)^T Sigma (w - w*)`, "
                     "`w = W_1^T ... W_L^T p`. Claims " + ", ".join(f"`{c}`" for c in CLAIMS) + ". The papers' "
                     "formulas were lost in extraction; each claim states the version it verifies."),
        ("code", "import numpy as np\n"
                 "from numeric import deep_linear as dl\n"
                 "from numeric.sharpness import minimizer_bounds\n"
                 "from derivations import deep_linear as dld\n"
                 "from checks.framework import load_claims, get_claim, run_claim, RunContext\nload_claims()"),
        ("markdown", "## Lemma 1: the conserved balancedness, symbolically and along a flow"),
        ("code", "print([M.is_zero_matrix for M in dld.balancedness_derivative(2, [2, 2, 1])])\n"
                 "print([M.is_zero_matrix for M in dld.balancedness_derivative(2, [2, 2, 1], 'no transposes')])\n"
                 "Sigma = dl.covariance_with_spectrum([4.0, 2.0, 1.0], seed=0); wstar = np.array([1.0, -0.5, 0.3])\n"
                 "W0 = dl.small_initialization(3, [3, 3, 1], 0.3, seed=1)\n"
                 "grid = dl.gradient_flow_on_grid(W0, np.ones(1), Sigma, wstar, t_end=3.0)\n"
                 "drift = max(np.linalg.norm(a - b) for a, b in zip(dl.balancedness(grid.layers(-1)), "
                 "dl.balancedness(W0)))\nprint('drift', drift, 'global error estimate', grid.error_estimate)"),
        ("markdown", "## Lemma 2 and Corollary 1: from small initialization to a rank-one, balanced, aligned end"),
        ("code", "for s in (1e-2, 3e-3, 1e-3):\n"
                 "    W0 = [s * W for W in dl.small_initialization(3, [3, 3, 1], 1.0, seed=1)]\n"
                 "    tr = dl.gradient_flow_to_convergence(W0, np.ones(1), Sigma, wstar)\n"
                 "    st = dl.structure(tr.final_layers); eps = dl.balancedness_epsilon(W0)\n"
                 "    dev = np.max(np.abs(st['sigma']**2 - np.linalg.norm(wstar)**(2/3)))\n"
                 "    print(f's={s:g} eps={eps:.2e} deviation/eps={dev/eps:.3f} '\n"
                 "          f'defect/eps={st[\"defect\"].max()/eps:.3f} '\n"
                 "          f'misalignment/eps^2={(1 - st[\"alignment\"]).max()/eps**2:.3f}')"),
        ("markdown", "## Theorem 3: the PL constant at the saddle scales as `s^{2(L-1)}`"),
        ("code", "print(dld.saddle_orders(2, [2, 2, 1]))\n"
                 "for s in (1e-3, 3e-4, 1e-4):\n"
                 "    W0 = [s * W for W in dl.small_initialization(3, [3, 3, 1], 1.0, seed=1)]\n"
                 "    tr = dl.gradient_flow_to_convergence(W0, np.ones(1), Sigma, wstar, extra_times=50)\n"
                 "    prof = dl.pl_profile(tr, min_excess=1e-16); keep = prof['times'] >= 1\n"
                 "    print(f's={s:g}  mu/s^4 = {prof[\"ratio\"][keep].min() / s**4:.2f}')"),
        ("markdown", "## Theorem 4 and Corollary 3: residual networks"),
        ("code", "for L in (4, 8, 16):\n"
                 "    W0, p = dl.residual_initialization(L, 4, 1.0, seed=L)\n"
                 "    S4 = dl.covariance_with_spectrum([4.0, 2.5, 1.6, 1.0], seed=0)\n"
                 "    w4 = np.array([0.5, -0.5, 0.5, 0.5])\n"
                 "    tr = dl.gradient_flow_to_convergence(W0, p, S4, w4, loss_tol=1e-16, method='DOP853', rtol=1e-10, "
                 "atol=1e-12)\n"
                 "    move = max(np.linalg.norm(a - b) for a, b in zip(tr.final_layers, W0))\n"
                 "    S = dl.sharpness(tr.final_layers, p, S4, w4); lower = minimizer_bounds.lower_bound(S4, w4, L)\n"
                 "    print(f'L={L}: L * max movement = {L * move:.3f}, S / lower bound = {S / lower:.3f}, '\n"
                 "          f'extremes {dl.partial_product_extremes(tr.final_layers)}')"),
        ("markdown", "## The critical step `2 / S_min`"),
        ("code", "print(dld.chain_descent_linearization(3))\n"
                 "ws = np.array([0.8, -0.6]); L = 3; s_min = minimizer_bounds.lower_bound(np.eye(2), ws, L)\n"
                 "rng = np.random.default_rng(0); shapes = dl.layer_shapes(2, [2, 2, 1])\n"
                 "W0 = [np.stack([0.1 * rng.standard_normal(s) for _ in range(4)]) for s in shapes]\n"
                 "steps = np.array([0.95, 0.98, 1.02, 1.05]) * 2 / s_min\n"
                 "runs = dl.gradient_descent_batch(W0, np.ones(1), np.eye(2), ws, steps, max_iter=3000)\n"
                 "print(list(runs.status))"),
        ("markdown", "## The claims"),
        ("code", "for cid in " + repr(CLAIMS) + ":\n"
                 "    r = run_claim(get_claim(cid), RunContext(quick=True)); print(cid, r.verdict, round(r.seconds, 2))"),
    ]
