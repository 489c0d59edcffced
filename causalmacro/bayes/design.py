"""Stacked (long-format) design of the hierarchical asset-response model.

Assets may have unequal histories (ETH starts years after BTC). Instead of
deleting every date on which one asset is missing (listwise deletion), the
model is fitted on the observed ``(asset, t)`` pairs only: one row per observed
return, with the lagged structural shocks of date ``t`` beside it. This is the
"long" layout of multilevel regression (Gelman & Hill, 2007, ch. 11-13).

Returns and shocks are standardised internally (each asset by the mean and
standard deviation of its own observations, each shock by its mean and
standard deviation over the sample), so that one set of weakly informative
priors fits assets quoted in percent returns, in percentage points of yield
change or in spread changes (Gelman et al., 2013, *Bayesian Data Analysis*,
3rd ed., sec. 16.3; Gelman, 2008, "Scaling regression inputs by dividing by two
standard deviations"). Estimates are mapped back to the data's units.

Regimes and covariates (:mod:`causalmacro.bayes.regimes`) add columns: the
hierarchical columns become the lagged shocks times the regime coding
(``x_terms``, columns ordered shock, effect, lag) and the free columns (fixed
priors, no pooling) are the intercept, the regime shifts of the intercept and the
covariates (``x_free``). Covariates enter raw, not standardised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..errors import DataError
from .regimes import check_covariates, check_regimes, contrast_names, regime_coding

__all__ = ["DEFAULT_GROUPS", "ShockSource", "StackedData", "as_shock_frame", "stack"]

#: Asset classes of the shipped specs. Short names and FRED identifiers are both
#: listed, so that ``groups=None`` works with either naming. Treasuries enter as
#: the change in the 10-year yield (a rise is a fall in bond prices) and credit
#: as the change in the high-yield spread (a rise is a widening).
DEFAULT_GROUPS: Mapping[str, str] = {
    "BTC": "crypto",
    "ETH": "crypto",
    "CBBTCUSD": "crypto",
    "CBETHUSD": "crypto",
    "NASDAQ": "equity",
    "NASDAQCOM": "equity",
    "SP500": "equity",
    "GOLD": "safe_haven",
    "UST10Y": "safe_haven",
    "DGS10": "safe_haven",
    "USD": "safe_haven",
    "DTWEXBGS": "safe_haven",
    "HY_SPREAD": "credit",
    "BAMLH0A0HYM2": "credit",
}


@runtime_checkable
class ShockSource(Protocol):
    """Anything that hands out structural shocks, e.g. ``SVARResults``."""

    def structural_shocks(self) -> pd.DataFrame:
        """Structural shocks: a date index and one column per shock."""
        ...


def as_shock_frame(shocks: pd.DataFrame | ShockSource) -> pd.DataFrame:
    """Return the shocks as a DataFrame (calling ``structural_shocks()`` if needed).

    Parameters
    ----------
    shocks : DataFrame or object with a ``structural_shocks()`` method
        Structural shocks, one column per shock.

    Returns
    -------
    DataFrame
        A copy of the shocks with string column names.
    """
    if isinstance(shocks, pd.DataFrame):
        frame = shocks
    elif hasattr(shocks, "structural_shocks"):
        frame = shocks.structural_shocks()
        if not isinstance(frame, pd.DataFrame):
            raise DataError("shocks: structural_shocks() did not return a DataFrame")
    else:
        raise DataError("shocks: expected a DataFrame or an object with structural_shocks()")
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    return frame


@dataclass(frozen=True)
class StackedData:
    """Long-format design: one row per observed ``(asset, t)`` pair.

    Attributes
    ----------
    assets, groups, shocks : tuple of str
        Labels; ``groups`` in order of first appearance among the assets.
    lags : int
        Highest shock lag ``L`` (lags ``0..L`` enter).
    dates : DatetimeIndex
        Dates with a complete row of lagged shocks, at least one return and,
        with regimes, a known regime.
    asset_group : ndarray of int, shape (n_assets,)
        Group index of each asset.
    y : ndarray, shape (n_obs,)
        Standardised returns.
    asset_idx, time_idx : ndarray of int, shape (n_obs,)
        Asset and date (position in ``dates``) of each row.
    x : ndarray, shape (n_dates, n_shocks * (lags + 1))
        Standardised lagged shocks, columns ordered (shock, lag).
    y_loc, y_scale : ndarray, shape (n_assets,)
        Mean and standard deviation of each asset's observed returns.
    x_loc, x_scale : ndarray, shape (n_shocks,)
        Mean and standard deviation of each shock over ``dates``.
    regimes : tuple of str
        Regime labels, sorted; empty without regimes.
    regime_idx : ndarray of int, shape (n_dates,)
        Regime (position in ``regimes``) of each date; zeros without regimes.
    covariates : tuple of str
        Names of the exogenous covariates; empty without.
    z : ndarray, shape (n_dates, n_covariates)
        Covariate values on ``dates``, raw (not standardised).
    """

    assets: tuple[str, ...]
    groups: tuple[str, ...]
    shocks: tuple[str, ...]
    lags: int
    dates: pd.DatetimeIndex
    asset_group: NDArray[np.int64]
    y: NDArray[np.float64]
    asset_idx: NDArray[np.int64]
    time_idx: NDArray[np.int64]
    x: NDArray[np.float64]
    y_loc: NDArray[np.float64]
    y_scale: NDArray[np.float64]
    x_loc: NDArray[np.float64]
    x_scale: NDArray[np.float64]
    regimes: tuple[str, ...] = ()
    regime_idx: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    covariates: tuple[str, ...] = ()
    z: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 0)))

    def __post_init__(self) -> None:
        n_t = len(self.dates)
        if not self.regimes and len(self.regime_idx) != n_t:
            object.__setattr__(self, "regime_idx", np.zeros(n_t, dtype=np.int64))
        if not self.covariates and self.z.shape != (n_t, 0):
            object.__setattr__(self, "z", np.zeros((n_t, 0)))

    @property
    def effects(self) -> tuple[str, ...]:
        """Effects of the regime coding: ``"common"`` then the contrasts; empty without regimes."""
        return ("common", *contrast_names(self.regimes)) if self.regimes else ()

    @property
    def contrasts(self) -> tuple[str, ...]:
        """Regime contrasts ``"contrast1"`` ..; empty without regimes."""
        return contrast_names(self.regimes)

    @property
    def coding(self) -> NDArray[np.float64]:
        """Regime coding ``M`` (regime x effect), see :func:`~causalmacro.bayes.regimes.regime_coding`."""
        return regime_coding(max(1, len(self.regimes)))

    @property
    def n_terms(self) -> int:
        """Hierarchical terms: shocks times effects (the shocks alone without regimes)."""
        return len(self.shocks) * max(1, len(self.regimes))

    @property
    def x_terms(self) -> NDArray[np.float64]:
        """Hierarchical columns, shape (n_dates, n_terms * (lags + 1)), ordered (shock, effect, lag).

        The standardised lagged shocks times the regime coding of each date;
        ``x`` itself without regimes.
        """
        if not self.regimes:
            return self.x
        n_t, n_l = len(self.dates), self.lags + 1
        code = self.coding[self.regime_idx]  # (T, E)
        x = self.x.reshape(n_t, len(self.shocks), 1, n_l) * code[:, None, :, None]
        return x.reshape(n_t, -1)

    @property
    def free_names(self) -> tuple[str, ...]:
        """Columns with fixed priors: the intercept, the regime contrasts, the covariates."""
        return ("intercept", *self.contrasts, *self.covariates)

    @property
    def x_free(self) -> NDArray[np.float64]:
        """Free columns, shape (n_dates, len(free_names)): ones, regime contrasts, raw covariates."""
        parts = [np.ones((len(self.dates), 1)), self.coding[self.regime_idx][:, 1:], self.z]
        return np.concatenate(parts, axis=1)

    @property
    def n_params_per_asset(self) -> int:
        """Regression coefficients of one asset: free columns plus hierarchical columns."""
        return len(self.free_names) + self.n_terms * (self.lags + 1)

    @property
    def regime_counts(self) -> dict[str, int]:
        """Dates of the fit in each regime (empty without regimes)."""
        counts = np.bincount(self.regime_idx, minlength=len(self.regimes))
        return {r: int(n) for r, n in zip(self.regimes, counts, strict=True)} if self.regimes else {}

    @property
    def n_obs(self) -> pd.Series:
        """Observations used for each asset."""
        counts = np.bincount(self.asset_idx, minlength=len(self.assets))
        return pd.Series(counts, index=list(self.assets), name="n_obs")

    @property
    def x_obs(self) -> NDArray[np.float64]:
        """Lagged standardised shocks of each stacked row, shape (n_obs, n_shocks*(L+1))."""
        return self.x[self.time_idx]

    @property
    def group_of(self) -> dict[str, str]:
        """Asset -> group mapping."""
        return {a: self.groups[g] for a, g in zip(self.assets, self.asset_group, strict=True)}

    def with_shocks(self, shocks: pd.DataFrame) -> StackedData:
        """Same returns and rows, new shock values (e.g. one SVAR bootstrap draw).

        The rows (observed pairs) are kept, so the model keeps its shape and
        its compiled functions can be reused.
        The regimes and covariates are kept; the regime columns (``x_terms``)
        follow from the new shocks.
        """
        xs, x_loc, x_scale = _lagged(shocks, self.shocks, self.lags, self.dates)
        return replace(self, x=xs, x_loc=x_loc, x_scale=x_scale)


def _lagged(
    shocks: pd.DataFrame, names: tuple[str, ...], lags: int, dates: pd.DatetimeIndex
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Standardised lagged shocks on ``dates``; columns (shock, lag)."""
    missing = [s for s in names if s not in shocks.columns]
    if missing:
        raise DataError(f"shock '{missing[0]}' is missing from the shock draws")
    frame = shocks[list(names)].astype(float)
    shifted = pd.concat({lag: frame.shift(lag) for lag in range(lags + 1)}, axis=1)
    shifted = shifted.reindex(dates)
    if shifted.isna().to_numpy().any():
        raise DataError("shocks: the shock draws do not cover the dates of the fit")
    level = frame.reindex(dates)
    x_loc = level.mean().to_numpy()
    x_scale = level.std(ddof=1).to_numpy()
    for name, s in zip(names, x_scale, strict=True):
        if not np.isfinite(s) or s <= 0:
            raise DataError(f"shock '{name}' is constant or empty over the fit's dates")
    cols = []
    for k, name in enumerate(names):
        for lag in range(lags + 1):
            cols.append((shifted[(lag, name)].to_numpy() - x_loc[k]) / x_scale[k])
    return np.column_stack(cols), x_loc, x_scale


def _numeric(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` as floats on dates; a cell that is no number, or infinite, is named with its column and row."""
    if not isinstance(frame.index, pd.DatetimeIndex):
        arg = "returns" if kind == "asset" else "shocks"
        raise DataError(f"{arg}: the index must be dates (a DatetimeIndex), got {type(frame.index).__name__}")
    out = {}
    for name in frame.columns:
        col = frame[name]
        values = pd.to_numeric(col, errors="coerce") if col.dtype.kind not in "iufb" else col.astype(float)
        bad = col.notna() & values.isna()
        if bad.any():
            row = bad.index[bad.to_numpy()][0]
            raise DataError(f"{kind} '{name}' has a non-numeric value {col[row]!r} on {row:%Y-%m-%d}")
        inf = np.isinf(values.to_numpy(dtype=np.float64))
        if inf.any():
            raise DataError(f"{kind} '{name}' has an infinite value on {col.index[inf][0]:%Y-%m-%d}")
        out[name] = values.astype(np.float64)
    return pd.DataFrame(out, index=frame.index)


def _no_interior_gaps(shock: pd.Series, lags: int) -> None:
    """Refuse a missing shock inside the shock's span.

    Each would silently drop ``lags + 1`` dates of the fit (every row whose
    lagged shocks include it), so, like ``linearmodels`` and statsmodels'
    ``missing="raise"``, it is an error naming the shock and the dates; the
    shocks of an SVAR have none. Missing values before the first or after the
    last shock only bound the sample.
    """
    first, last = shock.first_valid_index(), shock.last_valid_index()
    gaps = shock.loc[first:last].isna()
    if gaps.any():
        dates = gaps.index[gaps.to_numpy()]
        shown = ", ".join(f"{d:%Y-%m-%d}" for d in dates[:3]) + (", ..." if len(dates) > 3 else "")
        raise DataError(
            f"shock '{shock.name}' has {len(dates)} missing value(s) inside its span ({shown}); each would drop "
            f"{lags + 1} dates of the fit (lags 0..{lags}): fill or remove them"
        )


def stack(
    returns: pd.DataFrame,
    shocks: pd.DataFrame,
    groups: Mapping[str, str],
    lags: int,
    *,
    regimes: pd.Series | None = None,
    covariates: pd.DataFrame | None = None,
) -> StackedData:
    """Validate and stack returns and shocks into the long-format design.

    Parameters
    ----------
    returns : DataFrame
        Asset returns, a date index and one column per asset; NaN where an
        asset has no observation (unequal histories are allowed).
    shocks : DataFrame
        Structural shocks, a date index and one column per shock.
    groups : mapping of str to str
        Class of each asset.
    lags : int
        Highest shock lag ``L``; lags ``0..L`` enter the regression.
    regimes : Series, optional
        Regime label of each date (the regime of the row at ``t`` is the label
        at ``t``); dates without a label (``NaN`` or absent) are dropped.
    covariates : DataFrame, optional
        Exogenous regressors on dates, entered raw; they must be finite on
        every date of the fit and not constant there.

    Returns
    -------
    StackedData

    Raises
    ------
    DataError
        On unusable input; the message names the asset, shock, covariate or
        ``regimes`` at fault: a non-date index, a cell that is not a number or
        is infinite (with its date), a missing shock inside the shocks' span
        (it would drop ``lags + 1`` dates; missing returns are allowed).
    """
    if not isinstance(returns, pd.DataFrame) or returns.shape[1] == 0:
        raise DataError("returns: expected a DataFrame with one column per asset")
    if isinstance(lags, bool) or not isinstance(lags, int | np.integer) or lags < 0:
        raise DataError(f"lags: expected an integer >= 0, got {lags!r}")
    lags = int(lags)
    returns = returns.copy()
    returns.columns = [str(c) for c in returns.columns]
    if returns.columns.duplicated().any():
        dup = returns.columns[returns.columns.duplicated()][0]
        raise DataError(f"asset '{dup}' appears twice in returns")
    if shocks.shape[1] == 0:
        raise DataError("shocks: no shock columns")
    for name in returns.columns:
        if name not in groups:
            raise DataError(f"asset '{name}' has no class in groups")
        if returns[name].notna().sum() == 0:
            raise DataError(f"asset '{name}' has no observations (all NaN)")
    returns = _numeric(returns, "asset")
    frame = _numeric(shocks, "shock")
    for name in frame.columns:
        if frame[name].isna().all():
            raise DataError(f"shock '{name}' has no observations (all NaN)")
        _no_interior_gaps(frame[name], lags)

    shock_names = tuple(str(c) for c in shocks.columns)
    shifted = pd.concat({lag: frame.shift(lag) for lag in range(lags + 1)}, axis=1)
    complete = shifted.index[shifted.notna().all(axis=1).to_numpy()]
    common = returns.index.intersection(complete)
    if len(common) == 0:
        raise DataError("returns and shocks have no overlapping dates (after shock lags)")
    ret = returns.loc[common].astype(float)
    ret = ret.loc[ret.notna().any(axis=1)].sort_index()
    labels: tuple[str, ...] = ()
    regime_idx = np.zeros(len(ret), dtype=np.int64)
    if regimes is not None:
        labels, on_dates = check_regimes(regimes, pd.DatetimeIndex(ret.index))
        ret = ret.loc[on_dates.index]
        regime_idx = np.array([labels.index(v) for v in on_dates], dtype=np.int64)
    dates = pd.DatetimeIndex(ret.index)
    z = np.zeros((len(dates), 0))
    covariate_names: tuple[str, ...] = ()
    if covariates is not None:
        cov = check_covariates(covariates, dates)
        z, covariate_names = cov.to_numpy(dtype=np.float64), tuple(cov.columns)

    assets = tuple(ret.columns)
    n_params = (1 + max(0, len(labels) - 1) + len(covariate_names)
                + len(shock_names) * max(1, len(labels)) * (lags + 1))
    values = ret.to_numpy()
    observed = np.isfinite(values)
    for j, name in enumerate(assets):
        n = int(observed[:, j].sum())
        if n == 0:
            raise DataError(f"asset '{name}' has no observations on the shocks' dates")
        if n <= n_params:
            raise DataError(
                f"asset '{name}' has {n} observations on the shocks' dates, "
                f"not more than its {n_params} parameters"
            )
        if np.nanstd(values[:, j]) <= 0:
            raise DataError(f"asset '{name}' has constant returns")

    group_names: list[str] = []
    for name in assets:
        g = str(groups[name])
        if g not in group_names:
            group_names.append(g)
    asset_group = np.array([group_names.index(str(groups[a])) for a in assets], dtype=np.int64)

    y_loc = np.nanmean(values, axis=0)
    y_scale = np.nanstd(values, axis=0, ddof=1)
    time_idx, asset_idx = np.nonzero(observed)  # row-major: date by date
    y = (values[time_idx, asset_idx] - y_loc[asset_idx]) / y_scale[asset_idx]
    x, x_loc, x_scale = _lagged(frame, shock_names, lags, dates)
    return StackedData(
        assets=assets,
        groups=tuple(group_names),
        shocks=shock_names,
        lags=lags,
        dates=dates,
        asset_group=asset_group,
        y=y.astype(np.float64),
        asset_idx=asset_idx.astype(np.int64),
        time_idx=time_idx.astype(np.int64),
        x=x,
        y_loc=y_loc,
        y_scale=y_scale,
        x_loc=x_loc,
        x_scale=x_scale,
        regimes=labels,
        regime_idx=regime_idx,
        covariates=covariate_names,
        z=z,
    )


def describe(data: StackedData) -> dict[str, Any]:
    """JSON-ready description of the design (sample, observations per asset).

    With regimes, ``"regimes"`` holds the labels, the dates in each and the
    coding matrix; with covariates, ``"covariates"`` their names.
    """
    out: dict[str, Any] = {
        "assets": list(data.assets),
        "groups": data.group_of,
        "shocks": list(data.shocks),
        "lags": data.lags,
        "start": data.dates[0].isoformat() if len(data.dates) else None,
        "end": data.dates[-1].isoformat() if len(data.dates) else None,
        "n_obs": {k: int(v) for k, v in data.n_obs.items()},
    }
    if data.regimes:
        out["regimes"] = {
            "labels": list(data.regimes),
            "n_dates": data.regime_counts,
            "effects": list(data.effects),
            "coding": [[float(v) for v in row] for row in data.coding],
        }
    if data.covariates:
        out["covariates"] = list(data.covariates)
    return out
