"""The Python surface of the structural VAR: bootstrap draws reused, seeds recorded, defaults that cannot go wrong."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro.errors import ArgumentError, CausalMacroError
from causalmacro.svar import SVAR, LagSelectionWarning, ShortRun, SignRestrictions
from causalmacro.svar.reduced_form import default_max_lags


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate_svar(TRUE_A, TRUE_B0INV, 300, np.random.default_rng(5))


@pytest.fixture(scope="module")
def res(data: pd.DataFrame):
    return SVAR(data, lags=1).fit(rng=11)


def test_bands_from_one_set_of_draws(res) -> None:
    """irf and fevd bands computed from the same draws equal the quantiles of those draws' responses."""
    from causalmacro.svar.dynamics import fevd_shares, structural_irf

    draws = res.bootstrap(300, method="block", rng=3)
    irf = res.irf(6, bands=draws, level=0.8)
    fevd = res.fevd(6, bands=draws, level=0.8)
    theta = structural_irf(np.asarray(draws.coefs), np.asarray(draws.impact), 6)
    assert_allclose(irf.sel(bound="lower").to_numpy(), np.quantile(theta, 0.1, axis=0), rtol=1e-12)
    assert_allclose(fevd.sel(bound="upper").to_numpy(), np.quantile(fevd_shares(theta[:, :6]), 0.9, axis=0), rtol=1e-12)
    assert irf.attrs["seed"] == 3 == fevd.attrs["seed"]
    # asking by name with the same seed gives the same bands: draws are a pure function of the seed
    assert_array_equal(res.irf(6, bands="block", reps=300, level=0.8, rng=3).to_numpy(), irf.to_numpy())


def test_default_seed_is_recorded_and_bands_reproduce(data: pd.DataFrame, res) -> None:
    assert res.seed == 11
    first = res.irf(4, bands="residual", reps=100)
    again = SVAR(data, lags=1).fit(rng=11).irf(4, bands="residual", reps=100)
    assert_array_equal(first.to_numpy(), again.to_numpy())
    other = SVAR(data, lags=1).fit(rng=12).irf(4, bands="residual", reps=100)
    assert not np.array_equal(first.to_numpy(), other.to_numpy())
    # the default-seed draws are computed once and shared by irf and fevd
    assert res.bootstrap(100) is res.bootstrap(100)
    assert res.bootstrap(100).seed == 11
    assert SVAR(data, lags=1).fit().seed == 0


def test_draws_of_another_model_are_refused(data: pd.DataFrame, res) -> None:
    other = SVAR(data, lags=2).fit()
    with pytest.raises(ArgumentError, match="draw them with this model's bootstrap"):
        res.irf(4, bands=other.bootstrap(50))


def test_results_are_read_only_and_short_to_print(res) -> None:
    with pytest.raises(ValueError, match="read-only"):
        res.identified.impact[0, 0] = 1.0
    with pytest.raises(TypeError):
        res.identified.details["scheme"] = "other"  # type: ignore[index]
    draws = res.bootstrap(50)
    with pytest.raises(ValueError, match="read-only"):
        draws.impact[0, 0, 0] = 1.0
    assert len(repr(res)) < 200 and repr(res).startswith("SVARResults(variables=")
    assert len(repr(draws)) < 200


def test_unknown_keywords_raise_type_error_naming_them(data: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'lag' .*'recursive' takes no options"):
        SVAR(data, lag=2)
    with pytest.raises(TypeError, match="unexpected keyword argument 'A'"):
        SVAR(data, identification=ShortRun(), A=[[1]])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: ShortRun(A=[[1, 0], [0]]), "must be 2x2"),
        (lambda: ShortRun(A=[[1, "x"], ["*", 1]]), r"A\[0\]\[1\] = 'x'"),
        (lambda: ShortRun(A=np.eye(2), B=np.eye(3)), "same size"),
        (lambda: ShortRun(maxiter=0), "maxiter"),
        (lambda: SignRestrictions(signs={}), "at least one restricted shock"),
        (lambda: SignRestrictions(signs={"a": {"b": 2}}), "must be \\+1 or -1"),
        (lambda: SignRestrictions(signs={"a": {"b": 1}}, zeros={"a": ["b"]}), "sign and a zero"),
        (lambda: SignRestrictions(signs={"a": {"b": 1}}, draws=0), "draws must be"),
    ],
)
def test_identification_options_checked_in_constructors(make, match) -> None:
    with pytest.raises(ArgumentError, match=match):
        make()


def test_errors_share_one_hierarchy(data: pd.DataFrame, res) -> None:
    for call in (lambda: SVAR(data, lags=0), lambda: res.irf(-1), lambda: res.irf(2, bands="jackknife"),
                 lambda: res.irf(2, bands="residual", level=1.5), lambda: res.bootstrap(1)):
        with pytest.raises(CausalMacroError) as info:
            call()
        assert isinstance(info.value, ValueError)


def test_lag_search_range_is_tied_to_the_sample() -> None:
    """statsmodels' 12 (T/100)^(1/4) rule, capped at K p <= (T - p)/4 (hand computation)."""
    assert default_max_lags(130, 5, 1) == 6  # rule says 13; 130 // 21 = 6
    assert default_max_lags(202, 3, 1) == 14  # rule round(14.3) = 14 binds; 202 // 13 = 15
    assert default_max_lags(40, 2, 1) == 4  # 40 // 9 = 4


def test_warning_when_criterion_picks_the_top_of_its_range() -> None:
    """An AR(3)-like VAR searched only up to 2 lags: AIC takes the top and says so."""
    a = np.zeros((3, 2, 2))
    a[0] = np.diag([0.3, 0.3])
    a[2] = np.diag([0.5, 0.5])
    data = simulate_svar(a, np.eye(2), 400, np.random.default_rng(0))
    with pytest.warns(LagSelectionWarning, match="AIC chose 2 lags, the top of its search range 1..2"):
        res = SVAR(data, lags="aic", max_lags=2).fit()
    assert res.lags == 2 and res.lag_selection["max_lags"] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", LagSelectionWarning)
        assert SVAR(data, lags="aic", max_lags=6).fit().lags == 3


def test_max_lags_defaults_to_the_spec_and_maxlags_is_deprecated() -> None:
    """``max_lags`` defaults to [var] max_lags (6); ``None`` keeps the sample rule; ``maxlags=`` warns and works."""
    from causalmacro.svar import reduced_form

    a = np.zeros((1, 2, 2))
    a[0] = np.diag([0.5, 0.3])
    data = simulate_svar(a, np.eye(2), 400, np.random.default_rng(0))
    assert SVAR(data).fit().lag_selection["max_lags"] == 6
    assert SVAR(data, max_lags=None).fit().lag_selection["max_lags"] == default_max_lags(len(data), 2, 1) == 17  # round(12 (4)^(1/4))
    with pytest.warns(DeprecationWarning, match=r"^SVAR\(maxlags=\) is deprecated; use max_lags=$"):
        old = SVAR(data, maxlags=3)
    assert old.max_lags == 3 and old.fit().lag_selection["max_lags"] == 3
    with pytest.warns(DeprecationWarning, match="use max_lags"):
        assert old.maxlags == 3
    with pytest.warns(DeprecationWarning, match="use default_max_lags"):
        assert reduced_form.default_maxlags is default_max_lags
    with pytest.raises(ArgumentError, match=r"^max_lags must be a positive int or None, got 0$"):
        SVAR(data, max_lags=0)


def test_residual_diagnostics_is_the_new_name() -> None:
    from causalmacro import svar
    from causalmacro.svar import diagnostics

    assert "Diagnostics" not in svar.__all__ and "ResidualDiagnostics" in svar.__all__
    with pytest.warns(DeprecationWarning, match="use ResidualDiagnostics"):
        assert svar.Diagnostics is diagnostics.ResidualDiagnostics
    with pytest.warns(DeprecationWarning, match="use ResidualDiagnostics"):
        assert diagnostics.Diagnostics is diagnostics.ResidualDiagnostics


def test_historical_decomposition_bands_from_the_same_draws(res) -> None:
    """Each replication decomposes the observed sample; checked against the MA convolution of its own shocks."""
    from causalmacro.svar.dynamics import structural_irf
    from causalmacro.svar.reduced_form import lag_matrix

    draws = res.bootstrap(60, rng=8)
    hd = res.historical_decomposition(bands=draws, level=0.8)
    assert hd.dims == ("time", "response", "shock", "bound") and hd.name == "historical_decomposition"
    rf = res.reduced_form
    z = lag_matrix(np.asarray(rf.data), rf.lags, rf.deterministic)
    n = rf.nobs
    per_draw = []
    for r in range(draws.n_kept):
        u = np.asarray(rf.data)[rf.lags:] - z @ draws.params[r]
        eps = np.linalg.solve(draws.impact[r], u.T).T
        theta = structural_irf(draws.coefs[r], draws.impact[r], n - 1)  # (h, response, shock)
        out = np.zeros((n, theta.shape[1], theta.shape[2]))
        for t in range(n):
            out[t] = np.einsum("hij,hj->ij", theta[: t + 1][::-1], eps[: t + 1])
        per_draw.append(out)
    stack = np.stack(per_draw)
    shocks = list(res.names)
    assert_allclose(hd.sel(shock=shocks, bound="lower").to_numpy(), np.quantile(stack, 0.1, axis=0), atol=1e-9)
    assert_allclose(hd.sel(shock=shocks, bound="upper").to_numpy(), np.quantile(stack, 0.9, axis=0), atol=1e-9)
    point = hd.sel(bound="point").sum("shock").to_numpy()
    assert_allclose(point, np.asarray(rf.data)[rf.lags:], atol=1e-10)


def test_coefficient_table_is_statsmodels(data: pd.DataFrame) -> None:
    """to_dataframe() reports statsmodels' coefficients, standard errors, t and p values under our labels."""
    from statsmodels.tsa.api import VAR

    res = SVAR(data, lags=2).fit()
    sm = VAR(data).fit(2)
    table = res.to_dataframe()
    assert list(table.columns) == ["coef", "std_err", "t", "pvalue"]
    for eq in res.names:
        assert_allclose(table.loc[eq, "coef"].to_numpy(), sm.params[eq].to_numpy(), rtol=1e-12)
        assert_allclose(table.loc[eq, "std_err"].to_numpy(), sm.stderr[eq].to_numpy(), rtol=1e-12)
        assert_allclose(table.loc[eq, "pvalue"].to_numpy(), sm.pvalues[eq].to_numpy(), rtol=1e-10)
    assert list(table.loc["y0"].index) == list(res.params.index)


def test_labelled_outputs_export_to_pandas(data: pd.DataFrame, res) -> None:
    for da in (res.irf(3), res.fevd(3, bands=res.bootstrap(30)), res.historical_decomposition()):
        frame = da.to_dataframe()
        assert frame.shape[0] == da.size and da.name in frame.columns
    selected = SVAR(data, lags="bic", max_lags=3).fit()
    assert selected.lag_selection["criterion"] == "bic"
    assert json.loads(json.dumps(selected.to_dict()))["lag_selection"]["criterion"] == "bic"
    with pytest.raises(TypeError, match="does not support item assignment"):
        selected.lag_selection["criterion"] = "aic"  # type: ignore[index]
