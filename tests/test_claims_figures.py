"""Figure claims (figure-2, figure-3): verdicts, controls, mutations; numeric.paper_figures and its derivation."""
import numpy as np
import pytest

from checks.framework import RunContext, get_claim, run_claim
from claimtools import assert_controls_rejected, assert_passes
from derivations import paper_figures as derived
from numeric import paper_figures as figures

QUICK = RunContext(seed=0, quick=True)


@pytest.fixture(scope="module", params=["figure-2", "figure-3"])
def result(request):
    return run_claim(get_claim(request.param), QUICK)


def test_claim_passes(result):
    assert_passes(result)
    assert {"symbolic", "high-precision", "negative-control"} <= {e.method for e in result.evidence}


def test_every_control_rejected_and_near_miss_passes(result):
    assert_controls_rejected(result, min_variants=3)
    control = [e for e in result.evidence if e.method == "negative-control"][0]
    near = control.detail.get("near_misses") or [control.detail["near_miss_positive"]]
    assert near and all(n["passed"] for n in near)


def test_figure_3_monte_carlo_states_its_design():
    r = run_claim(get_claim("figure-3"), QUICK)
    detail = [e for e in r.evidence if e.method == "monte-carlo"][0].detail
    assert detail["false_failure_probability"] <= 1e-6 and "seed" in detail
    tested = [p for p in detail["panels"] if p["tested"]][0]
    assert tested["runs"] >= 1000 and tested["balanced"]["proportion"] >= 0.9


def test_figure_2_fails_when_the_minimizers_are_off(monkeypatch):
    from checks.figures import figure_2

    original = figure_2.figure2_minimizers

    def shifted(eta, *args, **kwargs):
        r = original(eta, *args, **kwargs)
        r.minimizers = r.minimizers * (1 + 1e-6)
        return r

    monkeypatch.setattr(figure_2, "figure2_minimizers", shifted)
    figure_2._numerical_minimizers.cache_clear()
    try:
        assert run_claim(get_claim("figure-2"), QUICK).verdict == "fail"
    finally:
        figure_2._numerical_minimizers.cache_clear()


def test_figure_3_fails_when_ssam_runs_at_another_noise_level(monkeypatch):
    """S-SAM simulated with eta 15 % too large (a wrong noise in the simulator): the median test must fail."""
    from checks.figures import figure_3
    from numeric import paper_figures

    original = paper_figures.stochastic_descent

    def noisier(W0, X, Y, eta, *args, **kwargs):
        return original(W0, X, Y, 1.15 * eta, *args, **kwargs)

    monkeypatch.setattr(paper_figures, "stochastic_descent", noisier)
    figure_3._runs.cache_clear()
    try:
        result = run_claim(get_claim("figure-3"), QUICK)
        assert result.verdict == "fail"
        assert not [e for e in result.evidence if e.method == "monte-carlo"][0].passed
    finally:
        figure_3._runs.cache_clear()


# ----------------------------------------------------------------------------- derivations.paper_figures
def test_figure_2_derivation():
    assert derived.figure2_loss_is_marginalized() and derived.merge_point_certificate()
    assert len(derived.figure2_critical_points()) == 3
    _, _, ws, eta = derived.figure2_symbols()
    assert derived.figure2_minimizer_square() == ws - eta ** 2
    factor, proven = derived.unregularized_imbalance_factor()
    assert proven


# ----------------------------------------------------------------------------- numeric.paper_figures
def test_figure2_minimizers_shrink_then_merge():
    a = [np.abs(figures.figure2_minimizers(e).minimizers).max() for e in (0.5, 1.0, 1.5)]
    assert a[0] > a[1] > a[2] > 0
    merged = figures.figure2_minimizers(1.9)
    assert merged.minimizers.shape == (1, 2) and np.abs(merged.minimizers).max() < 1e-9
    kinds = {p["kind"] for p in figures.figure2_minimizers(1.0).critical_points}
    assert kinds == {"minimum", "saddle"}


def test_figure2_landscape_is_the_figure_function():
    axis, W1, W2, Z = figures.figure2_landscape(0.7, points=5)
    expected = (figures.FIGURE_WSTAR - W1 * W2) ** 2 + 0.49 * (W1 ** 2 + W2 ** 2)
    assert np.allclose(Z, expected, rtol=1e-13, atol=1e-13) and axis.size == 5


def test_paper_figures_validate_input():
    with pytest.raises(ValueError, match="eta"):
        figures.figure2_minimizers(0.0)
    with pytest.raises(ValueError, match="points"):
        figures.figure2_landscape(1.0, points=1)


def test_figure3_runs_are_seeded():
    panel = figures.Figure3Panel(0.8, 0.01, "harmonic", 100, 200)
    a = figures.figure3_runs(panel, seed=3, seeds=5, record_every=50)
    b = figures.figure3_runs(panel, seed=3, seeds=5, record_every=50)
    assert np.array_equal(a.ssam.weights, b.ssam.weights) and a.ssam.weights.shape == (5, 5, 2, 1)
    assert a.gd_loss.weights.shape[0] == 201


def test_drawings_use_the_checked_computation(monkeypatch, tmp_path):
    """The figure-2 drawing calls numeric.paper_figures.figure2_minimizers (the function the claim checks)."""
    from numeric import paper_figures
    from ssam_verify.figures.landscape import plot_figure2

    calls = []
    original = paper_figures.figure2_minimizers
    monkeypatch.setattr(paper_figures, "figure2_minimizers", lambda *a, **k: calls.append(a) or original(*a, **k))
    paths = plot_figure2(tmp_path, etas=("0", "1.0"))
    assert calls and all(p.exists() for p in paths)
