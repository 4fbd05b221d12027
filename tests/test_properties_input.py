"""Property-based tests (hypothesis) of input handling: every CLI argument and the numeric layer's validation.

Properties: any text given to any option of the cheap commands gives exit status 0, or exit status 2
with exactly one line ``ssam-verify: error: ...`` naming an argument, never a traceback; the number
parsers accept exactly ASCII decimal literals and round-trip every finite float; the numeric layer's
public functions answer any array with a result or a ``ValueError`` naming the argument.
"""
import contextlib
import io
import math
import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numeric import model, validation
from ssam_verify.cli import main
from ssam_verify.parsing import NUMBER_PATTERN, parse_decimal, parse_float, parse_int, parse_matrix, parse_vector

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text people type: numbers (valid and not), lists, matrices, unicode digits, words, huge literals
NUMBERS = st.one_of(
    st.from_regex(r"\A[+-]?[0-9]{1,4}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,3})?\Z"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["", " ", "nan", "-inf", "1e400", "1e-400", "٣", "1_0", "0x10", "1,", ",", ";", "--", "-",
                     "1" * 500, "1e999999999", "½", "１", "0.5;", "1,2;3"]),
    st.text(max_size=12),
)
LISTS = st.lists(NUMBERS, min_size=1, max_size=4).map(",".join)


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def assert_answered(argv):
    status, out, err = run_cli(argv)
    assert status in (0, 2), (argv, status, err)
    assert "Traceback" not in err
    if status == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("ssam-verify: error:"), (argv, err)
    else:
        assert out


@SETTINGS
@given(depth=st.one_of(NUMBERS, st.integers(2, 4).map(str)), eta=NUMBERS, wstar=LISTS,
       weights=st.lists(LISTS, min_size=1, max_size=4).map(";".join))
def test_evaluate_answers_any_text(depth, eta, wstar, weights):
    assert_answered(["evaluate", "--depth", depth, "--eta", eta, "--wstar", wstar, "--weights", weights])


@SETTINGS
@given(depth=st.one_of(NUMBERS, st.integers(2, 6).map(str)), eta=NUMBERS,
       digits=st.one_of(st.just("20"), NUMBERS))
def test_threshold_answers_any_text(depth, eta, digits):
    assert_answered(["threshold", "--depth", depth, "--eta", eta, "--digits", digits])


@SETTINGS
@given(eta=NUMBERS, wstar=NUMBERS, depth=st.sampled_from(["2", "3", "4", "x", "1", "501"]))
def test_shrinkage_answers_any_text(eta, wstar, depth):
    assert_answered(["shrinkage", "--depth", depth, "--eta", eta, "--wstar", wstar, "--digits", "20"])


@settings(max_examples=40, deadline=None)
@given(option=st.sampled_from(["--steps", "--step-size", "--seeds", "--decay-start", "--power", "--samples",
                               "--record-every", "--radius", "--seed", "--schedule"]),
       value=NUMBERS, algorithm=st.sampled_from(["gd", "ssam", "projected-ssam"]))
def test_simulate_options_answer_any_text(option, value, algorithm):
    argv = ["simulate", "--algorithm", algorithm, "--depth", "2", "--eta", "0.5", "--wstar", "1,-0.5",
            "--init", "0.5,1;1,-0.5", "--steps", "20"]
    if option == "--steps":
        argv = argv[:-2]
    try:  # keep runs short: a valid step count above 20 or a long record is not the property tested here
        if option in ("--steps", "--seeds", "--samples") and parse_int(value, "v") > 50:
            return
    except ValueError:
        pass
    assert_answered(argv + [option, value])


@settings(max_examples=40, deadline=None)
@given(option=st.sampled_from(["--n", "--draws", "--delta", "--beta", "--noise", "--nu", "--cov", "--seed"]),
       value=NUMBERS)
def test_pacbayes_options_answer_any_text(option, value):
    argv = {"--depth": "2", "--eta": "0.3", "--wstar": "1", "--weights": "1;1", "--n": "5", "--draws": "5",
            "--delta": "0.1", "--beta": "1"}
    try:
        if option in ("--n", "--draws") and parse_int(value, "v") > 50:
            return
    except ValueError:
        pass
    argv[option] = value
    assert_answered(["pacbayes", *[x for kv in argv.items() for x in kv]])


@settings(max_examples=30, deadline=None)
@given(option=st.sampled_from(["--seed", "--jobs", "--claims"]), value=NUMBERS)
def test_run_options_answer_any_text_without_running(option, value):
    """Invalid values are refused before any claim runs; valid ones are not run here (no --claims match)."""
    argv = ["run", "--quick", "--quiet", option, value]
    if option != "--claims":
        argv += ["--claims", "no-such-claim"]
    status, _, err = run_cli(argv)
    assert status == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


# --- the parsers --------------------------------------------------------------------------------------------

@given(st.text(max_size=40))
def test_parsers_raise_only_value_errors_naming_the_argument(text):
    for parse in (parse_float, parse_int, parse_decimal, parse_vector, parse_matrix):
        try:
            parse(text, "arg")
        except ValueError as exc:
            assert str(exc).startswith("arg"), str(exc)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_round_trips(x):
    assert parse_float(repr(x), "x") == x
    assert float(parse_decimal(repr(x), "x")) == x


@given(st.text(alphabet=st.characters(whitelist_categories=("Nd",)), min_size=1, max_size=5))
def test_only_ascii_digits_are_numbers(digits):
    ascii_only = all("0" <= c <= "9" for c in digits)
    for parse in (parse_float, parse_int):
        try:
            parse(digits, "x")
            assert ascii_only
        except ValueError:
            assert not ascii_only


@given(st.from_regex(NUMBER_PATTERN, fullmatch=True))
def test_the_grammar_is_what_float_reads(text):
    value = float(text)
    if math.isfinite(value) and len(text.strip()) <= 400:
        assert parse_float(text, "x") == value


# --- the numeric layer's validation ------------------------------------------------------------------------

ARRAYS = st.one_of(
    hnp.arrays(dtype=st.sampled_from([np.float64, np.int64, np.complex128, np.bool_, np.float32]),
               shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
               elements={"allow_nan": True, "allow_infinity": True} if False else None),
    st.lists(st.one_of(st.floats(), st.integers(-5, 5), st.text(max_size=2), st.none()), max_size=4),
)


@settings(max_examples=80, deadline=None)
@given(W=ARRAYS, wstar=ARRAYS, eta=st.one_of(st.floats(), st.integers(-3, 3), st.booleans(), st.text(max_size=3)))
def test_model_functions_answer_or_name_the_argument(W, wstar, eta):
    for f, args in ((model.loss, (W, wstar)), (model.regularizer, (W, eta)),
                    (model.marginalized_loss, (W, wstar, eta)), (model.grad_marginalized_loss, (W, wstar, eta)),
                    (model.hessian_marginalized_loss, (W, wstar, eta))):
        try:
            with np.errstate(all="ignore"):
                f(*args)
        except ValueError as exc:
            assert re.match(r"(weights|wstar|eta)\b", str(exc)), str(exc)


@given(value=st.one_of(st.floats(), st.integers(), st.booleans(), st.text(max_size=3), st.none(),
                       st.integers(10**300, 10**400)))
def test_scalar_checks_answer_or_name_the_argument(value):
    for check in (lambda v: validation.check_int(v, "n", minimum=1), lambda v: validation.check_positive(v, "x"),
                  validation.check_depth, validation.check_seed, validation.check_eta):
        try:
            check(value)
        except ValueError as exc:
            assert re.match(r"(n|x|depth|seed|eta)\b", str(exc)), str(exc)
