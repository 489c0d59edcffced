"""Conditional forecasts (Waggoner & Zha 1999) and structural scenarios (Antolín-Díaz et al. 2021).

The mean path is checked against the closed form written out here independently: the
structural responses from statsmodels' ``VARResults.ma_rep`` times the impact matrix,
the unconditional forecast from statsmodels' ``forecast``, the restrictions built one
condition at a time and the minimum-norm shocks :math:`R'(RR')^{-1}r`. Tolerance 1e-10:
the same linear algebra in double precision. Data: statsmodels' macrodata growth rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.api import VAR

from causalmacro.errors import ArgumentError
from causalmacro.svar import SVAR
from causalmacro.svar.forecast import forecast_mse

TOL = 1e-10
NAMES = ["realgdp", "realcons", "realinv"]


@pytest.fixture(scope="module")
def res(macro_growth: pd.DataFrame):
    return SVAR(macro_growth, lags=2).fit()


@pytest.fixture(scope="module")
def conditions(res) -> pd.DataFrame:
    """GDP growth pinned at 1% then 0 two quarters later; investment at -2% in the second quarter."""
    periods = res.forecast(4).index
    return pd.DataFrame({"realgdp": [0.01, np.nan, 0.0], "realinv": [np.nan, -0.02, np.nan]}, index=periods[:3])


def _closed_form(macro_growth: pd.DataFrame, impact: np.ndarray, cond: dict[tuple[int, int], float],
                 steps: int, allowed: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Waggoner-Zha mean path and shocks, written out independently of causalmacro."""
    y = macro_growth.to_numpy()
    ref = VAR(y).fit(2)
    k = y.shape[1]
    theta = ref.ma_rep(steps - 1) @ impact
    base = ref.forecast(y[-2:], steps)
    rows, rhs = [], []
    for (h, v), c in cond.items():  # h counted from 1
        row = np.zeros((steps, k))
        for s in range(1, h + 1):
            row[s - 1] = theta[h - s][v]
        rows.append(row[:, allowed].ravel())
        rhs.append(c - base[h - 1, v])
    big, r = np.array(rows), np.array(rhs)
    e_allowed = big.T @ np.linalg.inv(big @ big.T) @ r
    eps = np.zeros((steps, k))
    eps[:, allowed] = e_allowed.reshape(steps, len(allowed))
    path = base.copy()
    for h in range(1, steps + 1):
        for s in range(1, h + 1):
            path[h - 1] += theta[h - s] @ eps[s - 1]
    return path, eps


def test_conditions_met_exactly_and_closed_form(res, conditions, macro_growth) -> None:
    ds = res.conditional_forecast(conditions, steps=6)
    path = ds.forecast.sel(bound="point").to_pandas()
    assert_allclose(path["realgdp"].iloc[[0, 2]], [0.01, 0.0], atol=TOL, rtol=0)
    assert_allclose(path["realinv"].iloc[1], -0.02, atol=TOL, rtol=0)
    cond = {(1, 0): 0.01, (3, 0): 0.0, (2, 2): -0.02}
    ref_path, ref_eps = _closed_form(macro_growth, res.impact.to_numpy(), cond, 6, [0, 1, 2])
    assert_allclose(path.to_numpy(), ref_path, atol=TOL, rtol=0)
    assert_allclose(ds.shocks.sel(bound="point").to_numpy(), ref_eps, atol=TOL, rtol=0)
    assert ds.attrs["kind"] == "conditional" and ds.attrs["shocks_allowed"] == NAMES
    assert list(ds.period.to_index()) == list(res.forecast(6).index)
    assert ds.attrs["kl"] == np.inf
    assert_allclose(ds.attrs["kl_mean"], 0.5 * float(np.sum(ref_eps**2)), rtol=1e-12)


def test_integer_horizons_equal_dates(res, conditions) -> None:
    by_date = res.conditional_forecast(conditions, steps=5)
    by_h = res.conditional_forecast(conditions.set_axis([1, 2, 3]), steps=5)
    assert_allclose(by_h.forecast.to_numpy(), by_date.forecast.to_numpy(), atol=TOL, rtol=0)
    assert res.conditional_forecast(conditions).sizes["horizon"] == 3  # steps default: last condition


def test_scenario_moves_only_allowed_shocks(res, conditions, macro_growth) -> None:
    gdp_only = conditions[["realgdp"]]
    ds = res.conditional_forecast(gdp_only, steps=6, shocks=["realgdp", "realcons"], draws=200, rng=3)
    assert ds.attrs["kind"] == "scenario" and ds.attrs["shocks_allowed"] == ["realgdp", "realcons"]
    assert (ds.shocks.sel(shock="realinv").to_numpy() == 0).all()
    assert (ds.shock_draws.sel(shock="realinv").to_numpy() == 0).all()
    assert_allclose(ds.path_draws.sel(variable="realgdp").to_numpy()[:, [0, 2]],
                    np.broadcast_to([0.01, 0.0], (200, 2)), atol=TOL, rtol=0)
    ref_path, ref_eps = _closed_form(macro_growth, res.impact.to_numpy(), {(1, 0): 0.01, (3, 0): 0.0}, 6, [0, 1])
    assert_allclose(ds.forecast.sel(bound="point").to_numpy(), ref_path, atol=TOL, rtol=0)
    assert_allclose(ds.shocks.sel(bound="point").to_numpy(), ref_eps, atol=TOL, rtol=0)
    assert np.isfinite(ds.attrs["kl_mean"]) and ds.attrs["kl"] == np.inf


def test_no_conditions_is_unconditional_forecast(res) -> None:
    empty = pd.DataFrame(columns=["realgdp"], dtype=float)
    ds = res.conditional_forecast(empty, steps=8)
    fc = res.forecast(8).xs("point", axis=1, level="bound")
    assert_allclose(ds.forecast.sel(bound="point").to_numpy(), fc.to_numpy(), atol=TOL, rtol=0)
    assert (ds.shocks.to_numpy() == 0).all()
    assert ds.attrs["kl"] == 0.0 and ds.attrs["kl_mean"] == 0.0


def test_unconditional_draws_match_forecast_mse(res) -> None:
    """40,000 draws: sample mean within 5 s.e. of the forecast, covariance within 4% of the MSE (s.e. ~0.7%)."""
    n = 40_000
    ds = res.conditional_forecast(pd.DataFrame(columns=NAMES, dtype=float), steps=4, draws=n, rng=7,
                                  parameters="point")
    draws = ds.path_draws.to_numpy()
    mse = forecast_mse(np.asarray(res.reduced_form.coefs), res.sigma_u.to_numpy(), 4)
    point = res.forecast(4).xs("point", axis=1, level="bound").to_numpy()
    se = np.sqrt(np.diagonal(mse, axis1=1, axis2=2) / n)
    assert (np.abs(draws.mean(axis=0) - point) < 5 * se).all()
    for h in range(4):
        cov = np.cov(draws[:, h].T)
        scale = np.sqrt(np.outer(np.diag(mse[h]), np.diag(mse[h])))
        assert (np.abs(cov - mse[h]) / scale < 0.04).all()


def test_conditional_draws_keep_conditions_and_band_the_rest(res, conditions) -> None:
    ds = res.conditional_forecast(conditions, steps=6, draws=300, rng=1, level=0.8)
    gdp = ds.forecast.sel(variable="realgdp", horizon=1)
    assert_allclose(gdp.to_numpy(), [0.01] * 3, atol=TOL, rtol=0)
    cons = ds.forecast.sel(variable="realcons", horizon=4)
    assert cons.sel(bound="lower") < cons.sel(bound="point") < cons.sel(bound="upper")
    q = np.quantile(ds.path_draws.sel(variable="realcons", horizon=4).to_numpy(), [0.1, 0.9])
    assert_allclose([cons.sel(bound="lower"), cons.sel(bound="upper")], q, rtol=1e-12)
    again = res.conditional_forecast(conditions, steps=6, draws=300, rng=1, level=0.8)
    assert_allclose(again.path_draws.to_numpy(), ds.path_draws.to_numpy(), rtol=0, atol=0)


def test_bad_inputs_one_line(res, conditions) -> None:
    periods = res.forecast(8).index
    with pytest.raises(ArgumentError, match=r"^conditions: unknown variable 'gdp'; variables are "
                       r"\['realgdp', 'realcons', 'realinv'\]$"):
        res.conditional_forecast(pd.DataFrame({"gdp": [1.0]}, index=[1]))
    with pytest.raises(ArgumentError, match=rf"^conditions: period {periods[6]} is outside the forecast horizon "
                       rf"\({periods[0]} to {periods[3]}, continuing the data's frequency\)$"):
        res.conditional_forecast(pd.DataFrame({"realgdp": [0.0]}, index=[periods[6]]), steps=4)
    with pytest.raises(ArgumentError, match=r"^conditions: horizon 5 is outside the forecast horizon of 4 steps$"):
        res.conditional_forecast(pd.DataFrame({"realgdp": [0.0]}, index=[5]), steps=4)
    with pytest.raises(ArgumentError, match=r"^conditions: 3 conditions up to horizon 1 but only 2 shock values "
                       r"\(2 shocks x 1 periods\) may move; allow more shocks or drop conditions$"):
        res.conditional_forecast(pd.DataFrame({n: [0.0] for n in NAMES}, index=[1]), shocks=["realgdp", "realcons"])
    with pytest.raises(ArgumentError, match=r"rank deficient"):  # recursive: investment's shock misses GDP on impact
        res.conditional_forecast(pd.DataFrame({"realgdp": [0.0]}, index=[1]), shocks=["realinv"])
    with pytest.raises(ArgumentError, match=r"^shocks: unknown shock 'oil'; shocks are "):
        res.conditional_forecast(conditions, shocks=["oil"])
    for bad in (
        lambda: res.conditional_forecast(conditions, draws=-1),
        lambda: res.conditional_forecast(conditions.to_numpy()),
    ):
        with pytest.raises(ArgumentError) as info:
            bad()
        assert "\n" not in str(info.value)


# ------------------------------------------------------------------ parameter uncertainty
def test_parameter_draws_meet_conditions_in_every_draw(res, conditions) -> None:
    ds = res.conditional_forecast(conditions, steps=6, draws=400, rng=2)
    assert ds.attrs["parameters"] == "bootstrap" and ds.attrs["replications"] == res.bootstrap(1000).n_kept
    paths = ds.path_draws
    assert_allclose(paths.sel(variable="realgdp", horizon=1), 0.01, atol=TOL, rtol=0)
    assert_allclose(paths.sel(variable="realgdp", horizon=3), 0.0, atol=TOL, rtol=0)
    assert_allclose(paths.sel(variable="realinv", horizon=2), -0.02, atol=TOL, rtol=0)
    # the point path is the one at the estimates, whatever the draws
    point = res.conditional_forecast(conditions, steps=6)
    assert_allclose(ds.forecast.sel(bound="point"), point.forecast.sel(bound="point"), rtol=0, atol=TOL)


def test_each_draw_is_the_point_computation_at_its_replication(res, conditions) -> None:
    """Draw d equals the point-parameter machinery run on replication d's parameters (same shock innovations)."""
    from dataclasses import replace as dc_replace

    from causalmacro.svar.scenario import conditional_forecast

    reps = res.bootstrap(50, rng=11)
    ds = res.conditional_forecast(conditions, steps=5, draws=3, rng=4, parameters=reps)
    z = np.random.default_rng(4).standard_normal((3, 5 * 3))
    rf = res.reduced_form
    for d in range(3):
        one = dc_replace(rf, params=reps.params[d], coefs=reps.coefs[d])
        mean = conditional_forecast(one, reps.impact[d], conditions, 5)
        cov_draw = conditional_forecast(one, reps.impact[d], conditions, 5, draws=3, rng=4)
        # same z: the point-parameter draw d with replication d's parameters is draw d here
        assert_allclose(ds.path_draws[d], cov_draw.path_draws[d], rtol=0, atol=1e-12)
        assert_allclose(ds.shock_draws[d], cov_draw.shock_draws[d], rtol=0, atol=1e-12)
        assert not np.allclose(ds.path_draws[d], mean.forecast.sel(bound="point"))
    assert z.shape == (3, 15)


def test_scenario_with_parameter_draws_moves_only_allowed_shocks(res, conditions) -> None:
    gdp_only = conditions[["realgdp"]]
    ds = res.conditional_forecast(gdp_only, steps=6, shocks=["realgdp", "realcons"], draws=200, rng=3)
    assert ds.attrs["parameters"] == "bootstrap"
    assert (ds.shock_draws.sel(shock="realinv").to_numpy() == 0).all()
    assert (np.abs(ds.shock_draws.sel(shock=["realgdp", "realcons"])).max("draw") > 0).all()
    assert_allclose(ds.path_draws.sel(variable="realgdp", horizon=[1, 3]), np.tile([0.01, 0.0], (200, 1)),
                    atol=TOL, rtol=0)


def test_point_parameters_recorded(res, conditions) -> None:
    point = res.conditional_forecast(conditions, steps=6, draws=20, rng=5, parameters="point")
    assert point.attrs["parameters"] == "point" and point.attrs["replications"] == 0
    assert "at their estimates" in point.attrs["method"]


def test_parameters_refused_one_line(res, conditions) -> None:
    with pytest.raises(ArgumentError, match=r"^parameters: unknown choice 'posterior'; expected one of "
                       r"\['bootstrap', 'point'\] or the replications of bootstrap\(\)$"):
        res.conditional_forecast(conditions, draws=10, parameters="posterior")
    with pytest.raises(ArgumentError, match=r"^parameters='bootstrap' needs draws > 0$"):
        res.conditional_forecast(conditions, parameters="bootstrap")
