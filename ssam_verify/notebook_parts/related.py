"""Notebook part: related sharpness results (Marion & Chizat; Mulayoff & Michaeli)."""
from __future__ import annotations

NOTEBOOK = "06-related-sharpness"
TITLE = "Related results: minimal sharpness of minimizers and SGD's exact stability threshold"


def cells():
    return [
        ("markdown", "# " + TITLE + "\n\nLoss without 1/2: `L = mean (y - f)^2`. Claims `sharpness-minimizers`, "
                     "`sharpness-gradient-flow`, `sgd-stability`, `ssam-sharpness`."),
        ("code", "import numpy as np\n"
                 "from numeric.sharpness import dense_minimizers, dense_network, minimizer_bounds\n"
                 "from numeric.stability import closed_form\n"
                 "from derivations import related as related_derivations\n"
                 "from checks.framework import load_claims, get_claim, run_claim, RunContext\nload_claims()"),
        ("markdown", "## Minimal sharpness of the 1-D chain (Lagrange / AM-GM)"),
        ("code", "related_derivations.chain_minimal_sharpness(3)"),
        ("markdown", "## Whitened vs non-whitened dense networks: lower bound, balanced value, upper bound"),
        ("code", "ws = np.array([0.0, 1.0]); Sigma = np.diag([2.0, 1.0]); L = 4\n"
                 "Ws, p = dense_minimizers.balanced_dense_minimizer(ws, L, 2)\n"
                 "print('sharpness at balanced minimizer', dense_network.dense_sharpness(Ws, p, Sigma, ws))\n"
                 "print('lower bound 2L w^T S w / a^(2/L)', minimizer_bounds.lower_bound(Sigma, ws, L))\n"
                 "print('spec 2 Lambda L a^(2-2/L) (not a lower bound)', 2 * 2.0 * L * 1.0)"),
        ("markdown", "## SGD threshold: structured vs dense, monotone in B"),
        ("code", "rng = np.random.default_rng(0); X = rng.standard_normal((8, 3))\n"
                 "for B in range(1, 9):\n    r = closed_form.threshold(X, B)\n"
                 "    print(B, r.threshold, closed_form.dense_threshold(X, B), r.gd_threshold)"),
        ("markdown", "## The claims"),
        ("code", "for cid in ['sharpness-minimizers', 'sharpness-gradient-flow', 'sgd-stability', 'ssam-sharpness']:\n"
                 "    r = run_claim(get_claim(cid), RunContext(quick=True)); print(cid, r.verdict, round(r.seconds, 2))"),
    ]
