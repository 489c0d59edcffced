"""What the main job fits: a spec and a panel in, every estimate out, no I/O.

:func:`fit_spec` is the whole analysis of ``causalmacro run``: the structural
VAR the spec describes, one set of bootstrap draws for every band, the variance
and historical decompositions of the spec's focus variable, the causality table,
the dependency graph and the Bayesian asset-response model. Every analysis
choice it makes comes from the spec (defaults documented in
:mod:`causalmacro.spec.schema`) and is recorded in :attr:`RunResults.choices`,
so a Python user gets the same numbers as the command line, and can see why.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from causalmacro.build import asset_returns, bvar_b, lp_lags, split_seed
from causalmacro.errors import ArgumentError, SpecError
from causalmacro.panel import Panel
from causalmacro.panel.regimes import regimes as compute_regimes
from causalmacro.pipeline.answer import answer, with_answer_robustness
from causalmacro.pipeline.choices import EventChoice, RunChoices, ScenarioChoice, asset_sampling
from causalmacro.pipeline.results import RunResults, VarPart, band_text
from causalmacro.pipeline.scenarios import ScenarioStage, scenario_stage
from causalmacro.pipeline.stages import (
    DRAWN_BANDS,
    AssetStage,
    GraphStage,
    LpStage,
    SvarStage,
    asset_stage,
    check_reps,
    compare_irf,
    event_band_method,
    graph_stage,
    lp_stage,
    svar_stage,
)
from causalmacro.pipeline.tables import GridLike, asset_tables, robustness
from causalmacro.pipeline.tracker import LiquidityTracker, liquidity_tracker
from causalmacro.spec import ModelSpec

__all__ = ["asset_returns", "fit_spec", "lp_lags", "run_choices", "with_robustness"]


def fit_spec(
    spec: ModelSpec,
    panel: Panel,
    *,
    rng: int = 0,
    reps: int | None = None,
    assets: bool = True,
    sampler: str | None = None,
    progress: bool = False,
    on_stage: Callable[[str], None] | None = None,
    grid: GridLike | None = None,
    on_var: Callable[[VarPart], None] | None = None,
    on_tracker: Callable[[LiquidityTracker], None] | None = None,
) -> RunResults:
    """Fit everything the spec describes on a panel; the main job without its writer.

    Parameters
    ----------
    spec : ModelSpec
        Needs a ``[var]`` section; ``[assets]`` for the asset model.
    panel : Panel
        From :func:`causalmacro.build_panel` on the same spec.
    rng : int, default 0
        Seed; the SVAR (and so its bootstrap draws) and the asset model's sampler
        get independent streams spawned from it, recorded in the results.
    reps : int, optional
        Bootstrap replications, overriding ``[var].reps`` (0: no bands).
    assets : bool
        Fit the Bayesian asset-response model when the spec has ``[assets]``.
    sampler : {"gibbs", "pymc", "nutpie"}, optional
        The asset model's sampler, overriding ``[assets].sampler``.
    progress : bool
        Show the sampler's progress bar.
    on_stage : callable, optional
        Called with one line as each stage ends (the CLI prints them on stderr).
    grid : GridResults, optional
        A specification grid of the same chain (:func:`causalmacro.grid`): the
        results gain :attr:`RunResults.robustness` (its sign shares and the
        specification curve of each link into the focus variable, read at
        ``tables.SPEC_CURVE_AT``), which the report shows.
    on_var : callable, optional
        Called with the run's :class:`~causalmacro.pipeline.results.VarPart` (the VAR's
        responses, decompositions, comparisons, local projections and event effects) once
        they are fitted, before the asset model samples: ``causalmacro run`` draws their
        figures meanwhile. The finished run holds the same objects.
    on_tracker : callable, optional
        Called with the run's liquidity tracker
        (:class:`~causalmacro.pipeline.tracker.LiquidityTracker`, from the panel alone) before
        anything is fitted: ``causalmacro run`` draws its figure while the VAR is fitted.
        :attr:`RunResults.tracker` and the ``VarPart`` hold the same object.

    Returns
    -------
    RunResults
        Frozen: the SVAR results, their bootstrap draws and banded outputs, the
        graph, the asset results (or None), the report's tables and the
        choices made (:class:`~causalmacro.pipeline.choices.RunChoices`).

    Raises
    ------
    DataError
        Before estimation, when the panel's window cannot hold the VAR: naming
        the series that shortened it, else ``var.lags`` / ``var.max_lags``
        (:func:`~causalmacro.pipeline.sample.check_var_window`).

    Examples
    --------
    >>> spec = cm.load_spec("models/demo.toml")                      # doctest: +SKIP
    >>> run = cm.fit_spec(spec, cm.build_panel(spec, cm.open_source(spec)))  # doctest: +SKIP
    >>> run.irf.sel(response="btc", shock="net_liquidity", bound="point")     # doctest: +SKIP
    """
    # K x K algebra on a few hundred periods: BLAS threads only contend, with each other and with the processes
    # that sample the asset model or draw figures meanwhile (the SVAR and LP stages 1.5-2.5x slower on 2 busy cores)
    with threadpool_limits(limits=1):
        return _fit_spec(spec, panel, rng=rng, reps=reps, assets=assets, sampler=sampler, progress=progress,
                         on_stage=on_stage, grid=grid, on_var=on_var, on_tracker=on_tracker)


def _fit_spec(spec: ModelSpec, panel: Panel, *, rng: int, reps: int | None, assets: bool, sampler: str | None,
              progress: bool, on_stage: Callable[[str], None] | None, grid: GridLike | None,
              on_var: Callable[[VarPart], None] | None,
              on_tracker: Callable[[LiquidityTracker], None] | None) -> RunResults:
    """:func:`fit_spec`, with one BLAS thread."""
    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section to fit")
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        raise ArgumentError(f"rng must be a non-negative int seed, got {rng!r}")
    n_reps = check_reps(spec, reps)
    svar_seed, asset_seed = split_seed(int(rng))
    say = on_stage or (lambda line: None)
    timings: dict[str, float] = {}
    tracker = liquidity_tracker(spec, panel)  # the panel alone: its figure can be drawn while the rest is fitted
    if on_tracker is not None:
        on_tracker(tracker)
    sv = _timed(timings, "svar", lambda: svar_stage(spec, panel, seed=svar_seed, n_reps=n_reps,
                                                    override=reps is not None))
    say(f"svar: VAR({sv.res.lags}) on {sv.res.nobs} periods, {band_text(sv.band_facts.to_dict())} "
        f"({timings['svar']:.1f} s)")
    if spec.var.compare:
        cmp = _timed(timings, "compare", lambda: compare_irf(spec, panel, sv, seed=svar_seed, n_reps=n_reps))
        say(f"compare: {', '.join(spec.var.compare)} beside {spec.var.identification} ({timings['compare']:.1f} s)")
    else:
        cmp = None
    index = pd.DatetimeIndex(panel.data.index)
    regime_frame = (_timed(timings, "regimes", lambda: compute_regimes(panel, spec)) if spec.regimes
                    else pd.DataFrame(index=index))
    lps = _timed(timings, "lp", lambda: lp_stage(spec, panel, sv.res, regime_frame))
    if lps.lp:
        say(f"local projections: {len(lps.lp)} links" + (f", by {spec.lp.state}" if lps.by_state else "")
            + f" ({timings['lp']:.1f} s)")
    if on_var is not None:
        assert spec.focus is not None  # a spec with [var] has a focus
        on_var(VarPart(spec=spec, panel=panel, irf=sv.irf, fevd=sv.fevd, historical_decomposition=sv.hd,
                       focus=spec.focus, hd_periods=spec.report.hd_periods, channels=sv.channels,
                       event_effects=sv.event_effects, lp=lps.lp, lp_state=lps.by_state,
                       lp_state_name=spec.lp.state if lps.by_state else None, irf_compare=cmp, tracker=tracker))
    t1 = time.perf_counter()
    am = asset_stage(spec, panel, sv.res, regime_frame, fit=assets, sampler=sampler, seed=asset_seed,
                      progress=progress)
    if am.res is not None:
        timings["assets"] = time.perf_counter() - t1
        sweeps = asset_sampling(am.res.settings, am.res.diagnostics.passed)["sweeps"]
        say(f"sampling: asset model, {len(spec.assets.groups) if spec.assets else 0} assets, sampler {am.sampler}, gate "
            f"{'passed' if am.res.diagnostics.passed else 'FAILED'}, {sweeps} sweeps a chain "
            f"({timings['assets']:.1f} s)")
    gs = _timed(timings, "graph", lambda: graph_stage(spec, panel, sv, am, regime_frame))
    scn = _scenarios(spec, panel, sv, am, seed=int(rng), n_reps=n_reps, timings=timings, say=say)
    choices = _grid_note(run_choices(spec, int(rng), (svar_seed, asset_seed), sv, lps, am, gs, scn), grid)
    tables = None if am.res is None else asset_tables(spec, am.res, choices.asset_shocks, choices.level,
                                                       am.regime_now)
    rob = None if grid is None else robustness(grid, choices.focus)
    usable = sv.draws if sv.band_facts.bands in DRAWN_BANDS and sv.band_facts.bands_missing is None else None
    headline = answer(spec, sv.res, usable, sv.causality, units=panel.columns[choices.focus].units,
                      graph=gs.graph, asset_tables=tables, robustness=rob)
    return RunResults(
        spec=spec, panel=panel, svar=sv.res, draws=sv.draws, irf=sv.irf, fevd=sv.fevd,
        historical_decomposition=sv.hd, causality=sv.causality, graph=gs.graph, assets=am.res,
        channels=sv.channels, events=sv.events, event_effects=sv.event_effects, regimes=regime_frame, lp=lps.lp,
        lp_state=lps.by_state, position=gs.position, choices=choices, timings=timings, asset_tables=tables,
        robustness=rob, answer=headline, tracker=tracker, irf_compare=cmp, scenarios=scn,
    )


def with_robustness(run: RunResults, grid: GridLike) -> RunResults:
    """``run`` with :attr:`RunResults.robustness` computed from ``grid`` (as ``fit_spec(..., grid=grid)``)."""
    rob = robustness(grid, run.choices.focus)
    return dataclasses.replace(run, robustness=rob, answer=with_answer_robustness(run.answer, rob),
                               choices=_grid_note(run.choices, grid))


GRID_NOTE = "the specification grid fits OLS VARs with bootstrap bands, not the Bayesian VAR"


def _grid_note(choices: RunChoices, grid: GridLike | None) -> RunChoices:
    """``choices`` saying, once, that a Bayesian VAR run's grid is of OLS VARs (the grid has no Bayesian VAR)."""
    if grid is None or choices.estimator != "bvar" or GRID_NOTE in choices.estimator_notes:
        return choices
    return dataclasses.replace(choices, estimator_notes=(*choices.estimator_notes, GRID_NOTE))


_T = TypeVar("_T")


def _timed(timings: dict[str, float], name: str, stage: Callable[[], _T]) -> _T:
    """Run one stage, recording its seconds under ``name``."""
    t0 = time.perf_counter()
    out = stage()
    timings[name] = time.perf_counter() - t0
    return out


def _scenarios(spec: ModelSpec, panel: Panel, sv: SvarStage, am: AssetStage, *, seed: int, n_reps: int,
               timings: dict[str, float], say: Callable[[str], None]) -> ScenarioStage | None:
    """The scenario stage on the run's SVAR, timed and announced; None (and no timing) without ``[scenarios]``.

    The scenarios draw from the run's seed (``[seed, i]`` for the ``i``-th), as
    ``causalmacro scenario`` does; their parameter draws are the run's own bootstrap
    draws (the point estimates with ``reps = 0`` or when none is usable), and with the asset model each
    scenario's shock draws go through it (the asset spectrum under the scenario).
    """
    if not spec.scenarios:
        return None
    usable = sv.draws if sv.draws is not None and sv.band_facts.bands_missing is None else None
    scn = _timed(timings, "scenarios", lambda: scenario_stage(
        spec, panel, sv.res, seed=seed, n_reps=n_reps, parameters=usable if usable is not None else "point",
        assets=am.res, missing=sv.band_facts.bands_missing))
    assert scn is not None
    kl = ", ".join(f"{n} kl_mean {float(ds.attrs['kl_mean']):.2f}" for n, ds in scn.scenarios.items())
    say(f"scenarios: {len(scn.scenarios)} over {scn.steps} periods ({kl}); density: {scn.density_note} "
        f"({timings['scenarios']:.1f} s)")
    return scn


def scenario_choices(spec: ModelSpec, seed: int) -> dict[str, ScenarioChoice]:
    """How each ``[scenarios.<name>]`` table is run: steps, shocks allowed, draws, units, random stream."""
    return {name: ScenarioChoice(steps=sc.steps, shocks=tuple(sc.shocks or ()), draws=sc.draws,
                                 units={v: c.units for v, c in sc.conditions.items()}, seed=(seed, i))
            for i, (name, sc) in enumerate(spec.scenarios.items())}


def run_choices(spec: ModelSpec, seed: int, seeds: tuple[int, int], sv: SvarStage, lps: LpStage,
                am: AssetStage, gs: GraphStage, scn: ScenarioStage | None = None) -> RunChoices:
    """The run's analysis choices, as its stages used them."""
    assert spec.var is not None and spec.focus is not None  # a spec with [var] has a focus
    fitted = am.res is not None
    lp = bool(lps.lp)
    return RunChoices(
        seed=seed, svar_seed=seeds[0], asset_seed=seeds[1] if fitted else None,
        **sv.band_facts.to_dict(),
        irf_horizon=spec.var.horizon, fevd_horizon=spec.var.fevd_horizon, focus=spec.focus,
        hd_periods=spec.report.hd_periods, graph_alpha=spec.graph.alpha,
        graph_multiplicity=spec.graph.multiplicity, graph_rule=str(gs.graph.graph["rule"]),
        channel_shocks=sv.channel_shocks, channels=sv.channel_vars,
        asset_flip=tuple(spec.assets.flip) if spec.assets is not None else (),
        asset_shocks=tuple(spec.asset_shocks) if fitted else (),
        asset_sampler=am.sampler, assets_fitted=fitted,
        asset_sampling=asset_sampling(am.res.settings, am.res.diagnostics.passed) if am.res is not None else None,
        events={name: EventChoice(date=spec.event_date(name).isoformat(), shape=e.shape, periods=e.periods,
                                  var=e.var, assets=e.assets, title=spec.event_title(name))
                for name, e in spec.events.items()},
        event_bands=(f"{event_band_method(str(sv.band_facts.bootstrap))} bootstrap"
                     if sv.event_names and sv.band_facts.bands == "bootstrap" else None),
        asset_events=tuple(n for n, e in spec.events.items() if e.assets) if fitted else (),
        asset_regime=spec.assets.regime if spec.assets is not None and fitted else None,
        asset_regime_now=am.regime_now,
        lp_links=tuple(f"{a} -> {b}" for a, b in spec.lp.link_pairs(list(spec.var.order))) if lp else (),
        lp_lags=lps.lags, lp_lag_augment=spec.lp.lag_augment if lp else None,
        lp_state=spec.lp.state if lps.by_state else None,
        identification=spec.var.identification, compare=tuple(spec.var.compare),
        scenarios=scenario_choices(spec, seed) if scn is not None else {},
        scenario_density=scn.density_note if scn is not None else None,
        estimator=spec.var.estimator, bvar=_bvar_facts(sv, spec), estimator_notes=sv.notes,
        scenario_parameters=scn.parameters_note if scn is not None else None,
    )


def _bvar_facts(sv: SvarStage, spec: ModelSpec) -> dict[str, object] | None:
    """The Bayesian VAR's prior (``b`` by variable and where it came from), hyperparameters, marginal likelihood
    and draws (None for an OLS VAR)."""
    bvar = getattr(sv.res, "bvar", None)
    if bvar is None:
        return None
    b = bvar.prior.b_values(bvar.variables)
    return {"prior": bvar.prior.describe(),
            "b": {v: float(x) for v, x in zip(bvar.variables, b, strict=True)}, "b_source": bvar_b(spec)[1], "hyper": bvar.hyper, "searched": list(bvar.searched),
            "converged": bool(bvar.converged), "hyperparameters": dict(bvar.hyperparameters),
            "log_marginal_likelihood": float(bvar.log_marginal_likelihood),
            "log_hyperposterior": float(bvar.log_hyperposterior), "draws": int(bvar.draws), "lags": int(bvar.lags)}
