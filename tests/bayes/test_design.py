"""Validation and stacking of returns and shocks (no sampling, no compilation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalmacro.bayes import DEFAULT_GROUPS, AssetResponseModel
from causalmacro.bayes.design import stack
from causalmacro.errors import ArgumentError, DataError


def test_unequal_histories_use_every_observation(small_panel):
    p = small_panel
    design = stack(p.returns, p.shocks, p.groups, lags=1)
    n_obs = design.n_obs
    assert n_obs["ETH"] == 30
    assert n_obs["BTC"] == 60
    assert len(design.y) == int(p.returns.notna().sum().sum())
    assert design.x.shape == (60, 2 * 2)
    assert design.x_obs.shape == (len(design.y), 4)
    assert design.groups == ("crypto", "equity", "safe_haven")
    assert design.group_of["ETH"] == "crypto"
    # standardised returns of each asset have mean 0 and sd 1
    for i, _ in enumerate(design.assets):
        y = design.y[design.asset_idx == i]
        np.testing.assert_allclose([y.mean(), y.std(ddof=1)], [0.0, 1.0], atol=1e-12)


def test_lag_columns_are_shifted_shocks(small_panel):
    p = small_panel
    design = stack(p.returns, p.shocks, p.groups, lags=1)
    raw = p.shocks["shock1"]
    t = design.dates[5]
    prev = raw.index[raw.index.get_loc(t) - 1]
    scale, loc = design.x_scale[1], design.x_loc[1]
    np.testing.assert_allclose(design.x[5, 2] * scale + loc, raw[t])
    np.testing.assert_allclose(design.x[5, 3] * scale + loc, raw[prev])


def test_shock_source_duck_typing(small_panel):
    class Fake:
        def structural_shocks(self) -> pd.DataFrame:
            return small_panel.shocks

    model = AssetResponseModel(small_panel.returns, Fake(), groups=small_panel.groups, lags=1)
    assert model.design.shocks == ("shock0", "shock1")


def test_default_groups_cover_shipped_assets():
    for name in ("BTC", "ETH", "NASDAQ", "SP500", "GOLD", "DGS10", "DTWEXBGS", "BAMLH0A0HYM2"):
        assert name in DEFAULT_GROUPS
    assert set(DEFAULT_GROUPS.values()) == {"crypto", "equity", "safe_haven", "credit"}


def test_too_few_observations(small_panel):
    r = small_panel.returns.copy()
    r.loc[r.index[:-5], "ETH"] = np.nan  # 5 obs < 1 + 2 shocks * 2 lags + 1
    with pytest.raises(DataError, match="asset 'ETH' has 5 observations"):
        AssetResponseModel(r, small_panel.shocks, groups=small_panel.groups, lags=1)


def test_all_nan_asset(small_panel):
    r = small_panel.returns.copy()
    r["ETH"] = np.nan
    with pytest.raises(ValueError, match="asset 'ETH' has no observations"):
        AssetResponseModel(r, small_panel.shocks, groups=small_panel.groups, lags=1)


def test_asset_without_class(small_panel):
    groups = {k: v for k, v in small_panel.groups.items() if k != "GOLD"}
    with pytest.raises(DataError, match="asset 'GOLD' has no class"):
        AssetResponseModel(small_panel.returns, small_panel.shocks, groups=groups, lags=1)


def test_no_overlapping_dates(small_panel):
    shocks = small_panel.shocks.copy()
    shocks.index = shocks.index + pd.DateOffset(years=50)
    with pytest.raises(DataError, match="no overlapping dates"):
        AssetResponseModel(small_panel.returns, shocks, groups=small_panel.groups, lags=1)


def test_constant_shock(small_panel):
    shocks = small_panel.shocks.copy()
    shocks["shock1"] = 1.0
    with pytest.raises(DataError, match="shock 'shock1'"):
        AssetResponseModel(small_panel.returns, shocks, groups=small_panel.groups, lags=1)


@pytest.mark.parametrize("lags", [-1, 1.5, True])
def test_bad_lags(small_panel, lags):
    with pytest.raises(DataError, match="lags"):
        AssetResponseModel(
            small_panel.returns, small_panel.shocks, groups=small_panel.groups, lags=lags
        )


def test_bad_options(small_panel):
    p = small_panel
    with pytest.raises(ArgumentError, match="pooling"):
        AssetResponseModel(p.returns, p.shocks, groups=p.groups, pooling="full")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="shocks"):
        AssetResponseModel(p.returns, object(), groups=p.groups)  # type: ignore[arg-type]


def test_non_numeric_cell_names_column_and_date(small_panel):
    """A bare 'could not convert string to float' before: the message names the asset or shock and the date."""
    returns = small_panel.returns.astype(object)
    day = returns.index[7]
    returns.loc[day, "GOLD"] = "oops"
    with pytest.raises(DataError, match=rf"^asset 'GOLD' has a non-numeric value 'oops' on {day:%Y-%m-%d}$"):
        stack(returns, small_panel.shocks, small_panel.groups, lags=1)
    shocks = small_panel.shocks.astype(object)
    shocks.loc[day, "shock1"] = "oops"
    with pytest.raises(DataError, match=rf"^shock 'shock1' has a non-numeric value 'oops' on {day:%Y-%m-%d}$"):
        stack(small_panel.returns, shocks, small_panel.groups, lags=1)


def test_numbers_as_text_are_read():
    """Object columns holding '1.5' are numbers, as pd.to_numeric reads them (documented, accepted)."""
    idx = pd.date_range("2020-01-01", periods=40, freq="MS")
    rng = np.random.default_rng(0)
    returns = pd.DataFrame({"BTC": rng.normal(size=40).astype(str)}, index=idx)
    shocks = pd.DataFrame({"s": rng.normal(size=40)}, index=idx)
    design = stack(returns, shocks, {"BTC": "crypto"}, lags=1)
    assert design.n_obs["BTC"] == 39


def test_infinite_value_is_named(small_panel):
    shocks = small_panel.shocks.copy()
    shocks.iloc[3, 0] = np.inf
    with pytest.raises(DataError, match=rf"^shock 'shock0' has an infinite value on {shocks.index[3]:%Y-%m-%d}$"):
        stack(small_panel.returns, shocks, small_panel.groups, lags=1)


def test_missing_shock_inside_its_span_is_refused(small_panel):
    """One NaN silently dropped lags + 1 dates of the fit; like linearmodels, it is an error naming them."""
    shocks = small_panel.shocks.copy()
    day = shocks.index[20]
    shocks.loc[day, "shock1"] = np.nan
    with pytest.raises(DataError, match=rf"^shock 'shock1' has 1 missing value\(s\) inside its span \({day:%Y-%m-%d}\); "
                                        r"each would drop 3 dates of the fit \(lags 0\.\.2\)"):
        stack(small_panel.returns, shocks, small_panel.groups, lags=2)
    # missing shocks before the first or after the last only bound the sample
    edges = small_panel.shocks.copy()
    edges.iloc[:2] = np.nan
    assert len(stack(small_panel.returns, edges, small_panel.groups, lags=1).dates) == len(edges) - 3


def test_index_must_be_dates(small_panel):
    with pytest.raises(DataError, match=r"^returns: the index must be dates \(a DatetimeIndex\), got RangeIndex$"):
        stack(small_panel.returns.reset_index(drop=True), small_panel.shocks.reset_index(drop=True),
              small_panel.groups, lags=1)
