"""The panel pipeline: windows, gaps, derived series, on toy data and on ../shared/data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.data.sources.frame import FrameSource
from causalmacro.errors import DataError
from causalmacro.panel import build_panel
from causalmacro.spec import load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[1]


def monthly(n: int = 36, start: str = "2018-01-01") -> pd.DataFrame:
    idx = pd.date_range(start, periods=n, freq="MS")
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "P": 100 * np.exp(np.cumsum(rng.normal(0.002, 0.01, n))),
            "R": 2 + np.cumsum(rng.normal(0, 0.1, n)),
            "Q": 50 + rng.normal(0, 1, n),
        },
        index=idx,
    )


def spec_of(series: dict, **extra: object) -> object:
    return parse_spec({"name": "t", "series": series, **extra})


def test_yoy_window_and_freq() -> None:
    spec = spec_of({"infl": {"id": "P", "transform": "yoy"}, "rate": {"id": "R"}})
    p = build_panel(spec, FrameSource(monthly()))
    assert p.data.index[0] == pd.Timestamp("2019-01-01")  # 12 months consumed by yoy
    assert p.data.index.freqstr == "MS"
    src = monthly()
    assert_allclose(p.data["infl"].iloc[0], 100 * (src["P"].iloc[12] / src["P"].iloc[0] - 1))
    assert p.transforms == {"infl": "yoy(P)", "rate": "level(R)"}


def test_start_end_cut_and_lookback_uses_earlier_data() -> None:
    spec = spec_of({"g": {"id": "P", "transform": "logdiff"}}, start="2018-01", end="2019-06")
    p = build_panel(spec, FrameSource(monthly()))
    # the first requested month keeps its value: the lookback reaches before the window
    assert p.data.index[0] == pd.Timestamp("2018-02-01")
    assert p.data.index[-1] == pd.Timestamp("2019-06-01")
    assert len(p.data) == 17


def test_gap_policies() -> None:
    df = monthly()
    df.loc["2019-05-01", "R"] = np.nan
    series = {"rate": {"id": "R"}, "q": {"id": "Q"}}
    with pytest.raises(DataError, match=r"series rate is missing 1 period\(s\) inside the window \(2019-05\)"):
        build_panel(spec_of(series), FrameSource(df))
    p = build_panel(spec_of(series, gaps={"policy": "interpolate", "max_gap": 1}), FrameSource(df))
    assert_allclose(p.data.loc["2019-05-01", "rate"], (df.loc["2019-04-01", "R"] + df.loc["2019-06-01", "R"]) / 2)
    assert p.filled.to_dict("records") == [
        {"column": "rate", "date": pd.Timestamp("2019-05-01"), "method": "linear interpolation"}
    ]
    p = build_panel(spec_of(series, gaps={"policy": "drop"}), FrameSource(df))
    assert p.data.index[0] == pd.Timestamp("2019-06-01") and len(p.data) == 19  # longest complete stretch
    assert p.data.index.freqstr == "MS"
    df.loc["2019-06-01", "R"] = np.nan
    with pytest.raises(DataError, match=r"missing 2 consecutive periods \(2019-05\.\.2019-06\), more than \[gaps\] max_gap = 1"):
        build_panel(spec_of(series, gaps={"policy": "interpolate", "max_gap": 1}), FrameSource(df))


def test_gap_is_never_forward_filled_even_at_window_end() -> None:
    df = monthly()
    df.loc["2020-12-01", "P"] = np.nan  # last row: trailing, narrows the window
    df.loc["2020-06-01", "P"] = np.nan  # interior
    spec = spec_of({"p": {"id": "P"}, "q": {"id": "Q"}}, gaps={"policy": "interpolate"})
    p = build_panel(spec, FrameSource(df))
    assert p.data.index[-1] == pd.Timestamp("2020-11-01")
    assert p.data.loc["2020-06-01", "p"] != df.loc["2020-05-01", "P"]


def test_ragged_column_and_no_common_window() -> None:
    df = monthly()
    df.loc[: "2019-06-01", "Q"] = np.nan
    p = build_panel(spec_of({"p": {"id": "P"}, "q": {"id": "Q", "ragged": True}}), FrameSource(df))
    assert p.data.index[0] == pd.Timestamp("2018-01-01")
    assert p.data["q"].first_valid_index() == pd.Timestamp("2019-07-01")
    df2 = monthly()
    df2.loc[: "2019-06-01", "Q"] = np.nan
    df2.loc["2019-01-01":, "P"] = np.nan
    with pytest.raises(DataError, match=r"series q starts \(2019-07-01\) after series p ends \(2018-12-01\)"):
        build_panel(spec_of({"p": {"id": "P"}, "q": {"id": "Q"}}), FrameSource(df2))


def test_combine_and_fallback() -> None:
    df = monthly()
    df["N"] = df["R"] + 1.0
    df["TIPS"] = df["R"] - 2.0
    df.loc[: "2018-06-01", "TIPS"] = np.nan
    spec = spec_of({"spread": {"combine": {"N": 1.0, "R": -1.0}}})
    assert_allclose(build_panel(spec, FrameSource(df)).data["spread"], 1.0)
    df = df.rename(columns={"N": "DGS10", "TIPS": "DFII10"}).assign(T10YIE=3.0)
    p = build_panel(spec_of({"rr": {"derived": "real_rate_10y"}}), FrameSource(df))
    assert_allclose(p.data["rr"], df["DGS10"] - np.where(df["DFII10"].isna(), 3.0, df["DGS10"] - df["DFII10"]))
    assert (p.filled["method"] == "fallback formula").sum() == 6


def test_synthetic_flag_reaches_csv(tmp_path: Path) -> None:
    p = build_panel(spec_of({"p": {"id": "P"}}), FrameSource(monthly(), synthetic=True))
    text = p.to_csv()
    assert text is not None and text.startswith("# synthetic data")
    out = tmp_path / "x.csv"
    p.to_csv(out)
    back = pd.read_csv(out, comment="#", index_col=0, parse_dates=True)
    assert_allclose(back["p"].to_numpy(), p.data["p"].to_numpy(), rtol=1e-9)


# ---- real data (skips when ../shared/data is absent) ----------------------


def _hand_monthly_mean(fred_dir: Path, sid: str, month: str) -> float:
    df = pd.read_csv(fred_dir / f"{sid}.csv", index_col=0, parse_dates=True)
    return float(df.loc[month, sid].mean())


@pytest.mark.shared_data
def test_liquidity_chain_panel_on_shared_fred(fred_dir: Path) -> None:
    spec = load_spec(ROOT / "models" / "liquidity_chain.toml")
    p = build_panel(spec, CsvDirSource(fred_dir))
    chain = spec.var.order  # type: ignore[union-attr]
    assert p.data.index[0] == pd.Timestamp("2015-01-01")
    assert p.data.index[-1] >= pd.Timestamp("2025-06-01")
    assert p.data.index.freqstr == "MS"
    firm = [c for c, s in spec.series.items() if not s.ragged]
    assert not p.data[firm].isna().any().any()
    assert set(chain) <= set(firm)
    # the October 2025 CPI month BLS never published is interpolated, and said so
    rows = p.filled[p.filled["column"] == "inflation"]
    assert list(rows["date"]) == [pd.Timestamp("2025-10-01")]
    # net liquidity against a hand computation (billions): WALCL/1000 - WTREGEN/1000 - RRPONTSYD
    for month in ("2019-06", "2022-04", "2024-01"):
        hand = (
            _hand_monthly_mean(fred_dir, "WALCL", month) / 1000
            - _hand_monthly_mean(fred_dir, "WTREGEN", month) / 1000
            - _hand_monthly_mean(fred_dir, "RRPONTSYD", month)
        )
        assert_allclose(p.levels.loc[f"{month}-01", "net_liquidity"], hand, rtol=1e-12)
    assert 5500 < p.levels.loc["2024-01-01", "net_liquidity"] < 7000
    # BTC return: end-of-month prices
    btc = pd.read_csv(fred_dir / "CBBTCUSD.csv", index_col=0, parse_dates=True)["CBBTCUSD"].dropna()
    hand = 100 * np.log(btc.loc["2021-03"].iloc[-1] / btc.loc["2021-02"].iloc[-1])
    assert_allclose(p.data.loc["2021-03-01", "btc"], hand, rtol=1e-12)
