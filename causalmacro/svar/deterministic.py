"""Deterministic regressors of a VAR(X): trend terms and exogenous series, built in one place.

A VARX (Lütkepohl 2005, ch. 10) adds contemporaneous exogenous regressors to the
deterministic terms, :math:`y_t = D_t' \\Gamma + A_1 y_{t-1} + \\dots + A_p y_{t-p} + u_t`
with :math:`D_t = (1, t, t^2, x_t')'` (whichever trend terms are asked for, then the
exogenous columns, no lags of :math:`x`). :class:`Deterministic` is the single source
of :math:`D_t`: for the estimation sample (reduced form, bootstrap regressions,
simulation, shocks under parameter draws, historical decomposition) and for future
periods (forecasts). Everything follows statsmodels' ``VAR(endog, exog=)``: the
time trend is 1 at the first row of the data, and the rows of the stacked
coefficients are the trend terms, then the exogenous columns, then the lags.

Exogenous series are treated as fixed regressors: the bootstrap reuses their
observed path in every simulated sample (Kilian & Lütkepohl 2017, sec. 12.2,
with deterministic terms held fixed).

References
----------
Lütkepohl, H. (2005). *New Introduction to Multiple Time Series Analysis*. Springer,
sec. 3.2 (least squares with deterministic terms), ch. 10 (systems with exogenous variables).
Kilian, L. & Lütkepohl, H. (2017). *Structural Vector Autoregressive Analysis*. CUP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from causalmacro.errors import DataError
from causalmacro.spec.defaults import Trend

__all__ = ["K_TREND", "TREND_NAMES", "Deterministic", "Trend", "trend_block"]

K_TREND: dict[str, int] = {"n": 0, "c": 1, "ct": 2, "ctt": 3}
TREND_NAMES: dict[str, tuple[str, ...]] = {
    "n": (),
    "c": ("const",),
    "ct": ("const", "trend"),
    "ctt": ("const", "trend", "trend**2"),  # statsmodels 0.15 labels
}


def trend_block(trend: str, first: int, nobs: int) -> np.ndarray:
    """Trend regressors for ``nobs`` consecutive periods, as statsmodels' ``VAR`` builds them.

    Parameters
    ----------
    trend : {"n", "c", "ct", "ctt"}
    first : int
        Value of the time trend in the first period; statsmodels counts the first
        row of the data as 1, so the estimation sample starts at ``lags + 1`` and
        a forecast at ``T + 1``.
    nobs : int

    Returns
    -------
    ndarray, shape (nobs, k_trend)
    """
    t = np.arange(first, first + nobs, dtype=np.float64)
    ones = np.ones(nobs)
    cols = {"n": [], "c": [ones], "ct": [ones, t], "ctt": [ones, t, t**2]}[trend]
    return np.column_stack(cols) if cols else np.zeros((nobs, 0))


def _empty_exog() -> np.ndarray:
    return np.zeros((0, 0))


@dataclass(frozen=True, eq=False)
class Deterministic:
    """The deterministic regressor block :math:`D_t` of a VAR(X) over the rows of its data.

    Attributes
    ----------
    trend : {"n", "c", "ct", "ctt"}
        Trend terms (statsmodels codes).
    nrows : int
        Rows of the data, ``T`` (the first ``lags`` are initial values).
    exog : ndarray, shape (T, k_exog)
        Exogenous regressors on every row of the data (empty without exog).
    exog_names : tuple of str
        Their column names, the coefficient-row labels statsmodels uses.
    """

    trend: Trend
    nrows: int
    exog: np.ndarray = field(default_factory=_empty_exog)
    exog_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        exog = np.array(self.exog, dtype=np.float64, copy=True)
        if exog.size == 0:
            exog = np.zeros((self.nrows, 0))
        if exog.shape != (self.nrows, len(self.exog_names)):
            raise ValueError(
                f"exog has shape {exog.shape}, expected ({self.nrows}, {len(self.exog_names)})"
            )
        exog.flags.writeable = False
        object.__setattr__(self, "exog", exog)

    @property
    def k_trend(self) -> int:
        """Number of trend terms."""
        return K_TREND[self.trend]

    @property
    def k_exog(self) -> int:
        """Number of exogenous regressors."""
        return len(self.exog_names)

    @property
    def k(self) -> int:
        """Number of deterministic regressors, trend terms plus exogenous columns."""
        return self.k_trend + self.k_exog

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient-row labels in statsmodels' order: trend terms, then exog columns."""
        return TREND_NAMES[self.trend] + self.exog_names

    def regressors(self, lags: int, part: Literal["all", "trend", "exog"] = "all") -> np.ndarray:
        """:math:`D_t` on the estimation sample, rows ``lags .. T-1`` of the data.

        The same block serves a whole batch of bootstrap samples (they share the
        observed exogenous path), so a batch broadcasts against it.

        Parameters
        ----------
        lags : int
            Lag order; the first ``lags`` rows are initial values.
        part : {"all", "trend", "exog"}
            All columns, or only the trend or only the exogenous columns; the
            columns not asked for are zero, so ``regressors(p, "trend") @ params``
            is the trend's part of the mean alone.

        Returns
        -------
        ndarray, shape (T - lags, k)
        """
        nobs = self.nrows - lags
        trend = trend_block(self.trend, lags + 1, nobs)
        exog = self.exog[lags:]
        if part == "trend":
            exog = np.zeros_like(exog)
        elif part == "exog":
            trend = np.zeros_like(trend)
        return np.concatenate([trend, exog], axis=1)

    def future(self, steps: int, exog_future: np.ndarray | None = None) -> np.ndarray:
        """:math:`D_t` for the ``steps`` periods after the data, ``t = T+1, ..., T+steps``.

        Parameters
        ----------
        steps : int
        exog_future : ndarray, shape (steps, k_exog), optional
            Future exogenous values, already validated; required when there is exog.

        Returns
        -------
        ndarray, shape (steps, k)
        """
        trend = trend_block(self.trend, self.nrows + 1, steps)
        if self.k_exog == 0:
            return trend
        if exog_future is None or exog_future.shape != (steps, self.k_exog):
            raise ValueError(f"exog_future must have shape ({steps}, {self.k_exog})")
        return np.concatenate([trend, np.asarray(exog_future, dtype=np.float64)], axis=1)

    def check_rank(self, lags: int) -> None:
        """Raise unless the block has full column rank on the estimation sample.

        Columns are checked in order, so the one reported is the first that is zero
        or a linear combination of the trend terms and the exogenous columns before it.

        Parameters
        ----------
        lags : int
            Rows before the estimation sample (0 checks the whole data).

        Raises
        ------
        DataError
            Naming the exogenous column at fault.
        """
        d = self.regressors(lags)
        kt = self.k_trend
        where = f" after the first {lags} rows" if lags else ""
        for j, name in enumerate(self.exog_names):
            col = d[:, kt + j]
            scale = float(np.linalg.norm(col))
            if scale <= 1e-12 * np.sqrt(max(len(col), 1)):
                raise DataError(f"exog column {name!r} is zero{where}; it cannot be estimated")
            if kt and self._in_span(d[:, :1], col, scale):
                raise DataError(
                    f"exog column {name!r} is constant{where}, which duplicates the constant of trend={self.trend!r}"
                )
            if kt and self._in_span(d[:, :kt], col, scale):
                raise DataError(f"exog column {name!r} is collinear with the trend terms of trend={self.trend!r}")
            if self._in_span(d[:, : kt + j], col, scale):
                others = ", ".join(repr(n) for n in self.exog_names[:j])
                with_trend = " and the trend terms" if kt else ""
                raise DataError(f"exog column {name!r} is collinear with exog columns {others}{with_trend}{where}")

    @staticmethod
    def _in_span(basis: np.ndarray, col: np.ndarray, scale: float) -> bool:
        if basis.shape[1] == 0:
            return False
        coef, *_ = np.linalg.lstsq(basis, col, rcond=None)
        return bool(np.linalg.norm(col - basis @ coef) <= 1e-9 * scale)
