"""The phase diagram of a sweep: where the dynamics end up over ``(eta, |w*|)``, one panel per depth.

Colour: the quantity's main field (:data:`ssam_verify.sweep.quantities.MAIN_FIELD`: the
certified larger shrinkage factor, or the final one of GD / S-SAM), averaged over any
other swept parameter (the step size).  On top, the threshold curve
``|w*| = tau_L(eta)`` of eq 14 (:func:`numeric.shrinkage.threshold`): below it the only
critical point is ``W = 0``, above it the nonzero shrinkage factors exist.  A grid
design is drawn as cells, a random design as coloured points.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from numeric import shrinkage

from .quantities import MAIN_FIELD

__all__ = ["draw_phase_diagram"]

_LABELS = {"lambda_large": r"larger certified shrinkage factor $\lambda_+$",
           "lambda_final": r"final shrinkage factor $\lambda$ of GD on $L_R$",
           "lambda_mean": r"mean final shrinkage factor $\lambda$ of S-SAM"}


def _threshold_curve(depth: int, etas: np.ndarray) -> np.ndarray:
    return np.array([float(shrinkage.threshold(depth, float(e), digits=17)) for e in etas])


def draw_phase_diagram(rows: list, quantity: str, path, grid: bool = True) -> list:
    """Draw the phase diagram of ``rows`` (table rows) to ``path`` (PNG) and its SVG; returns the paths.

    Files are written to temporary names and renamed, so an interrupt leaves no half-written image.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    field_name = MAIN_FIELD[quantity]
    depths = sorted({int(r["depth"]) for r in rows})
    fig, axes = plt.subplots(1, len(depths), figsize=(4.2 * len(depths) + 1.2, 3.9), squeeze=False,
                             constrained_layout=True)
    mappable = None
    for ax, depth in zip(axes[0], depths):
        sub = [r for r in rows if int(r["depth"]) == depth]
        etas = np.array(sorted({float(r["eta"]) for r in sub}))
        wstars = np.array(sorted({float(r["wstar"]) for r in sub}))
        if grid:
            values = np.full((len(wstars), len(etas)), np.nan)
            index_eta = {v: i for i, v in enumerate(etas)}
            index_w = {v: i for i, v in enumerate(wstars)}
            sums = np.zeros_like(values)
            counts = np.zeros_like(values)
            for r in sub:
                v = r.get(field_name)
                if v is not None and np.isfinite(v):
                    i, j = index_w[float(r["wstar"])], index_eta[float(r["eta"])]
                    sums[i, j] += v
                    counts[i, j] += 1
            with np.errstate(invalid="ignore"):
                values = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
            mappable = ax.pcolormesh(etas, wstars, values, shading="nearest", cmap="viridis", vmin=0.0, vmax=1.0)
        else:
            mappable = ax.scatter([r["eta"] for r in sub], [r["wstar"] for r in sub],
                                  c=[r.get(field_name, np.nan) for r in sub], cmap="viridis", vmin=0.0, vmax=1.0,
                                  s=14)
        fine = np.linspace(etas.min(), etas.max(), 200) if len(etas) > 1 else etas
        ax.plot(fine, _threshold_curve(depth, fine), color="white", lw=2.2)
        ax.plot(fine, _threshold_curve(depth, fine), color="crimson", lw=1.2, label=r"$|w^*| = \tau_L(\eta)$")
        ax.set_ylim(wstars.min(), wstars.max())
        ax.set_xlim(etas.min(), etas.max())
        ax.set_xlabel(r"noise level $\eta$")
        ax.set_ylabel(r"target $|w^*|$")
        ax.set_title(rf"$L = {depth}$")
        ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    if mappable is not None:
        fig.colorbar(mappable, ax=axes[0].tolist(), label=_LABELS[field_name])
    fig.suptitle(f"sweep '{quantity}': shrinkage over (noise, target), threshold of eq 14", fontsize=10)
    path = Path(path)
    paths = []
    for target in (path, path.with_suffix(".svg")):
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
        os.close(fd)
        try:
            fig.savefig(tmp, dpi=130)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        paths.append(target)
    plt.close(fig)
    return paths
