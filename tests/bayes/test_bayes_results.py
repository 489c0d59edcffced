"""Results API on a short fit (too short to pass the gate: it must say so loudly)."""

from __future__ import annotations

import json
import warnings

import arviz as az
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from schema_keys import check_results

from causalmacro.bayes import AssetResponseResults, FitFailedWarning
from causalmacro.errors import ArgumentError, DataError

pytestmark = pytest.mark.filterwarnings(
    "ignore:PyTensor could not link to a BLAS installation:UserWarning"
)


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
        text = res.summary()
    assert isinstance(text, str) and "FIT FAILED THE CONVERGENCE GATE" in text


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
    """The SVAR's response type: dims, bounds, level keyword; point = posterior mean, HDI = ArviZ's."""
    out = res.responses(level=0.8)
    assert out.dims == ("horizon", "response", "shock", "bound")
    assert list(out["bound"].values) == ["point", "lower", "upper"]
    assert out.attrs["level"] == 0.8 and out.name == "irf"
    assert out.sizes["horizon"] == 2
    assert bool((out.sel(bound="lower") <= out.sel(bound="upper")).all())
    cum = res.idata["posterior"]["beta"].sum("lag")
    np.testing.assert_allclose(
        out.sel(bound="point", horizon=1).values,
        cum.mean(("chain", "draw")).transpose("asset", "shock").values,
    )
    hdi = az.hdi(cum.to_dataset(name="x"), hdi_prob=0.8)["x"].sel(hdi="lower")
    np.testing.assert_allclose(out.sel(bound="lower", horizon=1).values, hdi.transpose("asset", "shock").values)
    assert out.to_dataframe().shape[0] == out.size


def test_spectrum_and_prob_greater(res):
    spec = res.spectrum(shock="shock1")
    assert list(spec.columns) == ["group", "mean", "lower", "upper", "prob_positive", "rank_mean"]
    assert spec["mean"].is_monotonic_decreasing
    assert set(spec.index) == {"BTC", "ETH", "SP500", "GOLD"}
    p = res.prob_greater("crypto", "equity", shock="shock1")
    q = res.prob_greater("equity", "crypto", shock="shock1")
    assert 0.0 <= p <= 1.0 and p + q == pytest.approx(1.0)
    assert 0.0 <= res.prob_greater("BTC", "GOLD", shock="shock0", horizon=0) <= 1.0
    with pytest.raises(ArgumentError, match=r"^first/second: 'oil' is not in the fit \(expected one of 'BTC', "):
        res.prob_greater("oil", "equity", shock="shock1")
    with pytest.raises(ArgumentError, match=r"^shock: 'nope' is not in the fit \(expected one of 'shock0', 'shock1'"):
        res.spectrum(shock="nope")
    with pytest.raises(ArgumentError, match=r"^shock: 'nope'"):
        res.plot_spectrum("nope")


def test_summary_and_to_dict(res):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        table = res.to_dataframe()
        text = res.summary()
    assert table.shape == (8, 5)
    assert table.attrs["level"] == 0.9
    assert f"{table['mean'].iloc[0]: .3f}" in text
    out = res.to_dict()
    text = json.dumps(out)
    assert '"passed": false' in text
    check_results(json.loads(text), part="assets")  # as results.json holds it, every key described
    assert out["responses"]["values"]["ETH"]["shock0"]["point"][0] == pytest.approx(
        float(res.responses().sel(response="ETH", shock="shock0", horizon=0, bound="point"))
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
    with pytest.raises(TypeError):
        res.settings["draws"] = 5  # type: ignore[index]
    assert model.design is res.design


def test_save_and_load_round_trip(res, tmp_path):
    path = res.save(tmp_path / "sub" / "fit.nc")
    back = AssetResponseResults.load(path)
    assert back.design.assets == res.design.assets and back.design.groups == res.design.groups
    np.testing.assert_array_equal(back.design.x, res.design.x)
    assert (back.design.dates == res.design.dates).all()
    assert back.diagnostics == res.diagnostics
    assert dict(back.settings) == dict(res.settings)
    assert set(back.idata.groups()) == set(res.idata.groups())
    # draws stored as float32 (save's compact storage): equal to float32 precision
    xr.testing.assert_allclose(back.responses(), res.responses(), rtol=1e-5, atol=1e-6)
    pd.testing.assert_frame_equal(back.spectrum("shock1"), res.spectrum("shock1"), rtol=1e-5)
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["fit.nc"]  # no temp file left
    with pytest.raises(DataError, match="not an asset-response results file"):
        res.to_netcdf(tmp_path / "plain.nc")
        AssetResponseResults.load(tmp_path / "plain.nc")
    with pytest.raises(DataError, match="no such results file"):
        AssetResponseResults.load(tmp_path / "missing.nc")


def test_plot_irf_draws_posterior_responses(res):
    from causalmacro.plotting import plot_irf

    fig = plot_irf(res.responses())
    axes = fig.get_axes()
    assert len(axes) == len(res.design.assets) * len(res.design.shocks)
    assert all(ax.collections for ax in axes)  # every panel has its band


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
    with pytest.raises(ArgumentError, match="draws"):
        model.fit(draws=0)
    with pytest.raises(ArgumentError, match="sampler"):
        model.fit(draws=10, sampler="stan")  # type: ignore[arg-type]
