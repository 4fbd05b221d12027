"""Run one stage of the mutation testing (mutmut 3) in a scratch copy of the tree; print and save its counts.

    python scripts/mutation_stage.py --list                 # the stages of pyproject.toml
    python scripts/mutation_stage.py stats                  # mutate checks/stats/, run its tests
    python scripts/mutation_stage.py schedules --keep DIR   # keep the scratch tree (inspect with mutmut show)

A stage is a table ``[tool.ssam_mutation.stages.NAME]`` of ``pyproject.toml`` with ``only_mutate``
(globs of the files to mutate) and ``tests`` (the test files whose tests may kill them).  The
common mutmut settings are ``[tool.mutmut]``.  The script copies the packages, ``tests/`` and
``scripts/`` to a scratch directory, writes there a ``pyproject.toml`` whose ``[tool.mutmut]`` is
the common one plus the stage's, and runs ``mutmut run`` in it: mutmut records which test calls
which mutated function and runs each mutant only against those tests (``-x``, no xdist).  The
working tree is never touched.  Prints the counts per file and the survivors, and writes them as
JSON (``--json``; default ``mutation-STAGE.json`` in the scratch directory's parent).
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("checks", "numeric", "derivations", "ssam_verify", "tests", "scripts")
STATUS = {"killed": "killed", "survived": "survived", "timeout": "timeout", "no tests": "no tests",
          "suspicious": "suspicious", "skipped": "skipped", "segfault": "killed"}


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def stage_config(name: str) -> dict:
    """The ``[tool.mutmut]`` settings of stage ``name``: the common ones with the stage's files and tests."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    common = dict(project["tool"]["mutmut"])
    stages = project["tool"]["ssam_mutation"]["stages"]
    if name not in stages:
        raise ValueError(f"stage must be one of {', '.join(stages)}, got {name!r}")
    stage = stages[name]
    common["only_mutate"] = list(stage["only_mutate"])
    common["pytest_add_cli_args_test_selection"] = list(stage["tests"])
    return common


def results_of(workdir: Path) -> dict:
    """``mutmut results --all true`` parsed: ``{status: [mutant names]}``."""
    out = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=workdir,
                         capture_output=True, text=True).stdout
    by_status: dict[str, list[str]] = {}
    for line in out.splitlines():
        if ":" not in line:
            continue
        mutant, status = (s.strip() for s in line.rsplit(":", 1))
        by_status.setdefault(STATUS.get(status, status), []).append(mutant)
    return by_status


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("stage", nargs="?")
    parser.add_argument("--list", action="store_true", help="list the stages and exit")
    parser.add_argument("--keep", metavar="DIR", help="scratch directory to use and keep (default: a temporary one)")
    parser.add_argument("--json", metavar="PATH", help="write the counts and survivors here")
    parser.add_argument("--rerun-survivors", action="store_true",
                        help="in the --keep tree of an earlier (possibly interrupted) run: copy the current tests/ and "
                             "rerun only its survivors and unchecked mutants")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutants (default 2)")
    args = parser.parse_args(argv)
    stages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ssam_mutation"]["stages"]
    if args.list or not args.stage:
        for name, stage in stages.items():
            print(f"{name:20s} {' '.join(stage['only_mutate'])}  <-  {' '.join(stage['tests'])}")
        return 0
    try:
        config = stage_config(args.stage)
    except ValueError as exc:
        print(f"mutation_stage.py: error: {exc}", file=sys.stderr)
        return 2
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix=f"mutation-{args.stage}-"))
    rerun = []
    if args.rerun_survivors:
        if not (workdir / "mutants").is_dir():
            print("mutation_stage.py: error: --rerun-survivors needs the --keep tree of an earlier run", file=sys.stderr)
            return 2
        rerun = sorted(m for status, ms in results_of(workdir).items() if status in ("survived", "no tests", "not checked")
                       for m in ms)
        for target in (workdir / "tests", workdir / "mutants" / "tests"):
            shutil.copytree(ROOT / "tests", target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        print(f"rerunning {len(rerun)} survivors with the current tests/")
    else:
        workdir.mkdir(parents=True, exist_ok=True)
        for name in COPIED:
            shutil.rmtree(workdir / name, ignore_errors=True)
            shutil.copytree(ROOT / name, workdir / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.rmtree(workdir / "mutants", ignore_errors=True)
        (workdir / "pyproject.toml").write_text(
            "[tool.mutmut]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in config.items())
            + '\n[tool.pytest.ini_options]\naddopts = "-ra"\nmarkers = ["slow: long-running tests"]\n')
    start = time.perf_counter()
    code = subprocess.run([sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *rerun],
                          cwd=workdir, stdout=subprocess.DEVNULL if rerun else None).returncode
    seconds = time.perf_counter() - start
    by_status = results_of(workdir)
    per_file: dict[str, dict[str, int]] = {}
    for status, mutants in by_status.items():
        for mutant in mutants:
            module = re.split(r"\.x[_\u01c1]", mutant, maxsplit=1)[0]
            per_file.setdefault(module, {}).setdefault(status, 0)
            per_file[module][status] += 1
    total = sum(len(v) for v in by_status.values())
    killed = len(by_status.get("killed", []))
    summary = {"stage": args.stage, "only_mutate": config["only_mutate"],
               "tests": config["pytest_add_cli_args_test_selection"], "seconds": round(seconds, 1),
               "mutmut_exit_code": code, "total": total, "counts": {k: len(v) for k, v in by_status.items()},
               "kill_rate": killed / total if total else None, "per_module": per_file,
               "survivors": sorted(m for s, v in by_status.items() if s != "killed" for m in v),
               "workdir": str(workdir)}
    out = Path(args.json) if args.json else workdir.parent / f"mutation-{args.stage}.json"
    out.write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k != "survivors"}, indent=1))
    print("survivors:", *summary["survivors"], sep="\n  ")
    if not args.keep:
        print(f"(scratch tree kept for inspection: {workdir})")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
