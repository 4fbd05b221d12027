"""The LaTeX document of every derived formula.

Every module of :mod:`derivations` that defines ``formulas()`` contributes a list
of ``(claim_id, equation, name, expression)``: the claim (the paper's label), the
paper's equation number (or ``""``), a short plain-text name, and the SymPy
expression *as derived* (relations as unevaluated ``Eq``/``GreaterThan``...).
:func:`collect_formulas` discovers them; :func:`latex_document` prints each with
SymPy's LaTeX printer (``sympy.latex``; nothing is typed by hand) into one
standalone document, grouped by claim in the paper's order, each formula
numbered with the paper's equation number and labelled
``\\label{<claim>:eq<N>:<k>}``.  Long formulas break across lines with
``breqn``'s ``dmath`` (texlive-latex-extra).

The round trip through SymPy's LaTeX parser lives in :mod:`ssam_verify.latex.roundtrip`.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

__all__ = ["Formula", "collect_formulas", "formula_latex", "latex_document", "write_latex", "compile_pdf",
           "pdflatex_available"]


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


def formula_latex(expr) -> str:
    """SymPy's LaTeX of ``expr`` (``sympy.latex``), the only way formulas reach the document."""
    return sp.latex(expr)


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "<": r"$<$", ">": r"$>$", "|": r"$|$"}  # OT1 text fonts lack < > |


def _unicode_to_tex(ch: str) -> str:
    """A non-ASCII character of a name or title as LaTeX (Greek and common math symbols), else ``?``."""
    import unicodedata

    named = {"≥": r"$\geq$", "≤": r"$\leq$", "≠": r"$\neq$", "≈": r"$\approx$", "→": r"$\to$",
             "∞": r"$\infty$", "∑": r"$\sum$", "∏": r"$\prod$", "‖": r"$\|$", "·": r"$\cdot$",
             "×": r"$\times$", "∈": r"$\in$", "∇": r"$\nabla$", "∂": r"$\partial$", "√": r"$\surd$",
             "—": "---", "–": "--", "’": "'", "‘": "`", "“": "``", "”": "''", "…": r"\ldots{}", "±": r"$\pm$"}
    if ch in named:
        return named[ch]
    name = unicodedata.name(ch, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")):
        letter = name.split(" LETTER ")[1].split()[0].lower()
        letter = {"lamda": "lambda"}.get(letter, letter)
        if name.startswith("GREEK CAPITAL"):
            letter = letter.capitalize()
        return f"$\\{letter}$"
    ascii_ = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    return ascii_ or "?"


def _escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) if ord(ch) < 128 else _unicode_to_tex(ch) for ch in text)


def _label(claim_id: str, equation: str, k: int) -> str:
    eq = re.sub(r"[^A-Za-z0-9.]+", "-", equation) if equation else "none"
    return f"{claim_id}:eq{eq}:{k}"


def latex_document(formulas=None, title: str = "ssam-verify: the derived formulas") -> str:
    """One standalone LaTeX document with every formula, grouped by claim.

    Each formula: a heading with claim id, equation number, name and source
    module; then a ``dmath`` numbered with the paper's equation number (unnumbered
    when it has none) and labelled by :func:`_label` (``<claim>:eq<N>:<k>``).
    """
    formulas = collect_formulas() if formulas is None else list(formulas)
    titles = _claim_titles()
    lines = [
        r"\documentclass[10pt]{article}",
        r"\usepackage[a4paper,margin=2cm]{geometry}",
        r"\usepackage{amsmath,amssymb}",
        r"\usepackage{breqn}",
        r"\setlength{\parindent}{0pt}",
        rf"\title{{{_escape(title)}}}",
        r"\author{generated by \texttt{ssam-verify latex} from the SymPy derivations}",
        r"\date{}",
        r"\begin{document}",
        r"\maketitle",
        (r"Every formula below is printed by SymPy's LaTeX printer from the expression the suite "
         r"derives (modules \texttt{derivations.*}); none is typed by hand. Equation numbers in "
         r"the margin are the paper's (Clara, Langer \& Schmidt-Hieber, arXiv 2503.11891); labels "
         r"are \texttt{claim:eqN:k}. Symbols are per coordinate unless indexed by a coordinate."),
        "",
    ]
    current = None
    counts: dict = {}
    for f in formulas:
        if f.claim_id != current:
            current = f.claim_id
            head = _escape(f.claim_id) + (f" --- {_escape(titles[f.claim_id])}" if f.claim_id in titles else "")
            lines += [rf"\section*{{{head}}}", ""]
        key = (f.claim_id, f.equation)
        counts[key] = counts.get(key, 0) + 1
        label = _label(f.claim_id, f.equation, counts[key])
        eqtext = f"eq.~({_escape(f.equation)})" if f.equation else "no equation number"
        lines.append(rf"\paragraph{{\texttt{{{_escape(f.claim_id)}}}, {eqtext}: {_escape(f.name)}}}"
                     rf" {{\footnotesize (\texttt{{{_escape(f.module)}}})}}")
        opt = f"[number={{{f.equation}}}]" if f.equation else ""
        env = "dmath" if f.equation else "dmath*"
        lines += [rf"\begin{{{env}}}{opt}\label{{{label}}}" if f.equation else rf"\begin{{{env}}}",
                  formula_latex(f.expr),
                  rf"\end{{{env}}}", ""]
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def write_latex(path="formulas.tex", formulas=None) -> Path:
    """Write :func:`latex_document` to ``path``; returns the path."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(latex_document(formulas))
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


