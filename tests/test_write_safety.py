"""Writing safely: argument checks before any work, interrupts, kills, full disks, read-only stores."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from causalmacro.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "models" / "demo.toml")
CHAIN = str(ROOT / "models" / "liquidity_chain.toml")


def _no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any fit, grid or panel fail loudly: an argument check must come first."""
    import causalmacro.panel
    import causalmacro.pipeline
    import causalmacro.specgrid

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the arguments were checked")

    monkeypatch.setattr(causalmacro.pipeline, "fit_spec", forbidden)
    monkeypatch.setattr(causalmacro.specgrid, "grid", forbidden)
    monkeypatch.setattr(causalmacro.panel, "build_panel", forbidden)


def _one_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_out_and_compare_are_checked_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_work(monkeypatch)
    afile = tmp_path / "afile"
    afile.write_text("x")
    msg = _one_line(capsys, "--quiet", "run", DEMO, "--out", str(afile))
    assert f"--out: {afile} is not a folder" in msg
    msg = _one_line(capsys, "--quiet", "run", DEMO, "--out", str(afile / "run"))
    assert f"--out: {afile} is not a folder" in msg
    nodir = tmp_path / "nodir"
    msg = _one_line(capsys, "--quiet", "run", DEMO, "--out", str(tmp_path / "run"), "--compare", str(nodir))
    assert f"--compare: {nodir} does not exist" in msg
    nodir.mkdir()
    msg = _one_line(capsys, "--quiet", "run", DEMO, "--out", str(tmp_path / "run"), "--compare", str(nodir))
    assert f"--compare: {nodir} is not a causalmacro run folder" in msg
    weekly = tmp_path / "weekly"  # a run folder of another frequency: refused before the fit too
    weekly.mkdir()
    (weekly / "manifest.json").write_text("{}")
    (weekly / "results.json").write_text(json.dumps({"panel": {"frequency": "W-FRI"}, "svar": {"variables": ["btc"]}}))
    msg = _one_line(capsys, "--quiet", "run", DEMO, "--out", str(tmp_path / "run"), "--compare", str(weekly))
    assert msg.endswith(f"{weekly} and {tmp_path / 'run'} cannot be compared: frequency weekly vs monthly; "
                        "VAR variables btc vs inflation, real_rate, net_liquidity, hy_spread, btc"), msg
    msg = _one_line(capsys, "--quiet", "grid", DEMO, "--out", str(afile))
    assert f"--out: {afile} is not a folder" in msg
    target = tmp_path / "missing" / "panel.csv"
    msg = _one_line(capsys, "--quiet", "data", DEMO, "--out", str(target))
    assert f"--out: cannot write {target}: folder {target.parent} does not exist" in msg
    msg = _one_line(capsys, "--quiet", "data", DEMO, "--out", str(tmp_path))
    assert f"--out: {tmp_path} is a folder, not a file" in msg
    assert not (tmp_path / "missing").exists() and not (tmp_path / "run").exists()


def test_store_and_data_dir_at_a_file_say_not_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_work(monkeypatch)
    afile = tmp_path / "afile"
    afile.write_text("x")
    msg = _one_line(capsys, "--offline", "data", CHAIN, "--store", str(afile))
    assert f"--store: {afile} is not a folder" in msg
    msg = _one_line(capsys, "data", CHAIN, "--data-dir", str(afile))
    assert f"--data-dir: {afile} is not a folder" in msg
    msg = _one_line(capsys, "data", CHAIN, "--data-dir", str(tmp_path / "nope"))
    assert f"--data-dir: {tmp_path / 'nope'} does not exist" in msg


def test_python_api_store_and_data_dir_at_a_file(tmp_path: Path) -> None:
    import causalmacro as cm
    from causalmacro.errors import DataError, StoreError

    afile = tmp_path / "afile"
    afile.write_text("x")
    spec = cm.load_spec(CHAIN)
    with pytest.raises(StoreError, match=f"store {afile} is not a folder"):
        cm.open_source(spec, store=afile, offline=True)
    with pytest.raises(DataError, match=f"data folder {afile} is not a folder"):
        cm.open_source(spec, data_dir=afile)
def test_interrupt_while_starting_is_one_line_and_exit_130(tmp_path: Path) -> None:
    """Ctrl-C while the command still imports its modules: exit 130 and one line, no traceback.

    Before the interrupt was deferred past imports, 3 of 48 such interrupts were swallowed by a
    dependency's import (exit 0 after a whole run), turned into another error (exit 1) or ended the
    process by SIGINT (-2) after the line.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAUSALMACRO_DEBUG": ""}
    for delay in (0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0, 1.2):
        proc = subprocess.Popen(
            [sys.executable, "-m", "causalmacro.cli", "--quiet", "run", DEMO, "--out", str(tmp_path / "run")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, (delay, proc.returncode, err)
        assert err.strip() == "causalmacro: interrupted; nothing written was left half-done", (delay, err)


FAST = ["--quiet", "run", DEMO, "--no-assets", "--reps", "0"]


def test_leftovers_of_killed_runs_are_removed_and_a_live_run_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hidden staging/old folders of dead runs (even one named with this very pid) go; a locked one stays."""
    import fcntl

    out = tmp_path / "run"
    assert main([*FAST, "--out", str(out)]) == 0
    dead = [tmp_path / ".run.staging-999999", tmp_path / f".run.staging-{os.getpid()}",
            tmp_path / ".run.old-1", tmp_path / f".run.old-{os.getpid()}", tmp_path / ".run.old-abc123"]
    for folder in dead:
        folder.mkdir()
        (folder / "asset_posterior.nc").write_bytes(b"x" * 1000)
    live = tmp_path / ".run.staging-live"
    live.mkdir()
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what a concurrent run holds while it writes
    try:
        code = main([*FAST, "--out", str(out), "--seed", "3"])
        err = capsys.readouterr().err
    finally:
        os.close(fd)
    assert code == 0, err
    assert json.loads((out / "manifest.json").read_text())["options"]["seed"] == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".run.staging-live", "run"]


def test_interrupt_while_the_old_run_is_removed_says_the_new_run_is_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import causalmacro.report.write as write

    out = tmp_path / "run"
    assert main([*FAST, "--out", str(out)]) == 0
    real = shutil.rmtree

    def interrupted(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        if ".old-" in Path(path).name:
            (Path(path) / "manifest.json").unlink()  # half-deleted
            raise KeyboardInterrupt
        real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write.shutil, "rmtree", interrupted)
    code = main([*FAST, "--out", str(out), "--seed", "5"])
    err = capsys.readouterr().err.strip()
    assert code == 130
    assert err.startswith(f"causalmacro: interrupted after the new run was written to {out}; ")
    assert len(err.splitlines()) == 1
    assert json.loads((out / "manifest.json").read_text())["options"]["seed"] == 5
    assert len(list(tmp_path.glob(".run.old-*"))) == 1
    monkeypatch.undo()
    assert main([*FAST, "--out", str(out), "--seed", "6"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def _tmpfs(folder: Path, size: str = "2m") -> None:
    """Mount a tiny tmpfs on ``folder``; skip without root or where mounting fails."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {proc.stderr.decode().strip()}")


@pytest.fixture
def full_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    disk = tmp_path / "disk"
    _tmpfs(disk)
    yield disk
    subprocess.run(["umount", str(disk)], check=False)


_WRITE_POSTERIOR = """
import sys, errno
from pathlib import Path
import numpy as np, arviz as az
from causalmacro.bayes._persist import write_idata
idata = az.from_dict(posterior={"a": np.random.default_rng(0).normal(size=(2, 500, 400))})
try:
    write_idata(idata, Path(sys.argv[1]))
except OSError as exc:
    assert exc.errno == errno.ENOSPC, exc
    import gc; gc.collect()
    print("ENOSPC")
"""


_WRITE_GRID_SHARD = """
import sys, errno
from pathlib import Path
import numpy as np, xarray as xr
from causalmacro.specgrid.engine import _write_shard
ds = xr.Dataset({"irf": (("cell", "h"), np.random.default_rng(0).normal(size=(2000, 400)))})
try:
    _write_shard(Path(sys.argv[1]).parent.parent, "old", ds, "fingerprint")
except OSError as exc:
    assert exc.errno == errno.ENOSPC, exc
    import gc; gc.collect()
    print("ENOSPC")
"""


@pytest.mark.parametrize("script", [_WRITE_POSTERIOR, _WRITE_GRID_SHARD], ids=["posterior", "grid_shard"])
def test_a_full_disk_under_a_netcdf_file_is_a_plain_oserror(full_disk: Path, script: str) -> None:
    """h5netcdf left an HDF5 file open on ENOSPC; h5py then crashed the interpreter (exit 139) collecting it.

    The asset posterior and the grid's shards (and ``grid.nc``) are written the same way.
    """
    if script is _WRITE_GRID_SHARD:
        full_disk = full_disk / "shards"
        full_disk.mkdir()
    (full_disk / "old.nc").write_bytes(b"previous")
    proc = subprocess.run([sys.executable, "-c", script, str(full_disk / "old.nc")],
                          capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    assert proc.stdout.strip() == "ENOSPC" and proc.stderr == ""
    assert [p.name for p in full_disk.iterdir()] == ["old.nc"] and (full_disk / "old.nc").read_bytes() == b"previous"


def test_a_full_disk_under_a_run_is_one_line_and_keeps_the_previous_run(full_disk: Path) -> None:
    previous = full_disk / "run"
    previous.mkdir()
    (previous / "report.md").write_text("the previous run\n")
    proc = subprocess.run(
        [sys.executable, "-m", "causalmacro.cli", "--quiet", "run", DEMO, "--reps", "2", "--out", str(previous)],
        capture_output=True, text=True, check=False, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CAUSALMACRO_DEBUG": ""},
    )
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert len(proc.stderr.strip().splitlines()) == 1 and "No space left on device" in proc.stderr, proc.stderr
    assert sorted(p.name for p in full_disk.iterdir()) == ["run"]
    assert [p.name for p in previous.iterdir()] == ["report.md"]
    assert (previous / "report.md").read_text() == "the previous run\n"


def test_a_read_only_store_is_read_offline_and_a_write_says_read_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A store on a read-only mount (root ignores file modes, so a read-only bind mount)."""
    import pandas as pd

    from causalmacro.data.store import SeriesMeta, Store
    from causalmacro.errors import StoreError

    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    folder = tmp_path / "store"
    store = Store(folder)
    obs = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2020-01-01", "2020-02-01"]))
    store.write("X", obs, SeriesMeta("X", "x", "u", "M", None, None, None, None, None, "fred"))
    proc = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot bind-mount read-only: {proc.stderr.decode().strip()}")
    try:
        assert Store(folder).read("X").tolist() == [1.0, 2.0]
        assert Store(folder).missing(["X", "Y"]) == ["Y"]
        with pytest.raises(StoreError, match=f"store {folder} is read-only; this command writes to it"):
            Store(folder).write("Y", obs, SeriesMeta("Y", "y", "u", "M", None, None, None, None, None, "fred"))
    finally:
        subprocess.run(["umount", str(folder)], check=False)
