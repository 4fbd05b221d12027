"""The self-contained HTML report (inline CSS, figures embedded as PNG data)."""
from __future__ import annotations

import base64
import html
from pathlib import Path

from .claims import claim_info, methods_of, relative_path, result_json
from .values import cell, columns, detail_items

__all__ = ["report_html"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f3f3f3} code,pre{background:#f6f6f6;font-size:.88em} pre{padding:.6em;overflow-x:auto}
.pass{color:#11702b;font-weight:bold}.fail,.error{color:#b00020;font-weight:bold}
.ev{border-left:3px solid #ddd;padding-left:.8em;margin:.8em 0}
img{max-width:100%;border:1px solid #eee} ul{margin:.2em 0}
"""


def _h(s) -> str:
    return html.escape(str(s))


def _html_table(rows, headers, raw=False) -> str:
    head = "".join(f"<th>{_h(c)}</th>" for c in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else _h(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _detail_html(detail: dict) -> str:
    items = []
    for kind, k, v in detail_items(detail):
        if kind == "traceback":
            items.append(f"<li>traceback:<pre>{_h(v)}</pre></li>")
        elif kind == "table":
            cols = columns(v)
            items.append(f"<li>{_h(k)}:" + _html_table([[cell(r.get(c, "")) for c in cols] for r in v], cols)
                         + "</li>")
        elif kind == "nested":
            items.append(f"<li>{_h(k)}:{_detail_html(v)}</li>")
        else:
            items.append(f"<li>{_h(k)}: <code>{_h(cell(v, 300))}</code></li>")
    return "<ul>" + "".join(items) + "</ul>"


def _verdict_html(v: str) -> str:
    return f'<span class="{_h(v)}">{_h(v.upper())}</span>'


def report_html(results, env: dict, figures, outdir: Path) -> str:
    """The self-contained HTML report (figures embedded as PNG data, linked to their SVG)."""
    results = [result_json(r) for r in results]
    n = {k: sum(r["verdict"] == k for r in results) for k in ("pass", "fail", "error")}
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>ssam-verify: verification report</title>", f"<style>{_CSS}</style></head><body>",
        "<h1>ssam-verify: verification report</h1>",
        "<p>Claims of <em>Training Diagonal Linear Networks with Stochastic Sharpness-Aware Minimization</em> "
        "(Clara, Langer &amp; Schmidt-Hieber, arXiv 2503.11891), each checked symbolically (SymPy), at high "
        "precision (mpmath), by Monte Carlo with a declared false-failure probability, and against negative "
        "controls.</p>",
        f"<p><strong>{n['pass']} passed, {n['fail']} failed, {n['error']} errors</strong> "
        f"(seed {_h(env['seed'])}, mode {_h(env['mode'])}).</p>",
        f"<p>Reproduce: <code>{_h(env['command'])}</code> at commit <code>{_h(env['git commit'])}</code> "
        "(same seed, same numbers).</p>",
        "<h2>Environment</h2>",
        _html_table([[_h(k), f"<code>{_h(v)}</code>"] for k, v in env.items()], ["", "value"], raw=True),
        "<h2>Verdicts</h2>",
        _html_table([[f"<a href='#{_h(r['id'])}'>{_h(r['id'])}</a>", _h(claim_info(r["id"]).get("title", "")),
                      _h(methods_of(r)), _verdict_html(r["verdict"]), f"{r['seconds']:.1f}"] for r in results],
                    ["claim", "title", "methods", "verdict", "seconds"], raw=True),
        "<h2>Claims and evidence</h2>",
    ]
    for r in results:
        info = claim_info(r["id"])
        parts.append(f"<h3 id='{_h(r['id'])}'>{_h(r['id'])}: {_h(info.get('title', ''))} — "
                     f"{_verdict_html(r['verdict'])} ({r['seconds']:.2f} s)</h3>")
        for key, label in (("statement", "Statement"), ("notes", "Notes")):
            if info.get(key):
                parts.append(f"<p><strong>{label}:</strong> {_h(info[key].strip())}</p>")
        if info.get("equations"):
            parts.append(f"<p><strong>Equations:</strong> {_h(', '.join(str(e) for e in info['equations']))}</p>")
        for ev in r["evidence"]:
            parts.append(f"<div class='ev'><strong>{_h(ev.get('name') or ev['method'])}</strong> "
                         f"({_h(ev['method'])}): {_verdict_html('pass' if ev['passed'] else 'fail')}"
                         + _detail_html(ev.get("detail", {})) + "</div>")
    parts.append("<h2>Figures</h2>")
    for name, png, svg, err in figures:
        parts.append(f"<h3>{_h(name)}</h3>")
        if err:
            parts.append(f"<p><em>not drawn: {_h(err)}</em></p>")
            continue
        data = base64.b64encode(png.read_bytes()).decode("ascii")
        link = f" <a href='{_h(relative_path(svg, outdir))}'>SVG</a>" if svg else ""
        parts.append(f"<p><img alt='{_h(name)}' src='data:image/png;base64,{data}'></p>"
                     f"<p><a href='{_h(relative_path(png, outdir))}'>PNG</a>{link}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
