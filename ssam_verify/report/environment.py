"""The environment block of the report: what a reader needs to reproduce a verdict."""
from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
from pathlib import Path

__all__ = ["environment"]


def _version(mod: str) -> str:
    try:
        m = __import__(mod)
        return getattr(m, "__version__", "?")
    except Exception:  # pragma: no cover
        return "not installed"


def _git_commit() -> str:
    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=10)
        if sha.returncode != 0:
            return "unavailable (not a git checkout)"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=10)
        return sha.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unavailable (git not found)"


def environment(seed: int, mode: str, claim_ids=None) -> dict:
    """What a reader needs to reproduce the run: command, seed, mode, versions, platform, date, commit."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        suite = version("ssam-verify")
    except PackageNotFoundError:
        suite = "not installed (run from source)"
    cmd = ["ssam-verify", "run", "--seed", str(seed)]
    if mode in ("quick", "thorough"):
        cmd.append(f"--{mode}")
    if claim_ids and list(claim_ids) != _all_claim_ids():  # every claim: the default, no --claims needed
        cmd += ["--claims", ",".join(claim_ids)]
    return {
        "command": " ".join(cmd),
        "seed": seed,
        "mode": mode,
        "date (UTC)": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "git commit": _git_commit(),
        "ssam-verify": suite,
        "python": sys.version.split()[0] + f" ({platform.python_implementation()})",
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "sympy": _version("sympy"),
        "mpmath": _version("mpmath"),
        "matplotlib": _version("matplotlib"),
        "platform": platform.platform(),
        "machine": f"{platform.machine()}, {_cpu_count()} CPUs",
    }


def _all_claim_ids() -> list:
    try:
        from checks.framework import registry

        return [c.id for c in registry()]
    except Exception:  # pragma: no cover - the command then lists the claims
        return []


def _cpu_count() -> int:
    return os.cpu_count() or 1
