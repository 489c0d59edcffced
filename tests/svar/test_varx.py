"""VARX: exogenous regressors against statsmodels' ``VAR(endog, exog=)``, by construction and by recovery.

Reference: statsmodels 0.15 ``tsa.api.VAR`` fitted on the same arrays. Tolerance 1e-8
(relative and absolute) wherever the same least-squares problem is solved in double
precision; 1e-10 for identities that only add and multiply the estimates
(historical decomposition, replayed residuals). Simulated data: ``varx_sim``, a
VARX(1) with a one-period pulse and a level step whose effects are known.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.api import VAR
from varx_sim import PULSE_AT, VARX_A, VARX_GAMMA, simulate_varx

from causalmacro.errors import CausalMacroError, DataError
from causalmacro.svar import SVAR, bootstrap
from causalmacro.svar.deterministic import K_TREND, Deterministic
from causalmacro.svar.dynamics import ma_coefficients
from causalmacro.svar.reduced_form import batched_ols, lag_matrix

TOL = 1e-8


@pytest.fixture(scope="module")
def varx_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return simulate_varx(240, np.random.default_rng(20240601))


@pytest.fixture(scope="module")
def varx_fit(varx_data):
    y, x = varx_data
    return SVAR(y, lags=2, exog=x).fit()


# ----------------------------------------------------------- statsmodels reference
@pytest.mark.parametrize("trend", ["n", "c", "ct", "ctt"])
def test_params_match_statsmodels_with_exog(varx_data, trend: str) -> None:
    """Values to 1e-8 and row labels exactly: trend terms, then exog names, then ``L1.x``."""
    y, x = varx_data
    ours = SVAR(y, lags=2, trend=trend, exog=x).fit()
    ref = VAR(y, exog=x).fit(2, trend=trend)
    assert list(ours.params.index) == list(ref.params.index)
    assert list(ours.params.index).index("pulse") == K_TREND[trend]
    assert_allclose(ours.params.to_numpy(), ref.params.to_numpy(), rtol=TOL, atol=TOL)
    assert_allclose(ours.sigma_u.to_numpy(), np.asarray(ref.sigma_u), rtol=TOL, atol=1e-14)
    assert_allclose(ours.reduced_form.resid, np.asarray(ref.resid), rtol=TOL, atol=1e-12)
    assert ours.reduced_form.df_resid == ref.df_resid


def test_params_labels_macrodata_without_exog(macro_growth: pd.DataFrame) -> None:
    """Without exog the labels and values are statsmodels' own (pandas fit), to 1e-8."""
    ours = SVAR(macro_growth, lags=3, trend="ct").fit()
    ref = VAR(macro_growth).fit(3, trend="ct")
    assert list(ours.params.index) == list(ref.params.index)
    assert_allclose(ours.params.to_numpy(), ref.params.to_numpy(), rtol=TOL, atol=TOL)
    assert ours.exog_names == ()
    assert "exogenous" not in ours.historical_decomposition().coords["shock"].values


@pytest.mark.parametrize("trend", ["n", "c", "ct"])
def test_batched_ols_with_exog_matches_statsmodels(varx_data, trend: str) -> None:
    """The bootstrap's stacked regressions on the observed exog path reproduce statsmodels (1e-8)."""
    y, x = varx_data
    data = [y.to_numpy(), y.to_numpy()[::-1].copy()]
    det = Deterministic(trend, len(y), x.to_numpy(), ("pulse", "step"))  # type: ignore[arg-type]
    params, sigma = batched_ols(np.stack(data), 2, det)
    for r, values in enumerate(data):
        ref = VAR(values, exog=x.to_numpy()).fit(2, trend=trend)
        assert_allclose(params[r], ref.params, rtol=TOL, atol=TOL)
        assert_allclose(sigma[r], ref.sigma_u, rtol=TOL, atol=1e-14)
        z = lag_matrix(values, 2, det)
        assert_allclose(values[2:] - z @ params[r], ref.resid, rtol=TOL, atol=1e-10)


def test_lag_selection_with_exog_matches_statsmodels(varx_data) -> None:
    y, x = varx_data
    res = SVAR(y, lags="aic", max_lags=6, exog=x).fit()
    ref = VAR(y.to_numpy(), exog=x.to_numpy()).select_order(6, trend="c")
    assert res.lag_selection is not None
    assert res.lag_selection["selected"] == {k: int(v) for k, v in ref.selected_orders.items()}


def test_irf_and_fevd_depend_only_on_dynamics(varx_data, varx_fit) -> None:
    """Orthogonalised IRF and FEVD equal statsmodels' for the same VARX (1e-8)."""
    y, x = varx_data
    ref = VAR(y.to_numpy(), exog=x.to_numpy()).fit(2, trend="c")
    assert_allclose(varx_fit.irf(10).sel(bound="point").to_numpy(), ref.irf(10).orth_irfs, rtol=TOL, atol=1e-12)
    assert_allclose(varx_fit.fevd(8).sel(bound="point").to_numpy(), np.swapaxes(ref.fevd(8).decomp, 0, 1), rtol=TOL, atol=1e-12)


# ------------------------------------------------------- historical decomposition
def test_historical_decomposition_with_exog(varx_data, varx_fit) -> None:
    """Terms sum to the data (1e-10); the exog term is the MA convolution of its coefficients (1e-10)."""
    y, x = varx_data
    hd = varx_fit.historical_decomposition()
    assert list(hd.coords["shock"].values) == ["output", "prices", "deterministic", "exogenous"]
    assert_allclose(hd.sum("shock").to_numpy(), y.to_numpy()[2:], rtol=0, atol=1e-10)
    # independent route: x^c_t = sum_{i=0}^{t-p} Phi_i Gamma_x' x_{t-i}, zero before the sample
    rf = varx_fit.reduced_form
    gamma_x = np.asarray(rf.params[1:3])  # rows "pulse", "step"
    n = rf.nobs
    phi = ma_coefficients(np.asarray(rf.coefs), n - 1)
    xs = x.to_numpy()[2:] @ gamma_x  # (n, K) impact of exog at each date
    expected = np.array([sum(phi[i] @ xs[t - i] for i in range(t + 1)) for t in range(n)])
    assert_allclose(hd.sel(shock="exogenous").to_numpy(), expected, rtol=0, atol=1e-10)
    before = hd.sel(shock="exogenous").to_numpy()[: PULSE_AT - 2]
    assert_allclose(before, 0.0, atol=0)


# ------------------------------------------------------------------- bootstrap
def test_bootstrap_replaying_residuals_reproduces_point(varx_fit, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the noise of every replication set to the observed residuals (no resampling
    noise), the simulated samples are the data, so the re-estimates on the fixed exog
    path equal the point estimate, exog rows included (1e-8), and so do the shocks. The
    residuals' degrees-of-freedom rescaling is turned off too: it is what makes a draw noisier
    than the residuals."""
    monkeypatch.setattr(
        bootstrap, "_draw_shocks",
        lambda resid, reps, method, rng, block_length=None, strata=None: np.broadcast_to(resid, (reps, *resid.shape)).copy(),
    )
    monkeypatch.setattr(bootstrap, "dof_scale", lambda nobs, n_params: 1.0)
    draws = varx_fit.bootstrap(5, rng=0)
    assert draws.n_kept == 5
    point = varx_fit.params.to_numpy()
    assert_allclose(draws.params, np.broadcast_to(point, draws.params.shape), rtol=TOL, atol=1e-10)
    shocks = varx_fit.bootstrap_shocks(3, rng=0)
    assert_allclose(shocks.to_numpy(), np.broadcast_to(varx_fit.structural_shocks().to_numpy(), shocks.shape),
                    rtol=TOL, atol=1e-10)


def test_bootstrap_draws_carry_exog_rows(varx_fit) -> None:
    draws = varx_fit.bootstrap(50, rng=1)
    assert draws.params.shape[1:] == varx_fit.params.shape
    # the resampled pulse coefficient moves with the residual drawn at the pulse date, so it varies
    assert draws.params[:, 1, 0].std() > 0.1
    band = varx_fit.irf(4, bands="residual", reps=50, rng=1)
    assert band.sizes["bound"] == 3


def test_recovers_dummy_effects(varx_data, varx_fit) -> None:
    """The known dummy effects lie within 4 statsmodels standard errors of the estimate and
    inside the 99% bootstrap percentile band (499 replications); the four checks together
    would fail for about 4% of seeds, and this seed is fixed."""
    y, x = varx_data
    est = varx_fit.params.loc[["pulse", "step"]].to_numpy()
    ref = VAR(y, exog=x).fit(2, trend="c")
    se = ref.bse.loc[["pulse", "step"]].to_numpy()
    assert np.all(np.abs(est - VARX_GAMMA) < 4 * se)
    assert np.all(se[1] < 0.3)  # the step effect is pinned down: 100 observations after the shift
    draws = varx_fit.bootstrap(499, rng=7).params[:, 1:3]
    lo, hi = np.quantile(draws, [0.005, 0.995], axis=0)
    assert np.all((lo < VARX_GAMMA) & (hi > VARX_GAMMA))
    # the lag coefficients (s.e. about 0.07): first lag near A, second near zero as in the DGP
    assert_allclose(varx_fit.reduced_form.coefs[0], VARX_A, atol=0.25)
    assert_allclose(varx_fit.reduced_form.coefs[1], 0.0, atol=0.25)


# --------------------------------------------------------------- record and input
def test_exog_recorded(varx_fit) -> None:
    assert varx_fit.exog_names == ("pulse", "step")
    assert "Exogenous            pulse, step" in varx_fit.summary()
    d = varx_fit.to_dict()
    assert d["exog"] == ["pulse", "step"]
    assert d["params"]["index"][:3] == ["const", "pulse", "step"]
    json.dumps(d)


def test_exog_on_longer_index_is_reindexed(varx_data) -> None:
    """An exog frame covering more dates (e.g. with its future) is cut to the data's dates."""
    y, x = varx_data
    longer = pd.concat([x, pd.DataFrame({"pulse": [0.0] * 6, "step": [1.0] * 6},
                                        index=pd.period_range(x.index[-1] + 1, periods=6, freq="M"))])
    a = SVAR(y, lags=2, exog=longer.iloc[::-1]).fit()
    b = SVAR(y, lags=2, exog=x).fit()
    assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=0, atol=0)


def test_constant_exog_allowed_without_constant_trend(varx_data) -> None:
    y, x = varx_data
    ours = SVAR(y, lags=1, trend="n", exog=x.assign(level=1.0)).fit()
    ref = VAR(y, exog=x.assign(level=1.0)).fit(1, trend="n")
    assert_allclose(ours.params.to_numpy(), ref.params.to_numpy(), rtol=TOL, atol=TOL)


def _bad(varx_data, mutate, match: str, *, fit: bool = False, **kwargs) -> None:
    y, x = varx_data
    exog = mutate(x.copy())
    with pytest.raises(DataError, match=match) as info:
        model = SVAR(y, lags=kwargs.pop("lags", 1), exog=exog, **kwargs)
        if fit:
            model.fit()
    assert isinstance(info.value, CausalMacroError) and isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("mutate", "match", "kwargs"),
    [
        (lambda x: x.to_numpy(), "exog must be a pandas DataFrame", {}),
        (lambda x: x.iloc[5:], "exog has no row for 2000-01", {}),
        (lambda x: pd.concat([x, x.iloc[:1]]), "duplicated date", {}),
        (lambda x: x.assign(step=x["step"].where(x.index != x.index[9])), "'step' has 1 missing values", {}),
        (lambda x: x.assign(pulse=x["pulse"].replace(1.0, np.inf)), "'pulse' has infinite values", {}),
        (lambda x: x.assign(pulse="a"), "'pulse' is not numeric", {}),
        (lambda x: x.assign(level=2.0), "'level' is constant.*trend='c'", {}),
        (lambda x: x.assign(t=np.arange(len(x), dtype=float)), "'t' is collinear with the trend terms", {"trend": "ct"}),
        (lambda x: x.assign(both=x["pulse"] - 2 * x["step"]), "'both' is collinear with exog columns 'pulse', 'step'", {}),
        (lambda x: x.assign(nothing=0.0), "'nothing' is zero", {"trend": "n"}),
        (lambda x: x.rename(columns={"step": "output"}), "'output' has the name of a variable", {}),
        (lambda x: x.rename(columns={"step": "const"}), "'const' has the name of a trend term", {}),
        (lambda x: x.set_axis(["pulse", "pulse"], axis=1), "'pulse' appears twice", {}),
        (lambda x: x.iloc[:, :0], "no columns", {}),
    ],
)
def test_bad_exog(varx_data, mutate, match: str, kwargs: dict) -> None:
    _bad(varx_data, mutate, match, **kwargs)


def test_exog_without_variation_on_the_estimation_sample(varx_data) -> None:
    """A pulse in the first ``lags`` rows has no observation left to estimate it from."""
    early = lambda x: x.assign(early=(np.arange(len(x)) == 1).astype(float))  # noqa: E731
    _bad(varx_data, early, "'early' is zero after the first 2 rows", fit=True, lags=2)


@pytest.mark.slow
def test_bootstrap_band_covers_dummy_effects() -> None:
    """Monte Carlo coverage of the 90% residual-bootstrap percentile intervals of the dummy effects.

    1000 samples of the ``varx_sim`` VARX with T = 480 (pulse at row 80, step from row 140),
    199 replications each, exog held fixed. Measured coverage (equations output / prices):
    pulse 0.900 / 0.887, step 0.868 / 0.886; Monte Carlo s.e. about 0.01. Each rate is held
    to [0.84, 0.95]: percentile intervals under-cover a little in finite samples, since the
    small-sample bias of the slopes carries into the level shift (Kilian 1998); at T = 120
    the step interval of the persistent equation covers only about 0.83 (asymptotic t
    intervals 0.88), so the test uses the longer sample. About 20 s.
    """
    rng = np.random.default_rng(99)
    hits = []
    for _ in range(1000):
        y, x = simulate_varx(480, rng)
        draws = SVAR(y, lags=1, exog=x).fit().bootstrap(199, rng=rng).params[:, 1:3]
        lo, hi = np.quantile(draws, [0.05, 0.95], axis=0)
        hits.append((lo < VARX_GAMMA) & (hi > VARX_GAMMA))
    rate = np.mean(hits, axis=0)
    assert np.all((rate >= 0.84) & (rate <= 0.95)), rate
