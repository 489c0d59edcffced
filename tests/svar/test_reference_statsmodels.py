"""Reduced form, orthogonalised IRFs, FEVD and causality tests against statsmodels.

Source: statsmodels 0.15 ``tsa.api.VAR`` on its ``macrodata`` data set
(log-differences of realgdp, realcons, realinv, as in statsmodels' VAR docs).
Tolerance 1e-8: the same least-squares problem solved in double precision, so
only rounding differs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.api import VAR

from causalmacro.svar import SVAR

TOL = 1e-8


@pytest.fixture(scope="module", params=["c", "ct"])
def pair(request: pytest.FixtureRequest, macro_growth: pd.DataFrame):
    trend = request.param
    ours = SVAR(macro_growth, lags=2, trend=trend).fit()
    ref = VAR(macro_growth.to_numpy()).fit(2, trend=trend)
    return ours, ref


def test_reduced_form_matches(pair) -> None:
    ours, ref = pair
    assert_allclose(ours.params.to_numpy(), ref.params, rtol=TOL, atol=TOL)
    assert_allclose(ours.reduced_form.coefs, ref.coefs, rtol=TOL, atol=TOL)
    assert_allclose(ours.sigma_u.to_numpy(), ref.sigma_u, rtol=TOL, atol=1e-14)
    assert_allclose(ours.reduced_form.resid, ref.resid, rtol=TOL, atol=1e-14)
    assert_allclose(np.sort(ours.roots), np.sort(np.abs(ref.roots) ** -1), rtol=1e-8)


def test_orthogonalised_irf_matches(pair) -> None:
    ours, ref = pair
    irf = ours.irf(horizon=16)
    assert irf.dims == ("horizon", "response", "shock", "bound") and list(irf["bound"].values) == ["point"]
    assert list(irf.coords["shock"].values) == ["realgdp", "realcons", "realinv"]
    r = ref.irf(16)
    assert_allclose(irf.sel(bound="point").to_numpy(), r.orth_irfs, rtol=TOL, atol=1e-12)
    cum = ours.irf(horizon=16, cumulative=True)
    assert_allclose(cum.sel(bound="point").to_numpy(), r.orth_cum_effects, rtol=TOL, atol=1e-12)


def test_forecast_error_irf_matches(pair) -> None:
    """``orth=False``: statsmodels' ``irf(h).irfs`` and ``cum_effects``, bands of the same dims, identification unused."""
    ours, ref = pair
    r = ref.irf(16)
    fe = ours.irf(16, orth=False)
    assert fe.dims == ("horizon", "response", "shock", "bound") and fe.attrs["orth"] == 0
    assert_allclose(fe.sel(bound="point").to_numpy(), r.irfs, rtol=TOL, atol=1e-12)
    assert_allclose(ours.irf(16, orth=False, cumulative=True).sel(bound="point").to_numpy(), r.cum_effects, rtol=TOL, atol=1e-12)
    banded = ours.irf(4, orth=False, bands="residual", reps=30, rng=0)
    assert_allclose(banded.sel(bound="point").to_numpy(), r.irfs[:5], rtol=TOL, atol=1e-12)
    assert np.all(banded.sel(horizon=0, bound="lower").to_numpy() == np.eye(3))  # unit innovations on impact
    assert "orth" not in ours.irf(2).attrs


def test_fevd_matches(pair) -> None:
    ours, ref = pair
    fevd = ours.fevd(horizon=12)
    assert fevd.dims == ("horizon", "response", "shock", "bound")
    assert list(fevd.coords["horizon"].values) == list(range(1, 13))
    assert_allclose(fevd.sum("shock").to_numpy(), 1.0, atol=1e-12)
    assert_allclose(fevd.sel(bound="point").to_numpy(), ref.fevd(12).decomp.transpose(1, 0, 2), rtol=TOL, atol=1e-12)


def test_granger_pvalues_match(pair) -> None:
    ours, ref = pair
    names = ours.names
    for i, cause in enumerate(names):
        for j, effect in enumerate(names):
            if i == j:
                continue
            got = ours.causality(effect, cause)
            want = ref.test_causality(j, [i], kind="f")
            assert_allclose(got.pvalue, want.pvalue, rtol=TOL, atol=1e-14)
            assert_allclose(got.statistic, want.test_statistic, rtol=TOL)
            assert got.df == tuple(float(v) for v in want.df)


def test_instantaneous_matches_bivariate(macro_growth: pd.DataFrame) -> None:
    data = macro_growth[["realgdp", "realinv"]]
    ours = SVAR(data, lags=2).fit().instantaneous("realgdp", "realinv")
    want = VAR(data.to_numpy()).fit(2).test_inst_causality(0)
    assert_allclose(ours.statistic, want.test_statistic, rtol=TOL)
    assert_allclose(ours.pvalue, want.pvalue, rtol=TOL, atol=1e-300)


@pytest.mark.parametrize("criterion", ["aic", "bic", "hqic"])
def test_lag_selection_matches_select_order(macro_growth: pd.DataFrame, criterion: str) -> None:
    res = SVAR(macro_growth, lags=criterion, max_lags=8).fit()  # type: ignore[arg-type]
    want = VAR(macro_growth.to_numpy()).select_order(8).selected_orders[criterion]
    assert res.lags == max(1, want)
    assert res.lag_selection is not None and res.lag_selection["criterion"] == criterion


def test_zero_lag_choice_is_raised_to_one() -> None:
    rng = np.random.default_rng(5)
    noise = pd.DataFrame(rng.standard_normal((120, 3)), columns=["a", "b", "c"])
    res = SVAR(noise, lags="bic", max_lags=4).fit()
    assert res.lags == 1
    assert any("raised to 1" in n for n in res.notes)
    assert res.irf(4).shape == (5, 3, 3, 1)


def test_causality_table(pair) -> None:
    ours, _ = pair
    table = ours.causality_table()
    assert len(table) == 6
    assert table["chain_link"].sum() == 2
    assert set(table.columns) >= {"cause", "effect", "granger_pvalue", "instantaneous_pvalue"}


@pytest.mark.parametrize("trend", ["n", "c", "ct", "ctt"])
def test_batched_ols_matches_statsmodels(macro_growth: pd.DataFrame, trend: str) -> None:
    """The bootstrap's stacked regressions reproduce statsmodels' estimator (trend counted from row 1)."""
    from causalmacro.svar.reduced_form import batched_ols

    y = macro_growth.to_numpy()
    params, sigma = batched_ols(np.stack([y, y[::-1]]), 3, trend)  # type: ignore[arg-type]
    for r, data in enumerate((y, y[::-1])):
        ref = VAR(data).fit(3, trend=trend)
        assert_allclose(params[r], ref.params, rtol=1e-8, atol=1e-12)
        assert_allclose(sigma[r], ref.sigma_u, rtol=1e-8, atol=1e-16)
