"""scripts/stability.py: seeds parsed, failures reported per claim and seed, bad input refused."""
import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "stability.py"


def _script():
    spec = importlib.util.spec_from_file_location("stability_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_parse_seeds():
    script = _script()
    assert script.parse_seeds("1-3,7") == [1, 2, 3, 7] and script.parse_seeds("") == []
    for bad in ("5-2", "x", "1-y"):
        with pytest.raises(ValueError, match="seeds"):
            script.parse_seeds(bad)


def test_run_seed_reports_a_failing_claim(monkeypatch):
    from checks.framework import get_claim

    script = _script()
    assert script.run_seed("quick", 3, ["lemma-3.2"])["failures"] == []

    claim = get_claim("lemma-3.2")
    original = list(claim.methods)
    monkeypatch.setattr(claim, "methods", original + [("high-precision", "planted failure",
                                                        lambda ctx: (_ for _ in ()).throw(RuntimeError("boom")))])
    out = script.run_seed("quick", 3, ["lemma-3.2"])
    (failure,) = out["failures"]
    assert failure["claim"] == "lemma-3.2" and failure["verdict"] == "error" and "boom" in failure["evidence"][0]


def test_bad_arguments_exit_2(capsys):
    script = _script()
    assert script.main(["--quick-seeds", "5-2"]) == 2
    assert script.main(["--claims", "nope", "--quick-seeds", "1", "--default-seeds", ""]) == 2
    assert "error" in capsys.readouterr().err
