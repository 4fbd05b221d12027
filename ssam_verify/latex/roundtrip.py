"""Round trip of the exported LaTeX through SymPy's LaTeX parser.

The printed LaTeX is parsed back with ``sympy.parsing.latex.parse_latex``
(ANTLR backend, ``strict=True``, which needs ``antlr4-python3-runtime``
4.11 for SymPy 1.14; the Lark backend needs the ``lark`` package as well
and rejects SymPy's implicit products such as ``\\eta^{4} w_{1}^{2}``, so it
is not used) and compared with the derived expression (relations: same
relation, ``expand(lhs - lhs') == 0`` and likewise for the right sides).
Parsed symbols are matched to the derived ones by printing and parsing each
symbol alone (``S_{avg}`` parses as ``S_{a*(g*v)}``, consistently).  The
parser evaluates relations, so an identity ``Eq(a, b)`` comes back as
``True``; then the printed operator and each printed side are round-tripped
separately.  Outcome:

``exact``      the exported text itself parses back to the derived expression;
``aliased``    it does not, only because some symbols or applied functions
               print in a form the parser rejects (``w^{*}``: a superscript
               star is not an exponent; ``R{\\left(w_{1},... \\right)}``: SymPy's
               braced function call); with those replaced by parser-safe
               symbols ``z_{900}, z_{901}, ...`` before printing, the rest of the
               printed formula parses back exactly.
               Likewise when the parser reads a symbol followed by ``\\left(`` as a
               function call (``w_{2} \\left(1 - w_{1}\\right)`` as ``w_{2}(...)``): the
               retry prints products with an explicit ``\\cdot`` (``mul_symbol="dot"``);
``unparsable`` the parser rejects even the aliased text, or misreads it: a parse
               that introduces symbols or functions absent from the formula
               (``\\operatorname{sign}`` read as a product of letters, ``\\max`` as an
               undefined function ``max``) is not a faithful reading (reason kept);
``mismatch``   a parse succeeded but differs from the derived expression (a
               printer or parser defect: the tests fail on any).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .document import Formula, collect_formulas, formula_latex

__all__ = ["RoundTrip", "roundtrip", "roundtrip_all", "parser_backend", "PARSER_BACKEND"]

PARSER_BACKEND = "antlr"


@dataclass
class RoundTrip:
    """Outcome of parsing one formula's LaTeX back: ``status`` and why."""

    formula: Formula
    status: str  # "exact" | "aliased" | "unparsable" | "mismatch"
    reason: str = ""
    aliases: dict = field(default_factory=dict)  # printed form -> why it was aliased


def parser_backend() -> str:
    """The ``parse_latex`` backend in use and its runtime, e.g. ``"antlr (antlr4-python3-runtime 4.11.1)"``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("antlr4-python3-runtime")
    except PackageNotFoundError:
        v = "missing"
    return f"{PARSER_BACKEND} (antlr4-python3-runtime {v})"


def _parse(text):
    """``parse_latex(text, strict=True)``.

    Quirk of the ANTLR strict mode (SymPy 1.14): a string that *starts* with
    ``\\left(`` is rejected ("Invalid LaTeX") although it parses inside a larger
    string; such text is retried with that leading ``\\left...\\right`` group
    wrapped in grouping braces ``{...}``, which change nothing in the formula.
    """
    from sympy.parsing.latex import parse_latex

    try:
        return parse_latex(text, strict=True, backend=PARSER_BACKEND)
    except Exception:
        text = text.strip()
        if not text.startswith("\\left"):
            raise
        end = _leading_group_end(text)
        if end is None:
            raise
        return parse_latex("{" + text[:end] + "}" + text[end:], strict=True, backend=PARSER_BACKEND)


def _leading_group_end(text: str):
    """Index just after the ``\\right<delim>`` matching the leading ``\\left``, or ``None``."""
    depth, i = 0, 0
    while i < len(text):
        if text.startswith("\\left", i):
            depth += 1
            i += 5
        elif text.startswith("\\right", i):
            depth -= 1
            i += 6
            if depth == 0:
                return i + (2 if text.startswith("\\", i) else 1)
        else:
            i += 1
    return None


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]


def _symbol_roundtrip(sym, claim_id: str = ""):
    """The parsed form of the symbol as the export prints it, if it is a single symbol, else ``None`` and why."""
    text = formula_latex(sym, claim_id)
    try:
        parsed = _parse(text)
    except Exception as exc:
        return None, f"{text}: parser rejects it ({_first_line(exc)})"
    if isinstance(parsed, sp.Symbol):
        return parsed, ""
    return None, f"{text}: parses as {parsed} (not one symbol)"


def _same(parsed, expr) -> bool:
    if isinstance(expr, sp.core.relational.Relational):
        if type(parsed) is not type(expr):
            return False
        return all(_same(p, e) for p, e in ((parsed.lhs, expr.lhs), (parsed.rhs, expr.rhs)))
    try:
        diff = sp.expand(parsed - expr)
        return diff == 0 or sp.simplify(diff) == 0
    except Exception:  # pragma: no cover - e.g. parsed booleans
        return False


def _attempt(text, expr, back: dict):
    """Parse ``text``, map parsed symbols back with ``back``, compare with ``expr``.

    Returns ``(outcome, why)`` with outcome ``"ok"``, ``"differs"`` (a faithful
    parse of something else), ``"foreign"`` (the parse introduces symbols that
    are not in the formula: the parser misread it, e.g. ``\\operatorname{sign}``
    read as a product of letters) or ``"error"`` (the parser rejects the text).
    """
    try:
        parsed = _parse(text)
    except Exception as exc:
        return "error", f"parser rejects it: {_first_line(exc)}"
    if isinstance(parsed, sp.logic.boolalg.BooleanAtom) and isinstance(expr, sp.core.relational.Relational):
        return _attempt_sides(text, expr, back)
    e = sp.Symbol("e")
    if e in getattr(parsed, "free_symbols", ()) and e not in expr.free_symbols:
        back = {**back, e: sp.E}  # SymPy prints exp(x) as e^{x}
    try:
        mapped = parsed.xreplace(back)
        foreign = mapped.atoms(sp.Symbol) - expr.atoms(sp.Symbol)
        undef = sp.core.function.AppliedUndef
        foreign |= {f.func for f in mapped.atoms(undef)} - {f.func for f in expr.atoms(undef)}
    except Exception as exc:  # pragma: no cover - exotic parse results
        return "error", f"unusable parse: {_first_line(exc)}"
    if foreign:
        calls = sorted(str(f) for f in foreign if not isinstance(f, sp.Symbol))
        syms = sorted(str(f) for f in foreign if isinstance(f, sp.Symbol))
        why = "; ".join(
            ([f"reads {', '.join(c + '(...)' for c in calls)} as calls of functions not in the formula"]
             if calls else [])
            + ([f"reads symbols {', '.join(syms)} that are not in the formula"] if syms else []))
        return "foreign", f"the parser misreads it: {why}"
    if _same(mapped, expr):
        return "ok", ""
    return "differs", f"parsed {str(mapped)[:200]} differs from the derived expression"


_RELATION_TOKENS = (" = ", r" \geq ", r" \leq ", " > ", " < ", r" \neq ")


def _split_relation(text: str):
    """``(lhs, op, rhs)`` of LaTeX printed as ``lhs op rhs`` with one top-level relation, else ``None``."""
    hits, depth = [], 0
    for i, ch in enumerate(text):
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif depth == 0:
            for tok in _RELATION_TOKENS:
                if text.startswith(tok, i):
                    hits.append((i, tok))
    if len(hits) != 1:
        return None
    i, tok = hits[0]
    return text[:i], tok.strip(), text[i + len(tok):]


def _attempt_sides(text, expr, back: dict):
    """Round trip of a relation side by side.

    The parser evaluates relations: ``Eq(a, b)`` with ``a - b`` identically 0
    becomes ``True``, which says nothing about the printed sides.  Then the
    printed relation operator must parse to the same kind of relation, and each
    printed side must parse back to the derived side.
    """
    split = _split_relation(text)
    if split is None:
        return "error", "the parser evaluates the relation to a truth value and it cannot be split into sides"
    lt, op, rt = split
    try:
        kind = type(_parse(f"a {op} b"))
    except Exception as exc:  # pragma: no cover
        return "error", f"parser rejects the relation {op}: {_first_line(exc)}"
    if kind is not type(expr):
        return "differs", f"relation {op} parses as {kind.__name__}, not {type(expr).__name__}"
    outcomes = [_attempt(lt, expr.lhs, back), _attempt(rt, expr.rhs, back)]
    for want in ("differs", "foreign", "error"):
        for outcome, why in outcomes:
            if outcome == want:
                return outcome, why
    return "ok", ""


def roundtrip(formula: Formula, text: str | None = None) -> RoundTrip:
    """Parse the exported LaTeX of ``formula`` back and compare; see the module docstring.

    ``text`` replaces the exported LaTeX (negative controls: the LaTeX of a
    wrong variant must come out as ``mismatch``).
    """
    expr = formula.expr
    override = text is not None
    text = formula_latex(expr, formula.claim_id) if text is None else text
    back, bad = {}, {}
    for s in sorted(expr.atoms(sp.Symbol), key=str):  # bound variables too (Limit, Sum)
        p, why = _symbol_roundtrip(s, formula.claim_id)
        if p is None:
            bad[s] = why
        else:
            back[p] = s
    apps = sorted(expr.atoms(sp.core.function.AppliedUndef), key=str)
    outcome, why1 = _attempt(text, expr, back)
    if outcome == "ok":
        return RoundTrip(formula, "exact")
    if override or (outcome == "differs" and not bad and not apps):
        return RoundTrip(formula, "mismatch" if outcome == "differs" else "unparsable", why1)
    # The printed text does not parse back faithfully because of notation the parser cannot read:
    # symbols (w^{*}), applied functions (R{\\left(w_{1}, ...\\right)}, or f{\\left(x\\right)} read as
    # the product f*x), or a symbol followed by \\left( (read as a call). Alias the symbols and calls
    # by parser-safe symbols, and/or print products with an explicit \\cdot, and retry.
    used = {str(s) for s in expr.atoms(sp.Symbol)}
    aliases, reasons, k = {}, {}, 0
    targets = list(bad.items()) + [
        (a, f"{formula_latex(a, formula.claim_id)}: SymPy prints an applied function with braces, which the parser does not read "
            "as a call") for a in apps]
    for target, why in targets:
        while f"z_{{{900 + k}}}" in used:
            k += 1
        aliases[target] = sp.Symbol(f"z_{{{900 + k}}}")
        reasons[formula_latex(target, formula.claim_id)] = why
        k += 1
    back2 = dict(back)
    for target, alias in aliases.items():
        p, _ = _symbol_roundtrip(alias)
        back2[p if p is not None else alias] = target
    aliased = expr.xreplace(aliases)
    tries = ([(None, "")] if aliases else []) + [
        ("dot", "products printed with an explicit \\cdot (the parser reads a symbol followed by "
                "\\left( as a function call)")]
    whys = [why1]
    for mul_symbol, note in tries:
        outcome2, why2 = _attempt(formula_latex(aliased, formula.claim_id, mul_symbol=mul_symbol), expr, back2)
        if outcome2 == "ok":
            if note:
                reasons[r"\cdot"] = note
            return RoundTrip(formula, "aliased", "; ".join(reasons.values()), reasons)
        if outcome2 == "differs":
            return RoundTrip(formula, "mismatch", f"with aliases: {why2}", reasons)
        whys.append(why2)
    return RoundTrip(formula, "unparsable", "; even with aliases or \\cdot: ".join(dict.fromkeys(whys)), reasons)


def roundtrip_all(formulas=None) -> list:
    """:func:`roundtrip` for every formula (default: :func:`collect_formulas`)."""
    return [roundtrip(f) for f in (collect_formulas() if formulas is None else formulas)]
