"""The ``causalmacro`` command: a thin layer over the Python API.

Commands
--------
validate SPEC       check a spec against the schema
schema              print the JSON schema of specs
events [--kind K]   list the shipped event catalogue (id, date, kind, title)
fetch SPEC          refresh the local store from FRED (incremental)
data SPEC           print the aligned, transformed panel as CSV
run SPEC            the main job: panel, structural VAR, asset model, report
scenario SPEC       the spec's [scenarios] on the fitted VAR: paths against the baseline
evaluate SPEC       pseudo-out-of-sample forecast evaluation: VAR, BVAR, AR(1) against the random walk
diff RUN_A RUN_B    what changed between two run folders
grid SPEC           the specification grid (orderings x lags x windows) on Dask

Bad input prints one line on stderr and exits with status 2; ``--debug``
shows the traceback instead. Python warnings and the package's log records
(a FRED retry) print as ``causalmacro: warning: ...``, one line each, with
their source under ``--debug``, none under ``--quiet``. Progress bars are
drawn only when stderr is a terminal, or with ``--progress``; never with ``--quiet``.

Environment
-----------
CAUSALMACRO_DEBUG          1, true or yes: as ``--debug`` (tracebacks, not one-line errors)
FRED_API_KEY               the FRED API key (never printed)
CAUSALMACRO_FRED_URL       FRED's API root, http(s)://host[:port]/path
CAUSALMACRO_FRED_TIMEOUT   total seconds one FRED request may take, connect to last byte (default 30)
CAUSALMACRO_FRED_RETRIES   further attempts after a transient FRED failure, 0 to 20 (default 3)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import logging
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from .errors import CausalMacroError

if TYPE_CHECKING:
    from .panel import Panel
    from .spec import ModelSpec

__all__ = ["main"]

EXIT_BAD_INPUT = 2
DEBUG_ENV = "CAUSALMACRO_DEBUG"
_EPILOG = (
    f"environment: {DEBUG_ENV}=1 (or true, yes) acts as --debug: tracebacks instead of one-line errors; "
    "FRED_API_KEY, the FRED API key; CAUSALMACRO_FRED_URL, FRED's API root (http(s)://host[:port]/path); "
    "CAUSALMACRO_FRED_TIMEOUT, the total seconds one FRED request may take, from connecting to its last "
    "byte (default 30); CAUSALMACRO_FRED_RETRIES, further attempts after a transient failure, 0 to 20 (default 3)"
)


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _globals(*, sub: bool) -> _Parser:
    """Global options, accepted before and after the command.

    In the subcommands they default to SUPPRESS, so that an option given
    before the command is not reset by the subcommand's default.
    """
    g = _Parser(add_help=False)
    kw: dict[str, Any] = {"default": argparse.SUPPRESS} if sub else {}
    flag = {"action": "store_true", **kw}
    g.add_argument("--data-dir", metavar="DIR", help="read series from a folder of FRED CSV downloads", **kw)
    g.add_argument("--store", metavar="DIR", help="local store folder (default: the user cache dir)", **kw)
    g.add_argument("--offline", help="use the local store alone; never ask FRED", **flag)  # type: ignore[arg-type]
    g.add_argument("--debug", help=f"show tracebacks (also {DEBUG_ENV}=1)", **flag)  # type: ignore[arg-type]
    g.add_argument("--quiet", help="no progress bars, notes or warnings", **flag)  # type: ignore[arg-type]
    g.add_argument("--progress", help="draw progress bars even when stderr is not a terminal (not with --quiet)",
                   **flag)  # type: ignore[arg-type]
    return g


def _integer(text: str, ok: Callable[[int], bool], rule: str) -> int:
    """An ``int`` option checked by argparse, so that a refusal is a one-line usage error."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{rule}, not {text!r}") from None
    if not ok(n):
        raise argparse.ArgumentTypeError(f"{rule}, not {n}")
    return n


def _reps(text: str) -> int:
    # 1 replication gives no band either, silently
    return _integer(text, lambda n: n == 0 or n >= 2, "reps must be 0 (no bands) or at least 2")


def _positive(text: str) -> int:
    return _integer(text, lambda n: n >= 1, "expected a positive integer")


def _int_list(text: str) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _seed(text: str) -> int:
    # what numpy.random.SeedSequence takes
    return _integer(text, lambda n: n >= 0, "seed must be a non-negative integer")


def _parser() -> argparse.ArgumentParser:
    common = _globals(sub=True)
    p = _Parser(
        prog="causalmacro", description=__doc__.split("\n\n")[0], epilog=_EPILOG, parents=[_globals(sub=False)]
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", parents=[common], help="check a spec against the schema")
    v.add_argument("spec", type=Path)
    v.set_defaults(func=_cmd_validate)

    s = sub.add_parser("schema", parents=[common], help="print the JSON schema of specs")
    s.set_defaults(func=_cmd_schema)

    e = sub.add_parser("events", parents=[common], help="list the shipped event catalogue")
    e.add_argument("--kind", help="only events of this kind (hack, failure, etf, ...)")
    e.add_argument("--sources", action="store_true", help="add each entry's source URL")
    e.set_defaults(func=_cmd_events)

    f = sub.add_parser("fetch", parents=[common], help="refresh the local store from FRED")
    f.add_argument("spec", type=Path)
    f.add_argument("--full", action="store_true", help="refetch every observation (benchmark revisions)")
    f.set_defaults(func=_cmd_fetch)

    d = sub.add_parser("data", parents=[common], help="print the aligned, transformed panel as CSV")
    d.add_argument("spec", type=Path)
    d.add_argument("--out", type=Path, metavar="FILE.csv", help="write to a file instead of stdout")
    d.set_defaults(func=_cmd_data)

    r = sub.add_parser("run", parents=[common], help="the main job: panel, SVAR, asset model, report")
    r.add_argument("spec", type=Path)
    r.add_argument("--out", type=Path, default=Path("causalmacro-report"), metavar="DIR")
    r.add_argument("--reps", type=_reps, default=None, help="bootstrap replications (default: the spec's)")
    r.add_argument("--no-assets", action="store_true", help="skip the Bayesian asset model")
    r.add_argument("--compare", type=Path, metavar="DIR", default=None,
                   help="report what changed against this run folder (default: the run already in --out); "
                        "refits even when nothing changed")
    r.add_argument("--force", action="store_true",
                   help="refit even when the spec, the data and the options are those of the run in --out")
    r.add_argument("--sampler", choices=["gibbs", "pymc", "nutpie"], default=None,
                   help="the asset model's sampler (default: the spec's, gibbs unless it says otherwise)")
    r.add_argument("--seed", type=_seed, default=0, help="seed of the random number generator")
    r.add_argument("--jobs", type=_positive, default=None, metavar="N",
                   help="processes drawing the figures (default: the machine's cores, at most 4; 1: in this process)")
    r.add_argument("--grid", type=Path, metavar="DIR", default=None,
                   help="a grid folder of the same chain (causalmacro grid): adds a robustness section to the report")
    r.set_defaults(func=_cmd_run)

    sc = sub.add_parser("scenario", parents=[common], help="the spec's scenarios on the fitted VAR, against the baseline")
    sc.add_argument("spec", type=Path)
    sc.add_argument("--name", action="append", default=None, metavar="N",
                    help="a scenario of the spec's [scenarios] (repeatable; default: all)")
    sc.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="also write scenarios.json and one CSV table per scenario to DIR")
    sc.add_argument("--reps", type=_reps, default=None,
                    help="bootstrap replications of the density forecast (default: the spec's; 0: none)")
    sc.add_argument("--seed", type=_seed, default=0, help="seed of the random number generator")
    sc.set_defaults(func=_cmd_scenario)

    ev = sub.add_parser("evaluate", parents=[common],
                        help="pseudo-out-of-sample forecast evaluation of the chain against the random walk")
    ev.add_argument("spec", type=Path)
    ev.add_argument("--start", default=None, metavar="DATE",
                    help="the first forecast origin, YYYY-MM (default: the spec's [evaluation] start)")
    ev.add_argument("--horizons", type=_positive, default=None, metavar="H",
                    help="score h = 1..H (default: the spec's [evaluation] horizons)")
    ev.add_argument("--models", default=None, metavar="var,bvar,ar1",
                    help="comma-separated models (default: the spec's; the random walk is always the benchmark)")
    ev.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="also write evaluation.csv and evaluation.json to DIR")
    ev.add_argument("--seed", type=_seed, default=0, help="seed of the BVAR's draws")
    ev.set_defaults(func=_cmd_evaluate)

    df = sub.add_parser("diff", parents=[common], help="what changed between two run folders")
    df.add_argument("old", type=Path, metavar="RUN_A")
    df.add_argument("new", type=Path, metavar="RUN_B")
    df.set_defaults(func=_cmd_diff)

    g = sub.add_parser("grid", parents=[common], help="the specification grid of the chain on Dask distributed")
    g.add_argument("spec", type=Path)
    g.add_argument("--out", type=Path, default=Path("causalmacro-grid"), metavar="DIR",
                   help="grid folder: grid.nc, shards (a rerun resumes), summary.csv, spec curves, report.html")
    g.add_argument("--orderings", choices=["all", "spec"], default="all",
                   help="every permutation of the chain (default) or the spec's order only")
    g.add_argument("--lags", type=_int_list, default=None, metavar="1,2,3",
                   help="lag lengths (default: the spec's, or 1..max_lags)")
    g.add_argument("--windows", type=_positive, default=None, metavar="N", help="N rolling windows (default: the whole sample)")
    g.add_argument("--window-length", type=_positive, default=None, metavar="PERIODS",
                   help="length of each rolling window (default: two thirds of the sample)")
    g.add_argument("--identifications", default=None, metavar="recursive,long_run",
                   help="schemes fixed by the ordering, comma-separated (default: the spec's [var].identification)")
    g.add_argument("--reps", type=_positive, default=None,
                   help="bootstrap replications per block (default: the spec's [var].reps)")
    g.add_argument("--seed", type=_seed, default=0, help="the grid's seed")
    g.add_argument("--assets", action="store_true",
                   help="also fit the asset model on each window (where crypto sits on the spectrum)")
    g.add_argument("--asset-draws", type=_positive, default=None, metavar="N",
                   help="Gibbs draws per chain of each window's asset model (default: the sampler's)")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="a running Dask scheduler (e.g. tcp://10.0.0.5:8786); default: a local cluster")
    g.add_argument("--workers", type=_positive, default=None,
                   help="workers of the local cluster (default: the machine's cores; 1: in this process)")
    g.set_defaults(func=_cmd_grid)
    return p


def _note(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(text, file=sys.stderr)


def _progress(args: argparse.Namespace) -> bool:
    """Draw progress bars: never with --quiet; else with --progress or when stderr is a terminal."""
    if args.quiet:
        return False
    try:
        return bool(args.progress or sys.stderr.isatty())
    except (AttributeError, ValueError):  # stderr replaced or closed
        return bool(args.progress)


def _cmd_validate(args: argparse.Namespace) -> int:
    from .spec import load_spec

    spec = load_spec(args.spec)
    print(f"{args.spec}: valid ({len(spec.series)} series, source {spec.data.source})")
    return 0


def _cmd_events(args: argparse.Namespace) -> int:
    from .errors import ArgumentError
    from .spec import EVENT_KINDS, event_catalogue

    if args.kind is not None and args.kind not in EVENT_KINDS:
        raise ArgumentError(f"--kind: {args.kind!r} is not one of {', '.join(EVENT_KINDS)}")
    for key, event in event_catalogue().items():
        if args.kind is None or event.kind == args.kind:
            line = f"{event.date.isoformat()}  {key:<36} {event.kind:<16} {event.title}"
            print(line + (f"  <{event.source}>" if args.sources else ""))
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from .spec import dump_json_schema

    sys.stdout.write(dump_json_schema())
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from .data import fetch
    from .spec import load_spec

    spec = load_spec(args.spec)
    if args.offline:
        raise CausalMacroError("fetch asks FRED for data; it cannot run with --offline")
    if args.data_dir:
        raise CausalMacroError("fetch refreshes the store from FRED; --data-dir reads a folder instead")
    report = fetch(spec, store=args.store, full=args.full, progress=_progress(args))
    print(report.summary())
    if report.failed:
        print(f"causalmacro: error: could not refresh {len(report.failed)} series: "
              f"{_one_line(report.failure_text)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


def _panel(args: argparse.Namespace) -> tuple[ModelSpec, Panel]:
    from .data import open_source
    from .panel import build_panel
    from .spec import load_spec

    spec = load_spec(args.spec)
    source = open_source(
        spec, data_dir=args.data_dir, store=args.store, offline=args.offline, progress=_progress(args)
    )
    panel = build_panel(spec, source)
    if panel.synthetic:
        _note(args, f"note: {panel.notes[0]}")
    for row in panel.filled.itertuples():
        _note(args, f"note: {row.column} {row.date:%Y-%m-%d} filled by {row.method}")
    return spec, panel


def _cmd_data(args: argparse.Namespace) -> int:
    _, panel = _panel(args)
    if args.out is not None:
        panel.to_csv(args.out)
        _note(args, f"wrote {len(panel.data)} rows x {panel.data.shape[1]} columns to {args.out}")
    else:
        sys.stdout.write(panel.to_csv() or "")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    import time

    from .report.figures import start_server

    start_server(args.jobs)  # the figure workers' server imports the plotting code while this process loads
    from .report.manifest import reusable, run_key

    if args.compare is not None:  # before any work: a run of another frequency or chain is refused now
        from .report.changes import load_run, refuse_incomparable, run_shape
        from .spec import load_spec

        asked = load_spec(args.spec)
        refuse_incomparable(*run_shape(load_run(args.compare)[1]), (asked.frequency, list(asked.var.order) if asked.var else []),
                            (str(args.compare), str(args.out)))
    t0 = time.perf_counter()
    spec, panel = _panel(args)
    timings = {"data": time.perf_counter() - t0}
    _note(args, f"data: {len(panel.data)} periods {panel.data.index[0]:%Y-%m}..{panel.data.index[-1]:%Y-%m} "
                f"from {panel.source} ({timings['data']:.1f} s)")
    options: dict[str, object] = {"seed": args.seed, "reps": args.reps, "assets": not args.no_assets,
                                  "sampler": args.sampler}
    grid_results = None
    if args.grid is not None:
        from .specgrid import load_grid

        grid_results = load_grid(args.grid)
        options["grid"] = str(grid_results.data.attrs.get("fingerprint", args.grid))
    # --compare asks for a comparison the folder does not hold yet: it refits rather than reuse
    if not args.force and args.compare is None and reusable(args.out, run_key(spec, panel, options)):
        print(f"nothing changed since the run in {args.out} (same spec, data, options and version): "
              "reused it; --force refits")
        return 0
    from .report.figures import FigureWorkers

    with FigureWorkers(args.jobs) as workers:  # started now: their start-up overlaps the fit
        # only what the VAR needs is loaded before it is fitted (the plotting and writing code after): the
        # workers get its figures, and the core that is idle until then its work, sooner
        from .pipeline import fit_spec
        from .pipeline.results import VarPart
        from .pipeline.tracker import LiquidityTracker
        from .report.var_figures import tracker_figure_tasks, var_figure_tasks

        gc.freeze()  # what is loaded stays: out of the way of the collections that follow

        def stage(line: str) -> None:
            gc.freeze()  # the modules each stage loaded and its results
            _note(args, line)

        def ahead(part: VarPart) -> None:  # the VAR's figures, drawn while the asset model samples
            workers.ahead(var_figure_tasks(part), beside=args.out)

        def tracker_ahead(tracker: LiquidityTracker) -> None:  # drawn while the VAR is fitted (a core idle then)
            workers.ahead(tracker_figure_tasks(tracker, synthetic=panel.synthetic), beside=args.out)

        run = fit_spec(spec, panel, rng=args.seed, reps=args.reps, assets=not args.no_assets,
                       sampler=args.sampler, progress=_progress(args), on_stage=stage, grid=grid_results,
                       on_var=ahead, on_tracker=tracker_ahead)
        from .report import write_run

        out = write_run(run, args.out, options=options, timings=timings, compare=args.compare, on_stage=stage,
                        workers=workers)
    print(out.summary())
    return 0 if out.ok else 1


def _cmd_scenario(args: argparse.Namespace) -> int:
    import json

    from .build import build_svar, split_seed
    from .errors import ArgumentError
    from .fileutil import replace_atomically
    from .pipeline.scenarios import scenario_stage
    from .pipeline.stages import check_reps

    spec, panel = _panel(args)
    if not spec.scenarios:
        raise ArgumentError(f"{args.spec}: the spec has no [scenarios.<name>] tables")
    res = build_svar(spec, panel.data).fit(rng=split_seed(int(args.seed))[0])
    stage = scenario_stage(spec, panel, res, seed=int(args.seed), n_reps=check_reps(spec, args.reps), names=args.name)
    assert stage is not None
    for name, table in stage.tables.items():
        ds = stage.scenarios[name]
        sys.stdout.write(f"scenario {name} ({ds.attrs['kind']}; shocks allowed: {', '.join(ds.attrs['shocks_allowed'])}; "
                         f"kl_mean {ds.attrs['kl_mean']:.3f})\n")
        if spec.scenarios[name].description:
            sys.stdout.write(f"  {spec.scenarios[name].description}\n")
        cells = table.assign(cell=[f"{a:.2f}{'*' if c else ''} ({b:.2f})" for a, b, c in
                                   zip(table.scenario, table.baseline, table.conditioned, strict=True)])
        sys.stdout.write(cells.pivot(index="period", columns="variable", values="cell")[list(res.names)].to_string()
                         + "\n  scenario (baseline), VAR units; * conditioned\n")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        text = json.dumps(stage.to_dict(spec), indent=1, allow_nan=False, default=str)
        replace_atomically(args.out / "scenarios.json", lambda tmp: Path(tmp).write_text(text))
        for name, table in stage.tables.items():
            replace_atomically(args.out / f"scenario_{name}.csv", functools.partial(_write_text, table.to_csv(index=False)))
        _note(args, f"wrote scenarios.json and {len(stage.tables)} table(s) to {args.out}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .fileutil import replace_atomically
    from .pipeline.evaluation import evaluation_stage

    spec, panel = _panel(args)
    models = None if args.models is None else [m.strip() for m in args.models.split(",") if m.strip()]
    stage = evaluation_stage(spec, panel, start=args.start, horizons=args.horizons, models=models, seed=args.seed)
    sys.stdout.write(f"forecast evaluation: data {stage.data_range}, origins from {stage.start} "
                     f"({stage.start_source}), h = 1..{stage.horizons}, recursive windows; "
                     f"explosive OLS VAR windows: {stage.explosive_windows}\n")
    shown = stage.relative[stage.relative.model != "random_walk"]
    wide = shown.pivot_table(index=["variable", "horizon"], columns="model",
                                      values=["rmse_rel_rw", "score_minus_rw"], sort=False)
    wide.columns = [f"{m} {'rmse/rw' if k == 'rmse_rel_rw' else 'score-rw'}" for k, m in wide.columns]
    wide = wide[sorted(wide.columns, key=lambda c: (stage.models.index(c.split()[0]), c.split()[1]))]
    sys.stdout.write(wide.round(2).to_string() + "\n  rmse/rw: RMSE over the random walk's (below 1: better); "
                     "score-rw: mean Gaussian log score minus the random walk's (above 0: better)\n")
    for variable, line in stage.verdicts.items():
        sys.stdout.write(f"{variable}: {line}\n")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        text = json.dumps(stage.to_dict(), indent=1, allow_nan=False, default=str)
        replace_atomically(args.out / "evaluation.json", functools.partial(_write_text, text))
        replace_atomically(args.out / "evaluation.csv", functools.partial(_write_text, stage.tidy().to_csv(index=False)))
        _note(args, f"wrote evaluation.csv and evaluation.json to {args.out}")
    return 0


def _write_text(text: str, path: str) -> None:
    Path(path).write_text(text)


def _cmd_grid(args: argparse.Namespace) -> int:
    import time

    from .pipeline.tables import grid_tables
    from .report.grid import write_grid
    from .specgrid import grid

    t0 = time.perf_counter()
    spec, panel = _panel(args)
    _note(args, f"data: {len(panel.data)} periods {panel.data.index[0]:%Y-%m}..{panel.data.index[-1]:%Y-%m} "
                f"from {panel.source} ({time.perf_counter() - t0:.1f} s)")
    g = grid(spec, panel, orderings="all" if args.orderings == "all" else None, lags=args.lags,
             windows=args.windows, window_length=args.window_length,
             identifications=None if args.identifications is None
             else [x.strip() for x in args.identifications.split(",") if x.strip()],
             reps=args.reps, seed=args.seed, scheduler=args.scheduler, workers=args.workers, out=args.out,
             assets=args.assets, asset_draws=args.asset_draws,
             progress=_progress(args), on_stage=lambda line: _note(args, line))
    units = {name: info.units for name, info in panel.columns.items()}
    files = write_grid(g, args.out, units=units, synthetic=panel.synthetic, tables=grid_tables(g))
    print(g.summary())
    print(f"wrote grid.nc and {len(files)} files to {args.out}")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from .report.changes import changes_markdown, compare, load_run

    diff = compare(load_run(args.old), load_run(args.new), labels=(str(args.old), str(args.new)))
    for warning in diff["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    sys.stdout.write(changes_markdown(diff))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``causalmacro`` command.

    Returns
    -------
    int
        0 on success, 2 on bad input (one line on stderr), 1 when a fit
        fails its diagnostics, 130 on Ctrl-C (one line on stderr, from the
        first moment on: ``import causalmacro`` loads nothing heavy, so an
        early Ctrl-C lands here too).
    """
    try:
        return _main(argv)
    except KeyboardInterrupt as exc:
        if _debug_from_env() or "--debug" in (sys.argv[1:] if argv is None else argv):
            raise
        from .fileutil import InterruptedAfterSwap

        # an interrupt after the new run folder was put in place says so; any other left nothing half-done
        what = str(exc) if isinstance(exc, InterruptedAfterSwap) else "interrupted; nothing written was left half-done"
        print(f"causalmacro: {what}", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        try:
            sys.stdout.flush()  # --help into a pipe whose reader left
        except BrokenPipeError:
            return _reader_gone()
        return int(exc.code or 0)
    with _reporting(quiet=args.quiet, debug=args.debug or _debug_from_env()):
        return _dispatch(args)


def _dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command: bad input is one line and status 2, a bug one line and status 1."""
    func: Callable[[argparse.Namespace], int] = args.func
    if args.debug or _debug_from_env():
        try:
            return _run(func, args)
        except BrokenPipeError:
            return _reader_gone()
    try:
        return _run(func, args)
    except BrokenPipeError:  # before OSError, of which it is a subclass
        return _reader_gone()
    except CausalMacroError as exc:
        print(f"causalmacro: error: {_scrubbed(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        print(f"causalmacro: error: cannot access{where}: {_one_line(str(exc.strerror or exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # a bug, not bad input: still one line, details with --debug
        print(
            f"causalmacro: internal error: {type(exc).__name__}: {_scrubbed(str(exc))} (rerun with --debug)",
            file=sys.stderr,
        )
        return 1


@contextlib.contextmanager
def _reporting(*, quiet: bool, debug: bool) -> Iterator[None]:
    """For one command: Python warnings and the package's log records as the CLI's own lines.

    Each is one scrubbed line ``causalmacro: warning: ...`` on stderr; with
    ``debug`` it also names its source (file and line, or logger and line);
    with ``quiet`` nothing is printed. The warning filters, ``warnings.showwarning``
    and the ``causalmacro`` logger's handlers are restored on the way out.
    """
    logger = logging.getLogger("causalmacro")
    handler = _LineHandler(debug=debug)
    handler.setLevel(logging.CRITICAL + 1 if quiet else logging.WARNING)  # still found: no lastResort

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: object = None, line: str | None = None) -> None:
        if not quiet:
            where = f"{filename}:{lineno}: {category.__name__}: " if debug else ""
            _say("warning", f"{where}{message}")

    with warnings.catch_warnings():
        # pip-installed PyTensor finds no BLAS on many machines and says so in five
        # lines; the fallback is correct, only slower, so the CLI keeps it quiet
        warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS", category=UserWarning)
        warnings.showwarning = show
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)


class _LineHandler(logging.Handler):
    """Log records as ``causalmacro: <level>: <message>`` lines (logger and line with ``debug``)."""

    def __init__(self, *, debug: bool) -> None:
        super().__init__()
        self._debug = debug

    def emit(self, record: logging.LogRecord) -> None:
        where = f"{record.name}:{record.lineno}: " if self._debug else ""
        _say(record.levelname.lower(), f"{where}{record.getMessage()}")


def _say(kind: str, text: str) -> None:
    print(f"causalmacro: {kind}: {_scrubbed(text)}", file=sys.stderr)


def _scrubbed(text: str) -> str:
    """``text`` on one line, without the FRED key, ``api_key=`` values or URLs."""
    from .data.fred import API_KEY_ENV, default_key_file, scrub

    secrets = [os.environ.get(API_KEY_ENV, "").strip()]
    with contextlib.suppress(OSError, UnicodeDecodeError):
        secrets += default_key_file().read_text(encoding="utf-8").splitlines()[:1]
    return _one_line(scrub(text, secrets=[s.strip() for s in secrets]))


def _debug_from_env() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes")


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Check the path options, run a command and flush stdout, so that a reader that left shows up here."""
    _check_paths(args)
    code = func(args)
    sys.stdout.flush()
    return code


def _check_paths(args: argparse.Namespace) -> None:
    """Refuse unusable path options before any work: one :class:`ArgumentError` naming the option and the path."""
    out = getattr(args, "out", None)
    if out is not None and args.command in ("run", "grid"):
        _check_folder_target("--out", out)
    elif out is not None and args.command == "data":
        _check_file_target("--out", out)
    compare = getattr(args, "compare", None)
    if compare is not None:
        from .errors import ArgumentError

        if not compare.exists():
            raise ArgumentError(f"--compare: {compare} does not exist")
        if not (compare / "manifest.json").is_file() or not (compare / "results.json").is_file():
            raise ArgumentError(f"--compare: {compare} is not a causalmacro run folder "
                                "(no manifest.json and results.json)")
    if args.store is not None:
        _check_folder_target("--store", Path(args.store))
    if args.data_dir is not None:
        _check_folder_target("--data-dir", Path(args.data_dir), exists=True)


def _check_folder_target(option: str, path: Path, *, exists: bool = False) -> None:
    """``path`` is a folder, or (unless ``exists``) can become one: no file in its place or above it."""
    from .errors import ArgumentError

    if exists and not path.exists():
        raise ArgumentError(f"{option}: {path} does not exist")
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise ArgumentError(f"{option}: {existing} is not a folder")


def _check_file_target(option: str, path: Path) -> None:
    """``path`` can be written as a file: not a folder, and its folder exists."""
    from .errors import ArgumentError

    if path.is_dir():
        raise ArgumentError(f"{option}: {path} is a folder, not a file")
    if not path.parent.is_dir():
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise ArgumentError(f"{option}: cannot write {path}: folder {path.parent} {what}")


def _reader_gone() -> int:
    """The reader of stdout left (``causalmacro data SPEC | head -1``): not an error.

    Output still buffered would fail again when Python flushes stdout at exit
    and print "Exception ignored"; pointing stdout at ``os.devnull`` drops it
    (the recipe of the note on SIGPIPE in the docs of :mod:`signal`).
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):  # stdout is not a file (captured in tests)
        return 0
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())


def console() -> NoReturn:
    """The ``causalmacro`` console script (and ``python -m causalmacro.cli``): :func:`main`, then exit.

    Ctrl-C is deferred while a module is being imported (:func:`_defer_interrupts_in_imports`),
    and after it the process ends through :func:`os._exit` with status 130,
    once the streams are flushed: CPython remembers a ``KeyboardInterrupt``
    that passed through a C-level runner even when :func:`main` caught it, and
    would then end the process by SIGINT (status -2) after the one-line message.
    """
    _defer_interrupts_in_imports()
    code = main()
    if code == 130:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(130)
    # the interpreter's last garbage collections at exit walk every object of the scientific stack loaded by
    # now (0.7 s after `causalmacro run`): frozen, they are skipped; objects are still released and atexit
    # handlers still run, and every file was written and closed before main returned
    gc.freeze()
    raise SystemExit(code)


def _defer_interrupts_in_imports(retry: float = 0.05) -> None:
    """Raise ``KeyboardInterrupt`` for Ctrl-C only once no module is being imported.

    Some dependencies catch every exception around their own imports: an
    interrupt landing there was swallowed (the run went on and exited 0) or
    turned into another error (exit 1); 3 of 48 interrupts in the first second
    of ``causalmacro run`` did one or the other. An interrupt that arrives
    inside an import is looked at again every ``retry`` seconds (SIGALRM) until
    the import is done. Only the console script installs this; :func:`main`
    called from Python changes no signal handler.
    """

    def importing(frame: FrameType | None) -> bool:
        while frame is not None:
            if frame.f_code.co_filename.startswith("<frozen importlib"):
                return True
            frame = frame.f_back
        return False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if importing(frame):
            signal.setitimer(signal.ITIMER_REAL, retry)
            return
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGALRM, on_signal)


if __name__ == "__main__":  # pragma: no cover
    console()
