"""Every command's ``--json`` output validates against its schema in ``docs/schema/`` (closed objects:
an undocumented field fails), and ``docs/json.md`` and the schema files are what ``scripts/json_schemas.py``
writes."""
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from jsonschema import Draft202012Validator

from ssam_verify.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("json_schemas", ROOT / "scripts" / "json_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()


def test_generated_files_are_current():
    for path, text in GEN.rendered().items():
        assert path.exists() and path.read_text() == text, f"regenerate with: python scripts/json_schemas.py ({path})"


def test_schemas_are_valid_and_every_command_with_json_has_one():
    for command in GEN.SCHEMAS:
        Draft202012Validator.check_schema(GEN.schema_document(command))
    from ssam_verify.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    with_json = {name for name, p in sub.choices.items() if any("--json" in a.option_strings for a in p._actions)}
    assert with_json == set(GEN.SCHEMAS)


def _validate(command, payload):
    errors = sorted(Draft202012Validator(GEN.schema_document(command)).iter_errors(payload), key=str)
    assert not errors, f"{command}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def _json_of(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


SIM = ["simulate", "--depth", "2", "--eta", "0.5", "--wstar", "1,-0.5", "--init", "0.3,1;1,-0.2", "--json"]
CASES = {
    "list": [["list", "--json"]],
    "evaluate": [["evaluate", "--depth", "3", "--eta", "0.5", "--wstar", "-0.5,1", "--weights", "1,1;1,1;-1,2",
                  "--json"]],
    "shrinkage": [["shrinkage", "--depth", "3", "--eta", "0.5", "--wstar", "-1", "--json"],
                  ["shrinkage", "--depth", "4", "--eta", "1", "--wstar", "6.75", "--json"],
                  ["shrinkage", "--depth", "40", "--eta", "0.5", "--wstar", "1e30", "--json"],
                  ["shrinkage", "--depth", "2", "--eta", "0.5", "--wstar", "0.1", "--json"]],
    "threshold": [["threshold", "--depth", "5", "--eta", "0.5", "--json"],
                  ["threshold", "--depth", "400", "--eta", "0.5", "--digits", "10", "--json"]],
    "simulate": [SIM + ["--algorithm", "gradient-flow", "--time", "1"],
                 SIM + ["--algorithm", "gd", "--steps", "50"],
                 SIM + ["--algorithm", "gd", "--steps", "20", "--step-size", "1e30"],
                 SIM + ["--algorithm", "projected-ssam", "--steps", "50", "--seeds", "2"]],
    "pacbayes": [["pacbayes", "--depth", "2", "--eta", "0.3", "--wstar", "1", "--weights", "1;1", "--n", "10",
                  "--draws", "20", "--delta", "0.05", "--beta", "1", "--json"]],
    "sharpness": [["sharpness", "--depth", "2", "--eta", "0.5", "--wstar", "0.25", "--at", "critical-points",
                   "--json"],
                  ["sharpness", "--depth", "2", "--eta", "0.5", "--wstar", "0", "--weights", "1;2", "--json"]],
}


@pytest.mark.parametrize("command", sorted(CASES))
def test_command_output_matches_its_schema(command, capsys):
    for argv in CASES[command]:
        _validate(command, _json_of(capsys, argv))


def test_sgd_threshold_output_matches_its_schema(tmp_path, capsys):
    X = np.random.default_rng(0).standard_normal((8, 3))
    np.save(tmp_path / "x.npy", X)
    np.savez(tmp_path / "zero.npz", H=np.zeros((4, 2, 2)))
    _validate("sgd-threshold", _json_of(capsys, ["sgd-threshold", "--features", str(tmp_path / "x.npy"),
                                                 "--batch", "2", "--json"]))
    zero = _json_of(capsys, ["sgd-threshold", "--hessians", str(tmp_path / "zero.npz"), "--batch", "2", "--json"])
    _validate("sgd-threshold", zero)
    assert zero["threshold"] is None and "note" in zero


def test_run_output_matches_its_schema(tmp_path, capsys):
    path = tmp_path / "r.json"
    assert main(["run", "--claims", "lemma-3.2", "--quick", "--jobs", "1", "--quiet", "--json", str(path)]) == 0
    _validate("run", json.loads(path.read_text()))


def test_sweep_output_matches_its_schema(tmp_path, capsys):
    out = _json_of(capsys, ["sweep", "shrinkage", "--depth", "2", "--eta", "0.5", "--wstar", "1,2", "--workers", "1",
                            "--out", str(tmp_path / "s"), "--no-plot", "--json"])
    _validate("sweep", out)


def test_an_undocumented_or_mistyped_field_fails(capsys):
    out = _json_of(capsys, CASES["evaluate"][0])
    validator = Draft202012Validator(GEN.schema_document("evaluate"))
    assert not list(validator.iter_errors(out))
    assert list(validator.iter_errors({**out, "undocumented": 1}))
    assert list(validator.iter_errors({**out, "loss": "0.25"}))
    missing = dict(out)
    del missing["gradient"]
    assert list(validator.iter_errors(missing))
