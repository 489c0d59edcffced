"""Figures of the structural VAR: impulse responses, variance and historical decompositions, channels, events."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from causalmacro.errors import ArgumentError
from causalmacro.labelled import check_response, has_bands, point_of

from ._common import (
    band,
    banner,
    grid,
    headline,
    horizon_unit_of,
    legacy_keywords,
    level_phrase,
    one_ax,
    resolve_units,
    shock_phrase,
    short_unit,
    title_or,
    unit_of,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_channels", "plot_event_effects", "plot_fevd", "plot_historical_decomposition", "plot_irf"]

_IRF_SHOCKS = {"std": "one-s.d. structural shocks", "unit": "unit shocks",
               "unit innovation": "one-unit forecast errors (not orthogonalised)"}


def _names(da: xr.DataArray, dim: str, chosen: Sequence[str] | None, argument: str) -> list[str]:
    """``chosen`` (default every coordinate of ``dim``), checked: an unknown name is an ArgumentError."""
    have = [str(v) for v in da.coords[dim].values]
    if chosen is None:
        return have
    if isinstance(chosen, str):
        chosen = [chosen]
    for name in chosen:
        if str(name) not in have:
            raise ArgumentError(f"{argument}: {name!r} is not a {dim} of the data; the {dim}s are {have}")
    return [str(n) for n in chosen]


def plot_irf(
    irf: xr.DataArray,
    responses: Sequence[str] | None = None,
    shocks: Sequence[str] | None = None,
    *,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    color: str = "C0",
    horizon_unit: str | None = None,
) -> Figure:
    """Grid of impulse responses: one row per response, one column per shock.

    Each column is titled with its shock and, for one-standard-deviation shocks
    (``attrs["shock_size"] == "std"``), the impact on the shock's own variable in
    that variable's units; each row is labelled with its variable and units. The
    title says the shock size and the band's level and kind, from the attrs.

    Parameters
    ----------
    irf : xarray.DataArray
        Dims ``("horizon", "response", "shock")``, optionally with ``bound``
        (``point``/``lower``/``upper``) for a shaded band, and optionally with
        ``identification``: the responses under several schemes, drawn over one
        another in their own colours with a legend (as the main job's
        ``irf_compare`` figure, ``[var] compare``).
    responses, shocks : sequence of str, optional
        Rows and columns, in order (default: all).
    axes : array of Axes, optional
        ``len(responses) x len(shocks)`` axes to draw on (a multi-panel figure).
    title : str, optional
        Figure title; None for the default from the attrs, ``""`` for none.
    units : mapping, optional
        Variable -> units of its series (e.g. ``Panel.columns[name].units``);
        default ``irf.attrs["units"]`` if it is a mapping.
    synthetic : bool
        Mark the figure as drawn from synthetic data.
    color : str
        Matplotlib colour of the point responses and their bands.
    horizon_unit : str, optional
        Unit of the horizon axis; default the data's ``attrs["horizon_unit"]``
        (``"months"`` for an SVAR fitted on monthly data), else ``"periods"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    schemes = [str(x) for x in irf["identification"].values] if "identification" in irf.dims else [""]
    layers = [irf.sel(identification=n) if n else irf for n in schemes]
    for layer in layers:
        check_response(layer)
    units = resolve_units(units, irf.attrs, function="plot_irf")
    horizon_unit = horizon_unit_of(horizon_unit, irf.attrs)
    responses = _names(layers[0], "response", responses, "responses")
    shocks = _names(layers[0], "shock", shocks, "shocks")
    fig, ax = grid(len(responses), len(shocks), axes)
    h = irf.coords["horizon"].values
    banded = has_bands(layers[0])
    colours = [color] if len(layers) == 1 else [f"C{k}" for k in range(len(layers))]
    kinds = ([str(b) for b in irf["bands"].values] if "bands" in irf.coords and "identification" in irf.dims
             else [])
    legend = {n: f"{n} ({kind})" for n, kind in zip(schemes, kinds, strict=True)} if len(set(kinds)) > 1 else {}
    for i, r in enumerate(responses):
        for j, s in enumerate(shocks):
            a = ax[i, j]
            for name, layer, c in zip(schemes, layers, colours, strict=True):
                cell = layer.sel(response=r, shock=s)
                if banded and not np.isnan(cell.sel(bound="lower").values).all():
                    a.fill_between(h, cell.sel(bound="lower"), cell.sel(bound="upper"), color=c,
                                   alpha=0.25 if len(layers) == 1 else 0.15, lw=0)
                a.plot(h, point_of(cell), color=c, lw=1.5, label=legend.get(name, name) or None)
            a.axhline(0, color="0.4", lw=0.6)
            if i == 0:
                a.set_title(_shock_label(irf, s, units), fontsize=8)
            if j == 0:
                a.set_ylabel(f"{r}\n({short_unit(unit_of(units, r))})", fontsize=7)
            if i == len(responses) - 1:
                a.set_xlabel(f"horizon ({horizon_unit})", fontsize=8)
            a.tick_params(labelsize=7)
    size = irf.attrs.get("shock_size")
    to = "" if size is None else f" to {_IRF_SHOCKS.get(str(size), f'shocks ({size})')}"
    default = f"Impulse responses{to}" + (level_phrase(irf.attrs, "bands") if banded else "")
    if len(layers) > 1:
        default = default.replace("Impulse responses", "Impulse responses by identification", 1)
        if legend:  # schemes banded differently: each says its own band in the legend
            default = f"Impulse responses by identification to {_IRF_SHOCKS.get(str(size), 'shocks')}, each with its own bands"
        ax[0, -1].legend(fontsize=7, frameon=False, title="identification", title_fontsize=7, loc="upper left",
                         bbox_to_anchor=(1.02, 1.0))
    headline(fig, title_or(title, default), synthetic=synthetic, fontsize=10)
    return fig


def _shock_label(irf: xr.DataArray, shock: str, units: Mapping[str, str]) -> str:
    """``"shock: x\\n1 s.d. = +2.4 units"`` for one-s.d. shocks whose own variable is a response."""
    if (irf.attrs.get("shock_size") != "std" or shock not in [str(r) for r in irf.coords["response"].values]
            or "identification" in irf.dims):  # each scheme's shock has its own size
        return f"shock: {shock}"
    own = irf.sel(response=shock, shock=shock, horizon=irf.coords["horizon"].values[0])
    value = float(point_of(own))
    return f"shock: {shock}\n1 s.d. = {value:+.3g} {short_unit(units.get(shock, ''))}"


def plot_fevd(
    fevd: xr.DataArray,
    response: str,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    horizon_unit: str | None = None,
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
    title : str, optional
        None for ``"Variance decomposition of <response>"``, ``""`` for none.
    units : mapping, optional
        Unused (variance shares have no units); accepted for the common signature.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).
    horizon_unit : str, optional
        Unit of the horizon axis; default the data's ``attrs["horizon_unit"]``
        (``"months"`` for an SVAR fitted on monthly data), else ``"periods"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_response(fevd)
    resolve_units(units, fevd.attrs, function="plot_fevd")
    horizon_unit = horizon_unit_of(horizon_unit, fevd.attrs)
    fevd = point_of(fevd)
    (response,) = _names(fevd, "response", [response], "response")
    fig, ax = one_ax(ax)
    shares = fevd.sel(response=response).transpose("horizon", "shock")
    h = shares.coords["horizon"].values
    ax.stackplot(h, shares.values.T, labels=[str(s) for s in shares.coords["shock"].values], alpha=0.85)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"forecast horizon ({horizon_unit})")
    ax.set_ylabel("share of forecast-error variance")
    ax.set_title(title_or(title, f"Variance decomposition of {response}"), fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_historical_decomposition(
    hd: xr.DataArray,
    response: str | None = None,
    *,
    last: int | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    **deprecated: Any,
) -> Figure:
    """Contributions of each shock (stacked bars) to one variable over time.

    Parameters
    ----------
    hd : xarray.DataArray
        Dims ``("time", "response", "shock")``; a shock coordinate named
        ``"deterministic"`` or similar is drawn like the others. The data
        (the sum) is drawn as a line.
    response : str
        The variable decomposed (formerly ``variable=``, deprecated).
    last : int, optional
        Only the last ``last`` periods ("which link drove the last months").
    ax : Axes, optional
        Axes to draw on; default a new figure.
    title : str, optional
        None for ``"Historical decomposition of <response>"``, ``""`` for none.
    units : mapping, optional
        Variable -> units, for the axis label (a plain string is deprecated).
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    renamed = legacy_keywords("plot_historical_decomposition", deprecated, {"variable": "response"},
                              ["hd", "response", "last", "ax", "title", "units", "synthetic"])
    response = renamed.get("response", response)
    if response is None:
        raise ArgumentError("response: the variable to decompose is required")
    (response,) = _names(hd, "response", [response], "response")
    units = resolve_units(units, hd.attrs, function="plot_historical_decomposition", name=response)
    fig, ax = one_ax(ax)
    part = hd.sel(response=response).transpose("time", "shock")
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
    ax.set_title(title_or(title, f"Historical decomposition of {response}"), fontsize=10)
    ax.set_ylabel(f"contribution ({unit_of(units, response)})", fontsize=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    banner(fig, synthetic)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def plot_channels(
    channels: Mapping[str, xr.DataArray],
    response: str,
    *,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    horizon_unit: str | None = None,
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
        One axes per shock (a multi-panel figure).
    title : str, optional
        None for the default (the channels held), ``""`` for none.
    units : mapping, optional
        Variable -> units (a plain string, the units of ``response``, is deprecated).
    synthetic : bool
    horizon_unit : str, optional
        Unit of the horizon axis; default the data's ``attrs["horizon_unit"]``, else ``"periods"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    shocks = list(channels)
    first = channels[shocks[0]].attrs if shocks else {}
    units = resolve_units(units, first, function="plot_channels", name=response)
    horizon_unit = horizon_unit_of(horizon_unit, first)
    fig, ax = grid(1, len(shocks), axes, size=3.2)
    for j, shock in enumerate(shocks):
        a = ax[0, j]
        (response,) = _names(channels[shock], "response", [response], "response")
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
        size = shock_phrase(da.attrs)
        a.set_title(f"{response} to a {size + ' ' if size else ''}{shock} shock", fontsize=9)
        a.set_xlabel(f"horizon ({horizon_unit})", fontsize=8)
        if j == 0:
            a.set_ylabel(f"{response} ({unit_of(units, response)})", fontsize=8)
        a.tick_params(labelsize=7)
    ax[0, -1].legend(fontsize=6, loc="best")
    chans = str(first.get("channels", ""))
    default = (f"Channel decomposition: responses with {chans.replace(',', ' and ')} held at zero "
               "(estimated dynamics held fixed: Lucas critique applies)")
    headline(fig, title_or(title, default), synthetic=synthetic)
    return fig


def plot_event_effects(
    effects: xr.DataArray,
    responses: Sequence[str] | None = None,
    events: Sequence[str] | None = None,
    *,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    titles: Mapping[str, str] | None = None,
    horizon_unit: str | None = None,
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
    axes : array of Axes, optional
        Axes to draw on, one per panel (a multi-panel figure); default a new figure.
    title : str, optional
        Figure title; None for the default (with the band's level), ``""`` for none.
    units : mapping, optional
        Units of the series, for the axis label; default ``effects.attrs["units"]``.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).
    titles : mapping, optional
        Event -> a short title for its row.
    horizon_unit : str, optional
        Unit of the horizon axis; default the data's ``attrs["horizon_unit"]``
        (``"months"`` for an SVAR fitted on monthly data), else ``"periods"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_response(effects)
    units = resolve_units(units, effects.attrs, function="plot_event_effects")
    horizon_unit = horizon_unit_of(horizon_unit, effects.attrs)
    titles = dict(titles or {})
    events = _names(effects, "shock", events, "events")
    responses = _names(effects, "response", responses, "responses")
    fig, ax = grid(len(events), len(responses), axes, size=2.3)
    h = effects.coords["horizon"].values
    for i, event in enumerate(events):
        for j, r in enumerate(responses):
            a = ax[i, j]
            band(a, h, effects.sel(shock=event, response=r), "C2", "effect")
            a.axhline(0, color="0.4", lw=0.6)
            if i == 0:
                a.set_title(f"{r}\n({short_unit(unit_of(units, r))})", fontsize=8)
            if j == 0:
                label = titles.get(event, event)
                lines = [event, *(textwrap.wrap(label, 30) or [label])] if label != event else [event]
                a.set_ylabel("\n".join(lines), fontsize=6)
            if i == len(events) - 1:
                a.set_xlabel(f"{horizon_unit} after the event", fontsize=7)
            a.tick_params(labelsize=6)
    default = ("Estimated effects of the events (VAR dummies, each along its own shape)"
               + (level_phrase(effects.attrs, "bands") if has_bands(effects) else ""))
    headline(fig, title_or(title, default), synthetic=synthetic, room=0.4)
    return fig
