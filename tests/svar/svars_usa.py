"""R svars' ``USA`` data (tests/data/svars_usa.csv): the reference sample of its ``id.cv`` and ``id.ngml`` examples."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data" / "svars_usa.csv"


def usa() -> pd.DataFrame:
    """Output gap, inflation and the federal funds rate, quarterly, as svars ships them."""
    df = pd.read_csv(DATA)
    df.index = pd.PeriodIndex(df.pop("quarter"), freq="Q")
    return df
