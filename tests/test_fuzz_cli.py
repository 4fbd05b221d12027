"""Malformed and extreme input, as a new user would type it (issue 13).

Every case: one line ``ssam-verify: error: ...`` on stderr naming the argument and exit status 2,
or a correct answer; never a traceback, never a hang (subprocesses carry a generous timeout as a
hang guard, not a timing assertion).  Cases run in-process where they can (fast), in a
subprocess where the process matters (signals, environment, PATH).
"""
import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mpmath
import numpy as np
import pytest

from ssam_verify.cli import main

VENV_BIN = Path(sys.executable).parent


def cli(*argv):
    """``(status, stdout, stderr)`` of ``ssam-verify argv`` run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(a) for a in argv])
    return status, out.getvalue(), err.getvalue()


def assert_one_line_error(result, word):
    status, _, err = result
    lines = err.strip().splitlines()
    assert status == 2, (status, err)
    assert len(lines) == 1 and lines[0].startswith("ssam-verify: error:"), err
    assert word in lines[0], (word, lines[0])
    assert "Traceback" not in err and "4300" not in err and "max_points" not in err


@pytest.fixture()
def files(tmp_path):
    X = np.random.default_rng(0).standard_normal((12, 3))
    paths = {"dir": tmp_path}
    np.savez(tmp_path / "zero.npz", H=np.zeros((4, 3, 3)))
    (tmp_path / "corrupt.npz").write_bytes(b"PK\x03\x04 not really a zip archive" * 4)
    np.savez(tmp_path / "complex.npz", H=np.repeat((np.eye(2) * (1 + 1j))[None], 3, axis=0))
    np.savez(tmp_path / "huge.npz", H=np.repeat(np.full((2, 2), 1e300)[None], 3, axis=0))
    np.savez(tmp_path / "dense.npz", H=X[:, :, None] * X[:, None, :])
    np.save(tmp_path / "x.npy", X)
    np.savez(tmp_path / "x.npz", X=X)
    np.savetxt(tmp_path / "x.csv", X, delimiter=",")
    for name in ("zero", "corrupt", "complex", "huge", "dense", "x.npy", "x.npz", "x.csv"):
        paths[name] = tmp_path / (name if "." in name else name + ".npz")
    return paths


# --- hangs: refused up front with the limit named, or fast --------------------------------------------

@pytest.mark.parametrize("argv, word", [
    (["shrinkage", "--depth", "1000000", "--eta", "0.5", "--wstar", "1"], "depth must be <= 500"),
    (["threshold", "--depth", "3", "--eta", "1e999999999"], "eta"),
    (["shrinkage", "--depth", "3", "--eta", "0.5", "--wstar", "1e999999999"], "wstar"),
    (["shrinkage", "--depth", "3", "--eta", "0.5", "--wstar", "1", "--digits", "100000"], "digits must be <= 10000"),
    (["threshold", "--depth", "100000000", "--eta", "0.5"], "depth"),
    (["simulate", "--algorithm", "gradient-flow", "--depth", "2", "--eta", "0.5", "--wstar", "1", "--init", "1;1",
      "--time", "1e300"], "time"),
    (["simulate", "--algorithm", "gradient-flow", "--depth", "2", "--eta", "0.5", "--wstar", "1", "--init", "1;1",
      "--time", "1", "--records", "1e9"], "records"),
    (["sharpness", "--depth", "3", "--eta", "0.1", "--wstar", ",".join(["1"] * 13), "--at", "critical-points"],
     "wstar: at most 12"),
    (["sharpness", "--depth", "60", "--eta", "0.1", "--wstar", "1", "--at", "critical-points"], "depth"),
])
def test_unbounded_cost_is_refused(argv, word):
    assert_one_line_error(cli(*argv), word)


def test_long_lists_are_fast_or_refused():
    d = 20_000
    wstar, row = ",".join(["1"] * d), ",".join(["0.5"] * d)
    status, out, err = cli("evaluate", "--depth", "2", "--eta", "0.5", "--wstar", wstar, "--weights", f"{row};{row}",
                           "--json")
    assert status == 0 and '"loss"' in out
    assert_one_line_error(cli("evaluate", "--depth", "2", "--eta", "0.5", "--wstar", ",".join(["1"] * 100_001),
                              "--weights", "1;1"), "at most 100000")
    distinct = ",".join(f"{1 + k / 1000:g}" for k in range(200))
    status, out, _ = cli("simulate", "--algorithm", "gd", "--depth", "6", "--eta", "0.5", "--wstar", distinct,
                         "--init", ";".join([",".join(["0.5"] * 200)] * 6), "--steps", "5")
    assert status == 0 and "not computed" in out  # the nearest critical point would enumerate 200 x 2^5 points


# --- tracebacks that became answers or one-line errors ------------------------------------------------

def test_huge_and_tiny_exact_inputs_are_answered():
    for argv in (["--wstar", "1e400", "--eta", "0.5"], ["--wstar", "1", "--eta", "1e-400"]):
        status, out, err = cli("shrinkage", "--depth", "3", *argv, "--json")
        assert status == 0, err
        assert '"regime": "above"' in out and '"degenerate"' not in out


@pytest.mark.parametrize("name, status, word", [
    ("zero", 0, "no finite threshold"), ("corrupt", 2, "hessians"), ("complex", 2, "complex"),
    ("huge", 0, "threshold alpha*"),
])
def test_sgd_threshold_files(files, name, status, word):
    result = cli("sgd-threshold", "--hessians", files[name], "--batch", "2")
    if status == 2:
        assert_one_line_error(result, word)
    else:
        assert result[0] == 0 and word in result[1] and not result[2]


def test_sgd_threshold_reads_every_form_to_the_same_answer(files):
    values = set()
    for option, name in (("--hessians", "dense"), ("--features", "x.npy"), ("--features", "x.npz"),
                         ("--gradients", "x.csv")):
        status, out, err = cli("sgd-threshold", option, files[name], "--batch", "3", "--json")
        assert status == 0, err
        values.add(round(float(out.split('"threshold": ')[1].split(",")[0]), 10))
    assert len(values) == 1


@pytest.mark.parametrize("argv, word", [
    (["simulate", "--algorithm", "gd", "--depth", "2", "--eta", "0.5", "--wstar", "1", "--init", "1;1",
      "--steps", "1000000000000"], "steps"),
    (["simulate", "--algorithm", "ssam", "--depth", "2", "--eta", "0.5", "--wstar", "1", "--init", "1;1",
      "--steps", "10", "--seeds", "1e9"], "seeds"),
    (["simulate", "--algorithm", "ssam", "--depth", "2", "--eta", "0.5", "--wstar", "1", "--init", "1;1",
      "--steps", "10", "--samples", "1e12"], "samples"),
    (["pacbayes", "--depth", "2", "--eta", "0.3", "--wstar", "1", "--weights", "1;1", "--n", "10",
      "--draws", "1000000000000", "--delta", "0.05", "--beta", "1"], "draws"),
    (["pacbayes", "--depth", "2", "--eta", "0.3", "--wstar", "1", "--weights", "1;1", "--n", "1e12",
      "--draws", "10", "--delta", "0.05", "--beta", "1"], "draws"),
    (["pacbayes", "--depth", "2", "--eta", "0.3", "--wstar", "1", "--train", "gd", "--n", "1000",
      "--draws", "1000", "--delta", "0.05", "--beta", "1", "--steps", "100000"], "steps"),
    (["pacbayes", "--depth", "2", "--eta", "0.3", "--wstar", "1,2", "--weights", "1,1;1,1", "--n", "10",
      "--draws", "10", "--delta", "0.05", "--beta", "1", "--cov", "1,2;2,1"], "cov"),
])
def test_memory_bombs_are_refused(argv, word):
    assert_one_line_error(cli(*argv), word)


# --- silently accepted, now refused ---------------------------------------------------------------------

@pytest.mark.parametrize("argv, word", [
    (["evaluate", "--depth", "2", "--eta", "٠.٥", "--wstar", "1", "--weights", "1;1"], "eta"),
    (["evaluate", "--depth", "٣", "--eta", "0.5", "--wstar", "1", "--weights", "1;1;1"], "depth"),
    (["evaluate", "--depth", "2", "--eta", "0.5", "--wstar", "1_0", "--weights", "1;1"], "wstar"),
    (["run", "--claims", "lemma-3.2", "--seed", "١"], "seed"),
    (["run", "--claims", "lemma-3.2", "--seed", "4294967296"], "seed"),
    (["run", "--claims", "lemma-3.2", "--json", ""], "json"),
    (["run", "--claims", "lemma-3.2", "--report", ""], "report"),
    (["notebooks", "-o", ""], "output"),
    (["figures", "-o", "", "--only", "regularizer-vs-depth"], "output"),
    (["latex", "-o", ""], "output"),
    (["evaluate", "--depth", "2", "--eta", "1" * 5000, "--wstar", "1", "--weights", "1;1"], "too long"),
    (["simulate", "--algorithm", "gd", "--depth", "2", "--eta", "0.5", "--wstar", "1", "--init", "1;1",
      "--steps", "9" * 5000], "too long"),
    (["sharpness", "--depth", "2", "--eta", "0.5", "--wstar", "1e308", "--weights", "1e308;1e308"], "overflow"),
    (["evaluate", "--depth", "2", "--eta", "1e400", "--wstar", "1", "--weights", "1;1"], "float64 range"),
])
def test_misleading_input_is_refused(argv, word):
    assert_one_line_error(cli(*argv), word)


def test_plot_into_an_existing_folder_is_refused(tmp_path):
    result = cli("shrinkage", "--depth", "3", "--eta", "0.5", "--wstar", "1", "--plot", tmp_path)
    assert_one_line_error(result, "folder")
    assert not Path(str(tmp_path) + ".png").exists()


def test_unwritable_json_fails_before_the_run():
    start = time.perf_counter()
    status, out, err = cli("run", "--json", "/dev/full")  # every claim: would take a minute if it ran first
    assert_one_line_error((status, out, err), "json")
    assert "No space left" in err and not out
    assert time.perf_counter() - start < 60  # a hang guard, not a timing claim


# --- wrong answers at the edges --------------------------------------------------------------------------

def test_near_threshold_and_huge_targets_are_not_degenerate():
    with mpmath.workdps(300):
        from numeric.shrinkage import threshold

        just_above = mpmath.nstr(threshold(3, "0.5", 300) * (1 + mpmath.mpf("1e-80")), 250)
    for w in (just_above, "1e100"):
        status, out, err = cli("shrinkage", "--depth", "3", "--eta", "0.5", "--wstar", w, "--json")
        assert status == 0 and '"saddle": 4' in out and '"minimum": 5' in out and "degenerate" not in out, out


def test_degenerate_minimum_at_tau_2_is_listed():
    status, out, err = cli("sharpness", "--depth", "2", "--eta", "0.5", "--wstar", "0.25", "--at",
                           "critical-points", "--json")
    assert status == 0 and '"degenerate minimum"' in out and '"degenerate": true' in out


def test_regularizer_keeps_its_digits_at_small_eta():
    import json

    status, out, _ = cli("evaluate", "--depth", "3", "--eta", "1e-6", "--wstar", "1,2", "--weights",
                         "1,1;1,1;1,1", "--json")
    with mpmath.workdps(60):
        exact = 2 * ((1 + mpmath.mpf("1e-12")) ** 3 - 1)
    assert status == 0
    assert abs(json.loads(out)["regularizer"] - float(exact)) <= 1e-14 * float(exact)


# --- undocumented behaviour made plain --------------------------------------------------------------------

def test_negative_numbers_follow_their_option():
    assert cli("evaluate", "--depth", "2", "--eta", "0.5", "--wstar", "-0.5,1", "--weights", "-1,1;1,-2")[0] == 0
    assert cli("evaluate", "--depth", "2", "--eta", "0.5", "--wstar", "-.5", "--weights", "-1e-3;1")[0] == 0
    assert_one_line_error(cli("evaluate", "--depth", "2", "--eta", "-1e-3", "--wstar", "1", "--weights", "1;1"),
                          "eta must be finite and > 0")


# --- interrupts, environment, PATH (subprocesses) ----------------------------------------------------------

def _start(*argv, env=None):
    return subprocess.Popen([str(VENV_BIN / "ssam-verify"), *map(str, argv)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("argv, wait", [
    (["run", "--jobs", "1", "--quiet"], 4.0),
    # every notebook (a minute or more in all), so the interrupt lands mid-execution on a fast machine too
    (["notebooks", "--execute", "-o", "{tmp}"], 8.0),
])
def test_ctrl_c_is_one_line_and_status_130(tmp_path, argv, wait):
    proc = _start(*[a.replace("{tmp}", str(tmp_path)) for a in argv])
    time.sleep(wait)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    lines = [ln for ln in err.strip().splitlines() if not ln.startswith("ssam-verify notebooks:")]
    assert proc.returncode == 130, err
    assert lines == ["ssam-verify: interrupted"], err
    assert not list(tmp_path.glob(".*tmp")) and not list(tmp_path.glob(".staging-*"))


def test_blas_threads_default_to_one_unless_set():
    code = "import ssam_verify.cli, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() == "1"
    env["OPENBLAS_NUM_THREADS"] = "3"
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() == "3"


def test_missing_tex_is_one_line(tmp_path):
    env = dict(os.environ, PATH=str(VENV_BIN))
    proc = subprocess.run([str(VENV_BIN / "ssam-verify"), "latex", "-o", str(tmp_path / "f.tex"), "--pdf"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "pdflatex not found" in proc.stderr
    assert "install TeX" in proc.stderr and not (tmp_path / "f.tex").exists()


def test_pacbayes_huge_noise_is_one_line():
    """Found by hypothesis: --noise 1e200 overflowed (OverflowError) in the fourth moment of the loss."""
    assert_one_line_error(cli("pacbayes", "--depth", "2", "--eta", "0.5", "--wstar", "1,0.5", "--noise", "1e200",
                              "--weights", "1,1;1,1", "--n", "50", "--draws", "10", "--delta", "0.05", "--beta", "1"),
                          "noise must be at most")
