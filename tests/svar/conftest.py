"""Fixtures for the structural VAR tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm


@pytest.fixture(scope="session")
def macro_growth() -> pd.DataFrame:
    """Log-differences of realgdp, realcons, realinv from statsmodels' macrodata (1959q2-2009q3)."""
    d = sm.datasets.macrodata.load_pandas().data
    idx = pd.period_range("1959Q1", periods=len(d), freq="Q")
    levels = pd.DataFrame(np.log(d[["realgdp", "realcons", "realinv"]].to_numpy()), index=idx,
                          columns=["realgdp", "realcons", "realinv"])
    return levels.diff().dropna()
