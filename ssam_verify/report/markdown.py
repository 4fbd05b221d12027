"""The Markdown report and the Markdown of evidence (tables, not key: value lists)."""
from __future__ import annotations

from pathlib import Path

from .claims import (claim_info, evidence_anchor, figure_anchor, figures_of, relative_path, result_json,
                     summary_counts, summary_rows)
from .values import evidence_tables

__all__ = ["evidence_markdown", "report_markdown"]

_INTRO = ("Claims of *Training Diagonal Linear Networks with Stochastic Sharpness-Aware Minimization* "
          "(Clara, Langer & Schmidt-Hieber, arXiv 2503.11891) and two related papers, each checked symbolically "
          "(SymPy), at high precision (mpmath), by Monte Carlo with a declared false-failure probability, and "
          "against negative controls (deliberately wrong variants that must be rejected).")


def _md_escape(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _md_text(s: str) -> str:
    """Plain text (ASCII formulas such as ``w* - w~``) safe from Markdown emphasis."""
    return " ".join(str(s).split()).replace("\\", "\\\\").replace("*", "\\*").replace("<", "&lt;")


def _md_table(rows, headers, escape=True) -> str:
    esc = _md_escape if escape else (lambda c: str(c))
    out = ["| " + " | ".join(esc(h) for h in headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _evidence_json(ev) -> dict:
    return ev if isinstance(ev, dict) else ev.to_json()


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def _evidence_block(ev: dict, title: str) -> str:
    tables, tracebacks = evidence_tables(ev.get("detail", {}))
    parts = [title]
    for t in tables:
        parts.append((f"*{_md_text(t.title)}*\n\n" if t.title else "") + _md_table(t.rows, t.headers))
    parts += [f"```\n{tb.rstrip()}\n```" for tb in tracebacks]
    return "\n\n".join(parts)


def evidence_markdown(evidence, claim_id: str | None = None) -> str:
    """Markdown for a list of :class:`checks.framework.Evidence` (or their JSON): one block of tables each.

    With ``claim_id`` every block gets an anchor ``<claim>-evidence-<k>`` and a level-4 heading.
    """
    blocks = []
    for k, ev in enumerate(map(_evidence_json, evidence)):
        name = f"{ev.get('name') or ev['method']} ({ev['method']}): **{_verdict(ev['passed'])}**"
        title = (f'<a id="{evidence_anchor(claim_id, k)}"></a>\n\n#### {k + 1}. {name}' if claim_id
                 else f"**{k + 1}. {name}**")
        blocks.append(_evidence_block(ev, title))
    return "\n\n".join(blocks)


def _summary_rows(results, figures) -> list:
    return [[f"[{row.claim_id}](#{row.claim_id})", _md_escape(row.title), row.verdict.upper(),
             ", ".join(f"[{m} {'✓' if ok else '✗'}](#{anchor})" for m, ok, anchor in row.evidence),
             ", ".join(f"[{name}](#{anchor})" for name, anchor in row.figures) or "—", f"{row.seconds:.1f}"]
            for row in summary_rows(results, figures)]


def report_markdown(results, env: dict, figures, outdir: Path) -> str:
    """The Markdown report: summary table, claims with evidence tables, figures with captions, environment."""
    results = [result_json(r) for r in results]
    n = summary_counts(results)
    lines = [
        "# ssam-verify: verification report", "", _INTRO, "",
        f"**{n['pass']} passed, {n['fail']} failed, {n['error']} errors** (seed {env['seed']}, mode {env['mode']}). "
        f"Reproduce: `{env['command']}` at commit `{env['git commit']}` (same seed, same numbers; "
        "[environment](#environment)).", "",
        "## Summary", "",
        _md_table(_summary_rows(results, figures), ["claim", "title", "verdict", "evidence", "figures", "seconds"],
                  escape=False), "",
        "`sym` symbolic, `hp` high precision, `mc` Monte Carlo, `neg` negative controls; each links to its "
        "evidence.", "",
        "## Claims and evidence", "",
    ]
    for r in results:
        cid, info = r["id"], claim_info(r["id"])
        lines += [f'<a id="{cid}"></a>', "", f"### {cid}: {_md_text(info.get('title', ''))} — "
                  f"{r['verdict'].upper()} ({r['seconds']:.2f} s)", ""]
        for key, label in (("statement", "Statement"), ("notes", "Notes")):
            if info.get(key):
                lines += [f"**{label}:** " + _md_text(info[key]), ""]
        if info.get("equations"):
            lines += ["**Equations:** " + ", ".join(str(e) for e in info["equations"]), ""]
        figs = figures_of(cid, figures)
        if figs:
            lines += ["**Figures:** " + ", ".join(f"[{f.name}](#{figure_anchor(f.name)})" for f in figs), ""]
        lines += [evidence_markdown(r["evidence"], cid), ""]
    lines += ["## Figures", ""]
    for k, f in enumerate(figures, start=1):
        lines += [f'<a id="{figure_anchor(f.name)}"></a>', "", f"### Figure {k}: {f.name}", ""]
        claims = ", ".join(f"[{c}](#{c})" for c in f.claims if any(r["id"] == c for r in results))
        if f.error:
            lines += [f"*not drawn: {f.error}*", ""]
            continue
        svg = f" [SVG]({relative_path(f.svg, outdir)})" if f.svg else ""
        lines += [f"![{f.name}]({relative_path(f.png, outdir)})", "",
                  f"*Figure {k}.* {f.caption}" + (f" Illustrates {claims}." if claims else "")
                  + f" [PNG]({relative_path(f.png, outdir)}){svg}", ""]
    lines += ['<a id="environment"></a>', "", "## Environment", "",
              _md_table([[k, f"`{v}`" if k == "command" else v] for k, v in env.items()], ["", "value"]), ""]
    return "\n".join(lines) + "\n"
