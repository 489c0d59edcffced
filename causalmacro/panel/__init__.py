"""From raw series to the aligned, transformed panel the estimators read.

:mod:`~causalmacro.panel.align` brings each series to the panel frequency by its
aggregation rule, :mod:`~causalmacro.panel.derived` computes derived columns,
:mod:`~causalmacro.panel.gaps` finds the common window and handles gaps,
:mod:`~causalmacro.panel.transforms` applies the transforms and
:mod:`~causalmacro.panel.build` ties them together in :func:`build_panel`.
"""

from causalmacro.panel.build import ColumnInfo, Panel, build_panel

__all__ = ["ColumnInfo", "Panel", "build_panel"]
