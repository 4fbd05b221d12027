"""Appendix C claims (lemma-C.1, lemma-C.2, theorem-4.2-rate): verdicts, controls, mutations, and their modules."""
import numpy as np
import pytest
import sympy as sp

from checks.framework import RunContext, get_claim, run_claim
from claimtools import assert_controls_rejected, assert_passes
from derivations import appendix_c
from numeric.ratio_search import gradient_ratio, hessian_ratio, maximize_from_starts, maximize_on_grid

QUICK = RunContext(seed=0, quick=True)
IDS = ["lemma-C.1", "lemma-C.2", "theorem-4.2-rate"]


@pytest.fixture(scope="module", params=IDS)
def result(request):
    return run_claim(get_claim(request.param), QUICK)


def test_claim_passes(result):
    assert_passes(result, methods={"symbolic", "high-precision", "negative-control"})


def test_every_control_rejected_and_near_miss_passes(result):
    assert_controls_rejected(result, min_variants=3)
    control = [e for e in result.evidence if e.method == "negative-control"][0]
    assert control.detail["near_miss_positive"]["passed"]


def test_reproducible():
    strip = lambda r: [{k: v for k, v in e["detail"].items() if k != "seconds"} for e in r["evidence"]]  # noqa: E731
    a = run_claim(get_claim("theorem-4.2-rate"), QUICK).to_json()
    b = run_claim(get_claim("theorem-4.2-rate"), QUICK).to_json()
    assert strip(a) == strip(b)


def _evidence(result, method):
    return [e for e in result.evidence if e.method == method][0].detail


def test_lemma_c1_numbers():
    detail = _evidence(run_claim(get_claim("lemma-C.1"), QUICK), "high-precision")
    assert detail["reading_holds"] and detail["worst_ratio_to_reading"] < 0.2
    best = detail["per_depth"]["2"]["best_constant_C*"]
    assert best == pytest.approx(1 + np.sqrt(2), rel=1e-12)
    assert detail["per_depth"]["3"]["best_constant_C*"] == pytest.approx(3.12614725018, rel=1e-9)


def _clear(*cached):
    for c in cached:
        c.cache_clear()


def test_lemma_c1_fails_when_the_model_hessian_is_too_large(monkeypatch):
    """The model's Hessian 2 % too large: the searched maximum then exceeds the balanced supremum."""
    from checks.section4 import lemma_C_1
    from numeric import model

    original = model.hessian_marginalized_loss
    monkeypatch.setattr(model, "hessian_marginalized_loss", lambda *a: 1.02 * original(*a))
    _clear(lemma_C_1._sampled_points, lemma_C_1._best_constants)
    try:
        assert run_claim(get_claim("lemma-C.1"), QUICK).verdict == "fail"
    finally:
        _clear(lemma_C_1._sampled_points, lemma_C_1._best_constants)


def test_lemma_c1_fails_when_the_balanced_reduction_is_wrong(monkeypatch):
    from checks.section4 import lemma_C_1

    original = lemma_C_1.balanced_ratio
    monkeypatch.setattr(lemma_C_1, "balanced_ratio", lambda p, L: 0.97 * original(p, L))
    _clear(lemma_C_1._best_constants)
    try:
        assert run_claim(get_claim("lemma-C.1"), QUICK).verdict == "fail"
    finally:
        _clear(lemma_C_1._best_constants)


def test_lemma_c2_fails_when_the_regularizer_is_too_small(monkeypatch):
    """R 3 % too small (as the numeric model would compute a wrong eq 7): the bound must fail."""
    from checks.section4 import lemma_C_2

    original = lemma_C_2.batch_marginalized_loss
    monkeypatch.setattr(lemma_C_2, "batch_marginalized_loss", lambda *a: 0.97 * original(*a))
    _clear(lemma_C_2._searched_points)
    try:
        assert run_claim(get_claim("lemma-C.2"), QUICK).verdict == "fail"
    finally:
        _clear(lemma_C_2._searched_points)


def test_rate_fails_when_gradient_descent_overshoots(monkeypatch):
    """GD taking 1.5 x its step: the axis runs overshoot and the rate fails there."""
    from checks.section4 import theorem_4_2_rate

    original = theorem_4_2_rate.gradient_descent
    monkeypatch.setattr(theorem_4_2_rate, "gradient_descent",
                        lambda W0, ws, eta, steps, alpha, **kw: original(W0, ws, eta, steps, 1.5 * alpha, **kw))
    _clear(theorem_4_2_rate._theorem_runs)
    try:
        assert run_claim(get_claim("theorem-4.2-rate"), QUICK).verdict == "fail"
    finally:
        _clear(theorem_4_2_rate._theorem_runs)


# ----------------------------------------------------------------------------- derivations.appendix_c
@pytest.mark.parametrize("L", [2, 3])
def test_lemma_c2_proof_and_masks(L):
    proof = appendix_c.lemma_c2_proof(L)
    assert all(all(v.values()) for v in proof.values())
    assert proof["difference"]["subsets"] == 2 ** L and proof["frobenius"]["subsets"] == 2 ** L - 1


def test_lemma_c2_wrong_left_side_is_not_an_identity():
    s = appendix_c.coordinate_symbols(3)
    R = appendix_c.regularizer_closed_form(3)
    wrong = appendix_c.lemma_c2_left_side(3, (0, 1), factor=sp.Rational(107, 100))
    assert not appendix_c.prove_identity(R - wrong, appendix_c.lemma_c2_gap_as_subset_sum(3, (0, 1)))
    with pytest.raises(ValueError, match="kind"):
        appendix_c.lemma_c2_left_side(3, (0,), kind="nuclear")
    with pytest.raises(ValueError, match="strict"):
        appendix_c.lemma_c2_tight_ratio(2, (0, 1), "frobenius")
    assert s.L == 3


def test_lemma_c2_tight_suprema_are_one():
    for kind in appendix_c.LEMMA_C2_KINDS:
        assert appendix_c.lemma_c2_tight_ratio(2, (0,), kind)[1] == 1


def test_lemma_c1_symbolic_pieces():
    difference, dominates = appendix_c.reading_dominates_proven_bound()
    assert dominates
    _, _, value, proven = appendix_c.zero_target_balanced_supremum()
    assert proven and sp.simplify(value.subs({v: 3 for v in value.free_symbols}) - sp.Rational(25, 8)) == 0
    assert appendix_c.two_layer_origin_supremum()[3]
    assert appendix_c.balanced_hessian_structure(3) and appendix_c.reconstructed_split()[2]


def test_gradient_bound_and_axis_run():
    assert all(appendix_c.gradient_bound_proof(3).values())
    axis = appendix_c.axis_run_proof(2)
    assert all(v for k, v in axis.items() if k != "first-step ratio")
    A, eta = sp.symbols("A eta", positive=True)
    assert sp.simplify(axis["first-step ratio"] - A ** 2 / (A ** 2 + eta ** 2)) == 0
    assert appendix_c.first_step_ratio_bound()[2]


# ----------------------------------------------------------------------------- numeric.ratio_search
def test_maximize_from_starts_finds_a_known_maximum():
    def objective(p):
        return -np.sum((p - np.array([1.0, -2.0])) ** 2, axis=1) + 3.0

    result = maximize_from_starts(objective, np.zeros((4, 2)), seed=1, xtol=1e-8)
    assert result.converged and result.best_value == pytest.approx(3.0, abs=1e-12)
    assert np.allclose(result.best_x, [1.0, -2.0], atol=1e-5)
    x, v = maximize_on_grid(lambda p: -np.sum((p - 0.3) ** 2, axis=1), (-1.0, -1.0), (1.0, 1.0))
    assert np.allclose(x, 0.3, atol=1e-10) and v == pytest.approx(0.0, abs=1e-18)


def test_search_rejects_bad_input():
    with pytest.raises(ValueError, match="starts"):
        maximize_from_starts(lambda p: p[:, 0], np.zeros(3))
    with pytest.raises(ValueError, match="xtol"):
        maximize_from_starts(lambda p: p[:, 0], np.zeros((2, 2)), xtol=0)
    with pytest.raises(ValueError, match="upper"):
        maximize_on_grid(lambda p: p[:, 0], (1.0,), (0.0,))
    with pytest.raises(ValueError, match="eta"):
        hessian_ratio(np.zeros((1, 3)), 2, eta=-1.0)


def test_ratios_are_scale_free_and_gradient_ratio_at_most_L():
    rng = np.random.default_rng(0)
    p = rng.normal(size=(50, 4))
    scaled = p * np.array([2.0, 2.0, 2.0, 8.0])  # w -> 2 w, w* -> 2^3 w*, eta -> 2 eta
    assert np.allclose(hessian_ratio(p, 3, 1.0), hessian_ratio(scaled, 3, 2.0), rtol=1e-12)
    assert np.all(gradient_ratio(p, 3, 1.0) <= 3 * (1 + 1e-12))
    assert gradient_ratio(np.array([[1.0, -1.0, 1.0, 0.0]]), 3, 1.0)[0] == pytest.approx(3.0, rel=1e-14)


def test_lemma_c2_search_reaches_the_box_supremum_on_every_seed():
    """Stability sweep, quick seed 60: the evolution strategy alone stopped at 0.9886 on an ill-conditioned
    ratio (lemma-C.2 failed); each config's best point is now refined by L-BFGS-B, so every strict config
    reaches >= 0.99 and the worst one is the box's supremum, the same on every seed."""
    from checks.section4 import lemma_C_2 as module

    worst = []
    for seed in (60, 61, 7):
        ctx = RunContext(seed=seed, quick=True)
        points = module._searched_points(ctx.seed_for("lemma-C.2/search"), module._depths(ctx))
        ratios = [float(module._ratios(W, module.SEARCH_ETA, [S], kind)[0, 0])
                  for (L, kind, S), W in points.items() if len(S) < L]
        assert 0.99 <= min(ratios) and max(ratios) <= 1 + module.RTOL
        worst.append(min(ratios))
    assert worst == pytest.approx([worst[0]] * 3, rel=1e-9)
    assert run_claim(get_claim("lemma-C.2"), RunContext(seed=60, quick=True)).verdict == "pass"
