"""Density forecasts of every asset (``AssetResponseResults.forecast_density``).

The posterior is replaced by known ``a``, ``beta``, ``sigma_e`` and ``nu``, and the forecast is
checked against formulas written here from the *simulated panel's own shocks* (not from the
design's standardised columns the code reads): the predictive mean
``sum_{t<=h} [a + sum_k sum_l beta[k, l] s_{k, T+t-l}]`` with the future shocks at their
in-sample mean, exactly; the quantiles of a zero-beta case against the Student-t (h = 1,
closed form) and its convolution (h > 1, a 10^6-path Monte Carlo); the scenario path against
``scenario()``'s effect plus the no-new-shock baseline, exactly.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose
from scipy import stats

from causalmacro.bayes import AssetResponseResults, ConvergenceDiagnostics
from causalmacro.bayes.forecast import asset_paths
from causalmacro.errors import ArgumentError
from causalmacro.labelled import fan_quantiles

DIAG = ConvergenceDiagnostics(max_rhat=1.0, min_ess_bulk=1000.0, min_ess_tail=1000.0, divergences=0,
                              worst_rhat="", worst_ess="", passed=True)


def _results(design, a, beta, sigma_e, nu) -> AssetResponseResults:
    """Results whose posterior is the given draws (leading dims chain, draw)."""
    regime = beta.ndim == 6
    dims = {"beta": ["asset", "shock", "lag"] + (["regime"] if regime else []),
            "a": ["asset"] + (["regime"] if regime else []), "sigma_e": ["asset"]}
    coords = {"asset": list(design.assets), "shock": list(design.shocks), "lag": np.arange(design.lags + 1)}
    if regime:
        coords["regime"] = list(design.regimes)
    idata = az.from_dict(posterior={"a": a, "beta": beta, "sigma_e": sigma_e, "nu": nu}, dims=dims, coords=coords)
    return AssetResponseResults(idata=idata, design=design, diagnostics=DIAG)


def _hand_mean(a, beta, shocks: pd.DataFrame, last, future: np.ndarray) -> np.ndarray:
    """Cumulative mean return (steps, A) of one draw: a, beta (A, K, L+1); future (steps, K); shocks raw by date."""
    steps, lags = future.shape[0], beta.shape[-1] - 1
    hist = shocks.loc[:last].to_numpy()
    out = np.zeros((steps, len(a)))
    for t in range(steps):  # period T + 1 + t
        r = a.copy()
        for lag in range(lags + 1):
            when = t - lag  # position relative to T + 1
            s = future[when] if when >= 0 else hist[len(hist) + when]
            r = r + beta[:, :, lag] @ s
        out[t] = r
    return np.cumsum(out, axis=0)


@pytest.fixture(scope="module")
def known(model):
    rng = np.random.default_rng(5)
    d = model.design
    n_a, n_k, n_l = len(d.assets), len(d.shocks), d.lags + 1
    a = rng.normal(size=(1, 3, n_a))
    beta = rng.normal(size=(1, 3, n_a, n_k, n_l))
    sigma_e = rng.uniform(0.5, 2.0, size=(1, 3, n_a))
    nu = np.full((1, 3), 6.0)
    return _results(d, a, beta, sigma_e, nu), a, beta


def test_predictive_mean_is_the_hand_formula(known, small_panel):
    res, a, beta = known
    d = res.design
    fc = res.forecast_density(5, rng=0)
    mean_shock = small_panel.shocks.reindex(d.dates).mean().to_numpy()  # resampled rows: their in-sample mean
    want = np.mean([_hand_mean(a[0, j], beta[0, j], small_panel.shocks, d.dates[-1],
                               np.tile(mean_shock, (5, 1))) for j in range(3)], axis=0)
    assert_allclose(fc["point"].transpose("period", "variable").values, want, rtol=0, atol=1e-10)
    assert fc.dims == ("period", "variable", "quantile")
    assert list(fc["variable"].values) == list(d.assets)
    assert list(fc["quantile"].values) == list(fan_quantiles(0.9))
    assert fc["period"].values[0] == np.datetime64(d.dates[-1] + pd.offsets.MonthEnd(1))
    assert fc.attrs["level"] == 0.9 and fc.attrs["regime"] == "" and fc.attrs["future_shocks"] == "resampled"
    assert fc.attrs["units"] == {x: "cumulative return, the asset's units" for x in d.assets}


def test_the_intercept_is_on_raw_shocks(model):
    """a + beta . s (raw) equals the model's standardised fitted value y_loc + y_scale (a_std + beta_std . x)."""
    d = model.design
    rng = np.random.default_rng(9)
    n_a, n_k, n_l = len(d.assets), len(d.shocks), d.lags + 1
    a_std, beta_std = rng.normal(size=n_a), rng.normal(size=(n_a, n_k, n_l))
    beta = beta_std * d.y_scale[:, None, None] / d.x_scale[None, :, None]
    a = d.y_loc + d.y_scale * a_std - (beta * d.x_loc[None, :, None]).sum(axis=(1, 2))  # as model.py's "a"
    res = _results(d, a[None, None], beta[None, None], np.zeros((1, 1, n_a)), np.full((1, 1), 5.0))
    # one step ahead with the future shock set to the last in-sample shock row: then the T+1 return's
    # regressors are the last row of x shifted by one lag; compare with the standardised form directly
    last = d.x[-1].reshape(n_k, n_l)
    nxt = np.empty_like(last)
    nxt[:, 1:] = last[:, :-1]
    nxt[:, 0] = (np.array([1.3, -0.4]) - d.x_loc) / d.x_scale
    want = d.y_loc + d.y_scale * (a_std + (beta_std * nxt[None]).sum(axis=(1, 2)))
    got = asset_paths(res, np.array([[[1.3, -0.4]]]))[0, 0]
    assert_allclose(got, want, rtol=1e-12)


def test_zero_betas_give_the_student_t_and_its_convolution(model):
    d = model.design
    n_a, n_k, n_l, n = len(d.assets), len(d.shocks), d.lags + 1, 40_000
    a = np.linspace(-0.5, 0.5, n_a)
    sigma = np.linspace(0.5, 2.0, n_a)
    nu = 4.0
    res = _results(d, np.broadcast_to(a, (1, n, n_a)), np.zeros((1, n, n_a, n_k, n_l)),
                   np.broadcast_to(sigma, (1, n, n_a)), np.full((1, n), nu))
    fc = res.forecast_density(3, level=0.8, rng=1)
    qs = np.asarray(fc["quantile"].values)
    # h = 1: a + sigma t_nu exactly; the forecast's quantiles of n draws put the exact CDF at q within 4 s.e.
    se = np.sqrt(qs * (1 - qs) / n)
    for i in range(n_a):
        cdf = stats.t.cdf((fc.isel(period=0, variable=i).values - a[i]) / sigma[i], nu)
        assert np.all(np.abs(cdf - qs) < 4 * se), (i, cdf, qs)
    # h = 3: 3a + sigma (t1 + t2 + t3), reference CDF from 10^6 independent paths
    ref = np.random.default_rng(77).standard_t(nu, size=(1_000_000, 3)).sum(axis=1)
    ref.sort()
    for i in range(n_a):
        x = (fc.isel(period=2, variable=i).values - 3 * a[i]) / sigma[i]
        cdf = np.searchsorted(ref, x) / ref.size
        assert np.all(np.abs(cdf - qs) < 4 * se + 0.002), (i, cdf, qs)
    assert_allclose(fc["point"].values, np.arange(1, 4)[:, None] * a[None, :], rtol=0, atol=1e-12)


def test_scenario_shocks_give_the_scenario_effect_plus_the_baseline(known):
    res, a, beta = known
    d = res.design
    zero_noise = _results(d, a, beta, np.zeros_like(a), np.full((1, 3), 6.0))
    paths = np.random.default_rng(2).normal(size=(3, 4, 3))  # 3 VAR draws, H = 4, one shock outside the model
    da = xr.DataArray(paths, dims=("draw", "horizon", "shock"),
                      coords={"draw": np.arange(3), "horizon": np.arange(1, 5), "shock": [*d.shocks, "other"]})
    fc = zero_noise.forecast_density(4, shocks=da, level=0.5, rng=3)
    effect = zero_noise.scenario(da)["draws"].values[0]  # (draw, asset): posterior draw j with path j
    baseline = np.array([_hand_mean(a[0, j], beta[0, j], pd.DataFrame(_raw(d), index=d.dates), d.dates[-1],
                                    np.zeros((4, 2)))[-1] for j in range(3)])
    total = baseline + effect
    assert_allclose(fc.sel(period=fc["period"][-1])["point"].values, total.mean(axis=0), rtol=0, atol=1e-10)
    assert_allclose(fc.isel(period=-1).sel(quantile=0.5).values, np.median(total, axis=0), rtol=0, atol=1e-10)
    assert fc.attrs["future_shocks"] == "scenario" and fc.attrs["shock_paths"] == 3
    assert fc.attrs["shocks_not_in_model"] == ["other"]
    short = zero_noise.forecast_density(2, shocks=da)  # fewer steps than the paths: their first periods
    assert_allclose(short["point"].values, fc["point"].values[:2], rtol=0, atol=1e-12)


def _raw(d) -> np.ndarray:
    lag0 = np.arange(len(d.shocks)) * (d.lags + 1)
    return d.x[:, lag0] * d.x_scale + d.x_loc


def test_regime_betas_and_intercepts_of_the_regime(regime_model, regime_panel):
    d = regime_model.design
    rng = np.random.default_rng(4)
    n_a, n_k, n_l, n_r = len(d.assets), len(d.shocks), d.lags + 1, len(d.regimes)
    a = rng.normal(size=(1, 2, n_a, n_r))
    beta = rng.normal(size=(1, 2, n_a, n_k, n_l, n_r))
    res = _results(d, a, beta, np.ones((1, 2, n_a)), np.full((1, 2), 5.0))
    mean_shock = regime_panel.shocks.reindex(d.dates).mean().to_numpy()
    for r, name in enumerate(d.regimes):
        fc = res.forecast_density(3, regime=name, rng=0)
        want = np.mean([_hand_mean(a[0, j, :, r], beta[0, j, ..., r], regime_panel.shocks, d.dates[-1],
                                   np.tile(mean_shock, (3, 1))) for j in range(2)], axis=0)
        assert_allclose(fc["point"].values, want, rtol=0, atol=1e-10)
        assert fc.attrs["regime"] == name
    with pytest.raises(ArgumentError, match=r"^regime: this fit has regimes \['contracting', 'expanding'\]; "
                       r"pass regime=$"):
        res.forecast_density(3)


def test_bad_arguments_one_line(known):
    res, _, _ = known
    with pytest.raises(ArgumentError, match=r"^steps must be a positive int, got 0$"):
        res.forecast_density(0)
    with pytest.raises(ArgumentError, match=r"^regime: this fit has no regimes, got 'calm'$"):
        res.forecast_density(2, regime="calm")
    two = pd.DataFrame(np.ones((2, 2)), columns=list(res.design.shocks))
    with pytest.raises(ArgumentError, match=r"^steps: the scenario's shock paths cover 2 periods; steps must be "
                       r"at most 2, got 3$"):
        res.forecast_density(3, shocks=two)


def test_same_rng_same_forecast(known):
    res, _, _ = known
    xr.testing.assert_identical(res.forecast_density(3, rng=11), res.forecast_density(3, rng=11))


def test_plot_fan_draws_cumulative_returns(known):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from causalmacro.plotting import plot_fan

    res, _, _ = known
    fig = plot_fan(res.forecast_density(4, rng=0))
    axs = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axs] == list(res.design.assets)
    assert {ax.get_ylabel() for ax in axs} == {"cumulative return, the asset's units"}
    plt.close(fig)


@pytest.mark.slow
def test_coverage_on_data_simulated_from_the_model(simulate):
    """90% intervals of a fitted model cover the held-out future of the model that simulated the data.

    Three panels (4 assets, 2 shocks, lags 0..1, 240 months) are simulated, each fitted by Gibbs
    (2 x 1000 draws); from the panel's last date 4,000 futures of 3 months are drawn from the
    true model (normal shocks, Student-t(5) errors) and the share inside each asset's forecast
    interval is counted, by asset and horizon: 3 x 4 x 3 = 36 cells. Measured: mean coverage
    0.905 (by panel 0.901, 0.906, 0.908; MC s.e. of one cell 0.005, of the mean over 36 cells
    under 0.002 from the futures alone; the cells of one panel share its posterior's error, so
    the spread across cells, 0.877-0.939, is mostly that). Tolerances: mean within 0.02 of 0.9,
    every cell within 0.05. About 40 s.
    """
    from causalmacro.bayes import AssetResponseModel

    groups = {"BTC": "crypto", "ETH": "crypto", "SP500": "equity", "GOLD": "safe_haven"}
    covered = []
    for seed in range(3):
        p = simulate(groups=groups, n_shocks=2, lags=1, periods=240, seed=seed)
        res = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1).fit(
            draws=1000, tune=300, chains=2, rng=seed)
        fc = res.forecast_density(3, level=0.9, rng=seed)
        shock_scale = p.shock_scale
        z_last = (p.shocks.iloc[-1].to_numpy() - 0.1) / shock_scale  # standardised shock at T
        resid_sd = np.sqrt(np.clip(1.0 - (p.beta_std ** 2).sum(axis=(1, 2)), 0.2, None) * 3 / 5)
        rng = np.random.default_rng(100 + seed)
        n = 4000
        z = rng.normal(size=(n, 3, 2))
        prev = np.concatenate([np.broadcast_to(z_last, (n, 1, 2)), z[:, :-1]], axis=1)
        signal = np.einsum("nsk,ak->nsa", z, p.beta_std[:, :, 0]) + np.einsum("nsk,ak->nsa", prev, p.beta_std[:, :, 1])
        e = rng.standard_t(5, size=(n, 3, len(groups))) * resid_sd
        future = np.cumsum(0.5 + p.return_scale * (0.05 + signal + e), axis=1)  # (n, h, asset)
        lo = fc.sel(quantile=0.05).transpose("period", "variable").values
        hi = fc.sel(quantile=0.95).transpose("period", "variable").values
        covered.append(((future >= lo) & (future <= hi)).mean(axis=0))
    cov = np.array(covered)
    assert abs(cov.mean() - 0.9) < 0.02, cov
    assert np.all(np.abs(cov - 0.9) < 0.05), cov
