"""Claims and figures as the report shows them: results as JSON, claim metadata, anchors, drawn figures."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["result_json", "claim_info", "methods_of", "method_short", "evidence_anchor", "figure_anchor",
           "DrawnFigure", "draw_figures", "figures_of", "relative_path", "summary_counts",
           "SummaryRow", "summary_rows"]

#: Short names of the evidence methods, as in the CLI's verdict table.
METHOD_SHORT = {"symbolic": "sym", "high-precision": "hp", "monte-carlo": "mc", "negative-control": "neg"}


def result_json(r) -> dict:
    """A :class:`checks.framework.ClaimResult` (or its JSON) as JSON."""
    return r if isinstance(r, dict) else r.to_json()


def claim_info(cid: str) -> dict:
    """The registered claim's id, title, statement, equations, notes and section (empty if unknown)."""
    try:
        from checks.framework import get_claim

        return get_claim(cid).to_json()
    except Exception:
        return {"id": cid, "title": "", "statement": "", "equations": [], "notes": "", "section": ""}


def methods_of(r: dict) -> str:
    """The method kinds of a result's evidence, comma-separated."""
    return ", ".join(sorted({e["method"] for e in r["evidence"]}))


def method_short(method: str) -> str:
    """``sym``, ``hp``, ``mc``, ``neg`` (the CLI's abbreviations), else the method itself."""
    return METHOD_SHORT.get(method, method)


def evidence_anchor(claim_id: str, index: int) -> str:
    """The anchor of a claim's evidence number ``index`` (from 0): ``<claim>-evidence-<index+1>``."""
    return f"{claim_id}-evidence-{index + 1}"


def figure_anchor(name: str) -> str:
    """The anchor of a figure: ``figure-<name>``."""
    return f"figure-{name}"


def summary_counts(results) -> dict:
    """``{"pass": n, "fail": n, "error": n}`` over the results."""
    return {k: sum(r["verdict"] == k for r in results) for k in ("pass", "fail", "error")}


@dataclass
class DrawnFigure:
    """A figure drawn for the report: its files (``None`` if drawing failed), caption and claims."""

    name: str
    png: Path | None
    svg: Path | None
    error: str = ""
    caption: str = ""
    claims: list = field(default_factory=list)


def draw_figures(outdir: Path, seed: int, names=None) -> list:
    """Draw figures into ``outdir/figures``; returns :class:`DrawnFigure` objects (errors kept, not raised)."""
    from ..figures import all_figures, figure_caption, figure_claims

    figdir = outdir / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    out = []
    for name, fn in all_figures().items():
        if names is not None and name not in names:
            continue
        caption, claims = figure_caption(name), figure_claims(name)
        try:
            paths = [Path(p) for p in fn(figdir, seed=seed)]
            png = next((p for p in paths if p.suffix == ".png"), None)
            svg = next((p for p in paths if p.suffix == ".svg"), None)
            out.append(DrawnFigure(name, png, svg, "", caption, claims))
        except Exception as exc:  # a broken figure must not lose the report
            out.append(DrawnFigure(name, None, None, f"{type(exc).__name__}: {exc}", caption, claims))
    return out


def figures_of(claim_id: str, figures) -> list:
    """The drawn figures that illustrate ``claim_id``."""
    return [f for f in figures if claim_id in f.claims]


def relative_path(p: Path, base: Path) -> str:
    """``p`` relative to ``base``, with forward slashes (for links)."""
    return p.resolve().relative_to(base.resolve()).as_posix()


@dataclass
class SummaryRow:
    """One claim's row of the report's summary table, before formatting (Markdown or HTML).

    ``evidence``: ``(short method name, passed, anchor)`` per piece of evidence; ``figures``:
    ``(name, anchor)`` per figure drawn for the claim.
    """

    claim_id: str
    title: str
    verdict: str
    evidence: list
    figures: list
    seconds: float


def summary_rows(results, figures) -> list:
    """The summary table's rows (:class:`SummaryRow`), one per result, in the results' order."""
    return [SummaryRow(r["id"], claim_info(r["id"]).get("title", ""), r["verdict"],
                       [(method_short(e["method"]), bool(e["passed"]), evidence_anchor(r["id"], k))
                        for k, e in enumerate(r["evidence"])],
                       [(f.name, figure_anchor(f.name)) for f in figures_of(r["id"], figures)], r["seconds"])
            for r in results]
