"""The symbols of the PAC-Bayes bound of Lemma 2.3, shared by every step of its derivation.

``R_pop = E_rho L_pop``, ``R_emp = E_rho L_emp``, ``M2 = E_rho E_Z l^2`` (the
population second moment of the loss), ``KL = KL(rho || pi)``, the sample size
``n``, the confidence ``delta``, the Catoni-style parameter ``lam`` (and
``beta = lam sqrt(n)``), the label noise ``tau``, the fourth-moment factor
``k4`` of the inputs, and a generic weight ``w`` with prior/posterior scale ``s``.
"""
from __future__ import annotations

import sympy as sp

__all__ = ["w", "s", "lam", "beta", "n", "delta", "R_pop", "R_emp", "M2", "KL", "tau", "k4"]

w, s = sp.Symbol("w", real=True), sp.Symbol("sigma", positive=True)
lam, beta, n, delta = sp.symbols("lambda beta n delta", positive=True)
R_pop, R_emp, M2, KL = sp.symbols("R_pop R_emp M_2 KL", real=True)
tau, k4 = sp.symbols("tau k_4", positive=True)
