"""The rules every notebook follows, as checks (used by ``tests/test_notebooks.py`` on every part).

Static, on the generated notebook (:func:`notebook_problems`):

* **one title**: exactly one level-1 heading, the generator's ``# TITLE``; parts use ``##`` and below;
* **math in LaTeX**: Markdown cells set formulas as ``$...$`` / ``$$...$$``, not in backticks
  (a backtick span holding ``^``, ``=``, ``<=``, ``sqrt``, ``||``, a star after a letter, a
  subscript such as ``L_R`` or a Greek letter named in words is a formula); outside math and
  code, prose holds no ASCII math either (``w_l``, ``eta^2``, ``eta``); ``$`` signs are balanced;
* **code**: every code cell compiles; none ends in a bare tuple, list, dict or set display (a
  raw repr as output), nor prints one; no private name (``_x``) is imported or used.

On the executed notebook (:func:`output_problems`): no error; every result and display has a
rich form (Markdown, LaTeX, HTML or an image), not only ``text/plain``; no printed line is a raw
Python repr of a tuple, list or dict.  Nothing is written into the source tree: compare
:func:`tree_snapshot` before and after executing.
"""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

__all__ = ["markdown_problems", "code_problems", "notebook_problems", "output_problems", "tree_snapshot"]

_GREEK_WORDS = ("alpha", "beta", "delta", "eta", "lambda", "tau", "sigma", "kappa", "Lambda", "Sigma")
_GREEK_RE = re.compile(r"(?<![A-Za-z\\])(" + "|".join(_GREEK_WORDS) + r")(?![A-Za-z])")
_SUBSCRIPT = re.compile(r"\b[A-Za-z]_[A-Za-z0-9{]")
_RICH = {"text/markdown", "text/latex", "text/html", "image/png", "image/svg+xml", "image/jpeg"}
_REPR_LINE = re.compile(r"^\s*[\(\[\{].*[\)\]\}],?\s*$")
_SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis", ".benchmarks", ".ipynb_checkpoints",
              "node_modules", "build", "dist"}


def _strip_code(markdown: str) -> str:
    """``markdown`` without fenced code blocks."""
    return re.sub(r"```.*?```", " ", markdown, flags=re.S)


def _is_code_reference(span: str) -> bool:
    """A backtick span naming code (a module, a function call, a file, a command), not a formula."""
    s = span.strip()
    if s.startswith(("ssam-verify", "python", "pip", "-", "./", "/")) or s.endswith((".py", ".ipynb", ".md")):
        return True
    if re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+(\(.*\))?", s):  # dotted name, maybe called
        return True
    return bool(re.fullmatch(r"[a-z_][a-z0-9_]*_[a-z0-9_]{2,}(\(.*\))?", s))  # snake_case identifier or call


def _is_formula(span: str) -> bool:
    s = span.strip()
    if _is_code_reference(s):
        return False
    return bool(re.search(r"\^|=|<|>|\bsqrt\b|\|\||\b(prod|sum)_|[A-Za-z]\*", s) or _SUBSCRIPT.search(s)
                or _GREEK_RE.search(s))


def markdown_problems(markdown: str) -> list:
    """Formulas in backticks, ASCII math in prose and unbalanced ``$`` of one Markdown cell."""
    text = _strip_code(markdown)
    problems = [f"formula in backticks, write it as $...$: `{m}`"
                for m in re.findall(r"`([^`\n]+)`", text) if _is_formula(m)]
    prose = re.sub(r"`[^`\n]*`", " ", text)
    prose = re.sub(r"\$\$.*?\$\$", " ", prose, flags=re.S)
    if prose.replace(r"\$", "").count("$") % 2:
        problems.append("unbalanced $: a formula is not closed")
    prose = re.sub(r"\$[^$]*\$", " ", prose)
    prose = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", prose)  # link targets
    prose = re.sub(r"\*[^*\n]+\*", lambda m: m.group(0).replace("_", " "), prose)  # emphasis is not a subscript
    for m in _SUBSCRIPT.finditer(prose):
        problems.append(f"ASCII math in prose, write it as $...$: {prose[max(0, m.start() - 10):m.end() + 10]!r}")
    for m in re.finditer(r"[A-Za-z0-9)]\^", prose):
        problems.append(f"ASCII power in prose, write it as $...$: {prose[max(0, m.start() - 10):m.end() + 10]!r}")
    for m in _GREEK_RE.finditer(prose):
        problems.append(f"Greek letter in words, write it as $\\{m.group(1)}$: "
                        f"{prose[max(0, m.start() - 10):m.end() + 10]!r}")
    return problems


def _is_display(node) -> bool:
    return isinstance(node, (ast.Tuple, ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp))


def code_problems(source: str) -> list:
    """Syntax errors, raw container outputs and private names in one code cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        return [f"does not compile: {exc.msg} (line {exc.lineno})"]
    problems = []
    if tree.body and isinstance(tree.body[-1], ast.Expr) and _is_display(tree.body[-1].value):
        problems.append("ends in a bare tuple/list/dict/set: show a table (show_table) or a formula (show_formula)")
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print" and any(
                _is_display(a) for a in node.args):
            problems.append(f"line {node.lineno}: prints a raw tuple/list/dict: show a table instead")
        if isinstance(node, ast.ImportFrom):
            private = [a.name for a in node.names if a.name.startswith("_")]
            private += [p for p in (node.module or "").split(".") if p.startswith("_")]
            if private:
                problems.append(f"line {node.lineno}: imports a private name {', '.join(private)}")
        if isinstance(node, ast.Import):
            private = [p for a in node.names for p in a.name.split(".") if p.startswith("_")]
            if private:
                problems.append(f"line {node.lineno}: imports a private module {', '.join(private)}")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            problems.append(f"line {node.lineno}: uses a private name .{node.attr}")
    return problems


def notebook_problems(nb) -> list:
    """Every static rule (module docstring) on a generated notebook: ``["cell <id>: <problem>"]``."""
    problems = []
    titles = [c for c in nb.cells if c.cell_type == "markdown"
              for line in _strip_code(c.source).splitlines() if re.match(r"#\s", line)]
    if len(titles) != 1:
        problems.append(f"notebook: {len(titles)} level-1 titles, must be exactly one (the generator's)")
    for cell in nb.cells:
        found = markdown_problems(cell.source) if cell.cell_type == "markdown" else code_problems(cell.source)
        problems += [f"cell {cell.get('id')}: {p}" for p in found]
    return problems


def output_problems(nb) -> list:
    """Every rule on an executed notebook's outputs: ``["cell <id>: <problem>"]``."""
    problems = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                problems.append(f"cell {cell.get('id')}: {out.get('ename')}: {out.get('evalue')}")
            elif kind in ("execute_result", "display_data") and not _RICH & set(out.get("data", {})):
                text = str(out.get("data", {}).get("text/plain", ""))[:80]
                problems.append(f"cell {cell.get('id')}: raw output without a rich form: {text!r}")
            elif kind == "stream":
                for line in str(out.get("text", "")).splitlines():
                    if _REPR_LINE.match(line):
                        problems.append(f"cell {cell.get('id')}: printed a raw repr: {line[:80]!r}")
    return problems


def tree_snapshot(root) -> dict:
    """``{relative path: (size, mtime_ns)}`` of the files under ``root`` (caches and virtualenvs skipped)."""
    root = Path(root)
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            p = Path(dirpath) / name
            try:
                st = p.stat()
            except OSError:  # pragma: no cover - vanished meanwhile
                continue
            out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return out
