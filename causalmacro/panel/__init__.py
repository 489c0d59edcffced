"""From raw series to the aligned, transformed panel the estimators read.

:mod:`~causalmacro.panel.align` brings each series to the panel frequency by its
aggregation rule, :mod:`~causalmacro.panel.derived` computes derived columns,
:mod:`~causalmacro.panel.gaps` finds the common window and handles gaps,
:mod:`~causalmacro.panel.transforms` applies the transforms and
:mod:`~causalmacro.panel.build` ties them together in :func:`build_panel`.
:mod:`~causalmacro.panel.events` turns a spec's events into dummies at the
panel's frequency and :mod:`~causalmacro.panel.regimes` computes its regime
definitions from the panel.
"""

from causalmacro.panel.build import ColumnInfo, Panel, build_panel
from causalmacro.panel.events import event_dummies, event_period
from causalmacro.panel.regimes import regime_series, regimes

__all__ = ["ColumnInfo", "Panel", "build_panel", "event_dummies", "event_period", "regime_series", "regimes"]
