"""Section 2 of the paper: the noisy S-SAM gradient, the marginalized loss and the PAC-Bayes bound.

One module per claim: :mod:`.lemma_2_1` (the noisy gradient, eq 6, and its SGD
case, eq 4), :mod:`.lemma_2_2` (``L_R = E[L(W+G)] = L + R``, eqs 7-9) and
:mod:`.lemma_2_3` (the reconstructed PAC-Bayes bound, eq 27, derived and its
coverage measured).  Beside them, the machinery they share: :mod:`.instances`
(the depths of the symbolic proofs, the random evaluation points and the fixed
Monte Carlo instances of Lemmas 2.1-2.2 with bounded whitened data),
:mod:`.monte_carlo_design` (how Lemmas 2.1-2.2 spend and justify their
false-failure probability: nominal level, Edgeworth inflation from pilot tails,
escape probabilities of the controls), :mod:`.precision` (the float64 and
50-digit tolerances and relative errors), and for Lemma 2.3 :mod:`.pacbayes_scenarios` (the coverage scenarios,
simulated once per run), :mod:`.pacbayes_bound_formula` (the numeric bound
against the derived one at exact rational points) and
:mod:`.pacbayes_moment_cases` (the cases of the loss-moment checks and their
cached draws).
"""
