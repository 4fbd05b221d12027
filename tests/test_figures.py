"""Figures: every registered figure writes a PNG and an SVG, follows the figure rules and has a
caption; the CLI draws them.

The rules (:mod:`ssam_verify.figures._style`), checked on every registered figure, present and
future: x and y labels on every plotting axes, a title, mathematics in math text (no ``eta``,
``L_R``, ``w1`` in titles, labels, legends, annotations), a colour bar for every filled contour,
image or mesh, and labelled contour lines (or the level lines of a filled contour with a bar).
"""
from pathlib import Path

import matplotlib
import matplotlib.figure
import pytest

from ssam_verify.cli import main
from ssam_verify.figures import all_figures, figure_caption, figure_claims
from ssam_verify.figures._style import figure_problems, save_figure

FIGURES = all_figures()


def test_section2_figures_registered():
    assert {"regularizer-vs-depth", "marginalized-loss-monte-carlo"} <= set(FIGURES)


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_writes_png_and_svg_and_follows_the_rules(name, tmp_path, monkeypatch):
    drawn = []
    savefig = matplotlib.figure.Figure.savefig

    def recording_savefig(self, *args, **kwargs):
        drawn.append(self)
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", recording_savefig)
    paths = [Path(p) for p in FIGURES[name](tmp_path, seed=0)]
    suffixes = sorted(p.suffix for p in paths)
    assert ".png" in suffixes and ".svg" in suffixes
    for p in paths:
        assert p.exists() and p.stat().st_size > 1000
        assert p.parent == tmp_path
    assert sorted(q.name for q in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no temporary files left
    png = next(p for p in paths if p.suffix == ".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = next(p for p in paths if p.suffix == ".svg")
    assert "<svg" in svg.read_text()[:2000]
    assert drawn and all(figure_problems(fig) == [] for fig in {id(f): f for f in drawn}.values()), \
        [figure_problems(fig) for fig in drawn]


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_has_a_caption(name):
    caption = figure_caption(name)
    assert len(caption) >= 40 and "``" not in caption, caption
    assert all(isinstance(c, str) for c in figure_claims(name))


def test_figure_rules_catch_a_bad_figure():
    """The rules can fail: ASCII math, missing labels, an unlabelled colour scale and bare contours."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (a, b) = plt.subplots(1, 2)
    a.plot([0, 1], [0, 1], label="GD on L_R")
    a.legend()
    a.set_title("eta = 0.5, w1 vs w2")
    x = np.linspace(-1, 1, 20)
    b.contourf(x, x, np.add.outer(x, x))
    b.contour(x, x, np.multiply.outer(x, x))
    b.set_title("$\\eta = 0.5$")
    problems = figure_problems(fig)
    plt.close(fig)
    text = " | ".join(problems)
    for expected in ("no x label", "no y label", "L_R", "eta", "w1", "without a colour bar", "contour lines"):
        assert expected in text, (expected, problems)


def test_save_is_atomic(tmp_path, monkeypatch):
    """An interrupt while saving leaves the previous file intact and no temporary file behind."""
    import matplotlib.pyplot as plt

    (tmp_path / "x.png").write_bytes(b"previous")
    fig = plt.figure()

    def interrupted(self, *args, **kwargs):
        Path(args[0]).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_figure(fig, tmp_path, "x")
    assert (tmp_path / "x.png").read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]


def test_monte_carlo_figure_is_seeded(tmp_path):
    """Same seed, same picture (the SVG carries no date)."""
    fn = FIGURES["marginalized-loss-monte-carlo"]
    a = [p for p in fn(tmp_path / "a", seed=5) if str(p).endswith(".svg")][0].read_text()
    b = [p for p in fn(tmp_path / "b", seed=5) if str(p).endswith(".svg")][0].read_text()
    assert a == b


def test_cli(tmp_path, capsys):
    assert main(["figures", "-o", str(tmp_path), "--only", "regularizer-vs-depth"]) == 0
    assert (tmp_path / "regularizer-vs-depth.png").exists() and (tmp_path / "regularizer-vs-depth.svg").exists()
    assert main(["figures", "--list"]) == 0
    assert "regularizer-vs-depth" in capsys.readouterr().out
    assert main(["figures", "-o", str(tmp_path), "--only", "no-such-figure"]) == 2
    assert "unknown figure" in capsys.readouterr().err
    assert main(["figures", "-o", str(tmp_path), "--only", ","]) == 2
