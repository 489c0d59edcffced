"""Figure of the specification grid: the specification curve (Simonsohn, Simmons & Nelson 2020)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ._common import banner, column, resolve_units, shock_phrase, short_unit, title_or, unit_of

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_spec_curve"]


def plot_spec_curve(
    curve: pd.DataFrame,
    *,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
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
        Axes to draw on, one per panel (a two-panel figure); default a new figure.
    title : str, optional
        Title of the upper panel; None for the default from the attrs (link,
        shock size, band level, the shares of signs), ``""`` for none.
    units : mapping, optional
        Variable -> units; the target's is used (a plain string, the target's
        units, is deprecated).
    synthetic : bool
        Mark the figure as drawn from synthetic data (a banner across the top).

    Returns
    -------
    matplotlib.figure.Figure
    """
    point, lower, upper = (column(curve, c, "curve") for c in ("point", "lower", "upper"))
    link = str(curve.attrs.get("link", ""))
    target = link.split("->")[-1].strip() if "->" in link else None
    units = resolve_units(units, curve.attrs, function="plot_spec_curve", name=target)
    if axes is None:
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, gridspec_kw={"height_ratios": [2, 1.4]})
    else:
        top, bottom = axes
        fig = top.figure
    x = np.arange(len(curve))
    sig_pos = (lower > 0).to_numpy()
    sig_neg = (upper < 0).to_numpy()
    colour = np.where(sig_pos, "C0", np.where(sig_neg, "C3", "0.6"))
    top.vlines(x, lower, upper, colors=colour, lw=0.6, alpha=0.5)
    top.scatter(x, point, c=colour, s=4, zorder=3)
    top.axhline(0, color="0.3", lw=0.6)
    at = curve.attrs.get("at")
    level = curve.attrs.get("level")
    size = shock_phrase(curve.attrs)
    unit = short_unit(unit_of(units, target)) if target else "units of the series"
    top.set_ylabel(f"{at + ' ' if at else ''}response\n({unit})", fontsize=8)
    default = (f"Specification curve: {link}" + (f", {size} shock" if size else "") + f", {len(curve)} specifications"
               + (f", {100 * float(level):.0f}% bands" if level else "")
               + f"\n{sig_pos.mean():.0%} positive and {sig_neg.mean():.0%} negative with the band excluding zero "
                 "(blue, red); grey: band includes zero")
    text = title_or(title, default)
    if text:
        top.set_title(text, fontsize=9)
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
    banner(fig, synthetic)
    fig.tight_layout()
    return fig
