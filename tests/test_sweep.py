"""ssam-verify sweep: designs, quantities, Dask (embedded and external), Parquet parts, resume."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("distributed")
pq = pytest.importorskip("pyarrow.parquet")

from numeric import shrinkage  # noqa: E402
from ssam_verify.cli import main  # noqa: E402
from ssam_verify.sweep.design import SweepDesign, parse_axis, point_seed  # noqa: E402
from ssam_verify.sweep.quantities import DEFAULT_OPTIONS, compute_point  # noqa: E402
from ssam_verify.sweep.runner import run_sweep, sweep_spec  # noqa: E402


def _design(seed=3, quantity="gd"):
    axes = [parse_axis("depth", "2,3", integer=True, minimum=2), parse_axis("eta", "0.3:0.9:3", positive=True),
            parse_axis("wstar", "0.2:1.6:3", positive=True)]
    if quantity != "shrinkage":
        axes.append(parse_axis("step_size", "0.02", positive=True))
    return SweepDesign(tuple(axes), "grid", 0, seed)


def _rows_without_nothing(path):
    return pq.read_table(path).to_pylist()


# --- design -----------------------------------------------------------------------------------------
def test_axes_parse_lists_and_ranges():
    assert parse_axis("depth", "2,3,4", integer=True).grid_values() == [2, 3, 4]
    assert parse_axis("eta", "0.1:0.5:5").grid_values() == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    assert parse_axis("eta", "0.01:1:3:log").grid_values() == pytest.approx([0.01, 0.1, 1.0])


@pytest.mark.parametrize("text, message", [
    ("", "give a list"), ("0.1:x:3", "cannot parse"), ("0.1:1:0", "count"), ("0:1:3:log", "log range"),
    ("1:2:3:lin", "a range is"), ("0.5,\u0663", "ASCII"), ("-1,2", "> 0"), ("1:2:100001", "count"),
])
def test_bad_axes_are_refused_by_name(text, message):
    with pytest.raises(ValueError, match=message) as info:
        parse_axis("eta", text, positive=True)
    assert str(info.value).startswith("eta")


def test_grid_order_and_point_seeds():
    d = _design()
    points = d.points_table()
    assert len(points) == d.size() == 2 * 3 * 3
    assert [p["point"] for p in points] == list(range(18))
    assert (points[0]["depth"], points[-1]["depth"]) == (2, 3)  # first axis varies slowest
    assert points[7]["seed"] == point_seed(3, 7) != point_seed(4, 7)


def test_random_design_is_reproducible_and_inside_the_ranges():
    axes = (parse_axis("depth", "2,5", integer=True), parse_axis("eta", "0.01:1:3:log"))
    a = SweepDesign(axes, "random", 200, seed=1).points_table()
    assert a == SweepDesign(axes, "random", 200, seed=1).points_table()
    assert a != SweepDesign(axes, "random", 200, seed=2).points_table()
    assert {p["depth"] for p in a} == {2, 5}
    assert all(0.01 <= p["eta"] <= 1 for p in a)


def test_oversized_grid_is_refused():
    axes = tuple(parse_axis(n, "0:1:10000") for n in ("eta", "wstar"))
    with pytest.raises(ValueError, match="at most"):
        SweepDesign(axes, "grid")


# --- quantities ---------------------------------------------------------------------------------------
def test_shrinkage_row_matches_the_certified_landscape():
    row = compute_point("shrinkage", {"point": 0, "seed": 0, "depth": 3, "eta": 0.5, "wstar": 1.5}, {})
    assert row["threshold"] == pytest.approx(float(shrinkage.threshold(3, 0.5)), rel=1e-15)
    assert row["regime"] == "above" and row["roots"] == 2
    assert row["lambda_large"] == pytest.approx(float(max(shrinkage.shrinkage_roots(3, 0.5, 1.5).lambdas)))


def test_gd_ends_on_the_larger_root_above_and_at_zero_below_the_threshold():
    above = compute_point("gd", {"point": 0, "seed": 0, "depth": 2, "eta": 0.5, "wstar": 1.5, "step_size": 0.05},
                          DEFAULT_OPTIONS["gd"])
    assert above["converged"] and above["lambda_final"] == pytest.approx(np.sqrt(1 - 0.25 / 1.5), abs=1e-8)
    below = compute_point("gd", {"point": 0, "seed": 0, "depth": 2, "eta": 0.8, "wstar": 0.5, "step_size": 0.05},
                          DEFAULT_OPTIONS["gd"])
    assert below["regime"] == "below" and below["converged"] and below["lambda_final"] < 1e-6


# --- running on Dask -------------------------------------------------------------------------------------
def test_same_table_whatever_the_number_of_workers(tmp_path):
    spec = sweep_spec("gd", _design())
    one = run_sweep(spec, tmp_path / "one", workers=1)
    two = run_sweep(spec, tmp_path / "two", workers=2, chunk_size=2)
    assert one.computed == two.computed == 18
    assert pq.read_table(one.table_path).equals(pq.read_table(two.table_path))
    assert len(list((tmp_path / "two" / "parts").glob("part-*.parquet"))) == 9  # one part per task


def test_interrupted_sweep_keeps_its_parts_and_resume_finishes_it(tmp_path):
    spec = sweep_spec("shrinkage", _design(quantity="shrinkage"))
    whole = run_sweep(spec, tmp_path / "whole", workers=1)
    calls = []

    def interrupt_after_two_parts(done, total):
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, tmp_path / "cut", workers=1, chunk_size=3, progress=interrupt_after_two_parts)
    parts = list((tmp_path / "cut" / "parts").glob("part-*.parquet"))
    assert len(parts) == 2 and not (tmp_path / "cut" / "table.parquet").exists()
    assert not list((tmp_path / "cut" / "parts").glob(".*tmp"))  # nothing half-written
    resumed = run_sweep(spec, tmp_path / "cut", workers=1, resume=True)
    assert (resumed.skipped, resumed.computed) == (6, 12)
    assert pq.read_table(resumed.table_path).equals(pq.read_table(whole.table_path))


def test_a_folder_holding_another_sweep_is_refused(tmp_path):
    run_sweep(sweep_spec("shrinkage", _design(quantity="shrinkage")), tmp_path / "s", workers=1)
    with pytest.raises(ValueError, match="different sweep"):
        run_sweep(sweep_spec("shrinkage", _design(seed=9, quantity="shrinkage")), tmp_path / "s", resume=True)
    with pytest.raises(ValueError, match="--resume"):
        run_sweep(sweep_spec("shrinkage", _design(quantity="shrinkage")), tmp_path / "s")


@pytest.fixture
def external_cluster(tmp_path):
    """A scheduler and two single-threaded workers started as separate processes (``dask scheduler/worker``)."""
    dask = shutil.which("dask", path=os.path.dirname(sys.executable)) or shutil.which("dask")
    if dask is None:
        pytest.skip("the dask command is not installed")
    scheduler_file = tmp_path / "scheduler.json"
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    procs = [subprocess.Popen([dask, "scheduler", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1",
                               "--port", "0", "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(scheduler_file), "--nworkers", "2",
                                       "--nthreads", "1", "--no-dashboard"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, env=env))
        address = json.loads(scheduler_file.read_text())["address"]
        from dask.distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def test_sweep_on_an_existing_cluster_gives_the_embedded_table(tmp_path, external_cluster, capsys):
    argv = ["sweep", "gd", "--depth", "2,3", "--eta", "0.3:0.9:3", "--wstar", "0.2:1.6:3", "--step-size", "0.02",
            "--seed", "3", "--quiet", "--json", "--no-plot"]
    assert main(argv + ["--scheduler", external_cluster, "--out", str(tmp_path / "ext")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["scheduler"].startswith(external_cluster) and summary["workers"] == 2
    assert main(argv + ["--workers", "1", "--out", str(tmp_path / "emb")]) == 0
    assert pq.read_table(tmp_path / "ext" / "table.parquet").equals(pq.read_table(tmp_path / "emb" / "table.parquet"))


# --- the command line -----------------------------------------------------------------------------------
def test_cli_writes_table_and_phase_diagram(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "shrinkage", "--depth", "2,3", "--eta", "0.1:1:4", "--wstar", "0.1:2:4", "--workers", "1",
                 "--out", str(out), "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["points"] == summary["computed"] == 32
    assert (out / "phase-diagram.png").stat().st_size > 1000 and (out / "phase-diagram.svg").exists()
    rows = _rows_without_nothing(out / "table.parquet")
    assert [r["point"] for r in rows] == list(range(32))
    assert main(["sweep", "shrinkage", "--depth", "2,3", "--eta", "0.1:1:4", "--wstar", "0.1:2:4",
                 "--out", str(out), "--resume", "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["computed"] == 0


@pytest.mark.parametrize("argv, message", [
    (["sweep", "gd", "--steps", "10"], "--steps: not an option of the gd sweep"),
    (["sweep", "ssam", "--steps", "100000000000"], "steps must be <= "),
    (["sweep", "gd", "--depth", "1,2"], "depth: every value must be >= 2"),
    (["sweep", "gd", "--depth", "2:3:2"], "list of integers"),
    (["sweep", "gd", "--design", "random"], "needs --points"),
    (["sweep", "gd", "--workers", "0"], "workers must be >= 1"),
    (["sweep", "gd", "--eta", "0.1:1:5000", "--wstar", "0.1:1:5000"], "at most"),
])
def test_cli_bad_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path):
    assert main(argv + ["--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err and err.startswith("ssam-verify: error:")
    assert not (tmp_path / "x").exists()  # nothing written
