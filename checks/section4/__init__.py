"""Section 4 of the paper: the dynamics of the gradient flow, gradient descent and (projected) S-SAM.

One module per claim: :mod:`.gradient_flow_facts` (along the flow of ``L_R``: monotone,
bounded, energy identity, convergence; eqs 15-17), :mod:`.theorem_4_1` (balancing under
the flow at rate ``4 eta^{2(L-1)}``, eq 35), :mod:`.theorem_4_2` (GD converges below our
Hessian bound ``M``), :mod:`.theorem_4_3` (balancing under GD, eq 50, with the constant
``C``) and :mod:`.theorem_4_4` (projected S-SAM and the radius of eq 57).  Every check
compares the symbolic derivations of :mod:`derivations.dynamics` with the simulators of
:mod:`numeric.dynamics` and the critical points of :mod:`numeric.critical_points`.  Beside
them, the machinery they share: :mod:`.derived_functions` (the derivations turned into
NumPy functions with ``sympy.lambdify``), :mod:`.tolerances` (the slack of float64
flows and the strong-descent margin ``delta``) and :mod:`.ssam_runs` (the S-SAM runs of Theorem 4.4 and their Student-t tests).
"""
