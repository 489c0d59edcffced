"""Pseudo-out-of-sample evaluation (:mod:`causalmacro.svar.evaluate`): hand computations and no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.stats import norm
from svar_sim import simulate_svar

from causalmacro.errors import ArgumentError, DataError
from causalmacro.svar import SVAR
from causalmacro.svar.evaluate import (
    Predictive,
    ar1,
    default_models,
    forecast_errors,
    forecast_evaluation,
    random_walk,
    var_forecaster,
)


def test_random_walk_rmse_equals_hand_computation() -> None:
    y = pd.DataFrame({"a": [1.0, 3.0, 2.0, 5.0, 4.0, 8.0]})
    table = forecast_evaluation(y, {"rw": random_walk()}, start=2, horizons=2)
    # origins 2, 3, 4 (values 2, 5, 4); h=1 errors: 5-2, 4-5, 8-4; h=2 errors: 4-2, 8-5
    h1 = table.query("horizon == 1").iloc[0]
    h2 = table.query("horizon == 2").iloc[0]
    assert h1["n"] == 3 and h2["n"] == 2
    assert_allclose(h1["rmse"], np.sqrt((9 + 1 + 16) / 3), rtol=1e-14)
    assert_allclose(h2["rmse"], np.sqrt((4 + 9) / 2), rtol=1e-14)


def test_log_score_equals_scipy_norm_logpdf() -> None:
    y = pd.DataFrame({"a": [1.0, 3.0, 2.0, 5.0, 4.0, 8.0]})
    rows = forecast_errors(y, {"rw": random_walk()}, start=3, horizons=2)
    # origin 3: window 1, 3, 2, 5 -> changes 2, -1, 3 (mean 4/3), sd (ddof 1) = sqrt((4 + 49 + 25) / 9 / 2) = sqrt(13/3)
    s = np.sqrt(13 / 3)
    first = rows.iloc[0]
    assert first["origin"] == 3 and first["horizon"] == 1
    assert_allclose(first["log_score"], norm.logpdf(4.0, loc=5.0, scale=s), rtol=1e-14)
    second = rows.iloc[1]
    assert_allclose(second["log_score"], norm.logpdf(8.0, loc=5.0, scale=np.sqrt(2) * s), rtol=1e-14)


def test_ar1_equals_direct_ols() -> None:
    rng = np.random.default_rng(0)
    y = pd.DataFrame({"a": rng.normal(size=40).cumsum() * 0.1 + rng.normal(size=40)})
    pred = ar1()(y, 3)
    x, z = y["a"].to_numpy()[:-1], y["a"].to_numpy()[1:]
    phi, c = np.polyfit(x, z, 1)
    s2 = np.sum((z - c - phi * x) ** 2) / (len(z) - 2)
    m1 = c + phi * y["a"].iloc[-1]
    assert_allclose(pred.mean[:, 0], [m1, c + phi * m1, c + phi * (c + phi * m1)], rtol=1e-10)
    assert_allclose(pred.sd[:, 0] ** 2, s2 * np.array([1, 1 + phi**2, 1 + phi**2 + phi**4]), rtol=1e-10)


def test_var_forecaster_matches_svar_forecast() -> None:
    df = simulate_svar(np.array([[[0.5, 0.1], [0.2, 0.6]]]), np.eye(2), 80, np.random.default_rng(2))
    pred = var_forecaster(2)(df, 4)
    fc = SVAR(df, lags=2).fit().forecast(4, level=0.9)
    assert_allclose(pred.mean, fc.xs("point", axis=1, level="bound").to_numpy(), rtol=1e-12)
    half = (fc.xs("upper", axis=1, level="bound") - fc.xs("point", axis=1, level="bound")).to_numpy()
    assert_allclose(pred.sd * norm.ppf(0.95), half, rtol=1e-10)


def test_windows_never_use_data_after_the_origin() -> None:
    df = simulate_svar(np.array([[[0.5, 0.1], [0.2, 0.6]]]), np.eye(2), 90, np.random.default_rng(4))
    seen: list[tuple[int, int]] = []

    def spy(window: pd.DataFrame, steps: int) -> Predictive:
        seen.append((int(window.index[-1]), len(window)))
        assert np.abs(window.to_numpy()).max() < 1e6, "a poisoned row reached the window"
        return Predictive(np.zeros((steps, 2)), np.ones((steps, 2)))

    poisoned = df.copy()
    poisoned.iloc[71:] = 1e12  # the future after origin 70
    models = {**default_models(lags=2), "spy": spy}
    clean = forecast_errors(df, models, start=60, horizons=3)
    dirty = forecast_errors(poisoned, models, start=60, end=70, horizons=3)
    # every forecast made at an origin <= 70 is the same with and without the poisoned future
    cols = ["model", "origin", "horizon", "variable", "forecast", "sd"]
    pd.testing.assert_frame_equal(clean.loc[clean["origin"] <= 70, cols].reset_index(drop=True), dirty[cols])
    assert (dirty.query("origin == 70")["actual"] == 1e12).all()  # the realised values do come from the future
    assert seen[:11] == [(o, o + 1) for o in range(60, 71)]


def test_bad_arguments_in_one_line() -> None:
    y = pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0]})
    with pytest.raises(DataError, match=r"^forecast evaluation needs complete data; missing values in a$"):
        forecast_errors(y, {"rw": random_walk()}, start=1)
    with pytest.raises(ArgumentError, match=r"leaves no origin"):
        forecast_errors(y.fillna(0), {"rw": random_walk()}, start=3)
    with pytest.raises(ArgumentError, match=r"^horizons must be a positive int, got 0$"):
        forecast_errors(y.fillna(0), {"rw": random_walk()}, start=1, horizons=0)
