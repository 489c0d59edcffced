"""CSV-folder and user-data sources: good files parse, bad ones give one line naming the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from causalmacro.data.sources.base import load_all
from causalmacro.data.sources.csvdir import CsvDirSource
from causalmacro.data.sources.frame import FrameSource, read_user_csv
from causalmacro.errors import DataError


def folder(tmp_path: Path, **files: str) -> Path:
    for sid, text in files.items():
        (tmp_path / f"{sid}.csv").write_text(text)
    return tmp_path


def test_fred_csv_with_empty_and_dot_missing(tmp_path: Path) -> None:
    src = CsvDirSource(folder(tmp_path, X="observation_date,X\n2020-01-01,1.5\n2020-02-01,\n2020-03-01,.\n2020-04-01,2\n"))
    s = src.load("X")
    assert s.dtype == np.float64 and s.name == "X" and s.index.name == "date"
    assert s.isna().tolist() == [False, True, True, False]
    assert s.iloc[-1] == 2.0


def test_old_fred_header_and_unsorted_dates(tmp_path: Path) -> None:
    src = CsvDirSource(folder(tmp_path, X="DATE,X\n2020-02-01,2\n2020-01-01,1\n"))
    assert src.load("X").tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"X\.csv: file is empty"),
        ("observation_date,X\n", r"X\.csv: file has a header but no rows"),
        ("observation_date,X\n2020-01-01,1\n2020-01-01,2\n", r"X\.csv: series X has a duplicated date 2020-01-01"),
        ("observation_date,X\n2020-01-01,1\n2020-02-01,abc\n", r"X\.csv: series X has a non-numeric value 'abc' on line 3 \(2020-02-01\)"),
        ("observation_date,X\n2020-01-01,1\nnot-a-date,2\n", r"X\.csv: series X has an unparseable date 'not-a-date' on line 3 \(expected YYYY-MM-DD\)"),
        ("observation_date,X\n2020-01-01,\n2020-02-01,.\n", r"X\.csv: series X has no observations"),
        ("when,X\n2020-01-01,1\n", r"X\.csv: expected the header 'observation_date,X'"),
        ("observation_date,Y\n2020-01-01,1\n", r"X\.csv: column is 'Y', expected 'X'"),
    ],
)
def test_malformed_csv_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    src = CsvDirSource(folder(tmp_path, X=text))
    with pytest.raises(DataError, match=message) as info:
        src.load("X")
    assert "\n" not in str(info.value)


def test_missing_series_are_all_named(tmp_path: Path) -> None:
    src = CsvDirSource(folder(tmp_path, A="observation_date,A\n2020-01-01,1\n"))
    with pytest.raises(DataError, match=rf"data folder {tmp_path} has no series B, C$"):
        load_all(src, ["A", "B", "C"])


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        CsvDirSource(tmp_path / "nope")


def test_user_csv(tmp_path: Path) -> None:
    p = tmp_path / "mine.csv"
    p.write_text("date,gold,hk\n2020-01-31,1500,7.8\n2020-02-29,1600,\n")
    src = read_user_csv(p)
    assert src.load("gold").tolist() == [1500.0, 1600.0]
    assert src.load("hk").isna().tolist() == [False, True]
    with pytest.raises(KeyError):
        src.load("silver")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"mine\.csv: file is empty"),
        ("date,a,a\n2020-01-01,1,2\n", r"mine\.csv: duplicated column 'a'"),
        ("date,a\n2020-01-01,x\n", r"mine\.csv: series a has a non-numeric value 'x'"),
    ],
)
def test_user_csv_errors(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "mine.csv"
    p.write_text(text)
    with pytest.raises(DataError, match=message):
        read_user_csv(p).load("a")


def test_dataframe_source_rejects_non_numeric_column() -> None:
    df = pd.DataFrame({"a": ["1", "b"]}, index=pd.date_range("2020", periods=2, freq="MS"))
    with pytest.raises(DataError, match="user data: series a has a non-numeric value 'b' on 2020-02-01"):
        FrameSource(df).load("a")


def test_truncated_last_date_is_named_with_its_line(tmp_path: Path) -> None:
    """A last row cut to '2020' is no date in FRED's format: the message names it, not the valid first row."""
    src = CsvDirSource(folder(tmp_path, X="observation_date,X\n1980-01-01,1\n1980-02-01,2\n\n2020\n"))
    with pytest.raises(DataError) as info:
        src.load("X")
    assert str(info.value) == f"{tmp_path / 'X.csv'}: series X has an unparseable date '2020' on line 5 (expected YYYY-MM-DD)"


def test_infinite_value_is_named_with_its_line_and_date(tmp_path: Path) -> None:
    src = CsvDirSource(folder(tmp_path, X="observation_date,X\n1980-01-01,1\n1980-02-01,inf\n"))
    with pytest.raises(DataError) as info:
        src.load("X")
    assert str(info.value) == f"{tmp_path / 'X.csv'}: series X has an infinite value 'inf' on line 3 (1980-02-01)"


def test_user_csv_dates_in_one_format(tmp_path: Path) -> None:
    p = tmp_path / "mine.csv"
    p.write_text("date,a\n2020-01-31,1\n2020-02-29,2\n2020,3\n")
    with pytest.raises(DataError, match=r"mine\.csv: series a has an unparseable date '2020' on line 4 \(expected YYYY-MM-DD\)$"):
        read_user_csv(p).load("a")
    p.write_text("date,a\n2020-01,1\n2020-02,x\n")
    with pytest.raises(DataError, match=r"mine\.csv: series a has a non-numeric value 'x' on line 3 \(2020-02-01\)$"):
        read_user_csv(p).load("a")


@pytest.mark.parametrize("index", [pd.RangeIndex(3), pd.Index([2020.0, 2021.0, 2022.0])])
def test_dataframe_source_needs_a_date_index(index: pd.Index) -> None:
    """A RangeIndex would be read as nanoseconds after 1970 and fail later as 'no observations'."""
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=index)
    with pytest.raises(DataError, match=r"^user data: the DataFrame's index must be dates"):
        FrameSource(df)


def test_dataframe_source_accepts_periods_and_tz() -> None:
    """A PeriodIndex and a time-zone-aware index are dates (the zone is dropped, wall times kept)."""
    per = pd.DataFrame({"a": [1.0, 2.0]}, index=pd.period_range("2020-01", periods=2, freq="M"))
    assert FrameSource(per).load("a").index[1] == pd.Timestamp("2020-02-01")
    tz = pd.DataFrame({"a": [1.0, 2.0]}, index=pd.date_range("2020-01-01", periods=2, freq="MS", tz="US/Eastern"))
    assert FrameSource(tz).load("a").index.tz is None
