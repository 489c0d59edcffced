"""The Python surface of the structural VAR: bootstrap draws reused, seeds recorded, defaults that cannot go wrong."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro.errors import ArgumentError, CausalMacroError
from causalmacro.svar import SVAR, LagSelectionWarning, ShortRun, SignRestrictions
from causalmacro.svar.reduced_form import default_maxlags


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate_svar(TRUE_A, TRUE_B0INV, 300, np.random.default_rng(5))


@pytest.fixture(scope="module")
def res(data: pd.DataFrame):
    return SVAR(data, lags=1).fit(rng=11)


def test_bands_from_one_set_of_draws(res) -> None:
    """irf and fevd bands computed from the same draws equal the quantiles of those draws' responses."""
    from causalmacro.svar.dynamics import fevd_shares, structural_irf

    draws = res.bootstrap(300, method="wild", rng=3)
    irf = res.irf(6, bands=draws, level=0.8)
    fevd = res.fevd(6, bands=draws, level=0.8)
    theta = structural_irf(np.asarray(draws.coefs), np.asarray(draws.impact), 6)
    assert_allclose(irf.sel(bound="lower").to_numpy(), np.quantile(theta, 0.1, axis=0), rtol=1e-12)
    assert_allclose(fevd.sel(bound="upper").to_numpy(), np.quantile(fevd_shares(theta[:, :6]), 0.9, axis=0), rtol=1e-12)
    assert irf.attrs["seed"] == 3 == fevd.attrs["seed"]
    # asking by name with the same seed gives the same bands: draws are a pure function of the seed
    assert_array_equal(res.irf(6, bands="wild", reps=300, level=0.8, rng=3).to_numpy(), irf.to_numpy())


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
    assert default_maxlags(130, 5, 1) == 6  # rule says 13; 130 // 21 = 6
    assert default_maxlags(202, 3, 1) == 14  # rule round(14.3) = 14 binds; 202 // 13 = 15
    assert default_maxlags(40, 2, 1) == 4  # 40 // 9 = 4


def test_warning_when_criterion_picks_the_top_of_its_range() -> None:
    """An AR(3)-like VAR searched only up to 2 lags: AIC takes the top and says so."""
    a = np.zeros((3, 2, 2))
    a[0] = np.diag([0.3, 0.3])
    a[2] = np.diag([0.5, 0.5])
    data = simulate_svar(a, np.eye(2), 400, np.random.default_rng(0))
    with pytest.warns(LagSelectionWarning, match="AIC chose 2 lags, the top of its search range 1..2"):
        res = SVAR(data, lags="aic", maxlags=2).fit()
    assert res.lags == 2 and res.lag_selection["maxlags"] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", LagSelectionWarning)
        assert SVAR(data, lags="aic", maxlags=6).fit().lags == 3
