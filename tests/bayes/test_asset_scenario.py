"""Scenarios to every asset (``AssetResponseResults.scenario``): hand computations and units.

The posterior is replaced by known betas (two draws), and the effect is checked against a
direct simulation written here: the asset's returns period by period under the shock path
minus the baseline's, summed (``r_t - r^0_t = sum_k sum_l beta[k, l] eps[k, t - l]`` with
the shocks before the horizon equal in both and so left out), exactly to 1e-12.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from numpy.testing import assert_allclose

from causalmacro.bayes import AssetResponseResults, ConvergenceDiagnostics
from causalmacro.errors import ArgumentError

DIAG = ConvergenceDiagnostics(max_rhat=1.0, min_ess_bulk=1000.0, min_ess_tail=1000.0, divergences=0,
                              worst_rhat="", worst_ess="", passed=True)


def _results(design, beta: np.ndarray) -> AssetResponseResults:
    dims = ["asset", "shock", "lag"] + (["regime"] if beta.ndim == 6 else [])
    coords = {"asset": list(design.assets), "shock": list(design.shocks), "lag": np.arange(design.lags + 1)}
    if beta.ndim == 6:
        coords["regime"] = list(design.regimes)
    idata = az.from_dict(posterior={"beta": beta}, dims={"beta": dims}, coords=coords)
    return AssetResponseResults(idata=idata, design=design, diagnostics=DIAG)


def _direct(beta: np.ndarray, eps: np.ndarray) -> float:
    """Sum over t = 1..H of sum_k sum_l beta[k, l] eps[t - l, k] (eps zero before t = 1)."""
    steps, (n_k, n_l) = eps.shape[0], beta.shape
    total = 0.0
    for t in range(steps):
        for k in range(n_k):
            for lag in range(n_l):
                if t - lag >= 0:
                    total += beta[k, lag] * eps[t - lag, k]
    return total


@pytest.fixture(scope="module")
def known(model):
    rng = np.random.default_rng(3)
    d = model.design
    beta = rng.normal(size=(1, 2, len(d.assets), len(d.shocks), d.lags + 1))
    return _results(d, beta), beta


def _shocks(values: np.ndarray, names) -> xr.DataArray:
    return xr.DataArray(values[..., None], dims=("horizon", "shock", "bound"),
                        coords={"horizon": np.arange(1, len(values) + 1), "shock": list(names), "bound": ["point"]})


def test_effect_is_the_direct_sum_per_draw(known):
    res, beta = known
    names = list(res.design.shocks)
    eps = np.array([[1.0, 0.0], [0.5, -2.0], [0.0, 1.5], [0.3, 0.2]])  # H = 4, L = 1
    out = res.scenario(_shocks(eps, names), level=0.5)
    for j in range(2):
        for i, asset in enumerate(res.design.assets):
            assert_allclose(out["draws"].sel(chain=0, draw=j, asset=asset), _direct(beta[0, j, i], eps),
                            rtol=0, atol=1e-12)
    assert_allclose(out["effect"].sel(bound="point"), out["draws"].mean(("chain", "draw")), rtol=0, atol=1e-12)
    assert_allclose(out["prob_positive"], (out["draws"] > 0).mean(("chain", "draw")))
    assert list(out["group"].values) == [res.groups[a] for a in res.design.assets]
    assert out.attrs["horizon"] == 4 and out.attrs["shock_paths"] == 1 and out.attrs["shocks_not_in_model"] == []


def test_a_late_shock_acts_through_the_lags_left(known):
    """One unit of shock0 in the last period moves the cumulative return by beta[.., 0] only."""
    res, beta = known
    eps = np.zeros((3, 2))
    eps[2, 0] = 1.0
    out = res.scenario(_shocks(eps, res.design.shocks))
    assert_allclose(out["draws"].sel(chain=0).values, beta[0, :, :, 0, 0], rtol=0, atol=1e-12)
    eps[2, 0], eps[0, 0] = 0.0, 1.0  # first period: lags 0 and 1 both fall inside the horizon
    out = res.scenario(_shocks(eps, res.design.shocks))
    assert_allclose(out["draws"].sel(chain=0).values, beta[0, :, :, 0, :].sum(-1), rtol=0, atol=1e-12)


def test_shock_draws_pair_with_posterior_draws_and_extra_shocks_recorded(known):
    res, beta = known
    names = [*res.design.shocks, "other"]
    paths = np.random.default_rng(1).normal(size=(3, 2, 3))  # 3 VAR draws, H = 2, 3 shocks
    da = xr.DataArray(paths, dims=("draw", "horizon", "shock"),
                      coords={"draw": np.arange(3), "horizon": [1, 2], "shock": names})
    out = res.scenario(da, scale="standardized")
    for j in range(2):  # posterior draw j takes shock draw j
        for i in range(len(res.design.assets)):
            want = _direct(beta[0, j, i], paths[j][:, :2]) / res.design.y_scale[i]
            assert_allclose(out["draws"].values[0, j, i], want, rtol=0, atol=1e-12)
    assert out.attrs["shock_paths"] == 3 and out.attrs["shocks_not_in_model"] == ["other"]
    assert out.attrs["scale"] == "standardized"


def test_scenario_spectrum_ranks_like_spectrum(known):
    res, _ = known
    eps = np.array([[1.0, -1.0], [0.5, 0.5]])
    spec = res.scenario_spectrum(_shocks(eps, res.design.shocks), level=0.5)
    out = res.scenario(_shocks(eps, res.design.shocks), level=0.5)
    assert list(spec.index) == list(out["effect"].sel(bound="point").to_series().sort_values(ascending=False).index)
    assert list(spec.columns) == ["group", "mean", "lower", "upper", "prob_positive", "rank_mean"]
    assert spec.attrs["what"] == "scenario" and spec["rank_mean"].between(1, len(spec)).all()


def test_bad_scenarios_one_line(known):
    res, _ = known
    only = _shocks(np.ones((2, 1)), ["shock0"])
    with pytest.raises(ArgumentError, match=r"^shocks: the scenario has no path for the asset model's shock "
                       r"'shock1'; the scenario's shocks are \['shock0'\]$"):
        res.scenario(only)
    with pytest.raises(ArgumentError, match=r"^regime: this fit has no regimes, got 'calm'$"):
        res.scenario(_shocks(np.ones((2, 2)), res.design.shocks), regime="calm")
    with pytest.raises(ArgumentError, match=r"^shocks: pass the scenario's 'shocks'"):
        res.scenario(xr.Dataset())


def test_regimes_keep_or_select(regime_model):
    d = regime_model.design
    beta = np.random.default_rng(2).normal(size=(1, 2, len(d.assets), len(d.shocks), d.lags + 1, len(d.regimes)))
    res = _results(d, beta)
    eps = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    both = res.scenario(_shocks(eps, d.shocks))
    assert both["effect"].dims == ("asset", "regime", "bound")
    for r, name in enumerate(d.regimes):
        one = res.scenario(_shocks(eps, d.shocks), regime=name)
        assert_allclose(one["draws"].values[0, 1, 0], _direct(beta[0, 1, 0, :, :, r], eps), rtol=0, atol=1e-12)
        assert one["effect"].dims == ("asset", "bound")
    with pytest.raises(ArgumentError, match=r"^regime: this fit has regimes"):
        res.scenario_spectrum(_shocks(eps, d.shocks))


def test_scenario_shocks_are_the_units_the_asset_model_is_fitted_on() -> None:
    """The pipeline fits the asset model on SVARResults.structural_shocks(); a scenario's shocks use the same B0."""
    from causalmacro.svar import SVAR

    rng = np.random.default_rng(0)
    y = np.zeros((160, 2))
    for t in range(1, 160):
        y[t] = [[0.5, 0.1], [0.2, 0.4]] @ y[t - 1] + [[2.0, 0.0], [0.5, 0.3]] @ rng.standard_normal(2)
    res = SVAR(pd.DataFrame(y, columns=["a", "b"]), lags=1).fit()
    hist = res.structural_shocks()
    assert list(hist.columns) == ["a", "b"]
    assert_allclose(hist.std(ddof=0).to_numpy(), 1.0, atol=0.02)  # unit variance (dof scaling only)
    cond = pd.DataFrame({"a": [1.0]}, index=[1])
    sc = res.conditional_forecast(cond, 1)
    base = res.forecast(1).xs("point", axis=1, level="bound").to_numpy()[0]
    impact = np.asarray(res.identified.impact)
    eps = sc["shocks"].sel(bound="point", horizon=1).to_numpy()
    assert list(sc["shock"].values) == list(hist.columns)
    # one unit of the scenario's shock moves y by the impact column, as one unit of a historical shock does
    assert_allclose(sc["forecast"].sel(bound="point", horizon=1).to_numpy() - base, impact @ eps, atol=1e-12)
    assert_allclose(impact @ hist.to_numpy().T, np.asarray(res.reduced_form.resid).T, atol=1e-10)
