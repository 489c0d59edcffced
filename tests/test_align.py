"""Alignment of mixed frequencies and the transforms, against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from causalmacro.errors import DataError
from causalmacro.panel.align import align_series, infer_frequency
from causalmacro.panel.transforms import apply_transform, lookback


def daily(start: str, end: str, values: object = None, *, business: bool = False, name: str = "x") -> pd.Series:
    idx = pd.bdate_range(start, end) if business else pd.date_range(start, end, freq="D")
    vals = np.arange(len(idx), dtype=float) + 1 if values is None else values
    return pd.Series(vals, index=idx, name=name)


def test_infer_frequency() -> None:
    assert infer_frequency(pd.date_range("2020", periods=30, freq="D")) == "D"
    assert infer_frequency(pd.bdate_range("2020", periods=30)) == "D"
    assert infer_frequency(pd.date_range("2020", periods=30, freq="W-WED")) == "W"
    assert infer_frequency(pd.date_range("2020", periods=30, freq="MS")) == "M"
    assert infer_frequency(pd.date_range("2020", periods=30, freq="QS")) == "Q"


def test_daily_to_monthly_mean_and_last_by_hand() -> None:
    s = daily("2020-01-01", "2020-03-31")
    mean = align_series(s, frequency="monthly", aggregation="mean")
    last = align_series(s, frequency="monthly", aggregation="last")
    # January: values 1..31; February (leap year): 32..60; March: 61..91
    assert_allclose(mean.to_numpy(), [16.0, 46.0, 76.0])
    assert_allclose(last.to_numpy(), [31.0, 60.0, 91.0])
    assert mean.index.freqstr == "MS"
    assert list(mean.index.strftime("%Y-%m-%d")) == ["2020-01-01", "2020-02-01", "2020-03-01"]


def test_partial_first_and_last_months_are_dropped() -> None:
    s = daily("2020-01-15", "2020-04-10")
    out = align_series(s, frequency="monthly", aggregation="mean")
    assert list(out.index.strftime("%Y-%m")) == ["2020-02", "2020-03"]


def test_business_days_cover_a_month_ending_on_a_weekend() -> None:
    # 2020-05-29 is a Friday, May 30-31 a weekend: May is complete
    s = daily("2020-05-01", "2020-05-29", business=True)
    out = align_series(s, frequency="monthly", aggregation="last")
    assert list(out.index.strftime("%Y-%m")) == ["2020-05"]


def test_weekly_to_monthly_mean() -> None:
    idx = pd.date_range("2020-01-01", "2020-02-26", freq="W-WED")  # Jan 1,8,15,22,29; Feb 5,12,19,26
    s = pd.Series(np.arange(1.0, len(idx) + 1), index=idx, name="w")
    out = align_series(s, frequency="monthly", aggregation="mean")
    assert_allclose(out.to_numpy(), [3.0, 7.5])


def test_daily_to_weekly_fridays() -> None:
    s = daily("2020-01-04", "2020-01-17")  # Sat .. Fri
    out = align_series(s, frequency="weekly", aggregation="last")
    assert out.index.freqstr == "W-FRI"
    assert list(out.index.strftime("%Y-%m-%d")) == ["2020-01-10", "2020-01-17"]
    assert_allclose(out.to_numpy(), [7.0, 14.0])


def test_monthly_gap_stays_missing_not_filled() -> None:
    idx = pd.DatetimeIndex(["2025-08-01", "2025-09-01", "2025-11-01"])
    out = align_series(pd.Series([1.0, 2.0, 4.0], index=idx, name="CPI"), frequency="monthly", aggregation="mean")
    assert out.index.freqstr == "MS"
    assert np.isnan(out["2025-10-01"])
    assert out["2025-11-01"] == 4.0


def test_upsampling_is_refused() -> None:
    q = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2020", periods=3, freq="QS"), name="GDPC1")
    with pytest.raises(DataError, match="series GDPC1 is quarterly and cannot be aligned to a monthly panel"):
        align_series(q, frequency="monthly", aggregation="mean")
    m = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2020", periods=3, freq="MS"), name="CPI")
    with pytest.raises(DataError, match="monthly and cannot be aligned to a weekly panel"):
        align_series(m, frequency="weekly", aggregation="mean")


def test_transforms_by_hand() -> None:
    idx = pd.date_range("2020-01-01", periods=14, freq="MS")
    x = pd.Series(100.0 * 1.01 ** np.arange(14), index=idx, name="p")
    assert_allclose(apply_transform(x, "logdiff", periods_per_year=12).iloc[1:], 100 * np.log(1.01))
    assert_allclose(apply_transform(x, "yoy", periods_per_year=12).iloc[12:], 100 * (1.01**12 - 1))
    assert apply_transform(x, "yoy", periods_per_year=12).iloc[:12].isna().all()
    assert_allclose(apply_transform(x, "diff", periods_per_year=12).iloc[1], 1.0)
    assert_allclose(apply_transform(x, "log", periods_per_year=12).iloc[0], np.log(100.0))
    z = apply_transform(x, "zscore", periods_per_year=12)
    assert_allclose([z.mean(), z.std(ddof=1)], [0.0, 1.0], atol=1e-12)
    assert_allclose(apply_transform(x, "level", periods_per_year=12), x)
    assert [lookback(t, 12) for t in ("level", "diff", "logdiff", "yoy", "zscore")] == [0, 1, 1, 12, 0]


def test_transform_errors_name_the_series() -> None:
    x = pd.Series([1.0, -2.0, 3.0], index=pd.date_range("2020", periods=3, freq="MS"), name="RATE")
    with pytest.raises(DataError, match=r"series RATE has a non-positive value \(-2\) on 2020-02-01"):
        apply_transform(x, "logdiff", periods_per_year=12)
    c = pd.Series([2.0, 2.0, 2.0], index=x.index, name="FLAT")
    with pytest.raises(DataError, match="series FLAT is constant"):
        apply_transform(c, "zscore", periods_per_year=12)
