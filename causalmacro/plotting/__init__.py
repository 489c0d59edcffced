"""Plots of results. The only package that imports matplotlib.

Every public function follows one signature convention: first the result or
array, then the selection (names, positional or by keyword), then keyword-only
``ax=None`` (``axes=`` for multi-panel figures: an array of axes, one per
panel), ``title=None`` (None: a default title from the data; ``""``: none),
``units=None`` (a mapping series -> unit; default the data's ``attrs["units"]``
when it is a mapping), ``synthetic=False`` (a banner across the top), then any
options of the one figure. Each draws on the axes given or a new figure and
returns the :class:`~matplotlib.figure.Figure`; nothing is shown here.
Labels (shock size, band level and kind, scale) come from the data's attrs,
never guessed; a missing column is an :class:`~causalmacro.errors.ArgumentError`.
Importing it leaves matplotlib's backend alone (a headless machine falls back to
a non-interactive backend by itself). Results' ``.plot()`` methods reach these
functions through :func:`causalmacro.plotdispatch.call`.

Modules: ``_common`` (axes, banner, titles, units, colours, :func:`save_figure`),
``svar`` (responses, decompositions, channels, events), ``assets`` (spectrum,
by regime, cycle position), ``lp`` (local projections), ``forecast`` (fan chart, scenario
against baseline, asset spectrum under a scenario), ``grid`` (specification
curve), ``graph`` (dependency graph), ``tracker`` (net liquidity and its parts in levels).
"""

from __future__ import annotations

from ._common import (
    CLASS_COLOURS,
    SAVE_DPI,
    SYNTHETIC_BANNER,
    class_colour,
    save_figure,
)
from .assets import plot_position, plot_spectrum, plot_spectrum_by_regime
from .forecast import plot_fan, plot_scenario, plot_scenario_spectrum
from .graph import plot_graph
from .grid import plot_spec_curve
from .lp import plot_lp
from .svar import (
    plot_channels,
    plot_event_effects,
    plot_fevd,
    plot_historical_decomposition,
    plot_irf,
)
from .tracker import plot_liquidity_tracker

__all__ = [
    "CLASS_COLOURS",
    "SAVE_DPI",
    "SYNTHETIC_BANNER",
    "class_colour",
    "plot_channels",
    "plot_event_effects",
    "plot_fan",
    "plot_fevd",
    "plot_graph",
    "plot_historical_decomposition",
    "plot_irf",
    "plot_liquidity_tracker",
    "plot_lp",
    "plot_position",
    "plot_scenario",
    "plot_scenario_spectrum",
    "plot_spec_curve",
    "plot_spectrum",
    "plot_spectrum_by_regime",
    "save_figure",
]
