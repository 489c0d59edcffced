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

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.build import (
    asset_fit_options,
    asset_returns,
    build_asset_model,
    build_local_projections,
    build_svar,
    lp_lags,
    split_seed,
    var_events,
)
from causalmacro.build import regime_now as current_regime
from causalmacro.errors import ArgumentError, SpecError
from causalmacro.graph import dependency_graph
from causalmacro.panel import Panel
from causalmacro.panel.events import event_path
from causalmacro.panel.regimes import regimes as compute_regimes
from causalmacro.pipeline.position import cycle_position
from causalmacro.pipeline.results import RunResults, band_text
from causalmacro.pipeline.sample import check_var_window
from causalmacro.spec import ModelSpec

__all__ = ["asset_returns", "fit_spec", "lp_lags"]


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

    Returns
    -------
    RunResults
        Frozen: the SVAR results, their bootstrap draws and banded outputs, the
        graph, the asset results (or None) and the choices made.

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
    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section to fit")
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        raise ArgumentError(f"rng must be a non-negative int seed, got {rng!r}")
    v = spec.var
    n_reps = v.reps if reps is None else reps
    if isinstance(n_reps, bool) or not isinstance(n_reps, int | np.integer) or n_reps < 0 or n_reps == 1:
        raise ArgumentError(f"reps must be 0 (no bands) or at least 2, got {n_reps!r}")
    band_kind = v.band_kind_for(int(n_reps))
    svar_seed, asset_seed = split_seed(int(rng))
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    order = list(v.order)
    index = pd.DatetimeIndex(panel.data.index)
    events = var_events(spec)
    check_var_window(spec, panel, n_exog=len(events))
    model = build_svar(spec, panel.data)
    exog = model.exog
    res = model.fit(rng=svar_seed)
    draws = res.bootstrap(int(n_reps), method=v.bootstrap) if band_kind == "bootstrap" else None
    bands: Any = {"bootstrap": draws, "set": "set", "none": None}[band_kind]
    irf = res.irf(v.horizon, bands=bands, level=v.level)
    fevd = res.fevd(v.fevd_horizon, bands=bands, level=v.level)
    hd = res.historical_decomposition()
    event_effects = None
    if events:
        # the pipeline's only exogenous terms are the events
        hd = hd.assign_coords(shock=["events" if t == "exogenous" else t for t in hd["shock"].values])
        # A pulse dummy fits its period exactly, so that period's residual is zero: the wild bootstrap, which
        # rescales each period's own residual, would never perturb it and the bands would be far too narrow
        # (an observation of leverage one). The event bands therefore come from the residual (iid) bootstrap,
        # which draws that period's error from the pool of residuals.
        event_draws = draws if draws is None or draws.method == "residual" else res.bootstrap(
            int(n_reps), method="residual")
        event_effects = res.exog_response(v.horizon, paths={n: event_path(spec.events[n], v.horizon + 1) for n in events},
                                          bands=event_draws, level=v.level).rename("event_effects")
    causality = res.causality_table()
    channel_shocks, channel_vars = spec.channel_plan
    channels = {shock: res.channel_decomposition(shock, channel_vars, v.horizon, bands=bands, level=v.level)
                for shock in channel_shocks}
    timings["svar"] = time.perf_counter() - t0
    say = on_stage or (lambda line: None)
    band_facts = {
        "bands": band_kind,
        "bootstrap": v.bootstrap if band_kind == "bootstrap" else None,
        "reps": int(n_reps) if band_kind == "bootstrap" else 0,
        "reps_requested": int(n_reps),
        "reps_override": reps is not None,
        "reps_kept": draws.n_kept if draws is not None else 0,
        "reps_explosive": draws.n_explosive if draws is not None else 0,
        "reps_unidentified": draws.n_unidentified if draws is not None else 0,
        "level": v.level,
    }
    say(f"svar: VAR({res.lags}) on {res.nobs} periods, {band_text(band_facts)} ({timings['svar']:.1f} s)")

    groups = dict(spec.assets.groups) if spec.assets is not None else {}
    regime_frame = compute_regimes(panel, spec) if spec.regimes else pd.DataFrame(index=index)

    t2 = time.perf_counter()
    lp, lp_state = _local_projections(spec, panel, res, regime_frame)
    timings["lp"] = time.perf_counter() - t2
    if lp:
        say(f"local projections: {len(lp)} links" + (f", by {spec.lp.state}" if lp_state else "")
            + f" ({timings['lp']:.1f} s)")

    asset_res = None
    if assets and spec.assets is not None:
        t1 = time.perf_counter()
        arm = build_asset_model(spec, panel.data, res.structural_shocks(), regime_frame)
        fit_options = asset_fit_options(spec, sampler=sampler)
        asset_res = arm.fit(**fit_options, rng=asset_seed, progressbar=progress)
        timings["assets"] = time.perf_counter() - t1
        say(f"sampling: asset model, {len(groups)} assets, sampler {fit_options['sampler']}, gate "
            f"{'passed' if asset_res.diagnostics.passed else 'FAILED'} ({timings['assets']:.1f} s)")

    asset_irf = prob_positive = None
    regime_now: str | None = None
    if asset_res is not None:
        asset_irf = asset_res.responses(level=v.level)
        cumulative = asset_res.cumulative()
        if spec.assets is not None and spec.assets.regime is not None:
            # the graph's asset edges are those of the regime the chain is in now (the last labelled period)
            regime_now = current_regime(spec, regime_frame)
            asset_irf, cumulative = asset_irf.sel(regime=regime_now), cumulative.sel(regime=regime_now)
        prob_positive = (cumulative > 0).mean(("chain", "draw")).rename(asset="response")
    graph = dependency_graph(irf, causality, alpha=spec.graph.alpha, min_run=spec.graph.min_run, groups=groups,
                             asset_irf=asset_irf, asset_prob_positive=prob_positive)
    graph.graph["sample"] = f"{res.reduced_form.index[0]:%Y-%m}..{res.reduced_form.index[-1]:%Y-%m}"
    if regime_now is not None:
        graph.graph["asset_regime"] = f"{spec.assets.regime if spec.assets else ''}: {regime_now}"
    position = cycle_position(panel.data, order, regime_frame, assets=asset_res,
                              asset_regime=spec.assets.regime if spec.assets is not None else None,
                              cumulate=[n for n in order if panel.columns[n].transform in ("diff", "logdiff")])

    choices: dict[str, Any] = {
        "seed": int(rng),
        "svar_seed": svar_seed,
        "asset_seed": asset_seed if asset_res is not None else None,
        **band_facts,
        "irf_horizon": v.horizon,
        "fevd_horizon": v.fevd_horizon,
        "focus": spec.focus,
        "hd_periods": spec.report.hd_periods,
        "graph_alpha": spec.graph.alpha,
        "graph_min_run": spec.graph.min_run,
        "channel_shocks": channel_shocks,
        "channels": channel_vars,
        "asset_flip": list(spec.assets.flip) if spec.assets is not None else [],
        "asset_shocks": spec.asset_shocks if asset_res is not None else [],
        "asset_sampler": (sampler or spec.assets.sampler) if asset_res is not None and spec.assets else None,
        "assets_fitted": asset_res is not None,
        "events": {name: {"date": spec.event_date(name).isoformat(), "shape": e.shape, "periods": e.periods,
                          "var": e.var, "assets": e.assets, "title": spec.event_title(name)}
                   for name, e in spec.events.items()},
        "event_bands": ("residual bootstrap" if events and band_kind == "bootstrap" else None),
        "asset_events": [n for n, e in spec.events.items() if e.assets] if asset_res is not None else [],
        "asset_regime": spec.assets.regime if spec.assets is not None and asset_res is not None else None,
        "asset_regime_now": regime_now,
        "lp_links": [f"{a} -> {b}" for a, b in spec.lp.link_pairs(order)] if lp else [],
        "lp_lags": lp_lags(spec, res) if lp else None,
        "lp_lag_augment": spec.lp.lag_augment if lp else None,
        "lp_state": spec.lp.state if lp_state else None,
    }
    return RunResults(
        spec=spec, panel=panel, svar=res, draws=draws, irf=irf, fevd=fevd,
        historical_decomposition=hd, causality=causality, graph=graph, assets=asset_res, channels=channels,
        events=exog, event_effects=event_effects, regimes=regime_frame, lp=lp, lp_state=lp_state,
        position=position, choices=choices, timings=timings,
    )


def _local_projections(
    spec: ModelSpec, panel: Panel, res: Any, regime_frame: pd.DataFrame
) -> tuple[dict[str, xr.DataArray], dict[str, xr.DataArray]]:
    """LP responses of each ``[lp]`` link (target on the source's identified shock), pooled and by state."""
    assert spec.var is not None
    models = build_local_projections(spec, panel.data, res.structural_shocks(), regime_frame, lags=lp_lags(spec, res))
    level = spec.var.level
    lp = {key: pooled.fit().irf(level=level) for key, (pooled, _) in models.items()}
    by_state = {key: state.fit().irf(level=level) for key, (_, state) in models.items() if state is not None}
    return lp, by_state
