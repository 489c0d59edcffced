"""Reduced-form VAR: statsmodels estimation, lag choice and batched least squares.

The point estimate is statsmodels' ``VAR`` (Lütkepohl 2005, sec. 3.2, multivariate
least squares; with exogenous regressors a VARX, ch. 10) so that its numbers are
statsmodels' numbers. The deterministic regressors, trend and exogenous columns,
come from :class:`~causalmacro.svar.deterministic.Deterministic`. The bootstrap needs
the same regression for thousands of simulated samples: :func:`batched_ols` solves
them all at once from stacked normal equations.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.tsa.vector_ar.var_model import VAR

from causalmacro.labelled import frozen_array
from causalmacro.spec.defaults import LagRule
from causalmacro.svar._validate import check_sample_size
from causalmacro.svar.deterministic import K_TREND, Deterministic, Trend
from causalmacro.svar.dynamics import companion_roots

__all__ = [
    "K_TREND",
    "LagCriterion",
    "ReducedForm",
    "Trend",
    "batched_ols",
    "default_max_lags",
    "fit_reduced_form",
    "lag_matrix",
    "split_params",
]

LagCriterion = LagRule  # the spec's name; kept for the svar modules that import it from here


@dataclass(frozen=True, eq=False)
class ReducedForm:
    """Least-squares estimate of :math:`y_t = \\Gamma' D_t + A_1 y_{t-1} + \\dots + A_p y_{t-p} + u_t`.

    :math:`D_t` holds the trend terms and any exogenous regressors (:attr:`deterministic`).

    Attributes
    ----------
    names : tuple of str
        Variables in chain order.
    index : pandas.Index
        Dates of the ``nobs`` effective observations (the first ``lags`` rows are lost).
    data : ndarray, shape (nobs + lags, K)
        The data, all rows.
    lags, trend
        Lag order and deterministic terms (statsmodels codes).
    params : ndarray, shape (k_det + K p, K)
        Stacked coefficients in statsmodels' layout: trend rows, exogenous rows,
        then lag 1, ..., lag p.
    coefs : ndarray, shape (p, K, K)
        :math:`A_1, \\dots, A_p`.
    sigma_u : ndarray, shape (K, K)
        Residual covariance with the degrees-of-freedom correction ``nobs - k_det - K p``.
    resid : ndarray, shape (nobs, K)
    roots : ndarray
        Moduli of the companion eigenvalues, largest first.
    exog : ndarray, shape (nobs + lags, k_exog), optional
        Exogenous regressors on every row of the data; ``None`` without exog.
    exog_names : tuple of str
        Their names (the coefficient-row labels).
    """

    names: tuple[str, ...]
    index: pd.Index
    data: np.ndarray
    lags: int
    trend: Trend
    params: np.ndarray
    coefs: np.ndarray
    sigma_u: np.ndarray
    resid: np.ndarray
    roots: np.ndarray
    exog: np.ndarray | None = field(default=None)
    exog_names: tuple[str, ...] = ()

    @cached_property
    def deterministic(self) -> Deterministic:
        """The deterministic regressor block (trend terms, then exogenous columns)."""
        exog = np.zeros((0, 0)) if self.exog is None else np.asarray(self.exog)
        return Deterministic(self.trend, int(self.data.shape[0]), exog, self.exog_names)

    @property
    def k_trend(self) -> int:
        """Number of trend terms (statsmodels' ``k_trend``)."""
        return self.deterministic.k_trend

    @property
    def k_exog(self) -> int:
        """Number of exogenous regressors."""
        return self.deterministic.k_exog

    @property
    def k_det(self) -> int:
        """Number of deterministic coefficient rows, trend terms plus exogenous columns."""
        return self.deterministic.k

    @property
    def nobs(self) -> int:
        """Number of effective observations."""
        return int(self.resid.shape[0])

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom per equation."""
        return self.nobs - self.k_det - len(self.names) * self.lags

    @property
    def is_stable(self) -> bool:
        """Whether all companion roots lie inside the unit circle."""
        return bool(self.roots.size == 0 or self.roots[0] < 1.0)


def default_max_lags(nobs: int, k: int, k_trend: int) -> int:
    """Largest lag order a criterion searches with ``max_lags=None`` (a sample-size rule).

    statsmodels' rule :math:`12 (T/100)^{1/4}`, capped so that the lag
    coefficients of each equation use at most a quarter of the effective sample,
    :math:`K p ≤ (T - p) / 4`, i.e. :math:`p ≤ T / (4K + 1)`: with 130
    monthly observations of 5 variables the search stops at 6 lags, not 13.
    """
    rule = round(12 * (nobs / 100.0) ** 0.25)
    share = int(nobs // (4 * k + 1))
    return max(1, min(rule, share, _df_cap(nobs, k, k_trend)))


def _df_cap(nobs: int, k: int, k_trend: int) -> int:
    """Largest order whose equations still have positive residual degrees of freedom."""
    return max(1, (nobs - k_trend - 1) // (k + 1) - 1)


def select_lags(
    values: np.ndarray, criterion: LagCriterion, trend: Trend, max_lags: int | None,
    exog: np.ndarray | None = None,
) -> tuple[int, dict[str, int], str | None, int]:
    """Lag order chosen by an information criterion, never below one.

    Parameters
    ----------
    values : ndarray, shape (T, K)
    criterion : {"aic", "bic", "hqic"}
    trend : str
    max_lags : int or None
        Largest order tried; ``None`` uses :func:`default_max_lags`. Always capped
        so the largest model still has positive residual degrees of freedom.
    exog : ndarray, shape (T, k_exog), optional
        Exogenous regressors, in every candidate model.

    Returns
    -------
    lags : int
    selected : dict
        Orders chosen by each criterion, as statsmodels reports them.
    note : str or None
        Set when the criterion chose 0 and the order was raised to 1.
    max_lags : int
        The largest order tried.

    Raises
    ------
    DataError
        Too few observations for even a VAR(1).
    """
    nobs, k = values.shape
    k_det = K_TREND[trend] + (0 if exog is None else exog.shape[1])
    check_sample_size(nobs, k, 1, k_det)  # not even the smallest candidate fits: say so, not statsmodels' ValueError
    if max_lags is None:
        max_lags = default_max_lags(nobs, k, k_det)
    max_lags = max(1, min(max_lags, _df_cap(nobs, k, k_det)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sel = VAR(values, exog=exog).select_order(maxlags=max_lags, trend=trend)
    selected = {key: int(val) for key, val in sel.selected_orders.items()}
    lags = selected[criterion]
    note = None
    if lags < 1:
        note = f"{criterion.upper()} chose 0 lags (max_lags={max_lags}); raised to 1 so that dynamics exist"
        lags = 1
    return lags, selected, note, max_lags


def fit_reduced_form(
    frame: pd.DataFrame, lags: int, trend: Trend, exog: pd.DataFrame | None = None
) -> tuple[ReducedForm, Any]:
    """Estimate the reduced form with statsmodels (``VAR(endog, exog=)``).

    Parameters
    ----------
    frame : pandas.DataFrame
        Validated float data, columns in chain order.
    lags : int
    trend : {"n", "c", "ct", "ctt"}
    exog : pandas.DataFrame, optional
        Validated float exogenous regressors on the rows of ``frame``.

    Raises
    ------
    DataError
        Too few observations, or an exogenous column without variation on the
        estimation sample (e.g. a pulse inside the first ``lags`` rows).

    Returns
    -------
    ReducedForm
    statsmodels VARResults
        Kept for the tests statsmodels implements (Granger, portmanteau, normality).
    """
    values = frame.to_numpy(dtype=np.float64)
    x = None if exog is None else exog.to_numpy(dtype=np.float64)
    names = () if exog is None else tuple(str(c) for c in exog.columns)
    det = Deterministic(trend, values.shape[0], np.zeros((0, 0)) if x is None else x, names)
    check_sample_size(values.shape[0], values.shape[1], lags, det.k)
    det.check_rank(lags)
    sm_res = VAR(values, exog=x).fit(maxlags=lags, trend=trend)
    params = np.asarray(sm_res.params, dtype=np.float64)
    coefs = np.asarray(sm_res.coefs, dtype=np.float64)
    rf = ReducedForm(
        names=tuple(frame.columns),
        index=frame.index[lags:],
        data=frozen_array(values),
        lags=lags,
        trend=trend,
        params=frozen_array(params),
        coefs=frozen_array(coefs),
        sigma_u=frozen_array(np.asarray(sm_res.sigma_u)),
        resid=frozen_array(np.asarray(sm_res.resid)),
        roots=frozen_array(companion_roots(coefs)),
        exog=None if x is None else frozen_array(x),
        exog_names=names,
    )
    return rf, sm_res


def _det_block(y: np.ndarray, lags: int, det: Trend | Deterministic) -> np.ndarray:
    """The deterministic regressors of the estimation sample of ``y``, from a trend code or a block."""
    block = det if isinstance(det, Deterministic) else Deterministic(det, y.shape[-2])
    if block.nrows != y.shape[-2]:
        raise ValueError(f"deterministic block has {block.nrows} rows, data have {y.shape[-2]}")
    return block.regressors(lags)


def lag_matrix(y: np.ndarray, lags: int, det: Trend | Deterministic) -> np.ndarray:
    """Regressors ``[deterministic, y_{t-1}, ..., y_{t-p}]`` for (batched) series.

    Parameters
    ----------
    y : ndarray, shape (..., T, K)
    lags : int
    det : str or Deterministic
        A trend code (no exog), or the deterministic block of the data (trend and
        exogenous columns; shared by every series of a batch).

    Returns
    -------
    ndarray, shape (..., T - lags, k_det + K lags)
    """
    nobs, k = y.shape[-2] - lags, y.shape[-1]
    d = _det_block(y, lags, det)
    kt = d.shape[1]
    z = np.empty((*y.shape[:-2], nobs, kt + k * lags))
    z[..., :kt] = d
    for j in range(1, lags + 1):
        z[..., kt + (j - 1) * k : kt + j * k] = y[..., lags - j : lags - j + nobs, :]
    return z


def split_params(params: np.ndarray, k_trend: int, n_vars: int) -> tuple[np.ndarray, np.ndarray]:
    """Split stacked coefficients into deterministic and lag parts.

    Parameters
    ----------
    params : ndarray, shape (..., k_trend + K p, K)
    k_trend : int
        Number of deterministic rows: trend terms plus exogenous columns (``k_det``).
    n_vars : int

    Returns
    -------
    det : ndarray, shape (..., k_trend, K)
    coefs : ndarray, shape (..., p, K, K)
        ``coefs[..., j]`` is :math:`A_{j+1}`.
    """
    det = params[..., :k_trend, :]
    lag = params[..., k_trend:, :]
    p = lag.shape[-2] // n_vars
    lag = lag.reshape(*lag.shape[:-2], p, n_vars, n_vars)
    return det, np.swapaxes(lag, -1, -2)


def batched_ols(y: np.ndarray, lags: int, trend: Trend | Deterministic) -> tuple[np.ndarray, np.ndarray]:
    """Equation-by-equation least squares for a stack of samples in one computation.

    Solves the normal equations :math:`(Z'Z) B = Z'Y` for every replication with
    one call of :func:`numpy.linalg.solve` on stacked matrices. The cross-products
    are assembled block by block from views of ``y``, and the residual covariance
    is :math:`(Y'Y - B'Z'Y) / (T - k)`, so neither regressors nor residuals are stored.

    Parameters
    ----------
    y : ndarray, shape (R, T, K)
    lags : int
    trend : str or Deterministic
        A trend code, or the deterministic block (trend and exogenous columns),
        the same observed regressors for every replication.

    Returns
    -------
    params : ndarray, shape (R, k_det + K p, K)
    sigma_u : ndarray, shape (R, K, K)
        With the same degrees-of-freedom correction as statsmodels.
    """
    r, _, k = y.shape
    n = y.shape[1] - lags
    d = _det_block(y, lags, trend)
    kt = d.shape[1]
    m = kt + k * lags
    # cross-products from views of y: no (R, T, m) regressor array is ever built
    blocks = [y[:, lags - j : lags - j + n] for j in range(1, lags + 1)]
    y0 = y[:, lags:]
    ztz = np.empty((r, m, m))
    zty = np.empty((r, m, k))
    ztz[:, :kt, :kt] = d.T @ d
    zty[:, :kt] = d.T @ y0
    for i, yi in enumerate(blocks):
        si = slice(kt + i * k, kt + (i + 1) * k)
        yit = np.swapaxes(yi, -1, -2)
        dy = d.T @ yi
        ztz[:, :kt, si] = dy
        ztz[:, si, :kt] = np.swapaxes(dy, -1, -2)
        zty[:, si] = yit @ y0
        for j in range(i, lags):
            sj = slice(kt + j * k, kt + (j + 1) * k)
            cross = yit @ blocks[j]
            ztz[:, si, sj] = cross
            if j != i:
                ztz[:, sj, si] = np.swapaxes(cross, -1, -2)
    params = np.linalg.solve(ztz, zty)
    sigma = (np.swapaxes(y0, -1, -2) @ y0 - np.swapaxes(params, -1, -2) @ zty) / (n - m)
    return params, 0.5 * (sigma + np.swapaxes(sigma, -1, -2))


def __getattr__(name: str) -> Any:
    """``default_maxlags``: the deprecated name of :func:`default_max_lags`."""
    if name == "default_maxlags":
        warnings.warn("causalmacro.svar.reduced_form.default_maxlags is deprecated; use default_max_lags",
                      DeprecationWarning, stacklevel=2)
        return default_max_lags
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
