"""Draw a run folder's figures, in this process or in a pool of processes.

The report writer describes each figure as a :class:`FigureTask` (which
``causalmacro.plotting`` function, the data it needs, the files it becomes)
and hands it to a :class:`FigureDrawing` as soon as it is declared. With ``jobs=1``
every figure is drawn in this process, one after another, once the folder's other
files are written; with ``jobs=N``, ``N - 1`` worker processes draw them as they
are declared, while this process writes the tables and the posterior, and this
process then draws the figures no worker has started (:mod:`concurrent.futures`,
workers started by ``forkserver`` where the platform has it, else ``spawn``: never
``fork``, which copies the threads of PyMC or Dask). :class:`FigureWorkers` starts
the workers ahead of time: ``causalmacro run`` starts them before fitting, so that
their start-up (a process importing the plotting code) overlaps the fit, and
hands them the VAR's figures as soon as the VAR is fitted (:meth:`FigureWorkers.ahead`),
so that they are drawn while the asset model samples; the writer then adopts each
of them, declared again with the same data, rather than drawing it twice. Workers
draw with matplotlib's Agg backend and this process's ``rcParams``, ignore Ctrl-C
(this process stops them), and get only data that pickles (the frozen results do).
A figure's files are the same bytes whichever process draws it, so the folder does
not depend on ``jobs``; the order of the folder's file list is the order the writer
declared the figures in.

Each figure is drawn once: a figure saved in several formats (``graph.png`` and
``graph.svg``) is one task, one draw, saved to each of its files.
An error in a worker is raised here as the same exception, with the same
one-line message, as when drawn in this process; the figures still running are
awaited and those not started are cancelled, so nothing is left writing into the
staging folder that :func:`causalmacro.report.write_run` then removes.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from causalmacro.errors import ArgumentError
from causalmacro.fileutil import move_files, staging_folder

__all__ = ["FIGURE_JOBS_CAP", "FigureDrawing", "FigureTask", "FigureWorkers", "default_jobs", "draw_figures",
           "start_server"]

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


class _Feed:
    """Figures waiting for a worker, handed to the pool one at a time as a worker frees.

    A :class:`~concurrent.futures.ProcessPoolExecutor` moves a submitted call into its
    own queue, for a worker to take next, before one is free; a call there can no
    longer be cancelled, so the writer could not take it to draw itself, and the run
    ended waiting on a worker's last two figures while this process had nothing left
    to draw (about 0.15 s of the demo's run on 2 cores). Here a figure reaches the
    pool only when a worker is free: until then its future is pending, and
    :meth:`FigureDrawing.finish` can take it (``future.cancel()``).
    """

    def __init__(self, pool: Executor, slots: int) -> None:
        self._pool = pool
        self._slots = slots
        self._lock = threading.Lock()
        self._waiting: deque[tuple[Future[None], tuple[Any, ...]]] = deque()
        self._busy = 0

    def submit(self, *call: Any) -> Future[None]:
        """``pool.submit(*call)`` once a worker is free; the future is pending (cancellable) until then."""
        future: Future[None] = Future()
        with self._lock:
            self._waiting.append((future, call))
        self._pump()
        return future

    def _pump(self) -> None:
        while True:
            with self._lock:
                if self._busy >= self._slots or not self._waiting:
                    return
                future, call = self._waiting.popleft()
                if not future.set_running_or_notify_cancel():  # cancelled while waiting: taken by the writer
                    continue
                self._busy += 1
            try:
                inner = self._pool.submit(*call)
            except BaseException as exc:  # the pool shut down (an error elsewhere): this figure fails with it
                with self._lock:
                    self._busy -= 1
                future.set_exception(exc)
                continue
            inner.add_done_callback(functools.partial(self._finished, future))

    def _finished(self, future: Future[None], inner: Future[None]) -> None:
        with self._lock:
            self._busy -= 1
        error = CancelledError() if inner.cancelled() else inner.exception()
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
        self._pump()

    def cancel_waiting(self) -> None:
        """Cancel every figure not handed to the pool yet."""
        with self._lock:
            waiting = list(self._waiting)
            self._waiting.clear()
        for future, _ in waiting:
            future.cancel()


class FigureWorkers:
    """Processes that draw figures, started ahead of the figures (a context manager; ``jobs=1``: none).

    ``jobs`` counts this process, so ``jobs - 1`` workers start at once: their start-up
    (a process, the plotting code, matplotlib) then overlaps whatever the caller does
    before it declares its first figure, such as fitting the run. The workers draw
    with the ``rcParams`` this process has when they start.
    """

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = check_jobs(jobs)
        self.pool: ProcessPoolExecutor | None = None
        self.feed: _Feed | None = None
        self._starter: threading.Thread | None = None
        self._ahead: dict[tuple[str, ...], tuple[FigureTask, Future[None]]] = {}
        self._scratch: Path | None = None
        self._lock: int | None = None
        self._submitter: threading.Thread | None = None
        if self.jobs > 1:
            try:
                self.pool = ProcessPoolExecutor(max_workers=self.jobs - 1, mp_context=_context(),
                                                initializer=_start_worker, initargs=(_settings(),))
                self.feed = _Feed(self.pool, self.jobs - 1)
                # started from a thread: starting a process waits for the forkserver to import the plotting code
                # (seconds), which this process would otherwise spend waiting rather than working
                self._starter = threading.Thread(target=self._start, daemon=True)
                self._starter.start()
            except BaseException:
                # Ctrl-C before the caller's ``with`` holds these workers: stopped here, so that the pool's queues
                # are released (a process ending by os._exit, as the CLI does on Ctrl-C, would leave their
                # semaphores to the resource tracker, which then warns of them on stderr)
                self.close(cancel=True)
                raise

    def _start(self) -> None:
        assert self.pool is not None
        for _ in range(self.jobs - 1):  # one per worker: each submit starts a process while none is idle
            self.pool.submit(_ready)

    def ahead(self, tasks: Sequence[FigureTask], beside: str | os.PathLike[str]) -> None:
        """Start drawing ``tasks`` now, before the folder they belong to is written (no workers: nothing).

        They are drawn into a scratch folder beside ``beside`` (the run folder to come: a hidden
        ``.NAME.staging-*`` folder, locked, so that a concurrent run leaves it alone and a killed
        one's is removed by the next run), largest first. A :class:`FigureDrawing` with these
        workers then adopts each task declared again with the same function, files and data
        (the same objects) instead of drawing it; what is not adopted is dropped on :meth:`close`.
        A task given ahead again with the same data is not drawn again.
        """
        if self.feed is None or not tasks:
            return
        if self._scratch is None:
            self._scratch, self._lock = staging_folder(Path(beside))
        feed, scratch, earlier = self.feed, self._scratch, self._submitter

        def submit() -> None:
            if earlier is not None:
                earlier.join()
            for task in sorted(tasks, key=lambda t: -t.cost):
                known = self._ahead.get(task.names)
                if known is None or not _same(known[0], task):  # given ahead before with the same data: drawn once
                    self._ahead[task.names] = (task, feed.submit(_draw, task, scratch))

        # from a thread, as the workers are started: a submit waits while a worker process starts (the
        # forkserver importing the plotting code), which the caller would otherwise spend waiting
        self._submitter = threading.Thread(target=submit, daemon=True)
        self._submitter.start()

    def _join_submitter(self) -> None:
        """Wait until the figures given to :meth:`ahead` are all submitted."""
        if self._submitter is not None:
            self._submitter.join()
            self._submitter = None

    def take(self, task: FigureTask) -> tuple[Future[None], Path] | None:
        """The drawing of ``task`` started by :meth:`ahead` and the folder it draws into; None when there is none,
        or the task declared ahead differs (another function, other options, or other data)."""
        self._join_submitter()
        found = self._ahead.get(task.names)
        if found is None or not _same(found[0], task):
            return None
        del self._ahead[task.names]
        assert self._scratch is not None
        return found[1], self._scratch

    def close(self, *, cancel: bool = False) -> None:
        """Stop the workers once they finish what they draw (``cancel``: drop what they have not started); figures
        drawn ahead and never taken are dropped, and their scratch folder removed."""
        if self._starter is not None:
            if self._starter.ident is not None:  # started (a Ctrl-C can come between making and starting it)
                self._starter.join()
            self._starter = None
        self._join_submitter()
        for _, future in self._ahead.values():
            future.cancel()
        if cancel and self.feed is not None:
            self.feed.cancel_waiting()
        wait([future for _, future in self._ahead.values()])
        self._ahead.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None
            self.feed = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> FigureWorkers:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        self.close(cancel=kind is not None)


class FigureDrawing:
    """A folder's figures, drawn as they are declared (a context manager).

    With workers (``jobs`` above 1, or ``workers`` already started) each :meth:`add` hands the
    figure to them at once, so they draw while this process goes on writing the folder's other
    files; :meth:`finish` then draws here the figures no worker has started, taking them from the
    end of the queue while the workers take them from the front, and raises the first error a
    figure raised. A figure that ``workers`` were given ahead (:meth:`FigureWorkers.ahead`) with
    the same data is adopted: its files are moved into the folder once drawn. Without workers
    :meth:`finish` draws every figure here, in order. Leaving the ``with`` block on an error drops
    the figures not started and waits for those being drawn.
    """

    def __init__(self, folder: str | os.PathLike[str], *, jobs: int = 1, workers: FigureWorkers | None = None) -> None:
        self.folder = Path(folder)
        self._own = FigureWorkers(jobs) if workers is None and check_jobs(jobs) > 1 else None
        self._workers = workers if workers is not None else self._own
        self._feed = self._workers.feed if self._workers is not None else None
        self._here: deque[FigureTask] = deque()
        self._sent: list[tuple[FigureTask, Future[None], Path]] = []  # and the folder it is drawn into

    def add(self, task: FigureTask) -> None:
        """Declare a figure: adopted if drawn ahead, else sent to a worker now, or drawn here by :meth:`finish`."""
        taken = self._workers.take(task) if self._workers is not None else None
        if taken is not None:
            self._sent.append((task, *taken))
        elif self._feed is None:
            self._here.append(task)
        else:
            self._sent.append((task, self._feed.submit(_draw, task, self.folder), self.folder))

    def finish(self) -> None:
        """Draw what is left here and wait for the workers; the first figure's error is raised here."""
        while self._here:
            _draw(self._here.popleft(), self.folder)
        for task, future, _ in reversed(self._sent):  # the last declared first: the workers took the first
            if future.cancel():
                _draw(task, self.folder)
        for task, future, where in self._sent:
            if not future.cancelled():
                future.result()  # a worker's error, raised here
                if where != self.folder:  # drawn ahead, into the workers' scratch folder
                    move_files(task.names, where, self.folder)

    def close(self, *, cancel: bool = False) -> None:
        """Drop (``cancel``) or keep the figures not started, wait for those being drawn, stop own workers."""
        if cancel:
            for _, future, _ in self._sent:
                future.cancel()
            wait([f for _, f, _ in self._sent])
        if self._own is not None:
            self._own.close(cancel=cancel)

    def __enter__(self) -> FigureDrawing:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        self.close(cancel=kind is not None)


def draw_figures(tasks: Sequence[FigureTask], folder: str | os.PathLike[str], *, jobs: int = 1,
                 workers: FigureWorkers | None = None) -> None:
    """Draw ``tasks`` into ``folder`` with ``jobs`` processes (this one included; 1: all here, in order), or with
    ``workers`` already started.

    The largest figures (by ``cost``) go to the workers first. The first error raised by a figure is raised here,
    as it would be in this process; the other figures then stop (running ones finish, queued ones are dropped).
    """
    ordered = sorted(tasks, key=lambda t: -t.cost) if check_jobs(jobs) > 1 or workers is not None else tasks
    with FigureDrawing(folder, jobs=min(check_jobs(jobs), max(len(tasks), 1)), workers=workers) as drawing:
        for task in ordered:  # stable: equal costs keep the declared order
            drawing.add(task)
        drawing.finish()


def _same(a: Any, b: Any) -> bool:
    """Whether two figure tasks (or their arguments) draw the same: equal names, options and plain values, and the
    same objects for data (arrays and tables are compared by identity, never by value)."""
    if a is b:
        return True
    if isinstance(a, FigureTask) and isinstance(b, FigureTask):
        return (a.names == b.names and a.function == b.function and _same(a.args, b.args)
                and _same(dict(a.kwargs), dict(b.kwargs)))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    plain = (str, int, float, bool, type(None))
    return isinstance(a, plain) and isinstance(b, plain) and type(a) is type(b) and a == b


def start_server(jobs: int | None = None) -> None:
    """Start the process that starts the figure workers, now, so that it imports the plotting code meanwhile.

    With ``forkserver`` (Linux), every worker is forked from one server process
    that imports matplotlib, pandas, xarray and :mod:`causalmacro.plotting` once
    (about 2 CPU-seconds). ``causalmacro run`` calls this first, so that the
    server does that on a core the command leaves idle while it imports its own
    modules and loads the data; :class:`FigureWorkers` later forks its workers
    from the server at once. Nothing happens with ``jobs`` 1, without
    ``forkserver``, or when the server runs already. A server started for a run
    that then ends early (a bad input, a run reused) exits by itself once the
    command has exited.

    Raises
    ------
    ArgumentError
        ``jobs`` not a positive integer (:func:`check_jobs`).
    """
    if check_jobs(jobs) > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        _context()  # the modules the server imports, set before it starts
        forkserver.ensure_running()


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` (its server imports the plotting code once, then forks each worker), else ``spawn``."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # dask.array: xarray imports it (when installed) on the first DataArray a process builds, as a figure
        # worker does unpickling its data (0.1 CPU-second); the server loads it once, before the fit needs the cores
        ctx.set_forkserver_preload(["causalmacro.report.figures", "causalmacro.plotting", "dask.array"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def _settings() -> dict[str, Any] | None:
    """This process's matplotlib settings, for the workers; None when this process has not loaded matplotlib.

    Then nothing here can have changed them, and a worker, which reads the same
    ``matplotlibrc`` files (same environment and working folder), has the same
    ones: the workers start without this process loading the plotting code.
    """
    if "matplotlib" not in sys.modules:
        return None
    from causalmacro.plotting._common import figure_settings

    return figure_settings()


def _start_worker(settings: dict[str, Any] | None) -> None:
    """A worker: Ctrl-C is for the writer (which stops the pool), figures drawn with Agg and ``settings``.

    What the worker has loaded by now (the plotting code) is then frozen out of the garbage collector's way
    (:func:`gc.freeze`): each figure leaves many objects to collect, and every full collection would walk
    matplotlib and pandas again (about a quarter of a second per run).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):
        os.nice(10)
    from causalmacro.plotting._common import use_figure_settings

    use_figure_settings(settings)
    gc.freeze()


def _ready() -> None:
    """Nothing: submitted once per worker so that every worker starts now."""


def _draw(task: FigureTask, folder: Path) -> None:
    """Draw one figure and save it to each of its files (one drawing, several formats)."""
    import causalmacro.plotting as plotting

    fig = getattr(plotting, task.function)(*task.args, **task.kwargs)
    *first, last = task.names
    for name in first:
        plotting.save_figure(fig, folder / name, close=False)
    plotting.save_figure(fig, folder / last)
