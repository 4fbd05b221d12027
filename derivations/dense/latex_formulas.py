"""The dense formulas for the LaTeX export, written in symbolic widths ``d_j`` (claims beyond the paper)."""
from __future__ import annotations

import sympy as sp

__all__ = ["formulas"]


def formulas() -> list:
    """``(claim id, equation, name, expression)``; ``F(X)`` stands for ``||X||_F^2``."""
    d = sp.symbols("d_0:4", positive=True, integer=True)
    eta = sp.Symbol("eta", positive=True)
    m, n = sp.symbols("m n", positive=True, integer=True)
    G, A = sp.MatrixSymbol("G", m, n), sp.MatrixSymbol("A", n, n)
    expectation, norm = sp.Function("E"), sp.Function("F")
    N_l, N_prev = sp.MatrixSymbol("N_l", d[1], d[1]), sp.MatrixSymbol("N_{l-1}", d[0], d[0])
    M_l, M_next = sp.MatrixSymbol("M_l", d[1], d[1]), sp.MatrixSymbol("M_{l+1}", d[2], d[2])
    W_l, W_next = sp.MatrixSymbol("W_l", d[1], d[0]), sp.MatrixSymbol("W_{l+1}", d[2], d[1])
    W1, W2, W3 = (sp.MatrixSymbol(f"W_{k}", d[k], d[k - 1]) for k in (1, 2, 3))
    R = sp.Symbol("R")
    three_layers = (eta**2 * (d[0] * norm(W3 * W2) + norm(W1) * norm(W3) + d[3] * norm(W2 * W1))
                    + eta**4 * (d[0] * d[1] * norm(W3) + d[0] * d[3] * norm(W2) + d[2] * d[3] * norm(W1))
                    + eta**6 * d[0] * d[1] * d[2] * d[3])
    return [
        ("dense-regularizer", "D1", "sandwich rule, G with iid N(0, eta^2) entries",
         sp.Eq(expectation(G * A * G.T), eta**2 * sp.Trace(A) * sp.Identity(m), evaluate=False)),
        ("dense-regularizer", "D2", "prefix recursion, N_l = E[P~_l P~_l^T], N_0 = I, R = tr N_L - F(P)",
         sp.Eq(N_l, W_l * N_prev * W_l.T + eta**2 * sp.Trace(N_prev) * sp.Identity(d[1]), evaluate=False)),
        ("dense-regularizer", "D3", "suffix recursion, M_l = E[S~_l^T S~_l], M_L = I",
         sp.Eq(M_l, W_next.T * M_next * W_next + eta**2 * sp.Trace(M_next) * sp.Identity(d[1]), evaluate=False)),
        ("dense-regularizer", "D4", "two layers: weight decay with width factors plus a constant",
         sp.Eq(R, eta**2 * (d[0] * norm(W2) + d[2] * norm(W1)) + eta**4 * d[0] * d[1] * d[2], evaluate=False)),
        ("dense-regularizer", "D5", "three layers, the segment expansion",
         sp.Eq(R, three_layers, evaluate=False)),
        ("dense-balancing", "D6", "the balance law at every critical point",
         sp.Eq(sp.Trace(M_next) * W_l * N_prev * W_l.T, sp.Trace(N_prev) * W_next.T * M_next * W_next,
               evaluate=False)),
    ]
