"""Local projections: against a hand OLS and statsmodels, the true IRF of a known VAR, and state dependence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from causalmacro.errors import ArgumentError, DataError
from causalmacro.lp import LocalProjections

A1 = np.array([[0.6, 0.0], [0.3, 0.5]])
B0INV = np.array([[1.0, 0.0], [0.5, 0.8]])


def _var1(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A VAR(1) observed with measurement noise (without it, lagged variables would be exact combinations of the
    lagged shocks and the design collinear); the noise leaves the projection on shock_t consistent for Theta_h."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((n, 2))
    y = np.zeros((n, 2))
    for t in range(1, n):
        y[t] = A1 @ y[t - 1] + B0INV @ eps[t]
    y = y + 0.3 * rng.standard_normal((n, 2))
    idx = pd.period_range("1990-01", periods=n, freq="M")
    return pd.DataFrame(y, index=idx, columns=["x", "z"]), pd.DataFrame(eps, index=idx, columns=["ex", "ez"])


def _design(y: pd.DataFrame, s: pd.DataFrame, shock: str, resp: str, h: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """The regression of y_{t+h} on 1, shock_t and p lags of every response and shock, built by hand."""
    rows_x, rows_y = [], []
    yv, sv = y.to_numpy(), s.to_numpy()
    j = list(s.columns).index(shock)
    i = list(y.columns).index(resp)
    for t in range(p, len(y) - h):
        lags = [yv[t - lag, c] for c in range(yv.shape[1]) for lag in range(1, p + 1)]
        lags += [sv[t - lag, c] for c in range(sv.shape[1]) for lag in range(1, p + 1)]
        rows_x.append([1.0, sv[t, j], *lags])
        rows_y.append(yv[t + h, i])
    return np.array(rows_x), np.array(rows_y)


@pytest.mark.parametrize("lag_augment", [True, False])
def test_coefficients_equal_a_hand_ols_and_se_equal_statsmodels(lag_augment: bool) -> None:
    y, s = _var1(200, 0)
    res = LocalProjections(y, s, horizon=4, lags=2, lag_augment=lag_augment).fit()
    p = 3 if lag_augment else 2
    for h in (0, 3):
        x, target = _design(y, s, "ez", "x", h, p)
        b = np.linalg.lstsq(x, target, rcond=None)[0]
        assert_allclose(res.coef[h, 0, 1, 0], b[1], rtol=1e-8, atol=1e-12)
        fit = sm.OLS(target, x).fit(cov_type="HC1") if lag_augment else \
            sm.OLS(target, x).fit(cov_type="HAC", cov_kwds={"maxlags": h + 1, "use_correction": False})
        assert_allclose(res.se[h, 0, 1, 0], fit.bse[1], rtol=1e-8)


def test_responses_recover_the_true_var_irf() -> None:
    """With the true shocks, LP responses track Theta_h = A^h B0^{-1}: 90% bands cover most of them."""
    y, s = _var1(3000, 1)
    irf = LocalProjections(y, s, horizon=8, lags=1).fit().irf(level=0.9)
    truth = np.stack([np.linalg.matrix_power(A1, h) @ B0INV for h in range(9)])
    inside = (irf.sel(bound="lower").to_numpy() <= truth) & (truth <= irf.sel(bound="upper").to_numpy())
    assert inside.mean() >= 0.8  # 36 pointwise 90% intervals; 0.8 allows their spread
    assert_allclose(irf.sel(bound="point", horizon=0).to_numpy(), B0INV, atol=0.06)
    assert irf.dims == ("horizon", "response", "shock", "bound")
    point = LocalProjections(y, s, horizon=8, lags=1).fit().irf(level=None)  # same dims without bands
    assert point.dims == irf.dims and list(point["bound"].values) == ["point"]
    assert_allclose(point.sel(bound="point").to_numpy(), irf.sel(bound="point").to_numpy(), rtol=0, atol=0)


def test_an_exactly_collinear_design_is_refused() -> None:
    """Without measurement noise a VAR's variables are exact combinations of their lags and all the shocks."""
    rng = np.random.default_rng(4)
    eps = rng.standard_normal((300, 2))
    y = np.zeros((300, 2))
    for t in range(1, 300):
        y[t] = A1 @ y[t - 1] + B0INV @ eps[t]
    with pytest.raises(DataError, match="regressors are collinear"):
        LocalProjections(pd.DataFrame(y, columns=["x", "z"]), pd.DataFrame(eps, columns=["ex", "ez"]),
                         horizon=2, lags=1).fit()


def test_state_dependent_responses_are_told_apart() -> None:
    """y_t = b(state_{t-1}) shock_t + noise with b = 2 in 'easing', 0.5 in 'tightening'."""
    rng = np.random.default_rng(2)
    n = 1500
    idx = pd.RangeIndex(n)
    state = pd.Series(np.where(rng.uniform(size=n) < 0.5, "easing", "tightening"), index=idx)
    shock = rng.standard_normal(n)
    b = np.where(state.shift(1).fillna("easing").to_numpy() == "easing", 2.0, 0.5)
    y = pd.DataFrame({"y": b * shock + 0.5 * rng.standard_normal(n)}, index=idx)
    irf = LocalProjections(y, pd.Series(shock, index=idx, name="s"), horizon=1, lags=1, state=state).fit().irf()
    assert irf.dims == ("horizon", "response", "shock", "state", "bound")
    impact = irf.sel(horizon=0, response="y", shock="s")
    assert_allclose(impact.sel(bound="point").to_numpy(), [2.0, 0.5], atol=0.08)
    assert float(impact.sel(state="easing", bound="lower")) > float(impact.sel(state="tightening", bound="upper"))


def test_bad_input_is_one_line() -> None:
    y, s = _var1(50, 3)
    with pytest.raises(ArgumentError, match="horizon must be an integer >= 0"):
        LocalProjections(y, s, horizon=-1, lags=1)
    with pytest.raises(DataError, match="too few for horizon 60"):
        LocalProjections(y, s, horizon=60, lags=1)
    with pytest.raises(DataError, match="state: no label for"):
        LocalProjections(y, s, horizon=2, lags=1, state=pd.Series(["a"] * 10, index=y.index[:10]))


def test_results_pickle_plot_and_carry_their_shock_size() -> None:
    import pickle

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y, s = _var1(200, 5)
    res = LocalProjections(y, s, horizon=4, lags=1).fit()
    back = pickle.loads(pickle.dumps(res))
    assert_allclose(back.coef, res.coef, rtol=0, atol=0)
    assert not back.coef.flags.writeable
    assert back.irf().equals(res.irf()) and back.irf().attrs == res.irf().attrs
    assert res.irf().attrs["shock_size"] == "unit"
    fig = res.plot(level=0.9)
    assert len(fig.axes) == 4  # 2 responses x 2 shocks
    assert "unit shocks" in fig._suptitle.get_text()
    plt.close(fig)
    with pytest.raises(ArgumentError, match=r"^state: these projections are not state-dependent$"):
        res.plot(state="easing")
    # structural shocks have unit variance: the caller says so, the estimates are the same, the label follows
    std = LocalProjections(y, s, horizon=4, lags=1, shock_size="std").fit()
    assert_allclose(std.coef, res.coef, rtol=0, atol=0)
    assert std.irf().attrs["shock_size"] == "std"
    with pytest.raises(ArgumentError, match=r"^shock_size must be 'unit' or 'std', got 'sd'$"):
        LocalProjections(y, s, horizon=4, lags=1, shock_size="sd")
