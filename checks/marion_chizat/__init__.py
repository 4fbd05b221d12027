"""Marion & Chizat 2024 (seed 003), *Deep linear networks for regression are implicitly regularized towards flat
minima*: the dynamics behind their sharpness results, one module per claim, named for its id.

* ``mc_lemma_1``: the gradient-flow invariants ``W_{k+1}^T W_{k+1} - W_k W_k^T`` (Arora et al. 2018);
* ``mc_lemma_2``: rank-one defect, spread of the spectral norms, alignment of neighbouring singular vectors;
* ``mc_theorem_3``: the PL inequality along the flow from small initialization, its constant and its order in
  the initialization scale;
* ``mc_corollary_1``: the end of the flow: near rank one, equal norms ``||w*||^{1/L}``, aligned;
* ``mc_theorem_4``, ``mc_corollary_3``: residual networks with Gaussian initialization converge, each layer moves
  by ``O(1/L)``, and the sharpness of the limit is within a constant times ``kappa`` of the minimal one;
* ``mc_critical_step``: gradient descent settles only at minimizers of sharpness ``<= 2 / alpha``.

Beside them: ``instances`` (the problems, flows and runs they share, cached per run context) and
``scaling`` (the checks of a constant's form and of a fitted exponent, shared by the claims that measure one).
The formulas were lost in extraction from the seed; each claim states the version it verifies and how it was
reconstructed.  Loss normalization: no factor 1/2, ``R = mean (y - f)^2``; only ``(Sigma, w*)`` enter.
"""
