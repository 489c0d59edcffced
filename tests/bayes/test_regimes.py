"""Regimes and covariates: the design, bad input, the Gibbs fit as a PyMC fit, and the results surface.

Fast: fits are short (too short for the convergence gate, which is not the point here),
and PyTensor functions that only check values are compiled in ``FAST_COMPILE`` mode (the
same graph, evaluated without C code: 2 s instead of 30 s on a cold compile cache; the
C-compiled graph is exercised by the slow Gibbs/NUTS agreement test).
"""

from __future__ import annotations

import json
import warnings

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytest
import xarray as xr
from schema_keys import check_results

from causalmacro.bayes import AssetResponseModel, AssetResponseResults, FitFailedWarning
from causalmacro.bayes.design import describe
from causalmacro.bayes.regimes import regime_coding
from causalmacro.errors import ArgumentError, DataError
from causalmacro.labelled import check_response

pytestmark = pytest.mark.filterwarnings(
    "ignore:PyTensor could not link to a BLAS installation:UserWarning"
)
FAST = "FAST_COMPILE"


def _model(p, **kw) -> AssetResponseModel:
    kw.setdefault("regimes", p.regimes)
    kw.setdefault("covariates", p.covariates)
    return AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1, **kw)


@pytest.fixture(scope="module")
def res(regime_model) -> AssetResponseResults:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        return regime_model.fit(draws=100, chains=2, rng=0, log_likelihood=True)


# ------------------------------------------------------------------ design
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_regime_coding(n):
    """Ones, then sum-to-zero contrasts with M[:,1:] M[:,1:]' = (I - 11'/n)/2: every pairwise difference
    of regimes has the prior variance of one contrast; with two regimes the contrast is the difference."""
    m = regime_coding(n)
    np.testing.assert_allclose(m[:, 0], 1.0)
    np.testing.assert_allclose(m[:, 1:].sum(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(m[:, 1:] @ m[:, 1:].T, (np.eye(n) - 1.0 / n) / 2, atol=1e-15)
    if n == 2:
        np.testing.assert_allclose(m, [[1.0, 0.5], [1.0, -0.5]])


def test_regime_design(regime_panel, regime_model):
    p, d = regime_panel, regime_model.design
    assert d.regimes == ("contracting", "expanding")
    assert d.effects == ("common", "contrast1") and d.contrasts == ("contrast1",)
    assert d.covariates == ("event", "window")
    assert d.free_names == ("intercept", "contrast1", "event", "window")
    assert d.n_terms == 4 and d.x_terms.shape == (len(d.dates), 2 * 2 * 2)
    assert d.n_params_per_asset == 4 + 8
    labels = p.regimes.reindex(d.dates).to_numpy()
    np.testing.assert_array_equal(np.array(d.regimes)[d.regime_idx], labels)
    sign = np.where(labels == "contracting", 0.5, -0.5)
    # columns (shock, effect, lag): the common columns are the shocks, the contrast columns the shocks times +-1/2
    x = d.x.reshape(-1, 2, 2)
    terms = d.x_terms.reshape(-1, 2, 2, 2)
    np.testing.assert_array_equal(terms[:, :, 0], x)
    np.testing.assert_allclose(terms[:, :, 1], x * sign[:, None, None])
    np.testing.assert_allclose(d.x_free[:, 1], sign)
    np.testing.assert_array_equal(d.x_free[:, 2:], p.covariates.reindex(d.dates).to_numpy())
    info = describe(d)
    assert info["regimes"]["labels"] == ["contracting", "expanding"]
    assert sum(info["regimes"]["n_dates"].values()) == len(d.dates)
    assert info["covariates"] == ["event", "window"]
    assert "regimes" not in describe(AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1).design)


def test_unknown_regime_dates_are_dropped(regime_panel):
    p = regime_panel
    regimes = p.regimes.copy()
    regimes.iloc[[4, 9]] = np.nan
    regimes = regimes.drop(regimes.index[20])  # a date absent from the series: unknown as well
    d = _model(p, regimes=regimes).design
    full = _model(p).design
    assert len(d.dates) == len(full.dates) - 3
    assert not d.dates.isin(p.regimes.index[[4, 9, 20]]).any()
    # returns are standardised on the rows kept
    y = d.y[d.asset_idx == 0]
    np.testing.assert_allclose([y.mean(), y.std(ddof=1)], [0.0, 1.0], atol=1e-12)


def test_lagged_regimes_are_the_callers_choice(regime_panel):
    """The row at t uses the label at t; shifting the series shifts the labels the rows get."""
    p = regime_panel
    d = _model(p, regimes=p.regimes.shift(1)).design
    assert d.dates[0] == p.regimes.index[1]
    np.testing.assert_array_equal(np.array(d.regimes)[d.regime_idx], p.regimes.shift(1).reindex(d.dates).to_numpy())


def _one_line(exc: pytest.ExceptionInfo[DataError]) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda p: {"regimes": pd.Series("expanding", index=p.regimes.index)}, "regimes: only one regime"),
        (lambda p: {"regimes": p.regimes.set_axis(p.regimes.index + pd.DateOffset(years=80))},
         "regimes: no label on any date"),
        (lambda p: {"regimes": p.regimes.where(p.regimes.index < p.regimes.index[0])}, "regimes: no label"),
        (lambda p: {"regimes": list(p.regimes)}, "regimes: expected a pandas Series"),
        (lambda p: {"covariates": p.covariates.assign(flat=1.0)}, "covariate 'flat' is constant"),
        (lambda p: {"covariates": p.covariates.assign(none=0.0)}, "covariate 'none' is constant"),
        (lambda p: {"covariates": p.covariates.assign(gap=np.where(np.arange(len(p.covariates)) == 7, np.nan, 1.0))},
         "covariate 'gap' is missing or NaN on 1 of the fit's dates"),
        (lambda p: {"covariates": p.covariates.iloc[5:]}, "covariate 'event' is missing or NaN on 5"),
        (lambda p: {"covariates": p.covariates.assign(word="a")}, "covariate 'word' is not numeric"),
        (lambda p: {"covariates": pd.DataFrame(index=p.covariates.index)}, "covariates: expected a DataFrame"),
    ],
)
def test_malformed_regimes_and_covariates(regime_panel, change, match):
    with pytest.raises(DataError, match=match) as exc:
        _model(regime_panel, **change(regime_panel))
    _one_line(exc)


# --------------------------------------------------------------- the model
@pytest.mark.parametrize(
    ("pooling", "parameterization"),
    [("partial", "noncentered"), ("partial", "centered"), ("none", "noncentered")],
)
def test_logp_and_gradient_finite(regime_model, regime_panel, pooling, parameterization):
    built = _model(regime_panel, pooling=pooling, parameterization=parameterization).build()
    point = built.initial_point()
    assert np.isfinite(built.compile_logp(mode=FAST)(point))
    assert np.all(np.isfinite(built.compile_dlogp(mode=FAST)(point)))
    dims = built.named_vars_to_dims
    assert dims["beta"] == ("asset", "shock", "lag", "regime")
    assert dims["beta_std_effect"] == ("asset", "shock", "effect", "lag")
    assert dims["gamma_std"] == ("asset", "covariate") and dims["gamma"] == ("asset", "covariate")
    assert dims["a"] == ("asset", "regime")
    assert ("mu_group" in dims) == (pooling == "partial")


def test_gibbs_fit_is_the_pymc_models_fit(regime_model, res):
    """Every free variable of the PyMC model is in the Gibbs posterior; the deterministics and the stored
    log-likelihood are what PyMC's graph computes from the Gibbs draws (so both define one model)."""
    post = res.idata["posterior"]
    built = regime_model.build()
    free = [v.name for v in built.free_RVs]
    assert set(free) <= set(post.data_vars)
    for name in free:
        assert post[name].dims[2:] == tuple(built.named_vars_to_dims.get(name, ())), name
    det = pm.compute_deterministics(post[free], model=built, progressbar=False, compile_kwargs={"mode": FAST})
    for name in det.data_vars:
        np.testing.assert_allclose(post[name].transpose(*det[name].dims).values, det[name].values,
                                   rtol=1e-10, atol=1e-12, err_msg=str(name))
    bare = res.idata.copy()
    del bare.log_likelihood
    ll = pm.compute_log_likelihood(bare, model=built, progressbar=False, compile_kwargs={"mode": FAST})
    np.testing.assert_allclose(res.idata["log_likelihood"]["y"].values, ll["log_likelihood"]["y"].values,
                               rtol=1e-8, atol=1e-10)
    # the two regimes' betas are the common response +- half the contrast
    eff = post["beta_std_effect"]
    np.testing.assert_allclose(
        post["beta_std"].sel(regime="contracting").values - post["beta_std"].sel(regime="expanding").values,
        eff.sel(effect="contrast1").values, atol=1e-12)


# ----------------------------------------------------------------- results
def test_regime_responses_and_spectrum(res):
    out = res.responses(level=0.8)
    assert out.dims == ("horizon", "response", "shock", "regime", "bound")
    assert list(out["regime"].values) == ["contracting", "expanding"]
    cum = res.idata["posterior"]["beta"].sum("lag")
    np.testing.assert_allclose(out.sel(bound="point", horizon=1).values,
                               cum.mean(("chain", "draw")).transpose("asset", "shock", "regime").values)
    hdi = az.hdi(cum.to_dataset(name="x"), hdi_prob=0.8)["x"].sel(hdi="higher")
    np.testing.assert_allclose(out.sel(bound="upper", horizon=1).values,
                               hdi.transpose("asset", "shock", "regime").values)
    assert res.cumulative(of="mu_group", scale="standardized").dims[-2:] == ("horizon", "regime")
    spec = res.spectrum("liquidity", regime="expanding", scale="standardized")
    assert spec.attrs["regime"] == "expanding" and spec["mean"].is_monotonic_decreasing
    std = res.cumulative(scale="standardized").sel(shock="liquidity", horizon=1, regime="expanding")
    np.testing.assert_allclose(spec.loc[list(std["asset"].values), "mean"], std.mean(("chain", "draw")).values)
    with pytest.raises(ArgumentError, match="pass regime="):
        res.spectrum("liquidity")
    with pytest.raises(ArgumentError, match=r"^regime: 'boom' is not in the fit \(expected one of 'contracting', 'expanding'\)$"):
        res.spectrum("liquidity", regime="boom")
    check_response(out.sel(regime="expanding"))  # one regime is the package's plain response type
    p = res.prob_greater("crypto", "equity", shock="liquidity", regime="expanding")
    q = res.prob_greater("equity", "crypto", shock="liquidity", regime="expanding")
    assert p + q == pytest.approx(1.0)


def test_prob_regime_greater(res):
    table = res.prob_regime_greater("expanding", "contracting", shock="liquidity")
    assert list(table.index) == [*res.design.assets, *res.design.groups]
    assert list(table.columns) == ["kind", "group", "prob", "mean_difference"]
    assert set(table["kind"]) == {"asset", "class"}
    back = res.prob_regime_greater("contracting", "expanding", shock="liquidity")
    np.testing.assert_allclose(table["prob"] + back["prob"], 1.0)
    np.testing.assert_allclose(table["mean_difference"], -back["mean_difference"])
    cum = res.cumulative(scale="standardized", of="mu_group").sel(shock="liquidity", horizon=0, group="crypto")
    at0 = res.prob_regime_greater("expanding", "contracting", shock="liquidity", horizon=0)
    assert at0.loc["crypto", "prob"] == pytest.approx(
        float((cum.sel(regime="expanding") > cum.sel(regime="contracting")).mean()))
    assert table.attrs["first"] == "expanding" and table.attrs["horizon"] == 1
    with pytest.raises(ArgumentError, match="both 'expanding'"):
        res.prob_regime_greater("expanding", "expanding", shock="liquidity")
    with pytest.raises(ArgumentError, match=r"^regime: 'boom' is not in the fit"):
        res.prob_regime_greater("boom", "expanding", shock="liquidity")


def test_covariate_effects(res):
    eff = res.covariate_effects(level=0.8)
    assert eff.dims == ("asset", "covariate", "bound") and eff.name == "covariate_effect"
    assert list(eff["covariate"].values) == ["event", "window"]
    gamma = res.idata["posterior"]["gamma"]
    np.testing.assert_allclose(gamma.values, (res.idata["posterior"]["gamma_std"]
                                              * xr.DataArray(res.design.y_scale, dims="asset",
                                                             coords={"asset": list(res.design.assets)})).values)
    np.testing.assert_allclose(eff.sel(bound="point").values, gamma.mean(("chain", "draw")).values)
    assert bool((eff.sel(bound="lower") < eff.sel(bound="upper")).all())
    assert eff.attrs["level"] == 0.8


def test_tables_and_json(res):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        table = res.to_dataframe()
        text = res.summary()
    assert table.index.names == ["asset", "shock", "regime"] and table.shape == (5 * 2 * 2, 5)
    assert "regimes: contracting (" in text and "covariates: event, window" in text
    assert "regimes=['contracting', 'expanding']" in repr(res)
    out = json.loads(json.dumps(res.to_dict()))
    check_results(out, part="assets")  # as results.json holds it, every key described
    assert out["design"]["regimes"]["labels"] == ["contracting", "expanding"]
    assert out["responses"]["values"]["BTC"]["liquidity"]["expanding"]["point"][1] == pytest.approx(
        float(res.responses().sel(response="BTC", shock="liquidity", regime="expanding", horizon=1, bound="point")))
    assert len(out["spectrum"]["values"]["rates"]["contracting"]) == 5
    probs = out["regime_comparisons"]["liquidity"]["contracting > expanding"]
    assert probs["crypto"]["kind"] == "class"
    assert out["covariate_effects"]["values"]["BTC"]["event"]["point"] == pytest.approx(
        float(res.covariate_effects().sel(asset="BTC", covariate="event", bound="point")))


def test_save_and_load_round_trip_with_regimes(res, tmp_path):
    path = res.save(tmp_path / "fit.nc")
    assert '"format": "causalmacro.asset_response/2"' in az.from_netcdf(path)["posterior"].attrs["causalmacro"]
    back = AssetResponseResults.load(path)
    d, b = res.design, back.design
    assert b.regimes == d.regimes and b.covariates == d.covariates
    np.testing.assert_array_equal(b.regime_idx, d.regime_idx)
    np.testing.assert_array_equal(b.z, d.z)
    np.testing.assert_array_equal(b.x_terms, d.x_terms)
    # draws stored as float32 (save's compact storage): equal to float32 precision
    xr.testing.assert_allclose(back.responses(), res.responses(), rtol=1e-5, atol=1e-6)
    xr.testing.assert_allclose(back.covariate_effects(), res.covariate_effects(), rtol=1e-5, atol=1e-6)
    pd.testing.assert_frame_equal(back.prob_regime_greater("expanding", "contracting", shock="rates"),
                                  res.prob_regime_greater("expanding", "contracting", shock="rates"), rtol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        assert back.summary() == res.summary()  # the printed table, digit for digit


def test_shock_draws_keep_regimes_and_covariates(regime_model, regime_panel):
    shocks = regime_panel.shocks
    noise = np.random.default_rng(3).normal(0, 0.1, size=(3, *shocks.shape))
    draws = xr.DataArray(shocks.to_numpy()[None] + noise, dims=("draw", "time", "shock"),
                         coords={"draw": np.arange(3), "time": shocks.index, "shock": list(shocks.columns)})
    one = regime_model.design.with_shocks(pd.DataFrame(draws.values[0], index=shocks.index, columns=shocks.columns))
    np.testing.assert_array_equal(one.regime_idx, regime_model.design.regime_idx)
    np.testing.assert_array_equal(one.x_free, regime_model.design.x_free)
    sign = np.where(one.regime_idx == 0, 0.5, -0.5)
    np.testing.assert_allclose(one.x_terms.reshape(-1, 2, 2, 2)[:, :, 1], one.x.reshape(-1, 2, 2) * sign[:, None, None])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        pooled = regime_model.fit_shock_draws(draws, n_shock_draws=2, draws=30, tune=30, chains=2, rng=0)
    post = pooled.idata["posterior"]
    assert post.sizes["chain"] == 4 and post["beta"].dims[-1] == "regime"
    assert pooled.covariate_effects().dims == ("asset", "covariate", "bound")


def test_fits_without_regimes_refuse_regime_questions(small_panel):
    p = small_panel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        plain = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1).fit(draws=20, tune=20, chains=1, rng=0)
    with pytest.raises(ArgumentError, match="no regimes"):
        plain.spectrum("shock0", regime="expanding")
    with pytest.raises(ArgumentError, match="no regimes"):
        plain.prob_regime_greater("a", "b", shock="shock0")
    with pytest.raises(DataError, match="no covariates"):
        plain.covariate_effects()
    assert plain.regimes == ()


def test_covariates_without_regimes(regime_panel):
    """Covariates alone: no regime dims anywhere, the intercept is a free column like the covariates."""
    p = regime_panel
    m = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1, covariates=p.covariates)
    assert m.design.free_names == ("intercept", "event", "window") and m.design.x_terms is m.design.x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        r = m.fit(draws=30, tune=30, chains=2, rng=0, log_likelihood=True)
    assert r.responses().dims == ("horizon", "response", "shock", "bound")
    assert r.idata["posterior"]["a"].dims == ("chain", "draw", "asset")
    bare = r.idata.copy()
    del bare.log_likelihood
    ll = pm.compute_log_likelihood(bare, model=m.build(), progressbar=False, compile_kwargs={"mode": FAST})
    np.testing.assert_allclose(r.idata["log_likelihood"]["y"].values, ll["log_likelihood"]["y"].values,
                               rtol=1e-8, atol=1e-10)
