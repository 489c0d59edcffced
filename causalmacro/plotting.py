"""Plots of results. The only module that imports matplotlib.

Every function takes ``ax=`` (or ``axes=`` for grids), draws on it, and returns
the figure; nothing is shown here. Importing it leaves matplotlib's backend
alone (a headless machine falls back to a non-interactive backend by itself).
Inputs are the labelled results of the estimators (xarray DataArrays with named
dims, pandas frames), so the same functions draw bootstrap bands and posterior
intervals.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.graph import is_significant
from causalmacro.labelled import check_response, has_bands, point_of

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "CLASS_COLOURS",
    "class_colour",
    "plot_channels",
    "plot_event_effects",
    "plot_fevd",
    "plot_graph",
    "plot_historical_decomposition",
    "plot_irf",
    "plot_lp",
    "plot_position",
    "plot_spec_curve",
    "plot_spectrum",
    "plot_spectrum_by_regime",
    "save_figure",
]

SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA"


def _grid(n_rows: int, n_cols: int, axes: Any, size: float = 2.2) -> tuple[Figure, np.ndarray]:
    if axes is None:
        fig, ax = plt.subplots(
            n_rows, n_cols, figsize=(size * n_cols + 1, 0.8 * size * n_rows + 1), squeeze=False, sharex=True
        )
        return fig, ax
    arr = np.asarray(axes, dtype=object).reshape(n_rows, n_cols)
    return arr[0, 0].figure, arr


def _banner(fig: Figure, synthetic: bool) -> None:
    if synthetic:
        fig.text(0.5, 0.995, SYNTHETIC_BANNER, ha="center", va="top", color="firebrick", fontsize=9, weight="bold")


def _headline(fig: Figure, title: str | None, *, synthetic: bool, fontsize: float = 9, room: float = 0.15) -> None:
    """The figure's title under the synthetic banner, then the layout below both.

    ``room`` is the height in inches kept under the title (more for two-line
    row labels that reach up).
    """
    inch = 1 / fig.get_figheight()
    if title:
        fig.suptitle(title, fontsize=fontsize, y=1 - (0.3 if synthetic else 0.1) * inch)
    _banner(fig, synthetic)
    top = (0.2 if synthetic else 0.0) + (room if title else 0.05)
    fig.tight_layout(rect=(0, 0, 1, 1 - top * inch))


def plot_irf(
    irf: xr.DataArray,
    *,
    responses: Sequence[str] | None = None,
    shocks: Sequence[str] | None = None,
    axes: Any = None,
    synthetic: bool = False,
    color: str = "C0",
    units: Mapping[str, str] | None = None,
    horizon_unit: str = "periods",
) -> Figure:
    """Grid of impulse responses: one row per response, one column per shock.

    Each column is titled with its shock and the shock's size: for
    one-standard-deviation shocks (``attrs["shock_size"] == "std"``, the SVAR's
    default) the impact on the shock's own variable, in that variable's units;
    each row is labelled with its variable and units.

    Parameters
    ----------
    irf : xarray.DataArray
        Dims ``("horizon", "response", "shock")``, optionally with ``bound``
        (``point``/``lower``/``upper``) for a shaded band.
    responses, shocks : sequence of str, optional
        Subset and order (default: all).
    axes : array of Axes, optional
        ``len(responses) x len(shocks)`` axes to draw on.
    synthetic : bool
        Mark the figure as drawn from synthetic data.
    units : mapping, optional
        Variable -> units of its series (e.g. ``Panel.columns[name].units``).
    horizon_unit : str
        Unit of the horizon axis (``"months"`` for a monthly panel).
    color : str
        Matplotlib colour of the point responses and their bands.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_response(irf)
    units = dict(units or {})
    responses = list(responses if responses is not None else irf.coords["response"].values)
    shocks = list(shocks if shocks is not None else irf.coords["shock"].values)
    fig, ax = _grid(len(responses), len(shocks), axes)
    h = irf.coords["horizon"].values
    banded = has_bands(irf)
    for i, r in enumerate(responses):
        for j, s in enumerate(shocks):
            a = ax[i, j]
            cell = irf.sel(response=r, shock=s)
            point = point_of(cell)
            if banded:
                a.fill_between(h, cell.sel(bound="lower"), cell.sel(bound="upper"), color=color, alpha=0.25, lw=0)
            a.plot(h, point, color=color, lw=1.5)
            a.axhline(0, color="0.4", lw=0.6)
            if i == 0:
                a.set_title(_shock_label(irf, str(s), units), fontsize=8)
            if j == 0:
                a.set_ylabel(f"{r}\n({units.get(str(r), 'units of the series')})", fontsize=7)
            if i == len(responses) - 1:
                a.set_xlabel(f"horizon ({horizon_unit})", fontsize=8)
            a.tick_params(labelsize=7)
    level = irf.attrs.get("level")
    title = None
    if banded and level is not None:
        interval = irf.attrs.get("interval", f"{irf.attrs.get('bands', '')} bands")
        size = "one-s.d. structural shocks" if irf.attrs.get("shock_size", "std") == "std" else "unit shocks"
        title = f"Impulse responses to {size}, {100 * float(level):.0f}% {interval}"
    _headline(fig, title, synthetic=synthetic, fontsize=10)
    return fig


def _shock_label(irf: xr.DataArray, shock: str, units: Mapping[str, str]) -> str:
    """``"shock: x (1 s.d. = +2.4 units)"`` when the shock's own variable is a response."""
    if irf.attrs.get("shock_size", "std") != "std" or shock not in [str(r) for r in irf.coords["response"].values]:
        return f"shock: {shock}"
    own = irf.sel(response=shock, shock=shock, horizon=irf.coords["horizon"].values[0])
    value = float(own.sel(bound="point")) if "bound" in own.dims else float(own)
    unit = units.get(shock, "")
    return f"shock: {shock}\n1 s.d. = {value:+.3g} {_short_unit(unit)}"


def _short_unit(unit: str) -> str:
    """Compact form of a units string for a title (``percent change (log)`` -> ``% (log change)``)."""
    table = {"percent change (log)": "% (log change)", "percent change from a year ago": "% y/y",
             "Percent": "pp", "change in Percent": "pp change"}
    return table.get(unit, unit)


def plot_fevd(
    fevd: xr.DataArray,
    response: str,
    *,
    ax: Axes | None = None,
    synthetic: bool = False,
    horizon_unit: str = "periods",
) -> Figure:
    """Stacked forecast-error variance shares of one response by shock.

    Parameters
    ----------
    fevd : xarray.DataArray
        Dims ``("horizon", "response", "shock")`` (a ``bound`` dim, if any,
        is reduced to its point estimate).
    response : str
        The response variable drawn.
    ax : Axes, optional
        Axes to draw on; default a new figure.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).
    horizon_unit : str
        Unit of the horizon axis (``"months"`` for a monthly panel).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "bound" in fevd.dims:
        fevd = fevd.sel(bound="point")
    fig, ax = _ax(ax)
    shares = fevd.sel(response=response).transpose("horizon", "shock")
    h = shares.coords["horizon"].values
    ax.stackplot(h, shares.values.T, labels=list(shares.coords["shock"].values), alpha=0.85)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"forecast horizon ({horizon_unit})")
    ax.set_ylabel("share of forecast-error variance")
    ax.set_title(f"Variance decomposition of {response}", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_historical_decomposition(
    hd: xr.DataArray,
    variable: str,
    *,
    last: int | None = None,
    ax: Axes | None = None,
    synthetic: bool = False,
    units: str | None = None,
) -> Figure:
    """Contributions of each shock (stacked bars) to one variable over time.

    Parameters
    ----------
    hd : xarray.DataArray
        Dims ``("time", "response", "shock")``; a shock coordinate named
        ``"deterministic"`` or similar is drawn like the others. The data
        (the sum) is drawn as a line.
    variable : str
        The variable decomposed.
    last : int, optional
        Only the last ``last`` periods ("which link drove the last months").
    ax : Axes, optional
        Axes to draw on; default a new figure.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).
    units : str
        Units of the series, for the axis label.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _ax(ax)
    part = hd.sel(response=variable).transpose("time", "shock")
    if last is not None:
        part = part.isel(time=slice(-last, None))
    t = pd.DatetimeIndex(part.coords["time"].values)
    vals = part.values
    width = 20 if len(t) > 1 and (t[1] - t[0]).days > 20 else 5
    pos = np.zeros(len(t))
    neg = np.zeros(len(t))
    for k, shock in enumerate(part.coords["shock"].values):
        v = vals[:, k]
        base = np.where(v >= 0, pos, neg)
        ax.bar(t, v, bottom=base, width=width, label=str(shock), color=f"C{k % 10}")
        pos += np.where(v >= 0, v, 0)
        neg += np.where(v < 0, v, 0)
    ax.plot(t, vals.sum(axis=1), color="black", lw=1.2, label="total")
    ax.axhline(0, color="0.4", lw=0.6)
    ax.set_title(f"Historical decomposition of {variable}", fontsize=10)
    ax.set_ylabel(f"contribution ({units or 'units of the series'})", fontsize=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    _banner(fig, synthetic)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_channels(
    channels: Mapping[str, xr.DataArray],
    response: str,
    *,
    axes: Any = None,
    synthetic: bool = False,
    units: str | None = None,
    horizon_unit: str = "periods",
) -> Figure:
    """Channel decomposition of one variable's responses, one panel per shock.

    Each panel draws the total response (with its band), the part through the
    channel variables and the part held (what does not run through them), and
    the part through each channel alone, dashed.

    Parameters
    ----------
    channels : mapping
        Shock -> :meth:`causalmacro.SVARResults.channel_decomposition` output.
    response : str
        The variable whose responses are split (e.g. ``"btc"``).
    axes : array of Axes, optional
    synthetic : bool
    units : str, optional
        Units of ``response``.
    horizon_unit : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    shocks = list(channels)
    fig, ax = _grid(1, len(shocks), axes, size=3.2)
    for j, shock in enumerate(shocks):
        a = ax[0, j]
        da = channels[shock].sel(response=response)
        banded = has_bands(da)
        point = point_of(da)
        h = da.coords["horizon"].values
        if banded:
            a.fill_between(h, da.sel(part="total", bound="lower"), da.sel(part="total", bound="upper"),
                           color="0.5", alpha=0.2, lw=0, label="total, band")
        a.plot(h, point.sel(part="total"), color="black", lw=1.6, label="total response")
        if not da.attrs.get("credible", True):  # the offsets explode: the parts are not drawn (see channel_decomposition)
            a.text(0.5, 0.5, f"parts not drawn: holding the channels takes\noffsetting shocks of up to "
                   f"{da.attrs['max_offset']:.2g} s.d.", transform=a.transAxes, ha="center", va="center",
                   fontsize=7, color="0.3")
        else:
            a.plot(h, point.sel(part="through channels"), color="C1", lw=1.4, label="through the channels")
            a.plot(h, point.sel(part="held"), color="C0", lw=1.2, label="channels held (the rest)")
            for k, part in enumerate(p for p in point.coords["part"].values if str(p).startswith("through ")
                                     and p != "through channels"):
                a.plot(h, point.sel(part=part), lw=0.9, ls="--", color=f"C{k + 2}", label=str(part))
        a.axhline(0, color="0.4", lw=0.6)
        a.set_title(f"{response} to a one-s.d. {shock} shock", fontsize=9)
        a.set_xlabel(f"horizon ({horizon_unit})", fontsize=8)
        if j == 0:
            a.set_ylabel(f"{response} ({units or 'units of the series'})", fontsize=8)
        a.tick_params(labelsize=7)
    ax[0, -1].legend(fontsize=6, loc="best")
    chans = channels[shocks[0]].attrs.get("channels", "") if shocks else ""
    _headline(fig, f"Channel decomposition: responses with {chans.replace(',', ' and ')} held at zero "
                   "(estimated dynamics held fixed: Lucas critique applies)", synthetic=synthetic)
    return fig


def _spectrum_axis(ax: Axes, attrs: Mapping[str, Any]) -> None:
    """The spectrum's x label from its table's attrs (``scale``, ``level``, ``horizon``)."""
    level, horizon = attrs.get("level"), attrs.get("horizon")
    if attrs.get("scale") == "standardized":
        ax.set_xlabel("cumulative response, s.d. of the asset's return per s.d. of the shock"
                      + (f" (lags 0..{horizon})" if horizon is not None else "")
                      + (f"; {100 * float(level):.0f}% HDI" if level else ""), fontsize=8)


def plot_spectrum(
    spectrum: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """The asset spectrum map: each asset's response with its interval.

    Parameters
    ----------
    spectrum : pandas.DataFrame
        Index: assets (in display order). Columns: ``mean`` (or ``median``),
        ``lower``, ``upper``; optional ``group`` colours the points by class
        (:data:`CLASS_COLOURS`, the same in every figure); ``attrs`` ``scale``,
        ``level``, ``horizon`` (as :meth:`AssetResponseResults.spectrum` sets
        them) label the axis.
    ax : Axes, optional
        Axes to draw on; default a new figure.
    title : str, optional
        Title of the axes (none by default).
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _ax(ax)
    center = spectrum["mean"] if "mean" in spectrum else spectrum["median"]
    y = np.arange(len(spectrum))
    groups = list(dict.fromkeys(spectrum["group"])) if "group" in spectrum else [None]
    for g in groups:
        m = (spectrum["group"] == g).to_numpy() if g is not None else np.ones(len(spectrum), bool)
        ax.errorbar(
            center[m], y[m],
            xerr=[center[m] - spectrum["lower"][m], spectrum["upper"][m] - center[m]],
            fmt="o", color=class_colour(str(g)) if g is not None else "C0", label=g, capsize=2,
        )
    ax.set_yticks(y, [str(i) for i in spectrum.index])
    ax.axvline(0, color="0.4", lw=0.6)
    _spectrum_axis(ax, spectrum.attrs)
    ax.invert_yaxis()
    if title:
        ax.set_title(title, fontsize=10)
    if groups != [None]:
        ax.legend(fontsize=7)
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


def _band(a: Axes, h: np.ndarray, cell: xr.DataArray, color: str, label: str, *, ls: str = "-") -> None:
    """A response line with its band (if ``cell`` has a ``bound`` dim)."""
    if has_bands(cell):
        a.fill_between(h, cell.sel(bound="lower"), cell.sel(bound="upper"), color=color, alpha=0.18, lw=0)
    cell = point_of(cell)
    a.plot(h, cell, color=color, lw=1.5, ls=ls, label=label)


def plot_lp(
    irf: xr.DataArray,
    lp: Mapping[str, xr.DataArray],
    *,
    lp_state: Mapping[str, xr.DataArray] | None = None,
    state_name: str | None = None,
    axes: Any = None,
    synthetic: bool = False,
    units: Mapping[str, str] | None = None,
    horizon_unit: str = "periods",
) -> Figure:
    """Local projections beside the VAR's responses, one column per link of the chain.

    The first row draws, for each ``"source -> target"`` link, the VAR's
    response of ``target`` to a one-s.d. ``source`` shock and the local
    projection of ``target`` on the same identified shock, each with its band;
    with ``lp_state``, a second row draws the projection in each state.

    Parameters
    ----------
    irf : xarray.DataArray
        The VAR's responses (dims ``horizon, response, shock[, bound]``).
    lp : mapping
        Link -> :meth:`LocalProjectionsResults.irf` output (one response, one shock).
    lp_state : mapping, optional
        Link -> state-dependent projections (a ``state`` dim).
    state_name : str, optional
        The regime definition of the states (for the row's label).
    axes : array of Axes, optional
        ``rows x len(lp)`` axes.
    units : mapping, optional
        Variable -> units.
    horizon_unit : str
        Unit of the horizon axis (``"months"`` for a monthly panel).
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_response(irf)
    units = dict(units or {})
    links = list(lp)
    rows = 2 if lp_state else 1
    fig, ax = _grid(rows, len(links), axes, size=2.8)
    for j, link in enumerate(links):
        source, target = (p.strip() for p in link.split("->"))
        proj = lp[link].sel(response=target, shock=source)
        h = proj.coords["horizon"].values
        var = irf.sel(response=target, shock=source).sel(horizon=h)
        a = ax[0, j]
        _band(a, h, var, "C0", "VAR")
        _band(a, h, proj, "C3", "local projection", ls="--")
        a.axhline(0, color="0.4", lw=0.6)
        size = "one-s.d." if proj.attrs.get("shock_size") == "std" else "one-unit"
        a.set_title(f"{target} to a {size}\n{source} shock", fontsize=8)
        a.set_ylabel(f"{target} ({_short_unit(units.get(target, 'units of the series'))})", fontsize=7)
        if j == 0:
            a.legend(fontsize=6, loc="best")
        a.tick_params(labelsize=7)
        if lp_state:
            b = ax[1, j]
            da = lp_state[link].sel(response=target, shock=source)
            for k, state in enumerate(da.coords["state"].values):
                _band(b, h, da.sel(state=state), f"C{k + 1}", str(state))
            b.axhline(0, color="0.4", lw=0.6)
            b.set_ylabel(f"{target}, by {state_name or 'state'}\n(state of the period before the shock)", fontsize=6)
            if j == 0:
                b.legend(fontsize=6, loc="best")
            b.tick_params(labelsize=7)
        ax[-1, j].set_xlabel(f"horizon ({horizon_unit})", fontsize=8)
    level = lp[links[0]].attrs.get("level") if links else None
    _headline(fig, "Local projections (Jordà 2005) beside the VAR's responses"
              + (f", {100 * float(level):.0f}% pointwise bands" if level else ""), synthetic=synthetic, fontsize=10)
    return fig


def plot_event_effects(
    effects: xr.DataArray,
    *,
    responses: Sequence[str] | None = None,
    events: Sequence[str] | None = None,
    titles: Mapping[str, str] | None = None,
    axes: Any = None,
    synthetic: bool = False,
    units: Mapping[str, str] | None = None,
    horizon_unit: str = "periods",
) -> Figure:
    """Each event's estimated effect on each variable: one row per event, one column per variable.

    Parameters
    ----------
    effects : xarray.DataArray
        :meth:`causalmacro.SVARResults.exog_response` output: the events as
        ``shock``, each effect along its own shape, optionally banded.
    responses : sequence of str, optional
        Columns (default: every variable).
    events : sequence of str, optional
        Rows (default: every event).
    titles : mapping, optional
        Event -> a short title for its row.
    axes : array of Axes, optional
        Axes to draw on, one per panel; default a new figure.
    units : mapping, optional
        Units of the series, for the axis label.
    horizon_unit : str
        Unit of the horizon axis (``"months"`` for a monthly panel).
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_response(effects)
    units = dict(units or {})
    titles = dict(titles or {})
    events = list(events if events is not None else [str(e) for e in effects.coords["shock"].values])
    responses = list(responses if responses is not None else effects.coords["response"].values)
    fig, ax = _grid(len(events), len(responses), axes, size=2.3)
    h = effects.coords["horizon"].values
    for i, event in enumerate(events):
        for j, r in enumerate(responses):
            a = ax[i, j]
            _band(a, h, effects.sel(shock=event, response=r), "C2", "effect")
            a.axhline(0, color="0.4", lw=0.6)
            if i == 0:
                a.set_title(f"{r}\n({_short_unit(units.get(str(r), 'units of the series'))})", fontsize=8)
            if j == 0:
                label = titles.get(event, event)
                a.set_ylabel("\n".join([event, *_wrap(label, 30)] if label != event else [event]), fontsize=6)
            if i == len(events) - 1:
                a.set_xlabel(f"{horizon_unit} after the event", fontsize=7)
            a.tick_params(labelsize=6)
    level = effects.attrs.get("level")
    _headline(fig, "Estimated effects of the events (VAR dummies, each along its own shape)"
              + (f", {100 * float(level):.0f}% {effects.attrs.get('interval', 'bands')}" if level else ""),
              synthetic=synthetic, room=0.4)
    return fig


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [text]


def plot_spectrum_by_regime(
    spectra: Mapping[str, pd.DataFrame],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    synthetic: bool = False,
) -> Figure:
    """The asset spectrum map in each regime: one marker per regime, side by side per asset.

    Parameters
    ----------
    spectra : mapping
        Regime label -> :meth:`AssetResponseResults.spectrum` table (same assets).
    ax : Axes, optional
        Axes to draw on; default a new figure.
    title : str, optional
        Title of the axes (none by default).
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, ax = _ax(ax, figsize=(7, 4.5))
    labels = list(spectra)
    first = spectra[labels[0]]
    assets = list(first.index)
    y = np.arange(len(assets))
    markers = ["o", "s", "^", "D"]
    offsets = np.linspace(-0.18, 0.18, len(labels)) if len(labels) > 1 else np.zeros(1)
    for k, label in enumerate(labels):
        table = spectra[label].reindex(assets)
        center = table["mean"] if "mean" in table else table["median"]
        colours = [class_colour(str(g)) for g in table["group"]] if "group" in table else ["C0"] * len(table)
        for i in range(len(assets)):
            ax.errorbar(center.iloc[i], y[i] + offsets[k],
                        xerr=[[center.iloc[i] - table["lower"].iloc[i]], [table["upper"].iloc[i] - center.iloc[i]]],
                        fmt=markers[k % len(markers)], color=colours[i],
                        mfc=colours[i] if k == 0 else "white", capsize=2, ms=5)
        ax.plot([], [], markers[k % len(markers)], color="0.3", mfc="0.3" if k == 0 else "white", label=str(label))
    ax.set_yticks(y, [str(a) for a in assets])
    ax.axvline(0, color="0.4", lw=0.6)
    _spectrum_axis(ax, first.attrs)
    ax.invert_yaxis()
    markers_legend = ax.legend(fontsize=7, title="regime (marker)", title_fontsize=7, loc="upper left")
    if "group" in first:
        from matplotlib.lines import Line2D

        ax.add_artist(markers_legend)
        handles = [Line2D([], [], color=class_colour(str(g)), lw=2, label=str(g)) for g in dict.fromkeys(first["group"])]
        ax.legend(handles=handles, fontsize=7, title="class (colour)", title_fontsize=7, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_position(
    position: Any,
    *,
    ax: Axes | None = None,
    synthetic: bool = False,
    units: Mapping[str, str] | None = None,
) -> Figure:
    """Where the chain stands now: each link's latest value as a percentile of its history.

    Each row is a variable of the chain, top to bottom in causal order: a dot
    at the latest value's percentile in the sample, labelled with the value and
    its direction over the last 3 and 6 periods; the current regimes are listed
    under the title.

    Parameters
    ----------
    position : CyclePosition
        From :func:`causalmacro.cycle_position` (``RunResults.position``).
    ax : Axes, optional
        Axes to draw on; default a new figure.
    units : mapping, optional
        Units of the series, for the axis label.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    units = dict(units or {})
    links = position.links
    fig, ax = _ax(ax, figsize=(7.5, 0.55 * len(links) + 1.8))
    y = np.arange(len(links))
    arrows = {"rising": "\u2191", "falling": "\u2193", "flat": "\u2192", "n/a": "?"}
    ax.hlines(y, 0, 100, color="0.85", lw=6)
    ax.vlines(50, -0.5, len(links) - 0.5, color="0.6", lw=0.6, ls=":")
    for i, (name, row) in enumerate(links.iterrows()):
        ax.plot(row["percentile"], i, "o", color="C3", ms=9, zorder=3)
        unit = units.get(str(name), "")
        ax.annotate(f"{row['value']:.3g} {'%' if unit == 'Percent' else _short_unit(unit)}   "
                    f"3: {arrows[row['direction_3']]}  6: {arrows[row['direction_6']]}",
                    (row["percentile"], i), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(y, [str(n) for n in links.index])
    ax.set_ylim(len(links) - 0.4, -0.8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("percentile of the latest value in the sample's history "
                  "(arrows: direction over the last 3 and 6 periods)", fontsize=8)
    regimes = [f"{n}: {r['label']}" for n, r in position.regimes.iterrows() if isinstance(r["label"], str)]
    ax.set_title(f"Where the chain stands at {position.date:%Y-%m-%d}"
                 + (("\n" + ", ".join(regimes)) if regimes else ""), fontsize=9)
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_spec_curve(
    curve: pd.DataFrame,
    *,
    axes: Any = None,
    synthetic: bool = False,
    units: str | None = None,
) -> Figure:
    """A specification curve (Simonsohn, Simmons & Nelson 2020): every specification's estimate, sorted.

    The upper panel draws each specification's point estimate with its band,
    sorted from the lowest to the highest, coloured by whether the band excludes
    zero; the lower panel marks each specification's choices (lag length,
    window, identification, whether the ordering puts the source first).

    Parameters
    ----------
    curve : DataFrame
        :meth:`causalmacro.specgrid.GridResults.curve` output.
    axes : pair of Axes, optional
        Axes to draw on, one per panel; default a new figure.
    units : str, optional
        Units of the target variable.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if axes is None:
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1.4]})
    else:
        top, bottom = axes
        fig = top.figure
    x = np.arange(len(curve))
    sig_pos = (curve["lower"] > 0).to_numpy()
    sig_neg = (curve["upper"] < 0).to_numpy()
    colour = np.where(sig_pos, "C0", np.where(sig_neg, "C3", "0.6"))
    top.vlines(x, curve["lower"], curve["upper"], colors=colour, lw=0.6, alpha=0.5)
    top.scatter(x, curve["point"], c=colour, s=4, zorder=3)
    top.axhline(0, color="0.3", lw=0.6)
    link = curve.attrs.get("link", "")
    at = curve.attrs.get("at", "impact")
    level = curve.attrs.get("level")
    top.set_ylabel(f"{'impact' if at == 'impact' else 'peak'} response\n({_short_unit(units or 'units of the series')})",
                   fontsize=8)
    top.set_title(f"Specification curve: {link}, one-s.d. shock, {len(curve)} specifications"
                  + (f", {100 * float(level):.0f}% bands" if level else "")
                  + f"\n{sig_pos.mean():.0%} positive and {sig_neg.mean():.0%} negative with the band excluding zero "
                    "(blue, red); grey: band includes zero", fontsize=9)
    rows: list[tuple[str, np.ndarray]] = []
    for value in sorted(curve["lags"].unique()):
        rows.append((f"lags = {value}", (curve["lags"] == value).to_numpy()))
    if curve["identification"].nunique() > 1:
        for value in curve["identification"].unique():
            rows.append((str(value), (curve["identification"] == value).to_numpy()))
    rows.append(("source ordered first", curve["source_first"].to_numpy(dtype=bool)))
    for r, (_, mask) in enumerate(rows):
        bottom.scatter(x[mask], np.full(mask.sum(), r), s=3, marker="|", color="0.2")
    windows = pd.Categorical(curve["window"])
    bottom.scatter(x, np.full(len(x), len(rows)) + windows.codes / max(1, len(windows.categories)) * 0.9, s=2,
                   c=windows.codes, cmap="viridis")
    bottom.set_yticks([*list(range(len(rows))), len(rows) + 0.45],
                      [name for name, _ in rows] + ["window (colour: early to late)"], fontsize=7)
    bottom.set_ylim(-0.7, len(rows) + 1.2)
    bottom.invert_yaxis()
    bottom.set_xlabel("specifications, sorted by the estimate", fontsize=8)
    _banner(fig, synthetic)
    fig.tight_layout()
    return fig


CLASS_COLOURS = {"crypto": "#e07b00", "equity": "#1f77b4", "safe_haven": "#7f7f7f", "credit": "#9467bd"}
"""One colour per asset class, in every figure; other classes cycle through the tab10 palette."""


def class_colour(group: str) -> str:
    """The colour of an asset class (stable across figures and runs)."""
    if group in CLASS_COLOURS:
        return CLASS_COLOURS[group]
    palette = ["#2ca02c", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#d62728"]
    return palette[sum(map(ord, group)) % len(palette)]


def plot_graph(
    graph: nx.DiGraph,
    *,
    ax: Axes | None = None,
    synthetic: bool = False,
    rank_shock: str | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the dependency graph left to right along the chain, the assets in a column at its end.

    Chain variables sit on a row in chain order (inflation -> rates -> liquidity
    -> risk appetite -> ...); the asset model's assets sit in a column on the
    right, ordered by their response to ``rank_shock`` (default: the shock with
    the most significant asset edges), so the spectrum reads top to bottom.
    Only significant edges are drawn (the graph keeps the others, flagged).
    Chain edges arc above the row, width by the peak response relative to the
    target's own-shock peak, colour by sign, each with a small inset of its
    impulse response (band, zero line) labelled ``source -> target``; asset
    edges are straight, coloured by sign, drawn more opaque the higher the
    posterior probability of that sign.

    Parameters
    ----------
    graph : networkx.DiGraph
        From :func:`causalmacro.graph.dependency_graph`.
    ax : Axes, optional
        Axes to draw on; default a new figure.
    synthetic : bool
        Mark the figure as drawn from synthetic data.
    rank_shock : str, optional
        Shock whose asset responses order the asset column.
    title : str, optional
        Default: the graph's significance rule and band level.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    fig, ax = _ax(ax, figsize=(12, 6.5))
    edges = [(u, v, d) for u, v, d in graph.edges(data=True) if is_significant(u, v, d)]
    chain = sorted((n for n, d in graph.nodes(data=True) if d.get("kind", "chain") != "asset"),
                   key=lambda n: graph.nodes[n].get("order", 0))
    asset_edges = [(u, v, d) for u, v, d in edges if d.get("kind") == "asset"]
    if rank_shock is None and asset_edges:
        counts: dict[str, int] = {}
        for u, _, _ in asset_edges:
            counts[u] = counts.get(u, 0) + 1
        rank_shock = max(counts, key=lambda k: counts[k])
    assets = [n for n, d in graph.nodes(data=True) if d.get("kind") == "asset"]
    score = {a: (graph.edges[rank_shock, a]["peak"] if rank_shock and graph.has_edge(rank_shock, a) else 0.0)
             for a in assets}
    assets = sorted(assets, key=lambda a: -score[a])
    # arcs of consecutive spans put their insets half a spacing apart: 2.8 keeps an inset clear of its neighbours
    # with its title and tick labels (at 2.0 they overlapped wherever every link of a 5-variable chain was drawn)
    spacing = 2.8
    pos = {n: (spacing * i, 0.0) for i, n in enumerate(chain)}
    x_assets = spacing * (len(chain) - 1) + 2.6
    for j, a in enumerate(assets):
        pos[a] = (x_assets, 1.9 - 3.8 * j / max(len(assets) - 1, 1))
    chain_peaks = [abs(d.get("peak_relative", 0.0)) for *_, d in edges if d.get("kind", "chain") == "chain"] or [1.0]
    top = max(max(chain_peaks), 1e-12)
    for u, v, d in edges:
        positive = float(d.get("peak", 0.0)) >= 0
        colour = "seagreen" if positive else "firebrick"
        if d.get("kind") == "asset":
            alpha = 0.25 + 0.7 * max(0.0, (float(d.get("prob_sign") or 0.5) - 0.5) * 2)
            ax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=9, color=colour,
                                         alpha=alpha, lw=1.0, shrinkA=14, shrinkB=12, zorder=1))
            continue
        rad = -0.35  # forward edges (down the chain) arc above the row, feedback edges below
        width = 0.8 + 4.0 * abs(float(d.get("peak_relative", 0.0))) / top
        ax.add_patch(FancyArrowPatch(pos[u], pos[v], connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                     mutation_scale=12, color=colour, lw=width, alpha=0.85, shrinkA=22, shrinkB=22))
        _edge_inset(ax, pos[u], pos[v], rad, d, f"{u} -> {v}", colour)
    for n in chain:
        ax.scatter(*pos[n], s=1900, facecolor="white", edgecolor="0.2", zorder=3)
        ax.text(*pos[n], n.replace("_", "\n"), ha="center", va="center", fontsize=8, zorder=4)
    for a in assets:
        colour = class_colour(str(graph.nodes[a].get("group", "")))
        ax.scatter(*pos[a], s=500, facecolor=colour, edgecolor="0.2", zorder=3, alpha=0.9)
        ax.text(pos[a][0] + 0.35, pos[a][1], a, ha="left", va="center", fontsize=8)
    handles = [Line2D([], [], color="seagreen", lw=2, label="positive response"),
               Line2D([], [], color="firebrick", lw=2, label="negative response"),
               Line2D([], [], color="0.3", lw=0.8, label="thin: small peak (relative to own shock)"),
               Line2D([], [], color="0.3", lw=4.8, label="thick: large peak")]
    groups = sorted({str(graph.nodes[a].get("group", "")) for a in assets})
    handles += [Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor=class_colour(g),
                       markeredgecolor="0.2", label=f"asset class: {g}") for g in groups]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False, ncol=2)
    reach = 0.175 * spacing * max(len(chain) - 1, 1) + 0.4
    ax.set_xlim(-0.8, (x_assets + 1.8) if assets else spacing * (len(chain) - 1) + 0.8)
    ax.set_ylim(-max(reach, 2.2) - 0.9, max(reach, 2.2))
    ax.set_axis_off()
    level = graph.graph.get("level")
    ident, sample = graph.graph.get("identification"), graph.graph.get("sample")
    default = ("Dependency graph: significant responses"
               + (f" ({100 * float(level):.0f}% bands)" if level else "")
               + (f", {ident} identification" if ident else "") + (f", {sample}" if sample else "")
               + (f"; assets ordered by their response to a {rank_shock} shock" if rank_shock and assets else ""))
    ax.set_title(title or default, fontsize=10)
    _banner(fig, synthetic)
    return fig


def _edge_inset(ax: Axes, a: tuple[float, float], b: tuple[float, float], rad: float, d: dict[str, Any],
                label: str, colour: str) -> None:
    """A small axes with the edge's impulse response, centred on the apex of its arc.

    Matplotlib's ``arc3`` puts the control point at ``mid + rad (dy, -dx)``; the
    apex of the quadratic curve is half-way from the chord's middle to it.
    """
    path = d.get("irf")
    if path is None or len(path) < 2:
        return
    dx, dy = b[0] - a[0], b[1] - a[1]
    ax_x = (a[0] + b[0]) / 2 + 0.5 * rad * dy
    ax_y = (a[1] + b[1]) / 2 - 0.5 * rad * dx
    w, h_ = 0.9, 0.27
    inset = ax.inset_axes((ax_x - w / 2, ax_y - h_ / 2, w, h_), transform=ax.transData)
    h = np.arange(len(path))
    band = d.get("band")
    if band is not None:
        inset.fill_between(h, band[0], band[1], color=colour, alpha=0.2, lw=0)
    inset.plot(h, path, color=colour, lw=1.0)
    inset.axhline(0, color="0.4", lw=0.5)
    inset.set_title(label, fontsize=5.5, pad=1)
    inset.tick_params(labelsize=4.5, length=1.5, pad=1)
    for spine in inset.spines.values():
        spine.set_linewidth(0.4)


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 110) -> None:
    """Write a figure to ``path`` (format from the suffix) and release it."""
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)


def _ax(ax: Axes | None, figsize: tuple[float, float] = (7, 4)) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]
