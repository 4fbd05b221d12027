"""Notebooks: generated from the part modules, committed without outputs, and executed
top to bottom on a real IPython kernel (nbclient + ipykernel) with no error.

Every part, present and future, is held to the notebook rules
(:mod:`ssam_verify.notebook_parts._rules`): exactly one title; formulas as LaTeX
math in Markdown (not in backticks, no ASCII math in prose, balanced ``$``);
code cells that compile, end in no bare tuple/list/dict, print none and use
only public names; executed, no error, no output without a rich form, no
printed raw repr; and execution writes nothing into the source tree."""
import types
from pathlib import Path

import nbformat
import pytest

from ssam_verify.cli import main
from ssam_verify.notebook_parts import all_parts
from ssam_verify.notebook_parts._rules import code_problems, markdown_problems, tree_snapshot
from ssam_verify.notebook_parts.display import format_cell, table_markdown
from ssam_verify.notebooks import (KERNEL_NAME, build_notebook, default_notebook_dir, execute_notebook,
                                   notebook_errors, notebook_problems, output_problems, stale_notebooks,
                                   write_notebooks)

REPO = Path(__file__).resolve().parent.parent
PARTS = all_parts()


def _fake_part(cells, stem="99-fake"):
    mod = types.ModuleType("fake_part")
    mod.NOTEBOOK, mod.TITLE = stem, "Fake"
    mod.cells = lambda: cells
    return mod


def test_parts_discovered():
    stems = [p.NOTEBOOK for p in PARTS]
    assert "02-marginalized-loss" in stems
    assert stems == sorted(stems) and len(set(stems)) == len(stems)


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.NOTEBOOK)
def test_build_is_valid_v4_without_outputs_and_deterministic(part):
    nb = build_notebook(part)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook must compute something"
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nbformat.writes(nb) == nbformat.writes(build_notebook(part))  # stable ids, stable bytes
    assert nb.cells[0].source.startswith(f"# {part.TITLE}")


def test_committed_notebooks_are_up_to_date():
    """notebooks/*.ipynb are exactly what the generator writes (no outputs, no hand edits)."""
    stale = stale_notebooks(REPO / "notebooks")
    assert stale == [], f"regenerate with `python -m ssam_verify notebooks`: {stale}"


def test_committed_notebooks_have_no_outputs():
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.NOTEBOOK)
def test_part_follows_the_notebook_rules(part):
    """One title, LaTeX math (not backticks), no bare tuples, public names only: see the module docstring."""
    assert notebook_problems(part) == []


@pytest.mark.parametrize("part", PARTS, ids=lambda p: p.NOTEBOOK)
def test_notebook_executes_without_error(part, tmp_path, monkeypatch):
    """Top to bottom on a fresh python3 kernel, from an unrelated working directory; no raw outputs;
    nothing written into the source tree."""
    monkeypatch.chdir(tmp_path)
    before = tree_snapshot(REPO)
    nb = execute_notebook(build_notebook(part), timeout=300)
    after = tree_snapshot(REPO)
    assert notebook_errors(nb) == []
    assert output_problems(nb) == []
    # new files anywhere, or changed notebooks (edits to existing sources while the tests run are not the notebook's)
    written = sorted(k for k in after if k not in before or (k.startswith("notebooks") and before[k] != after[k]))
    assert written == [], f"the notebook wrote into the source tree: {written}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    mimes = {k for c in code for o in c.outputs for k in o.get("data", {})}
    assert "text/markdown" in mimes  # tables and formulas, not plain text
    if part.NOTEBOOK == "02-marginalized-loss":
        assert {"text/latex", "image/png", "text/markdown"} <= mimes


@pytest.mark.parametrize("source, expected", [
    ("Per coordinate `L_R = w*^2 - 2 w* pi`.", "formula in backticks"),
    ("The rate `4 eta^{2(L-1)}` holds.", "formula in backticks"),
    ("where `sqrt(L) ||w*||` is the radius", "formula in backticks"),
    ("the bound L_R <= c", "ASCII math in prose"),
    ("with eta = 0.5", "Greek letter in words"),
    ("a power eta^2 here", "ASCII power"),
    ("an open $\\eta formula", "unbalanced $"),
])
def test_markdown_rule_catches(source, expected):
    assert any(expected in p for p in markdown_problems(source)), markdown_problems(source)


@pytest.mark.parametrize("source", [
    "$L_R = \\mathbb{E}\\,L(W+G)$ and $$\\eta^2$$ with `numeric.model`, `dm.marginalized_loss(L)`, `lemma-2.2`",
    "run `ssam-verify run --claims theorem-4.3 --quick` or `python -m pytest`; *seeds_and_ids* in italics",
    "```\nL_R = w*^2 in a fenced block\n```",
])
def test_markdown_rule_accepts(source):
    assert markdown_problems(source) == []


@pytest.mark.parametrize("source, expected", [
    ("x = 1\nx, 2 * x", "bare tuple"),
    ("{'a': 1}", "bare tuple"),
    ("[k for k in range(3)]", "bare tuple"),
    ("print({'a': 1})", "prints a raw"),
    ("from checks.section2 import _private", "private name"),
    ("import numeric._internal", "private module"),
    ("import numpy as np\nnp._x", "private name"),
    ("def f(:\n    pass", "does not compile"),
])
def test_code_rule_catches(source, expected):
    assert any(expected in p for p in code_problems(source)), code_problems(source)


def test_code_rule_accepts():
    assert code_problems("import numpy as np\nx = np.arange(3)\nshow_table([[1, 2]], ['a', 'b'])\n"
                         "print('a sentence', 3)\nx.__class__") == []


def test_title_rule_and_output_rules_catch():
    """A part with its own title, and outputs that are raw reprs, break the rules."""
    titled = build_notebook(_fake_part([("markdown", "# Another title"), ("code", "x = 1")]))
    from ssam_verify.notebook_parts._rules import notebook_problems as static

    assert any("level-1 titles" in p for p in static(titled))
    nb = execute_notebook(build_notebook(_fake_part([
        ("code", "(1, 2)"), ("code", "print({'a': 1})"),
        ("code", "from IPython.display import Markdown\nMarkdown('a **table**')")])), timeout=60)
    problems = output_problems(nb)
    assert any("raw output" in p and "(1, 2)" in p for p in problems)
    assert any("printed a raw repr" in p for p in problems)
    assert len(problems) == 2  # the Markdown output is rich


def test_tree_snapshot_sees_a_written_file(tmp_path):
    before = tree_snapshot(tmp_path)
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "x.png").write_bytes(b"png")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "y.pyc").write_bytes(b"")
    after = tree_snapshot(tmp_path)
    assert set(after) - set(before) == {"figures/x.png"}


def test_display_cells():
    import sympy as sp

    x = sp.Symbol("x")
    assert format_cell(sp.Abs(x)) == r"$\left\vert {x}\right\vert $"
    assert format_cell(0.1234567891) == "0.123457" and format_cell(True) == "yes" and format_cell(3) == "3"
    assert format_cell(sp.Symbol("S_avg")) == r"$S_{\mathrm{avg}}$"  # the LaTeX export's symbol names
    md = table_markdown([["a|b", "$|w^*|$"]], ["$\\|x\\|$", "h"])
    assert md.splitlines()[0] == r"| $\Vert x\Vert $ | h |" and r"a\|b" in md and r"$\vert w^*\vert $" in md
    with pytest.raises(ValueError, match="rows"):
        table_markdown([[1]], ["a", "b"])


def test_failing_cell_is_reported():
    """A cell that raises fails the execution (so the tests above can fail)."""
    from nbclient.exceptions import CellExecutionError

    nb = build_notebook(_fake_part([("code", "x = 1"), ("code", "1 / 0")]))
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute_notebook(nb, timeout=60)


def test_malformed_parts_rejected():
    with pytest.raises(ValueError, match="kind"):
        build_notebook(_fake_part([("python", "x = 1")]))
    with pytest.raises(ValueError, match="pair"):
        build_notebook(_fake_part(["x = 1"]))
    with pytest.raises(ValueError, match="NOTEBOOK"):
        build_notebook(_fake_part([], stem=""))


def test_write_and_check(tmp_path):
    written = write_notebooks(tmp_path)
    assert {p.name for p, _ in written} == {f"{p.NOTEBOOK}.ipynb" for p in PARTS}
    assert stale_notebooks(tmp_path) == []
    first = written[0][0]
    first.write_text(first.read_text().replace('"cells": [', '"cells": [ ', 1))  # formatting only
    assert stale_notebooks(tmp_path) == []
    nb = nbformat.read(first, as_version=4)
    nb.cells[1].source += " (edited by hand)"
    nbformat.write(nb, first)
    assert [s for s, _ in stale_notebooks(tmp_path)] == [PARTS[0].NOTEBOOK]
    with pytest.raises(ValueError, match="unknown notebook"):
        write_notebooks(tmp_path, only=["no-such-notebook"])


def test_default_dir_is_repo_notebooks():
    assert default_notebook_dir() == REPO / "notebooks"


def test_cli(tmp_path, capsys):
    assert main(["notebooks", "-o", str(tmp_path)]) == 0
    assert (tmp_path / "02-marginalized-loss.ipynb").exists()
    assert main(["notebooks", "--check", "-o", str(tmp_path)]) == 0
    assert main(["notebooks", "--check", "-o", str(tmp_path / "empty")]) == 1
    capsys.readouterr()
    assert main(["notebooks", "--only", "nope", "-o", str(tmp_path)]) == 2
    assert "unknown notebook" in capsys.readouterr().err
    assert main(["notebooks", "--timeout", "0", "-o", str(tmp_path)]) == 2


def test_default_dir_when_installed(tmp_path, monkeypatch):
    """Installed (not a checkout) and run outside a checkout: ./ssam-verify-notebooks."""
    import ssam_verify.notebooks as nbmod

    monkeypatch.setattr(nbmod, "_is_checkout", lambda root: False)
    monkeypatch.chdir(tmp_path)
    assert default_notebook_dir() == tmp_path.resolve() / "ssam-verify-notebooks"


def test_kernel_is_this_python_and_this_package(tmp_path, monkeypatch):
    """The kernel runs the interpreter running the tests and imports the same ssam_verify."""
    import sys

    import ssam_verify

    monkeypatch.chdir(tmp_path)
    nb = execute_notebook(build_notebook(_fake_part([
        ("code", "import sys, ssam_verify\nprint(sys.executable)\nprint(ssam_verify.__file__)")])))
    out = nb.cells[-1].outputs[0]["text"].split()
    assert Path(out[0]).resolve() == Path(sys.executable).resolve()
    assert Path(out[1]).resolve() == Path(ssam_verify.__file__).resolve()
