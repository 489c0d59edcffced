"""The spec's structural VAR: its order, lag rule, trend, identification and events as exogenous dummies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from causalmacro.build.events import events_on
from causalmacro.build.identification import identification_of
from causalmacro.errors import SpecError
from causalmacro.spec import ModelSpec

if TYPE_CHECKING:
    from causalmacro.svar import SVAR

__all__ = ["build_svar", "var_events"]


def var_events(spec: ModelSpec) -> list[str]:
    """The events that enter the VAR as exogenous dummies (``[events.*].var``), in spec order."""
    return [name for name, e in spec.events.items() if e.var]


def build_svar(
    spec: ModelSpec,
    data: pd.DataFrame,
    *,
    order: Sequence[str] | None = None,
    lags: int | None = None,
    identification: str | None = None,
    strict_events: bool = True,
) -> SVAR:
    """The structural VAR the spec describes, on ``data`` (the panel's data or a window of it), unfitted.

    Parameters
    ----------
    spec : ModelSpec
        Needs a ``[var]`` section: ``order``, ``lags``/``max_lags``, ``trend``,
        ``identification`` (and its options); the ``[events]`` with ``var = true``
        become exogenous dummies.
    data : DataFrame
        The panel's data or a window of it (rows), with the chain's columns.
    order : sequence of str, optional
        Another ordering of the chain (a grid's); default ``[var].order``.
    lags : int, optional
        A fixed lag order (a grid's); default ``[var].lags`` (with ``max_lags``).
    identification : str, optional
        Another scheme (a grid's, or one of ``[var].compare``), configured by its
        ``[var.<scheme>]`` table; default ``[var].identification``
        (:func:`~causalmacro.build.identification.identification_of`).
    strict_events : bool
        True (the main job): an event outside the VAR's sample raises. False (a
        grid window): it is left out of that window's VAR.

    Returns
    -------
    SVAR
        Fit it with ``.fit(rng=seed)``.

    Raises
    ------
    SpecError
        The spec has no ``[var]`` section.
    DataError
        ``strict_events`` and an event outside the sample (after the largest
        lag order the VAR may take).
    """
    from causalmacro.svar import SVAR

    if spec.var is None:
        raise SpecError(f"{spec.path or spec.name}: the spec has no [var] section")
    v = spec.var
    names = list(v.order if order is None else order)
    lag_rule = v.lags if lags is None else int(lags)
    index = pd.DatetimeIndex(data.index)
    # an event must fall in the VAR's effective sample, after the (largest possible) lag order
    first = lag_rule if isinstance(lag_rule, int) else v.max_lags
    exog = events_on(spec, index, var_events(spec), index[first:], strict=strict_events)
    scheme = identification_of(spec, identification or v.identification, data)
    return SVAR(data[names], order=names, lags=lag_rule, max_lags=v.max_lags, trend=v.trend,
                identification=scheme, exog=exog)  # type: ignore[arg-type]
