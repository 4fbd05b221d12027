"""LaTeX export of every derived formula, and its round trip through SymPy's LaTeX parser.

:mod:`.document` collects the ``formulas()`` of every :mod:`derivations` module and
prints them into one standalone LaTeX document (SymPy's printer; nothing typed by
hand), every formula numbered and labelled; :mod:`.notation` says how each symbol
prints and what it means (the document's Notation section); :mod:`.text` sets
the plain-text claim titles and formula names in LaTeX; :mod:`.roundtrip` parses
the printed LaTeX back and compares it with the derived expression.
"""
from .document import (Formula, collect_formulas, compile_pdf, equation_numbers, formula_latex, latex_document,
                       pdflatex_available, write_latex)
from .notation import notation_entries, undefined_symbols
from .roundtrip import PARSER_BACKEND, RoundTrip, parser_backend, roundtrip, roundtrip_all
from .text import ascii_math_in_text, text_to_latex, text_to_markdown

__all__ = ["Formula", "RoundTrip", "collect_formulas", "formula_latex", "equation_numbers", "latex_document",
           "write_latex", "compile_pdf", "pdflatex_available", "roundtrip", "roundtrip_all", "parser_backend",
           "PARSER_BACKEND", "notation_entries", "undefined_symbols", "text_to_latex", "text_to_markdown",
           "ascii_math_in_text"]
