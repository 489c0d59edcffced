"""The report's figures drawn in a pool of processes: the same folder as in one process, errors raised as there."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

import causalmacro as cm
import causalmacro.report.write as write
from causalmacro.errors import ArgumentError
from causalmacro.report.figures import (
    FIGURE_JOBS_CAP,
    FigureTask,
    FigureWorkers,
    check_jobs,
    default_jobs,
    draw_figures,
)


@pytest.fixture(scope="module")
def run(demo: tuple[Any, Any]) -> Any:
    spec, panel = demo
    return cm.fit_spec(spec, panel, rng=0, reps=50, assets=False)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_folder_is_the_same_bytes_for_one_and_two_processes(run: Any, tmp_path: Path) -> None:
    one = write.write_run(run, tmp_path / "one", jobs=1)
    two = write.write_run(run, tmp_path / "two", jobs=2)
    with FigureWorkers(2) as workers:  # started ahead, as `causalmacro run` starts them before the fit
        ahead = write.write_run(run, tmp_path / "ahead", workers=workers)
        assert workers.pool is not None  # write_run leaves workers it was given open
    assert workers.pool is None
    assert one.files == two.files == ahead.files  # the declared order, not the order figures finished in
    a, b = _snapshot(tmp_path / "one"), _snapshot(tmp_path / "two")
    c = _snapshot(tmp_path / "ahead")
    assert {k: v for k, v in c.items() if k != "manifest.json"} == {k: v for k, v in a.items() if k != "manifest.json"}
    assert set(a) == set(b) == set(one.files)
    assert {"irf.png", "graph.png", "graph.svg", "graph.html", "lp.png"} <= set(a)
    differ = sorted(name for name in a if a[name] != b[name])
    assert differ == ["manifest.json"]  # its timings; every figure (PNG and SVG) and report.html are equal
    assert one.files.count("graph.svg") == 1 and one.files.count("graph.html") == 1


def _bad(run: Any) -> FigureTask:
    # cost 10: the largest, so a worker process draws it, not this one
    return FigureTask(("bad.png",), "plot_fevd", (run.fevd, "no_such_variable"), cost=10)


def test_an_error_in_a_worker_is_the_error_drawn_here(run: Any, tmp_path: Path) -> None:
    good = FigureTask(("graph.png", "graph.svg"), "plot_graph", (run.graph,))
    errors = []
    for jobs in (1, 2):
        folder = tmp_path / str(jobs)
        folder.mkdir()
        with pytest.raises(ArgumentError) as info:
            draw_figures([_bad(run), good], folder, jobs=jobs)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    assert "no_such_variable" in errors[0] and "\n" not in errors[0]


def test_a_failing_figure_leaves_the_previous_folder(run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "run"
    write.write_run(run, out, jobs=1)
    before = _snapshot(out)
    original = write._write_optional

    def with_bad_figure(r: Any, folder: Any) -> None:
        original(r, folder)
        bad = _bad(r)
        folder.figure(bad.names, bad.function, *bad.args, cost=bad.cost)

    monkeypatch.setattr(write, "_write_optional", with_bad_figure)
    with pytest.raises(ArgumentError, match="no_such_variable"):
        write.write_run(run, out, jobs=2)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging folder left


def test_jobs_default_and_refusal() -> None:
    assert 1 <= default_jobs() <= FIGURE_JOBS_CAP and check_jobs(None) == default_jobs() and check_jobs(3) == 3
    with pytest.raises(ArgumentError) as info:
        check_jobs(0)
    assert str(info.value) == ("jobs: expected a whole number of processes, at least 1 (1: draw in this process), "
                               "got 0")
