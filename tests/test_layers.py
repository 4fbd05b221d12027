"""The import layers: what may import what (docs/ARCHITECTURE.md).

    ssam_verify (CLI, notebooks, LaTeX, figures, report)
        -> checks (claims, statistics)
            -> numeric (NumPy, SciPy, mpmath)      derivations (SymPy)

* ``numeric`` never imports SymPy, ``derivations``, ``checks`` or ``ssam_verify``;
* ``derivations`` never imports ``numeric``, ``checks`` or ``ssam_verify``, and draws no
  random numbers (no Monte Carlo: no ``numpy``/``random``/``scipy.stats`` at all);
* ``checks`` never imports ``ssam_verify``;
* no layer imports a private name (``_x``) of another layer.

Every import is read from the source with :mod:`ast`, including imports inside
functions, so a lazy import cannot slip past.  The test of the test plants a
violating file and checks that it is reported.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("derivations", "numeric", "checks", "ssam_verify")

#: layer -> top-level packages it must not import
FORBIDDEN = {
    "numeric": {"sympy", "derivations", "checks", "ssam_verify"},
    "derivations": {"numeric", "checks", "ssam_verify", "numpy", "random", "scipy"},
    "checks": {"ssam_verify"},
    "ssam_verify": set(),
}


def imports_of(path: Path, root: Path = ROOT):
    """``(line, imported module, imported names)`` for every import in ``path`` (relative ones resolved)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module_parts = list(path.relative_to(root).with_suffix("").parts)
    if module_parts[-1] == "__init__":
        module_parts = module_parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module_parts[: len(module_parts) - node.level + (path.name == "__init__.py")]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield node.lineno, name, [a.name for a in node.names]


def violations(root: Path = ROOT) -> list[str]:
    """Every import that breaks the layer rules, as ``file:line: message``."""
    out = []
    for layer in LAYERS:
        for path in sorted((root / layer).rglob("*.py")):
            for line, module, names in imports_of(path, root):
                top = module.split(".")[0]
                where = f"{path.relative_to(root)}:{line}"
                if top in FORBIDDEN[layer]:
                    out.append(f"{where}: {layer} imports {module}")
                if top in LAYERS and top != layer:
                    private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                    private += [p for p in module.split(".")[1:] if p.startswith("_") and not p.startswith("__")]
                    if private:
                        out.append(f"{where}: {layer} imports private {module}:{','.join(private)}")
    return out


def test_layers_import_only_downwards():
    assert violations() == []


@pytest.mark.parametrize("layer, source, expected", [
    ("numeric", "import sympy as sp\n", "numeric imports sympy"),
    ("numeric", "def f():\n    from derivations import marginalized\n", "numeric imports derivations"),
    ("derivations", "from numeric.model import loss\n", "derivations imports numeric.model"),
    ("derivations", "import numpy as np\n", "derivations imports numpy"),
    ("checks", "from ssam_verify.output import table\n", "checks imports ssam_verify.output"),
    ("checks", "from numeric.model import _prefix_products\n", "imports private numeric.model:_prefix_products"),
])
def test_a_planted_violation_is_reported(tmp_path, layer, source, expected):
    for name in LAYERS:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / layer / "planted.py").write_text(source)
    found = violations(tmp_path)
    assert any(expected in v for v in found), found
