"""A citable verification report: ``ssam-verify run --report DIR``.

:func:`write_report` writes into ``DIR``

* ``report.md``   Markdown: a summary table of the claims on top (each claim,
  each piece of evidence and each figure linked), each claim's statement, notes
  and evidence as tables, the figures with captions, the environment;
* ``report.html`` the same, self-contained (inline CSS, figures embedded as
  PNG data in ``<figure>`` with a caption, each linked to its SVG; no script);
* ``figures/``    every registered figure (:func:`ssam_verify.figures.all_figures`)
  as PNG and SVG, drawn with the run's seed;
* ``results.json`` the raw results (as ``ssam-verify run --json``).

The environment block records what is needed to reproduce a verdict: the exact
command line, seed and mode, versions of Python, NumPy, SciPy, SymPy, mpmath
and matplotlib, the platform, the date (UTC) and the git commit (with a
``-dirty`` mark when the working tree has uncommitted changes).

Evidence ``detail`` dicts are rendered as tables (:func:`.values.evidence_tables`):
the scalars (floats to 6 significant digits, nested settings flattened to
``parent / child``) as a quantity-value table, lists and dicts of records
(negative-control variants, per-test statistics) as tables of their own,
tracebacks as code blocks.  Inline math in captions and titles is rendered
without a network (:mod:`.mathtext`).

The report is built by :mod:`.environment` (the reproduction block), :mod:`.claims`
(results, claim metadata, figures), :mod:`.values` (formatting and the walk over
evidence details), :mod:`.markdown` and :mod:`.html`.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .claims import draw_figures, result_json, summary_counts
from .environment import environment
from .html import report_html
from .markdown import evidence_markdown, report_markdown
from .values import format_value

__all__ = ["write_report", "environment", "evidence_markdown", "format_value", "report_markdown", "report_html"]


def write_report(results, outdir, seed: int = 0, mode: str = "default", figures: bool = True,
                 figure_names=None) -> Path:
    """Write ``report.md``, ``report.html``, ``results.json`` and ``figures/`` into ``outdir``.

    ``results``: :class:`checks.framework.ClaimResult` objects (or their JSON);
    ``figures=False`` skips drawing (the report then says so);
    ``figure_names`` restricts to some figures.  Returns the path of ``report.html``.
    """
    from checks.framework import to_jsonable

    if mode not in ("default", "quick", "thorough"):
        raise ValueError(f"mode must be one of default, quick, thorough; got {mode!r}")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    results = [result_json(r) for r in results]
    env = environment(seed, mode, [r["id"] for r in results])
    figs = draw_figures(outdir, seed, figure_names) if figures else []
    counts = summary_counts(results)
    summary = {"passed": counts["pass"], "failed": counts["fail"], "errors": counts["error"]}
    _write(outdir / "results.json", json.dumps(to_jsonable(
        {"seed": seed, "mode": mode, "environment": env, "claims": results, "summary": summary}), indent=2) + "\n")
    _write(outdir / "report.md", report_markdown(results, env, figs, outdir))
    path = outdir / "report.html"
    _write(path, report_html(results, env, figs, outdir))
    return path


def _write(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it: never a truncated file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
