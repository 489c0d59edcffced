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
    FigureDrawing,
    FigureTask,
    FigureWorkers,
    _same,
    check_jobs,
    default_jobs,
    draw_figures,
)
from causalmacro.report.var_figures import tracker_figure_tasks


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
    original = write._write_var_files

    def with_bad_figure(r: Any, folder: Any) -> None:
        original(r, folder)
        bad = _bad(r)
        folder.figure(bad.names, bad.function, *bad.args, cost=bad.cost)

    monkeypatch.setattr(write, "_write_var_files", with_bad_figure)
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


def test_the_fit_hands_over_the_objects_the_run_holds(demo: tuple[Any, Any]) -> None:
    # what `causalmacro run` draws ahead is adopted only if the finished run declares the same figures on the
    # same objects: the part handed over before the asset model samples must be the run's own
    spec, panel = demo
    parts: list[Any] = []
    run = cm.fit_spec(spec, panel, rng=0, reps=20, assets=False, on_var=parts.append)
    (part,) = parts
    assert part.irf is run.irf and part.historical_decomposition is run.historical_decomposition
    assert part.tracker is run.tracker and part.event_effects is run.event_effects
    early, late = write.var_figure_tasks(part), write.var_figure_tasks(run.var_part())
    assert [t.names for t in early] == [t.names for t in late]
    assert {"irf.png", "fevd_btc.png", "hd_btc.png", "lp.png", "events.png"} <= {t.names[0] for t in early}
    assert all(_same(a, b) for a, b in zip(early, late, strict=True))


def test_same_compares_data_by_identity_and_options_by_value(run: Any) -> None:
    task = FigureTask(("irf.png",), "plot_irf", (run.irf,), {"units": {"btc": "%"}, "synthetic": True})
    assert _same(task, FigureTask(("irf.png",), "plot_irf", (run.irf,), {"units": {"btc": "%"}, "synthetic": True}))
    assert not _same(task, FigureTask(("irf.png",), "plot_irf", (run.irf.copy(),),  # equal values, another object
                                      {"units": {"btc": "%"}, "synthetic": True}))
    assert not _same(task, FigureTask(("irf.png",), "plot_irf", (run.irf,), {"units": {"btc": "pp"},
                                                                             "synthetic": True}))
    assert not _same(task, FigureTask(("irf.png",), "plot_irf", (run.irf,), {"units": {"btc": "%"},
                                                                             "synthetic": 1}))


def test_figures_drawn_ahead_are_moved_in_not_drawn_again(run: Any, tmp_path: Path) -> None:
    write.write_run(run, tmp_path / "one", jobs=1)
    tasks = write.var_figure_tasks(run.var_part())
    with FigureWorkers(2) as workers:
        workers.ahead(tasks, beside=tmp_path / "ahead")
        workers._join_submitter()
        for task in tasks:  # wait until drawn, then note each file's inode: a file drawn again would be a new one
            found = workers._ahead[task.names]
            found[1].result()
        scratch = workers._scratch
        assert scratch is not None and scratch.name.startswith(".ahead.staging-")
        inodes = {name: (scratch / name).stat().st_ino for t in tasks for name in t.names}
        out = write.write_run(run, tmp_path / "ahead", workers=workers)
        assert all(workers.take(t) is None for t in tasks)  # each adopted once
        assert {name: (tmp_path / "ahead" / name).stat().st_ino for name in inodes} == inodes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ahead", "one"]  # the scratch folder removed
    a, b = _snapshot(tmp_path / "one"), _snapshot(tmp_path / "ahead")
    assert set(inodes) <= set(out.files)
    assert sorted(name for name in a if a[name] != b[name]) == ["manifest.json"]  # its timings


def test_a_figure_drawn_ahead_on_other_data_is_drawn_again(run: Any, tmp_path: Path) -> None:
    other = FigureTask(("irf.png",), "plot_irf", (run.irf.copy(),))
    same = FigureTask(("irf.png",), "plot_irf", (run.irf,))
    folder = tmp_path / "out"
    folder.mkdir()
    with FigureWorkers(2) as workers:
        workers.ahead([other], beside=folder)
        assert workers.take(same) is None  # equal values, but not the run's own data: not adopted
        with FigureDrawing(folder, workers=workers) as drawing:
            drawing.add(same)
            drawing.finish()
    assert (folder / "irf.png").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the unused drawing and its folder removed


def test_an_error_in_a_figure_drawn_ahead_is_raised_when_adopted(run: Any, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with FigureWorkers(2) as workers:
        workers.ahead([_bad(run)], beside=folder)
        with pytest.raises(ArgumentError, match="no_such_variable"), FigureDrawing(folder, workers=workers) as drawing:
            drawing.add(_bad(run))
            drawing.finish()
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_one_process_draws_nothing_ahead(run: Any, tmp_path: Path) -> None:
    with FigureWorkers(1) as workers:
        workers.ahead(write.var_figure_tasks(run.var_part()), beside=tmp_path / "out")
        assert workers.take(write.var_figure_tasks(run.var_part())[0]) is None
    assert list(tmp_path.iterdir()) == []


_CHILDREN = ("import json, os, sys, time; from causalmacro.report.figures import start_server; start_server({jobs}); "
             "me = os.getpid(); time.sleep(0.2); "
             "kids = open(f'/proc/{{me}}/task/{{me}}/children').read().split(); "
             "print(json.dumps([open(f'/proc/{{k}}/cmdline').read().replace(chr(0), ' ') for k in kids]))")


@pytest.mark.skipif(not Path("/proc/self/task").exists() or "forkserver" not in __import__("multiprocessing")
                    .get_all_start_methods(), reason="reads child processes from Linux's /proc")
@pytest.mark.parametrize("jobs", [1, 2])
def test_start_server_starts_the_forkserver_now_and_only_for_workers(jobs: int) -> None:
    """With workers to come, the server that forks them is running (importing the plotting code) as soon as
    start_server returns; with one process, nothing starts."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _CHILDREN.format(jobs=jobs)], capture_output=True, text=True,
                         check=True).stdout
    servers = [cmd for cmd in json.loads(out) if "multiprocessing.forkserver" in cmd]
    assert len(servers) == (jobs > 1)
    if servers:
        assert "causalmacro.plotting" in servers[0]  # preloaded: each worker is forked with it imported


def test_ctrl_c_while_the_workers_start_stops_their_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """An interrupt inside ``FigureWorkers(...)``, before the caller's ``with`` holds it, shuts the pool down (its
    queues' semaphores released; the CLI's exit by ``os._exit`` on Ctrl-C would otherwise leave them to the resource
    tracker, which warns of them on stderr: seen once in CI, an extra line after the one-line message)."""
    import concurrent.futures
    import threading

    import causalmacro.report.figures as figures

    pools: list[concurrent.futures.ProcessPoolExecutor] = []

    class Recorded(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            pools.append(self)

    class Interrupted(threading.Thread):
        def start(self) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(figures, "ProcessPoolExecutor", Recorded)
    monkeypatch.setattr(figures.threading, "Thread", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        FigureWorkers(2)
    assert len(pools) == 1 and pools[0]._shutdown_thread


def test_the_tracker_is_handed_over_before_the_var_and_declared_as_the_run_declares_it(demo: tuple[Any, Any]) -> None:
    """`causalmacro run` draws the tracker's figure while the VAR is fitted: the fit hands over the run's own tracker
    first, and its task is the one the VAR's figures (and so the writer) declare, so it is adopted, not redrawn."""
    spec, panel = demo
    order: list[str] = []
    trackers: list[Any] = []
    run = cm.fit_spec(spec, panel, rng=0, reps=0, assets=False, on_var=lambda part: order.append("var"),
                      on_tracker=lambda tracker: (order.append("tracker"), trackers.append(tracker)))
    assert order == ["tracker", "var"] and trackers[0] is run.tracker
    (early,) = tracker_figure_tasks(run.tracker, synthetic=run.synthetic)
    (late,) = [t for t in write.var_figure_tasks(run.var_part()) if t.names == early.names]
    assert _same(early, late)


def test_a_task_given_ahead_twice_with_the_same_data_is_drawn_once(run: Any, tmp_path: Path) -> None:
    (task,) = tracker_figure_tasks(run.tracker, synthetic=True)
    with FigureWorkers(2) as workers:
        workers.ahead([task], beside=tmp_path / "out")
        workers.ahead([task], beside=tmp_path / "out")
        workers._join_submitter()
        first = workers._ahead[task.names][1]
        workers.ahead(write.var_figure_tasks(run.var_part()), beside=tmp_path / "out")  # the tracker again, in a set
        workers._join_submitter()
        assert workers._ahead[task.names][1] is first
        first.result()


def test_the_feed_keeps_figures_out_of_the_pool_until_a_worker_is_free() -> None:
    """A figure waits in the feed, cancellable (the writer then draws it), until a worker is free; the pool never
    holds more calls than workers, so none is reserved beyond the writer's reach; a call's error reaches its future."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from causalmacro.report.figures import _Feed

    release, in_pool, peak, lock = threading.Event(), [0], [0], threading.Lock()

    def call(value: Any) -> Any:
        with lock:
            in_pool[0] += 1
            peak[0] = max(peak[0], in_pool[0])
        release.wait(10)
        with lock:
            in_pool[0] -= 1
        if value == "bad":
            raise ValueError("bad figure")
        return value

    with ThreadPoolExecutor(max_workers=4) as pool:  # more threads than slots: the feed, not the pool, limits
        feed = _Feed(pool, 1)
        futures = [feed.submit(call, v) for v in ("a", "bad", "c", "d")]
        assert futures[0].running() and not any(f.running() or f.done() for f in futures[1:])
        assert futures[3].cancel()  # the writer takes the last one
        release.set()
        assert futures[0].result(10) is None  # drawn (the feed reports completion, not the value)
        with pytest.raises(ValueError, match="bad figure"):
            futures[1].result(10)
        assert futures[2].result(10) is None and futures[3].cancelled()
    assert peak[0] == 1
