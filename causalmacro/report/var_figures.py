"""The VAR's figures of a run folder, declared as figure tasks: what a figure worker can draw before the rest is fitted.

:func:`causalmacro.report.write_run` declares a folder's figures in order, and the
VAR's come first (:func:`declare_var_figures`); :func:`var_figure_tasks` gives the
same tasks from the part of a run known once the VAR is fitted, so that
``causalmacro run`` hands them to its figure workers while the asset model samples
(:meth:`causalmacro.report.figures.FigureWorkers.ahead`). This module loads no
plotting or writing code, so that the command reaches that point sooner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from causalmacro.report.figures import FigureTask

if TYPE_CHECKING:
    from causalmacro.panel import Panel
    from causalmacro.pipeline.results import VarPart
    from causalmacro.pipeline.tracker import LiquidityTracker
    from causalmacro.spec import ModelSpec

__all__ = ["TRACKER_FIGURE", "declare_var_figures", "figure_task", "horizon_unit", "tracker_figure_tasks", "units_of",
           "var_figure_tasks"]

TRACKER_FIGURE = "liquidity.png"
"""The liquidity tracker's figure (:func:`causalmacro.plotting.plot_liquidity_tracker`), near the top of the page."""


def figure_task(name: str | tuple[str, ...], function: str, *args: Any, cost: float = 1.0, **kwargs: Any
                ) -> FigureTask:
    """``causalmacro.plotting.<function>(*args, **kwargs)`` saved as ``name`` (or each of several names)."""
    return FigureTask((name,) if isinstance(name, str) else name, function, args, kwargs, cost)


def units_of(panel: Panel) -> dict[str, str]:
    """Each column's units, for the figures' axis labels."""
    return {name: info.units for name, info in panel.columns.items()}


def horizon_unit(spec: ModelSpec) -> str:
    """What a horizon counts: months, weeks or periods."""
    return {"monthly": "months", "weekly": "weeks"}.get(spec.frequency, "periods")


def var_figure_tasks(part: VarPart) -> list[FigureTask]:
    """The VAR's figures of a run folder, as :func:`~causalmacro.report.write_run` declares them, from the run's
    part known before the asset model samples (:class:`~causalmacro.pipeline.results.VarPart`): for
    :meth:`causalmacro.report.figures.FigureWorkers.ahead`."""
    tasks: list[FigureTask] = []
    declare_var_figures(part, lambda *a, **kw: tasks.append(figure_task(*a, **kw)))
    return tasks


def tracker_figure_tasks(tracker: LiquidityTracker | None, *, synthetic: bool) -> list[FigureTask]:
    """The liquidity tracker's figure as :func:`declare_var_figures` declares it (none when the tracker is absent or
    skipped): known from the panel alone, so ``causalmacro run`` has it drawn while the VAR is fitted."""
    tasks: list[FigureTask] = []
    _declare_tracker(tracker, synthetic, lambda *a, **kw: tasks.append(figure_task(*a, **kw)))
    return tasks


def _declare_tracker(tracker: LiquidityTracker | None, synthetic: bool, figure: Callable[..., None]) -> None:
    """Declare the liquidity tracker's figure with ``figure`` (nothing when the tracker is absent or skipped)."""
    if tracker is not None and tracker.skipped is None:
        figure(TRACKER_FIGURE, "plot_liquidity_tracker", tracker, synthetic=synthetic)


def declare_var_figures(part: VarPart, figure: Callable[..., None]) -> None:
    """Declare the VAR's figures with ``figure(name, function, *args, cost=, **kwargs)``: the liquidity tracker,
    responses, variance shares, historical decomposition, channels, local projections, event effects and the
    identification schemes compared."""
    synthetic, units, per, focus = part.synthetic, units_of(part.panel), horizon_unit(part.spec), part.focus
    _declare_tracker(part.tracker, synthetic, figure)
    figure("irf.png", "plot_irf", part.irf, synthetic=synthetic, units=units, horizon_unit=per,
           cost=part.irf.sizes.get("response", 1) * part.irf.sizes.get("shock", 1))
    figure(f"fevd_{focus}.png", "plot_fevd", part.fevd, focus, synthetic=synthetic, horizon_unit=per)
    figure(f"hd_{focus}.png", "plot_historical_decomposition", part.historical_decomposition, focus,
           last=part.hd_periods, synthetic=synthetic, units=units)
    if part.channels:
        figure(f"channels_{focus}.png", "plot_channels", dict(part.channels), focus, synthetic=synthetic,
               units=units, horizon_unit=per, cost=len(part.channels))
    if part.lp:
        figure("lp.png", "plot_lp", part.irf, dict(part.lp), lp_state=dict(part.lp_state) or None,
               state_name=part.lp_state_name, synthetic=synthetic, units=units, horizon_unit=per,
               cost=len(part.lp))
    if part.event_effects is not None:
        titles = {name: part.spec.event_title(name) for name in part.spec.events}
        figure("events.png", "plot_event_effects", part.event_effects, titles=titles, synthetic=synthetic,
               units=units, horizon_unit=per, cost=2)
    if part.irf_compare is not None:
        figure(f"irf_compare_{focus}.png", "plot_irf", part.irf_compare, responses=[focus], synthetic=synthetic,
               units=units, horizon_unit=per)
