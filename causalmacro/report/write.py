"""Write a run folder: figures (PNG), tables (CSV), ``results.json``, the posterior, ``report.md``
and ``manifest.json``.

Only I/O and rendering happen here; every estimate and every analysis choice
comes from :class:`~causalmacro.pipeline.RunResults`. The folder is written
atomically: everything goes into a staging folder beside it (a unique hidden
``.NAME.staging-*``, locked while written), which replaces the old folder only
once complete, so an interrupt, a full disk or a crash leaves the previous run
whole. Hidden folders that killed runs left behind are removed by the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from causalmacro.errors import DataError
from causalmacro.fileutil import remove_stale, replace_folder, staging_folder
from causalmacro.graph import write_graph
from causalmacro.panel import Panel
from causalmacro.pipeline import RunResults, fit_spec
from causalmacro.pipeline.fit import with_robustness
from causalmacro.pipeline.results import band_text
from causalmacro.report.changes import changes_markdown, load_run
from causalmacro.report.changes import compare as compare_runs
from causalmacro.report.figures import FigureDrawing, FigureWorkers, check_jobs
from causalmacro.report.graph_html import graph_html
from causalmacro.report.html import (
    FAN_FIGURE,
    html_report,
    scenario_figures,
    scenario_spectrum_regime,
)
from causalmacro.report.manifest import MANIFEST, manifest, run_key
from causalmacro.report.markdown import markdown
from causalmacro.report.var_figures import (
    declare_var_figures,
    figure_task,
    units_of,
    var_figure_tasks,
)
from causalmacro.spec import ModelSpec
from causalmacro.specgrid import GridResults

__all__ = ["RunOutput", "run_report", "var_figure_tasks", "write_run"]  # var_figure_tasks: from report.var_figures


@dataclass(frozen=True)
class RunOutput:
    """What :func:`write_run` wrote and whether every fit passed its checks."""

    folder: Path
    files: tuple[str, ...]
    ok: bool
    lines: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """Human-readable lines for the terminal."""
        return "\n".join([*self.lines, f"wrote {len(self.files)} files to {self.folder}"])


def _write_text(path: Path, text: str) -> None:
    """Write a file of the staging folder (atomic as a whole: no temporary file of its own)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def write_run(
    run: RunResults,
    out: str | os.PathLike[str],
    *,
    options: dict[str, Any] | None = None,
    timings: dict[str, float] | None = None,
    compare: str | os.PathLike[str] | None = None,
    on_stage: Callable[[str], None] | None = None,
    grid: GridResults | None = None,
    jobs: int | None = None,
    workers: FigureWorkers | None = None,
) -> RunOutput:
    """Write the figures, tables, ``results.json``, ``report.md`` and ``manifest.json`` of a run.

    Parameters
    ----------
    run : RunResults
        From :func:`causalmacro.fit_spec`.
    out : path-like
        The run folder. It is replaced whole at the end (an interrupted write
        leaves an earlier folder as it was).
    options : dict, optional
        The run's options, recorded in the manifest key (default: from ``run.choices``).
    timings : dict, optional
        Seconds of stages run before fitting (e.g. ``{"data": ...}``), for the manifest.
    compare : path-like, optional
        A run folder to compare with (default: the run already in ``out``, if
        any). The report gains a "What changed" section and the folder a
        ``changes.json`` (:func:`causalmacro.report.changes.compare`); a folder given here whose run has another
        frequency or other VAR variables is refused (:class:`~causalmacro.errors.DataError`).
    on_stage : callable, optional
        Called with one line when the figures and when the report are written.
    grid : GridResults, optional
        Deprecated: pass the grid to :func:`causalmacro.fit_spec` (``grid=``), whose
        :attr:`RunResults.robustness` the report shows as its "Robustness across
        specifications" section (sign shares and the specification curve of each
        link into the focus variable).
    jobs : int, optional
        Processes drawing the figures, this one included (default:
        :func:`causalmacro.report.figures.default_jobs`, the usable cores, at most
        :data:`~causalmacro.report.figures.FIGURE_JOBS_CAP`; 1: every figure in this process).
        The folder's files are the same whatever the number. With more than one,
        a script calling this needs the ``if __name__ == "__main__":`` guard of
        any process pool (the workers import the main module).
    workers : FigureWorkers, optional
        Figure workers already started (:class:`causalmacro.report.figures.FigureWorkers`, e.g. before
        fitting, so that their start-up overlaps the fit); they replace ``jobs``, and stay open.

    Returns
    -------
    RunOutput
    """
    if grid is not None:
        warnings.warn("write_run(grid=) is deprecated; pass the grid to fit_spec(grid=), whose results the report "
                      "formats", DeprecationWarning, stacklevel=2)
        run = with_robustness(run, grid)
    n_jobs = workers.jobs if workers is not None else check_jobs(jobs)
    folder = Path(out)
    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(folder)
    staging, lock = staging_folder(folder)  # locked: a concurrent run's remove_stale leaves it alone
    try:
        t0 = time.perf_counter()
        previous, required = (Path(compare) if compare is not None else folder), compare is not None

        def contents() -> tuple[dict[str, Any], dict[str, Any] | None]:
            results = run.to_dict()
            return results, _changes(run, results, previous, required=required)

        drawn: list[float] = []
        files = _write_files(run, staging, contents, jobs=n_jobs, drawn=drawn, workers=workers)
        if on_stage is not None:
            how = "in this process" if n_jobs == 1 else f"by {n_jobs} processes"
            on_stage(f"figures and report: {len(files)} files, figures drawn {how} in {drawn[0]:.1f} s with the "
                     f"other files ({time.perf_counter() - t0:.1f} s)")
        opts = options if options is not None else {
            "seed": run.choices.seed, "reps": run.choices.reps,
            "assets": run.choices.assets_fitted, "sampler": run.choices.asset_sampler}
        stages = {**(timings or {}), **dict(run.timings), "write": time.perf_counter() - t0}
        spec_file = str(run.spec.path) if run.spec.path is not None else None
        files.append(MANIFEST)
        _write_text(staging / MANIFEST, json.dumps(
            manifest(run_key(run.spec, run.panel, opts), run.panel, timings=stages, files=files,
                     spec_file=spec_file, bands=band_text(run.choices), sampling=run.choices.asset_sampling),
            indent=2))
        replace_folder(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if lock is not None:
            os.close(lock)
    return RunOutput(folder=folder, files=tuple(files), ok=run.ok, lines=tuple(run.summary_lines()))


def _changes(run: RunResults, results: dict[str, Any], previous: Path, *, required: bool) -> dict[str, Any] | None:
    """Differences from the run in ``previous`` (``results``: ``run.to_dict()``); None when there is none (and none
    was asked for)."""
    if not required and not (previous / "results.json").is_file():
        return None
    try:
        old = load_run(previous)
    except DataError:
        if required:
            raise
        return None
    new_manifest = {"data": {k: dict(v) for k, v in run.panel.inputs.items()}, "window": dict(run.panel.window)}
    new_results = json.loads(json.dumps(results, default=str))
    try:
        return compare_runs(old, (new_manifest, new_results), labels=(str(previous), "this run"))
    except DataError:
        if required:  # --compare: a run that cannot be compared is refused
            raise
        return None  # the previous run in --out differs in frequency or variables: nothing to compare


class _Folder:
    """The staging folder being written and the names of its files, in order; figures go to ``drawing``."""

    def __init__(self, folder: Path, run: RunResults, drawing: FigureDrawing) -> None:
        self.path = folder
        self.files: list[str] = []
        self.drawing = drawing
        self.synthetic = run.synthetic
        self.units = units_of(run.panel)
        self._later: list[tuple[str, Callable[[Path], object]]] = []

    def figure(self, name: str | tuple[str, ...], function: str, *args: Any, cost: float = 1.0, **kwargs: Any) -> None:
        """Declare a figure, ``causalmacro.plotting.<function>(*args, **kwargs)`` saved as ``name``: a worker
        draws it while the folder's other files are written, or this process at the end."""
        task = figure_task(name, function, *args, cost=cost, **kwargs)
        self.drawing.add(task)
        self.files.append(task.names[0])

    def csv(self, frame: pd.DataFrame | Panel, name: str, **kw: Any) -> None:
        frame.to_csv(self.path / name, **kw)
        self.files.append(name)

    def text(self, text: str, name: str) -> None:
        _write_text(self.path / name, text)
        self.files.append(name)

    def later(self, name: str, write: Callable[[Path], object]) -> None:
        """List the file ``name`` here, but write it (``write(path)``) once every figure is declared: the
        workers then draw while this process writes it."""
        self.files.append(name)
        self._later.append((name, write))

    def write_later(self) -> None:
        """Write the files put off by :meth:`later`, in order."""
        for name, write in self._later:
            write(self.path / name)
        self._later.clear()


def _write_files(run: RunResults, folder: Path,
                 contents: Callable[[], tuple[dict[str, Any], dict[str, Any] | None]], *, jobs: int = 1,
                 drawn: list[float] | None = None, workers: FigureWorkers | None = None) -> list[str]:
    """Write the folder's files into ``folder``; ``drawn`` gets the seconds from the first figure declared to the
    last drawn (the other files are written meanwhile).

    ``contents()`` gives ``run.to_dict()`` (for ``results.json``) and the differences from the previous run (for
    ``changes.json``, None: no such file); it is called, and the posterior written, once every figure is declared,
    so that the figure workers draw meanwhile.
    """
    t0 = time.perf_counter()
    with FigureDrawing(folder, jobs=jobs, workers=workers) as drawing:
        out = _Folder(folder, run, drawing)
        declare_var_figures(run.var_part(), out.figure)
        _write_var_files(run, out)
        _write_tables(run, out)
        if run.asset_tables is not None:
            _write_assets(run, out)
        if run.robustness is not None:
            _write_spec_curves(run, out)
        if run.scenarios is not None:
            _write_scenarios(run, out)
        results, diff = contents()
        out.text(json.dumps(results, indent=2, default=str), "results.json")
        if diff is not None:
            out.text(json.dumps(diff, indent=2), "changes.json")
        out.write_later()
        drawing.finish()  # before report.html, which embeds the PNGs
    if drawn is not None:
        drawn.append(time.perf_counter() - t0)
    files = out.files
    files += ["report.md", "report.html"]
    _write_text(folder / "report.md", markdown(run, files, changes_markdown(diff) if diff is not None else None))
    _write_text(folder / "report.html", html_report(run, folder, files, diff))
    return files


def _write_var_files(run: RunResults, out: _Folder) -> None:
    """The graph (figure, SVG and interactive page), the cycle position, and the tables of the local projections,
    event effects, regimes and identification schemes compared, where the run has them."""
    synthetic, units = out.synthetic, out.units
    out.figure(("graph.png", "graph.svg"), "plot_graph", run.graph, synthetic=synthetic)  # one drawing, two formats
    _write_text(out.path / "graph.html", graph_html(run.graph, title=f"Dependency graph: {run.spec.name}",
                                                    synthetic=synthetic))
    out.files += ["graph.svg", "graph.html"]
    if run.position is not None:
        out.figure("position.png", "plot_position", run.position, synthetic=synthetic, units=units)
        out.csv(run.position.links, "position.csv")
    if run.lp:
        lp_rows = [da.to_dataframe(name="value").reset_index().assign(link=link)
                   for link, da in [*run.lp.items(), *run.lp_state.items()]]
        out.csv(pd.concat(lp_rows, ignore_index=True), "lp.csv", index=False)
    if run.event_effects is not None:
        out.csv(run.event_effects.to_dataframe(), "event_effects.csv")
    if len(run.regimes.columns):
        out.csv(run.regimes, "regimes.csv")
    if run.irf_compare is not None:
        out.csv(run.irf_compare.to_dataframe(), "irf_compare.csv")


def _write_tables(run: RunResults, out: _Folder) -> None:
    """The graph files, the panel, the causality tests and the responses."""
    write_graph(run.graph, out.path / "graph.graphml")
    write_graph(run.graph, out.path / "graph.json")
    out.files += ["graph.graphml", "graph.json"]
    out.csv(run.panel, "panel.csv")
    out.csv(run.causality, "causality.csv", index=False)
    out.csv(run.irf.to_dataframe(), "irf.csv")


def _write_assets(run: RunResults, out: _Folder) -> None:
    """The asset spectra the pipeline computed (now, and by regime) and the posterior."""
    tables, assets = run.asset_tables, run.assets
    assert tables is not None and assets is not None
    now = tables.regime_now
    for shock, table in tables.spectra.items():
        where = f" ({tables.regime} regime now: {now})" if now is not None else ""
        out.figure(f"spectrum_{shock}.png", "plot_spectrum", table,
                   title=f"Asset spectrum{where}: cumulative response to a one-s.d. {shock} shock",
                   synthetic=out.synthetic)
        out.csv(table, f"spectrum_{shock}.csv")
        if shock in tables.spectra_by_regime:
            by_regime = dict(tables.spectra_by_regime[shock])
            out.figure(f"spectrum_{shock}_by_regime.png", "plot_spectrum_by_regime", by_regime,
                       title=f"Asset spectrum by {tables.regime} regime: cumulative response "
                       f"to a one-s.d. {shock} shock", synthetic=out.synthetic, cost=len(by_regime))
    out.later("asset_posterior.nc", assets.save)


def _write_scenarios(run: RunResults, out: _Folder) -> None:
    """Each scenario's table (``scenario_<name>.csv``, as ``causalmacro scenario --out`` writes it), the density, figures.

    The report's Scenarios section shows ``report.html.FAN_FIGURE`` (the chain's density
    forecast after the last observed periods of the panel), and each scenario's
    ``report.html.scenario_figures(name)``: its paths against the baseline, and with the
    asset model the asset spectrum under it (in the regime the chain is in now,
    ``scenario_spectrum_regime``; every regime's table is in the section).
    """
    stage = run.scenarios
    assert stage is not None
    for name, table in stage.tables.items():
        out.csv(table, f"scenario_{name}.csv", index=False)
    density = stage.density_table()
    if density is not None and stage.density is not None:
        out.csv(density, "forecast_density.csv")
        out.figure(FAN_FIGURE, "plot_fan", stage.density, history=run.panel.data, synthetic=out.synthetic,
                   units=out.units, cost=2)
    for name, ds in stage.scenarios.items():
        paths, spectrum = scenario_figures(name)
        out.figure(paths, "plot_scenario", ds, stage.baseline, synthetic=out.synthetic, units=out.units, cost=2)
        regime = scenario_spectrum_regime(run, name)
        if regime is not None:
            moved = ", ".join(ds.attrs["shocks_allowed"])
            where = f", {run.choices.asset_regime} regime now: {regime}" if run.choices.asset_regime else ""
            out.figure(spectrum, "plot_scenario_spectrum", stage.spectra[name][regime], synthetic=out.synthetic,
                       title=f"Asset spectrum under {name} ({moved} shocks only{where})")


def _write_spec_curves(run: RunResults, out: _Folder) -> None:
    """The specification curve of each link into the focus variable (computed by the pipeline)."""
    rob = run.robustness
    assert rob is not None
    for source, curve in rob.curves.items():
        out.figure(f"spec_curve_{source}_{rob.focus}.png", "plot_spec_curve", curve, synthetic=out.synthetic,
                   units=out.units)


def run_report(
    spec: ModelSpec,
    panel: Panel,
    *,
    out: str | os.PathLike[str],
    reps: int | None = None,
    assets: bool = True,
    rng: int = 0,
    progress: bool = False,
    jobs: int | None = None,
) -> RunOutput:
    """The main job from Python: :func:`causalmacro.fit_spec`, then :func:`write_run`.

    Parameters are those of :func:`~causalmacro.pipeline.fit_spec`, plus ``out``,
    the folder to write, and ``jobs``, the processes drawing its figures (:func:`write_run`).
    """
    run = fit_spec(spec, panel, rng=rng, reps=reps, assets=assets, progress=progress)
    return write_run(run, out, jobs=jobs)
