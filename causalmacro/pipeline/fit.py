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

from causalmacro.errors import ArgumentError, SpecError
from causalmacro.graph import dependency_graph
from causalmacro.panel import Panel
from causalmacro.panel.events import event_dummies, event_path
from causalmacro.panel.regimes import regimes as compute_regimes
from causalmacro.pipeline.position import cycle_position
from causalmacro.pipeline.results import RunResults, band_text
from causalmacro.pipeline.sample import check_var_window
from causalmacro.spec import ModelSpec

__all__ = ["asset_returns", "fit_spec"]


def asset_returns(spec: ModelSpec, panel: Panel) -> Any:
    """The asset model's returns: the spec's assets, with ``[assets].flip`` columns negated.

    Yields and spreads rise when their holders lose; flipping them makes every
    response on the asset spectrum read as a gain (positive) or a loss.

    Parameters
    ----------
    spec : ModelSpec
        Needs an ``[assets]`` section.
    panel : Panel
        From :func:`causalmacro.build_panel` on the same spec.

    Returns
    -------
    pandas.DataFrame
        One column per asset of ``[assets].groups`` (in its order), in the panel's
        units, the ``flip`` columns with their sign changed.

    Raises
    ------
    SpecError
        The spec has no ``[assets]`` section.
    """
    if spec.assets is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [assets] section")
    returns = panel.data[list(spec.assets.groups)].copy()
    returns[spec.assets.flip] = -returns[spec.assets.flip]
    return returns


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
    from causalmacro.svar import SVAR

    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section to fit")
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        raise ArgumentError(f"rng must be a non-negative int seed, got {rng!r}")
    v = spec.var
    n_reps = v.reps if reps is None else reps
    if isinstance(n_reps, bool) or not isinstance(n_reps, int | np.integer) or n_reps < 0 or n_reps == 1:
        raise ArgumentError(f"reps must be 0 (no bands) or at least 2, got {n_reps!r}")
    band_kind = v.band_kind_for(int(n_reps))
    svar_seed, asset_seed = (int(s.generate_state(1)[0]) for s in np.random.SeedSequence(int(rng)).spawn(2))
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    order = list(v.order)
    index = pd.DatetimeIndex(panel.data.index)
    var_events = [name for name, e in spec.events.items() if e.var]
    check_var_window(spec, panel, n_exog=len(var_events))
    # an event must fall in the VAR's effective sample, after the (largest possible) lag order
    first = v.lags if isinstance(v.lags, int) else v.max_lags
    exog = event_dummies(spec, index, names=var_events, sample=index[first:]) if var_events else None
    model = SVAR(panel.data[order], order=order, lags=v.lags, maxlags=v.max_lags, trend=v.trend,
                 identification=v.identification, exog=exog, **v.identification_options())
    res = model.fit(rng=svar_seed)
    draws = res.bootstrap(int(n_reps), method=v.bootstrap) if band_kind == "bootstrap" else None
    bands: Any = {"bootstrap": draws, "set": "set", "none": None}[band_kind]
    irf = res.irf(v.horizon, bands=bands, level=v.level)
    fevd = res.fevd(v.fevd_horizon, bands=bands, level=v.level)
    hd = res.historical_decomposition()
    event_effects = None
    if var_events:
        # the pipeline's only exogenous terms are the events
        hd = hd.assign_coords(shock=["events" if t == "exogenous" else t for t in hd["shock"].values])
        # A pulse dummy fits its period exactly, so that period's residual is zero: the wild bootstrap, which
        # rescales each period's own residual, would never perturb it and the bands would be far too narrow
        # (an observation of leverage one). The event bands therefore come from the residual (iid) bootstrap,
        # which draws that period's error from the pool of residuals.
        event_draws = draws if draws is None or draws.method == "residual" else res.bootstrap(
            int(n_reps), method="residual")
        event_effects = res.exog_response(v.horizon, paths={n: event_path(spec.events[n], v.horizon + 1) for n in var_events},
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
        from causalmacro.bayes import AssetResponseModel

        a = spec.assets
        t1 = time.perf_counter()
        shocks = res.structural_shocks()[spec.asset_shocks]
        asset_events = [name for name, e in spec.events.items() if e.assets]
        covariates = (event_dummies(spec, index, names=asset_events, sample=pd.DatetimeIndex(shocks.index[a.lags:]))
                      if asset_events else None)
        # the regime of the period before the return, as for the state-dependent projections
        by = regime_frame[a.regime].shift(1) if a.regime is not None else None
        extra: dict[str, Any] = {k: val for k, val in (("regimes", by), ("covariates", covariates)) if val is not None}
        arm = AssetResponseModel(asset_returns(spec, panel), shocks, groups=groups, lags=a.lags, **extra)
        asset_res = arm.fit(draws=a.draws, tune=a.tune, chains=a.chains, target_accept=a.target_accept,
                            sampler=sampler or a.sampler, rng=asset_seed,  # type: ignore[arg-type]
                            progressbar=progress)
        timings["assets"] = time.perf_counter() - t1
        say(f"sampling: asset model, {len(groups)} assets, sampler {sampler or a.sampler}, gate "
            f"{'passed' if asset_res.diagnostics.passed else 'FAILED'} ({timings['assets']:.1f} s)")

    asset_irf = prob_positive = None
    regime_now = None
    if asset_res is not None:
        asset_irf = asset_res.responses(level=v.level)
        cumulative = asset_res.cumulative()
        if spec.assets is not None and spec.assets.regime is not None:
            # the graph's asset edges are those of the regime the chain is in now (the last labelled period)
            regime_now = str(regime_frame[spec.assets.regime].dropna().iloc[-1])
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
        "event_bands": ("residual bootstrap" if var_events and band_kind == "bootstrap" else None),
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


def lp_lags(spec: ModelSpec, res: Any) -> int:
    """Control lags of the report's local projections: ``[lp].lags``, else the VAR's lag order."""
    return int(spec.lp.lags) if spec.lp.lags is not None else int(res.lags)


def _local_projections(
    spec: ModelSpec, panel: Panel, res: Any, regime_frame: pd.DataFrame
) -> tuple[dict[str, xr.DataArray], dict[str, xr.DataArray]]:
    """LP responses of each ``[lp]`` link (target on the source's identified shock), pooled and by state."""
    from causalmacro.lp import LocalProjections

    assert spec.var is not None
    pairs = spec.lp.link_pairs(list(spec.var.order))
    horizon = spec.lp.horizon or spec.var.horizon
    shocks = res.structural_shocks()
    lags = lp_lags(spec, res)
    lp: dict[str, xr.DataArray] = {}
    by_state: dict[str, xr.DataArray] = {}
    for source, target in pairs:
        key = f"{source} -> {target}"
        y, s = panel.data[[target]], shocks[[source]]
        lp[key] = LocalProjections(y, s, horizon=horizon, lags=lags,
                                   lag_augment=spec.lp.lag_augment).fit().irf(level=spec.var.level)
        if spec.lp.state is not None:
            state = regime_frame[spec.lp.state].astype(object)
            by_state[key] = LocalProjections(y, s, horizon=horizon, lags=lags, lag_augment=spec.lp.lag_augment,
                                             state=state).fit().irf(level=spec.var.level)
    return lp, by_state
