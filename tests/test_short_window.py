"""A window too short for the VAR is reported before estimation, naming its cause (issue 17).

The cause is a series that covers only part of the spec's window (named with its
first and last date, and the window before and after), else the spec's lag order
(``var.lags`` / ``var.max_lags``) — not a symptom such as a collinear column, an
event "outside the sample" or statsmodels' ``ValueError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.cli import main
from causalmacro.errors import DataError
from causalmacro.spec import parse_spec


def _raw(**var: Any) -> dict[str, Any]:
    return {
        "name": "small", "frequency": "monthly", "start": "2015-01", "end": "2024-06",
        "data": {"source": "csv_dir", "path": "."},
        "series": {"inflation": {"id": "CPIAUCSL", "transform": "yoy"}, "unrate": {"id": "UNRATE"},
                   "ffr": {"id": "FEDFUNDS"}},
        "var": {"order": ["inflation", "unrate", "ffr"], "lags": 2, "trend": "c", "horizon": 6, **var},
    }


def _frame(dates: pd.DatetimeIndex) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(len(dates), 3)).cumsum(axis=0) + 100
    return pd.DataFrame(data, index=dates, columns=["CPIAUCSL", "UNRATE", "FEDFUNDS"])


def _panel(spec: cm.ModelSpec, frame: pd.DataFrame) -> cm.Panel:
    return cm.build_panel(spec, cm.open_source(spec, data=frame))


def test_short_series_is_named_with_its_dates_and_the_windows() -> None:
    frame = _frame(pd.date_range("2010-01-01", "2024-12-01", freq="MS"))
    frame.loc[(frame.index < "2020-01-01") | (frame.index > "2020-03-01"), "UNRATE"] = np.nan
    spec = parse_spec(_raw())
    with pytest.raises(DataError) as info:
        cm.fit_spec(spec, _panel(spec, frame), reps=0, assets=False)
    assert str(info.value) == (
        "small: series unrate (UNRATE) is too short: it runs 2020-01-01..2020-03-01 (3 observations), "
        "which cuts the sample window 2015-01-01..2024-06-01 (114 periods) to 2020-01-01..2020-03-01 (3 periods); "
        "a VAR(2) of 3 variables with 1 deterministic term(s) needs at least 12"
    )


def test_aic_on_a_window_too_short_names_max_lags() -> None:
    frame = _frame(pd.date_range("2010-01-01", "2024-12-01", freq="MS"))
    spec = parse_spec({**_raw(lags="aic", max_lags=12), "start": "2024-01"})
    with pytest.raises(DataError, match=r"^small: var\.lags = 'aic' with var\.max_lags = 12 does not fit the sample "
                                        r"window 2024-01-01\.\.2024-06-01 \(6 periods\): it needs at least 13 periods"):
        cm.fit_spec(spec, _panel(spec, frame), reps=0, assets=False)


def test_lags_too_many_blame_var_lags_not_the_event() -> None:
    frame = _frame(pd.date_range("2010-01-01", "2024-12-01", freq="MS"))
    spec = parse_spec({**_raw(lags=100), "events": {"covid": {"catalogue": "covid_black_thursday_2020"}}})
    with pytest.raises(DataError, match=r"^small: var\.lags = 100 is too many for the sample window "
                                        r"2015-01-01\.\.2024-06-01 \(114 periods\); a VAR\(100\)"):
        cm.fit_spec(spec, _panel(spec, frame), reps=0, assets=False)


def test_cli_short_series_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    frame = _frame(pd.date_range("2010-01-01", "2024-12-01", freq="MS"))
    for sid in frame.columns:
        col = frame[sid] if sid != "UNRATE" else frame[sid].loc["2020-01-01":"2020-03-01"]
        col.rename(sid).rename_axis("observation_date").to_csv(tmp_path / f"{sid}.csv", float_format="%.3f")
    spec = tmp_path / "small.toml"
    spec.write_text('name = "small"\nfrequency = "monthly"\nstart = "2015-01"\nend = "2024-06"\n[data]\nsource = "fred"\n'
                    '[series.inflation]\nid = "CPIAUCSL"\ntransform = "yoy"\n[series.unrate]\nid = "UNRATE"\n'
                    '[series.ffr]\nid = "FEDFUNDS"\n[var]\norder = ["inflation", "unrate", "ffr"]\nlags = 2\nhorizon = 6\n')
    code = main(["run", str(spec), "--data-dir", str(tmp_path), "--no-assets", "--reps", "0", "--quiet",
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "series unrate (UNRATE) is too short: it runs 2020-01-01..2020-03-01" in err
