"""The CLI: thin over the API, one line and exit 2 on bad input."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from causalmacro.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "models" / "demo.toml")
CHAIN = str(ROOT / "models" / "liquidity_chain.toml")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", DEMO)
    assert code == 0 and "valid (13 series, source demo)" in out
    code, out, _ = run(capsys, "schema")
    assert code == 0 and '"title": "causalmacro model spec"' in out


def test_data_on_demo_says_synthetic(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "data", DEMO)
    assert code == 0
    assert out.startswith("# synthetic data")
    assert "synthetic" in err
    frame = pd.read_csv(io.StringIO(out), comment="#", index_col=0, parse_dates=True)
    assert frame.index[0] == pd.Timestamp("2015-01-01") and frame.index[-1] == pd.Timestamp("2025-12-01")
    assert list(frame.columns[:5]) == ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"]
    target = tmp_path / "panel.csv"
    code, out, err = run(capsys, "--quiet", "data", DEMO, "--out", str(target))
    assert code == 0 and out == "" and err == ""
    assert target.read_text().startswith("# synthetic")


def one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_bad_inputs_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(Path(DEMO).read_text().replace('transform = "yoy"', 'transform = "yoyy"'))
    assert "bad.toml: key 'series.inflation.transform': 'yoyy' is not allowed (did you mean 'yoy'?)" in one_line_error(
        capsys, "validate", str(bad)
    )
    assert "spec file not found" in one_line_error(capsys, "data", str(tmp_path / "none.toml"))
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('name = "u"\n[data]\nsource = "demo"\n[series.x]\nid = "NOSUCHSERIES"\n')
    assert "embedded demo (synthetic) has no series NOSUCHSERIES" in one_line_error(capsys, "data", str(unknown))
    assert "invalid choice" in one_line_error(capsys, "frobnicate")
    assert "cannot run with --offline" in one_line_error(capsys, "fetch", CHAIN, "--offline")


def test_data_dir_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "fred"
    empty.mkdir()
    msg = one_line_error(capsys, "data", CHAIN, "--data-dir", str(empty))
    assert f"data folder {empty} has no series CPIAUCSL, DFII10" in msg
    (empty / "CPIAUCSL.csv").write_text("")
    assert "CPIAUCSL.csv: file is empty" in one_line_error(capsys, "data", CHAIN, "--data-dir", str(empty))
    assert "does not exist" in one_line_error(capsys, "data", CHAIN, "--data-dir", str(tmp_path / "nope"))


def test_offline_names_missing_series(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    msg = one_line_error(capsys, "--offline", "data", CHAIN, "--store", str(tmp_path / "store"))
    assert "offline: the store" in msg and "lacks series CPIAUCSL" in msg and "CBBTCUSD" in msg


@pytest.mark.shared_data
def test_data_on_shared_fred_folder(capsys: pytest.CaptureFixture[str], fred_dir: Path) -> None:
    code, out, err = run(capsys, "data", CHAIN, "--data-dir", str(fred_dir))
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), index_col=0, parse_dates=True)
    assert frame.index[0] == pd.Timestamp("2015-01-01") and frame.index[-1].year == 2025
    assert "inflation 2025-10-01 filled by linear interpolation" in err


def test_console_script_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "causalmacro.cli", "validate", "/nonexistent.toml"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == "causalmacro: error: /nonexistent.toml: spec file not found"


def test_unwritable_output_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "missing" / "panel.csv"
    msg = one_line_error(capsys, "--quiet", "data", DEMO, "--out", str(target))
    assert msg == f"causalmacro: error: --out: cannot write {target}: folder {target.parent} does not exist"
    assert not (tmp_path / "missing").exists()


def test_broken_pipe_exits_quietly(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import causalmacro.cli as cli

    def broken(args: object) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "_cmd_validate", broken)
    code, _, err = run(capsys, "validate", DEMO)
    assert code == 0 and err == ""
    code, _, err = run(capsys, "--debug", "validate", DEMO)
    assert code == 0 and err == ""


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("argv", [["--quiet", "data", DEMO], ["schema"], ["--help"]], ids=["data", "schema", "help"])
def test_broken_pipe_in_a_real_pipe_exits_quietly(argv: list[str], buffered: bool) -> None:
    # like `causalmacro data models/demo.toml | head -0`: the reader is gone before the first write.
    # Buffered (a shell's default) the failure comes at the flush, and unhandled there it prints
    # "Exception ignored" at exit; unbuffered (PYTHONUNBUFFERED, as some CI sets) it comes at the write
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    with subprocess.Popen(
        [sys.executable, "-m", "causalmacro.cli", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=120)
    assert code == 0, err
    assert err == ""


def test_debug_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from causalmacro.errors import SpecError

    missing = str(tmp_path / "none.toml")
    for value in ("", "0", "no"):
        monkeypatch.setenv("CAUSALMACRO_DEBUG", value)
        assert "spec file not found" in one_line_error(capsys, "validate", missing)
    for value in ("1", "true", "YES"):
        monkeypatch.setenv("CAUSALMACRO_DEBUG", value)
        with pytest.raises(SpecError, match="spec file not found"):
            main(["validate", missing])
    monkeypatch.delenv("CAUSALMACRO_DEBUG")
    with pytest.raises(SpecError):
        main(["--debug", "validate", missing])
    assert "CAUSALMACRO_DEBUG" not in os.environ  # --debug is an input, not a side effect
    assert main(["--help"]) == 0
    assert "CAUSALMACRO_DEBUG" in capsys.readouterr().out




@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--reps", "-5"], "argument --reps: reps must be 0 (no bands) or at least 2, not -5"),
        (["--reps", "1"], "argument --reps: reps must be 0 (no bands) or at least 2, not 1"),
        (["--reps", "many"], "argument --reps: reps must be 0 (no bands) or at least 2, not 'many'"),
        (["--seed", "-1"], "argument --seed: seed must be a non-negative integer, not -1"),
        (["--seed", "x"], "argument --seed: seed must be a non-negative integer, not 'x'"),
    ],
)
def test_run_refuses_bad_reps_and_seed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    argv: list[str], expected: str,
) -> None:
    import causalmacro.pipeline

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("refused options must stop before any fitting")

    monkeypatch.setattr(causalmacro.pipeline, "fit_spec", no_fit)
    out = tmp_path / "report"
    msg = one_line_error(capsys, "run", DEMO, "--no-assets", "--out", str(out), *argv)
    assert msg == f"causalmacro run: error: {expected} (see --help)"
    assert not out.exists()


def test_os_error_text_is_one_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import causalmacro.cli as cli

    def fails(args: object) -> int:
        raise OSError("first line\nsecond line")

    monkeypatch.setattr(cli, "_cmd_validate", fails)
    assert one_line_error(capsys, "validate", DEMO) == "causalmacro: error: cannot access: first line second line"
