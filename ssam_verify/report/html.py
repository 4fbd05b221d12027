"""The self-contained HTML report (inline CSS, figures embedded as PNG data, no script, no network).

Layout: a summary table of the claims on top (each claim linked to its section, each
piece of evidence and each figure linked to its anchor), then one section per claim
with every evidence as tables, then the figures (``<figure>`` with a caption that
links back to the claims it illustrates), then the environment.
"""
from __future__ import annotations

import base64
import html
from pathlib import Path

from ..latex import text_to_markdown
from .claims import (claim_info, evidence_anchor, figure_anchor, figures_of, relative_path, result_json,
                     summary_counts, summary_rows)
from .mathtext import math_html
from .values import evidence_tables

__all__ = ["report_html"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
caption{caption-side:top;text-align:left;font-style:italic;padding:.2em 0}
th,td{border:1px solid #ccc;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f3f3f3} code,pre{background:#f6f6f6;font-size:.88em} pre{padding:.6em;overflow-x:auto}
.pass{color:#11702b;font-weight:bold}.fail,.error{color:#b00020;font-weight:bold}
.evidence{border-left:3px solid #ddd;padding-left:.8em;margin:.8em 0}
.math{font-family:"Times New Roman",Times,serif;font-style:italic;white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%} figure{margin:1.2em 0} figcaption{font-size:.92em;max-width:60em} img{max-width:100%;border:1px solid #eee}
"""


def _h(s) -> str:
    return html.escape(str(s))


def _title_html(text: str) -> str:
    """A plain-text title with its ASCII math rendered (``L_R`` as L<sub>R</sub>)."""
    return math_html(text_to_markdown(text))


def _table(rows, headers, caption: str = "", raw: bool = False, cls: str = "") -> str:
    head = "".join(f"<th>{_h(c)}</th>" for c in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else _h(c)}</td>" for c in r) + "</tr>" for r in rows)
    cap = f"<caption>{_h(caption)}</caption>" if caption else ""
    cls = f" class='{cls}'" if cls else ""
    return f"<table{cls}>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _verdict_html(v: str) -> str:
    return f'<span class="{_h(v)}">{_h(v.upper())}</span>'


def _evidence_html(ev: dict, anchor: str, k: int) -> str:
    tables, tracebacks = evidence_tables(ev.get("detail", {}))
    parts = [f"<section class='evidence' id='{_h(anchor)}'><h4>{k}. {_h(ev.get('name') or ev['method'])} "
             f"({_h(ev['method'])}): {_verdict_html('pass' if ev['passed'] else 'fail')}</h4>"]
    parts += [f"<div class='scroll'>{_table(t.rows, t.headers, t.title)}</div>" for t in tables]
    parts += [f"<pre>{_h(tb)}</pre>" for tb in tracebacks]
    return "".join(parts) + "</section>"


def _summary_table(results, figures) -> str:
    rows = [[f"<a href='#{_h(row.claim_id)}'>{_h(row.claim_id)}</a>", _title_html(row.title),
             _verdict_html(row.verdict),
             " ".join(f"<a href='#{_h(anchor)}'>{_h(m)} {'✓' if ok else '✗'}</a>" for m, ok, anchor in row.evidence),
             ", ".join(f"<a href='#{_h(anchor)}'>{_h(name)}</a>" for name, anchor in row.figures) or "—",
             f"{row.seconds:.1f}"] for row in summary_rows(results, figures)]
    return _table(rows, ["claim", "title", "verdict", "evidence", "figures", "seconds"],
                  "Every claim: verdict, links to each piece of evidence and to its figures", raw=True,
                  cls="summary")


def _figure_html(k: int, f, outdir: Path, claim_ids: set) -> str:
    head = f"<h3>Figure {k}: {_h(f.name)}</h3>"
    if f.error:
        return f"<section id='{_h(figure_anchor(f.name))}'>{head}<p><em>not drawn: {_h(f.error)}</em></p></section>"
    data = base64.b64encode(f.png.read_bytes()).decode("ascii")
    claims = ", ".join(f"<a href='#{_h(c)}'>{_h(c)}</a>" for c in f.claims if c in claim_ids)
    links = f"<a href='{_h(relative_path(f.png, outdir))}'>PNG</a>" + (
        f" <a href='{_h(relative_path(f.svg, outdir))}'>SVG</a>" if f.svg else "")
    return (f"<figure id='{_h(figure_anchor(f.name))}'>{head}<img alt='{_h(f.name)}' "
            f"src='data:image/png;base64,{data}'><figcaption><strong>Figure {k}.</strong> {math_html(f.caption)}"
            + (f" Illustrates {claims}." if claims else "") + f" {links}</figcaption></figure>")


def report_html(results, env: dict, figures, outdir: Path) -> str:
    """The self-contained HTML report (see the module docstring)."""
    results = [result_json(r) for r in results]
    n = summary_counts(results)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>ssam-verify: verification report</title>", f"<style>{_CSS}</style></head><body>",
        "<h1>ssam-verify: verification report</h1>",
        "<p>Claims of <em>Training Diagonal Linear Networks with Stochastic Sharpness-Aware Minimization</em> "
        "(Clara, Langer &amp; Schmidt-Hieber, arXiv 2503.11891) and two related papers, each checked symbolically "
        "(SymPy), at high precision (mpmath), by Monte Carlo with a declared false-failure probability, and "
        "against negative controls (deliberately wrong variants that must be rejected).</p>",
        f"<p><strong>{n['pass']} passed, {n['fail']} failed, {n['error']} errors</strong> "
        f"(seed {_h(env['seed'])}, mode {_h(env['mode'])}). Reproduce: <code>{_h(env['command'])}</code> at commit "
        f"<code>{_h(env['git commit'])}</code> (same seed, same numbers; <a href='#environment'>environment</a>).</p>",
        "<h2 id='summary'>Summary</h2>", _summary_table(results, figures),
        "<p><code>sym</code> symbolic, <code>hp</code> high precision, <code>mc</code> Monte Carlo, <code>neg</code> "
        "negative controls; each links to its evidence.</p>",
        "<h2 id='claims'>Claims and evidence</h2>",
    ]
    for r in results:
        cid, info = r["id"], claim_info(r["id"])
        parts.append(f"<section class='claim' id='{_h(cid)}'><h3>{_h(cid)}: {_title_html(info.get('title', ''))} — "
                     f"{_verdict_html(r['verdict'])} ({r['seconds']:.2f} s)</h3>")
        for key, label in (("statement", "Statement"), ("notes", "Notes")):
            if info.get(key):
                parts.append(f"<p><strong>{label}:</strong> {_h(info[key].strip())}</p>")
        if info.get("equations"):
            parts.append(f"<p><strong>Equations:</strong> {_h(', '.join(str(e) for e in info['equations']))}</p>")
        figs = figures_of(cid, figures)
        if figs:
            parts.append("<p><strong>Figures:</strong> " + ", ".join(
                f"<a href='#{_h(figure_anchor(f.name))}'>{_h(f.name)}</a>" for f in figs) + "</p>")
        parts += [_evidence_html(ev, evidence_anchor(cid, k), k + 1) for k, ev in enumerate(r["evidence"])]
        parts.append("</section>")
    parts.append("<h2 id='figures'>Figures</h2>")
    claim_ids = {r["id"] for r in results}
    parts += [_figure_html(k, f, outdir, claim_ids) for k, f in enumerate(figures, start=1)]
    parts += ["<h2 id='environment'>Environment</h2>",
              _table([[_h(k), f"<code>{_h(v)}</code>"] for k, v in env.items()], ["", "value"], raw=True),
              "</body></html>"]
    return "\n".join(parts) + "\n"
