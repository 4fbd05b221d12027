"""LaTeX export of every derived formula, and its round trip through SymPy's LaTeX parser.

:mod:`.document` collects the ``formulas()`` of every :mod:`derivations` module and
prints them into one standalone LaTeX document (SymPy's printer; nothing typed by
hand); :mod:`.roundtrip` parses the printed LaTeX back and compares it with the
derived expression.
"""
from .document import Formula, collect_formulas, compile_pdf, formula_latex, latex_document, pdflatex_available, write_latex
from .roundtrip import PARSER_BACKEND, RoundTrip, parser_backend, roundtrip, roundtrip_all

__all__ = ["Formula", "RoundTrip", "collect_formulas", "formula_latex", "latex_document", "write_latex",
           "compile_pdf", "pdflatex_available", "roundtrip", "roundtrip_all", "parser_backend", "PARSER_BACKEND"]
