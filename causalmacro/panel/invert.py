"""Conditions in a series' own units, converted to the units the VAR sees.

A scenario states what a variable does in the units a reader thinks in: net liquidity
"falls by $250bn in each of the next two months" is a ``change`` in the level of the
derived series (billions of dollars), while the VAR holds its ``logdiff`` (100 x the log
change, percent). :func:`to_model_units` turns such conditions into the transformed units
with the transform's own formula (:mod:`causalmacro.panel.transforms`) and the last
observed levels:

| units    | a condition at horizon h says                          |
|----------|--------------------------------------------------------|
| model    | the value of the transformed series (as the VAR has it) |
| level    | the level :math:`L_{T+h}` in the source series' units   |
| change   | :math:`L_{T+h} - L_{T+h-1}`, in the source series' units |

Every level a transform needs must be known: observed (up to the data's end ``T``) or
itself conditioned. ``logdiff`` at ``T+2`` needs :math:`L_{T+1}`, so a ``level`` or
``change`` condition at horizon 2 needs one at horizon 1 too; ``yoy`` at ``T+h`` needs
:math:`L_{T+h-s}` (``s`` periods a year back), observed when :math:`h \\le s`.
``zscore`` uses the sample's mean and standard deviation (``ddof=1``), as the panel does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError
from causalmacro.panel.transforms import lookback
from causalmacro.spec.catalog import Transform
from causalmacro.spec.schema import ConditionUnits

__all__ = ["ConditionUnits", "to_model_units"]

_UNITS: tuple[str, ...] = get_args(ConditionUnits)  # one definition: causalmacro.spec.schema


def to_model_units(
    values: Mapping[int, float] | pd.Series,
    *,
    units: ConditionUnits,
    transform: Transform,
    history: pd.Series,
    periods_per_year: int,
    name: str,
    sample: pd.Index | None = None,
) -> pd.Series:
    """Convert conditions at future horizons to the transformed units of the VAR.

    Parameters
    ----------
    values : mapping of int to float, or pandas.Series
        Horizon (1, 2, ... after the data's last period ``T``) -> the condition.
    units : {"model", "level", "change"}
        See the module.
    transform : {"level", "log", "diff", "logdiff", "yoy", "zscore"}
        The panel's transform of the series.
    history : pandas.Series
        The series' aligned levels up to ``T`` (``Panel.levels[name]``); its last
        non-missing value is :math:`L_T`.
    periods_per_year : int
        12 for monthly panels, 52 for weekly ones (``yoy`` only).
    name : str
        The variable, named in errors.
    sample : pandas.Index, optional
        ``zscore`` only: the periods of ``history`` the panel standardised over
        (default: all of it).

    Returns
    -------
    pandas.Series
        Horizon -> the condition in the VAR's units, sorted by horizon.

    Raises
    ------
    ArgumentError
        An unknown ``units``; a horizon below 1; a level the transform needs that is
        neither observed nor conditioned (naming the horizon and the transform); a
        non-positive level under ``log``, ``logdiff`` or ``yoy``.

    Examples
    --------
    Net liquidity at $6000bn, down $250bn next month, in a VAR that holds its ``logdiff``:

    >>> import pandas as pd
    >>> hist = pd.Series([5900.0, 6000.0])
    >>> out = to_model_units({1: -250.0}, units="change", transform="logdiff", history=hist,
    ...                      periods_per_year=12, name="net_liquidity")
    >>> round(float(out[1]), 6)   # 100 * log(5750 / 6000)
    -4.255961
    """
    if units not in _UNITS:
        raise ArgumentError(f"units: unknown units {units!r}; units are {list(_UNITS)}")
    given = {int(h): float(v) for h, v in dict(values).items() if v is not None and not np.isnan(v)}
    horizons = sorted(given)
    if horizons and horizons[0] < 1:
        raise ArgumentError(f"{name}: horizon {horizons[0]} is before the first forecast period (horizons are 1, 2, ...)")
    if units == "model":
        return pd.Series({h: given[h] for h in horizons}, dtype=float)
    hist = history.dropna()
    if hist.empty:
        raise ArgumentError(f"{name}: no observed level to convert '{units}' conditions from")
    past = hist.to_numpy(dtype=float)
    lv: dict[int, float] = {-j: float(past[-1 - j]) for j in range(len(past))}  # 0 is T, -1 is T-1, ...
    out: dict[int, float] = {}
    if units == "level":
        lv.update(given)
    else:  # change: L_h = L_{h-1} + c, in time order
        for h in horizons:
            if h - 1 in lv:
                lv[h] = lv[h - 1] + given[h]
            elif transform == "diff":
                out[h] = given[h]  # the transform is the change itself: no level needed
            else:
                raise ArgumentError(_missing(name, units, h, h - 1, transform))
    s = periods_per_year
    if transform in ("log", "logdiff", "yoy"):
        for h in horizons:
            if h in lv and lv[h] <= 0:
                raise ArgumentError(f"{name}: the '{units}' condition at horizon {h} gives a non-positive level "
                                    f"({lv[h]:g}); transform '{transform}' needs positive levels")
    if transform == "zscore":
        base = hist if sample is None else hist.reindex(sample).dropna()
        mean, sd = float(base.mean()), float(base.std(ddof=1))
    for h in horizons:
        if h in out:
            continue
        back = h - max(lookback(transform, s), 1) if transform in ("diff", "logdiff", "yoy") else None
        if back is not None and back not in lv:
            raise ArgumentError(_missing(name, units, h, back, transform))
        level = lv[h]
        if transform == "level":
            out[h] = level
        elif transform == "log":
            out[h] = float(np.log(level))
        elif transform == "diff":
            out[h] = level - lv[h - 1]
        elif transform == "logdiff":
            out[h] = 100.0 * float(np.log(level) - np.log(lv[h - 1]))
        elif transform == "yoy":
            if lv[h - s] <= 0:
                raise ArgumentError(f"{name}: the level {s} periods before horizon {h} is non-positive "
                                    f"({lv[h - s]:g}); transform 'yoy' needs positive levels")
            out[h] = 100.0 * (level / lv[h - s] - 1.0)
        elif transform == "zscore":
            out[h] = (level - mean) / sd
        else:
            raise ArgumentError(f"{name}: unknown transform {transform!r}")
    return pd.Series({h: out[h] for h in horizons}, dtype=float)


def _missing(name: str, units: str, h: int, need: int, transform: str) -> str:
    if need <= 0:
        return (f"{name}: a '{units}' condition at horizon {h} needs the level {h - need} periods earlier "
                f"(transform '{transform}'), which the data do not have; give the condition in 'model' units")
    return (f"{name}: a '{units}' condition at horizon {h} needs the level at horizon {need} "
            f"(transform '{transform}'), which is free; condition horizon {need} too, or use 'model' units")
