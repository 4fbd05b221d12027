"""The LaTeX document of every derived formula.

Every module of :mod:`derivations` that defines ``formulas()`` contributes a list
of ``(claim_id, equation, name, expression)``: the claim (the paper's label), the
paper's equation number (or ``""``), a short plain-text name, and the SymPy
expression *as derived* (relations as unevaluated ``Eq``/``GreaterThan``...).
:func:`collect_formulas` discovers them; :func:`latex_document` prints each with
SymPy's LaTeX printer (``sympy.latex``; nothing is typed by hand) into one
standalone document, grouped by claim in the paper's order, each formula
numbered and labelled (:func:`equation_numbers`: the paper's equation number
where it has one, else the suite's own ``(S.n)``), after a *Notation* section
that defines every symbol the formulas use (:mod:`ssam_verify.latex.notation`).
Claim titles and formula names are plain text with ASCII math; they are set in
LaTeX by :func:`ssam_verify.latex.text.text_to_latex`.  Long formulas break
across lines with ``breqn``'s ``dmath`` (texlive-latex-extra).

The round trip through SymPy's LaTeX parser lives in :mod:`ssam_verify.latex.roundtrip`.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from .notation import notation_entries, symbol_names
from .text import escape_text, text_to_latex

__all__ = ["Formula", "collect_formulas", "formula_latex", "equation_numbers", "latex_document", "write_latex",
           "compile_pdf", "pdflatex_available"]


@dataclass(frozen=True)
class Formula:
    """One derived formula: claim id, paper equation number (or ``""``), name, expression, source module."""

    claim_id: str
    equation: str
    name: str
    expr: sp.Basic
    module: str


def _claim_order() -> dict:
    try:
        from checks.framework import registry

        return {c.id: i for i, c in enumerate(registry())}
    except Exception:  # pragma: no cover - ordering is cosmetic
        return {}


def _claim_titles() -> dict:
    try:
        from checks.framework import registry

        return {c.id: c.title for c in registry()}
    except Exception:  # pragma: no cover
        return {}


def collect_formulas() -> list:
    """Every derivations module's ``formulas()``, as :class:`Formula`, in the paper's claim order.

    Formulas of claims not (yet) registered come last, in module order.
    A malformed entry raises ``ValueError`` naming the module.
    """
    import derivations

    out = []
    seen = set()  # a package re-exporting its sub-module's formulas() counts once
    for info in sorted(pkgutil.walk_packages(derivations.__path__, prefix="derivations."), key=lambda i: i.name):
        if info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        mod = importlib.import_module(info.name)
        fn = getattr(mod, "formulas", None)
        if not callable(fn) or fn in seen:
            continue
        seen.add(fn)
        defined_in = getattr(fn, "__module__", "") or ""
        modname = defined_in if defined_in.startswith(info.name) else info.name
        try:
            items = list(fn())
        except Exception as exc:
            raise RuntimeError(f"{modname}.formulas() failed: {type(exc).__name__}: {exc}") from exc
        for k, item in enumerate(items):
            if not (isinstance(item, (tuple, list)) and len(item) == 4):
                raise ValueError(f"{modname}.formulas()[{k}] must be (claim_id, equation, name, expr), got {item!r:.80}")
            cid, eq, name, expr = item
            if isinstance(expr, sp.MatrixBase):
                expr = sp.ImmutableMatrix(expr)
            if not isinstance(expr, sp.Basic):
                raise ValueError(f"{modname}.formulas()[{k}] ({name}): expression must be a SymPy object, "
                                 f"got {type(expr).__name__}")
            out.append(Formula(str(cid), str(eq or ""), str(name), expr, modname))
    order = _claim_order()
    idx = {id(f): i for i, f in enumerate(out)}
    return sorted(out, key=lambda f: (order.get(f.claim_id, len(order)), idx[id(f)]))


def formula_latex(expr, claim_id: str = "", **printer_options) -> str:
    """SymPy's LaTeX of ``expr`` (``sympy.latex``), the only way formulas reach the document.

    Symbols whose names are not LaTeX print as the notation says (SymPy's own
    ``symbol_names`` option, filled by :func:`ssam_verify.latex.notation.symbol_names`
    for claim ``claim_id``); ``printer_options`` go to ``sympy.latex``.
    """
    names = symbol_names(expr, claim_id)
    return sp.latex(expr, symbol_names=names, **printer_options) if names else sp.latex(expr, **printer_options)


def equation_numbers(formulas) -> list:
    """``[(number, label)]`` for ``formulas``, in order: every formula is numbered and labelled.

    A formula with the paper's equation number ``N`` is numbered ``N``, or ``Na``,
    ``Nb``, ... when several formulas carry ``N``, and labelled ``<claim>:eq<N>:<k>``
    (``k`` counting within claim and equation).  A formula without one gets the
    suite's own number ``S.n``, counted through the document, and the label
    ``<claim>:S.<n>``.
    """
    formulas = list(formulas)
    uses = Counter(f.equation for f in formulas if f.equation)
    seen: Counter = Counter()
    suite = 0
    out = []
    for f in formulas:
        if f.equation:
            seen[f.equation] += 1
            seen[(f.claim_id, f.equation)] += 1
            letter = "abcdefghijklmnopqrstuvwxyz"[(seen[f.equation] - 1) % 26] if uses[f.equation] > 1 else ""
            eq = re.sub(r"[^A-Za-z0-9.]+", "-", f.equation)
            out.append((f"{f.equation}{letter}", f"{f.claim_id}:eq{eq}:{seen[(f.claim_id, f.equation)]}"))
        else:
            suite += 1
            out.append((f"S.{suite}", f"{f.claim_id}:S.{suite}"))
    return out


_CONVENTIONS = (
    r"Depth $L \ge 2$, width $d \ge 1$, noise level $\eta > 0$. Layer $l$ is $W_l = \mathrm{diag}(w_l)$; the "
    r"data are whitened, $\frac1n \sum_i X_i X_i^\top = I_d$, with labels $Y = \langle w^*, X\rangle$. The loss "
    r"has no factor $\frac12$: $L(W) = \sum_h (w^*_h - \prod_l w_{l,h})^2$. S-SAM perturbs every weight by "
    r"independent $N(0, \eta^2)$ noise $G$, and $L_R(W) = \mathbb{E}_G L(W+G) = L(W) + R(W)$. The model "
    r"separates by coordinate, so most formulas are written for one coordinate, with weights "
    r"$w_1, \dots, w_L$ and target $w^*$; a second index, as in $w_{lh}$, is the coordinate $h$.")

_INTRO = (
    r"Every formula below is printed by SymPy's LaTeX printer from the expression the suite derives "
    r"(modules \texttt{derivations.*}); none is typed by hand. A number in the margin such as (7) is the "
    r"paper's equation number (Clara, Langer \& Schmidt-Hieber, arXiv 2503.11891), with (7a), (7b), \dots{} "
    r"when several formulas belong to one equation; MC and MM number equations of Marion \& Chizat and of "
    r"Mulayoff \& Michaeli. (S.$n$) is the suite's own number for a formula the paper does not number. "
    r"Labels: \texttt{<claim>:eq<N>:<k>} and \texttt{<claim>:S.<n>} for formulas, \texttt{claim:<id>} for "
    r"sections. Every symbol is defined in the Notation section before its first use.")


def _notation_section(formulas) -> list:
    """The *Notation* section: the conventions, then every symbol of ``formulas`` with its meaning."""
    lines = [r"\section*{Notation}", "", _CONVENTIONS, "", r"\begin{description}"]
    for texs, meaning, claims in notation_entries(formulas):
        where = f" (in {', '.join(claims)})" if claims else ""
        symbols = ", ".join(f"${t}$" for t in texs)
        lines.append(rf"\item[{{{symbols}}}] {meaning if meaning is not None else 'meaning not recorded'}"
                     + escape_text(where))
    return lines + [r"\end{description}", ""]


def latex_document(formulas=None, title: str = "ssam-verify: the derived formulas") -> str:
    """One standalone LaTeX document with every formula, grouped by claim.

    A *Notation* section defines every symbol before the first formula; each claim
    is a numbered section titled with its id and title (ASCII math set in LaTeX by
    :func:`ssam_verify.latex.text.text_to_latex`) and labelled ``claim:<id>``; each
    formula is a ``dmath`` numbered and labelled by :func:`equation_numbers`.
    """
    formulas = collect_formulas() if formulas is None else list(formulas)
    titles = _claim_titles()
    lines = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[a4paper,margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{breqn}",
        r"\setlength{\parindent}{0pt}",
        rf"\title{{{text_to_latex(title)}}}",
        r"\author{generated by \texttt{ssam-verify latex} from the SymPy derivations}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        _INTRO,
        "",
        *_notation_section(formulas),
    ]
    current = None
    for f, (number, label) in zip(formulas, equation_numbers(formulas)):
        if f.claim_id != current:
            current = f.claim_id
            title_tex = f": {text_to_latex(titles[f.claim_id])}" if f.claim_id in titles else ""
            lines += [rf"\section{{\texttt{{{escape_text(f.claim_id)}}}{title_tex}}}\label{{claim:{f.claim_id}}}", ""]
        source = "paper's equation" if f.equation else "not numbered in the paper"
        name = text_to_latex(f.name[:1].upper() + f.name[1:] if f.name[:1].isascii() else f.name)
        lines += [rf"\paragraph{{{name}.}} {{\footnotesize ({source}; \texttt{{{escape_text(f.module)}}})}}",
                  rf"\begin{{dmath}}[number={{{number}}}]\label{{{label}}}",
                  formula_latex(f.expr, f.claim_id),
                  r"\end{dmath}", ""]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def write_latex(path="formulas.tex", formulas=None) -> Path:
    """Write :func:`latex_document` to ``path``; returns the path."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # written whole, then renamed: never truncated
    try:
        tmp.write_text(latex_document(formulas))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def pdflatex_available() -> bool:
    """Whether ``pdflatex`` is on the ``PATH``."""
    return shutil.which("pdflatex") is not None


def compile_pdf(tex_path, outdir=None, timeout: float = 120) -> Path:
    """Compile ``tex_path`` with ``pdflatex`` (non-interactive, halting on the first error).

    Returns the PDF path; raises ``RuntimeError`` with the log's error lines on failure.
    """
    tex_path = Path(tex_path).resolve()
    outdir = Path(outdir).resolve() if outdir else tex_path.parent
    if not pdflatex_available():
        raise RuntimeError("pdflatex not found (Debian: texlive-latex-base texlive-latex-recommended "
                           "texlive-latex-extra)")
    cmd = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={outdir}", str(tex_path)]
    for _ in range(2):  # twice, for labels
        proc = subprocess.run(cmd, cwd=outdir, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            log = proc.stdout.splitlines()
            errs = [ln for i, ln in enumerate(log) if ln.startswith("!") or (i and log[i - 1].startswith("!"))]
            raise RuntimeError(f"pdflatex failed on {tex_path.name}: " + " | ".join(errs[:6] or log[-8:]))
    return outdir / (tex_path.stem + ".pdf")


