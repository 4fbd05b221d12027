"""Plain text with ASCII pseudo-math (claim titles, formula names) as LaTeX.

The claim titles and the names in ``formulas()`` are plain text written for a
terminal: ``"Balancing under GD: rate 1 - 4 alpha eta^{2(L-1)} + C alpha^2"``.
:func:`text_to_latex` finds the mathematical runs in such a text and sets them
in math mode (``$1 - 4 \\alpha \\eta^{2(L-1)} + C \\alpha^2$``), escaping the rest
for text mode; :func:`math_to_latex` converts one run.  The rules, so that a new
title renders without a hand-written LaTeX version:

* a word is *math* when it holds an operator or a mark of notation
  (``_ ^ = < > * / | [ ] { } +``), is a Greek letter's name (``eta``,
  ``Lambda``, ``ell``), ``oo``, ``sqrt(..)``, or a single letter other than
  ``a``, ``A`` and ``I`` (English words); a lone operator (``-``, ``=``,
  ``<=``, ``->``) is math; numbers join a run but do not start one;
* consecutive math words form one run; trailing ``, ; : .`` and unbalanced
  outer parentheses stay outside it;
* inside a run: Greek names become ``\\eta``..., ``<= >= != ->`` become
  ``\\le \\ge \\ne \\to``, ``oo`` is ``\\infty``, ``sqrt(x)`` is ``\\sqrt{x}``,
  ``||`` is ``\\|``, a star after a letter is a superscript (``w*`` is
  ``w^*``), multi-letter subscripts are upright (``S_avg`` is
  ``S_{\\mathrm{avg}}``, ``lambda_max`` is ``\\lambda_{\\max}``), ``^(..)`` is
  ``^{..}``, ``E[`` and ``E_`` are ``\\mathbb{E}``, and braces that are not a
  sub- or superscript group are set braces ``\\{ \\}``.
"""
from __future__ import annotations

import re

__all__ = ["text_to_latex", "text_to_markdown", "math_to_latex", "escape_text", "ascii_math_in_text", "GREEK"]

#: Greek letters (and ``ell``) recognised by name.
GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
         "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta",
         "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega", "ell")
_GREEK_RE = re.compile(r"(?<![A-Za-z\\])(" + "|".join(sorted(GREEK, key=len, reverse=True)) + r")(?![A-Za-z])")
_OPERATORS = {"-", "+", "=", "<", ">", "<=", ">=", "!=", "->"}
#: words after which a single capital letter is a name, not a symbol ("Appendix F")
_NAMING_WORDS = {"Appendix", "Section", "Figure", "Lemma", "Theorem", "Table", "Part"}
_NAMED_FUNCTIONS = {"prod": r"\prod", "sum": r"\sum", "in": r"\in",
                    "max": r"\max", "min": r"\min", "log": r"\log", "exp": r"\exp", "tr": r"\operatorname{tr}",
                    "sup": r"\sup", "inf": r"\inf", "lim": r"\lim", "det": r"\det"}
_LATEX_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}
#: Greek capitals LaTeX writes as Latin letters
_LATIN_CAPITALS = {"alpha": "A", "beta": "B", "epsilon": "E", "zeta": "Z", "eta": "H", "iota": "I", "kappa": "K",
                   "mu": "M", "nu": "N", "omicron": "O", "rho": "P", "tau": "T", "chi": "X"}
_MARKS = set("_^=<>*/|[]{}+\\")
_TEXT_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
_UNICODE = {"≥": r"$\geq$", "≤": r"$\leq$", "≠": r"$\neq$", "≈": r"$\approx$", "→": r"$\to$", "∞": r"$\infty$",
            "∑": r"$\sum$", "∏": r"$\prod$", "‖": r"$\|$", "·": r"$\cdot$", "×": r"$\times$", "∈": r"$\in$",
            "∇": r"$\nabla$", "∂": r"$\partial$", "√": r"$\surd$", "—": "---", "–": "--", "’": "'", "‘": "`",
            "“": "``", "”": "''", "…": r"\ldots{}", "±": r"$\pm$"}


def _unicode_to_tex(ch: str) -> str:
    """A non-ASCII character as LaTeX text (Greek letters and common math symbols), else its ASCII base or ``?``."""
    import unicodedata

    if ch in _UNICODE:
        return _UNICODE[ch]
    name = unicodedata.name(ch, "")
    if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")):
        letter = name.split(" LETTER ")[1].split()[0].lower()
        letter = {"lamda": "lambda"}.get(letter, letter)
        if name.startswith("GREEK CAPITAL"):
            if letter.capitalize() not in _LATEX_CAPITALS:  # Alpha, Eta, ...: the Latin letter
                return _LATIN_CAPITALS.get(letter, "?")
            letter = letter.capitalize()
        return f"$\\{letter}$"
    return unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode() or "?"


def escape_text(text: str) -> str:
    """``text`` for LaTeX text mode: specials escaped, Greek and math symbols of Unicode as math."""
    return "".join(_TEXT_SPECIAL.get(ch, ch) if ord(ch) < 128 else _unicode_to_tex(ch) for ch in str(text))


def _is_math_word(word: str) -> str:
    """``"strong"`` (starts or continues a run), ``"weak"`` (only continues one) or ``""`` (text)."""
    core = word.strip(",;:.()")
    if not core:
        return "weak" if word.strip() in ("(", ")") else ""
    if core == "/" or re.fullmatch(r"0[0-9]*(/0[0-9]*)+", core):  # a slash between words; seeds 003/004
        return ""
    if core in _OPERATORS or word in _OPERATORS:
        return "strong"
    if not core.isascii() or not any(ch.isalnum() for ch in core):
        return ""
    if any(ch in _MARKS for ch in core) or _GREEK_RE.fullmatch(core) or core == "oo":
        return "strong"
    if re.fullmatch(r"(sqrt|exp|log)\(.*", core) or re.fullmatch(r"\(?[A-Za-z]\(.*\)[,;:.)]*", word):
        return "strong"
    if len(core) == 1 and core.isascii() and core.isalpha() and core not in "aAI":
        return "strong"
    if re.fullmatch(r"[0-9.]+", core) or core in _NAMED_FUNCTIONS:
        return "weak"
    return ""


def _balance(run: str) -> tuple:
    """Split unbalanced outer parentheses and trailing punctuation off a run: ``(before, run, after)``."""
    before = after = ""
    while run and run[-1] in ",;:.":
        after, run = run[-1] + after, run[:-1]
    while run.count(")") > run.count("(") and run.endswith(")"):
        after, run = ")" + after, run[:-1]
        while run and run[-1] in ",;:.":
            after, run = run[-1] + after, run[:-1]
    while run.count("(") > run.count(")") and run.startswith("("):
        before, run = before + "(", run[1:]
    return before, run, after


def _braces(s: str) -> str:
    """Set braces (not after ``^`` or ``_``) as ``\\{ \\}``; group braces kept."""
    out, stack = [], []
    for i, ch in enumerate(s):
        if ch == "{":
            group = i > 0 and s[i - 1] in "^_"
            stack.append(group)
            out.append("{" if group else r"\{")
        elif ch == "}":
            out.append("}" if (stack.pop() if stack else True) else r"\}")
        else:
            out.append(ch)
    return "".join(out)


def _paren_group(s: str, start: int) -> int:
    """Index just past the parenthesis group that opens at ``s[start] == "("`` (or ``len(s)``)."""
    depth = 0
    for i in range(start, len(s)):
        depth += {"(": 1, ")": -1}.get(s[i], 0)
        if depth == 0:
            return i + 1
    return len(s)


def _groups(s: str) -> str:
    """``^(..)`` as ``^{..}`` and ``sqrt(..)`` as ``\\sqrt{..}`` (nested groups included)."""
    out, i = [], 0
    while i < len(s):
        if s.startswith("^(", i) or s.startswith("sqrt(", i):
            head = "^" if s[i] == "^" else r"\sqrt"
            open_ = i + (1 if head == "^" else 4)
            end = _paren_group(s, open_)
            out.append(head + "{" + _groups(s[open_ + 1:end - 1]) + "}")
            i = end
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def _subscript(match) -> str:
    sub = match.group(1)
    if sub in GREEK:
        return "_{\\" + sub + "}"
    if sub in ("max", "min"):
        return "_{\\" + sub + "}"
    if sub.isdigit() or len(sub) == 1:
        return "_{" + sub + "}"
    return "_{\\mathrm{" + sub + "}}"


def math_to_latex(run: str) -> str:
    """One run of ASCII math as LaTeX math (without ``$``); see the module docstring for the rules."""
    s = _braces(run.strip())
    s = _groups(s)
    s = s.replace("||", "\\|")
    s = re.sub(r"(?<=[A-Za-z])\*\^([A-Za-z0-9])", "^{\x00\\1}", s)  # w*^T -> w^{*T}
    s = re.sub(r"(?<=[A-Za-z)])\*(?![A-Za-z0-9(])", "^\x00", s)  # w*, beta*, ||W*||
    s = s.replace("*", r" \cdot ").replace("\x00", "*")
    s = re.sub(r"(?<![A-Za-z\\])_([A-Za-z]+|[0-9]+)", _subscript, s)  # S_avg, w_11, t_nu
    s = re.sub(r"(?<=[A-Za-z0-9}])_([A-Za-z]+|[0-9]+)", _subscript, s)
    s = _GREEK_RE.sub(lambda m: "\\" + m.group(1), s)
    for word, tex in _NAMED_FUNCTIONS.items():
        s = re.sub(rf"(?<![A-Za-z\\]){word}(?![A-Za-z])", lambda m, t=tex: t, s)
    s = re.sub(r"(?<![A-Za-z\\])oo(?![A-Za-z])", r"\\infty", s)
    s = re.sub(r"(?<![A-Za-z\\])E(?=[\[_])", r"\\mathbb{E}", s)
    s = s.replace("<=", r" \le ").replace(">=", r" \ge ").replace("!=", r" \ne ").replace("->", r" \to ")
    s = s.replace("&", r"\&").replace("%", r"\%").replace("#", r"\#")
    s = re.sub(r"([\^_])(?=$|[\s)\]])", r"\1{}", s)  # a dangling ^ or _ gets an empty group
    return re.sub(r" {2,}", " ", s).strip()


def _words(text: str) -> list:
    """``text`` split at spaces outside braces (``prod_{l in S}`` stays one word)."""
    words, depth, current = [], 0, []
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if ch == " " and depth <= 0:
            words.append("".join(current))
            current = []
        else:
            current.append(ch)
    return words + ["".join(current)]


def _convert(text: str, plain) -> str:
    """``text`` with its runs of ASCII math as ``$...$`` and the rest passed through ``plain``."""
    words = _words(str(text))
    kinds = [_is_math_word(w) for w in words]
    for k in range(1, len(words)):  # "Appendix F": a name, not a symbol
        if words[k - 1].strip("(") in _NAMING_WORDS and len(words[k].strip(",;:.()")) == 1:
            kinds[k] = ""
    out, i = [], 0
    while i < len(words):
        if kinds[i] == "strong":
            j = i
            while j + 1 < len(words) and kinds[j + 1] in ("strong", "weak"):
                j += 1
            while i > 0 and kinds[i - 1] == "weak" and re.fullmatch(r"[0-9.]+", words[i - 1]) and out \
                    and out[-1] == plain(words[i - 1]):
                i -= 1
                out.pop()
            before, run, after = _balance(" ".join(words[i:j + 1]))
            out.append(plain(before) + (f"${math_to_latex(run)}$" if run else "") + plain(after))
            i = j + 1
        else:
            out.append(plain(words[i]))
            i += 1
    return " ".join(out)


def text_to_latex(text: str) -> str:
    """``text`` as LaTeX for text mode, with its runs of ASCII math set as ``$...$``.

    >>> text_to_latex("Balancing under the gradient flow at rate 4 eta^{2(L-1)}")
    'Balancing under the gradient flow at rate $4 \\\\eta^{2(L-1)}$'
    """
    return _convert(text, escape_text)


def text_to_markdown(text: str) -> str:
    """``text`` as Markdown with its runs of ASCII math as ``$...$`` (for notebooks)."""
    return _convert(text, lambda s: s.replace("*", "\\*").replace("|", "\\|"))


def ascii_math_in_text(latex: str) -> list:
    """Pieces of ASCII pseudo-math left in the *text mode* of ``latex``: ``[]`` when there is none.

    Math (``$...$``) and ``\\texttt{...}`` (module names, ids) are skipped; what remains must
    hold no ``_``, ``^``, escaped ``\\_``/``\\textasciicircum``, ``<=``/``>=``, ``sqrt`` or Greek
    letter named in words (``eta``).  Used by the tests on every heading of the export.
    """
    text = re.sub(r"\$[^$]*\$", " ", latex)
    text = re.sub(r"\\texttt\{[^{}]*\}", " ", text)
    found = re.findall(r"\\_|\\textasciicircum|[_^]|<=|>=|\\textless\{\}=|\\textgreater\{\}=|\bsqrt\b", text)
    found += [m.group(0) for m in re.finditer(r"(?<![A-Za-z\\])(" + "|".join(GREEK) + r")(?![A-Za-z])", text)]
    return found
