"""Figures of forecasts and scenarios: the fan chart, scenario against baseline, the asset spectrum under a scenario."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError

from ._common import (
    banner,
    class_colour,
    column,
    grid,
    headline,
    one_ax,
    resolve_units,
    short_unit,
    title_or,
    unit_of,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_fan", "plot_scenario", "plot_scenario_spectrum"]


def _pick(names: Sequence[str], chosen: Sequence[str] | str | None, argument: str) -> list[str]:
    if chosen is None:
        return list(names)
    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    for n in chosen:
        if n not in names:
            raise ArgumentError(f"{argument}: unknown variable {n!r}; variables are {list(names)}")
    return chosen


def _panels(n: int, axes: Any) -> tuple[Figure, list[Any]]:
    """Panels two to a row (one row of ``n`` when ``axes`` gives ``n``), the spare ones hidden."""
    if axes is not None:
        fig, arr = grid(1, n, axes)
        return fig, list(np.ravel(arr))
    cols = min(n, 2)
    rows = -(-n // cols)
    fig, arr = grid(rows, cols, None, size=3.6)
    flat = list(np.ravel(arr))
    for i, spare in enumerate(flat[n:], start=n):
        spare.set_visible(False)
        flat[i - cols].xaxis.set_tick_params(labelbottom=True)  # the panel above keeps its dates
    return fig, flat[:n]


def _dates(coord: Any) -> np.ndarray:
    index = pd.Index(np.asarray(coord))
    if isinstance(index, pd.PeriodIndex):
        return np.asarray(index.to_timestamp())
    if len(index) and isinstance(index[0], pd.Period):
        return np.asarray(pd.PeriodIndex(index).to_timestamp())
    return np.asarray(index)


def _date_axis(ax: Any) -> None:
    """Dates on ``ax``'s x axis that do not collide: a few ticks, years written once."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _legend(fig: Any, axs: Sequence[Any]) -> None:
    """One legend for every panel's labels (a label drawn only in a later panel is not lost)."""
    seen: dict[str, Any] = {}
    for ax in axs:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    axs[0].legend(list(seen.values()), list(seen), fontsize=7, loc="best")


def plot_fan(
    density: xr.DataArray,
    responses: Sequence[str] | str | None = None,
    *,
    history: pd.DataFrame | None = None,
    tail: int = 36,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
) -> Figure:
    """Fan chart: the last observed periods, then the predictive quantiles of each variable.

    Parameters
    ----------
    density : xarray.DataArray
        :meth:`~causalmacro.SVARResults.forecast_density`'s output: dims ``period``,
        ``variable``, ``quantile`` (the outer interval's ends, the quartiles, the median),
        optional ``point`` coordinate; ``attrs["level"]`` labels the outer band.
    responses : str or sequence of str, optional
        Variables drawn (default all), one panel each.
    history : pandas.DataFrame, optional
        Observed series (columns the variables), of which the last ``tail`` periods are drawn.
    tail : int
        Observed periods shown before the forecast.
    axes : array of Axes, optional
    title, units, synthetic
        As every figure; ``units`` labels each panel's y axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(density, xr.DataArray) or set(density.dims) != {"period", "variable", "quantile"}:
        raise ArgumentError("density: a forecast_density DataArray with dims period, variable, quantile")
    names = _pick([str(v) for v in density["variable"].values], responses, "responses")
    unit_map = resolve_units(units, density.attrs, function="plot_fan")
    qs = np.asarray(density["quantile"].values, dtype=float)
    fig, axs = _panels(len(names), axes)
    when = _dates(density["period"].values)
    level = density.attrs.get("level")
    for ax, name in zip(axs, names, strict=True):
        cell = density.sel(variable=name)
        if history is not None:
            if name not in history.columns:
                raise ArgumentError(f"history: no column {name!r}; the columns are {list(map(str, history.columns))}")
            past = history[name].dropna().iloc[-int(tail):]
            past_when = _dates(past.index)
            ax.plot(past_when, past.to_numpy(), color="0.2", lw=1.2, label="observed")
            link = [past_when[-1], when[0]]
        outer = cell.sel(quantile=[qs.min(), qs.max()]).values
        ax.fill_between(when, outer[:, 0], outer[:, 1], color="C0", alpha=0.18, lw=0,
                        label=f"{100 * float(level):.0f}% interval" if level else "outer interval")
        if 0.25 in qs and 0.75 in qs:
            ax.fill_between(when, cell.sel(quantile=0.25), cell.sel(quantile=0.75), color="C0", alpha=0.35, lw=0,
                            label="50% interval")
        if 0.5 in qs:
            ax.plot(when, cell.sel(quantile=0.5), color="C0", lw=1.5, label="median")
        if "point" in cell.coords:
            ax.plot(when, cell["point"].values, color="C1", lw=1.0, ls="--", label="point forecast")
            if history is not None:
                ax.plot(link, [past.iloc[-1], float(cell["point"].values[0])], color="C1", lw=0.8, ls=":")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_title(str(name), fontsize=9)
        ax.set_ylabel(short_unit(unit_of(unit_map, name)), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axs:
        _date_axis(ax)
    axs[0].legend(fontsize=7, loc="best")
    default = "Density forecast" + (f": {density.attrs.get('method')}" if density.attrs.get("method") else "")
    headline(fig, title_or(title, default), synthetic=synthetic)
    return fig


def _baseline_path(baseline: Any, names: list[str]) -> pd.DataFrame | None:
    """The baseline's point path by horizon 1..H (a Dataset of conditional_forecast, or forecast()'s frame)."""
    if baseline is None:
        return None
    if isinstance(baseline, xr.Dataset):
        point = baseline["forecast"].sel(bound="point").transpose("horizon", "variable")
        return pd.DataFrame(point.values, columns=[str(v) for v in point["variable"].values])
    if isinstance(baseline, pd.DataFrame) and isinstance(baseline.columns, pd.MultiIndex):
        return baseline.xs("point", axis=1, level="bound")[names].reset_index(drop=True)
    if isinstance(baseline, xr.DataArray) and "quantile" in baseline.dims:
        return pd.DataFrame(baseline["point"].values, columns=[str(v) for v in baseline["variable"].values])
    raise ArgumentError("baseline: a conditional_forecast Dataset without conditions, forecast()'s frame, "
                        f"or a forecast_density DataArray, got {type(baseline).__name__}")


def plot_scenario(
    conditional: xr.Dataset,
    baseline: Any = None,
    responses: Sequence[str] | str | None = None,
    *,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
) -> Figure:
    """Scenario against baseline: each variable's path under the conditions, its band, and the baseline.

    Parameters
    ----------
    conditional : xarray.Dataset
        :meth:`~causalmacro.SVARResults.conditional_forecast`'s output (``forecast`` with
        bounds when it has draws; ``conditioned`` marks the conditioned points, drawn as
        black dots).
    baseline : optional
        The path with no conditions: ``res.forecast(H)``, a ``conditional_forecast`` with
        no conditions, or a ``forecast_density`` (its ``point``); None draws none.
    responses : str or sequence of str, optional
        Variables drawn (default all), one panel each.
    axes : array of Axes, optional
    title, units, synthetic
        As every figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not isinstance(conditional, xr.Dataset) or "forecast" not in conditional:
        raise ArgumentError("conditional: the Dataset of conditional_forecast (with a 'forecast' variable)")
    fc = conditional["forecast"]
    names = _pick([str(v) for v in fc["variable"].values], responses, "responses")
    unit_map = resolve_units(units, conditional.attrs, function="plot_scenario")
    base = _baseline_path(baseline, names)
    h = fc["horizon"].values
    fig, axs = _panels(len(names), axes)
    bounds = list(fc["bound"].values)
    level = conditional.attrs.get("level")
    ahead = "periods ahead"
    if "period" in fc.coords:
        ahead += f" (1 = {pd.Timestamp(_dates(fc['period'].values)[0]):%Y-%m})"
    for ax, name in zip(axs, names, strict=True):
        cell = fc.sel(variable=name)
        if "lower" in bounds:
            ax.fill_between(h, cell.sel(bound="lower"), cell.sel(bound="upper"), color="C3", alpha=0.18, lw=0,
                            label=f"{100 * float(level):.0f}% band" if level else "band")
        ax.plot(h, cell.sel(bound="point"), color="C3", lw=1.6, label="scenario")
        if base is not None:
            ax.plot(h, base[name].to_numpy()[: len(h)], color="0.35", lw=1.2, ls="--", label="baseline")
        if "conditioned" in conditional:
            mask = conditional["conditioned"].sel(variable=name).values
            if mask.any():
                ax.plot(h[mask], cell.sel(bound="point").values[mask], "o", color="k", ms=4, label="condition")
        ax.axhline(0, color="0.6", lw=0.5)
        ax.set_title(str(name), fontsize=9)
        ax.set_ylabel(short_unit(unit_of(unit_map, name)), fontsize=8)
        ax.set_xlabel(ahead, fontsize=8)
        ax.tick_params(labelsize=7)
    _legend(fig, axs)
    kind = conditional.attrs.get("kind", "scenario")
    moved = conditional.attrs.get("shocks_allowed")
    default = ("Structural scenario" if kind == "scenario" else "Conditional forecast") + (
        f" (shocks moving: {', '.join(moved)})" if kind == "scenario" and moved else "")
    if conditional.attrs.get("parameters") == "bootstrap":
        default += "; bands include parameter uncertainty"
    headline(fig, title_or(title, default), synthetic=synthetic)
    return fig


def plot_scenario_spectrum(
    spectrum: Any,
    shocks: Any = None,
    *,
    ax: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    **options: Any,
) -> Figure:
    """Each asset's cumulative return under a scenario, with its interval, coloured by class.

    Parameters
    ----------
    spectrum : AssetResponseResults or pandas.DataFrame
        The table of :meth:`AssetResponseResults.scenario_spectrum`, or the asset results
        (then ``shocks`` is required and ``options`` go to ``scenario_spectrum``).
    shocks : optional
        The scenario's shock path (with asset results).
    ax : Axes, optional
    title, units, synthetic
        As every figure (``units`` unused: the axis says the scale).
    **options
        ``regime=``, ``level=``, ``scale=`` for ``scenario_spectrum``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if isinstance(spectrum, pd.DataFrame):
        if options or shocks is not None:
            raise ArgumentError("shocks: only with asset results (a table is already computed)")
        table = spectrum
    elif callable(getattr(spectrum, "scenario_spectrum", None)):
        if shocks is None:
            raise ArgumentError("shocks: required with AssetResponseResults (the scenario's shock path)")
        table = spectrum.scenario_spectrum(shocks, **options)
    else:
        raise ArgumentError(f"spectrum: a scenario spectrum table or AssetResponseResults, got {type(spectrum).__name__}")
    resolve_units(units, {}, function="plot_scenario_spectrum")
    center, lower, upper = (column(table, c, "spectrum").to_numpy() for c in ("mean", "lower", "upper"))
    fig, axis = one_ax(ax, figsize=(7, 0.35 * len(table) + 1.6))
    y = np.arange(len(table))
    groups = list(dict.fromkeys(table["group"])) if "group" in table else [None]
    for g in groups:
        m = (table["group"] == g).to_numpy() if g is not None else np.ones(len(table), bool)
        axis.errorbar(center[m], y[m], xerr=[center[m] - lower[m], upper[m] - center[m]], fmt="o",
                      color=class_colour(str(g)) if g is not None else "C0", label=g, capsize=2)
    labels = [f"{a}  (P>0 {p:.0%})" for a, p in zip(table.index, table["prob_positive"], strict=True)] \
        if "prob_positive" in table else [str(a) for a in table.index]
    axis.set_yticks(y, labels, fontsize=8)
    axis.axvline(0, color="0.4", lw=0.6)
    axis.invert_yaxis()
    a = table.attrs
    what = {"standardized": "s.d. of the asset's monthly return",
            "data": "the asset's return units"}.get(str(a.get("scale")), "")
    axis.set_xlabel(f"cumulative return over the scenario's {a.get('horizon', '?')} periods, scenario minus "
                    f"baseline{', ' + what if what else ''}"
                    + (f"; {100 * float(a['level']):.0f}% HDI" if a.get("level") else ""), fontsize=8)
    where = f" ({a['regime']} regime)" if a.get("regime") else ""
    text = title_or(title, f"Asset spectrum under the scenario{where}")
    if text:
        axis.set_title(text, fontsize=10)
    if groups != [None]:
        axis.legend(fontsize=7)
    banner(fig, synthetic)
    fig.tight_layout()
    return fig
