"""``causalmacro.grid``: the specification grid of a spec's chain, on Dask distributed (in ``causalmacro.specgrid``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError, SpecError
from causalmacro.fileutil import replace_atomically
from causalmacro.panel import Panel
from causalmacro.panel.regimes import regimes as compute_regimes
from causalmacro.spec import ModelSpec
from causalmacro.specgrid.assets import fit_window_assets
from causalmacro.specgrid.engine import Job, cpu_workers, data_fingerprint, fit_block, run_jobs
from causalmacro.specgrid.options import GRID_IDENTIFICATIONS, Block, GridOptions, make_options
from causalmacro.specgrid.results import GridResults

__all__ = ["grid"]


def grid(
    spec: ModelSpec,
    panel: Panel,
    *,
    orderings: str | Sequence[Sequence[str]] | None = "all",
    lags: int | Sequence[int] | None = None,
    windows: int | Sequence[tuple[Any, Any]] | None = None,
    window_length: int | None = None,
    identifications: str | Sequence[str] | None = None,
    reps: int | None = None,
    method: str | None = None,
    level: float | None = None,
    horizon: int | None = None,
    seed: int = 0,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    progress: bool = False,
    on_stage: Callable[[str], None] | None = None,
    on_block: Callable[[Block], None] | None = None,
    assets: bool = False,
    asset_draws: int | None = None,
) -> GridResults:
    """Fit the chain's structural VAR over every combination of orderings, lags, windows and identifications.

    Parameters
    ----------
    spec : ModelSpec
        Its ``[var]`` section names the chain (``order``), the trend, and the
        defaults of ``identifications``, ``reps``, ``method`` (``bootstrap``),
        ``level`` and ``horizon``. Every VAR is built from it as the main job
        builds its own (:func:`causalmacro.build.build_svar`): the spec's events
        enter as exogenous dummies (those a window holds), so the cell of the
        spec's own ordering, lags, window and identification is
        :func:`causalmacro.fit_spec`'s VAR.
    panel : Panel
        From :func:`causalmacro.build_panel` on the spec.
    orderings : "all", sequence of orderings or None
        ``"all"``: every permutation of the chain (120 for five variables);
        None: the spec's order only.
    lags : int or sequence of int, optional
        Default: ``[var].lags`` if it is a number, else ``1..[var].max_lags``.
    windows : int or sequence of (start, end), optional
        An int: that many rolling windows of ``window_length`` periods (default
        two thirds of the panel), their ends evenly spaced up to the last period;
        pairs: those windows. Default: the whole panel.
    identifications : str or sequence of {"recursive", "long_run", "volatility", "non_gaussian", "proxy"}, optional
        Schemes fixed by the ordering (Cholesky, and Blanchard-Quah long-run), and
        schemes identified by the data (changes in volatility, non-Gaussian
        shocks, an external instrument; configured by the spec's
        ``[var.volatility]`` and ``[var.proxy]`` tables), which do not depend on
        the ordering: their responses are the same in every ordering's row, and
        NaN in a block (lags, window) where the scheme cannot identify (a break
        date outside the window, too little instrument overlap).
        Default: the spec's ``[var].identification`` (refused, naming it, when
        it is neither: ``short_run``, ``sign``).
    reps : int, optional
        Bootstrap replications of each (lags, window) block (default ``[var].reps``).
    method, level, horizon
        Bootstrap kind, band coverage and last horizon (default: the spec's).
    seed : int
        The grid's seed. Each block's seed derives from it and the block's
        coordinates (lag length and window dates), so results do not depend on
        the number of workers or on the order tasks finish in; the orderings of
        a block share its bootstrap replications (common random numbers).
    client : dask.distributed.Client, optional
        An existing client (any cluster: local, Kubernetes, HPC).
    scheduler : str, optional
        Address of a running Dask scheduler to connect to.
    workers : int, optional
        Workers of the local cluster started when neither ``client`` nor
        ``scheduler`` is given (default: the machine's cores); 1 fits in this
        process, without Dask.
    out : path-like, optional
        A folder: each finished block is written to ``out/shards`` and the
        result to ``out/grid.nc``; a rerun with the same options and data reuses
        every finished block (an interrupted grid resumes where it stopped).
    progress : bool
        A progress bar of finished specifications.
    on_stage : callable, optional
        Called with one line per stage (the CLI prints them).
    on_block : callable, optional
        Called with each finished block (after its shard is written).
    assets : bool
        Also fit the Bayesian asset-response model on each window, built as the
        main job builds it (:func:`causalmacro.build.build_asset_model`: the
        spec's own SVAR, flips, regimes, event covariates and sampler): the
        Dataset gains ``asset_spectrum`` and ``asset_rank`` with dims
        ``(window, asset_shock, asset)`` (with ``[assets].regime``: in the regime
        of the window's last labelled period, ``asset_regime_now``) and
        :meth:`GridResults.crypto_rank` summarises where crypto sits.
    asset_draws : int, optional
        Draws per chain of each window's fit (default ``[assets].draws``).

    Returns
    -------
    GridResults

    Raises
    ------
    ArgumentError
        A bad option (an ordering with an unknown variable, an empty window, ...),
        in one line naming it.

    Examples
    --------
    >>> g = cm.grid(spec, panel, orderings="all", lags=[1, 2, 3], windows=10, reps=200)  # doctest: +SKIP
    >>> g.sign_shares()                                                                  # doctest: +SKIP
    >>> g.irf.sel(response="btc", shock="net_liquidity", horizon=0, bound="point")       # doctest: +SKIP
    """
    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section to vary")
    frame, opts = _grid_options(spec, panel, orderings=orderings, lags=lags, windows=windows,
                                window_length=window_length, identifications=identifications, reps=reps,
                                method=method, level=level, horizon=horizon, seed=seed)
    n_workers = cpu_workers() if workers is None else int(workers)
    if n_workers < 1:
        raise ArgumentError(f"workers: expected at least 1, got {workers!r}")
    folder = Path(out) if out is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    fingerprint = _fingerprint(spec, frame, opts)
    say = on_stage or (lambda line: None)
    jobs = [Job(key=b.key, fn=fit_block, args=(opts, b, spec), specs=len(opts.orderings) * len(opts.identifications))
            for b in opts.blocks()]
    if assets:
        jobs += _asset_jobs(spec, panel, opts, asset_draws)
    shared = panel.data if assets else frame
    say(f"grid: {opts.n_specifications} specifications in {len(opts.blocks())} blocks"
        + (f", the asset model on {len(opts.windows)} windows" if assets else ""))
    results, facts = run_jobs(jobs, shared, folder=folder, fingerprint=fingerprint, workers=n_workers, client=client,
                              scheduler=scheduler, progress=progress, say=say,
                              on_done=(lambda job: on_block(job.args[1])) if on_block is not None else None)
    data = _combine(opts, {k: v for k, v in results.items() if not k.startswith("assets-")}, spec.name)
    if assets:
        _add_assets(data, opts, results, spec)
    data.attrs["fingerprint"] = fingerprint
    result = GridResults(data=data, facts=facts)
    if folder is not None:
        result.to_netcdf(folder / "grid.nc")
        replace_atomically(folder / "grid.json", lambda tmp: Path(tmp).write_text(
            json.dumps({"spec": spec.name, "fingerprint": fingerprint, **dict(facts)}, indent=2, default=str)))
    say(f"grid: {opts.n_specifications} specifications, {facts['fitted']} blocks fitted, {facts['reused']} reused "
        f"({facts['seconds']:.1f} s)")
    return result


def _grid_options(spec: ModelSpec, panel: Panel, *, orderings: Any, lags: Any, windows: Any,
                  window_length: int | None, identifications: Any, reps: int | None, method: str | None,
                  level: float | None, horizon: int | None, seed: int) -> tuple[pd.DataFrame, GridOptions]:
    """The chain's columns (refused with missing values) and the grid's options, defaults from the spec."""
    assert spec.var is not None
    v = spec.var
    names = list(v.order)
    frame = panel.data[names]
    if frame.isna().to_numpy().any():
        bad = frame.columns[frame.isna().any()][0]
        raise ArgumentError(f"grid: chain variable '{bad}' has missing values in the panel")
    default_lags: Any = v.lags if isinstance(v.lags, int) else list(range(1, v.max_lags + 1))
    opts = make_options(
        names, pd.DatetimeIndex(frame.index),
        orderings=orderings,
        lags=default_lags if lags is None else lags,
        windows=windows, window_length=window_length,
        identifications=_spec_identification(v.identification) if identifications is None else identifications,
        reps=v.reps if reps is None else reps,
        method=method or v.bootstrap, level=v.level if level is None else level,
        horizon=v.horizon if horizon is None else horizon, trend=v.trend, seed=seed,
        block_length=v.block_length, bias_correct=v.bias_correct, joint=v.joint,
    )
    for ident in opts.identifications:
        table = {"volatility": v.volatility, "proxy": v.proxy}.get(ident, True)
        if table is None:
            raise ArgumentError(f"identifications: {ident!r} needs the spec's [var.{ident}] table")
    return frame, opts


def _fingerprint(spec: ModelSpec, frame: pd.DataFrame, opts: GridOptions) -> str:
    """The grid's fingerprint: its options, the chain's data and the spec's events and VAR settings."""
    assert spec.var is not None
    return opts.fingerprint(data_fingerprint(frame) + json.dumps(
        [spec.var.model_dump(mode="json"), {n: e.model_dump(mode="json") for n, e in spec.events.items()}],
        sort_keys=True, default=str))


def _asset_jobs(spec: ModelSpec, panel: Panel, opts: GridOptions, asset_draws: int | None) -> list[Job]:
    """One asset-model fit per window, built as the main job builds it."""
    if spec.assets is None:
        raise SpecError(f"{spec.path or spec.name}: assets=True needs an [assets] section")
    regime_frame = compute_regimes(panel, spec) if spec.regimes else pd.DataFrame(index=panel.data.index)
    # the window fits also depend on the asset settings and the other columns
    asset_tag = data_fingerprint(panel.data.fillna(0.0))[:8] + json.dumps(
        [spec.assets.model_dump(mode="json"), spec.asset_shocks, asset_draws,
         {n: r.model_dump(mode="json") for n, r in spec.regimes.items()}], sort_keys=True, default=str)
    jobs = []
    for w, (a, b) in enumerate(opts.windows):
        window_seed = opts.block_seed(Block(lags=0, window=w, start=a, end=b))
        jobs.append(Job(key=f"assets-window{w:03d}", fn=fit_window_assets,
                        args=(spec, a, b, window_seed, regime_frame, asset_draws), batch=False, tag=asset_tag))
    return jobs


def _add_assets(data: xr.Dataset, opts: GridOptions, results: dict[str, Any], spec: ModelSpec) -> None:
    """The windows' asset fits as variables of the grid's Dataset (in place: it is being built)."""
    fits = [results[f"assets-window{w:03d}"] for w in range(len(opts.windows))]
    # "asset_shock": the asset model's shocks, a subset of the VAR's (a separate dim, not aligned with "shock")
    stacked = xr.concat(fits, dim="window").assign_coords(window=opts.window_labels).rename(shock="asset_shock")
    data["asset_spectrum"] = stacked["spectrum"]
    data["asset_rank"] = stacked["rank"]
    data["asset_gate_passed"] = stacked["gate_passed"]
    data["asset_regime_now"] = stacked["regime_now"]
    data.attrs["asset_groups"] = json.dumps(dict(spec.assets.groups)) if spec.assets else "{}"


def _spec_identification(scheme: str) -> tuple[str]:
    """The grid's default identification: the spec's, when the grid can vary it."""
    if scheme not in GRID_IDENTIFICATIONS:
        raise ArgumentError(f"identifications: the spec's [var].identification {scheme!r} is neither fixed by the "
                            f"ordering nor identified by the data; pass one of {list(GRID_IDENTIFICATIONS)}")
    return (scheme,)


def _combine(opts: GridOptions, blocks: dict[str, xr.Dataset], name: str) -> xr.Dataset:
    """The blocks' Datasets as one, with the grid's dims ``(ordering, lags, window, identification, ...)``."""
    first = next(iter(blocks.values()))
    inner = first["irf"]  # (ordering, identification, horizon, response, shock, bound)
    n_l, n_w = len(opts.lags), len(opts.windows)
    irf = np.empty((inner.sizes["ordering"], n_l, n_w, *inner.shape[1:]))
    scalars = {k: np.zeros((n_l, n_w), dtype=np.int64) for k in ("nobs", "reps_kept", "n_explosive")}
    events = first["event_effects"]  # (event, horizon, response)
    effects = np.empty((n_l, n_w, *events.shape))
    stable = np.zeros((n_l, n_w), dtype=bool)
    max_root = np.zeros((n_l, n_w))
    for b in opts.blocks():
        ds = blocks[b.key]
        li = opts.lags.index(b.lags)
        irf[:, li, b.window] = ds["irf"].to_numpy()
        effects[li, b.window] = ds["event_effects"].to_numpy()
        for k in scalars:
            scalars[k][li, b.window] = int(ds[k])
        stable[li, b.window], max_root[li, b.window] = bool(ds["stable"]), float(ds["max_root"])
    coords = {"ordering": opts.ordering_labels, "lags": list(opts.lags), "window": opts.window_labels,
              **{d: inner[d].values for d in inner.dims if d != "ordering"}}
    dims = ("ordering", "lags", "window", "identification", "horizon", "response", "shock", "bound")
    data = xr.Dataset(
        {"irf": (dims, irf, {"shock_size": "std", "level": opts.level, "bands": opts.method, "joint": int(opts.joint),
                             "interval": f"{opts.method} bootstrap, "
                             + ("sup-t simultaneous over horizons" if opts.joint else "pointwise percentile")}),
         "event_effects": (("lags", "window", "event", "horizon", "response"), effects,
                           {"units": "variables' units per unit of the event's path"}),
         **{k: (("lags", "window"), val) for k, val in scalars.items()},
         "stable": (("lags", "window"), stable), "max_root": (("lags", "window"), max_root),
         "window_start": (("window",), np.array([a for a, _ in opts.windows], dtype="datetime64[ns]")),
         "window_end": (("window",), np.array([b for _, b in opts.windows], dtype="datetime64[ns]"))},
        coords={**{d: coords[d] for d in dims}, "event": events["event"].values},
        attrs={"spec": name, "reps": opts.reps, "method": opts.method, "level": opts.level, "seed": opts.seed,
               "trend": opts.trend, "variables": ",".join(opts.variables)},
    )
    return data
