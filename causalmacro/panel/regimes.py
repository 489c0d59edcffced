"""Regimes computed from the panel, as a spec's ``[regimes]`` defines them.

Each definition (:class:`causalmacro.spec.RegimeSpec`) labels every period from
data up to that period only, so a regime can be read "before the shock":

- ``change``: sign of ``x_t - x_{t-w}`` (policy rate falling: easing; rising: tightening);
- ``sign``: sign of the mean of ``x`` over ``t-w+1..t`` (net-liquidity growth:
  contracting or expanding);
- ``median``: ``x_t`` against the median of ``x_{t-w}..x_{t-1}`` (HY spread or VIX
  above it: risk-off);
- ``dates``: labelled date ranges, the ``default`` label elsewhere.

A period without a value (the first ``w`` periods, a missing value, an exact
tie) has no regime (missing).

Examples
--------
>>> import causalmacro as cm
>>> spec = cm.load_spec("models/demo.toml")                    # doctest: +SKIP
>>> cm.regimes(cm.build_panel(spec, cm.open_source(spec)), spec).tail(3)   # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from causalmacro.errors import DataError
from causalmacro.spec import ModelSpec
from causalmacro.spec.schema import RegimeSpec

__all__ = ["regime_series", "regimes"]


def regime_series(data: pd.DataFrame, name: str, regime: RegimeSpec) -> pd.Series:
    """One regime definition on a panel's data: a categorical Series of its labels.

    Parameters
    ----------
    data : DataFrame
        The panel's columns (``panel.data``), a regular date index.
    name : str
        The definition's name (the Series' name).
    regime : RegimeSpec

    Returns
    -------
    pandas.Series
        Categorical with the definition's labels as categories; missing where
        the rule gives no value.
    """
    labels = list(regime.state_labels)
    index = data.index
    if regime.rule == "dates":
        assert regime.periods is not None
        out = pd.Series(regime.default, index=index, dtype=object)
        for period in regime.periods:
            out[(index >= pd.Timestamp(period.start)) & (index <= pd.Timestamp(period.end))] = period.label
    else:
        assert regime.series is not None and regime.window is not None
        if regime.series not in data.columns:
            raise DataError(f"regime '{name}': series '{regime.series}' is not a column of the panel")
        x = data[regime.series].astype(float)
        w = regime.window
        if regime.rule == "change":
            score = x - x.shift(w)
        elif regime.rule == "sign":
            score = x.rolling(w, min_periods=w).mean()
        else:
            score = x - x.shift(1).rolling(w, min_periods=w).median()
        out = pd.Series(None, index=index, dtype=object)
        out[score > 0] = labels[1]
        out[score < 0] = labels[0]
    result = pd.Series(pd.Categorical(out, categories=labels), index=index, name=name)
    observed = result.dropna()
    if observed.nunique() < 2:
        what = f"every period with a value is '{observed.iloc[0]}'" if len(observed) else "no period has a value"
        raise DataError(f"regime '{name}': {what}; it separates nothing (check its series, window or periods)")
    return result


def regimes(panel: object, spec: ModelSpec) -> pd.DataFrame:
    """Every regime definition of the spec on the panel.

    Parameters
    ----------
    panel : Panel or DataFrame
        A :class:`causalmacro.panel.Panel` (or its ``data``) built from ``spec``.
    spec : ModelSpec
        Its ``[regimes]`` section names the definitions.

    Returns
    -------
    DataFrame
        One categorical column per definition, on the panel's index; a period
        without a value (before the window fills) is missing.

    Raises
    ------
    DataError
        Naming the definition whose series is missing or that labels every
        period the same.
    """
    data = panel if isinstance(panel, pd.DataFrame) else panel.data  # type: ignore[attr-defined]
    cols = {name: regime_series(data, name, r) for name, r in spec.regimes.items()}
    return pd.DataFrame(cols, index=data.index)
