import json

import numpy as np

from ssam_verify.cli import main


def test_sgd_threshold_json(tmp_path, capsys):
    X = np.random.default_rng(0).standard_normal((6, 3))
    f = tmp_path / "h.npz"
    np.savez(f, H=X[:, :, None] * X[:, None, :])
    assert main(["sgd-threshold", "--hessians", str(f), "--batch", "6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"threshold", "gd_threshold", "p", "necessary_bounds"} <= set(out)
    assert abs(out["threshold"] - out["gd_threshold"]) <= 1e-9 * out["gd_threshold"]
    assert main(["sgd-threshold", "--hessians", str(f), "--batch", "7"]) == 2
    assert "batch" in capsys.readouterr().err
    np.savez(f, H=-X[:, :, None] * X[:, None, :])
    assert main(["sgd-threshold", "--hessians", str(f), "--batch", "2"]) == 2
    assert main(["sgd-threshold", "--hessians", str(tmp_path / "missing.npz"), "--batch", "2"]) == 2


def test_sharpness_json(capsys):
    assert main(["sharpness", "--depth", "2", "--eta", "0.1", "--wstar", "1,0.5", "--weights", "1,0.5;1,1",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"sharpness", "minimal_sharpness", "ratio", "trace"} <= set(out)
    assert abs(out["ratio"] - 1) < 1e-12
    assert main(["sharpness", "--depth", "3", "--eta", "0.1", "--wstar", "1,0.5", "--at", "critical-points",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert all(p["ratio"] < 1 for p in out["points"])
    assert main(["sharpness", "--depth", "2", "--eta", "0.1", "--wstar", "1,0.5", "--weights", "1,0.5"]) == 2


def test_sgd_threshold_bad_files_one_line_exit_2(tmp_path):
    import subprocess
    import sys

    import numpy as np

    text = tmp_path / "t.txt"
    text.write_text("not numpy")
    npy = tmp_path / "x.npy"
    np.save(npy, np.eye(2))
    no_h = tmp_path / "y.npz"
    np.savez(no_h, G=np.eye(2))
    two = tmp_path / "two.npz"
    np.savez(two, G=np.eye(2), K=np.eye(2))
    for path, word in [(text, "needs a .npy/.npz file"), (npy, "a 3-D array is needed"), (no_h, "a 3-D array is needed"),
                       (two, "no array named H"), (tmp_path / "missing.npz", "does not exist")]:
        p = subprocess.run([sys.executable, "-m", "ssam_verify", "sgd-threshold", "--hessians", str(path),
                            "--batch", "2"], capture_output=True, text=True)
        lines = p.stderr.strip().splitlines()
        assert p.returncode == 2 and len(lines) == 1 and "hessians" in lines[0] and word in lines[0]
