"""The local-projection model: its settings (:class:`LocalProjections`) and the regressions :meth:`~LocalProjections.fit`
runs; see :mod:`causalmacro.lp` for the definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from causalmacro.errors import ArgumentError, DataError
from causalmacro.spec.defaults import LP

from .regression import ols, stack_influence
from .results import LocalProjectionsResults

__all__ = ["LocalProjections", "hac_rule"]

HAC_RULE = "h + 1"
"""The documented Newey-West lag rule at horizon ``h`` when ``hac_lags`` is None (Jordà 2005)."""


def hac_rule(h: int, hac_lags: int | None) -> int:
    """Newey-West lags at horizon ``h``: ``hac_lags`` if given, else ``h + 1`` (the errors are MA(h))."""
    return int(hac_lags) if hac_lags is not None else h + 1


def _frame(data: pd.DataFrame | pd.Series, what: str) -> pd.DataFrame:
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise DataError(f"{what}: expected a DataFrame with at least one column")
    for c in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise DataError(f"{what}: column {c!r} is not numeric")
    return frame.astype(float)


def _distinct(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns equal (NaN included) to an earlier one: the own lags of an observed shock that
    is also a response appear once.

    Compares whole columns as arrays (``pandas``' ``frame.T.duplicated()`` factorises each of the T rows of the
    transpose: a Python-level loop over periods, seconds on a weekly panel).
    """
    values = frame.to_numpy(dtype=float)
    keep = [c for c in range(values.shape[1])
            if not any(np.array_equal(values[:, c], values[:, e], equal_nan=True) for e in range(c))]
    return frame.iloc[:, keep] if len(keep) < values.shape[1] else frame


class LocalProjections:
    """Local-projection impulse responses of ``responses`` to each column of ``shocks``.

    Parameters
    ----------
    responses : pandas.DataFrame
        One column per response variable, a time index.
    shocks : pandas.DataFrame or Series
        One column per shock on the same index (e.g. ``SVARResults.structural_shocks()``,
        an event dummy, any series). Rows missing in either are dropped per regression.
        A shock may also be a response (the same values): its own lags then enter once,
        and its own response at horizon 0 is 1 by construction (standard error 0).
    horizon : int
        Last horizon; responses at ``0..horizon``.
    lags : int
        Lags of every response and every shock among the controls.
    lag_augment : bool, default True
        Add one more lag of each (then HC1 standard errors; HAC otherwise); the
        default is the spec's ``[lp] lag_augment`` (:data:`causalmacro.spec.defaults.LP`).
    state : pandas.Series, optional
        Regime label per period; responses are estimated per state at ``t - 1`` by the
        fully interacted regression (Ramey & Zubairy 2018).
    shock_size : {"unit", "std"}
        What a one-unit move of a shock series is, for labels: ``"unit"`` (a
        unit of the series), or ``"std"`` when the shocks have unit variance
        (``SVARResults.structural_shocks()``), so a unit move is one standard
        deviation. The estimates are the same either way.
    controls : pandas.DataFrame, optional
        Exogenous controls, entered as given at date ``t`` (pass shifted columns for
        their lags); rows where one is missing are dropped.
    cumulative : bool, default False
        Project ``y_t + ... + y_{t+h}`` (the level's change ``Y_{t+h} - Y_{t-1}`` when
        ``y`` is a difference, as lpirfs' ``cumul_mult``); ``[lp] cumulative``.
    hac_lags : int, optional
        Newey-West lags of the HAC standard errors (``lag_augment=False``) at every
        horizon; None: ``h + 1`` at horizon ``h`` (Jordà 2005). ``[lp] hac_lags``.
        Recorded in ``irf().attrs["hac_lags"]``.

    Examples
    --------
    >>> lp = LocalProjections(panel[["btc"]], svar.structural_shocks()[["net_liquidity"]], horizon=12, lags=2)  # doctest: +SKIP
    >>> lp.fit().irf(level=0.9, joint=True)  # doctest: +SKIP
    """

    def __init__(
        self,
        responses: pd.DataFrame,
        shocks: pd.DataFrame | pd.Series,
        *,
        horizon: int,
        lags: int,
        lag_augment: bool = LP.lag_augment,
        state: pd.Series | None = None,
        shock_size: str = "unit",
        controls: pd.DataFrame | pd.Series | None = None,
        cumulative: bool = LP.cumulative,
        hac_lags: int | None = LP.hac_lags,
    ) -> None:
        if shock_size not in ("unit", "std"):
            raise ArgumentError(f"shock_size must be 'unit' or 'std', got {shock_size!r}")
        self.shock_size = shock_size
        self.responses = _frame(responses, "responses")
        self.shocks = _frame(shocks, "shocks")
        self.controls = None if controls is None else _frame(controls, "controls")
        for name, value, low in (("horizon", horizon, 0), ("lags", lags, 0), ("hac_lags", hac_lags, 0)):
            if name == "hac_lags" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
                raise ArgumentError(f"{name} must be an integer >= {low}, got {value!r}")
        self.horizon, self.lags, self.lag_augment = int(horizon), int(lags), bool(lag_augment)
        self.cumulative = bool(cumulative)
        self.hac_lags = None if hac_lags is None else int(hac_lags)
        self.state = state
        common = self.responses.index.intersection(self.shocks.index)
        if len(common) <= self.horizon + self.lags + 2:
            raise DataError(f"responses and shocks share {len(common)} periods: too few for horizon {horizon}")
        if self.controls is not None:
            missing = common.difference(self.controls.index)
            if len(missing):
                raise DataError(f"controls: no row for {len(missing)} periods (first {missing[0]})")
            clash = set(map(str, self.controls.columns)) & set(map(str, [*self.responses.columns, *self.shocks.columns]))
            if clash:
                raise DataError(f"controls: {sorted(clash)} also responses or shocks")
        if state is not None:
            if not isinstance(state, pd.Series):
                raise DataError("state: expected a pandas Series of labels")
            missing = self.responses.index.difference(state.index)
            if len(missing):
                raise DataError(f"state: no label for {len(missing)} periods (first {missing[0]})")

    def fit(self) -> LocalProjectionsResults:
        """Run every regression and return frozen results.

        One regression per (horizon, response, shock): pooled, or, with ``state``,
        the fully interacted regression over all periods (every regressor, the
        constant included, times the indicator of each state at ``t - 1``) whose
        HAC covariance runs over the whole time-ordered sample.

        Returns
        -------
        LocalProjectionsResults
            The coefficients and standard errors of every (response, shock,
            horizon), and the correlation of each path's estimates across
            horizons; :meth:`LocalProjectionsResults.irf` gives the banded
            responses (pointwise or joint).
        """
        p = self.lags + (1 if self.lag_augment else 0)
        index = self.responses.index.intersection(self.shocks.index)
        y = self.responses.loc[index]
        s = self.shocks.loc[index]
        lagged = [frame.shift(j).add_suffix(f"_L{j}") for frame in (y, s) for j in range(1, p + 1)]
        if self.controls is not None:
            lagged.append(self.controls.loc[index])
        controls = _distinct(pd.concat(lagged, axis=1)) if lagged else pd.DataFrame(index=index)
        states = ["all"] if self.state is None else sorted(map(str, pd.unique(self.state.dropna())))
        if self.state is None:
            dummies = pd.DataFrame({"all": 1.0}, index=index)
        else:
            prior = self.state.reindex(index).shift(1)
            dummies = pd.DataFrame({st: (prior.astype(str) == st).astype(float) for st in states}, index=index)
            dummies[prior.isna().to_numpy()] = np.nan
        H = self.horizon
        shape = (H + 1, y.shape[1], s.shape[1], len(states))
        coef, se = np.full(shape, np.nan), np.full(shape, np.nan)
        nobs = np.zeros(shape[:1] + shape[2:], dtype=int)
        influence = np.zeros((*shape, len(index)))
        bandwidth = max(H + 1, self.hac_lags or 0)
        d_all = dummies[states].to_numpy(dtype=float)
        with threadpool_limits(limits=1):  # small regressions: BLAS threads only contend (100x slower at T=560)
            for j, shock in enumerate(s.columns):
                base = pd.concat([pd.Series(1.0, index=index, name="const"), s[[shock]], controls], axis=1)
                base = base.loc[:, ~base.columns.duplicated()]
                x_all = base.to_numpy(dtype=float)
                complete = ~(np.isnan(x_all).any(axis=1) | np.isnan(d_all).any(axis=1))
                for i, resp in enumerate(y.columns):
                    own = np.array_equal(y[resp].to_numpy(), s[shock].to_numpy(), equal_nan=True)
                    for h in range(H + 1):
                        lhs = y[resp].rolling(h + 1).sum().shift(-h) if self.cumulative else y[resp].shift(-h)
                        if own and h == 0:  # shock_t on itself: exactly one, no sampling error
                            coef[0, i, j, :], se[0, i, j, :] = 1.0, 0.0
                            continue
                        lhs_v = lhs.to_numpy(dtype=float)
                        rows = np.flatnonzero(complete & ~np.isnan(lhs_v))
                        self._one(lhs_v[rows], x_all[rows], d_all[rows], rows, h, (i, j), coef, se, nobs, influence)
        corr = np.zeros((H + 1, H + 1, *shape[1:]))
        for i, j, k in np.ndindex(*shape[1:]):
            corr[:, :, i, j, k] = stack_influence(influence[:, i, j, k], bandwidth)
        return LocalProjectionsResults(
            coef=coef, se=se, nobs=nobs, responses=tuple(map(str, y.columns)), shocks=tuple(map(str, s.columns)),
            states=tuple(states) if self.state is not None else (), lags=self.lags, lag_augment=self.lag_augment,
            cov="HC1" if self.lag_augment else f"HAC (Newey-West, {HAC_RULE if self.hac_lags is None else self.hac_lags}"
            " lags)", shock_size=self.shock_size, corr=corr, hac_lags=self.hac_lags, joint_lags=bandwidth,
            cumulative=self.cumulative,
            controls=() if self.controls is None else tuple(map(str, self.controls.columns)),
        )

    def _one(self, lhs: np.ndarray, x_base: np.ndarray, d: np.ndarray, rows: np.ndarray, h: int,
             at: tuple[int, int], coef: np.ndarray, se: np.ndarray, nobs: np.ndarray, influence: np.ndarray) -> None:
        """The (interacted) regression of ``lhs`` at horizon ``h`` on the complete rows ``rows`` (positions in the
        sample, in time order: ``x_base`` the pooled regressors, ``d`` the state indicators there); fills ``at``'s
        cells of the output arrays."""
        i, j = at
        k = x_base.shape[1]
        kept = [m for m in range(d.shape[1]) if d[:, m].sum() > k + 1]  # a state too rare to fit stays NaN
        if not kept:
            return
        in_kept = d[:, kept].sum(axis=1) > 0
        x = np.concatenate([x_base[in_kept] * d[in_kept, m][:, None] for m in kept], axis=1)
        fit = ols(x, lhs[in_kept], "HC1" if self.lag_augment else "HAC", hac_rule(h, self.hac_lags))
        where = rows[in_kept]
        for n, m in enumerate(kept):
            c = n * k + 1  # the shock's column in state m's block
            coef[h, i, j, m], se[h, i, j, m] = fit.coef[c], np.sqrt(fit.cov[c, c])
            nobs[h, j, m] = int(d[in_kept, m].sum())
            influence[h, i, j, m, where] = fit.influence[:, c]
