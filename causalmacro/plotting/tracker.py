"""The liquidity tracker: net liquidity and its parts in billions of dollars against the focus asset's price level."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt

from causalmacro.errors import ArgumentError
from causalmacro.plotting._common import CLASS_COLOURS, headline, title_or

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from causalmacro.pipeline.tracker import LiquidityTracker

__all__ = ["plot_liquidity_tracker"]

_PART_COLOURS = ("#2c7fb8", "#d95f0e", "#756bb1", "#636363")


def plot_liquidity_tracker(
    tracker: LiquidityTracker,
    *,
    axes: Any = None,
    title: str | None = None,
    units: Mapping[str, str] | None = None,
    synthetic: bool = False,
    log_price: bool = True,
) -> Figure:
    """Net liquidity with its parts (levels, not the VAR's log-differences) against the target's price level.

    Top panel: net liquidity (left axis, its units) and the target's level
    (right axis, log scale by default), as liquidity trackers draw them. Bottom
    panel: the parts in the same units, drains (negative coefficients) marked
    "(-)", with net liquidity again for scale.

    Parameters
    ----------
    tracker : LiquidityTracker
        :attr:`RunResults.tracker` (:func:`causalmacro.pipeline.tracker.liquidity_tracker`).
    axes : sequence of two Axes, optional
    title : str, optional
        None: a default title from the data; ``""``: none.
    units : mapping, optional
        Series -> unit, overriding the tracker's (``liquidity`` and the target's name).
    synthetic : bool
        The synthetic-data banner.
    log_price : bool
        The target's level on a log scale.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ArgumentError
        A tracker that was skipped (its ``skipped`` says why).
    """
    if tracker.skipped is not None or tracker.liquidity is None:
        raise ArgumentError(f"tracker: no liquidity tracker to draw ({tracker.skipped})")
    unit_map = dict(units or {})
    liq_unit = unit_map.get(tracker.liquidity, tracker.units)
    target_unit = unit_map.get(tracker.target, tracker.target_units)
    frame = tracker.frame
    if axes is None:
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.4), sharex=True, height_ratios=(3, 2))
    else:
        if len(axes) != 2:
            raise ArgumentError(f"axes: {len(axes)} axes given, the figure needs 2")
        top, bottom = axes
        fig = top.figure
    liq = frame["liquidity"]
    top.plot(liq.index, liq, color="#08519c", lw=2, label=f"{tracker.liquidity} ({liq_unit}, left)")
    top.set_ylabel(f"{tracker.liquidity} ({liq_unit})", color="#08519c")
    right = top.twinx()
    price = frame["target"]
    right.plot(price.index, price, color=CLASS_COLOURS["crypto"], lw=1.4,
               label=f"{tracker.target} level ({target_unit}, right{', log scale' if log_price else ''})")
    if log_price and (price.dropna() > 0).all():
        right.set_yscale("log")
    right.set_ylabel(f"{tracker.target} ({target_unit}{', log scale' if log_price else ''})",
                     color=CLASS_COLOURS["crypto"])
    handles = top.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    top.legend(handles, [str(h.get_label()) for h in handles], loc="upper left", fontsize=8, frameon=False)
    top.grid(alpha=0.3)
    bottom.plot(liq.index, liq, color="#08519c", lw=2, label=tracker.liquidity)
    for colour, (sid, (name, sign)) in zip(_PART_COLOURS, tracker.parts.items(), strict=False):
        bottom.plot(frame.index, frame[sid], color=colour, lw=1.2,
                    label=f"{name} ({sid}){' (-)' if sign < 0 else ''}")
    bottom.set_ylabel(liq_unit)
    bottom.legend(loc="upper left", fontsize=8, frameon=False, ncol=2)
    bottom.grid(alpha=0.3)
    drains = " - ".join(sid for sid, (_, s) in tracker.parts.items() if s < 0)
    adds = " + ".join(sid for sid, (_, s) in tracker.parts.items() if s > 0)
    default = (f"{tracker.liquidity} = {adds} - {drains} ({liq_unit}) against the {tracker.target} level: levels, "
               "not the VAR's changes")
    headline(fig, title_or(title, default), synthetic=synthetic)
    return fig
