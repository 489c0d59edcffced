"""The liquidity tracker: net liquidity in billions of dollars with its parts, beside the focus variable's level.

Liquidity trackers draw the Fed's balance sheet (WALCL), the Treasury General
Account (WTREGEN) and the reverse repo facility (RRPONTSYD), and net liquidity
``WALCL/1000 - WTREGEN/1000 - RRPONTSYD``, in levels against the price of
bitcoin: not the VAR's log-differences. :func:`liquidity_tracker` reads them off
the panel (:attr:`Panel.levels` and :attr:`Panel.components`) for the spec's
liquidity variable (:func:`liquidity_variable`), or records why it cannot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from causalmacro.labelled import ThawedPickle
from causalmacro.panel import Panel
from causalmacro.spec import ModelSpec
from causalmacro.spec.catalog import DERIVED, lookup

__all__ = ["LiquidityTracker", "liquidity_tracker", "liquidity_variable"]

LIQUIDITY_GROUP = "liquidity"
"""The catalogue group whose first VAR variable is the run's liquidity variable."""


def liquidity_variable(spec: ModelSpec) -> str | None:
    """The spec's liquidity variable: the first of ``[var].order`` whose series is in the ``liquidity`` group.

    A derived series (``derived = "net_liquidity"``) counts by its catalogue
    group, a plain one by its FRED ID's (``WALCL``); None when no VAR variable is.
    """
    if spec.var is None:
        return None
    for name in spec.var.order:
        s = spec.series[name]
        if s.derived is not None and DERIVED[s.derived].group == LIQUIDITY_GROUP:
            return name
        info = lookup(s.id) if s.id is not None else None
        if info is not None and info.group == LIQUIDITY_GROUP:
            return name
    return None


@dataclass(frozen=True)
class LiquidityTracker(ThawedPickle):
    """Net liquidity, its parts and the focus variable's level, or why the run has none.

    Attributes
    ----------
    liquidity : str or None
        The spec's liquidity variable (:func:`liquidity_variable`).
    target : str
        The focus variable whose level is drawn against it.
    frame : pandas.DataFrame
        Index ``date`` (the panel's window); column ``liquidity`` (the derived
        level, e.g. billions of USD), one column per part (its raw series times
        the magnitude of its coefficient, in the same units: ``WALCL``,
        ``WTREGEN``, ``RRPONTSYD``) and ``target`` (the focus variable's level,
        e.g. the BTC price in USD). Empty when skipped.
    parts : mapping
        Part ID -> ``(title, sign)``: ``+1`` adds to the liquidity level, ``-1`` drains it.
    units : str
        Units of ``liquidity`` and the parts.
    target_units : str
        Units of the target's level (the raw series').
    skipped : str or None
        Why there is no tracker (no liquidity variable, or one that is not a
        catalogued derived series); None when drawn.
    """

    liquidity: str | None
    target: str
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    parts: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    units: str = ""
    target_units: str = ""
    skipped: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType(dict(self.parts)))

    def to_dict(self) -> dict[str, object]:
        """What ``results.json`` records of the tracker: the series drawn, or why none."""
        return {"liquidity": self.liquidity, "target": self.target, "drawn": self.skipped is None,
                "skipped": self.skipped, "parts": {k: {"title": t, "sign": s} for k, (t, s) in self.parts.items()},
                "units": self.units, "target_units": self.target_units}


def liquidity_tracker(spec: ModelSpec, panel: Panel) -> LiquidityTracker:
    """The tracker's series from the panel's levels, over the panel's window.

    Parameters
    ----------
    spec : ModelSpec
    panel : Panel
        From :func:`causalmacro.build_panel` on ``spec`` (its ``components``
        hold the derived series' raw inputs).

    Returns
    -------
    LiquidityTracker
        ``skipped`` says why when the spec has no liquidity variable that is a
        catalogued derived series with parts.
    """
    target = str(spec.focus)
    liq = liquidity_variable(spec)
    if liq is None:
        return LiquidityTracker(liquidity=None, target=target, skipped=(
            "no variable of [var].order is a liquidity series (catalogue group 'liquidity'), so there is no net "
            "liquidity to draw"))
    derived = spec.series[liq].derived
    if derived is None:
        return LiquidityTracker(liquidity=liq, target=target, skipped=(
            f"the liquidity variable {liq} is not a catalogued derived series, so it has no parts to draw"))
    d = DERIVED[derived]
    missing = [sid for sid in d.terms if sid not in panel.components.columns]
    if missing:
        return LiquidityTracker(liquidity=liq, target=target, skipped=(
            f"the panel holds no aligned levels of {', '.join(missing)} (the parts of {liq})"))
    window = panel.data.index
    cols = {"liquidity": panel.levels[liq].reindex(window)}
    for sid, coef in d.terms.items():
        cols[sid] = panel.components[sid].reindex(window) * abs(coef)
    cols["target"] = panel.levels[target].reindex(window)
    frame = pd.DataFrame(cols)
    frame.index.name = "date"
    parts = {}
    for sid, coef in d.terms.items():
        info = lookup(sid)
        parts[sid] = (info.title if info is not None else sid, 1 if coef > 0 else -1)
    s = spec.series[target]
    info = lookup(s.id) if s.id is not None else None
    return LiquidityTracker(liquidity=liq, target=target, frame=frame, parts=parts, units=d.units,
                            target_units=info.units if info is not None else "")
