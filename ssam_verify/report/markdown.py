"""The Markdown report and the Markdown of evidence."""
from __future__ import annotations

from pathlib import Path

from .claims import claim_info, methods_of, relative_path, result_json
from .values import cell, columns, detail_items

__all__ = ["evidence_markdown", "report_markdown"]


def _md_escape(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _md_text(s: str) -> str:
    """Plain text (ASCII formulas such as ``w* - w~``) safe from Markdown emphasis."""
    return " ".join(str(s).split()).replace("\\", "\\\\").replace("*", "\\*").replace("<", "&lt;")


def _md_table(rows, headers) -> str:
    out = ["| " + " | ".join(_md_escape(h) for h in headers) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(_md_escape(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _detail_md(detail: dict, indent: int = 0) -> str:
    pad = "  " * indent
    lines = []
    for kind, k, v in detail_items(detail):
        if kind == "traceback":
            lines.append(f"{pad}- traceback:\n\n```\n{v.rstrip()}\n```\n")
        elif kind == "table":
            cols = columns(v)
            lines.append(f"{pad}- {k}:\n")
            lines.append(_md_table([[cell(r.get(c, "")) for c in cols] for r in v], cols) + "\n")
        elif kind == "nested":
            lines.append(f"{pad}- {k}:")
            lines.append(_detail_md(v, indent + 1))
        else:
            lines.append(f"{pad}- {k}: {cell(v, 300)}")
    return "\n".join(lines)


def _evidence_json(ev) -> dict:
    return ev if isinstance(ev, dict) else ev.to_json()


def evidence_markdown(evidence) -> str:
    """Markdown for a list of :class:`checks.framework.Evidence` (or their JSON): one block each."""
    blocks = []
    for ev in map(_evidence_json, evidence):
        mark = "PASS" if ev["passed"] else "FAIL"
        blocks.append(f"**{ev.get('name') or ev['method']}** ({ev['method']}): **{mark}**\n\n"
                      + _detail_md(ev.get("detail", {})))
    return "\n\n".join(blocks)


def report_markdown(results, env: dict, figures, outdir: Path) -> str:
    """The Markdown report (see the module docstring)."""
    results = [result_json(r) for r in results]
    n = {k: sum(r["verdict"] == k for r in results) for k in ("pass", "fail", "error")}
    lines = [
        "# ssam-verify: verification report",
        "",
        "Claims of *Training Diagonal Linear Networks with Stochastic Sharpness-Aware Minimization* "
        "(Clara, Langer & Schmidt-Hieber, arXiv 2503.11891), each checked symbolically (SymPy), "
        "at high precision (mpmath), by Monte Carlo with a declared false-failure probability, and "
        "against negative controls (deliberately wrong variants that must be rejected).",
        "",
        f"**{n['pass']} passed, {n['fail']} failed, {n['error']} errors** "
        f"(seed {env['seed']}, mode {env['mode']}).",
        "",
        f"Reproduce: `{env['command']}` at commit `{env['git commit']}` (same seed, same numbers).",
        "",
        "## Environment",
        "",
        _md_table([[k, f"`{v}`" if k == "command" else v] for k, v in env.items()], ["", "value"]),
        "",
        "## Verdicts",
        "",
        _md_table([[f"[{r['id']}](#{r['id'].replace('.', '')})", claim_info(r["id"]).get("title", ""),
                    methods_of(r), r["verdict"].upper(), f"{r['seconds']:.1f}"] for r in results],
                  ["claim", "title", "methods", "verdict", "seconds"]),
        "",
        "## Claims and evidence",
        "",
    ]
    for r in results:
        info = claim_info(r["id"])
        lines += [f"### {r['id']}", "", f"**{info.get('title', '')}** — verdict **{r['verdict'].upper()}** "
                  f"({r['seconds']:.2f} s)", ""]
        if info.get("statement"):
            lines += ["Statement: " + _md_text(info["statement"]), ""]
        if info.get("equations"):
            lines += ["Equations: " + ", ".join(str(e) for e in info["equations"]), ""]
        if info.get("notes"):
            lines += ["Notes: " + _md_text(info["notes"]), ""]
        lines += [evidence_markdown(r["evidence"]), ""]
    lines += ["## Figures", ""]
    for name, png, svg, err in figures:
        if err:
            lines += [f"### {name}", "", f"*not drawn: {err}*", ""]
        else:
            lines += [f"### {name}", "", f"![{name}]({relative_path(png, outdir)})", "",
                      f"[SVG]({relative_path(svg, outdir)})" if svg else "", ""]
    return "\n".join(lines) + "\n"
