"""The notation of the LaTeX export: how each symbol prints and what it means.

Every symbol (and undefined function) of every exported formula must have a
meaning, defined in the document's *Notation* section before the first formula;
``tests/test_latex.py`` fails on a symbol without one.  Meanings come from
:data:`GLOSSARY` (below) and from an optional ``notation()`` function of a
derivations module, returning ``[(symbol name, latex or None, meaning)]`` for
that module's own symbols, so a new derivation can define its symbols where it
defines them.  A glossary entry matches a symbol name by regular expression,
optionally only in some claims (the same letter means different things in
different parts of the paper: ``lambda`` is a Chernoff parameter in Lemma 2.3
and a shrinkage factor in Theorem 3.1).

``latex`` overrides how SymPy prints a symbol whose name is not LaTeX
(``S_avg`` as ``S_{\\mathrm{avg}}``, ``n_wstar`` as ``\\|w^*\\|``); names that already
are LaTeX (``\\partial_{w_1} L_R``) print verbatim.  The override goes through
SymPy's own printer (``sympy.latex(expr, symbol_names=...)``).
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .text import math_to_latex

__all__ = ["Notation", "GLOSSARY", "collect_notation", "formula_symbols", "symbol_key", "symbol_latex",
           "symbol_names", "notation_for", "notation_entries", "undefined_symbols"]


@dataclass(frozen=True)
class Notation:
    """How a symbol prints (``latex``; ``None``: SymPy's default) and what it means, in some claims or all."""

    pattern: str
    meaning: str
    latex: str | None = None
    claims: tuple = ()


_S2, _S3 = ("lemma-2.3",), ("theorem-3.1b", "theorem-3.1c", "lemma-F.1", "nonwhitened-landscape")
_SHARP, _SGD = ("sharpness-minimizers", "sharpness-gradient-flow"), ("sgd-stability",)
_STAT = ("ssam-stationary",)
# claims on other branches when this glossary was written (their symbols are defined ahead of the merge)
_MM = ("mm-theorem-1", "mm-theorem-2", "mm-theorem-4", "mm-corollary-1", "mm-theorem-6")
_DENSE = ("dense-regularizer", "dense-balancing")
_MC_RESIDUAL = ("mc-theorem-4", "mc-corollary-3")

#: The suite's notation.  Order matters only among entries that match the same name.
GLOSSARY = [
    Notation(r"L", r"depth, the number of layers, $L \ge 2$"),
    Notation(r"d", r"width, the number of coordinates $h = 1, \dots, d$"),
    Notation(r"eta", r"noise level of S-SAM: each weight is perturbed by independent $N(0, \eta^2)$ noise"),
    Notation(r"w\^\*", r"target of one coordinate, $w^*_h$ (labels $Y = \langle w^*, X\rangle$)"),
    Notation(r"w\^\*_(\d)", r"target of coordinate $h$", r"w^*_{\1}"),
    Notation(r"w_(\d)", r"weight of layer $l$ on one coordinate ($w_1$: the first layer)"),
    Notation(r"w_(\d)(\d)", r"weight $w_{lh}$ of layer $l$ on coordinate $h$"),
    Notation(r"W_l|W_\{l\+1\}", r"diagonal weight matrix $W_l = \mathrm{diag}(w_l)$ of layer $l$"),
    Notation(r"L\(W\)", r"the loss $L(W) = \sum_h (w^*_h - \prod_l w_{l,h})^2$ (eqs 2--3, no factor $1/2$)"),
    Notation(r"L_R", r"marginalized loss $L_R = \mathbb{E}_G L(W+G) = L + R$ (Lemma 2.2)"),
    Notation(r"R", r"regularizer $R = L_R - L$ (eq 7), a function of the weights"),
    Notation(r"S_avg", r"average sharpness $\mathbb{E}_G L(W+G) - L(W)$ (eq 9)", r"S_{\mathrm{avg}}"),
    Notation(r"alpha", r"step size of GD, SGD or S-SAM"),
    Notation(r"t", r"time of the gradient flow"),
    # Lemma 2.3 (PAC-Bayes)
    Notation(r"x", r"a real variable, $x \ge 0$", claims=_S2),
    Notation(r"ell", r"loss $\ell(W+G; Z) \ge 0$ of one sample $Z$", claims=_S2),
    Notation(r"mu", r"mean of the loss, $\mu = \mathbb{E}\,\ell$", claims=_S2),
    Notation(r"m_2", r"second moment of the loss, $\mathbb{E}\,\ell^2$", claims=_S2),
    Notation(r"lambda", r"Chernoff parameter $\lambda > 0$", claims=_S2),
    Notation(r"E", r"expectation", r"\mathbb{E}"),
    Notation(r"KL", r"Kullback-Leibler divergence of the posterior from the prior, "
                    r"$\sum_l \|W_l\|_F^2 / (2\sigma^2)$", r"\mathrm{KL}", _S2),
    Notation(r"KL_entry", r"the same for one weight", r"\mathrm{KL}_{\mathrm{entry}}", _S2),
    Notation(r"w", r"one weight, the mean of its posterior", claims=_S2),
    Notation(r"sigma", r"standard deviation of the Gaussian prior and posterior of each weight", claims=_S2),
    Notation(r"M_2", r"$\mathbb{E}_G \mathbb{E}_Z \ell(W+G; Z)^2$, the posterior second moment of the loss",
             claims=_S2),
    Notation(r"R_emp", r"empirical posterior loss $\mathbb{E}_G L_{\mathrm{emp}}(W+G)$", r"R_{\mathrm{emp}}", _S2),
    Notation(r"R_pop", r"population posterior loss $\mathbb{E}_G L_{\mathrm{pop}}(W+G)$", r"R_{\mathrm{pop}}", _S2),
    Notation(r"n", r"sample size", claims=_S2 + _SGD),
    Notation(r"delta", r"confidence level: the bound holds with probability $\ge 1-\delta$", claims=_S2),
    Notation(r"beta", r"temperature fixed before the data, $\lambda = \beta/\sqrt{n}$", claims=_S2),
    Notation(r"D", r"$\mathrm{KL} + \log(1/\delta)$", claims=_S2),
    Notation(r"beta\^\*", r"the best $\beta$ in hindsight (not a valid choice)", claims=_S2),
    Notation(r"B\^\*", r"the bound at $\beta^*$", claims=_S2),
    Notation(r"E_Z ell\^2", r"second moment of the loss over a fresh sample, given $u = w^* - \pi$",
             r"\mathbb{E}_Z \ell^2", _S2),
    Notation(r"Q", r"$u^\top \Sigma u$, $u = w^* - \pi$ the error of the end-to-end vector", claims=_S2),
    Notation(r"k_4", r"kurtosis factor of the inputs: $3$ (Gaussian), $3(\nu-2)/(\nu-4)$ (Student $t_\nu$)",
             claims=_S2),
    Notation(r"tau", r"standard deviation of the label noise", claims=_S2),
    Notation(r"nu", r"degrees of freedom of Student-$t$ inputs", claims=_S2),
    # Section 3 (landscape)
    Notation(r"lambda", r"shrinkage factor $\lambda_h \in (0,1)$: $|w_l| = \lambda_h |w^*_h|^{1/L}$ (eq 13)",
             claims=_S3),
    Notation(r"a", r"magnitude of the weights of a balanced point, $|w_l| = a = \lambda |w^*_h|^{1/L}$",
             claims=_S3),
    Notation(r"m", r"$|w^*_h|$, the magnitude of one coordinate's target", claims=_S3),
    Notation(r"P", r"shrinkage polynomial $(a^2+\eta^2)^{L-1} - m\, a^{L-2}$; its positive roots are the "
                   r"balanced critical points", claims=_S3),
    Notation(r"tau_L", r"threshold $\tau_L(\eta)$: nonzero critical points exist iff $|w^*_h| \ge \tau_L$ (eq 14)"),
    Notation(r"c", r"$\eta^2 |w^*_h|^{-2/L}$", claims=("lemma-F.1",)),
    Notation(r"m", r"$|m_h|$, one entry of the product $M = W_L \cdots W_1$", claims=("lemma-3.2",)),
    Notation(r"R_min", r"minimum of $R$ over the factorizations of $M$", r"R_{\min}", ("lemma-3.2",)),
    Notation(r"T_min", r"minimum of $\operatorname{tr} \nabla^2 L$ over the factorizations of $M$", r"T_{\min}",
             ("lemma-3.2",)),
    Notation(r"tr H", r"trace of the Hessian of $L$", r"\operatorname{tr} \nabla^2 L", ("lemma-3.2",)),
    # Section 4 (dynamics)
    Notation(r"\\partial_\{w_1\} L_R", r"partial derivative of $L_R$ in the first layer's weight"),
    Notation(r"D_1", r"imbalance $D_l(t) = w_{l+1}(t)^2 - w_l(t)^2$ of layers $l, l+1$ ($l = 1$)"),
    Notation(r"\\\|D\(t\)\\\|/\\\|D\(0\)\\\|", r"relative size of the imbalance at time $t$"),
    Notation(r"M", r"bound on $\|\nabla^2 L_R\|$ on the sublevel set $\{L_R \le c\}$", claims=("theorem-4.2",)),
    Notation(r"c", r"level of the sublevel set, $c = L_R(W(0))$", claims=("theorem-4.2", "theorem-4.3")),
    Notation(r"m", r"exact one-step factor of the imbalance under GD, $D(k+1) = m\, D(k)$",
             claims=("theorem-4.3",)),
    Notation(r"C", r"constant of the $\alpha^2$ term of the contraction factor", claims=("theorem-4.3",)),
    Notation(r"w_inf", r"$\max_h |w^*_h|$", r"\|w^*\|_\infty", ("theorem-4.3",)),
    Notation(r"\\langle \\nabla L_R, W \\rangle", r"inner product of the gradient of $L_R$ with the weights"),
    Notation(r"n_wstar", r"Euclidean norm of the target", r"\|w^*\|", ("theorem-4.4",)),
    Notation(r"r", r"radius of the ball projected S-SAM projects onto", claims=("theorem-4.4",)),
    # beyond the paper
    Notation(r"D_k", r"imbalance $w_2^2 - w_1^2$ after $k$ steps", claims=_STAT),
    Notation(r"E\[D_\{k\+1\} \| W_k\]", r"its conditional mean after one more S-SAM step",
             r"\mathbb{E}[D_{k+1} \mid W_k]", _STAT),
    Notation(r"E\[g_(\d)\^2\]", r"second moment of the noisy gradient of layer $l$", r"\mathbb{E}[g_{\1}^2]", _STAT),
    Notation(r"a", r"weight of the balanced minimum for $L = 2$, $a^2 = w^* - \eta^2$", claims=_STAT),
    Notation(r"lambda_b|lambda_i", r"curvature of $L_R$ along the balanced ($b$) and the imbalance ($i$) "
                                   r"direction at the minimum", claims=_STAT),
    Notation(r"q_b|q_i", r"variance of the gradient noise along the same directions", claims=_STAT),
    Notation(r"s_b|s_i", r"stationary variance of S-SAM along the same directions", claims=_STAT),
    Notation(r"mu_4", r"fourth moment $\mathbb{E} x^4$ of the (whitened) input", claims=_STAT),
    Notation(r"Sigma_(\d)(\d)", r"entry of the input covariance $\Sigma = \mathbb{E} X X^\top$"),
    Notation(r"m_1", r"effective target of coordinate 1 on non-whitened data", claims=("nonwhitened-landscape",)),
    Notation(r"C_1", r"coordinate 1 of the critical-point equation, $w_{11}\, \partial L_R / \partial w_{11}$",
             claims=("nonwhitened-landscape",)),
    Notation(r"P_Sigma\(a\)", r"shrinkage polynomial on non-whitened data (diagonal $\Sigma$)", r"P_{\Sigma}(a)",
             ("nonwhitened-landscape",)),
    # related results
    Notation(r"a", r"norm of the minimal-norm solution, $a = \|w^*\|$", claims=_SHARP),
    Notation(r"q", r"$w^{*\top} \Sigma\, w^*$", claims=_SHARP),
    Notation(r"Lambda", r"largest eigenvalue $\lambda_{\max}(\Sigma)$ of the input covariance",
             claims=_SHARP + _MC_RESIDUAL),
    Notation(r"B", r"batch size", claims=_SGD),
    Notation(r"p", r"mixture weight $(n-B)/(B(n-1))$ of the batch second moment", claims=_SGD),
    Notation(r"h", r"curvature $H$ of a one-dimensional problem ($d = 1$)", claims=_SGD),
    Notation(r"m_2", r"mean of the squared per-sample curvatures, $\frac1n \sum_i h_i^2$", claims=_SGD),
    Notation(r"s_max\^2", r"largest $s_i^2$ of orthogonal rank-one samples $x_i = s_i e_i$", r"s_{\max}^2", _SGD),
    # Appendix C and the paper's figures
    Notation(r"f", r"the landscape of Figure 2: $L_R - \eta^4$ for $L = 2$, one coordinate", claims=("figure-2",)),
    Notation(r"a\^2", r"squared coordinate of the two minimizers $(\pm a, \pm a)$", r"a^2", ("figure-2",)),
    Notation(r"m_0", r"factor of the imbalance per step of GD on $L$ (no noise)", claims=("figure-3",)),
    Notation(r"M", r"the spec's reading of the bound on $\|\nabla^2 L_R\|$ over $\{L_R \le c\}$",
             claims=("lemma-C.1",)),
    Notation(r"c", r"level of the sublevel set $\{L_R \le c\}$", claims=("lemma-C.1", "theorem-4.2-rate")),
    Notation(r"C_0", r"best constant at $w^* = 0$ over balanced points (a lower bound on the best constant)",
             claims=("lemma-C.1",)),
    Notation(r"K", r"constant of the step bound, $M = K c / \eta^2$", claims=("theorem-4.2-rate",)),
    Notation(r"rho_1", r"first-step ratio $\delta \alpha \|\nabla L_R(W(0))\|^2 / c$", claims=("theorem-4.2-rate",)),
    Notation(r"delta", r"margin of the step bound $\alpha = 2(1-\delta)/M$", claims=("theorem-4.2-rate",)),
    # Mulayoff & Michaeli, the other theorems
    Notation(r"B", r"batch size", claims=_MM),
    Notation(r"n", r"number of samples", claims=_MM),
    Notation(r"p", r"mixture weight $(n-B)/(B(n-1))$ of the batch second moment", claims=_MM),
    Notation(r"h", r"curvature $H$ at the minimum, $d = 1$", claims=_MM),
    Notation(r"m2", r"second moment of the batch curvature, $\mathbb{E}[h_B^2]$", r"m_2", _MM),
    Notation(r"G", r"gradient-noise second moment $\frac1n \sum_i g_i g_i^\top$ at the minimum", claims=_MM),
    Notation(r"s_inf", r"limit of the second moment of linearized SGD", r"s_\infty", _MM),
    Notation(r"ell_inf", r"limit of the expected excess loss", r"\ell_\infty", _MM),
    Notation(r"alpha_sup", r"supremum of the bounded step sizes of one eigendirection", r"\alpha_{\sup}", _MM),
    Notation(r"lambda_max", r"largest eigenvalue of $H$", r"\lambda_{\max}", _MM),
    Notation(r"qbar", r"mean of $q_i = u^\top H_i u$", r"\bar q", _MM),
    Notation(r"q2", r"mean of $q_i^2$", r"\overline{q^2}", _MM),
    Notation(r"E\[q_B\^2\]", r"second moment of the batch mean $q_B$", r"\mathbb{E}[q_B^2]", _MM),
    Notation(r"tr\(P_N G\)", r"trace of $G$ on the null space of $H$", r"\operatorname{tr}(P_N G)", _MM),
    Notation(r"a_(\d)(\d)", r"entry of a symmetric $2 \times 2$ matrix $A$", r"a_{\1\2}", _MM),
    Notation(r"c_ij", r"$\sum_k (u_i^\top A_k u_j)^2$ in the eigenbasis $u_i$ of $S$", r"c_{ij}", _MM),
    Notation(r"s_i|s_j", r"eigenvalues of $S$", claims=_MM),
    Notation(r"i|j", r"summation indices", claims=_MM),
    Notation(r"d", r"dimension", claims=_MM),
    Notation(r"mu_skew", r"eigenvalue on the skew-symmetric matrices ($d = 2$)", r"\mu_{\mathrm{skew}}", _MM),
    Notation(r"q_I", r"symmetric Rayleigh quotient at $I/\sqrt2$ ($d = 2$)", r"q_I", _MM),
    # Marion & Chizat: deep linear networks, w = W_1^T ... W_L^T p
    Notation(r"W(\d)_(\d)(\d)", r"entry $(i, j)$ of the weight matrix $W_k$ of layer $k$, written "
                                 r"$(W_k)_{ij}$ with $i, j$ counted from 0", r"(W_{\1})_{\2\3}", ("mc-lemma-1",)),
    Notation(r"n_(\d)", r"spectral norm $\|A_j\|_2$ of the conserved $A_j = W_{j+1}^\top W_{j+1} - W_j W_j^\top$",
             claims=("mc-lemma-2",)),
    Notation(r"t_(\d)", r"trace $\operatorname{tr} A_j$ of the same $A_j$", claims=("mc-lemma-2",)),
    Notation(r"sigma_(\d)", r"largest singular value $\sigma_k$ of $W_k$", claims=("mc-lemma-2",)),
    Notation(r"lambda_min", r"smallest eigenvalue of the input covariance $\Sigma$", r"\lambda_{\min}",
             ("mc-theorem-3",)),
    Notation(r"delta(\d)", r"$\lambda_i - \lambda_{\min} \ge 0$: how far eigenvalue $i$ of $\Sigma$ lies above "
                           r"the smallest", claims=("mc-theorem-3",)),
    Notation(r"x(\d)", r"coordinate $i$ of $w - w^*$ in the eigenbasis of $\Sigma$", claims=("mc-theorem-3",)),
    Notation(r"s", r"scale of the initialization $W(0) = s Z$ ($Z$ a fixed direction)", claims=("mc-theorem-3",)),
    Notation(r"y_0", r"initial excess risk $y(0)$ of the comparison equation $\dot y = -\mu y$ (Lemma 7)",
             claims=("mc-theorem-4",)),
    Notation(r"mu", r"PL constant: $\|\nabla R\|_F^2 \ge \mu (R - R_{\min})$ along the flow",
             claims=("mc-theorem-4",)),
    Notation(r"R_0", r"excess risk at initialization, $R(W(0)) - R_{\min}$", claims=("mc-theorem-4",)),
    Notation(r"lambda", r"smallest eigenvalue $\lambda_{\min}$ of the input covariance $\Sigma$",
             claims=("mc-theorem-4",)),
    Notation(r"c", r"lower bound on the smallest singular value of every partial product $W_k \cdots W_j$ "
                   r"along the flow (Lemma 3)", claims=("mc-theorem-4",)),
    Notation(r"U", r"upper bound on the spectral norm of every partial product $W_k \cdots W_j$ along the flow "
                   r"(Lemma 3)", claims=_MC_RESIDUAL),
    Notation(r"p_norm", r"Euclidean norm of the fixed output vector $p$ of $w = W_1^\top \cdots W_L^\top p$",
             r"\|p\|", _MC_RESIDUAL),
    Notation(r"q", r"$u^\top \Sigma u$ with $u = w^*/\|w^*\|$, the curvature of the risk along the target",
             claims=("mc-corollary-3",)),
    Notation(r"a", r"norm of the target, $a = \|w^*\|$ (for the scalar chain $(a - w_1 \cdots w_L)^2$: its "
                   r"target)", claims=("mc-corollary-3", "mc-critical-step")),
    # dense layers (beyond the paper)
    Notation(r"d_(\d)", r"width of layer $l$'s output ($d_0$: the input dimension)", claims=_DENSE),
    Notation(r"F", r"squared Frobenius norm, $F(A) = \|A\|_F^2$", claims=_DENSE),
    Notation(r"A", r"a fixed matrix", claims=_DENSE),
    Notation(r"G", r"a random matrix with independent $N(0, \eta^2)$ entries", claims=_DENSE),
    Notation(r"m|n", r"dimensions of $G$ ($m \times n$)", claims=_DENSE),
    Notation(r"W_\d|W_l|W_\{l\+1\}", r"weight matrix of layer $l$ (dense)", claims=_DENSE),
    Notation(r"N_l|N_\{l-1\}", r"second moment $\mathbb{E}[\tilde P_l \tilde P_l^\top]$ of the noisy product of "
                               r"the first $l$ layers", claims=_DENSE),
    Notation(r"M_l|M_\{l\+1\}", r"second moment $\mathbb{E}[\tilde S_l^\top \tilde S_l]$ of the noisy product of "
                               r"the layers after $l$", claims=_DENSE),
]


@lru_cache(maxsize=1)
def _from_modules() -> tuple:
    """``notation()`` entries of derivations modules: ``[(name, latex or None, meaning)]`` as :class:`Notation`."""
    import derivations

    out = []
    for info in sorted(pkgutil.walk_packages(derivations.__path__, prefix="derivations."), key=lambda i: i.name):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        fn = getattr(importlib.import_module(info.name), "notation", None)
        if callable(fn):
            for name, latex, meaning in fn():
                out.append(Notation(re.escape(str(name)), str(meaning), latex))
    return tuple(out)


def collect_notation() -> list:
    """The glossary: derivations modules' ``notation()`` first (they know their symbols), then :data:`GLOSSARY`."""
    return list(_from_modules()) + GLOSSARY


def symbol_key(obj) -> str:
    """The name a glossary entry matches: a symbol's or matrix symbol's name, or an undefined function's name."""
    if isinstance(obj, sp.core.function.AppliedUndef):
        return str(obj.func)
    return str(obj.name) if isinstance(obj, sp.MatrixSymbol) else str(obj)


def formula_symbols(expr) -> list:
    """The symbols and undefined functions of ``expr`` (bound variables included; a limit's direction is not one)."""
    direction = {lim.args[3] for lim in expr.atoms(sp.Limit)} if expr.has(sp.Limit) else set()
    found = [s for s in expr.atoms(sp.Symbol) if s not in direction]
    found += list(expr.atoms(sp.MatrixSymbol))
    found += list({a.func: a for a in expr.atoms(sp.core.function.AppliedUndef)}.values())
    return sorted(found, key=symbol_key)


def notation_for(name: str, claim_id: str, glossary=None):
    """The :class:`Notation` of symbol ``name`` in claim ``claim_id`` (claim-specific first), else ``None``."""
    glossary = collect_notation() if glossary is None else glossary
    general = None
    for entry in glossary:
        if re.fullmatch(entry.pattern, name):
            if entry.claims and claim_id in entry.claims:
                return entry
            if not entry.claims and general is None:
                general = entry
    return general


def symbol_latex(name: str, claim_id: str = "", glossary=None) -> str:
    """How symbol ``name`` prints: the glossary's override, the name itself if it is LaTeX, else SymPy's printer."""
    glossary = collect_notation() if glossary is None else glossary
    entry = notation_for(name, claim_id, glossary)
    if entry is None or entry.latex is None:  # how a symbol prints rarely depends on the claim: any override
        entry = next((e for e in glossary if e.latex is not None and re.fullmatch(e.pattern, name)), entry)
    if entry is not None and entry.latex is not None:
        tex = entry.latex
        for i, group in enumerate(re.fullmatch(entry.pattern, name).groups(), start=1):
            tex = tex.replace(f"\\{i}", group or "")
        return tex
    if "\\" in name:
        return name
    if re.search(r"[\[\]( ]", name):
        return math_to_latex(name)
    return sp.latex(sp.Symbol(name))


def symbol_names(expr, claim_id: str = "", glossary=None) -> dict:
    """``{symbol: latex}`` for SymPy's ``symbol_names`` option: the symbols of ``expr`` that need an override."""
    glossary = collect_notation() if glossary is None else glossary
    out = {}
    for s in expr.atoms(sp.Symbol):
        tex = symbol_latex(s.name, claim_id, glossary)
        if tex != sp.latex(s):
            out[s] = tex
    return out


def notation_entries(formulas, glossary=None) -> list:
    """``[(latex forms, meaning, claims)]`` for the symbols of ``formulas``, in the order of first appearance.

    Symbols sharing a glossary entry are listed together (``w_1, w_2, w_3``: weights
    of layer ``l``); ``claims`` is empty for a meaning valid everywhere, else the
    claims whose formulas use the symbol in that meaning.  A symbol without a
    meaning has ``meaning`` ``None`` (and its claims listed).
    """
    glossary = collect_notation() if glossary is None else glossary
    order, groups = [], {}
    for f in formulas:
        for s in formula_symbols(f.expr):
            name = symbol_key(s)
            entry = notation_for(name, f.claim_id, glossary)
            key = id(entry) if entry is not None else ("undefined", name)
            if key not in groups:
                order.append(key)
                groups[key] = (entry, [], [])
            tex, claims = symbol_latex(name, f.claim_id, glossary), groups[key][2]
            if tex not in groups[key][1]:
                groups[key][1].append(tex)
            if f.claim_id not in claims:
                claims.append(f.claim_id)
    out = []
    for key in order:
        entry, texs, claims = groups[key]
        out.append((tuple(texs), entry.meaning if entry else None,
                    tuple(claims) if entry is None or entry.claims else ()))
    return out


def undefined_symbols(formulas, glossary=None) -> list:
    """``[(claim id, symbol name)]`` for every symbol of ``formulas`` without a meaning."""
    glossary = collect_notation() if glossary is None else glossary
    return [(f.claim_id, symbol_key(s)) for f in formulas for s in formula_symbols(f.expr)
            if notation_for(symbol_key(s), f.claim_id, glossary) is None]
