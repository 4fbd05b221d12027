"""Inline math (``$...$``) as HTML for the self-contained report (no MathJax, no network).

Figure captions and claim titles hold short formulas (``$\\tau_L(\\eta)$``,
``$a^2 = w^* - \\eta^2$``).  :func:`math_html` renders them with Unicode letters
and symbols, ``<sub>``/``<sup>`` for indices and powers, in an italic span;
everything outside ``$...$`` is HTML-escaped.  Unknown commands keep their name.
"""
from __future__ import annotations

import html
import re

__all__ = ["math_html"]

_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
          "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
          "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
          "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
          "ell": "ℓ"}
_SYMBOLS = {"le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "to": "→", "infty": "∞",
            "pm": "±", "cdot": "·", "times": "×", "in": "∈", "approx": "≈", "sum": "∑", "prod": "∏",
            "nabla": "∇", "partial": "∂", "dots": "…", "ldots": "…", "cdots": "⋯", "mid": "|", "|": "‖",
            "Vert": "‖", "vert": "|", "langle": "⟨", "rangle": "⟩", "top": "⊤", "circ": "∘", "quad": " ",
            ",": " ", ";": " ", "!": "", " ": " ", "max": "max", "min": "min", "log": "log", "exp": "exp",
            "lim": "lim", "sup": "sup", "inf": "inf", "{": "{", "}": "}"}
_STRIP = {"left", "right", "displaystyle", "big", "Big", "bigg", "Bigg"}


def _group(s: str, i: int) -> tuple:
    """The argument starting at ``s[i]``: a ``{...}`` group or one character; returns ``(text, next index)``."""
    if i < len(s) and s[i] == "{":
        depth = 0
        for j in range(i, len(s)):
            depth += {"{": 1, "}": -1}.get(s[j], 0)
            if depth == 0:
                return s[i + 1:j], j + 1
        return s[i + 1:], len(s)
    if i < len(s) and s[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", s[i:])
        return m.group(0), i + len(m.group(0))
    return (s[i], i + 1) if i < len(s) else ("", i)


def _convert(s: str) -> str:
    """LaTeX math (without ``$``) as escaped HTML."""
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            name, i = m.group(1), i + len(m.group(0))
            if name in ("frac", "dfrac", "tfrac"):
                num, i = _group(s, i)
                den, i = _group(s, i)
                out.append(f"({_convert(num)})/({_convert(den)})")
            elif name == "sqrt":
                arg, i = _group(s, i)
                out.append(f"√({_convert(arg)})")
            elif name in ("mathrm", "text", "operatorname", "mathbf", "mathit"):
                arg, i = _group(s, i)
                out.append(html.escape(arg))
            elif name == "mathbb":
                arg, i = _group(s, i)
                out.append({"E": "𝔼", "R": "ℝ", "N": "ℕ"}.get(arg, html.escape(arg)))
            elif name in _GREEK:
                out.append(_GREEK[name])
            elif name in _SYMBOLS:
                out.append(html.escape(_SYMBOLS[name]))
            elif name not in _STRIP:
                out.append(html.escape(name))
        elif ch in "^_":
            arg, i = _group(s, i + 1)
            tag = "sup" if ch == "^" else "sub"
            out.append(f"<{tag}>{_convert(arg)}</{tag}>")
        elif ch in "{}":
            i += 1
        else:
            out.append(html.escape(ch))
            i += 1
    return "".join(out)


def math_html(text: str) -> str:
    """``text`` as HTML: ``$...$`` rendered as inline math (:func:`_convert`), the rest escaped."""
    parts = re.split(r"(\$[^$]+\$)", str(text))
    return "".join(f'<span class="math">{_convert(p[1:-1])}</span>' if p.startswith("$") and p.endswith("$")
                   and len(p) > 2 else html.escape(p) for p in parts)
