"""Section 3: derivations/landscape/, the five claims (quick), their negative controls, CLI, figures, notebook part."""
import json

import mpmath
import pytest
import sympy as sp

from checks.framework import RunContext, get_claim, run_claim
from checks.section3 import lemma_3_2, lemma_F_1, shrinkage_candidates, theorem_3_1b, theorem_3_1c
from claimtools import assert_controls_rejected, assert_passes
from derivations.landscape import balancing, critical_point_values, factorizations, secant_bracket
from derivations.landscape import shrinkage_polynomial as shrinkage_derivation
from derivations.landscape import threshold as threshold_derivation
from derivations.landscape.coordinate_model import Ls, a, lam, m
from derivations.landscape.latex_formulas import formulas
from derivations.marginalized import prove_identity
from numeric.shrinkage import certified_roots, equations, threshold_regime
from ssam_verify.cli import main

QUICK = RunContext(seed=0, quick=True)
ETA = sp.Symbol("eta", positive=True)
CLAIMS = ["theorem-3.1a", "theorem-3.1b", "theorem-3.1c", "lemma-3.2", "lemma-F.1"]


# --- derivations -----------------------------------------------------------

@pytest.mark.parametrize("L", [2, 3, 5])
def test_cyclic_identity_and_eq29(L):
    assert all(prove_identity(x, y) for x, y in balancing.cyclic_identity_terms(L))
    assert all(prove_identity(x, y) for x, y in balancing.eq29_terms(L))
    assert not all(prove_identity(x, y) for x, y in balancing.eq29_terms(L, factor=1))


def test_general_network_eq28_and_wrong_side():
    assert all(all(sp.expand(e) == 0 for e in (x - y)) for x, y in balancing.general_network_terms(2, 2))
    assert not all(all(sp.expand(e) == 0 for e in (x - y)) for x, y in balancing.general_network_terms(2, 2, False))


def test_shrinkage_polynomial_is_derived():
    derived = shrinkage_derivation.shrinkage_polynomial_derived
    assert sp.expand(derived(3) - ((a ** 2 + ETA ** 2) ** 2 - m * a)) == 0
    assert sp.expand(derived(4) - ((a ** 2 + ETA ** 2) ** 3 - m * a ** 2)) == 0
    assert shrinkage_derivation.descartes_sign_changes(6)["max_sign_changes"] == 2


def test_threshold_symbolic_L_and_asymptotics():
    d = threshold_derivation.threshold_derived(None)
    closed_form = threshold_derivation.threshold_closed_form(None)
    assert sp.simplify(sp.expand_log(sp.log(d["tau"]) - sp.log(closed_form), force=True)) == 0
    assert threshold_derivation.threshold_derived(3)["tau"] == 16 * sp.sqrt(3) * ETA ** 3 / 9
    assert threshold_derivation.threshold_derived(2)["tau"] == ETA ** 2
    assert threshold_derivation.double_root_conditions(5) == (0, 0)
    assert threshold_derivation.threshold_asymptotics()["limit"] == 1


def test_lambda_equation_and_loss():
    lam_eq = shrinkage_derivation.lambda_equation_derived(None)
    expected = lam ** 2 - lam ** ((Ls - 2) / (Ls - 1)) + ETA ** 2 * m ** (-2 / Ls)
    assert sp.simplify(lam_eq - expected) == 0
    assert sp.expand(critical_point_values.loss_at_critical_point(4) - m ** 2 * (1 - lam ** 4) ** 2) == 0


def test_hessian_eigenvalues_and_lemma32_pieces():
    h = critical_point_values.hessian_at_balanced_point(4)
    assert h["structured"]
    assert sp.expand(h["mu_balanced"] - 2 * (a ** 2 + ETA ** 2) ** 2 * (4 * a ** 2 - 2 * ETA ** 2)) == 0
    assert prove_identity(*factorizations.hessian_trace_loss(4))
    mins = factorizations.factorization_minima(3)
    assert sp.simplify(mins["trace_min"] - 6 * m ** sp.Rational(4, 3)) == 0


def test_package_reexports_only_formulas():
    import derivations.landscape

    assert derivations.landscape.__all__ == ["formulas"] and derivations.landscape.formulas is formulas


def test_formulas_shape():
    f = formulas()
    assert len(f) >= 8
    for cid, eq, name, expr in f:
        assert cid in CLAIMS and isinstance(eq, str) and name and isinstance(expr, sp.Basic)
        sp.latex(expr)


# --- claims -----------------------------------------------------------------

@pytest.fixture(scope="module", params=CLAIMS)
def result(request):
    return run_claim(get_claim(request.param), QUICK)


def test_claim_passes(result):
    assert_passes(result, {"symbolic", "high-precision", "negative-control"})


def test_every_negative_control_rejected(result):
    assert_controls_rejected(result, min_variants=3)


def test_required_negative_controls_present():
    names = []
    for cid in ("theorem-3.1b", "theorem-3.1c", "lemma-3.2"):
        r = run_claim(get_claim(cid), QUICK)
        names += [v["name"] for e in r.evidence if e.method == "negative-control" for v in e.detail["variants"]]
    text = " | ".join(names)
    for must in ("threshold x 1.001", "threshold x 0.999", "exponent (L-1)/(L-2)", "lambda^(L-1)", "claimed to minimize",
                 "x 1.05", "r_3 x 1.01"):
        assert must in text, must


def test_controls_fail_when_given_the_right_answer():
    assert shrinkage_candidates.lambda_equation_check()[0]
    assert shrinkage_candidates.threshold_candidate_check(3, "0.5", threshold_regime.threshold(3, "0.5", 60))[0]
    assert theorem_3_1c.loss_formula_check(theorem_3_1c.search_cases(QUICK), seed=5)[0]
    assert lemma_F_1.secant_check(3, "0.5", "1", "smaller")[0]
    assert shrinkage_candidates.asymptotic_rate_check()[0]


def test_near_misses_pass_and_every_control_records_its_distance(result):
    controls = [e for e in result.evidence if e.method == "negative-control"]
    assert any(e.detail.get("near_misses") for e in controls), result.id
    for ev in controls:
        for entry in ev.detail["variants"] + ev.detail.get("near_misses", []):
            assert entry.get("distance_from_boundary"), entry
        assert all(n["passed"] for n in ev.detail.get("near_misses", []))


# --- CLI, figures, notebook ----------------------------------------------------

def test_cli_shrinkage_json(capsys):
    assert main(["shrinkage", "--depth", "3", "--eta", "0.5", "--wstar", "1", "--digits", "30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regime"] == "above" and len(out["lambdas"]) == 2 and len(out["enclosures"]) == 2
    assert float(out["lambdas"][0]) < float(out["lambdas"][1])
    assert out["critical_points"]["count"] == 9 and out["critical_points"]["types"] == {"minimum": 5, "saddle": 4}
    assert out["threshold"].startswith("0.3849001794597505096727658536")


def test_cli_exact_decimals_at_threshold(capsys):
    assert main(["shrinkage", "--depth", "4", "--eta", "1", "--wstar", "6.75", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regime"] == "at" and len(out["lambdas"]) == 1
    assert main(["shrinkage", "--depth", "4", "--eta", "1", "--wstar", "6.7500000000000000000000000000001", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["regime"] == "above"


def test_cli_threshold_and_errors(capsys):
    assert main(["threshold", "--depth", "2", "--eta", "0.5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["threshold"] == "0.25"
    assert main(["shrinkage", "--depth", "1", "--eta", "1", "--wstar", "1"]) == 2
    assert main(["shrinkage", "--depth", "3", "--eta", "0", "--wstar", "1"]) == 2
    assert main(["threshold", "--depth", "3", "--eta", "abc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 3 and "eta" in err


def test_cli_plot(tmp_path, capsys):
    p = tmp_path / "lam.png"
    assert main(["shrinkage", "--depth", "3", "--eta", "0.7", "--wstar", "2", "--plot", str(p)]) == 0
    assert p.exists() and p.with_suffix(".svg").exists()


def test_figure2(tmp_path):
    from ssam_verify.figures.landscape import FIGURES

    assert {"figure-2", "shrinkage-lambda"} <= set(FIGURES)
    paths = FIGURES["figure-2"](tmp_path)
    assert all(p.exists() for p in paths)


def test_notebook_part_compiles():
    from ssam_verify.notebook_parts import landscape as nb

    assert nb.NOTEBOOK == "03-landscape"
    for kind, src in nb.cells():
        assert kind in ("markdown", "code")
        if kind == "code":
            compile(src, "cell", "exec")


def test_appendix_f_bracket_derivation():
    for L in (None, 3, 4, 7):
        b = secant_bracket.root_bracket(L)
        assert b["lower_gap_at_root"] == 0 and b["upper_gap_at_root"] == 0
        c, p = b["c"], b["p"]
        assert sp.simplify(b["f_lower"] - c ** (2 / p)) == 0
        assert sp.simplify(b["f_upper"] - (1 - (1 - c) ** (p / 2))) == 0


# --- mutation tests: a wrong library function makes the positive evidence fail --------------

def _evidence(result, name):
    (ev,) = [e for e in result.evidence if e.name == name]
    return ev


def test_lemma_f1_uses_numeric_f_and_compares_with_derivation():
    for L, eta, w in [(3, "0.5", "1"), (5, "0.5", "2")]:
        ok, det = lemma_F_1.numeric_f_check(L, eta, w)
        assert ok, det
    wrong_f = lemma_F_1.derived_lambda_equation_factory(lambda L: sp.Rational(L - 1, L))
    assert not lemma_F_1.numeric_f_check(3, "0.5", "1", phi_factory=wrong_f)[0]
    assert lemma_F_1.numeric_f_check(3, "0.5", "1", phi_factory=lemma_F_1.derived_lambda_equation_factory())[0]
    assert sp.simplify(secant_bracket.lambda_minimizer(3) - sp.Rational(1, 4) ** sp.Rational(2, 3)) == 0


@pytest.mark.parametrize("target", ["lambda_equation", "double_root", "shrinkage_offset"])
def test_lemma_f1_fails_when_numeric_layer_is_wrong(monkeypatch, target):
    module = threshold_regime if target == "double_root" else equations  # where lemma_F_1 looks it up
    orig = getattr(module, target)
    wrong = {
        "lambda_equation": lambda lam, L, eta, w: 1.1 * orig(lam, L, eta, w) + 0.01,
        "double_root": lambda L, eta, digits=50: tuple(x * mpmath.mpf("1.01") for x in orig(L, eta, digits)),
        "shrinkage_offset": lambda L, eta, w: orig(L, eta, w) * mpmath.mpf("1.01"),
    }[target]
    monkeypatch.setattr(module, target, wrong)
    r = run_claim(get_claim("lemma-F.1"), QUICK)
    assert r.verdict == "fail"
    ev = _evidence(r, "monotone-convergence-to-certified-roots")
    assert not ev.passed
    assert not any(row["passed"] for row in ev.detail["numeric_vs_derivation"])


def test_exact_threshold_from_numeric_layer():
    from fractions import Fraction

    exact_threshold = shrinkage_candidates.exact_threshold
    exact_threshold_check = shrinkage_candidates.exact_threshold_check
    assert exact_threshold(3, "1") is None  # tau_3 = 16 sqrt(3)/9 eta^3 is irrational
    for L, eta in [(2, "0.5"), (4, "1"), (4, "0.5"), (6, "1")]:
        w = exact_threshold(L, eta)
        derived_tau = threshold_derivation.threshold_derived(L)["tau"].subs(ETA, sp.Rational(eta))
        assert sp.Rational(w.numerator, w.denominator) == derived_tau
        ok, det = exact_threshold_check(L, eta, w)
        assert ok and det["regime"] == "at", det
    w = exact_threshold(4, "1")
    assert not exact_threshold_check(4, "1", w * Fraction(101, 100))[0]
    assert not exact_threshold_check(4, "1", w * Fraction(99, 100))[0]


@pytest.mark.parametrize("target", ["threshold_exact_power", "threshold"])
def test_theorem_31b_fails_when_threshold_is_wrong(monkeypatch, target):
    from fractions import Fraction

    orig = getattr(threshold_regime, target)  # theorem-3.1b looks both up in numeric.shrinkage.threshold_regime
    if target == "threshold_exact_power":
        monkeypatch.setattr(threshold_regime, target, lambda L: orig(L) * Fraction(101, 100))
    else:
        monkeypatch.setattr(threshold_regime, target,
                            lambda L, eta, digits=50: orig(L, eta, digits) * mpmath.mpf("1.01"))
    r = run_claim(get_claim("theorem-3.1b"), QUICK)
    assert r.verdict == "fail"
    ev = _evidence(r, "certified-roots-vs-polyroots-incl-threshold")
    assert not ev.passed
    assert not any(c["passed"] for c in ev.detail["cases"] if c["offset"] == "exact")


def test_theorem_31b_double_root_must_be_reported_once_with_multiplicity_2(monkeypatch):
    orig = certified_roots.shrinkage_roots

    def simple_at_threshold(*a, **k):
        r = orig(*a, **k)
        if r.regime == "at":
            r.multiplicities = [1] * len(r.multiplicities)
        return r

    assert theorem_3_1b.certified_roots_against_polyroots(QUICK).passed
    monkeypatch.setattr(certified_roots, "shrinkage_roots", simple_at_threshold)
    ev = theorem_3_1b.certified_roots_against_polyroots(QUICK)
    assert not ev.passed
    failing = [(c["L"], c["offset"]) for c in ev.detail["cases"] if not c["passed"]]
    assert failing == [(4, "exact")]


def test_lemma_32_minima_checks_take_candidates():
    factorization_minimum_check = lemma_3_2.factorization_minimum_check
    with mpmath.workdps(60):
        root = mpmath.cbrt(mpmath.mpf("1.7"))
    balanced = [root] * 3
    for which in ("R", "trace"):
        assert factorization_minimum_check(3, 0.5, 1.7, balanced, which)[0]
        assert factorization_minimum_check(3, 0.5, 1.7, balanced, which,
                                           minima=factorizations.factorization_minima(None))[0]
    for L in (2, 3, 5):
        assert lemma_3_2.minima_symbolic_check(L)[0]
    for name, candidate, _ in lemma_3_2.wrong_minima():
        which = "R" if name.startswith("R_min") else "trace"
        assert not factorization_minimum_check(3, 0.5, 1.7, balanced, which, minima=candidate)[0], name
        assert not lemma_3_2.minima_symbolic_check(3, minima=candidate)[0], name
        assert not lemma_3_2.minimization_check(3, 0.5, 1.7, which, 4, 0, minima=candidate)[0], name


@pytest.mark.parametrize("key", ["R_min", "trace_min"])
def test_lemma_32_fails_when_derived_minima_are_wrong(monkeypatch, key):
    orig = factorizations.factorization_minima

    def wrong(L=None):
        out = dict(orig(L))
        out[key] = out[key] * sp.Rational(101, 100)
        return out

    monkeypatch.setattr(factorizations, "factorization_minima", wrong)  # where lemma_3_2 looks it up
    r = run_claim(get_claim("lemma-3.2"), QUICK)
    assert r.verdict == "fail"
    assert not _evidence(r, "trace-identity-lagrange-minima").passed
    assert not _evidence(r, "balanced-factorization-attains-derived-minima").passed
    assert not _evidence(r, "constrained-minimisation-from-random-starts").passed
