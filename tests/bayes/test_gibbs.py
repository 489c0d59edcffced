"""The blocked Gibbs sampler: each block against an exact reference, and its output as a PyMC fit's."""

from __future__ import annotations

import warnings

import arviz as az
import numpy as np
import pytest
from scipy import stats

from causalmacro.bayes import AssetResponseModel
from causalmacro.bayes.gibbs import (
    _dense,
    _draw_locations,
    _State,
    location_posterior,
)
from causalmacro.bayes.variates import slice_update, truncated_positive_normal


@pytest.fixture(scope="module")
def unpooled_regime_model(regime_panel) -> AssetResponseModel:
    p = regime_panel
    return AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1, regimes=p.regimes,
                              covariates=p.covariates, pooling="none")


LOCATION_MODELS = ["model", "regime_model"]


def _state(model: AssetResponseModel, chains: int, seed: int) -> tuple[_State, object]:
    dn = _dense(model.design)
    rng = np.random.default_rng(seed)
    st = _State(chains, dn, rng)
    st.w = rng.gamma(3.0, 1 / 3.0, st.w.shape)  # a non-trivial Student-t mixing state
    return st, dn


def _flat(st: _State) -> np.ndarray:
    coef = np.concatenate([st.a[..., None], st.gamma, st.beta], axis=-1).reshape(st.a.shape[0], -1)
    return np.concatenate([coef, st.m.reshape(st.m.shape[0], -1), st.mu], axis=-1)


@pytest.mark.parametrize("which", LOCATION_MODELS)
def test_location_block_mean_is_the_dense_gaussian_posterior(which, request) -> None:
    """Message passing on the tree gives the joint posterior mean of the dense precision system to 1e-10.

    Also with regimes and covariates: the contrast columns are terms of the tree, the
    covariates and regime shifts free columns beside the intercept."""
    model = request.getfixturevalue(which)
    st, dn = _state(model, 3, 0)
    ref = location_posterior(st, dn)
    _draw_locations(st, dn, np.random.default_rng(1), noise=False)
    np.testing.assert_allclose(_flat(st), ref.mean, atol=1e-10)


@pytest.mark.parametrize("which", LOCATION_MODELS)
def test_location_block_covariance_is_the_dense_posterior(which, request) -> None:
    """20,000 draws in one call: covariance within 5 Monte Carlo s.e. of the inverse dense precision.

    The s.e. of a sample covariance in correlation units is at most about
    ``sqrt(2 / N) = 0.01``; 0.05 allows every one of the ~300 entries (~5,000 with
    regimes and covariates) its spread.
    """
    model = request.getfixturevalue(which)
    st, dn = _state(model, 1, 2)
    ref = location_posterior(st, dn)
    n = 20_000
    big = _State(n, dn, np.random.default_rng(3))
    for name in ("tau", "sigma", "se", "nu", "w"):
        value = getattr(st, name)
        setattr(big, name, np.broadcast_to(value[:1], (n, *value.shape[1:])).copy())
    _draw_locations(big, dn, np.random.default_rng(4))
    draws = _flat(big)
    cov = np.linalg.inv(ref.precision[0])
    sd = np.sqrt(np.diag(cov))
    assert np.abs((np.cov(draws.T) - cov) / np.outer(sd, sd)).max() < 0.05
    assert np.abs((draws.mean(axis=0) - ref.mean[0]) / sd).max() < 0.05


def test_unpooled_location_block_with_regimes_and_covariates(unpooled_regime_model) -> None:
    """Without pooling the block is one Gaussian per asset: its mean solves the asset's normal equations
    with the fixed prior precisions (intercept 1/0.5^2, regime shift 1/0.5^2, covariates 1/2^2, betas 1/0.5^2)."""
    dn = _dense(unpooled_regime_model.design, pooled=False)
    st = _State(2, dn, np.random.default_rng(5))
    st.w = np.random.default_rng(6).gamma(3.0, 1 / 3.0, st.w.shape)
    _draw_locations(st, dn, np.random.default_rng(7), noise=False)
    prior = np.diag(1.0 / np.array([0.5, 0.5, 2.0, 2.0] + [0.5] * dn.c) ** 2)
    for c in range(2):
        for i in range(dn.y.shape[0]):
            wm = st.w[c, i] * dn.mask[i] / st.se[c, i] ** 2
            prec = dn.x1.T @ (wm[:, None] * dn.x1) + prior
            theta = np.linalg.solve(prec, dn.x1.T @ (wm * dn.y[i]))
            np.testing.assert_allclose(np.concatenate([[st.a[c, i]], st.gamma[c, i], st.beta[c, i]]), theta,
                                       atol=1e-10)


def test_truncated_normal_is_exact() -> None:
    """Body (inverse CDF) and far tail (Robert's sampler) against scipy's truncnorm: KS p > 0.001."""
    rng = np.random.default_rng(0)
    for mean, sd in ((0.3, 1.0), (-2.0, 1.0), (-12.0, 1.5)):
        x = truncated_positive_normal(np.full(20_000, mean), np.full(20_000, sd), rng)
        ref = stats.truncnorm(-mean / sd, np.inf, loc=mean, scale=sd)
        assert x.min() > 0 and stats.kstest(x, ref.cdf).pvalue > 1e-3


def test_vectorised_slice_sampler_targets_each_density() -> None:
    """Independent slice chains on N(mu_j, 1): the kept draws have the right means and unit variance."""
    rng = np.random.default_rng(2)
    centres = np.array([-3.0, 0.0, 5.0])
    x = np.zeros((4000, 3))
    keep = []
    for _ in range(60):
        x = slice_update(lambda v: -0.5 * (v - centres) ** 2, x, rng, 1.0)
        keep.append(x)
    draws = np.concatenate(keep[10:])
    np.testing.assert_allclose(draws.mean(axis=0), centres, atol=0.02)
    np.testing.assert_allclose(draws.var(axis=0), 1.0, atol=0.03)


def test_gibbs_fit_is_a_pymc_fit(model) -> None:
    """Same variables, dims and coordinates as NUTS' InferenceData; PPC, LOO and the model graph work on it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = model.fit(draws=200, chains=2, rng=0, log_likelihood=True)
        ppc = res.posterior_predictive(rng=1)
        loo = res.loo()
    post = res.idata["posterior"]
    free = [v.name for v in model.build().free_RVs]
    assert set(free) <= set(post.data_vars)
    for name, dims in {"beta": ("asset", "shock", "lag"), "mu_group": ("group", "shock", "lag"),
                       "tau": ("group", "shock"), "nu": ()}.items():
        assert post[name].dims == ("chain", "draw", *dims)
    assert list(post["asset"].values) == list(model.design.assets)
    assert res.settings["sampler"] == "gibbs" and post.attrs["sampler"] == "gibbs"
    assert ppc["posterior_predictive"]["y"].shape[-1] == len(model.design.y)
    assert np.isfinite(loo.elpd_loo)
    # the stored log-likelihood is PyMC's for the same draws
    import pymc as pm

    bare = res.idata.copy()
    del bare.log_likelihood
    pymc_ll = pm.compute_log_likelihood(bare, model=model.build(), progressbar=False)
    np.testing.assert_allclose(res.idata["log_likelihood"]["y"].values, pymc_ll["log_likelihood"]["y"].values,
                               rtol=1e-8, atol=1e-10)
    z = post["z_beta"].values
    assert np.isfinite(z).all() and az.ess(post)["beta"].min() > 20
    graph = pm.model_to_graphviz(model.build()).source  # the model the Gibbs sampler samples
    assert all(name in graph for name in ("beta_std", "mu_group", "tau", "sigma_e_std", "nu"))
