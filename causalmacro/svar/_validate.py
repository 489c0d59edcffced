"""Input checks for the structural VAR: every failure is one :class:`DataError` line.

The checks follow the failure modes that make a VAR's least-squares problem
ill-posed (Lütkepohl 2005, sec. 3.2): missing values, a regressor matrix without
full column rank (constant or collinear series) and fewer observations than
parameters per equation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from causalmacro.errors import ArgumentError, DataError

__all__ = ["check_sample_size", "min_observations", "validate_frame"]


def validate_frame(data: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
    """Return the columns of ``data`` named in ``order`` as a float frame.

    Parameters
    ----------
    data : pandas.DataFrame
        One column per variable, one row per period.
    order : sequence of str or None
        Variables in the order of the recursive chain; ``None`` keeps all
        columns in their frame order.

    Returns
    -------
    pandas.DataFrame
        A float64 copy holding the ordered columns.

    Raises
    ------
    ArgumentError
        ``order`` naming an unknown or duplicated column.
    DataError
        Naming the column at fault: non-numeric,
        missing or infinite values, constant, or perfectly collinear; or
        no more rows than columns.
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    names = [str(c) for c in data.columns] if order is None else [str(c) for c in order]
    if len(names) < 2:
        raise DataError(f"a VAR needs at least 2 variables, got {names}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ArgumentError(f"order: variable {name!r} appears twice")
        seen.add(name)
        if name not in data.columns:
            cols = ", ".join(repr(str(c)) for c in data.columns)
            raise ArgumentError(f"order names unknown column {name!r}; data has {cols}")
    frame = data.loc[:, names]
    for name in names:
        col = frame[name]
        if not (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)):
            cell = ""
            if not pd.api.types.is_bool_dtype(col):
                bad = col.notna() & pd.to_numeric(col, errors="coerce").isna()
                cell = f": {col[bad].iloc[0]!r} at row {col.index[bad.to_numpy()][0]}" if bad.any() else (
                    "; its values are numbers stored as text: convert with pd.to_numeric")
            raise DataError(f"column {name!r} is not numeric (dtype {col.dtype}){cell}")
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    for j, name in enumerate(names):
        col = values[:, j]
        n_nan = int(np.isnan(col).sum())
        if n_nan:
            first = frame.index[int(np.flatnonzero(np.isnan(col))[0])]
            raise DataError(f"column {name!r} has {n_nan} missing values (first at {first})")
        if not np.isfinite(col).all():
            raise DataError(f"column {name!r} has infinite values")
        if len(col) and np.ptp(col) <= 1e-12 * max(1.0, float(np.abs(col).max())):
            raise DataError(f"column {name!r} is constant")
    if len(values) <= len(names):  # demeaned, n rows span at most n - 1 dimensions: not collinearity's fault
        raise DataError(f"too few observations: {len(values)} rows for {len(names)} variables")
    _check_collinear(values, names)
    return pd.DataFrame(values, index=frame.index, columns=names)


def _check_collinear(values: np.ndarray, names: Sequence[str]) -> None:
    """Raise if one demeaned column is a linear combination of the others."""
    centred = values - values.mean(axis=0)
    scaled = centred / np.linalg.norm(centred, axis=0)
    sv = np.linalg.svd(scaled, compute_uv=False)
    if sv[-1] > 1e-9 * sv[0]:
        return
    for j, name in enumerate(names):
        others = np.delete(scaled, j, axis=1)
        coef, *_ = np.linalg.lstsq(others, scaled[:, j], rcond=None)
        if np.linalg.norm(scaled[:, j] - others @ coef) < 1e-8:
            raise DataError(f"column {name!r} is perfectly collinear with the other columns")
    raise DataError("columns are perfectly collinear")  # pragma: no cover


def min_observations(n_vars: int, lags: int, k_det: int) -> int:
    """Fewest rows a VAR(``lags``) of ``n_vars`` variables can be estimated and identified on.

    After the ``lags`` initial values, each equation's ``n_vars * lags + k_det``
    coefficients must leave at least ``n_vars`` residual degrees of freedom:
    with fewer, the residual covariance matrix is singular (its rank is at most
    the degrees of freedom) and has no Cholesky factor to identify the shocks with.

    Parameters
    ----------
    n_vars, lags, k_det : int
        Variables, lag order and deterministic (plus exogenous) terms.

    Returns
    -------
    int
        ``lags + n_vars * lags + k_det + n_vars``.
    """
    return lags + n_vars * lags + k_det + n_vars


def check_sample_size(nobs: int, n_vars: int, lags: int, k_trend: int) -> None:
    """Raise unless the sample holds :func:`min_observations` rows.

    Parameters
    ----------
    nobs : int
        Number of rows of the data, before losing ``lags`` initial values.
    n_vars, lags, k_trend : int
        Number of variables, lag order and deterministic terms.

    Raises
    ------
    DataError
        Naming the rows, the lags and the coefficients per equation.
    """
    need = min_observations(n_vars, lags, k_trend)
    if nobs < need:
        n_params = n_vars * lags + k_trend
        raise DataError(
            f"too few observations: {nobs} rows leave {nobs - lags} after {lags} lags, "
            f"for {n_params} coefficients per equation and a {n_vars}x{n_vars} residual covariance "
            f"(needs at least {need} rows)"
        )
