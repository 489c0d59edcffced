"""The BVAR's posterior predictive and its forecaster (:mod:`causalmacro.bvar.forecasting`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.testing import assert_allclose

import causalmacro as cm
from causalmacro.bvar.forecasting import bvar_forecaster, default_models, predictive_paths
from causalmacro.spec.defaults import BVAR, EVALUATION
from causalmacro.svar.evaluate import forecast_errors


def _data(t: int = 90, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = np.array([[0.5, 0.1, 0.0], [0.0, 0.4, 0.2], [0.1, 0.0, 0.3]])
    y = np.zeros((t, 3))
    for i in range(1, t):
        y[i] = 0.2 + a @ y[i - 1] + rng.standard_normal(3)
    return pd.DataFrame(y, columns=["a", "b", "c"], index=pd.date_range("2010-01-01", periods=t, freq="MS"))


def test_predictive_paths_equal_a_loop_over_draws() -> None:
    df = _data()
    res = cm.BVAR(df, lags=3).fit(40, rng=0)
    paths = predictive_paths(res, 5, rng=7)
    z = np.random.default_rng(7).standard_normal((40, 5, 3))
    y = df.to_numpy()
    for r in range(40):
        b, chol = np.asarray(res.coef_draws)[r], np.linalg.cholesky(np.asarray(res.sigma_draws)[r])
        hist = list(y[-3:])
        for h in range(5):
            x = np.concatenate([[1.0], hist[-1], hist[-2], hist[-3]])
            hist.append(x @ b + chol @ z[r, h])
            assert_allclose(paths[r, h], hist[-1], rtol=1e-12, atol=1e-12)


def test_tight_prior_predictive_mean_is_the_random_walk_with_drift() -> None:
    # lambda -> 0: every lag coefficient sits at the prior mean (own first lag 1, the rest 0), the constant
    # (prior variance 1e7) is the mean change over the sample rows: the mean path is y_T + h * mean(diff)
    df = _data()
    prior = cm.Minnesota(lambda_=1e-5, psi=(1.0, 1.0, 1.0))
    draws = 20_000
    res = cm.BVAR(df, lags=2, prior=prior, hyper="fixed").fit(draws, rng=3)
    paths = predictive_paths(res, 6, rng=4)
    y = df.to_numpy()
    drift = np.diff(y[1:], axis=0).mean(axis=0)  # rows 2..T-1 regress on rows 1..T-2
    hand = y[-1] + np.arange(1, 7)[:, None] * drift
    mc_se = paths.std(axis=0) / np.sqrt(draws)
    assert np.all(np.abs(paths.mean(axis=0) - hand) < 4 * mc_se)
    # and the paths' spread is a random walk's: sd grows as sqrt(h)
    sd = paths.std(axis=0)
    assert_allclose(sd[3] / sd[0], 2.0, rtol=0.05)


def test_bvar_log_score_by_hand_at_one_origin() -> None:
    df = _data(70)
    origin = df.index[50]
    rows = forecast_errors(df, {"bvar": bvar_forecaster(draws=500, seed=5)}, start=origin, end=origin, horizons=3)
    assert len(rows) == 9 and set(rows.origin) == {origin}
    window = df.iloc[:51]
    rng = np.random.default_rng([5, 51])
    prior = cm.Minnesota(psi="ols")  # the forecaster's default: CLS AR scales chosen on the window
    res = cm.BVAR(window, lags=BVAR.lags, prior=prior, hyper="glp").fit(500, rng=rng)
    paths = predictive_paths(res, 3, rng)
    mean, sd = paths.mean(axis=0), paths.std(axis=0, ddof=1)
    actual = df.to_numpy()[51:54]
    hand = -0.5 * np.log(2 * np.pi) - np.log(sd) - 0.5 * ((actual - mean) / sd) ** 2
    got = rows.pivot(index="horizon", columns="variable", values="log_score")[["a", "b", "c"]].to_numpy()
    assert_allclose(got, hand, rtol=1e-12)
    assert_allclose(rows.pivot(index="horizon", columns="variable", values="forecast")[["a", "b", "c"]].to_numpy(),
                    mean, rtol=1e-12)


def test_default_models_and_defaults() -> None:
    assert list(default_models()) == ["var", "bvar", "random_walk", "ar1"]
    assert list(EVALUATION.models) == list(default_models())
    import inspect

    params = inspect.signature(bvar_forecaster).parameters
    assert params["draws"].default == EVALUATION.draws and params["lags"].default == BVAR.lags
    assert params["hyper"].default == BVAR.hyper


def test_b_zero_forecasts_white_noise_at_its_mean_where_b_one_tracks_the_last_value() -> None:
    """Two white-noise series with mean 5, the last observation set far from it (12 and -2). With a tight prior
    (lambda = 1e-4) every lag coefficient sits at its prior mean: with b = 0 the VAR is y_t = c + e_t, and the
    constant (prior variance 1e7, i.e. flat) is the sample mean, so the one-step predictive mean is the mean of
    y_2..y_T (the regressand after the first lag); with b = 1 it is the random walk with drift, y_T + mean(dy)."""
    rng = np.random.default_rng(3)
    y = 5.0 + rng.standard_normal((200, 2))
    y[-1] = [12.0, -2.0]
    df = pd.DataFrame(y, columns=["u", "w"], index=pd.date_range("2000-01-01", periods=200, freq="MS"))
    prior0 = cm.Minnesota(lambda_=1e-4, psi="ols", b={"w": 0.0, "u": 0.0})
    pred0 = bvar_forecaster(prior0, hyper="fixed", draws=4000, lags=1)(df, 1)
    assert_allclose(pred0.mean[0], y[1:].mean(axis=0), atol=0.05)  # MC error: sd 1 / sqrt(4000) = 0.016
    pred1 = bvar_forecaster(cm.Minnesota(lambda_=1e-4, psi="ols", b=1.0), hyper="fixed", draws=4000, lags=1)(df, 1)
    assert_allclose(pred1.mean[0], y[-1] + np.diff(y, axis=0).mean(axis=0), atol=0.05)
    assert abs(pred1.mean[0][0] - 12.0) < 0.1 and abs(pred0.mean[0][0] - 5.0) < 0.2
