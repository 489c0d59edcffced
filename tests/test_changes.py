"""``causalmacro diff`` and ``run --compare``: runs that cannot be compared are refused, other differences warned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from causalmacro.cli import main
from causalmacro.errors import DataError
from causalmacro.report.changes import compare


def _run(*, frequency: str = "MS", variables: tuple[str, ...] = ("a", "b"), synthetic: bool = False,
         sha: str = "x", n: int = 100) -> tuple[dict, dict]:
    k = len(variables)
    manifest = {"spec": {"name": "t", "sha256": sha}, "synthetic": synthetic,
                "data": {v.upper(): {"n": n, "last": "2024-01-01"} for v in variables},
                "window": {"start": "2015-01-01", "end": "2024-01-01"}}
    results = {"synthetic": synthetic, "panel": {"frequency": frequency}, "svar": {"variables": list(variables)},
               "irf": {"dims": ["horizon", "response", "shock"],
                       "coords": {"response": list(variables), "shock": list(variables)},
                       "values": [[[0.0] * k for _ in range(k)] for _ in range(3)]}}
    return manifest, results


@pytest.mark.parametrize(("new", "what"), [
    ({"frequency": "W-FRI"}, "frequency monthly vs weekly"),
    ({"variables": ("a", "c")}, "VAR variables a, b vs a, c"),
])
def test_runs_that_cannot_be_compared_are_refused(new: dict, what: str) -> None:
    with pytest.raises(DataError) as info:
        compare(_run(), _run(**new))
    assert str(info.value) == f"the runs cannot be compared: {what}"


def test_other_differences_are_warned_in_one_line_each() -> None:
    diff = compare(_run(), _run(synthetic=True, sha="y"))
    assert diff["warnings"] == [
        "the runs read different data: real data vs the synthetic demo",
        "the runs come from different specs (the spec hash differs)",
    ]
    assert compare(_run(), _run(n=101))["warnings"] == []


def test_diff_cli_refuses_with_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name, run in (("old", _run()), ("new", _run(frequency="W-FRI")), ("demo", _run(synthetic=True))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text(json.dumps(run[0]))
        (tmp_path / name / "results.json").write_text(json.dumps(run[1]))
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "new")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "frequency monthly vs weekly" in err and str(tmp_path / "new") in err
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "demo")]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip() == "warning: the runs read different data: real data vs the synthetic demo"
    assert captured.out.startswith("## What changed")
