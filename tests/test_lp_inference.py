"""Local projections' inference (issue 19): the fully interacted state-dependent regression, Newey-West lags,
controls, cumulative responses, an observed shock's own response, and joint (sup-t) bands.

Each reference is a direct statsmodels OLS on a design built here by hand (tolerance 1e-10 relative: the same
least-squares problem solved two ways), or a hand computation named in the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats

from causalmacro.errors import ArgumentError
from causalmacro.lp import LocalProjections


def _data(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.DataFrame]:
    """An AR(1) response driven by an observed shock, an exogenous control, and a two-state regime."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    w = rng.standard_normal(n)
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = 0.5 * y[t - 1] + e[t] + 0.3 * w[t] + 0.5 * rng.standard_normal()
    idx = pd.period_range("2000-01", periods=n, freq="M")
    state = pd.Series(np.where(np.sin(np.arange(n) / 7.0) > 0, "up", "down"), index=idx)
    return (pd.DataFrame({"y": y}, index=idx), pd.DataFrame({"s": e}, index=idx), state,
            pd.DataFrame({"w": w}, index=idx))


def _rows(y: np.ndarray, s: np.ndarray, h: int, p: int, *, cumulative: bool = False,
          w: np.ndarray | None = None) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Periods t, the regressors (1, s_t, y_{t-1..t-p}, s_{t-1..t-p}[, w_t]) and the left side, by hand."""
    ts, xs, ys = [], [], []
    for t in range(p, len(y) - h):
        row = [1.0, s[t], *(y[t - lag] for lag in range(1, p + 1)), *(s[t - lag] for lag in range(1, p + 1))]
        if w is not None:
            row.append(w[t])
        ts.append(t)
        xs.append(row)
        ys.append(y[t:t + h + 1].sum() if cumulative else y[t + h])
    return ts, np.array(xs), np.array(ys)


@pytest.mark.parametrize("lag_augment", [False, True])
def test_state_dependent_equals_the_fully_interacted_regression(lag_augment: bool) -> None:
    """Ramey & Zubairy (2018): one regression over all periods, every regressor times 1{state_{t-1} = k}; HAC over
    the whole time-ordered sample (statsmodels' Bartlett HAC, same lags, no small-sample correction), or HC1."""
    y, s, state, _ = _data(240, 0)
    res = LocalProjections(y, s, horizon=4, lags=2, lag_augment=lag_augment, state=state).fit()
    assert res.states == ("down", "up")
    p = 3 if lag_augment else 2
    prior = state.shift(1).to_numpy()
    for h in (0, 2, 4):
        ts, x, target = _rows(y["y"].to_numpy(), s["s"].to_numpy(), h, p)
        keep = [n for n, t in enumerate(ts) if t >= 1]  # the state of t - 1 is known
        d = np.stack([(prior[[ts[n] for n in keep]] == k).astype(float) for k in res.states], axis=1)
        xi = np.concatenate([x[keep] * d[:, [k]] for k in range(2)], axis=1)
        fit = (sm.OLS(target[keep], xi).fit(cov_type="HC1") if lag_augment else
               sm.OLS(target[keep], xi).fit(cov_type="HAC", cov_kwds={"maxlags": h + 1, "use_correction": False}))
        k_cols = x.shape[1]
        for k in range(2):
            assert_allclose(res.coef[h, 0, 0, k], fit.params[k * k_cols + 1], rtol=1e-10)
            assert_allclose(res.se[h, 0, 0, k], fit.bse[k * k_cols + 1], rtol=1e-10)
            assert res.nobs[h, 0, k] == int(d[:, k].sum())
    # the coefficients are those of separate regressions on each state's rows; the HAC standard errors are not
    assert res.irf().attrs["hac_lags"] == "h + 1"


def test_hac_lags_override_the_rule_and_are_recorded() -> None:
    y, s, _, _ = _data(200, 1)
    res = LocalProjections(y, s, horizon=3, lags=1, lag_augment=False, hac_lags=5).fit()
    for h in (0, 3):
        _, x, target = _rows(y["y"].to_numpy(), s["s"].to_numpy(), h, 1)
        fit = sm.OLS(target, x).fit(cov_type="HAC", cov_kwds={"maxlags": 5, "use_correction": False})
        assert_allclose(res.se[h, 0, 0, 0], fit.bse[1], rtol=1e-10)
    attrs = res.irf().attrs
    assert attrs["hac_lags"] == 5 and attrs["cov"] == "HAC (Newey-West, 5 lags)"
    assert LocalProjections(y, s, horizon=3, lags=1, lag_augment=False).fit().cov == "HAC (Newey-West, h + 1 lags)"
    with pytest.raises(ArgumentError, match=r"^hac_lags must be an integer >= 0, got -1$"):
        LocalProjections(y, s, horizon=3, lags=1, hac_lags=-1)


def test_controls_enter_at_t() -> None:
    y, s, _, w = _data(200, 2)
    res = LocalProjections(y, s, horizon=2, lags=1, lag_augment=True, controls=w).fit()
    assert res.controls == ("w",)
    for h in (0, 2):
        _, x, target = _rows(y["y"].to_numpy(), s["s"].to_numpy(), h, 2, w=w["w"].to_numpy())
        fit = sm.OLS(target, x).fit(cov_type="HC1")
        assert_allclose(res.coef[h, 0, 0, 0], fit.params[1], rtol=1e-10)
        assert_allclose(res.se[h, 0, 0, 0], fit.bse[1], rtol=1e-10)


def test_cumulative_projects_the_running_sum() -> None:
    """Left side y_t + ... + y_{t+h} (= Y_{t+h} - Y_{t-1} for Y the level of the difference y, as lpirfs)."""
    y, s, _, _ = _data(200, 3)
    res = LocalProjections(y, s, horizon=3, lags=1, lag_augment=False, cumulative=True).fit()
    for h in (0, 3):
        _, x, target = _rows(y["y"].to_numpy(), s["s"].to_numpy(), h, 1, cumulative=True)
        fit = sm.OLS(target, x).fit(cov_type="HAC", cov_kwds={"maxlags": h + 1, "use_correction": False})
        assert_allclose(res.coef[h, 0, 0, 0], fit.params[1], rtol=1e-10)
        assert_allclose(res.se[h, 0, 0, 0], fit.bse[1], rtol=1e-10)
    assert res.irf().attrs["cumulative"] == 1
    plain = LocalProjections(y, s, horizon=3, lags=1, lag_augment=False).fit()
    assert_allclose(res.coef[0], plain.coef[0], rtol=1e-12)  # at h = 0 the sum is y_t


def test_an_observed_shock_has_its_own_response() -> None:
    """The shock as a response: its lags enter once (no 'collinear'), the impact response is 1 with no error, and
    later horizons equal the regression of s_{t+h} on (1, s_t, s_{t-1..t-p})."""
    _, s, _, _ = _data(200, 4)
    res = LocalProjections(s, s, horizon=3, lags=2).fit()
    assert res.coef[0, 0, 0, 0] == 1.0 and res.se[0, 0, 0, 0] == 0.0
    sv = s["s"].to_numpy()
    for h in (1, 3):
        rows = [[1.0, sv[t], *(sv[t - lag] for lag in range(1, 4))] for t in range(3, len(sv) - h)]
        fit = sm.OLS(sv[3 + h:], np.array(rows)).fit(cov_type="HC1")
        assert_allclose(res.coef[h, 0, 0, 0], fit.params[1], rtol=1e-10)
        assert_allclose(res.se[h, 0, 0, 0], fit.bse[1], rtol=1e-10)
    band = res.irf(level=0.9, joint=True).sel(response="s", shock="s", horizon=0)
    assert band.sel(bound="lower") == band.sel(bound="upper") == 1.0


def _influence(y: np.ndarray, s: np.ndarray, h: int, p: int, n: int) -> np.ndarray:
    """Horizon h's influence on the shock's coefficient, (X'X)^{-1} x_t u_t, on the time axis 0..n-1."""
    ts, x, target = _rows(y, s, h, p)
    fit = sm.OLS(target, x).fit()
    a = np.zeros(n)
    a[ts] = (x * fit.resid[:, None] @ np.linalg.inv(x.T @ x))[:, 1]
    return a


def test_joint_correlation_is_the_stacked_influence_hac() -> None:
    """Corr(b_h, b_h') from the influence functions of both regressions on one time axis, Newey-West with
    bandwidth H + 1, by a loop over lags written here."""
    y, s, _, _ = _data(150, 5)
    res = LocalProjections(y, s, horizon=3, lags=1).fit()
    yv, sv = y["y"].to_numpy(), s["s"].to_numpy()
    a = np.stack([_influence(yv, sv, h, 2, len(yv)) for h in range(4)])
    L = 4
    v = np.zeros((4, 4))
    for lag in range(-L, L + 1):
        w = 1 - abs(lag) / (L + 1)
        for t in range(len(yv)):
            if 0 <= t - lag < len(yv):
                v += w * np.outer(a[:, t], a[:, t - lag])
    sd = np.sqrt(np.diag(v))
    assert_allclose(res.corr[:, :, 0, 0, 0], v / np.outer(sd, sd), rtol=1e-10, atol=1e-12)
    assert res.joint_lags == 4


def test_joint_band_one_horizon_is_the_pointwise_band() -> None:
    """With one horizon the sup over horizons is |Z|: the critical value is z_0.95 (10,000 Gaussian draws, Monte
    Carlo s.e. of the 90% quantile of |Z| about 0.015; tolerance 0.05)."""
    y, s, _, _ = _data(200, 6)
    res = LocalProjections(y, s, horizon=0, lags=1).fit()
    joint, point = res.irf(level=0.9, joint=True), res.irf(level=0.9)
    crit = float((joint.sel(bound="upper") - joint.sel(bound="point")).squeeze() / res.se[0, 0, 0, 0])
    assert abs(crit - stats.norm.ppf(0.95)) < 0.05
    assert_allclose(joint.sel(bound="point"), point.sel(bound="point"), rtol=0, atol=0)
    assert joint.attrs["joint"] == 1 and point.attrs["joint"] == 0 and "sup-t" in joint.attrs["interval"]


def test_joint_critical_value_lies_between_pointwise_and_bonferroni() -> None:
    y, s, state, _ = _data(300, 7)
    for model in (LocalProjections(y, s, horizon=8, lags=1),
                  LocalProjections(y, s, horizon=8, lags=1, lag_augment=False, state=state)):
        res = model.fit()
        joint = res.irf(level=0.9, joint=True)
        half = (joint.sel(bound="upper") - joint.sel(bound="point")).to_numpy()
        crit = half / (res.se if res.states else res.se[..., 0])
        crit = crit.reshape(9, -1)
        assert_allclose(crit, np.broadcast_to(crit[:1], crit.shape), rtol=1e-10)  # one value per path
        assert (stats.norm.ppf(0.95) < crit[0]).all() and (crit[0] < stats.norm.ppf(1 - 0.1 / 18)).all()
        # the test of the whole path agrees with the joint band (same Gaussian draws)
        test = res.irf_test()
        excludes = ((joint.sel(bound="lower") > 0) | (joint.sel(bound="upper") < 0)).any("horizon")
        assert list(test["p_value"] < 0.1) == list(excludes.to_numpy().ravel())


def test_saved_results_keep_the_joint_bands(tmp_path: object) -> None:
    from pathlib import Path

    from causalmacro.lp import LocalProjectionsResults

    y, s, _, w = _data(150, 8)
    res = LocalProjections(y, s, horizon=3, lags=1, controls=w, hac_lags=2, cumulative=True).fit()
    back = LocalProjectionsResults.load(res.save(Path(str(tmp_path)) / "lp.nc"))
    assert back.irf(joint=True).equals(res.irf(joint=True)) and back.irf().attrs == res.irf().attrs
    assert back.controls == ("w",) and back.hac_lags == 2 and back.cumulative


@pytest.mark.slow
def test_joint_bands_cover_the_whole_path() -> None:
    """Monte Carlo: y_t = sum_h theta_h e_{t-h} + AR(1) noise, T = 200, H = 6, 300 samples, lag-augmented LP on
    the observed shock (fixed seeds). Measured: joint coverage of the whole true path 0.86, the pointwise bands'
    joint coverage 0.50 (Monte Carlo s.e. 0.02 and 0.03); the bound below is three standard errors under 0.86."""
    theta = np.array([1.0, 0.6, 0.3, 0.1, 0.0, 0.0, 0.0])
    joint_in = point_in = 0
    reps = 300
    for r in range(reps):
        rng = np.random.default_rng(1000 + r)
        n = 200
        e = rng.standard_normal(n + 10)
        noise = np.zeros(n + 10)
        for t in range(1, n + 10):
            noise[t] = 0.5 * noise[t - 1] + rng.standard_normal()
        y = np.convolve(e, theta)[: n + 10] + noise
        idx = pd.RangeIndex(n)
        res = LocalProjections(pd.DataFrame({"y": y[10:]}, index=idx), pd.DataFrame({"e": e[10:]}, index=idx),
                               horizon=6, lags=2).fit()
        for joint in (True, False):
            band = res.irf(level=0.9, joint=joint).sel(response="y", shock="e")
            inside = bool(((band.sel(bound="lower") <= theta) & (theta <= band.sel(bound="upper"))).all())
            joint_in += inside and joint
            point_in += inside and not joint
    assert joint_in / reps >= 0.80
    assert point_in / reps < joint_in / reps
