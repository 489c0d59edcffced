"""Results API on a short fit (too short to pass the gate: it must say so loudly)."""

from __future__ import annotations

import json
import warnings

import arviz as az
import numpy as np
import pytest
import xarray as xr

from causalmacro.bayes import AssetResponseModel, AssetResponseResults, FitFailedWarning
from causalmacro.errors import DataError

pytestmark = pytest.mark.filterwarnings(
    "ignore:PyTensor could not link to a BLAS installation:UserWarning"
)


@pytest.fixture(scope="module")
def model(small_panel) -> AssetResponseModel:
    p = small_panel
    return AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1)


@pytest.fixture(scope="module")
def res(model) -> AssetResponseResults:
    with pytest.warns(FitFailedWarning, match="FAILED THE CONVERGENCE GATE"):
        return model.fit(draws=60, tune=60, chains=2, rng=0, log_likelihood=True)


def test_failed_gate_is_loud(res):
    assert not res.diagnostics.passed
    assert res.diagnostics.messages
    assert "FAILED" in repr(res)
    assert "FAIL" in str(res)
    assert "FAIL" in res._repr_html_()
    with pytest.warns(FitFailedWarning):
        res.summary()


def test_idata_dims(res):
    post = res.idata["posterior"]
    assert post["beta"].dims == ("chain", "draw", "asset", "shock", "lag")
    assert post["mu_group"].dims == ("chain", "draw", "group", "shock", "lag")
    assert post.sizes["chain"] == 2 and post.sizes["draw"] == 60
    assert "log_likelihood" in res.idata.groups()


def test_beta_units(res):
    post = res.idata["posterior"]
    d = res.design
    expected = post["beta_std"] * xr.DataArray(
        d.y_scale, dims="asset", coords={"asset": list(d.assets)}
    )
    expected = expected / xr.DataArray(d.x_scale, dims="shock", coords={"shock": list(d.shocks)})
    np.testing.assert_allclose(post["beta"].values, expected.transpose(*post["beta"].dims).values)


def test_responses(res):
    out = res.responses(hdi_prob=0.8)
    assert out.dims == ("asset", "shock", "horizon", "bound")
    assert list(out["bound"].values) == ["mean", "lower", "upper"]
    assert out.sizes["horizon"] == 2
    assert bool((out.sel(bound="lower") <= out.sel(bound="upper")).all())
    cum = res.idata["posterior"]["beta"].sum("lag").mean(("chain", "draw"))
    np.testing.assert_allclose(
        out.sel(bound="mean", horizon=1).values, cum.transpose("asset", "shock").values
    )


def test_spectrum_and_prob_greater(res):
    spec = res.spectrum(shock="shock1")
    assert list(spec.columns) == ["group", "mean", "lower", "upper", "prob_positive", "rank_mean"]
    assert spec["mean"].is_monotonic_decreasing
    assert set(spec.index) == {"BTC", "ETH", "SP500", "GOLD"}
    p = res.prob_greater("crypto", "equity", shock="shock1")
    q = res.prob_greater("equity", "crypto", shock="shock1")
    assert 0.0 <= p <= 1.0 and p + q == pytest.approx(1.0)
    assert 0.0 <= res.prob_greater("BTC", "GOLD", shock="shock0", horizon=0) <= 1.0
    with pytest.raises(DataError, match="'oil'"):
        res.prob_greater("oil", "equity", shock="shock1")
    with pytest.raises(DataError, match="shock 'nope'"):
        res.spectrum(shock="nope")


def test_summary_and_to_dict(res):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        table = res.summary()
    assert table.shape == (8, 5)
    out = res.to_dict()
    text = json.dumps(out)
    assert '"passed": false' in text
    assert out["responses"]["values"]["ETH"]["shock0"]["mean"][0] == pytest.approx(
        float(res.responses().sel(asset="ETH", shock="shock0", horizon=0, bound="mean"))
    )


def test_loo_ppc_and_netcdf(res, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pareto k on a 60-draw fit
        loo = res.loo()
    assert np.isfinite(loo.elpd_loo)
    ppc = res.posterior_predictive(rng=1)
    assert ppc["posterior_predictive"]["y"].shape[-1] == len(res.design.y)
    assert "posterior_predictive" not in res.idata.groups()  # results untouched
    path = res.to_netcdf(tmp_path / "fit.nc")
    back = az.from_netcdf(path)
    np.testing.assert_allclose(
        back["posterior"]["beta"].values, res.idata["posterior"]["beta"].values
    )


def test_results_are_frozen(res, model):
    with pytest.raises(AttributeError):
        res.idata = None  # type: ignore[misc]
    assert model.design is res.design


def test_shock_draw_propagation(model, small_panel):
    rng = np.random.default_rng(3)
    shocks = small_panel.shocks
    noise = rng.normal(0, 0.1, size=(4, *shocks.shape))
    draws = xr.DataArray(
        shocks.to_numpy()[None] + noise,
        dims=("draw", "time", "shock"),
        coords={"draw": np.arange(4), "time": shocks.index, "shock": list(shocks.columns)},
    )
    with pytest.warns(FitFailedWarning):
        res = model.fit_shock_draws(draws, n_shock_draws=2, draws=30, tune=30, chains=2, rng=0)
    post = res.idata["posterior"]
    assert post.sizes["chain"] == 4
    assert post["shock_draw"].dims == ("chain",)
    assert res.diagnostics.n_fits == 2
    assert res.settings["n_shock_draws"] == 2
    with pytest.raises(DataError, match="shock 'shock1'"):
        model.fit_shock_draws(draws.drop_sel(shock="shock1"), n_shock_draws=1)


def test_nutpie_missing_is_a_clear_error(model, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "nutpie" else real(name, *a)
    )
    with pytest.raises(ImportError, match="pip install nutpie"):
        model.fit(draws=10, tune=10, chains=1, sampler="nutpie")


def test_bad_fit_arguments(model):
    with pytest.raises(ValueError, match="draws"):
        model.fit(draws=0)
    with pytest.raises(ValueError, match="sampler"):
        model.fit(draws=10, sampler="stan")  # type: ignore[arg-type]
