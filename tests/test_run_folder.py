"""The run folder: written atomically, described by manifest.json, reused when nothing changed."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

import causalmacro.plotting
from causalmacro.cli import main

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "models" / "demo.toml")
FAST = ["--no-assets", "--reps", "50"]


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _run(capsys: pytest.CaptureFixture[str], out: Path, *extra: str, spec: str = DEMO) -> tuple[int, str]:
    code = main(["--quiet", "run", spec, "--out", str(out), *FAST, *extra])
    return code, capsys.readouterr().out


def test_unchanged_rerun_is_reused_and_force_refits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    assert _run(capsys, out)[0] == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    code, printed = _run(capsys, out)
    assert code == 0 and "nothing changed since the run" in printed and "reused" in printed
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before  # not rewritten
    code, printed = _run(capsys, out, "--force")
    assert code == 0 and "wrote" in printed
    code, printed = _run(capsys, out, "--seed", "1")  # another option: refit
    assert "wrote" in printed and json.loads((out / "manifest.json").read_text())["options"]["seed"] == 1


def test_compare_is_not_skipped_by_an_unchanged_rerun(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unchanged rerun is reused, but not when --compare asks for a comparison the folder lacks."""
    base, out = tmp_path / "base", tmp_path / "run"
    _run(capsys, base, "--seed", "1")
    _run(capsys, out)
    assert not (out / "changes.json").exists()
    code, printed = _run(capsys, out, "--compare", str(base))
    assert code == 0 and "reused" not in printed
    assert "responses" in json.loads((out / "changes.json").read_text())


def test_manifest_records_inputs_window_versions_and_timings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    _run(capsys, out)
    m = json.loads((out / "manifest.json").read_text())
    assert m["format"] == "causalmacro.run/1" and m["synthetic"] is True
    assert len(m["spec"]["sha256"]) == 64 and m["spec_file"].endswith("demo.toml")
    assert set(m["data"]) >= {"CPIAUCSL", "WALCL", "CBBTCUSD"}
    assert all(len(v["sha256"]) == 64 and v["n"] > 0 for v in m["data"].values())
    assert m["window"]["end"] == "2025-12-01" and "spec's end" in m["window"]["reason"]
    assert {"data", "svar", "write"} <= set(m["timings_s"]) and m["packages"]["numpy"]
    assert sorted(m["files"]) == sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize(("fault", "code"), [(KeyboardInterrupt, 130), (RuntimeError, 1)])
def test_a_fault_while_writing_leaves_the_previous_run_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    fault: type[BaseException], code: int,
) -> None:
    out = tmp_path / "run"
    _run(capsys, out)
    before = _snapshot(out)

    def boom(*args: object, **kwargs: object) -> None:
        raise fault("stop")

    monkeypatch.setattr(causalmacro.plotting, "plot_graph", boom)
    # --jobs 1: the patch is in this process; figure workers import their own plotting module (an error raised in a
    # worker is raised here the same way: tests/test_report_figures.py)
    assert main(["--quiet", "run", DEMO, "--out", str(out), *FAST, "--force", "--jobs", "1"]) == code
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and ("interrupted" in err if code == 130 else "internal error" in err)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no staging folder left behind


@pytest.mark.shared_data
# 50 replications of a chain whose largest root is 0.99: a few explosive ones are expected and warned about;
# this test is about what a rerun refits, not about the bootstrap
@pytest.mark.filterwarnings("ignore::causalmacro.svar.results.ExplosiveReplicationsWarning")
def test_new_data_refits_and_the_window_names_the_binding_series(
    fred_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A copy of the FRED folder cut at an earlier month, then restored: the rerun refits on the new months."""
    spec = str(ROOT / "models" / "liquidity_chain.toml")
    data = tmp_path / "fred"
    shutil.copytree(fred_dir, data)
    full = (data / "CBBTCUSD.csv").read_text().splitlines()
    (data / "CBBTCUSD.csv").write_text("\n".join([full[0], *(ln for ln in full[1:] if ln[:7] <= "2025-06")]) + "\n")
    out = tmp_path / "run"
    assert main(["--quiet", "--data-dir", str(data), "run", spec, "--out", str(out), *FAST]) == 0
    first = json.loads((out / "manifest.json").read_text())
    assert first["window"]["end"] == "2025-06-01" and "CBBTCUSD" in first["window"]["reason"]
    shutil.copy(fred_dir / "CBBTCUSD.csv", data / "CBBTCUSD.csv")
    assert main(["--quiet", "--data-dir", str(data), "run", spec, "--out", str(out), *FAST]) == 0
    assert "wrote" in capsys.readouterr().out
    second = json.loads((out / "manifest.json").read_text())
    assert second["data"]["CBBTCUSD"]["n"] > first["data"]["CBBTCUSD"]["n"]
    assert second["window"]["end"] == "2025-10-01" and "WTREGEN" in second["window"]["reason"]
    changes = json.loads((out / "changes.json").read_text())
    btc = changes["data"]["CBBTCUSD"]
    assert btc["new_observations"] == second["data"]["CBBTCUSD"]["n"] - first["data"]["CBBTCUSD"]["n"]
    assert changes["window"] == {"before": {"start": "2015-01-01", "end": "2025-06-01"},
                                 "after": {"start": "2015-01-01", "end": "2025-10-01"}}
    assert len(changes["responses"]) == 25 and changes["summary"].startswith("1 input series changed")
    report = (out / "report.md").read_text()
    assert "## What changed" in report and "| CBBTCUSD |" in report


def test_compare_flags_moves_beyond_the_old_band() -> None:
    """Hand-made runs: one response moves outside its band, one edge appears, the ranking flips."""
    from causalmacro.report.changes import changes_markdown, compare

    def run(point: float, edges: list[tuple[str, str]], order: list[str], n: int) -> tuple[dict, dict]:
        values = [[[[point, point - 0.5, point + 0.5]]] for _ in range(3)]  # horizon x response x shock x bound
        results = {
            "irf": {"dims": ["horizon", "response", "shock", "bound"], "values": values,
                    "coords": {"horizon": [0, 1, 2], "response": ["btc"], "shock": ["net_liquidity"],
                               "bound": ["point", "lower", "upper"]}},
            "graph": {"edges": [{"source": s, "target": t} for s, t in edges]},
            "assets": {"spectrum": {"values": {"net_liquidity": [{"asset": a} for a in order]}}},
        }
        manifest = {"data": {"X": {"sha256": str(n), "n": n, "last": f"2025-{n:02d}-01"}},
                    "window": {"start": "2015-01-01", "end": f"2025-{n:02d}-01"}}
        return manifest, results

    diff = compare(run(1.0, [], ["btc", "gold"], 6), run(2.0, [("net_liquidity", "btc")], ["gold", "btc"], 9))
    (row,) = diff["responses"]
    assert row["beyond_band_horizons"] == [0, 1, 2] and row["impact_before"] == 1.0 and row["impact_after"] == 2.0
    assert diff["edges"] == {"appeared": [("net_liquidity", "btc")], "disappeared": []}
    assert diff["ranking"] == {"net_liquidity": {"before": ["btc", "gold"], "after": ["gold", "btc"]}}
    assert diff["data"]["X"]["new_observations"] == 3
    text = changes_markdown(diff)
    assert "1 of 1 impulse responses moved beyond last run's band" in text and "net_liquidity -> btc" in text
    assert compare(run(1.0, [], ["btc"], 6), run(1.1, [], ["btc"], 6))["responses"][0]["beyond_band_horizons"] == []
    # an asset model by regime nests the spectra by regime (AssetResponseResults.to_dict)
    nested = [run(1.0, [], order, 6) for order in (["btc", "gold"], ["gold", "btc"])]
    for (_, results), order in zip(nested, (["btc", "gold"], ["gold", "btc"]), strict=True):
        results["assets"]["spectrum"]["values"]["net_liquidity"] = {
            "expanding": [{"asset": a} for a in order], "contracting": [{"asset": "btc"}, {"asset": "gold"}]}
    diff = compare(*nested)
    assert diff["ranking"] == {"net_liquidity (expanding)": {"before": ["btc", "gold"], "after": ["gold", "btc"]}}
    assert "asset ranking for a net_liquidity (expanding) shock: btc > gold -> gold > btc" in changes_markdown(diff)
    # "an inflation shock", not "a inflation shock"
    a, b = run(1.0, [], ["btc"], 6), run(2.0, [], ["btc"], 6)
    for _, results in (a, b):
        results["irf"]["coords"]["shock"] = ["inflation"]
        results["assets"]["spectrum"]["values"] = {"inflation": [{"asset": "btc"}]}
    assert "(largest: btc to an inflation shock)" in compare(a, b)["summary"]
    # a regime switch between the runs is named in the summary
    before, after = run(1.0, [], ["btc"], 6), run(1.0, [], ["btc"], 7)
    before[1]["position"] = {"regimes": {"liquidity": {"label": "expanding"}, "risk": {"label": "risk_on"}}}
    after[1]["position"] = {"regimes": {"liquidity": {"label": "contracting"}, "risk": {"label": "risk_on"}}}
    diff = compare(before, after)
    assert diff["regimes"] == {"liquidity": {"before": "expanding", "after": "contracting"}}
    assert diff["summary"].endswith("Regimes switched: liquidity expanding -> contracting.")


def test_an_unchanged_response_outside_its_own_band_has_not_moved() -> None:
    """A wild-bootstrap impact band can lie below its own point estimate: the same point is no move."""
    from causalmacro.report.changes import compare

    def run(point: float) -> tuple[dict, dict]:
        values = [[[[point, 0.8, 0.9]]], [[[0.5, 0.0, 1.0]]]]  # horizon 0: a band that excludes the point
        results = {"irf": {"dims": ["horizon", "response", "shock", "bound"], "values": values,
                           "coords": {"horizon": [0, 1], "response": ["btc"], "shock": ["btc"],
                                      "bound": ["point", "lower", "upper"]}}}
        return {"data": {}, "window": {"start": "2015-01-01", "end": "2025-06-01"}}, results

    assert compare(run(1.0), run(1.0))["responses"][0]["beyond_band_horizons"] == []
    assert compare(run(1.0), run(0.95))["responses"][0]["beyond_band_horizons"] == []   # back towards the band
    assert compare(run(1.0), run(1.1))["responses"][0]["beyond_band_horizons"] == [0]   # further away
    assert compare(run(1.0), run(0.7))["responses"][0]["beyond_band_horizons"] == [0]   # through and below it


def test_diff_command_prints_what_changed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _run(capsys, a)
    _run(capsys, b, "--seed", "5")
    assert main(["diff", str(a), str(b)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("## What changed") and "No input series changed." in text
    assert main(["diff", str(a), str(tmp_path / "nope")]) == 2
    assert "not a causalmacro run folder" in capsys.readouterr().err


def test_one_progress_line_per_stage_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", DEMO, "--out", str(tmp_path / "loud"), *FAST]) == 0
    err = capsys.readouterr().err.splitlines()
    stages = [line.split(":")[0] for line in err if not line.startswith("note")]
    assert stages == ["data", "svar", "local projections", "scenarios", "figures and report"]
    assert main(["--quiet", "run", DEMO, "--out", str(tmp_path / "quiet"), *FAST]) == 0
    assert capsys.readouterr().err == ""
