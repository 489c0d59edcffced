"""Figures of the asset model and the cycle position: the spectrum map, by regime, where the chain stands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError

from ._common import (
    banner,
    class_colour,
    column,
    one_ax,
    resolve_units,
    shock_phrase,
    short_unit,
    title_or,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_position", "plot_spectrum", "plot_spectrum_by_regime"]


def _spectrum_axis(ax: Axes, attrs: Mapping[str, Any]) -> None:
    """The spectrum's x label from its table's attrs (``scale``, ``level``, ``horizon``)."""
    level, horizon, scale = attrs.get("level"), attrs.get("horizon"), attrs.get("scale")
    if scale is None:
        return
    what = {"standardized": "s.d. of the asset's return per s.d. of the shock",
            "data": "the asset's return units per s.d. of the shock"}.get(str(scale), f"{scale} scale")
    ax.set_xlabel(f"cumulative response, {what}"
                  + (f" (lags 0..{horizon})" if horizon is not None else "")
                  + (f"; {100 * float(level):.0f}% HDI" if level else ""), fontsize=8)


def _spectrum_title(attrs: Mapping[str, Any], by: str | None = None) -> str:
    """``"Asset spectrum: cumulative response to a one-s.d. liq shock"`` from the table's attrs."""
    size, shock = shock_phrase(attrs), attrs.get("shock")
    where = f" by {by}" if by else (f" ({attrs['regime']} regime)" if attrs.get("regime") is not None else "")
    return f"Asset spectrum{where}" + (f": cumulative response to a {size + ' ' if size else ''}{shock} shock" if shock else "")


def _table(spectrum: Any, shock: str | None, options: Mapping[str, Any]) -> pd.DataFrame:
    """The spectrum table: ``spectrum`` itself, or ``spectrum.spectrum(shock, **options)`` of asset results."""
    if isinstance(spectrum, pd.DataFrame):
        if options:
            raise ArgumentError(f"{next(iter(options))}: only with asset results (a table is already computed)")
        if shock is not None and spectrum.attrs.get("shock") not in (None, shock):
            raise ArgumentError(f"shock: {shock!r} but the table is the spectrum of {spectrum.attrs['shock']!r}")
        return spectrum
    if not callable(getattr(spectrum, "spectrum", None)):
        raise ArgumentError(f"spectrum: a spectrum table or AssetResponseResults, got {type(spectrum).__name__}")
    if shock is None:
        raise ArgumentError("shock: required with AssetResponseResults (the shock whose spectrum is drawn)")
    table: pd.DataFrame = spectrum.spectrum(shock, **options)
    return table


def plot_spectrum(
    spectrum: Any,
    shock: str | None = None,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    **spectrum_options: Any,
) -> Figure:
    """The asset spectrum map: each asset's response with its interval.

    ``plot_spectrum(post, "liq")`` and ``plot_spectrum(post.spectrum("liq"))``
    draw the same figure.

    Parameters
    ----------
    spectrum : AssetResponseResults or pandas.DataFrame
        The asset results (then ``shock`` is required), or a table as
        :meth:`AssetResponseResults.spectrum` returns: index assets (in display
        order); columns ``mean``, ``lower``, ``upper``; optional ``group``
        colours the points by class (:data:`CLASS_COLOURS`, the same in every
        figure); ``attrs`` ``scale``, ``level``, ``horizon``, ``shock`` label it.
    shock : str, optional
        The shock whose spectrum is drawn (with asset results).
    ax : Axes, optional
        Axes to draw on; default a new figure.
    title : str, optional
        None for the default from the attrs (the shock), ``""`` for none.
    units : mapping, optional
        Unused (the axis says the scale); accepted for the common signature.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).
    **spectrum_options
        With asset results: passed to :meth:`AssetResponseResults.spectrum`
        (``regime=``, ``horizon=``, ``level=``, ``scale=``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = _table(spectrum, shock, spectrum_options)
    resolve_units(units, table.attrs, function="plot_spectrum")
    center, lower, upper = (column(table, c, "spectrum") for c in ("mean", "lower", "upper"))
    fig, ax = one_ax(ax)
    y = np.arange(len(table))
    groups = list(dict.fromkeys(table["group"])) if "group" in table else [None]
    for g in groups:
        m = (table["group"] == g).to_numpy() if g is not None else np.ones(len(table), bool)
        ax.errorbar(
            center[m], y[m], xerr=[center[m] - lower[m], upper[m] - center[m]],
            fmt="o", color=class_colour(str(g)) if g is not None else "C0", label=g, capsize=2,
        )
    fixed = table["by_construction"].to_numpy(bool) if "by_construction" in table else np.zeros(len(table), bool)
    ax.set_yticks(y, [f"{i} (= the shock, by construction)" if f else str(i) for i, f in zip(table.index, fixed,
                                                                                              strict=True)])
    for tick, f in zip(ax.get_yticklabels(), fixed, strict=True):
        if f:
            tick.set_color("0.5")
            tick.set_fontstyle("italic")
    ax.axvline(0, color="0.4", lw=0.6)
    _spectrum_axis(ax, table.attrs)
    ax.invert_yaxis()
    text = title_or(title, _spectrum_title(table.attrs))
    if text:
        ax.set_title(text, fontsize=10)
    if groups != [None]:
        ax.legend(fontsize=7)
    banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_spectrum_by_regime(
    spectra: Mapping[str, pd.DataFrame],
    *,
    ax: Axes | None = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
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
        None for the default from the tables' attrs (the shock), ``""`` for none.
    units : mapping, optional
        Unused (the axis says the scale); accepted for the common signature.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.lines import Line2D

    labels = list(spectra)
    if not labels:
        raise ArgumentError("spectra: no regime given")
    first = spectra[labels[0]]
    resolve_units(units, first.attrs, function="plot_spectrum_by_regime")
    fig, ax = one_ax(ax, figsize=(7, 4.5))
    assets = list(first.index)
    y = np.arange(len(assets))
    markers = ["o", "s", "^", "D"]
    offsets = np.linspace(-0.18, 0.18, len(labels)) if len(labels) > 1 else np.zeros(1)
    for k, label in enumerate(labels):
        table = spectra[label].reindex(assets)
        center, lower, upper = (column(table, c, f"spectra[{label!r}]") for c in ("mean", "lower", "upper"))
        colours = [class_colour(str(g)) for g in table["group"]] if "group" in table else ["C0"] * len(table)
        for i in range(len(assets)):
            ax.errorbar(center.iloc[i], y[i] + offsets[k],
                        xerr=[[center.iloc[i] - lower.iloc[i]], [upper.iloc[i] - center.iloc[i]]],
                        fmt=markers[k % len(markers)], color=colours[i],
                        mfc=colours[i] if k == 0 else "white", capsize=2, ms=5)
        ax.plot([], [], markers[k % len(markers)], color="0.3", mfc="0.3" if k == 0 else "white", label=str(label))
    ax.set_yticks(y, [str(a) for a in assets])
    ax.axvline(0, color="0.4", lw=0.6)
    _spectrum_axis(ax, first.attrs)
    ax.invert_yaxis()
    markers_legend = ax.legend(fontsize=7, title="regime (marker)", title_fontsize=7, loc="upper left")
    if "group" in first:
        ax.add_artist(markers_legend)
        handles = [Line2D([], [], color=class_colour(str(g)), lw=2, label=str(g)) for g in dict.fromkeys(first["group"])]
        ax.legend(handles=handles, fontsize=7, title="class (colour)", title_fontsize=7, loc="lower right")
    text = title_or(title, _spectrum_title(first.attrs, by="regime"))
    if text:
        ax.set_title(text, fontsize=10)
    banner(fig, synthetic)
    fig.tight_layout()
    return fig


def plot_position(
    position: Any,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
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
    title : str, optional
        None for the default (the date and the current regimes), ``""`` for none.
    units : mapping, optional
        Units of the series, for the values' labels.
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    units = resolve_units(units, {}, function="plot_position")
    links = position.links
    fig, ax = one_ax(ax, figsize=(7.5, 0.55 * len(links) + 1.8))
    y = np.arange(len(links))
    arrows = {"rising": "\u2191", "falling": "\u2193", "flat": "\u2192", "n/a": "?"}
    ax.hlines(y, 0, 100, color="0.85", lw=6)
    ax.vlines(50, -0.5, len(links) - 0.5, color="0.6", lw=0.6, ls=":")
    for i, (name, row) in enumerate(links.iterrows()):
        ax.plot(row["percentile"], i, "o", color="C3", ms=9, zorder=3)
        unit = units.get(str(name), "")
        ax.annotate(f"{row['value']:.3g} {'%' if unit == 'Percent' else short_unit(unit)}   "
                    f"3: {arrows[row['direction_3']]}  6: {arrows[row['direction_6']]}",
                    (row["percentile"], i), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=7)
    ax.set_yticks(y, [str(n) for n in links.index])
    ax.set_ylim(len(links) - 0.4, -0.8)
    ax.set_xlim(0, 100)
    ax.set_xlabel("percentile of the latest value in the sample's history "
                  "(arrows: direction over the last 3 and 6 periods)", fontsize=8)
    regimes = [f"{n}: {r['label']}" for n, r in position.regimes.iterrows() if isinstance(r["label"], str)]
    default = f"Where the chain stands at {position.date:%Y-%m-%d}" + (("\n" + ", ".join(regimes)) if regimes else "")
    text = title_or(title, default)
    if text:
        ax.set_title(text, fontsize=9)
    banner(fig, synthetic)
    fig.tight_layout()
    return fig
