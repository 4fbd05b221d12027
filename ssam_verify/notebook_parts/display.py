"""What the notebooks' code cells show: tables, rendered formulas, figures with captions, claims.

A notebook is a derivation a reader follows, so a code cell ends in something
readable, never a bare tuple or dict: a table (:func:`show_table`,
:func:`show_values`), a rendered formula (:func:`show_formula`,
:func:`show_formulas`), a figure with its caption (:func:`show_figure`) or a
claim's verdict and evidence (:func:`show_claim`, :func:`show_claims`).  Every
helper displays through IPython (Markdown with LaTeX math, plus a plain-text
fallback) and returns ``None``, so a helper on the last line of a cell adds no
raw output.  Figures are drawn in a temporary folder and embedded: nothing is
written into the source tree.
"""
from __future__ import annotations

import numbers

__all__ = ["format_cell", "table_markdown", "show_table", "show_values", "show_formula", "show_formulas",
           "show_figure", "show_claim", "show_claims"]


def _latex_for_markdown(tex: str) -> str:
    """LaTeX safe inside a Markdown table cell (a bare ``|`` would split the cell)."""
    return tex.replace(r"\|", r"\Vert ").replace("|", r"\vert ")


def _cell_text(text: str) -> str:
    """Markdown text safe in a table cell: ``|`` as ``\\vert`` inside ``$...$`` math, escaped outside."""
    import re

    parts = re.split(r"(\$[^$]*\$)", str(text).replace("\n", " "))
    return "".join(_latex_for_markdown(p) if p.startswith("$") and p.endswith("$") and len(p) > 1
                   else p.replace("|", r"\|") for p in parts)


def format_cell(value, digits: int = 6) -> str:
    """One value as Markdown: SymPy objects as ``$latex$``, numbers to ``digits`` significant digits,
    booleans as yes/no, mpmath numbers with ``digits`` digits, sequences comma-separated."""
    try:
        import sympy as sp

        if isinstance(value, sp.Basic) and not isinstance(value, (sp.Integer, sp.Float)):
            from ..latex import formula_latex

            return f"${_latex_for_markdown(formula_latex(value))}$"
    except ImportError:  # pragma: no cover - sympy is a dependency
        pass
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if type(value).__module__.startswith("mpmath"):
        import mpmath

        return mpmath.nstr(value, digits)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        return "nan" if v != v else f"{v:.{digits}g}"
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ndarray":
        return ", ".join(format_cell(v, digits) for v in list(value))
    return _cell_text(value)


def table_markdown(rows, headers, digits: int = 6) -> str:
    """A Markdown table of ``rows`` (sequences) under ``headers``, cells by :func:`format_cell`."""
    rows = [list(r) for r in rows]
    if any(len(r) != len(headers) for r in rows):
        raise ValueError(f"rows: every row must have {len(headers)} cells (one per header)")
    out = ["| " + " | ".join(_cell_text(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(format_cell(c, digits) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _plain_table(rows, headers, digits: int) -> str:
    cells = [[str(h) for h in headers]] + [[format_cell(c, digits).strip("$") for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths)] + lines[1:])


def _display_markdown(markdown: str, plain: str) -> None:
    from IPython.display import display

    display({"text/markdown": markdown, "text/plain": plain}, raw=True)


def show_table(rows, headers, caption: str | None = None, digits: int = 6) -> None:
    """Display ``rows`` as a table (Markdown with LaTeX math; a plain-text table as fallback)."""
    rows = [list(r) for r in rows]
    md = table_markdown(rows, headers, digits)
    plain = _plain_table(rows, headers, digits)
    if caption:
        md, plain = f"{md}\n\n*{caption}*", f"{plain}\n{caption}"
    _display_markdown(md, plain)


def show_values(values: dict, caption: str | None = None, headers=("quantity", "value"), digits: int = 6) -> None:
    """Display a mapping as a two-column table (name, value); keys may hold Markdown math."""
    show_table([[k, v] for k, v in values.items()], list(headers), caption, digits)


def _label_markdown(label: str) -> str:
    """A label as Markdown: kept if it already holds ``$`` math, else its ASCII math set as ``$...$``."""
    from ..latex import text_to_markdown

    return label if "$" in label else text_to_markdown(label)


def show_formula(expr, label: str | None = None) -> None:
    """Display a SymPy expression or relation rendered as LaTeX, after ``label`` if given.

    ``label`` is a short name; its ASCII math (``E_Z l^2``) is set as math unless it holds ``$`` already.
    """
    import sympy as sp
    from IPython.display import display

    from ..latex import formula_latex

    tex = formula_latex(expr)
    head = f"{_label_markdown(label)}: " if label else ""
    display({"text/markdown": f"{head}$\\displaystyle {tex}$", "text/latex": f"$\\displaystyle {tex}$",
             "text/plain": f"{label + ': ' if label else ''}{sp.sstr(expr)}"}, raw=True)


def show_formulas(items, headers=("", "formula")) -> None:
    """Display ``[(label, expr)]`` as a table of rendered formulas (labels as in :func:`show_formula`)."""
    show_table([[_label_markdown(label), expr] for label, expr in items], list(headers))


def show_figure(name: str, caption: str | None = None, seed: int = 0) -> None:
    """Draw the registered figure ``name`` in a temporary folder and display its PNG with a caption.

    The caption defaults to the figure's registered caption
    (:func:`ssam_verify.figures.figure_caption`); nothing is written into the source tree.
    """
    import tempfile
    from pathlib import Path

    from IPython.display import Image, display

    from ..figures import all_figures, figure_caption

    figs = all_figures()
    if name not in figs:
        raise ValueError(f"name: unknown figure {name!r}; known: {', '.join(figs)}")
    with tempfile.TemporaryDirectory(prefix="ssam-fig-") as tmp:
        png = next(Path(p) for p in figs[name](Path(tmp), seed=seed) if str(p).endswith(".png"))
        display(Image(data=png.read_bytes(), format="png"))
    text = caption or figure_caption(name)
    _display_markdown(f"*Figure `{name}`.* {text}", f"Figure {name}. {text}")


def _run(claim_id: str, quick: bool, seed: int):
    from checks.framework import RunContext, get_claim, run_claim

    return run_claim(get_claim(claim_id), RunContext(seed=seed, quick=quick))


def show_claim(claim_id: str, quick: bool = True, seed: int = 0) -> None:
    """Run one claim (``quick`` sizes by default) and display its verdict and every evidence as tables."""
    from ..report import evidence_markdown

    result = _run(claim_id, quick, seed)
    head = (f"**{claim_id}: {result.verdict.upper()}** ({result.seconds:.1f} s, seed {seed}, "
            f"{'quick' if quick else 'default'} sizes)")
    _display_markdown(head + "\n\n" + evidence_markdown(result.evidence), f"{claim_id}: {result.verdict.upper()}")


def show_claims(claim_ids, quick: bool = True, seed: int = 0) -> None:
    """Run several claims and display one table: verdict, methods, evidence passed, seconds."""
    from checks.framework import get_claim

    rows = []
    for cid in claim_ids:
        r = _run(cid, quick, seed)
        methods = ", ".join(sorted({e.method for e in r.evidence}))
        passed = f"{sum(e.passed for e in r.evidence)}/{len(r.evidence)}"
        rows.append([f"`{cid}`", _label_markdown(get_claim(cid).title), r.verdict.upper(), methods, passed,
                     f"{r.seconds:.1f}"])
    show_table(rows, ["claim", "title", "verdict", "methods", "evidence passed", "seconds"],
               caption=f"seed {seed}, {'quick' if quick else 'default'} sizes; `ssam-verify run --claims "
                       f"{','.join(claim_ids)}` gives the same verdicts")
