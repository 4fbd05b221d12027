"""``ssam-verify latex``: every derived formula in one standalone LaTeX document."""
from __future__ import annotations

import sys
from collections import Counter

from ..options import add_command
from ..output import atomic_write_text, check_output_file, staged_folder, table

#: How to get TeX, for the error when ``pdflatex`` is missing.
TEX_HINT = ("install TeX: Debian/Ubuntu 'apt-get install texlive-latex-base texlive-latex-recommended "
            "texlive-latex-extra', macOS MacTeX (or 'brew install --cask mactex-no-gui'), Windows MiKTeX; "
            "or omit --pdf")

__all__ = ["register"]


def register(sub) -> None:
    p = add_command(sub, "latex", cmd_latex)
    p.add_argument("-o", "--output", metavar="PATH", default="formulas.tex",
                   help="the .tex file to write (default: formulas.tex; '-' for stdout)")
    p.add_argument("--pdf", action="store_true", help="also compile it with pdflatex (next to PATH)")
    p.add_argument("--roundtrip", action="store_true",
                   help="parse every formula back with sympy's parse_latex and report the outcome")


def cmd_latex(args) -> int:
    """Export every derived formula as one LaTeX document.

    Write one standalone LaTeX document with every formula the derivations modules export
    (formulas()), printed by SymPy's LaTeX printer, each labelled by claim id and the paper's
    equation number. Example: ssam-verify latex -o formulas.tex --pdf
    """
    import shutil
    from pathlib import Path

    from ..latex import collect_formulas, compile_pdf, latex_document, parser_backend, roundtrip_all

    if args.pdf and args.output == "-":
        raise ValueError("pdf: --pdf needs a file: give -o PATH")
    if args.pdf and shutil.which("pdflatex") is None:
        raise ValueError(f"pdf: pdflatex not found; {TEX_HINT}")
    if args.output != "-" and str(args.output).strip():
        parent = Path(args.output).parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"output: cannot create the folder {parent}: {exc.strerror or exc}") from None
    check_output_file(args.output, "output")
    formulas = collect_formulas()
    if args.output == "-":
        sys.stdout.write(latex_document(formulas))
    else:
        path = atomic_write_text(args.output, latex_document(formulas))
        print(f"{len(formulas)} formulas written to {path}")
        if args.pdf:
            try:
                with staged_folder(path.parent) as stage:  # the PDF appears complete or not at all
                    shutil.copy(path, stage / path.name)
                    pdf = compile_pdf(stage / path.name)
                    (stage / path.name).unlink()
                print(f"compiled {path.parent / Path(pdf).name}")
            except RuntimeError as exc:
                print(f"ssam-verify: error: {exc}", file=sys.stderr)
                return 1
    if args.roundtrip:
        out = sys.stderr if args.output == "-" else sys.stdout
        results = roundtrip_all(formulas)
        print(table([[r.formula.claim_id, r.formula.equation or "-", r.formula.name[:48], r.status, r.reason[:90]]
                     for r in results], ["claim", "eq", "formula", "round trip", "why"]), file=out)
        counts = Counter(r.status for r in results)
        print(", ".join(f"{counts.get(k, 0)} {k}" for k in ("exact", "aliased", "unparsable", "mismatch"))
              + f"  (parser: sympy parse_latex, {parser_backend()})", file=out)
        if counts.get("mismatch"):
            return 1
    return 0
