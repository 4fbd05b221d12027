"""Claims and figures as the report shows them: results as JSON, claim metadata, drawn figures."""
from __future__ import annotations

from pathlib import Path

__all__ = ["result_json", "claim_info", "methods_of", "draw_figures", "relative_path"]


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


def draw_figures(outdir: Path, seed: int, names=None) -> list:
    """Draw figures into ``outdir/figures``; returns ``[(name, png, svg, error)]``."""
    from ..figures import all_figures

    figdir = outdir / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    out = []
    figs = all_figures()
    for name, fn in figs.items():
        if names is not None and name not in names:
            continue
        try:
            paths = [Path(p) for p in fn(figdir, seed=seed)]
            png = next((p for p in paths if p.suffix == ".png"), None)
            svg = next((p for p in paths if p.suffix == ".svg"), None)
            out.append((name, png, svg, ""))
        except Exception as exc:  # a broken figure must not lose the report
            out.append((name, None, None, f"{type(exc).__name__}: {exc}"))
    return out


def relative_path(p: Path, base: Path) -> str:
    """``p`` relative to ``base``, with forward slashes (for links)."""
    return p.resolve().relative_to(base.resolve()).as_posix()
