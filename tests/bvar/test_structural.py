"""The structural Bayesian VAR (issue 21, item 1): posterior bands through the SVAR results' outputs.

References checked here: the loose-prior limit (flat prior, many observations: the posterior of the
coefficients and ``Sigma`` is the OLS sampling distribution, Kadiyala & Karlsson 1997, so the posterior band
equals the OLS bootstrap band up to Monte Carlo error); the posterior median response recomputed draw by draw
from ``coef_draws`` and ``sigma_draws`` with a hand reshape and a Cholesky factor; sign restrictions on every
identified draw; nominal coverage of the posterior predictive interval on simulated VARs.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.errors import ArgumentError
from causalmacro.svar.dynamics import structural_irf
from causalmacro.svar.scenario import conditional_forecast

A = np.array([[0.5, 0.1, 0.0], [0.2, 0.4, 0.1], [0.0, 0.2, 0.3]])
P = np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.3, 0.2, 1.0]])
NAMES = ["a", "b", "c"]


def _simulate(nobs: int, rng: np.random.Generator, a: np.ndarray = A, p: np.ndarray = P) -> np.ndarray:
    y = np.zeros((nobs + 50, a.shape[0]))
    for t in range(1, nobs + 50):
        y[t] = a @ y[t - 1] + p @ rng.standard_normal(a.shape[0])
    return y[50:]


def _frame(y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(y, columns=NAMES[: y.shape[1]], index=pd.period_range("1980-01", periods=len(y), freq="M"))


LOOSE = cm.Minnesota(lambda_=1e3, b=0.0, var=1e7, psi=(1.0, 1.0, 1.0))  # practically flat


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    return _frame(_simulate(3000, np.random.default_rng(11)))


@pytest.fixture(scope="module")
def sres(big) -> cm.BayesianSVARResults:
    return cm.BVAR(big, lags=1, prior=LOOSE, hyper="fixed").fit(draws=2000, rng=1).structural(rng=2)


def test_loose_prior_band_matches_ols_bootstrap(big, sres) -> None:
    post = sres.irf(6, bands="posterior", reps=2000, level=0.9)
    ols = cm.SVAR(big, lags=1).fit(rng=0).irf(6, bands="residual", reps=2000, level=0.9)
    width_post = (post.sel(bound="upper") - post.sel(bound="lower")).to_numpy()
    width_ols = (ols.sel(bound="upper") - ols.sel(bound="lower")).to_numpy()
    # impact responses of the Cholesky factor: both about 1.645 * 2 * sd; MC error of a 90% bound from 2000 draws
    # is about 3% of the width, so 12% is four of its standard errors on the ratio of two such widths
    mask = width_ols > 0.02  # the zeros of the recursive impact have no width
    np.testing.assert_allclose(width_post[mask], width_ols[mask], rtol=0.12)
    for bound in ("lower", "upper"):
        diff = np.abs(post.sel(bound=bound) - ols.sel(bound=bound)).to_numpy()
        assert (diff[mask] < 0.15 * width_ols[mask]).all()
    assert post.attrs["interval"] == "posterior credible, pointwise percentile"
    assert post.attrs["bands"] == "posterior" and "bootstrap" not in post.attrs


def test_posterior_median_equals_direct_cholesky_responses(sres) -> None:
    bvar = sres.bvar
    m, draws = 3, bvar.draws
    b = np.asarray(bvar.coef_draws)  # (draw, term, equation): const, then L1.a, L1.b, L1.c
    a1 = np.transpose(b[:, 1:1 + m, :], (0, 2, 1))  # A_1[i, j]: equation i on lag of variable j
    chol = np.stack([np.linalg.cholesky(s) for s in np.asarray(bvar.sigma_draws)])
    theta = np.empty((draws, 5, m, m))
    theta[:, 0] = chol
    for h in range(1, 5):
        theta[:, h] = a1 @ theta[:, h - 1]
    direct = np.quantile(theta, [0.05, 0.5, 0.95], axis=0)
    draws_irf = structural_irf(np.asarray(sres.posterior.coefs), np.asarray(sres.posterior.impact), 4)
    np.testing.assert_allclose(np.median(draws_irf, axis=0), direct[1], atol=1e-12)
    band = sres.irf(4, bands="posterior", reps=draws)
    np.testing.assert_allclose(band.sel(bound="lower").to_numpy(), direct[0], atol=1e-12)
    np.testing.assert_allclose(band.sel(bound="upper").to_numpy(), direct[2], atol=1e-12)
    # the point: the Cholesky factor of the inverse-Wishart mean, on the posterior-mean coefficients
    np.testing.assert_allclose(sres.impact.to_numpy(), np.linalg.cholesky(np.asarray(bvar.s) / (bvar.dof - m - 1)))
    np.testing.assert_allclose(sres.params.to_numpy(), np.asarray(bvar.b_hat))


def test_sign_identified_draws_satisfy_the_signs(big) -> None:
    bvar = cm.BVAR(big.iloc[:300], lags=1, prior=LOOSE, hyper="fixed").fit(draws=400, rng=3)
    scheme = cm.SignRestrictions(signs={"a": {"a": 1, "b": 1}, "b": {"b": 1, "c": 1}}, horizons=1)
    s = bvar.structural(scheme, rng=4)
    theta = structural_irf(np.asarray(s.posterior.coefs), np.asarray(s.posterior.impact), 1)
    assert s.posterior.n_kept > 300
    for shock, resp in [(0, 0), (0, 1), (1, 1), (1, 2)]:
        assert (theta[:, :, resp, shock] > 0).all()
    band = s.irf(1, bands="posterior", reps=s.posterior.n_kept)
    assert (band.sel(response="b", shock="a", bound="lower") > 0).all()


def test_bootstrap_gives_the_posterior_draws(sres) -> None:
    first = sres.bootstrap(500)
    assert first.method == "posterior" and first.n_kept == 500
    np.testing.assert_array_equal(first.impact, sres.posterior.impact[:500])
    assert sres.bootstrap(2000) is sres.posterior
    with pytest.raises(ArgumentError, match=r"^reps=2001 is more than the 2000 identified posterior draws"):
        sres.bootstrap(2001)
    a = sres.irf(3, bands="block", reps=500)  # any method name: the posterior
    b = sres.irf(3, bands=first)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def test_schemes_needing_residuals_are_refused(sres) -> None:
    with pytest.raises(ArgumentError, match="identification 'non_gaussian' re-estimates the shocks"):
        sres.bvar.structural(cm.NonGaussian())


def test_long_run_draws(sres) -> None:
    s = sres.bvar.structural(cm.LongRun())
    total = np.linalg.inv(np.eye(3) - np.asarray(s.posterior.coefs)[:, 0]) @ np.asarray(s.posterior.impact)
    np.testing.assert_allclose(np.triu(total, 1), 0.0, atol=1e-10)  # every draw's long-run matrix is lower triangular


def test_forecast_density_coverage() -> None:
    """90% posterior predictive intervals on 300 simulated VAR(1) samples: coverage 0.90 within its MC error."""
    rng = np.random.default_rng(5)
    a, p, steps, reps = A[:2, :2], P[:2, :2], 4, 300
    hits = np.zeros((reps, steps, 2), dtype=bool)
    for r in range(reps):
        y = _simulate(120 + steps, rng, a, p)
        df = _frame(y[:120])
        prior = cm.Minnesota(lambda_=1e3, b=0.0, var=1e7, psi=(1.0, 1.0))
        s = cm.BVAR(df, lags=1, prior=prior, hyper="fixed").fit(draws=400, rng=r).structural(rng=r)
        fd = s.forecast_density(steps, reps=400, level=0.9, rng=r)
        lo, hi = fd.sel(quantile=0.05).to_numpy(), fd.sel(quantile=0.95).to_numpy()
        hits[r] = (y[120:] >= lo) & (y[120:] <= hi)
    coverage = hits.mean()
    # 2400 (correlated) hits; the per-sample mean over 8 cells has sd about sqrt(.09/8) at worst, so the mean
    # over 300 samples has MC error at most 0.3 / sqrt(300 * 8) ~ 0.006 if independent, ~0.017 if fully dependent
    assert abs(coverage - 0.90) < 0.035, coverage
    assert fd.dims == ("period", "variable", "quantile") and fd.attrs["posterior"] == "posterior credible"
    np.testing.assert_allclose(fd.coords["point"].to_numpy(), s.forecast(steps).xs("point", axis=1, level="bound")
                               .to_numpy())


def test_forecast_density_refuses_a_bootstrap_method(sres) -> None:
    with pytest.raises(ArgumentError, match="method 'block': a Bayesian VAR's density forecast"):
        sres.forecast_density(3, reps=100, method="block")


def test_conditional_forecast_with_posterior_draws(sres) -> None:
    cond = pd.DataFrame({"a": [1.0, np.nan, 0.5]}, index=[1, 2, 3])
    out = sres.conditional_forecast(cond, steps=4, draws=300)
    paths = out["path_draws"].sel(variable="a").to_numpy()
    np.testing.assert_allclose(paths[:, 0], 1.0, atol=1e-10)
    np.testing.assert_allclose(paths[:, 2], 0.5, atol=1e-10)
    assert paths[:, 1].std() > 0.1  # free period: parameter and shock uncertainty
    point = sres.conditional_forecast(cond, steps=4)  # the mean path is the SVAR's at the posterior mean
    svar_path = conditional_forecast(sres.reduced_form, np.asarray(sres.identified.impact), cond, 4)
    np.testing.assert_allclose(point["forecast"].to_numpy(), svar_path["forecast"].to_numpy())
    with pytest.raises(ArgumentError, match="draws: 2001 paths asked for but only 2000 parameter draws exist"):
        sres.conditional_forecast(cond, steps=4, draws=2001)


def test_save_load_and_pickle_round_trip(sres, tmp_path) -> None:
    irf = sres.irf(5, bands="posterior", reps=2000)
    back = cm.BayesianSVARResults.load(sres.save(tmp_path / "s.zip"))
    assert type(back) is cm.BayesianSVARResults
    np.testing.assert_array_equal(back.irf(5, bands="posterior", reps=2000).to_numpy(), irf.to_numpy())
    np.testing.assert_array_equal(back.bvar.coef_draws, sres.bvar.coef_draws)
    again = pickle.loads(pickle.dumps(sres))
    np.testing.assert_array_equal(again.irf(5, bands="posterior", reps=2000).to_numpy(), irf.to_numpy())
    plain = cm.BVARResults.load(sres.bvar.save(tmp_path / "b.zip"))
    assert type(plain) is cm.BVARResults
    for name in ("b_hat", "v", "s", "coef_draws", "sigma_draws", "y", "x"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(sres.bvar, name))
    assert plain.index.equals(sres.bvar.index) and plain.prior == sres.bvar.prior
    assert dict(plain.hyperparameters) == dict(sres.bvar.hyperparameters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ArgumentError, match="holds a BVAR without identification"):
            cm.BayesianSVARResults.load(tmp_path / "b.zip")
