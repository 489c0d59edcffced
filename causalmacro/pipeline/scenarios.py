"""The scenario stage: the spec's ``[scenarios]`` on the fitted structural VAR.

Each ``[scenarios.<name>]`` table becomes a conditional forecast (Waggoner & Zha 1999) or a
structural scenario (Antolín-Díaz, Petrella & Rubio-Ramírez 2021) of
:meth:`causalmacro.SVARResults.conditional_forecast`: its conditions, written by date or
horizon in the variable's own units, are converted to the VAR's units
(:func:`causalmacro.panel.invert.to_model_units`, from the panel's transform and last
observed levels). Beside them the stage computes the unconditional (baseline) forecast and
the chain's density forecast (:meth:`causalmacro.SVARResults.forecast_density`, a fan
chart's data) over the longest scenario's horizon. The report's table of each scenario
(:func:`scenario_table`) is computed here, never in ``report/``.

In the main job the scenarios' parameter uncertainty comes from the run's own bootstrap
draws (the replications behind every other band, not a second bootstrap), and, when the
run fitted the asset model, each scenario's shock draws go through the asset posterior
(:meth:`causalmacro.AssetResponseResults.scenario_spectrum`): the asset spectrum under the
scenario, one table per regime where the model has regimes (:func:`scenario_spectra`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.build import var_events
from causalmacro.bvar.results import BayesianSVARResults
from causalmacro.errors import ArgumentError
from causalmacro.panel.events import event_path, event_period
from causalmacro.panel.invert import to_model_units
from causalmacro.pipeline.tables import SPECTRUM_SCALE
from causalmacro.svar.forecast import forecast_index

if TYPE_CHECKING:
    from causalmacro.bayes import AssetResponseResults
    from causalmacro.panel import Panel
    from causalmacro.spec import ModelSpec
    from causalmacro.svar import SVARResults
    from causalmacro.svar.bootstrap import BootstrapDraws

__all__ = ["NO_REGIMES", "ScenarioStage", "describe_parameters", "run_scenario", "scenario_conditions",
           "scenario_spectra", "scenario_stage", "scenario_table"]

_PPY = {"monthly": 12, "weekly": 52}

NO_REGIMES = "all"
"""The key of the one asset table under a scenario when the asset model has no regimes."""


@dataclass(frozen=True)
class ScenarioStage:
    """The spec's scenarios, their baseline and the chain's density forecast.

    Attributes
    ----------
    steps : int
        Horizon of the baseline and the density (the longest scenario's ``steps``).
    baseline : pandas.DataFrame
        :meth:`SVARResults.forecast` over ``steps``: ``(variable, bound)`` columns.
    density : xarray.DataArray or None
        :meth:`SVARResults.forecast_density` over ``steps`` (None: see ``density_note``).
    density_note : str
        How the density was drawn, or why there is none.
    scenarios : mapping of str to xarray.Dataset
        Name -> :meth:`SVARResults.conditional_forecast`'s dataset.
    conditions : mapping of str to pandas.DataFrame
        Name -> the conditions as the VAR took them: rows horizons ``1..steps``,
        columns the conditioned variables, in the VAR's units (NaN where free).
    tables : mapping of str to pandas.DataFrame
        Name -> :func:`scenario_table`.
    parameters_note : str
        Where the scenarios' parameter draws came from (the run's bootstrap, or the point
        estimates and why); empty when each scenario drew its own (``causalmacro scenario``).
    spectra : mapping of str to mapping of str to pandas.DataFrame
        Name -> regime label (``NO_REGIMES`` without regimes) -> the asset spectrum under the
        scenario (:func:`scenario_spectra`); empty without the asset model.
    """

    steps: int
    baseline: pd.DataFrame
    density: xr.DataArray | None
    density_note: str
    scenarios: Mapping[str, xr.Dataset] = field(default_factory=dict)
    conditions: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    parameters_note: str = ""
    spectra: Mapping[str, Mapping[str, pd.DataFrame]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("scenarios", "conditions", "tables"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "spectra", MappingProxyType({k: MappingProxyType(dict(v))
                                                              for k, v in self.spectra.items()}))

    def __reduce__(self) -> tuple[Any, ...]:
        return (ScenarioStage, (self.steps, self.baseline, self.density, self.density_note, dict(self.scenarios),
                                dict(self.conditions), dict(self.tables), self.parameters_note,
                                {k: dict(v) for k, v in self.spectra.items()}))

    def to_dict(self, spec: ModelSpec) -> dict[str, Any]:
        """JSON-ready: ``results.json``'s ``scenarios`` block."""
        vars_ = list(self.baseline.columns.get_level_values(0).unique())
        periods = self._periods()
        base = {v: [float(x) for x in self.baseline[(v, "point")]] for v in vars_}
        out: dict[str, Any] = {
            "steps": self.steps, "periods": periods, "baseline": base, "density_note": self.density_note,
            "density": None if self.density is None else _density_dict(self.density),
            "runs": {},
        }
        for name, ds in self.scenarios.items():
            sc = spec.scenarios[name]
            out["runs"][name] = {
                "description": sc.description, "kind": str(ds.attrs["kind"]), "steps": sc.steps,
                "shocks_allowed": list(ds.attrs["shocks_allowed"]), "draws": int(ds.attrs["draws"]),
                "level": float(ds.attrs["level"]), "kl_mean": float(ds.attrs["kl_mean"]),
                "conditions": self.condition_rows(spec, name),
                "table": _records(self.tables[name]),
                "assets": self._spectra_dict(name),
            }
        return out

    def _spectra_dict(self, name: str) -> dict[str, Any] | None:
        """The asset spectrum under scenario ``name`` as JSON (None without the asset model)."""
        tables = self.spectra.get(name)
        if not tables:
            return None
        first = next(iter(tables.values()))
        return {"scale": str(first.attrs["scale"]), "level": float(first.attrs["level"]),
                "horizon": int(first.attrs["horizon"]), "shock_paths": int(first.attrs["shock_paths"]),
                "regimes": {r: _records(t.reset_index()) for r, t in tables.items()}}

    def _periods(self) -> list[str]:
        return [pd.Timestamp(t).date().isoformat() for t in self.baseline.index]

    def condition_rows(self, spec: ModelSpec, name: str) -> list[dict[str, Any]]:
        """The conditions of scenario ``name`` as given and as the VAR took them, one dict per conditioned value.

        Keys ``variable``, ``units`` (those of the spec: ``model``, ``level``, ``change``),
        ``horizon``, ``period`` (ISO date), ``value`` (as written in the spec) and
        ``model_value`` (in the VAR's units).
        """
        sc, cond, periods = spec.scenarios[name], self.conditions[name], self._periods()
        return [{"variable": v, "units": sc.conditions[v].units, "horizon": int(h), "period": periods[int(h) - 1],
                 "value": _given(sc.conditions[v].periods(), int(h), periods), "model_value": float(cond.loc[h, v])}
                for v in cond.columns for h in cond.index if not np.isnan(cond.loc[h, v])]

    def density_table(self) -> pd.DataFrame | None:
        """The chain's density forecast as a table of quantiles (None without a density).

        Returns
        -------
        pandas.DataFrame or None
            Index ``(variable, period)`` (ISO dates), columns ``point`` (the point
            forecast) and one per quantile (``5%``, ``25%``, ...), in the VAR's units.
        """
        if self.density is None:
            return None
        d = self.density
        periods = [pd.Timestamp(t).date().isoformat() for t in d["period"].to_numpy()]
        frames = []
        for v in d["variable"].to_numpy():
            one = d.sel(variable=v)
            cols = {"point": one["point"].to_numpy()} if "point" in one.coords else {}
            cols |= {f"{100 * float(q):g}%": one.sel(quantile=q).to_numpy() for q in d["quantile"].to_numpy()}
            frames.append(pd.DataFrame(cols, index=pd.MultiIndex.from_product([[str(v)], periods],
                                                                             names=["variable", "period"])))
        return pd.concat(frames)


def _density_dict(d: xr.DataArray) -> dict[str, Any]:
    """The density forecast as JSON: dims, coordinates (periods as ISO dates, quantiles as numbers), values, point."""
    coords: dict[str, list[Any]] = {
        "period": [pd.Timestamp(t).date().isoformat() for t in d["period"].to_numpy()],
        "variable": [str(v) for v in d["variable"].to_numpy()],
        "quantile": [float(q) for q in d["quantile"].to_numpy()]}
    d = d.transpose("period", "variable", "quantile")
    return {"dims": ["period", "variable", "quantile"], "coords": coords,
            "values": np.asarray(d.to_numpy(), dtype=float).tolist(),
            "point": np.asarray(d["point"].transpose("period", "variable").to_numpy(), dtype=float).tolist()}


def _given(periods: Mapping[int | dt.date, float], h: int, iso: list[str]) -> float:
    for key, value in periods.items():
        if key == h or (isinstance(key, dt.date) and pd.Timestamp(key).date().isoformat() == iso[h - 1]):
            return float(value)
    return float("nan")


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and np.isnan(v) else (bool(v) if isinstance(v, np.bool_) else
                                                                       v.item() if isinstance(v, np.generic) else v))
             for k, v in row.items()} for row in table.to_dict(orient="records")]


def exog_future(spec: ModelSpec, res: SVARResults, steps: int) -> pd.DataFrame | None:
    """The VAR's event dummies continued over the ``steps`` periods after the sample (None without events).

    A pulse or window that ended stays 0, a step stays 1: each dummy follows its own
    shape (:func:`causalmacro.panel.events.event_path`) past the data's end.
    """
    names = [n for n in var_events(spec) if n in res.exog_names]
    if not names:
        return None
    idx = pd.DatetimeIndex(res.reduced_form.index)
    n = len(idx)
    future = forecast_index(idx, steps)
    out = {}
    for name in names:
        period = event_period(pd.Timestamp(spec.event_date(name)), idx)
        pos = int(idx.searchsorted(period))
        out[name] = event_path(spec.events[name], n - pos + steps)[n - pos:]
    return pd.DataFrame(out, index=future)[list(res.exog_names)]


def scenario_conditions(spec: ModelSpec, panel: Panel, res: SVARResults, name: str) -> pd.DataFrame:
    """The conditions of ``[scenarios.<name>]`` in the VAR's units, rows horizons ``1..steps``.

    Raises
    ------
    ArgumentError
        One line starting ``scenario <name>: <variable>:``: a date not after the data's
        end or outside the horizon, or a level or change the transform cannot invert.
    """
    sc = spec.scenarios[name]
    idx = pd.DatetimeIndex(res.reduced_form.index)
    future = forecast_index(idx, sc.steps)
    frame = pd.DataFrame(np.nan, index=pd.RangeIndex(1, sc.steps + 1), columns=list(sc.conditions))
    for var, cond in sc.conditions.items():
        at: dict[int, float] = {}
        for key, value in cond.periods().items():
            if isinstance(key, int):
                h = key
            else:
                t = event_period(pd.Timestamp(key), idx)
                if t <= idx[-1]:
                    raise ArgumentError(f"scenario {name}: {var}: period {key:%Y-%m} is not after the data's end "
                                        f"({idx[-1]:%Y-%m})")
                pos = int(future.get_indexer([t])[0])
                if pos < 0:
                    raise ArgumentError(f"scenario {name}: {var}: period {key:%Y-%m} is outside the forecast "
                                        f"horizon ({future[0]:%Y-%m} to {future[-1]:%Y-%m}, {sc.steps} steps)")
                h = pos + 1
            if h in at:
                raise ArgumentError(f"scenario {name}: {var}: horizon {h} is given twice")
            at[h] = float(value)
        history = panel.levels[var].loc[:idx[-1]]
        try:
            frame.loc[list(at), var] = to_model_units(
                at, units=cond.units, transform=panel.columns[var].transform, history=history,  # type: ignore[arg-type]
                periods_per_year=_PPY[spec.frequency], name=var, sample=panel.data.index)[list(at)].to_numpy()
        except ArgumentError as err:
            raise ArgumentError(f"scenario {name}: {err}") from None
    return frame


def run_scenario(spec: ModelSpec, panel: Panel, res: SVARResults, name: str, *, rng: Any = None,
                 parameters: BootstrapDraws | Literal["bootstrap", "point"] | None = None) -> xr.Dataset:
    """``res.conditional_forecast`` of ``[scenarios.<name>]``, its errors prefixed ``scenario <name>:``.

    ``parameters`` goes to :meth:`~causalmacro.SVARResults.conditional_forecast` (None: its default).
    """
    sc = spec.scenarios[name]
    assert spec.var is not None
    conditions = scenario_conditions(spec, panel, res, name)
    try:
        return res.conditional_forecast(conditions, sc.steps, shocks=sc.shocks, draws=sc.draws, rng=rng,
                                        level=spec.var.level, exog_future=exog_future(spec, res, sc.steps),
                                        parameters=parameters)
    except ArgumentError as err:
        raise ArgumentError(f"scenario {name}: {err}") from None


def scenario_table(ds: xr.Dataset, baseline: pd.DataFrame, conditioned: pd.DataFrame) -> pd.DataFrame:
    """The report's table of one scenario: every variable's path against the baseline.

    Parameters
    ----------
    ds : xarray.Dataset
        :meth:`SVARResults.conditional_forecast`'s result.
    baseline : pandas.DataFrame
        :meth:`SVARResults.forecast` over at least the scenario's horizon.
    conditioned : pandas.DataFrame
        The conditions (rows horizons, NaN where free).

    Returns
    -------
    pandas.DataFrame
        One row per horizon and variable: ``horizon``, ``period``, ``variable``,
        ``conditioned`` (bool), ``scenario``, ``lower``, ``upper`` (NaN without draws),
        ``baseline``, ``difference`` (scenario - baseline), ``shock`` (the implied mean
        structural shock named after the variable), all in the VAR's units.
    """
    rows = []
    bounds = list(ds["bound"].to_numpy())
    for i, h in enumerate(ds["horizon"].to_numpy()):
        period = pd.Timestamp(ds["period"].to_numpy()[i]).date().isoformat()
        for v in ds["variable"].to_numpy():
            f = ds["forecast"].sel(horizon=h, variable=v)
            point = float(f.sel(bound="point"))
            base = float(baseline[(str(v), "point")].iloc[i])
            cond = str(v) in conditioned.columns and not np.isnan(conditioned.loc[int(h), str(v)])
            rows.append({
                "horizon": int(h), "period": period, "variable": str(v), "conditioned": bool(cond),
                "scenario": point,
                "lower": float(f.sel(bound="lower")) if "lower" in bounds else float("nan"),
                "upper": float(f.sel(bound="upper")) if "upper" in bounds else float("nan"),
                "baseline": base, "difference": point - base,
                "shock": float(ds["shocks"].sel(horizon=h, shock=v, bound="point")),
            })
    return pd.DataFrame(rows)


def _density(spec: ModelSpec, res: SVARResults, steps: int, n_reps: int, *, rng: np.random.Generator,
             exog_future: Any, missing: str | None = None) -> tuple[xr.DataArray | None, str]:
    """The chain's density forecast beside the scenarios, and how it was drawn (or why there is none)."""
    assert spec.var is not None
    if n_reps == 0:
        return None, "none: the run draws no bootstrap replications (reps = 0)"
    if missing:
        return None, f"none: {missing}"
    if isinstance(res, BayesianSVARResults):
        paths = min(n_reps, res.posterior.n_kept)
        density = res.forecast_density(steps, paths, method="posterior", level=spec.var.level, rng=rng)
        return density, f"posterior predictive, {paths} posterior draws of the Bayesian VAR, Gaussian errors"
    method = spec.var.bootstrap
    if method == "wild":
        return None, "none: the wild bootstrap has no future errors to draw (bootstrap = 'wild')"
    density = res.forecast_density(steps, n_reps, method=method, level=spec.var.level, rng=rng,
                                   block_length=spec.var.block_length, exog_future=exog_future)
    return density, f"{method} bootstrap, {n_reps} replications, coefficients re-estimated in each"


def scenario_spectra(assets: AssetResponseResults, ds: xr.Dataset) -> dict[str, pd.DataFrame]:
    """The asset spectrum under one scenario: its shock draws pushed through the asset posterior.

    Parameters
    ----------
    assets : AssetResponseResults
        The run's asset model, fitted on the same SVAR's structural shocks.
    ds : xarray.Dataset
        :meth:`SVARResults.conditional_forecast`'s result; its ``shock_draws`` when it has
        draws (posterior draw ``j`` takes shock draw ``j`` modulo their number, so the bands
        carry the VAR's uncertainty about the path too), else its mean ``shocks``.

    Returns
    -------
    dict of str to pandas.DataFrame
        Regime label -> :meth:`AssetResponseResults.scenario_spectrum` at the scenario's
        ``level`` on the report's scale (``tables.SPECTRUM_SCALE``); one entry,
        ``NO_REGIMES``, when the model has no regimes.
    """
    shocks = ds["shock_draws"] if "shock_draws" in ds else ds["shocks"]
    level = float(ds.attrs["level"])
    regimes: list[str | None] = list(assets.design.regimes) or [None]
    return {NO_REGIMES if r is None else r: assets.scenario_spectrum(shocks, regime=r, level=level,
                                                                     scale=SPECTRUM_SCALE) for r in regimes}


def describe_parameters(parameters: BootstrapDraws | Literal["bootstrap", "point"] | None, n_reps: int,
                        missing: str | None = None) -> str:
    """Where the scenarios' parameter draws come from, in words (empty for ``None``: each scenario's own)."""
    if parameters is None:
        return ""
    if isinstance(parameters, str):
        why = (f": the run draws no bootstrap replications (reps = {n_reps})" if n_reps == 0
               else f": the run's draws are unusable ({missing})" if missing else "")
        return f"the point estimates ({parameters!r}){why}"
    what = "posterior draws" if parameters.method == "posterior" else f"{parameters.method} bootstrap draws"
    return (f"the run's {what}: {parameters.params.shape[0]} kept replications (of {parameters.reps}), "
            f"cycled over each scenario's draws")


def scenario_stage(spec: ModelSpec, panel: Panel, res: SVARResults, *, seed: int, n_reps: int,
                   names: list[str] | None = None,
                   parameters: BootstrapDraws | Literal["bootstrap", "point"] | None = None,
                   assets: AssetResponseResults | None = None, missing: str | None = None) -> ScenarioStage | None:
    """Every scenario of the spec (or ``names``), the baseline and the density forecast; None without scenarios.

    Each scenario draws from its own stream, ``numpy.random.default_rng([seed, i])`` for
    the ``i``-th scenario of the spec, so adding a scenario leaves the others' draws alone.

    Parameters
    ----------
    parameters : BootstrapDraws or "point", optional
        The scenarios' parameter draws: the main job passes the run's own bootstrap draws
        (``"point"`` when it draws none), recorded in ``parameters_note``. None
        (``causalmacro scenario``): each scenario bootstraps its own
        (:meth:`~causalmacro.SVARResults.conditional_forecast`'s default).
    assets : AssetResponseResults, optional
        The run's asset model: each scenario's asset spectrum (:func:`scenario_spectra`).
    missing : str, optional
        Why the run's draws are unusable (its ``bands_missing``), when ``parameters`` is
        ``"point"`` for that reason: said in ``parameters_note``.
    """
    wanted = list(spec.scenarios) if names is None else names
    if not wanted:
        return None
    assert spec.var is not None
    for n in wanted:
        if n not in spec.scenarios:
            raise ArgumentError(f"--name: unknown scenario {n!r}; scenarios are {list(spec.scenarios)}")
    steps = max(spec.scenarios[n].steps for n in wanted)
    ex = exog_future(spec, res, steps)
    baseline = res.forecast(steps, level=spec.var.level, exog_future=ex)
    out: dict[str, xr.Dataset] = {}
    conds: dict[str, pd.DataFrame] = {}
    tables: dict[str, pd.DataFrame] = {}
    for n in wanted:
        i = list(spec.scenarios).index(n)
        ds = run_scenario(spec, panel, res, n, rng=np.random.default_rng([seed, i]), parameters=parameters)
        conds[n] = scenario_conditions(spec, panel, res, n)
        out[n] = ds
        tables[n] = scenario_table(ds, baseline, conds[n])
    spectra = {} if assets is None else {n: scenario_spectra(assets, ds) for n, ds in out.items()}
    density, note = _density(spec, res, steps, n_reps, rng=np.random.default_rng([seed, len(spec.scenarios)]),
                             exog_future=ex, missing=missing)
    return ScenarioStage(steps=steps, baseline=baseline, density=density, density_note=note, scenarios=out,
                         conditions=conds, tables=tables, parameters_note=describe_parameters(parameters, n_reps, missing), spectra=spectra)
