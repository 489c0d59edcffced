"""Slow: recovery of regime-dependent responses and of covariate (event) effects.

The panel (``simulate_regime_panel`` in ``conftest.py``, 240 months, six assets in
three classes): the three crypto assets respond to the liquidity shock twice as much
when ``expanding`` as when ``contracting``; every other response is the same in both
regimes; crypto's mean return is higher when expanding (which the regime shift of the
intercept must absorb); an event dummy on 8 dates and a 12-month window move returns
by known amounts. Betas and covariate effects are compared in data units, where the
truth is known without reference to the model's standardisation.

Measured on simulation seeds 0-9 (same settings, 4 x 1000 Gibbs draws): 90% HDI
coverage of the 48 betas 0.85-0.98 (mean 0.93), of the 12 crypto liquidity betas
0.83-1.0; posterior probability that the crypto class responds more when expanding
0.93-0.998, each crypto asset 0.94-1.0; the equities' 90% interval of their class
difference held zero on all ten seeds; crypto's expanding/contracting ratio
1.55-2.30 (truth 2: the class difference shrinks toward the overall difference,
which the other classes pull toward zero). Coverage of the 12 covariate effects
averaged 0.89 (0.58-1.0; 12 effects estimated from 8 and 12 dates spread widely
from seed to seed): the 0.75 threshold below fails on one seed in ten. Seed 0 is
used.
"""

from __future__ import annotations

import warnings

import arviz as az
import numpy as np
import pytest

from causalmacro.bayes import AssetResponseModel, FitFailedWarning

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PyTensor could not link to a BLAS installation:UserWarning"),
]
HDI = 0.9


@pytest.fixture(scope="module")
def panel(simulate_regimes):
    groups = {"BTC": "crypto", "ETH": "crypto", "SOL": "crypto", "NASDAQ": "equity", "SP500": "equity",
              "GOLD": "safe_haven"}
    return simulate_regimes(groups=groups, periods=240, seed=0)


@pytest.fixture(scope="module")
def fit(panel):
    model = AssetResponseModel(panel.returns, panel.shocks, groups=panel.groups, lags=1,
                               regimes=panel.regimes, covariates=panel.covariates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)  # the gate is checked below, loosely
        return model.fit(draws=1000, chains=4, rng=np.random.default_rng(5))


def _inside(draws, truth):
    hdi = az.hdi(draws.to_dataset(name="x"), hdi_prob=HDI)["x"]
    return (hdi.sel(hdi="lower").values <= truth) & (truth <= hdi.sel(hdi="higher").values)


def test_converged(fit):
    assert fit.diagnostics.max_rhat < 1.02 and fit.diagnostics.min_ess_bulk > 200


def test_regime_betas_recovered(fit, panel):
    beta = fit.idata["posterior"]["beta"].transpose("chain", "draw", "asset", "shock", "lag", "regime")
    inside = _inside(beta, panel.beta)
    assert inside.mean() >= 0.8, f"{inside.mean():.2f} of regime betas inside their {HDI:.0%} HDI"
    # the three crypto assets' liquidity responses, the ones that differ, in each regime
    assert inside[:3, 0].mean() >= 0.75


def test_ordering_of_regimes(fit):
    table = fit.prob_regime_greater("expanding", "contracting", shock="liquidity")
    assert table.loc["crypto", "prob"] > 0.9
    assert (table.loc[["BTC", "ETH", "SOL"], "prob"] > 0.9).all()
    # equities: no difference in truth, so zero lies within the 90% interval of their class difference
    cum = fit.cumulative(scale="standardized", of="mu_group").sel(shock="liquidity", horizon=1, group="equity")
    diff = (cum.sel(regime="expanding") - cum.sel(regime="contracting")).values.ravel()
    lo, hi = np.quantile(diff, [0.05, 0.95])
    assert lo < 0 < hi
    # the response of crypto when expanding is about twice that when contracting
    crypto = fit.cumulative(scale="standardized", of="mu_group").sel(shock="liquidity", horizon=1, group="crypto")
    ratio = float(crypto.sel(regime="expanding").mean() / crypto.sel(regime="contracting").mean())
    assert 1.3 < ratio < 3.0


def test_covariate_effects_recovered(fit, panel):
    eff = fit.covariate_effects(level=HDI)
    lo, hi = eff.sel(bound="lower").values, eff.sel(bound="upper").values
    inside = (lo <= panel.gamma) & (panel.gamma <= hi)
    assert inside.mean() >= 0.75, f"{inside.mean():.2f} of covariate effects inside their {HDI:.0%} HDI"
    btc = eff.sel(asset="BTC", covariate="event")
    assert float(btc.sel(bound="lower")) <= panel.gamma[0, 0] <= float(btc.sel(bound="upper"))
    assert float(btc.sel(bound="lower")) > 0  # a +2 sd event on 8 dates is found


def test_posterior_predictive_with_regimes(fit):
    """Replicated standardised returns: one per observed row, and per asset the observed sd (1) lies
    inside the 90% range of the replicated sds (a calibrated Student-t fit)."""
    ppc = fit.posterior_predictive(rng=3)["posterior_predictive"]["y"].isel(draw=slice(None, None, 10))
    d = fit.design
    assert ppc.shape[-1] == len(d.y)
    for i, name in enumerate(d.assets):
        rows = ppc.values[..., d.asset_idx == i]
        sds = rows.std(axis=-1, ddof=1).ravel()
        lo, hi = np.quantile(sds, [0.05, 0.95])
        assert lo < 1.0 < hi, name
