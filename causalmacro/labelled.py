"""The labelled outputs both estimators share: one response type, read-only containers.

Impulse responses of the structural VAR and posterior responses of the asset
model are the same type: an :class:`xarray.DataArray` with dims
``("horizon", "response", "shock")`` and a last dim ``bound``: coordinates
``["point", "lower", "upper"]`` when it carries an interval, ``["point"]``
when it does not (the SVAR's and the local projections' outputs always have
the dim, so ``.sel(bound="point")`` always works; :func:`has_bands` tells the
two apart). The interval's
coverage is ``attrs["level"]``; ``attrs["interval"]`` says what it is (bootstrap
percentile band, identified set, posterior HDI). The point of a bootstrap band
is the estimate; the point of a posterior is its mean. Every labelled output has
a ``name``, so ``.to_dataframe()`` works on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import xarray as xr

from causalmacro.errors import ArgumentError

__all__ = [
    "BOUNDS",
    "DENSITY_DIMS",
    "RESPONSE_DIMS",
    "check_level",
    "check_response",
    "fan_quantiles",
    "freeze",
    "frozen_array",
    "has_bands",
    "horizon_unit",
    "point_of",
    "point_only",
    "thaw",
    "with_bounds",
]

RESPONSE_DIMS = ("horizon", "response", "shock")
"""Dims of every impulse-response array, in this order."""

BOUNDS = ("point", "lower", "upper")
"""Coordinates of the ``bound`` dim of banded outputs."""

DENSITY_DIMS = ("period", "variable", "quantile")
"""Dims of a density forecast (the chain's and the assets'), in this order."""


_PERIOD_UNITS = {"M": "months", "W": "weeks", "Q": "quarters", "A": "years", "Y": "years", "D": "days",
                 "B": "business days", "h": "hours", "H": "hours"}


def horizon_unit(index: Any) -> str | None:
    """The unit one horizon step is in: ``"months"`` for a monthly index, ``"weeks"``, ``"quarters"``, ...

    From the frequency of ``index`` (a :class:`pandas.PeriodIndex`, or a
    :class:`pandas.DatetimeIndex` with a ``freq`` or one that pandas can
    infer); None when the index says none (integer
    rows, irregular dates). Results record it as ``attrs["horizon_unit"]``,
    and figures label their horizon axis with it.
    """
    import pandas as pd

    freq = getattr(index, "freqstr", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = getattr(pd.DatetimeIndex(index, freq="infer").freq, "freqstr", None)
    if not freq or freq[0].isdigit():  # none, or a multiple ("2D"): no plain unit
        return None
    code = freq.split("-")[0]
    if code not in ("B", "BD") and code.startswith("B"):  # business month / quarter / year starts and ends
        code = code[1:]
    return _PERIOD_UNITS.get("B" if code in ("B", "BD") else code[:1])


def fan_quantiles(level: float) -> tuple[float, ...]:
    """Quantiles a density forecast reports: the ``level`` interval's ends, the quartiles and the median."""
    lo, hi = 0.5 - level / 2, 0.5 + level / 2
    return tuple(sorted({round(lo, 10), 0.25, 0.5, 0.75, round(hi, 10)}))


def check_level(level: float) -> float:
    """Return ``level`` as a float in (0, 1), else raise :class:`ArgumentError`."""
    if isinstance(level, bool) or not isinstance(level, int | float | np.floating) or not 0 < level < 1:
        raise ArgumentError(f"level must be a number between 0 and 1, got {level!r}")
    return float(level)


def with_bounds(
    point: xr.DataArray, lower: xr.DataArray, upper: xr.DataArray, *, level: float, interval: str
) -> xr.DataArray:
    """Stack a point and an interval along a last ``bound`` dim.

    Parameters
    ----------
    point, lower, upper : xarray.DataArray
        Same dims and coordinates.
    level : float
        Coverage of the interval.
    interval : str
        What the interval is, e.g. ``"wild bootstrap, pointwise percentile"``.

    Returns
    -------
    xarray.DataArray
        ``point``'s dims plus ``bound`` last; ``point``'s name and attrs, with
        ``level`` and ``interval`` added.
    """
    out = xr.concat([point, lower, upper], dim=xr.DataArray(list(BOUNDS), dims="bound"))
    out = out.transpose(*point.dims, "bound")
    out.attrs = {**point.attrs, "level": level, "interval": interval}
    return out.rename(point.name)


def point_only(point: xr.DataArray) -> xr.DataArray:
    """``point`` with a last ``bound`` dim holding only ``"point"``: the dims of a banded output, without bands."""
    out = point.expand_dims(bound=[BOUNDS[0]], axis=point.ndim)
    out.attrs = dict(point.attrs)
    return out.rename(point.name)


def has_bands(da: xr.DataArray) -> bool:
    """Whether ``da`` carries an interval (a ``bound`` dim with ``"lower"`` and ``"upper"``)."""
    return "bound" in da.dims and "lower" in da.coords["bound"].values


def point_of(da: xr.DataArray) -> xr.DataArray:
    """The point of ``da`` without the ``bound`` dim (``da`` itself when it has no such dim)."""
    return da.sel(bound="point", drop=True) if "bound" in da.dims else da


def check_response(da: Any) -> xr.DataArray:
    """Check that ``da`` is a response array, naming what is wrong in one line.

    Raises
    ------
    ArgumentError
        Not a DataArray, dims other than ``RESPONSE_DIMS`` (plus ``bound``), or
        ``bound`` coordinates other than ``BOUNDS`` or ``["point"]`` (no bands).
    """
    if not isinstance(da, xr.DataArray):
        raise ArgumentError(f"expected an xarray.DataArray of responses, got {type(da).__name__}")
    dims = [str(d) for d in da.dims if d != "bound"]
    if sorted(dims) != sorted(RESPONSE_DIMS):
        raise ArgumentError(
            f"a response array has dims {RESPONSE_DIMS} (plus 'bound'), got {tuple(da.dims)}"
        )
    if "bound" in da.dims and [str(b) for b in da["bound"].values] not in (list(BOUNDS), [BOUNDS[0]]):
        raise ArgumentError(f"'bound' must hold {list(BOUNDS)} or ['point'], got {[str(b) for b in da['bound'].values]}")
    return da


def frozen_array(a: Any) -> np.ndarray:
    """A read-only float copy of ``a``."""
    out = np.array(a, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out


def thaw(obj: Any) -> Any:
    """A plain copy of what :func:`freeze` made: read-only mappings become dicts, recursively; tuples stay tuples.

    A frozen result's ``__reduce__`` hands pickle this copy (``MappingProxyType``
    does not pickle); its constructor freezes it again on load.
    """
    if isinstance(obj, Mapping):
        return {k: thaw(v) for k, v in obj.items()}
    if isinstance(obj, tuple):
        return tuple(thaw(v) for v in obj)
    return obj


def rebuild(cls: type[Any], state: dict[str, Any]) -> Any:
    """Unpickle a frozen result through its constructor, which freezes again what ``__reduce__`` thawed."""
    return cls(**state)


class ThawedPickle:
    """Mixin for frozen dataclasses holding read-only mappings: pickle them as plain dicts, rebuild on load.

    ``MappingProxyType`` does not pickle; ``__reduce__`` hands pickle :func:`thaw`-ed
    fields and :func:`rebuild` calls the constructor, whose ``__post_init__``
    makes them read-only again.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        from dataclasses import fields

        return (rebuild, (type(self), {f.name: thaw(getattr(self, f.name)) for f in fields(self)}))  # type: ignore[arg-type]


def freeze(obj: Any) -> Any:
    """A read-only deep copy: mappings become ``MappingProxyType``, lists tuples, arrays read-only."""
    if isinstance(obj, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in obj.items()})
    if isinstance(obj, list | tuple):
        return tuple(freeze(v) for v in obj)
    if isinstance(obj, np.ndarray):
        out = obj.copy()
        out.flags.writeable = False
        return out
    return obj
