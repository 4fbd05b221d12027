"""What every figure shares: the atomic save, colour bars, labelled contours, and the figure rules.

The rules (checked on every registered figure by ``tests/test_figures.py`` with
:func:`figure_problems`, so a new figure is checked as soon as it is registered):

* every plotting axes has an x and a y label (an axes sharing its y axis with a
  labelled one counts as labelled), and the figure has a title;
* text (titles, labels, legend entries, annotations) writes mathematics in math
  text (``$\\eta$``, ``$L_R$``), never as ASCII (``eta``, ``L_R``, ``w*^2``);
* every filled contour, image or mesh has a colour bar; line contours are
  labelled (``clabel``) or are the level lines of a filled contour with a colour bar.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["save_figure", "add_colorbar", "label_contours", "figure_problems"]


def save_figure(fig, outdir, name: str, dpi: int = 130) -> list:
    """Write ``fig`` as ``<outdir>/<name>.png`` and ``.svg``, close it; returns both paths.

    Each file is written to a temporary file in ``outdir`` and renamed, so an
    interrupt never leaves a truncated image; the SVG carries no date and
    reproducible ids (same seed, same bytes).
    """
    import matplotlib
    import matplotlib.pyplot as plt

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    try:
        with matplotlib.rc_context({"svg.hashsalt": "ssam-verify"}):
            for ext in ("png", "svg"):
                path = outdir / f"{name}.{ext}"
                tmp = outdir / f".{name}.{os.getpid()}.tmp.{ext}"
                try:
                    fig.savefig(tmp, format=ext, dpi=dpi if ext == "png" else None, bbox_inches="tight",
                                metadata={"Date": None} if ext == "svg" else None)
                    os.replace(tmp, path)
                finally:
                    tmp.unlink(missing_ok=True)
                paths.append(path)
    finally:
        plt.close(fig)
    return paths


def add_colorbar(fig, mappable, axes, label: str):
    """A colour bar for ``mappable`` beside ``axes`` (one axes or several), labelled ``label``."""
    bar = fig.colorbar(mappable, ax=axes, shrink=0.9, pad=0.02)
    bar.set_label(label)
    return bar


def label_contours(ax, contours, fmt="%.3g", fontsize: int = 7):
    """Label the lines of ``contours`` with their level (inline, legible on a light background)."""
    return ax.clabel(contours, inline=True, fmt=fmt, fontsize=fontsize)


def _texts(fig) -> list:
    """Every visible text of ``fig``: suptitle, titles, axis labels, legend entries, annotations."""
    out = [fig._suptitle] if getattr(fig, "_suptitle", None) is not None else []
    out += list(fig.texts)
    for legend in fig.legends:
        out += list(legend.get_texts())
    for ax in fig.axes:
        out += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        if ax.get_legend() is not None:
            out += list(ax.get_legend().get_texts())
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def _scale(mappable) -> tuple:
    """A mappable's colour scale: colour map, limits and (for contours) levels."""
    levels = getattr(mappable, "levels", None)
    levels = () if levels is None else tuple(float(v) for v in levels)
    return (mappable.get_cmap().name, mappable.norm.vmin, mappable.norm.vmax, levels)


def _is_colorbar(ax) -> bool:
    return hasattr(ax, "_colorbar")


def figure_problems(fig) -> list:
    """Where ``fig`` breaks the figure rules (module docstring): ``[]`` when it follows them."""
    from matplotlib.collections import QuadMesh
    from matplotlib.contour import ContourSet
    from matplotlib.image import AxesImage

    from ..latex.text import ascii_math_in_text

    problems = []
    plot_axes = [ax for ax in fig.axes if not _is_colorbar(ax) and ax.get_visible() and ax.has_data()]
    # panels may share one colour bar: a mappable is covered when one with the same colour scale has a bar
    scales_with_bar = {_scale(m) for ax in plot_axes for m in [*ax.collections, *ax.images]
                       if isinstance(m, (QuadMesh, ContourSet, AxesImage)) and m.colorbar is not None}
    if not (getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text().strip()) and not all(
            ax.get_title().strip() for ax in plot_axes):
        problems.append("no title: set a suptitle or a title on every axes")
    for i, ax in enumerate(plot_axes):
        if not ax.get_xlabel().strip() and not any(o.get_xlabel().strip()
                                                    for o in ax.get_shared_x_axes().get_siblings(ax)):
            problems.append(f"axes {i}: no x label")
        if not ax.get_ylabel().strip() and not any(o.get_ylabel().strip()
                                                   for o in ax.get_shared_y_axes().get_siblings(ax)):
            problems.append(f"axes {i}: no y label")
        mappables = [c for c in ax.collections if isinstance(c, QuadMesh)] + list(ax.images)
        contour_sets = [c for c in ax.collections if isinstance(c, ContourSet)]
        filled = mappables + [c for c in contour_sets if c.filled]
        for m in filled:
            if _scale(m) not in scales_with_bar:
                problems.append(f"axes {i}: a filled contour, image or mesh without a colour bar")
        barred = any(_scale(m) in scales_with_bar for m in filled)
        for c in contour_sets:
            if not c.filled and c.colorbar is None and not getattr(c, "labelTexts", None) and not barred:
                problems.append(f"axes {i}: contour lines without labels or a colour bar")
    for text in _texts(fig):
        found = ascii_math_in_text(text.get_text().replace("\\$", ""))
        found += re.findall(r"(?<![A-Za-z$\\])[wW][0-9](?![0-9A-Za-z])", re.sub(r"\$[^$]*\$", " ", text.get_text()))
        if found:
            problems.append(f"ASCII math {found} in text {text.get_text()!r}: write it as math text ($...$)")
    return problems
