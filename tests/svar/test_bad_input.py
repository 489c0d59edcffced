"""Bad input gives one-line DataError/ArgumentError messages naming the problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalmacro.errors import ArgumentError, DataError
from causalmacro.svar import SVAR


@pytest.fixture
def good() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.standard_normal((80, 3)), columns=["inflation", "real_rate", "btc"])


def test_nan(good: pd.DataFrame) -> None:
    good.iloc[5, 1] = np.nan
    with pytest.raises(DataError, match="'real_rate' has 1 missing values"):
        SVAR(good, lags=1)


def test_too_few_observations(good: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="too few observations"):
        SVAR(good.iloc[:12], lags=4).fit()


def test_constant_column(good: pd.DataFrame) -> None:
    good["btc"] = 3.0
    with pytest.raises(DataError, match="'btc' is constant"):
        SVAR(good, lags=1)


def test_collinear_columns(good: pd.DataFrame) -> None:
    good["btc"] = 2 * good["inflation"] - good["real_rate"] + 1
    with pytest.raises(DataError, match="perfectly collinear"):
        SVAR(good, lags=1)


def test_non_numeric_column(good: pd.DataFrame) -> None:
    good["btc"] = "x"
    with pytest.raises(DataError, match="'btc' is not numeric"):
        SVAR(good, lags=1)


def test_unknown_order_column(good: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match="unknown column 'eth'"):
        SVAR(good, order=["inflation", "eth"], lags=1)


def test_duplicate_and_single(good: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match="appears twice"):
        SVAR(good, order=["btc", "btc"], lags=1)
    with pytest.raises(DataError, match="at least 2"):
        SVAR(good, order=["btc"], lags=1)


def test_errors_are_value_errors(good: pd.DataFrame) -> None:
    good.iloc[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinite"):
        SVAR(good, lags=1)


@pytest.mark.parametrize("lags", [0, -1, "fpe", 1.5, True])
def test_bad_lags(good: pd.DataFrame, lags: object) -> None:
    with pytest.raises(ArgumentError, match="lags"):
        SVAR(good, lags=lags)  # type: ignore[arg-type]


def test_bad_trend_and_options(good: pd.DataFrame) -> None:
    with pytest.raises(ArgumentError, match="trend"):
        SVAR(good, lags=1, trend="x")  # type: ignore[arg-type]
    res = SVAR(good, lags=1).fit()
    with pytest.raises(ArgumentError, match="level"):
        res.irf(4, bands="residual", reps=10, level=1.5, rng=0)
    with pytest.raises(ArgumentError, match="needs sign restrictions"):
        res.irf(4, bands="set")
    with pytest.raises(ArgumentError, match="bands"):
        res.irf(4, bands="mc", reps=10)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"^causing names unknown variable 'eth'; variables are "):
        res.causality("btc", "eth")
    with pytest.raises(ArgumentError, match="unknown shock 'eth'"):
        res.irf(4, shock_size="unit", scale={"eth": 0.25})


@pytest.mark.parametrize("rows", [4, 6])
def test_lag_search_on_too_few_rows_is_a_data_error(good: pd.DataFrame, rows: int) -> None:
    """statsmodels' select_order raised a bare ValueError ('maxlags is too large') when no VAR(1) fits."""
    with pytest.raises(DataError, match=rf"^too few observations: {rows} rows leave {rows - 1} after 1 lags.*needs at least 8 rows\)$"):
        SVAR(good.iloc[:rows], lags="aic").fit()


def test_fewer_residual_dof_than_variables_is_too_few(good: pd.DataFrame) -> None:
    """7 rows of 3 variables at 1 lag leave 2 residual degrees of freedom: a singular residual covariance (LinAlgError)."""
    with pytest.raises(DataError, match=r"^too few observations: 7 rows.*needs at least 8 rows\)$"):
        SVAR(good.iloc[:7], lags=1).fit()


def test_no_more_rows_than_variables_is_not_called_collinear(good: pd.DataFrame) -> None:
    with pytest.raises(DataError, match=r"^too few observations: 3 rows for 3 variables$"):
        SVAR(good.iloc[:3], lags=1)


def test_non_numeric_cell_is_named_with_its_row(good: pd.DataFrame) -> None:
    good["btc"] = good["btc"].astype(object)
    good.loc[7, "btc"] = "oops"
    with pytest.raises(DataError, match=r"^column 'btc' is not numeric \(dtype object\): 'oops' at row 7$"):
        SVAR(good, lags=1)
    good["btc"] = good["inflation"].astype(str)
    with pytest.raises(DataError, match=r"numbers stored as text: convert with pd\.to_numeric$"):
        SVAR(good, lags=1)
