"""The JSON output of every ``ssam-verify`` command, described once: JSON Schemas and ``docs/json.md``.

Run ``python scripts/json_schemas.py`` to (re)write ``docs/schema/<command>.schema.json`` and
``docs/json.md`` from the descriptions below.  ``tests/test_json_schema.py`` checks that the
written files are current and validates every command's ``--json`` output against its schema;
objects are closed (``additionalProperties: false``), so a field a command adds without a
description here fails the tests.

Numbers: JSON has no infinity or NaN; where a value may be infinite or undefined (a diverged
run) it is written as the string ``"inf"``, ``"-inf"`` or ``"nan"`` (``number*`` below).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "docs" / "schema"
DOC = ROOT / "docs" / "json.md"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


# --- a compact vocabulary ---------------------------------------------------------------------------

def number(text):
    return {"type": "number", "description": text}


def number_star(text):
    return {"anyOf": [{"type": "number"}, {"enum": ["inf", "-inf", "nan"]}], "description": text,
            "x-kind": "number*"}


def integer(text):
    return {"type": "integer", "description": text}


def string(text, enum=None):
    out = {"type": "string", "description": text}
    if enum:
        out["enum"] = list(enum)
    return out


def boolean(text):
    return {"type": "boolean", "description": text}


def nullable(schema):
    out = dict(schema)
    kind = out.pop("type", None)
    if kind is not None:
        out["type"] = [kind, "null"]
    else:
        out["anyOf"] = out.get("anyOf", []) + [{"type": "null"}]
    return out


def array(items, text):
    return {"type": "array", "items": items, "description": text}


def obj(fields: dict, text: str, optional=(), open_=False):
    return {"type": "object", "description": text, "properties": fields,
            "required": [k for k in fields if k not in optional], "additionalProperties": bool(open_)}


def matrix(text, star=False):
    cell = {"anyOf": [{"type": "number"}, {"enum": ["inf", "-inf", "nan"]}]} if star else {"type": "number"}
    return array({"type": "array", "items": cell}, text)


# --- the commands ---------------------------------------------------------------------------------

DEPTH = integer("depth L of the network (number of layers)")
WIDTH = integer("width d (number of coordinates, the length of wstar)")
ETA = number("noise level eta of S-SAM (the standard deviation of the weight noise)")

EVIDENCE = obj({
    "method": string("how the evidence was obtained", ("symbolic", "high-precision", "monte-carlo",
                                                      "negative-control")),
    "name": nullable(string("the check's name within the claim")),
    "passed": boolean("whether this piece of evidence supports the claim"),
    "detail": obj({}, "the numbers behind the verdict; keys depend on the check. Conventions: Monte Carlo "
                  "checks report samples, z_max (largest |z| statistic), standard errors, the false-failure "
                  "probability (<= 1e-6 per claim), the detectable discrepancy and the seed; negative controls "
                  "report variants, a list of {name, rejected, distance from the boundary, ...}; an error "
                  "reports error and traceback", open_=True),
}, "one piece of evidence")

FALSE_FAILURE = obj({
    "probability": number("the claim's false-failure probability: the union bound over what its evidence "
                          "declares (the chance the claim fails although it is true); the statistical tests' "
                          "rates plus the near-miss positives' chance of failing"),
    "control_miss_probability": number("sum of the negative controls' declared miss probabilities (the chance a "
                                       "control does not reject its wrong variant although the check works): "
                                       "a type II error, reported, not part of probability"),
    "budget": nullable(number("the claim's declared family-wise budget: 1e-6 for a claim with statistical "
                              "evidence, 0 for a deterministic claim, null if it declares none")),
    "allocated": nullable(obj({}, "share name -> the part of the budget reserved for it "
                              "(checks.framework.allocate); null without a budget", open_=True)),
    "by_evidence": obj({}, "'method/name' -> the probability that piece of evidence declares", open_=True),
    "by_share": nullable(obj({}, "share name -> what the evidence paying from it declares; null when no "
                             "evidence declares a positive probability", open_=True)),
    "overspent": array(string("a share whose evidence declares more than was allocated, or evidence declaring a "
                              "positive probability without an allocated share"),
                       "empty when the claim keeps within its budget"),
    "undeclared": array(string("'method/name' of Monte Carlo evidence (or negative-control evidence of a claim "
                               "with a positive budget) that declares no false_failure_probability"),
                        "empty when every statistical piece of evidence declares its rate"),
}, "the claim's false-failure bookkeeping (checks.framework.false_failure_summary)", open_=True)

SCHEMAS = {
    "list": obj({"claims": array(obj({
        "id": string("the claim's id: the paper's label (e.g. theorem-3.1b)"),
        "title": string("a short title"),
        "statement": string("what is verified, in words and formulas")}, "a claim"), "every registered claim")},
        "ssam-verify list --json"),
    "run": obj({
        "seed": integer("the base seed of every random number (0 <= seed < 2^32)"),
        "mode": string("sample sizes used", ("default", "quick", "thorough")),
        "claims": array(obj({
            "id": string("the claim's id"),
            "verdict": string("pass: every evidence passed; fail: some failed; error: a method raised",
                              ("pass", "fail", "error")),
            "seconds": number("wall-clock seconds of the claim (in its worker process)"),
            "false_failure": FALSE_FAILURE,
            "evidence": array(EVIDENCE, "the claim's evidence, in method order (symbolic, high precision, Monte "
                              "Carlo, negative controls)")}, "one claim's result"), "the claims run"),
        "summary": obj({"passed": integer("claims that passed"), "failed": integer("claims that failed"),
                        "errors": integer("claims whose methods raised")}, "counts of verdicts"),
        "false_failure": obj({
            "probability": number("union bound over the claims' declared false-failure probabilities: the "
                                  "chance that this run reports a failure although every claim is true"),
            "budget": number("sum of the claims' declared budgets (1e-6 per statistical claim, 0 per "
                             "deterministic one)"),
            "control_miss_probability": number("sum of the claims' negative-control miss probabilities (type II "
                                               "errors: reported, not part of probability)"),
            "claims": obj({}, "claim id -> its declared false-failure probability", open_=True),
            "deterministic": array(string("a claim id"), "claims declaring budget 0 (no statistical evidence)"),
            "undeclared": array(string("a claim id"), "claims declaring no budget")},
            "the run's false-failure probability (checks.runner.run_false_failure)"),
    }, "ssam-verify run --json PATH (written to PATH; '-' prints it)"),
    "evaluate": obj({
        "depth": DEPTH, "width": WIDTH, "eta": ETA,
        "loss": number("L(W) = sum_h (w*_h - prod_l W_lh)^2 (eqs 2-3, no factor 1/2)"),
        "regularizer": number("R(W) of eq 7, including the constant d eta^(2L)"),
        "marginalized_loss": number("L_R = L + R = E[L(W + G)] (Lemma 2.2)"),
        "average_sharpness": number("S_avg(W) = E[L(W+G)] - L(W), equal to R (eq 9)"),
        "gradient": matrix("grad L_R, shape (L, d): row l is layer l+1"),
    }, "ssam-verify evaluate --json"),
    "shrinkage": obj({
        "depth": DEPTH, "eta": string("eta as the exact decimal given"),
        "wstar": string("w* (one coordinate) as the exact decimal given"),
        "digits": integer("significant digits of the decimal strings below"),
        "threshold": string("tau_L(eta) of eq 14, to 'digits' digits"),
        "regime": string("|w*| against tau_L(eta), decided in exact arithmetic", ("below", "at", "above")),
        "lambdas": array({"type": "string"}, "the nonzero shrinkage factors lambda in (0, 1), ascending (eq 13); "
                         "empty below the threshold, one (the double root) at it"),
        "roots_a": array({"type": "string"}, "the roots a = lambda |w*|^(1/L) of the shrinkage polynomial "
                         "(a^2 + eta^2)^(L-1) - |w*| a^(L-2), same order"),
        "enclosures": array(array({"type": "string"}, "[lower, upper]"),
                            "certified enclosures of lambda, [lower, upper], each proven to contain exactly one "
                            "root; end points rounded outward to digits + 3 digits"),
        "multiplicities": array({"type": "integer"}, "multiplicity of each root (2: the double root at the "
                                "threshold)"),
        "certificate": string("how the roots are certified"),
        "critical_points": obj({
            "count": integer("number of critical points of this coordinate's L_R: 1 + (number of roots) "
                             "2^(L-1)"),
            "sign_patterns_per_root": integer("2^(L-1): sign patterns s with prod_l s_l = sign(w*) per root"),
            "note": string("reminder: one coordinate; the critical set of d coordinates is the product"),
            "types": nullable(obj({}, "counts per kind (minimum, saddle, maximum, degenerate); null when not "
                                  "classified (depth > 32)", open_=True)),
            "by_root": obj({k: obj({"count": integer("points of this root"),
                                    "kind": nullable(string("minimum, saddle, maximum or degenerate; null when "
                                                            "not classified"))}, f"the {k} point(s)")
                            for k in ("zero", "smaller", "larger", "double")},
                           "per root: zero (all layers 0), smaller and larger root above the threshold, double "
                           "at it", optional=("smaller", "larger", "double")),
            "classified": boolean("whether the kinds were computed (depth <= 32): the Hessian's eigenvalue "
                                  "signs, at the precision they need"),
        }, "the critical points of one coordinate (Theorem 3.1(b))"),
        "plot": array({"type": "string"}, "with --plot: the PNG and SVG written"),
    }, "ssam-verify shrinkage --json", optional=("plot",)),
    "threshold": obj({
        "depth": DEPTH, "eta": string("eta as the exact decimal given"), "digits": integer("significant digits"),
        "threshold": string("tau_L(eta) = eta^L (2(L-1))^(L-1) / (L^(L/2) (L-2)^((L-2)/2)) (eq 14)"),
        "double_root_a": string("a_c = eta sqrt((L-2)/L): where the two roots meet at the threshold"),
        "double_root_lambda": string("lambda_c = a_c / tau_L^(1/L) (0 for L = 2)"),
        "threshold_squared_over_eta_2L": string("tau_L^2 / eta^(2L), exact: a fraction, or for large L the "
                                                "power form (2(L-1))^(2(L-1)) / (L^L (L-2)^(L-2))"),
    }, "ssam-verify threshold --json"),
    "simulate": obj({
        "algorithm": string("the dynamics simulated", ("gradient-flow", "gradient-flow-unregularized", "gd", "sgd",
                                                       "ssam", "projected-ssam")),
        "depth": DEPTH, "width": WIDTH, "eta": ETA,
        "wstar": array({"type": "number"}, "the target w*"),
        "times": array({"type": "number"}, "flows: the recorded times"),
        "steps": array({"type": "integer"}, "recursions: the recorded steps"),
        "step_size": number("recursions: the step size a"),
        "schedule": string("recursions: the step-size schedule", ("constant", "harmonic", "power")),
        "decay_start": integer("recursions: k0 of the harmonic/power schedules"),
        "power": number("recursions: p of the power schedule"),
        "seeds": integer("stochastic: independent runs"), "seed": integer("stochastic: the seed"),
        "samples": integer("stochastic: whitened data points n"),
        "radius": number("projected-ssam: the projection radius"),
        "balancing_gap": matrix("per record, ||W_{l+1}^2 - W_l^2||_F for l = 1..L-1 (mean over runs)", star=True),
        "loss": array(number_star("L"), "per record, L (mean over runs)"),
        "marginalized_loss": array(number_star("L_R"), "per record, L_R (mean over runs)"),
        "grad_norm": array(number_star("||grad L_R||"), "per record, ||grad L_R|| (mean over runs)"),
        "final_weights": matrix("the last weights (L, d), the mean over runs", star=True),
        "final_weights_all": array(matrix("(L, d)", star=True), "more than one run: every run's last weights"),
        "statistics": string("more than one run: how records and final weights are averaged"),
        "nearest_critical_point": nullable(obj({
            "lambdas": array({"type": "number"}, "its shrinkage factors per coordinate (0: a zero coordinate)"),
            "distance": number("Frobenius distance from final_weights"),
            "kind": string("minimum, saddle, maximum or degenerate"),
            "value": number("L_R at it"),
            "weights": matrix("its weights (L, d)"),
            "distances_all": array({"type": "number"}, "more than one run: each run's distance to its nearest "
                                   "critical point")}, "the critical point of L_R nearest to the final weights",
            optional=("distances_all",))),
        "nearest_critical_point_note": string("why the nearest critical point was not computed"),
        "diverged": boolean("true when the iterates overflowed"),
        "plot": array({"type": "string"}, "with --plot: the PNG and SVG written"),
    }, "ssam-verify simulate --json", optional=(
        "times", "steps", "step_size", "schedule", "decay_start", "power", "seeds", "seed", "samples", "radius",
        "final_weights_all", "statistics", "nearest_critical_point_note", "diverged", "plot")),
    "pacbayes": obj({
        "depth": DEPTH, "width": WIDTH, "eta": number("prior and posterior standard deviation sigma = eta"),
        "n": integer("samples per data set"), "draws": integer("independent data sets K"),
        "delta": number("confidence parameter delta"), "beta": number("the bound's beta, fixed before the data"),
        "inputs": string("input law", ("gaussian", "student-t")),
        "weights": string("'fixed' (given) or 'learned (gd)' / 'learned (ssam)' on each data set"),
        "seed": integer("the seed"),
        "bound": number("median over draws of the bound's right-hand side"),
        "population_loss": number("median of E_G L_pop(W+G) (left-hand side)"),
        "empirical_loss": number("median of E_G L_emp(W+G)"),
        "kl": number("median of KL = sum_l ||W_l||^2 / (2 sigma^2)"),
        "second_moment": number("median of E_G E_Z[l^2] (population second moment of the loss)"),
        "complexity_term": number("median of (KL + log 1/delta)/(beta sqrt n)"),
        "variance_term": number("median of beta/(2 sqrt n) E_G E_Z[l^2]"),
        "violations": integer("draws where the population side exceeds the bound"),
        "violation_rate": number("violations / draws"),
        "violation_upper_95": number("exact one-sided Clopper-Pearson upper 95% confidence bound on the true "
                                     "violation probability (to compare with delta)"),
        "slack_quantiles": obj({q: number(f"{q[1:]}% quantile of bound - population loss")
                                for q in ("q00", "q05", "q25", "q50", "q75", "q95", "q100")},
                               "quantiles of the slack over the draws"),
        "best_beta_in_hindsight": number("median of the beta minimizing the bound per draw (not a valid choice: "
                                         "beta must not depend on the data)"),
        "bound_at_best_beta": number("median of the bound at that beta"),
        "note": string("what the medians are"),
    }, "ssam-verify pacbayes --json"),
    "sharpness": {"oneOf": [
        obj({"depth": DEPTH, "eta": ETA, "wstar": array({"type": "number"}, "the target w*"),
             "sharpness": number("top Hessian eigenvalue of L at the weights"),
             "sharpness_LR": number("top Hessian eigenvalue of L_R"),
             "minimal_sharpness": number("2 L max_h |w*_h|^(2-2/L): the smallest sharpness of L's minimizers"),
             "ratio": nullable(number("sharpness / minimal_sharpness (null when w* = 0)")),
             "trace": number("trace of the Hessian of L")}, "with --weights: one point"),
        obj({"depth": DEPTH, "eta": ETA, "wstar": array({"type": "number"}, "the target w*"),
             "points": array(obj({
                 "weights": matrix("one representative (L, d): sign(w*_h) on layer 1, + elsewhere"),
                 "lambdas": array({"type": "number"}, "shrinkage factor per coordinate (0: zero coordinate)"),
                 "kinds": array({"type": "string", "enum": ["minimum", "degenerate minimum"]},
                                "per coordinate: a strict local minimum, or degenerate (a zero Hessian eigenvalue, "
                                "e.g. L = 2 at |w*| = tau_2) yet a local minimum by the reduced-function test"),
                 "degenerate": boolean("whether some coordinate is a degenerate minimum"),
                 "sign_patterns": integer("how many minima this row stands for (sign patterns with the same "
                                          "Hessian spectrum): 2^((L-1) (nonzero coordinates))"),
                 "sharpness": number("top Hessian eigenvalue of L"), "sharpness_LR": number("of L_R"),
                 "minimal_sharpness": number("2 L max_h |w*_h|^(2-2/L)"),
                 "ratio": nullable(number("sharpness / minimal_sharpness")),
                 "trace": number("trace of the Hessian of L")}, "a local minimum of L_R up to sign patterns"),
                 "with --at critical-points: every local minimum of L_R (Theorem 3.1(b)), degenerate ones included")},
            "with --at critical-points")],
        "description": "ssam-verify sharpness --json"},
    "sgd-threshold": obj({
        "threshold": nullable(number("alpha* = 2/lambda_max(C^+ D) (Mulayoff & Michaeli, Thm 3): SGD is "
                                     "mean-square stable iff alpha <= alpha*; null when every H_i is zero (stable "
                                     "for every step size)")),
        "gd_threshold": nullable(number("2/lambda_max(H), the threshold of gradient descent; null when H = 0")),
        "p": number("mixture weight p = (n - B)/(B (n - 1)) of sampling without replacement"),
        "n": integer("number of samples (per-sample Hessians)"), "d": integer("dimension"),
        "batch": integer("batch size B"),
        "input": string("what was read: dense Hessians (n, d, d) or rank-one features/gradients (n, d)",
                        ("hessians", "features")),
        "rank": integer("rank of H = mean_i H_i"),
        "method": string("eigensolver: eigh (dense, small rank) or lanczos"),
        "necessary_bounds": obj({
            "top_eigenvector": nullable(number("Prop 3, eq 15: 2 lam / ((1-p) lam^2 + p mean_i (v^T H_i v)^2) "
                                               ">= alpha*, v a top eigenvector of H")),
            "trace": nullable(number("Prop 3, eq 16: 2 tr H / ((1-p) ||H||_F^2 + p mean_i ||H_i||_F^2) >= "
                                     "alpha*")),
            "gd": nullable(number("2/lambda_max(H) >= alpha* (first-moment stability)"))},
            "upper bounds on alpha* from necessary conditions for stability (their Prop 3); null when H = 0"),
        "note": string("when there is no finite threshold: why"),
    }, "ssam-verify sgd-threshold --json", optional=("note",)),
    "sweep": obj({
        "quantity": string("what was computed at each point", ("shrinkage", "gd", "ssam")),
        "directory": string("the output folder"), "table": string("path of table.parquet (every row)"),
        "phase_diagram": nullable(string("path of phase-diagram.png (null with --no-plot)")),
        "points": integer("points in the design"), "computed": integer("points computed by this call"),
        "skipped": integer("points already in the folder (--resume)"),
        "seconds": number("wall-clock seconds"), "scheduler": string("the Dask scheduler's address"),
        "workers": integer("Dask workers used"), "seed": integer("the sweep's seed"),
    }, "ssam-verify sweep --json (the table's columns: docs/sweep.md)"),
}


def schema_document(command: str) -> dict:
    """The JSON Schema of ``command``'s ``--json`` output."""
    body = dict(SCHEMAS[command])
    return {"$schema": DRAFT, "$id": f"ssam-verify/{command}.schema.json",
            "title": f"ssam-verify {command} --json", **body}


def _kind(schema) -> str:
    if "x-kind" in schema:
        return schema["x-kind"]
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        return f"array of {_kind(schema['items'])}" if "items" in schema else "array"
    if kind:
        return kind
    if "anyOf" in schema:
        return " or ".join(_kind(s) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(map(str, schema["enum"]))
    return "value"


def _rows(schema, prefix="") -> list:
    rows = []
    for key, sub in schema.get("properties", {}).items():
        name = f"{prefix}{key}"
        kind = _kind(sub)
        if "enum" in sub:
            kind += " (" + " \\| ".join(map(str, sub["enum"])) + ")"
        optional = "" if key in schema.get("required", []) else " *(optional)*"
        text = sub.get("description", "").replace("|", "\\|")
        rows.append(f"| `{name}` | {kind} | {text}{optional} |")
        inner = sub
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
            inner, name = sub["items"], name + "[]"
        for alternative in inner.get("anyOf", []):
            if alternative.get("type") == "object":
                inner = alternative
        if inner.get("properties"):
            rows += _rows(inner, name + ".")
    return rows


def markdown() -> str:
    """``docs/json.md``: every field of every command's JSON output."""
    out = ["# JSON output of every command", "",
           "<!-- generated by scripts/json_schemas.py; edit the descriptions there -->", "",
           "Every command that takes `--json` prints one JSON object (`run --json PATH` writes it to PATH).",
           "The machine-readable schemas are in [docs/schema/](schema/) (JSON Schema 2020-12);",
           "`tests/test_json_schema.py` validates each command's output against them, and every object is closed,",
           "so each field below is all there is.", "",
           "`number*`: a number, or the string `\"inf\"`, `\"-inf\"` or `\"nan\"` where JSON has no such number",
           "(a diverged run). Exact high-precision values (`shrinkage`, `threshold`) are decimal strings.", ""]
    for command in SCHEMAS:
        schema = SCHEMAS[command]
        out += [f"## `{command}`", "", schema.get("description", ""), ""]
        variants = schema.get("oneOf", [schema])
        for variant in variants:
            if len(variants) > 1:
                out += [f"{variant['description']}:", ""]
            out += ["| field | type | meaning |", "| --- | --- | --- |", *_rows(variant), ""]
    return "\n".join(out)


def rendered() -> dict:
    """``{path: text}`` of every generated file."""
    files = {SCHEMA_DIR / f"{c}.schema.json": json.dumps(schema_document(c), indent=2) + "\n" for c in SCHEMAS}
    files[DOC] = markdown()
    return files


if __name__ == "__main__":
    SCHEMA_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in rendered().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
