"""The verification report: Markdown + HTML with a summary table, evidence as tables, figures with
captions, links from each claim to its evidence and figures, and the environment.

The HTML is checked by parsing it (html.parser) and, where a headless Chromium is installed, by
loading it in the browser and reading back the DOM it built (skipped otherwise)."""
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from checks.framework import ClaimResult, Evidence, RunContext, get_claim, run_claim
from ssam_verify.cli import main
from ssam_verify.report import environment, evidence_markdown, format_value, write_report
from ssam_verify.report.mathtext import math_html
from ssam_verify.report.values import evidence_tables

FIGURES = ["regularizer-vs-depth", "balancing-decay"]


@pytest.fixture(scope="module")
def results():
    return [run_claim(get_claim(c), RunContext(seed=4, quick=True)) for c in ("lemma-2.2", "theorem-4.3")]


@pytest.fixture(scope="module")
def report(results, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    path = write_report(results, out, seed=4, mode="quick", figure_names=FIGURES)
    return out, path


def _fake_failure():
    ev = [Evidence("symbolic", True, {"summary": "ok", "depths": [2, 3]}, name="identity"),
          Evidence("monte-carlo", False, {"samples": 1000, "z_max": 7.5, "z_critical": 5.3,
                                          "setting": {"L": 3, "eta": 0.5}}, name="mc"),
          Evidence("negative-control", False, {"variants": [{"name": "off by 10%", "rejected": True},
                                                            {"name": "dropped term", "rejected": False}]},
                   name="controls"),
          Evidence("high-precision", False, {"error": "ValueError: boom", "traceback": "Traceback ...\nValueError: boom"},
                   name="hp")]
    return ClaimResult("lemma-2.1", "error", 0.5, ev)


class _Dom(HTMLParser):
    """Enough of a DOM for the checks: nesting errors, ids, links, tables, figures, list items."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.ids, self.links = [], [], [], []
        self.tables, self.figures, self.lists, self.images = [], [], 0, []
        self._figure = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "table":
            self.tables.append({"classes": a.get("class", ""), "rows": 0, "in": list(self.stack)})
        if tag == "tr" and self.tables:
            self.tables[-1]["rows"] += 1
        if tag in ("ul", "ol", "li"):
            self.lists += 1
        if tag == "figure":
            self._figure = {"id": a.get("id"), "img": False, "caption": ""}
        if tag == "img":
            self.images.append(list(self.stack))
            if self._figure is not None:
                self._figure["img"] = True
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "figure" and self._figure is not None:
            self.figures.append(self._figure)
            self._figure = None
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        if self._figure is not None and "figcaption" in self.stack:
            self._figure["caption"] += data


def _dom(text):
    dom = _Dom()
    dom.feed(text)
    return dom


def test_html_structure(results, report):
    out, path = report
    html = path.read_text()
    dom = _dom(html)
    assert dom.errors == [] and dom.stack == []
    assert len(dom.ids) == len(set(dom.ids))
    assert set(dom.links) <= set(dom.ids), set(dom.links) - set(dom.ids)  # every internal link lands
    # the summary table comes first: one row per claim (plus the header), each claim linked to its section
    summary = dom.tables[0]
    assert "summary" in summary["classes"] and summary["rows"] == len(results) + 1
    assert html.index("class='summary'") < html.index("id='claims'") < html.index("id='figures'")
    for r in results:
        assert r.id in dom.ids and r.id in dom.links
        for k in range(len(r.evidence)):  # every evidence has an anchor, linked from the summary
            assert f"{r.id}-evidence-{k + 1}" in dom.ids and f"{r.id}-evidence-{k + 1}" in dom.links
    # evidence as tables, never key: value lists
    assert dom.lists == 0
    assert html.count("class='evidence'") == sum(len(r.evidence) for r in results)
    # figures: embedded images inside <figure> with a caption, linked from the claims they illustrate
    assert len(dom.figures) == len(FIGURES) and all(f["img"] and len(f["caption"]) > 40 for f in dom.figures)
    assert all("figure" in stack for stack in dom.images)
    assert "figure-regularizer-vs-depth" in dom.links and "figure-balancing-decay" in dom.links
    assert "data:image/png;base64," in html and "figures/regularizer-vs-depth.svg" in html
    assert "<span class=\"math\">" in html  # captions' math rendered, not raw $...$
    assert not re.search(r"<figcaption>[^<]*\$", html)


def test_markdown_and_json(results, report):
    out, _ = report
    md = (out / "report.md").read_text()
    data = json.loads((out / "results.json").read_text())
    assert data["seed"] == 4 and data["mode"] == "quick" and data["summary"]["passed"] == 2
    assert md.index("## Summary") < md.index("## Claims and evidence") < md.index("## Figures")
    assert "| [lemma-2.2](#lemma-2.2) |" in md and '<a id="lemma-2.2"></a>' in md
    assert "[sym ✓](#lemma-2.2-evidence-1)" in md and '<a id="lemma-2.2-evidence-1"></a>' in md
    assert get_claim("lemma-2.2").title in md
    mc = next(e for e in results[0].evidence if e.method == "monte-carlo")
    assert f"| samples | {mc.detail['samples']} |" in md  # a table row, not "samples: ..."
    assert not re.search(r"^- \w[^|]*: ", md, re.M)  # no key: value bullet lists
    neg = next(e for e in results[0].evidence if e.method == "negative-control")
    assert all(v["name"].replace("|", "\\|") in md for v in neg.detail["variants"])
    for key in ("python", "numpy", "scipy", "sympy", "mpmath", "platform", "git commit", "date (UTC)"):
        assert f"| {key} |" in md
    assert "ssam-verify run --seed 4 --quick --claims lemma-2.2,theorem-4.3" in md
    assert (out / "figures" / "regularizer-vs-depth.png").exists()
    assert "](figures/regularizer-vs-depth.png)" in md and "*Figure 1.*" in md
    assert "Illustrates [lemma-2.2](#lemma-2.2)" in md


def _browser():
    return next((b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)


@pytest.mark.skipif(_browser() is None, reason="no headless Chromium installed (Debian: chromium)")
def test_html_in_a_headless_browser(results, report):
    """The browser builds the same document: every anchor, the summary first, figures with captions."""
    out, path = report
    proc = subprocess.run([_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                           path.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    dom = _dom(proc.stdout)
    source = _dom(path.read_text())
    assert set(dom.ids) == set(source.ids) and set(dom.links) <= set(dom.ids)
    assert "summary" in dom.tables[0]["classes"]
    assert all("p" not in t["in"] for t in dom.tables)  # no table the browser had to move out of a paragraph
    assert len(dom.figures) == len(FIGURES) and all(f["img"] and f["caption"] for f in dom.figures)


def test_failures_and_errors_are_rendered(tmp_path):
    path = write_report([_fake_failure()], tmp_path, seed=0, mode="default", figures=False)
    md = (tmp_path / "report.md").read_text()
    assert "**0 passed, 0 failed, 1 errors**" in md
    assert "ERROR" in md and "**FAIL**" in md and "[mc ✗](#lemma-2.1-evidence-2)" in md
    assert "| dropped term | no |" in md and "| off by 10% | yes |" in md
    assert "```\nTraceback ...\nValueError: boom\n```" in md
    assert "| setting / L | 3 |" in md  # nested settings flattened into the quantities table
    html = path.read_text()
    assert "class=\"error\"" in html or "class='error'" in html
    assert _dom(html).errors == []


def test_evidence_tables_walk():
    detail = {"samples": 10, "setting": {"L": 3, "eta": 0.5}, "tests": {"a": {"z": 1.0}, "b": {"z": 2.0}},
              "variants": [{"name": "x", "rejected": True}], "traceback": "Traceback"}
    tables, tracebacks = evidence_tables(detail)
    assert tables[0].headers == ["quantity", "value"]
    assert tables[0].rows == [["samples", "10"], ["setting / L", "3"], ["setting / eta", "0.5"]]
    assert [(t.title, t.headers, t.rows) for t in tables[1:]] == [
        ("tests", ["", "z"], [["a", "1"], ["b", "2"]]), ("variants", ["name", "rejected"], [["x", "yes"]])]
    assert tracebacks == ["Traceback"]


def test_math_html():
    assert math_html("$a^2 = w^* - \\eta^2$ & <b>") == \
        '<span class="math">a<sup>2</sup> = w<sup>*</sup> - η<sup>2</sup></span> &amp; &lt;b&gt;'
    assert math_html("$\\tau_L(\\eta)$") == '<span class="math">τ<sub>L</sub>(η)</span>'


def test_report_accepts_json_results(results, tmp_path):
    write_report([r.to_json() for r in results], tmp_path, seed=4, mode="quick", figures=False)
    assert "lemma-2.2" in (tmp_path / "report.md").read_text()


def test_bad_mode_rejected(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        write_report([], tmp_path, mode="fast", figures=False)


def test_format_value():
    assert format_value(0.123456789) == "0.123457"
    assert format_value(1e-9) == "1.0000e-09"
    assert format_value(True) == "yes" and format_value(3) == "3"


def test_environment_and_evidence_markdown(results):
    env = environment(1, "default", ["lemma-2.2"])
    assert env["command"] == "ssam-verify run --seed 1 --claims lemma-2.2"
    assert env["sympy"] and env["mpmath"]
    text = evidence_markdown(results[0].evidence)
    assert text.count("**PASS**") == len(results[0].evidence)


def test_cli_run_report(tmp_path, capsys, monkeypatch):
    import ssam_verify.figures as figures

    mine = {"marginalized-loss-monte-carlo": figures.all_figures()["marginalized-loss-monte-carlo"]}
    monkeypatch.setattr(figures, "all_figures", lambda: mine)  # bounded test time; every figure is tested elsewhere
    out = tmp_path / "rep"
    assert main(["run", "--claims", "lemma-2.1", "--quick", "--report", str(out)]) == 0
    assert "report written to" in capsys.readouterr().out
    assert (out / "report.html").exists() and (out / "report.md").exists()
    assert (out / "figures" / "marginalized-loss-monte-carlo.png").exists()


def test_broken_figure_does_not_lose_the_report(tmp_path, monkeypatch):
    import ssam_verify.figures as figures

    def broken(outdir, seed=0):
        """A figure that cannot be drawn, with a caption long enough to be one."""
        raise RuntimeError("no data")

    monkeypatch.setattr(figures, "all_figures", lambda: {"broken": broken})
    monkeypatch.setattr(figures, "figure_caption", lambda name: "a caption")
    monkeypatch.setattr(figures, "figure_claims", lambda name: [])
    write_report([_fake_failure()], tmp_path, seed=0, mode="default")
    assert "*not drawn: RuntimeError: no data*" in (tmp_path / "report.md").read_text()
