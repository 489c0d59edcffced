"""Slow: the nutpie option (skipped when nutpie is not installed)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

from causalmacro.bayes import AssetResponseModel, FitFailedWarning

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS installation:UserWarning"),
]


def test_nutpie_fit_and_compiled_reuse(small_panel):
    pytest.importorskip("nutpie")
    p = small_panel
    model = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)  # 2 x 100 draws: gate not expected
        res = model.fit(draws=100, tune=100, chains=2, sampler="nutpie", rng=0)
        shocks = p.shocks
        noise = np.random.default_rng(0).normal(0, 0.1, size=(3, *shocks.shape))
        draws = xr.DataArray(
            shocks.to_numpy()[None] + noise,
            dims=("draw", "time", "shock"),
            coords={"draw": np.arange(3), "time": shocks.index, "shock": list(shocks.columns)},
        )
        pooled = model.fit_shock_draws(
            draws, n_shock_draws=2, draws=100, tune=100, chains=2, sampler="nutpie", rng=0
        )
    post = res.idata["posterior"]
    assert post["beta"].dims == ("chain", "draw", "asset", "shock", "lag")
    assert not [v for v in post.data_vars if str(v).endswith("__")]
    assert res.settings["sampler"] == "nutpie"
    assert pooled.idata["posterior"].sizes["chain"] == 4
    assert np.isfinite(res.spectrum("shock1")["mean"]).all()


def test_nutpie_with_regimes_and_covariates(regime_panel):
    """nutpie compiles the regime model once and refits it on shock draws through ``with_data``
    (regime of each date and covariates passed along); its draws have the Gibbs fit's dims."""
    pytest.importorskip("nutpie")
    p = regime_panel
    model = AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1, regimes=p.regimes,
                               covariates=p.covariates)
    shocks = p.shocks
    noise = np.random.default_rng(1).normal(0, 0.1, size=(2, *shocks.shape))
    draws = xr.DataArray(shocks.to_numpy()[None] + noise, dims=("draw", "time", "shock"),
                         coords={"draw": np.arange(2), "time": shocks.index, "shock": list(shocks.columns)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        res = model.fit(draws=100, tune=100, chains=2, sampler="nutpie", rng=0)
        gibbs = model.fit(draws=100, chains=2, rng=0)
        pooled = model.fit_shock_draws(draws, n_shock_draws=2, draws=100, tune=100, chains=2,
                                       sampler="nutpie", rng=0)
    post, ref = res.idata["posterior"], gibbs.idata["posterior"]
    for name in ("beta", "mu_group", "gamma", "a", "beta_std_effect", "tau"):
        assert post[name].dims == ref[name].dims, name
    assert pooled.idata["posterior"].sizes["chain"] == 4
    assert res.covariate_effects().dims == ("asset", "covariate", "bound")
