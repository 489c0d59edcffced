"""Proxy SVAR (external instrument): recovery, first stage, Anderson-Rubin sets, bootstrap, saving."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import causalmacro as cm
from causalmacro.errors import ArgumentError
from causalmacro.svar import Proxy, WeakInstrumentWarning
from causalmacro.svar.bootstrap import block_shocks
from causalmacro.svar.identification import IdentificationError
from causalmacro.svar.proxy import _ar_set, newey_west_lags

A_TRUE = np.array([[0.5, 0.1, 0.0], [0.2, 0.4, 0.1], [-0.1, 0.3, 0.3]])
# not triangular: a recursive ordering would get the first column wrong
B_TRUE = np.array([[1.0, 0.3, -0.2], [0.5, 0.8, 0.1], [-0.3, 0.4, 0.6]])
NAMES = ["a", "b", "c"]


def simulate(nobs: int, relevance: float, seed: int, burn: int = 100) -> tuple[pd.DataFrame, pd.Series]:
    """VAR(1) with impact ``B_TRUE``; instrument ``relevance * eps_a + N(0, 1)`` (monthly dates)."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((nobs + burn, 3))
    y = np.zeros((nobs + burn, 3))
    for t in range(1, nobs + burn):
        y[t] = A_TRUE @ y[t - 1] + B_TRUE @ eps[t]
    index = pd.date_range("1950-01-01", periods=nobs, freq="MS")
    z = relevance * eps[burn:, 0] + rng.standard_normal(nobs)
    return pd.DataFrame(y[burn:], index=index, columns=NAMES), pd.Series(z, index=index, name="surprise")


def fit(df: pd.DataFrame, z: pd.Series, **options: object) -> cm.SVARResults:
    return cm.SVAR(df, order=NAMES, lags=1, identification=Proxy(z, "a", **options)).fit()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def strong() -> tuple[pd.DataFrame, pd.Series, cm.SVARResults]:
    df, z = simulate(600, 1.0, seed=3)
    return df, z, fit(df, z)


def test_recovers_the_instrumented_column_and_factors_sigma() -> None:
    # T = 20000 and relevance 2: sampling s.d. of each entry ~0.01, so 0.04 is four s.d.
    df, z = simulate(20000, 2.0, seed=0)
    res = fit(df, z)
    impact = res.impact.to_numpy()
    np.testing.assert_allclose(impact[:, 0], B_TRUE[:, 0], atol=0.04)
    np.testing.assert_allclose(impact @ impact.T, res.sigma_u.to_numpy(), atol=1e-12)
    details = res.identified.details
    assert list(details["placeholder_shocks"]) == ["b", "c"]
    assert details["identified_column"] == 0
    assert impact[0, 0] > 0


def test_column_equals_direct_formula_and_sign_of_instrument_is_irrelevant(strong) -> None:
    df, z, res = strong
    u = res.reduced_form.resid
    gamma = ((z.to_numpy() - z.mean())[1:, None] * (u - u.mean(axis=0))).mean(axis=0)  # lags=1 drops a row
    sigma = np.asarray(res.reduced_form.sigma_u)
    b = gamma / np.sqrt(gamma @ np.linalg.solve(sigma, gamma))
    np.testing.assert_allclose(res.impact.to_numpy()[:, 0], b, rtol=1e-10)
    flipped = fit(df, -z)
    np.testing.assert_allclose(flipped.impact.to_numpy()[:, 0], b, rtol=1e-10)


def test_partial_instrument_uses_the_overlap_absent_and_nan_alike(strong) -> None:
    df, z, _ = strong
    nan = z.copy()
    nan.iloc[:200] = np.nan
    short = z.iloc[200:]
    r_nan, r_short = fit(df, nan), fit(df, short)
    np.testing.assert_allclose(r_nan.impact.to_numpy(), r_short.impact.to_numpy(), rtol=1e-12)
    assert r_nan.first_stage.nobs == len(short) and r_nan.first_stage.nobs_sample == len(df) - 1
    # the column from the overlap only: covariance over rows 200.. of the sample
    u = r_nan.reduced_form.resid[199:]
    zz = short.to_numpy()
    gamma = ((zz - zz.mean())[:, None] * (u - u.mean(axis=0))).mean(axis=0)
    direction = r_nan.impact.to_numpy()[:, 0] / gamma
    np.testing.assert_allclose(direction, direction[0], rtol=1e-10)


def test_effective_f_equals_hand_computation_and_statsmodels_hac(strong) -> None:
    _, z, res = strong
    fs = res.first_stage
    y = res.reduced_form.resid[:, 0]
    zz = z.to_numpy()[1:]
    n = len(y)
    lags = newey_west_lags(n)
    assert lags == math.floor(4 * (n / 100) ** (2 / 9)) == fs.hac_lags
    # by hand: OLS with a constant, Bartlett-weighted sandwich, loops over lags written out
    x = np.column_stack([np.ones(n), zz])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    e = y - x @ beta
    s = np.zeros((2, 2))
    for lag in range(lags + 1):
        w = 1.0 if lag == 0 else 1 - lag / (lags + 1)
        for t in range(lag, n):
            g = np.outer(x[t] * e[t], x[t - lag] * e[t - lag])
            s += w * (g if lag == 0 else g + g.T)
    bread = np.linalg.inv(x.T @ x)
    var = (bread @ s @ bread)[1, 1] * n / (n - 2)
    assert fs.coef == pytest.approx(beta[1], rel=1e-12)
    assert fs.effective_f == pytest.approx(beta[1] ** 2 / var, rel=1e-10)
    ols = sm.OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    assert fs.effective_f == pytest.approx(float(np.squeeze(ols.fvalue)), rel=1e-10)
    assert fs.se == pytest.approx(float(ols.bse[1]), rel=1e-10)
    # correlation with the identified shock: true value 1/sqrt(2) at relevance 1, s.e. ~0.03 at T = 600
    assert fs.corr_shock == pytest.approx(1 / math.sqrt(2), abs=0.08)
    assert not fs.weak and fs.to_dict()["mop_critical_value"] == 23.1


def test_weak_instrument_warns() -> None:
    df, z = simulate(300, 0.02, seed=5)
    with pytest.warns(WeakInstrumentWarning, match=r"effective F [0-9.]+ < 10 \(rule of thumb"):
        res = fit(df, z)
    assert res.first_stage.weak


def ar_stat(beta: float, gamma: np.ndarray, v: np.ndarray, i: int, j: int) -> float:
    return float((gamma[i] - beta * gamma[j]) ** 2 / (v[i, i] - 2 * beta * v[i, j] + beta**2 * v[j, j]))


def gamma_and_variance(res: cm.SVARResults, z: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Gamma and its Newey-West variance written out directly (for the grid inversion)."""
    u = res.reduced_form.resid
    zz = z.to_numpy()[1:]
    n = len(zz)
    xi = (zz - zz.mean())[:, None] * (u - u.mean(axis=0))
    g = xi.mean(axis=0)
    d = xi - g
    lags = newey_west_lags(n)
    s = d.T @ d
    for lag in range(1, lags + 1):
        c = d[lag:].T @ d[:-lag]
        s += (1 - lag / (lags + 1)) * (c + c.T)
    return g, s / n**2


@pytest.mark.parametrize(("relevance", "seed"), [(1.0, 3), (0.15, 11), (0.02, 5)])
def test_anderson_rubin_set_equals_grid_inversion(relevance: float, seed: int) -> None:
    df, z = simulate(300, relevance, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakInstrumentWarning)
        res = fit(df, z)
    table = res.anderson_rubin(level=0.9)
    g, v = gamma_and_variance(res, z)
    q = stats.chi2.ppf(0.9, 1)
    grid = np.linspace(-30, 30, 60001)
    for i, name in ((1, "b"), (2, "c")):
        row = table.loc[name]
        assert row["estimate"] == pytest.approx(g[i] / g[0], rel=1e-10)
        accepted = np.array([ar_stat(b, g, v, i, 0) <= q for b in grid])
        if row["kind"] == "bounded":
            inside = (grid >= row["lower"]) & (grid <= row["upper"])
        elif row["kind"] == "two rays":
            inside = (grid <= row["lower"]) | (grid >= row["upper"])
        else:
            inside = np.ones_like(grid, dtype=bool)
        wrong = grid[accepted != inside]
        # only a grid point straddling an end may fall either way (grid step 1e-3)
        ends = np.array([row["lower"], row["upper"]])
        assert all(np.min(np.abs(ends - w)) < 1e-3 for w in wrong), wrong
        assert accepted.any()
    kinds = set(table["kind"])
    if relevance == 1.0:
        assert kinds == {"bounded"}
    if relevance == 0.02:
        assert kinds <= {"two rays", "unbounded"}
        assert table["set"].str.contains("too weak to bound this response").all()


def test_ar_set_cases_by_hand() -> None:
    # strong: Gamma_j^2 / V_jj = 100 > q: [r1, r2] around the ratio 2
    kind, lo, hi = _ar_set(2.0, 1.0, 0.01, 0.0, 0.01, 2.706)
    assert kind == "bounded" and lo < 2 < hi
    # weak with a strong numerator: two rays excluding 0
    kind, lo, hi = _ar_set(2.0, 0.05, 0.01, 0.0, 0.01, 2.706)
    assert kind == "two rays" and lo < 0 < hi
    # nothing identified: the whole line
    assert _ar_set(0.0, 0.0, 0.01, 0.0, 0.01, 2.706)[0] == "unbounded"


def test_block_bootstrap_resamples_instrument_with_residuals_and_keeps_nan() -> None:
    rng = np.random.default_rng(0)
    resid = rng.standard_normal((50, 2))
    z = resid[:, :1].copy()
    z[:10] = np.nan
    joint = np.concatenate([resid, z], axis=1)
    drawn = block_shocks(joint, 4, 5, np.random.default_rng(1))
    seen = ~np.isnan(drawn[..., 2])
    # same rows drawn: the instrument column is the first residual column, up to the centring constants
    diff = drawn[..., 2] - drawn[..., 0]
    assert np.isnan(drawn[..., 2]).any() and seen.any()
    np.testing.assert_allclose(np.nanstd(diff.reshape(4, 10, 5), axis=1), 0, atol=1e-12)  # constant by position
    assert np.isfinite(drawn[..., :2]).all()


def test_bootstrap_with_partial_instrument_and_wild_refused(strong) -> None:
    df, z, _ = strong
    nan = z.copy()
    nan.iloc[:200] = np.nan
    res = fit(df, nan)
    draws = res.bootstrap(200, rng=1)
    assert draws.impact.shape[0] >= 195
    col = draws.impact[:, :, 0]
    med = np.median(col, axis=0)
    np.testing.assert_allclose(med, res.impact.to_numpy()[:, 0], atol=0.06)
    assert (col[:, 0] > 0).all()
    with pytest.raises(ArgumentError, match=r"^bootstrap method 'wild' is not valid for a proxy SVAR"):
        res.bootstrap(20, method="wild")


def test_save_load_round_trip(strong, tmp_path) -> None:
    df, z, _ = strong
    nan = z.copy()
    nan.iloc[:50] = np.nan
    res = fit(df, nan, hac_lags=3)
    path = res.save(tmp_path / "proxy.zip")
    back = cm.load_results(path)
    assert isinstance(back.identification, Proxy)
    pd.testing.assert_series_equal(back.identification.instrument, res.identification.instrument)
    assert back.identification.hac_lags == 3 and back.identification.shock == "a"
    assert back.first_stage == res.first_stage
    pd.testing.assert_frame_equal(back.anderson_rubin(), res.anderson_rubin())


def test_by_name_and_describe(strong) -> None:
    df, z, res = strong
    by_name = cm.SVAR(df, order=NAMES, lags=1, identification="proxy", instrument=z, shock="a").fit()
    np.testing.assert_allclose(by_name.impact.to_numpy(), res.impact.to_numpy())
    d = res.identification.describe()
    assert d == {"scheme": "proxy", "shock": "a", "instrument": "surprise", "instrument_start": "1950-01-01 00:00:00",
                 "instrument_end": str(z.index[-1]), "instrument_nobs": 600, "hac_lags": None}


def test_validation_messages(strong) -> None:
    df, z, res = strong
    with pytest.raises(ArgumentError, match=r"^shock 'x' is not one of the variables \['a', 'b', 'c'\]$"):
        cm.SVAR(df, order=NAMES, lags=1, identification=Proxy(z, "x")).fit()
    with pytest.raises(ArgumentError, match=r"^instrument must have one column, not 2"):
        Proxy(pd.DataFrame({"p": z, "q": z}), "a")
    with pytest.raises(ArgumentError, match=r"^instrument must be a pandas Series indexed by date, not ndarray$"):
        Proxy(z.to_numpy(), "a")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"^hac_lags must be a non-negative integer or None, not -1$"):
        Proxy(z, "a", hac_lags=-1)
    with pytest.raises(IdentificationError, match=r"overlaps the sample .* in 5 observations, fewer than 10"):
        fit(df, z.iloc[-5:])
    with pytest.raises(ArgumentError, match=r"^first_stage exists only for identification='proxy'"):
        _ = cm.SVAR(df, order=NAMES, lags=1).fit().first_stage
    with pytest.raises(ArgumentError, match=r"^level must lie strictly between 0 and 1"):
        res.anderson_rubin(level=90)
    one_col = Proxy(z.to_frame(), "a")
    pd.testing.assert_series_equal(one_col.instrument, z)


def test_point_estimate_matches_puremacro(strong) -> None:
    proxy_mod = pytest.importorskip("puremacro.var.identify.proxy")
    _, z, res = strong
    theirs = proxy_mod._proxy_impact_factory(z.to_numpy())
    u = res.reduced_form.resid
    sigma = np.asarray(res.reduced_form.sigma_u)
    b = theirs(None, sigma, u)[:, 0]
    # same residuals and covariance in: the column agrees up to sign (puremacro does not sign-normalise)
    b = b * np.sign(b[0])
    np.testing.assert_allclose(res.impact.to_numpy()[:, 0], b, rtol=1e-10)


# ---------------------------------------------------------------- Anderson-Rubin sets beyond impact
def direct_ar_inputs(df: pd.DataFrame, z: pd.Series, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(theta_h, its gradient in (vec A, Gamma) by finite differences, joint covariance W), from statsmodels.

    Independent of causalmacro's recursion: MA matrices from statsmodels' ``ma_rep``, the
    gradient by central differences, vec A ordered as statsmodels' ``cov_params`` lag rows
    (equation by equation), the cross covariance by Bartlett loops written out.
    """
    from statsmodels.tsa.vector_ar.var_model import VAR, ma_rep

    sm_res = VAR(df.to_numpy()).fit(1, trend="c")
    k = 3
    u = sm_res.resid
    zz = z.to_numpy()[1:]
    n = len(zz)
    xi = (zz - zz.mean())[:, None] * (u - u.mean(axis=0))
    g = xi.mean(axis=0)
    lags = newey_west_lags(n)
    coefs = sm_res.coefs  # (1, K, K)

    def theta(a_flat: np.ndarray, gam: np.ndarray) -> np.ndarray:
        return ma_rep(a_flat.reshape(1, k, k), h)[h] @ gam

    a0 = coefs[0].reshape(-1)  # row by row: A[a, c] at a * K + c
    grad = np.zeros((k, k * k + k))
    step = 1e-6
    for m in range(k * k):
        d = np.zeros(k * k)
        d[m] = step
        grad[:, m] = (theta(a0 + d, g) - theta(a0 - d, g)) / (2 * step)
    grad[:, k * k:] = ma_rep(coefs, h)[h]
    # cov_params is Cov(vec B), B = [const, A_1] (K x (1 + K)) stacked column by column: entry (regressor r,
    # equation e) at r * K + e; reorder to (equation, lag regressor)
    cov = np.asarray(sm_res.cov_params())
    keep = [(1 + c) * k + e for e in range(k) for c in range(k)]
    w = np.zeros((k * k + k, k * k + k))
    w[:k * k, :k * k] = cov[np.ix_(keep, keep)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakInstrumentWarning)
        _, v = gamma_and_variance(fit(df, z), z)
    w[k * k:, k * k:] = v
    x = np.column_stack([np.ones(n), df.to_numpy()[:-1]])
    xtx_inv = np.linalg.inv(x.T @ x)
    psi_a = np.array([np.outer(u[t], (xtx_inv @ x[t])[1:]).reshape(-1) for t in range(n)])
    psi_g = xi - g
    cross = np.zeros((k * k, k))
    for t in range(n):
        for s in range(n):
            lag = abs(t - s)
            if lag <= lags:
                cross += (1 - lag / (lags + 1)) * np.outer(psi_a[t], psi_g[s])
    w[:k * k, k * k:] = cross / n
    w[k * k:, :k * k] = cross.T / n
    return theta(a0, g), grad, w


def test_horizon_gradient_and_covariance_equal_statsmodels_and_finite_differences(strong) -> None:
    from causalmacro.svar.proxy import _ar_inputs

    df, z, res = strong
    inp = _ar_inputs(res.reduced_form, res.identification, 3)
    th, grad, w = direct_ar_inputs(df, z, 3)
    np.testing.assert_allclose(inp["theta"][3], th, rtol=1e-10)
    np.testing.assert_allclose(inp["grad"][3], grad, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(inp["w"], w, rtol=1e-8, atol=1e-14)


@pytest.mark.parametrize(("relevance", "seed", "h"), [(1.0, 3, 1), (0.15, 11, 2), (0.02, 5, 1)])
def test_anderson_rubin_at_horizon_equals_grid_inversion(relevance: float, seed: int, h: int) -> None:
    df, z = simulate(300, relevance, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakInstrumentWarning)
        res = fit(df, z)
    table = res.anderson_rubin(level=0.9, horizon=h)
    assert list(table.index) == NAMES and table.attrs["horizon"] == h
    th, grad, w = direct_ar_inputs(df, z, h)
    gamma = gamma_and_variance(res, z)[0]
    e_j = np.zeros(12)
    e_j[9] = 1.0
    q = stats.chi2.ppf(0.9, 1)
    grid = np.linspace(-30, 30, 60001)
    for i, name in enumerate(NAMES):
        row = table.loc[name]
        assert row["estimate"] == pytest.approx(th[i] / gamma[0], rel=1e-9)
        v_ii, v_ij, v_jj = grad[i] @ w @ grad[i], grad[i] @ w @ e_j, w[9, 9]
        stat = (th[i] - grid * gamma[0]) ** 2 / (v_ii - 2 * grid * v_ij + grid**2 * v_jj)
        accepted = stat <= q
        if row["kind"] == "bounded":
            inside = (grid >= row["lower"]) & (grid <= row["upper"])
        elif row["kind"] == "two rays":
            inside = (grid <= row["lower"]) | (grid >= row["upper"])
        else:
            inside = np.ones_like(grid, dtype=bool)
        wrong = grid[accepted != inside]
        ends = np.array([row["lower"], row["upper"]])
        assert all(np.min(np.abs(ends - x)) < 1e-3 for x in wrong), (name, wrong[:5])
        assert accepted.any()
    if relevance == 1.0:
        assert set(table["kind"]) == {"bounded"}
    if relevance == 0.02:
        assert set(table["kind"]) <= {"two rays", "unbounded"}


def test_strong_instrument_set_at_horizon_one_is_close_to_the_wald_interval(strong) -> None:
    df, z, res = strong
    table = res.anderson_rubin(level=0.9, horizon=1)
    th, grad, w = direct_ar_inputs(df, z, 1)
    gamma = gamma_and_variance(res, z)[0]
    crit = stats.norm.ppf(0.95)
    for i, name in enumerate(NAMES):
        row = table.loc[name]
        assert row["kind"] == "bounded" and row["lower"] < row["estimate"] < row["upper"]
        # delta method for lambda = theta_{1,i} / Gamma_0
        d = grad[i] / gamma[0]
        d[9] -= th[i] / gamma[0] ** 2
        se = math.sqrt(d @ w @ d)
        lo, hi = th[i] / gamma[0] - crit * se, th[i] / gamma[0] + crit * se
        # effective F ~ 300 here: the AR and Wald ends agree to a few percent of the width
        assert row["lower"] == pytest.approx(lo, abs=0.05 * (hi - lo))
        assert row["upper"] == pytest.approx(hi, abs=0.05 * (hi - lo))


def test_anderson_rubin_horizon_list_and_horizon_zero_unchanged(strong) -> None:
    _, _, res = strong
    several = res.anderson_rubin(0.9, horizon=[0, 1, 6])
    assert several.index.names == ["horizon", "response"]
    assert list(several.index) == [(0, "b"), (0, "c")] + [(h, v) for h in (1, 6) for v in NAMES]
    pd.testing.assert_frame_equal(several.loc[0], res.anderson_rubin(0.9))
    pd.testing.assert_frame_equal(several.loc[6], res.anderson_rubin(0.9, horizon=6))
    assert "horizon" not in res.anderson_rubin(0.9).attrs
    with pytest.raises(ArgumentError, match=r"^horizon must be a non-negative integer or a non-empty list of them, "
                                            r"not -1$"):
        res.anderson_rubin(horizon=-1)
    with pytest.raises(ArgumentError, match=r"^horizon must be .*, not \[\]$"):
        res.anderson_rubin(horizon=[])
