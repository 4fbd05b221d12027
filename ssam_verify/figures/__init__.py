"""Figures (matplotlib): one module per figure family, discovered automatically.

Each module defines ``FIGURES``: a dict mapping a figure name (e.g. ``"figure-2"``)
to a function ``fn(outdir: pathlib.Path, seed: int = 0) -> list[pathlib.Path]`` that
writes the figure as PNG and SVG into ``outdir`` and returns the paths; and
optionally ``CAPTIONS`` (name -> the caption a reader sees under the figure in
the report and the notebooks) and ``CLAIMS`` (name -> the claim ids it
illustrates, so the report links each claim to its figures).  Without a caption
the first paragraph of the drawing function's docstring is used.

:mod:`._style` holds what every figure shares: labels in math text, colour bars,
labelled contours, and the atomic save (PNG and SVG written to a temporary file
and renamed, so an interrupt never leaves a truncated image).
"""
from __future__ import annotations

import importlib
import pkgutil

__all__ = ["all_figures", "figure_caption", "figure_claims"]


def _modules() -> list:
    import matplotlib

    matplotlib.use("Agg")
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name) if not info.name.startswith("_")]


def all_figures() -> dict:
    """Every registered figure: ``{name: fn}``, in module order."""
    out = {}
    for mod in _modules():
        out.update(getattr(mod, "FIGURES", {}))
    return out


def figure_caption(name: str) -> str:
    """The caption of figure ``name``: its module's ``CAPTIONS`` entry, else its function's docstring."""
    for mod in _modules():
        if name in getattr(mod, "FIGURES", {}):
            caption = getattr(mod, "CAPTIONS", {}).get(name)
            if caption:
                return caption
            doc = (mod.FIGURES[name].__doc__ or "").strip().split("\n\n")[0]
            return " ".join(doc.split()) or name
    raise ValueError(f"name: unknown figure {name!r}; known: {', '.join(all_figures())}")


def figure_claims(name: str) -> list:
    """The claim ids figure ``name`` illustrates (its module's ``CLAIMS`` entry; ``[]`` if none)."""
    for mod in _modules():
        if name in getattr(mod, "FIGURES", {}):
            return list(getattr(mod, "CLAIMS", {}).get(name, []))
    raise ValueError(f"name: unknown figure {name!r}; known: {', '.join(all_figures())}")
