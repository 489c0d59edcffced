"""Draw a run folder's figures, in this process or in a pool of processes.

The report writer describes each figure as a :class:`FigureTask` (which
``causalmacro.plotting`` function, the data it needs, the files it becomes)
and :func:`draw_figures` draws them. With ``jobs=1`` every figure is drawn here,
one after another; with ``jobs=N`` this process and ``N - 1`` worker processes
draw them at once (:mod:`concurrent.futures`, started by ``forkserver`` where
the platform has it, else ``spawn``: never ``fork``, which copies the threads of
PyMC or Dask). Workers draw with matplotlib's Agg backend and this process's
``rcParams``, ignore Ctrl-C (this process stops them), and get only data that
pickles (the frozen results do). A figure's files are the same bytes whichever
process draws it, so the folder does not depend on ``jobs``; the order of the
folder's file list is the order the writer declared the figures in.

Each figure is drawn once: a figure saved in several formats (``graph.png`` and
``graph.svg``) is one task, one draw, saved to each of its files.
An error in a worker is raised here as the same exception, with the same
one-line message, as when drawn in this process; the figures still running are
awaited and those not started are cancelled, so nothing is left writing into the
staging folder that :func:`causalmacro.report.write_run` then removes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from causalmacro.errors import ArgumentError

__all__ = ["FIGURE_JOBS_CAP", "FigureTask", "default_jobs", "draw_figures"]

FIGURE_JOBS_CAP = 4
"""The most processes :func:`default_jobs` draws with, whatever the cores: a run has about 20 figures, the
largest (the responses' grid) a good share of the time, so more processes mostly add start-up time and memory
(each worker holds matplotlib, pandas and xarray, about 150 MB)."""


@dataclass(frozen=True)
class FigureTask:
    """One figure of the run folder: ``causalmacro.plotting.<function>(*args, **kwargs)`` saved to ``names``.

    ``names`` are the figure's files in the folder, the first a PNG, any
    further ones other formats of the same drawing (``graph.svg``). ``cost``
    orders the work (largest first, e.g. the number of panels); it never
    changes what is drawn.
    """

    names: tuple[str, ...]
    function: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    cost: float = 1.0


def default_jobs() -> int:
    """Processes drawing the figures by default: the usable cores, at most :data:`FIGURE_JOBS_CAP`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, FIGURE_JOBS_CAP))


def check_jobs(jobs: int | None) -> int:
    """``jobs`` as a count of processes (None: :func:`default_jobs`); below 1 is an :class:`ArgumentError`."""
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ArgumentError(f"jobs: expected a whole number of processes, at least 1 (1: draw in this process), "
                            f"got {jobs!r}")
    return jobs


def draw_figures(tasks: Sequence[FigureTask], folder: str | os.PathLike[str], *, jobs: int = 1) -> None:
    """Draw ``tasks`` into ``folder`` with ``jobs`` processes (this one included; 1: all here, in order).

    The first error raised by a figure is raised here, as it would be in
    this process; the other figures then stop (running ones finish, queued
    ones are dropped).
    """
    folder = Path(folder)
    jobs = min(check_jobs(jobs), len(tasks))
    if jobs <= 1:
        for task in tasks:
            _draw(task, folder)
        return
    from causalmacro.plotting._common import figure_settings

    queue = deque(sorted(tasks, key=lambda t: -t.cost))  # stable: equal costs keep the declared order
    workers = jobs - 1
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_start_worker,
                               initargs=(figure_settings(),))
    running: set[Future[None]] = set()
    try:
        while queue or running:
            while queue and len(running) < 2 * workers:  # one queued behind each worker's current figure
                running.add(pool.submit(_draw, queue.popleft(), folder))
            finished = {f for f in running if f.done()}
            if queue:
                _draw(queue.pop(), folder)  # this process takes the smallest figures left
            elif not finished:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for f in finished:
                f.result()  # a worker's error, raised here
            running -= finished
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` (its server imports the plotting code once, then forks each worker), else ``spawn``."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["causalmacro.report.figures", "causalmacro.plotting"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def _start_worker(settings: dict[str, Any]) -> None:
    """A worker: Ctrl-C is for the writer (which stops the pool), figures drawn with Agg and ``settings``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from causalmacro.plotting._common import use_figure_settings

    use_figure_settings(settings)


def _draw(task: FigureTask, folder: Path) -> None:
    """Draw one figure and save it to each of its files (one drawing, several formats)."""
    import causalmacro.plotting as plotting

    fig = getattr(plotting, task.function)(*task.args, **task.kwargs)
    *first, last = task.names
    for name in first:
        plotting.save_figure(fig, folder / name, close=False)
    plotting.save_figure(fig, folder / last)
