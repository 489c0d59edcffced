"""Whether the panel's window holds the spec's VAR: checked before estimation, naming the cause.

A window too short for the VAR fails deep inside estimation with a message
about a symptom (a collinear column, an event "outside the sample",
statsmodels' lag search). :func:`check_var_window` says instead what made it
short: a series whose data cover only part of the spec's window, or a lag
order (``var.lags`` / ``var.max_lags``) the window cannot hold.
"""

from __future__ import annotations

import pandas as pd

from causalmacro.errors import DataError
from causalmacro.panel import Panel
from causalmacro.spec import ModelSpec

__all__ = ["check_var_window"]


def check_var_window(spec: ModelSpec, panel: Panel, n_exog: int = 0) -> None:
    """Raise unless the panel's window holds the spec's VAR.

    The rule is the estimator's (:func:`causalmacro.svar._validate.min_observations`):
    after the lags, each equation's coefficients must leave as many residual
    degrees of freedom as there are variables. With ``lags = "aic"`` the
    window must hold a VAR(1) and be longer than ``max_lags`` (the events must
    fall after the largest order searched).

    Parameters
    ----------
    spec : ModelSpec
        Needs a ``[var]`` section.
    panel : Panel
        The panel of the spec.
    n_exog : int
        Exogenous columns of the VAR (the events).

    Raises
    ------
    DataError
        Naming the series that shortened the window (its first and last date,
        the window before and after), else ``var.lags`` / ``var.max_lags`` and
        the window.
    """
    # imported here: the estimators load statsmodels, wanted only when fitting
    from causalmacro.svar._validate import min_observations
    from causalmacro.svar.deterministic import K_TREND

    assert spec.var is not None
    v = spec.var
    index = pd.DatetimeIndex(panel.data.index)
    n, k = len(index), len(v.order)
    k_det = K_TREND[v.trend] + n_exog
    fixed = not isinstance(v.lags, str)
    lags = int(v.lags) if fixed else 1
    need = min_observations(k, lags, k_det)
    if not fixed:
        need = max(need, v.max_lags + 1)
    if n >= need:
        return
    where = str(spec.path) if spec.path is not None else spec.name
    window = _span(index)
    model = f"a VAR({lags}) of {k} variables with {k_det} deterministic term(s) needs at least {need}"
    short = _short_series(spec, panel)
    if short is not None:
        start, end = spec.window
        before = _span(pd.date_range(start or index[0], end or index[-1], freq=index.freq or panel.data.index.freq))
        raise DataError(f"{where}: {short}, which cuts the sample window {before} to {window}; {model}")
    if fixed:
        raise DataError(f"{where}: var.lags = {lags} is too many for the sample window {window}; {model}")
    raise DataError(
        f"{where}: var.lags = {v.lags!r} with var.max_lags = {v.max_lags} does not fit the sample window "
        f"{window}: it needs at least {need} periods (a VAR(1) and more than max_lags); "
        "lower var.max_lags or widen the window"
    )


def _span(index: pd.DatetimeIndex) -> str:
    """``2015-01-01..2024-06-01 (114 periods)``."""
    return f"{index[0]:%Y-%m-%d}..{index[-1]:%Y-%m-%d} ({len(index)} periods)" if len(index) else "(empty)"


def _short_series(spec: ModelSpec, panel: Panel) -> str | None:
    """The raw input of a firm series that covers least of the spec's window, if one starts or ends inside it."""
    start, end = spec.window
    worst: tuple[int, str] | None = None
    for name, s in spec.series.items():
        if s.ragged:
            continue
        for sid in s.inputs:
            info = panel.inputs.get(sid)
            if not info or info.get("first") is None:
                continue
            first, last, n = pd.Timestamp(info["first"]), pd.Timestamp(info["last"]), int(info["n"])
            inside = (start is not None and first > start) or (end is not None and last < end)
            if inside and (worst is None or n < worst[0]):
                what = f"series {name}" + (f" ({sid})" if sid != name else "")
                worst = (n, f"{what} is too short: it runs {info['first']}..{info['last']} ({n} observations)")
    return None if worst is None else worst[1]
