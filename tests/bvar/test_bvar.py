"""The Bayesian VAR against R ``BVAR`` 1.0.5 (Kuschnig & Vashold 2021) and against its own closed forms.

Reference: ``tests/bvar/bvar_reference.R`` on svars' USA data (output gap, inflation, federal funds rate;
``tests/data/svars_usa.csv``), 2 lags, psi at R's automatic values. R's numbers are below as constants; R's
moments are from 100,000 draws of its own ``draw_post``, so they are compared within Monte Carlo error.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import multigammaln

import causalmacro as cm
from causalmacro.bvar import posterior as post_
from causalmacro.bvar.prior import dummy_observations, gamma_shape_scale, log_gamma_density
from causalmacro.errors import ArgumentError

DATA = Path(__file__).resolve().parents[1] / "data" / "svars_usa.csv"
R_DRAWS = 100_000

# Rscript tests/bvar/bvar_reference.R: priors bv_mn() with bv_soc(), bv_sur() (DUMMIES) or without (LAMBDA_ONLY)
DUMMIES = {
    "psi_auto": [0.76575278427283566, 1.11959061614841171, 0.97908933723232039],
    "log_ml_data": -731.04157411845847,
    "log_ml_with_hyperprior": -732.15527976590045,
    "beta_mean": [0.48317158524523, 1.03653886878250, -0.00176747515838, 0.02327468363055, -0.12334647861376, -0.01204305492066, -0.09903124109533, 0.29763606870398, 0.02758048880923, 0.73754976197636, 0.10799454817488, 0.03817347404931, 0.15126594581171, -0.08128782642608, 0.12678263576860, 0.23091504700733, 0.06458682068215, 1.01780222339580, -0.17612412493665, 0.05402957943762, -0.10926377742883],
    "beta_sd": [0.1286374762793, 0.0553883140203, 0.0413949244481, 0.0459708966976, 0.0522941816278, 0.0396784783023, 0.0447018830948, 0.1934926675482, 0.0833765641094, 0.0624294084287, 0.0691845931351, 0.0788369070209, 0.0597315485219, 0.0672316334045, 0.1645006495519, 0.0710558628731, 0.0528550092313, 0.0588854658561, 0.0672470738913, 0.0506720556670, 0.0574463386968],
    "sigma_mean": [0.5283129799031, -0.0460264275031, 0.2149391545364, -0.0460264275031, 1.2002941353600, 0.1396908883227, 0.2149391545364, 0.1396908883227, 0.8684242230036],
    "sigma_sd": [0.0561234499183, 0.0599417413643, 0.0534898317923, 0.0599417413643, 0.1278588045916, 0.0776155417472, 0.0534898317923, 0.0776155417472, 0.0924804511579],
    "opt_par": {"lambda": 0.33798775993165303, "soc": 0.33267729656694789, "sur": 0.36618138630928965},
    "opt_value": -727.28509534493423,
}
LAMBDA_ONLY = {
    "log_ml_data": -748.50728565541579,
    "log_ml_with_hyperprior": -748.16251694002972,
    "beta_mean": [0.485989171840805, 1.034351079499641, -0.000893097409521, 0.023508620575913, -0.123493535227248, -0.011970220140738, -0.100628037899057, 0.301016712836229, 0.030096301979368, 0.735772105597112, 0.107821406380643, 0.038519457334741, 0.151434751666987, -0.080063186026879, 0.133072842267229, 0.231931186109029, 0.065112358934313, 1.015605266355259, -0.175224783088896, 0.055400950416536, -0.108895913399928],
    "beta_sd": [0.1301868330501, 0.0561469590747, 0.0418406719540, 0.0465149403684, 0.0529229391035, 0.0400859089897, 0.0453827253593, 0.1961513528557, 0.0847978100746, 0.0630024140196, 0.0701237819319, 0.0798654455634, 0.0603640144078, 0.0682530771345, 0.1669068163714, 0.0717940718022, 0.0536491371075, 0.0597192875941, 0.0677809612975, 0.0513486236971, 0.0580117684861],
    "sigma_mean": [0.5387908302769, -0.0456353521943, 0.2200959685531, -0.0456353521943, 1.2265992264755, 0.1429550531273, 0.2200959685531, 0.1429550531273, 0.8876460636257],
    "sigma_sd": [0.0581491947828, 0.0618796614535, 0.0551769932248, 0.0618796614535, 0.1325185445239, 0.0802101580496, 0.0551769932248, 0.0802101580496, 0.0959248298642],
    "opt_par": {"lambda": 0.18154850021451352},
    "opt_value": -748.11337508150325,
}
CASES = {"dummies": (DUMMIES, {"soc": 1.0, "sur": 1.0}), "lambda_only": (LAMBDA_ONLY, {})}


def usa() -> pd.DataFrame:
    return pd.read_csv(DATA)[["x", "pi", "i"]]


def prior(**dummies: float) -> cm.Minnesota:
    return cm.Minnesota(psi=tuple(DUMMIES["psi_auto"]), **dummies)  # type: ignore[arg-type]


def r_matrix(values: list[float], rows: int) -> np.ndarray:
    """R's column-major ``c(matrix)`` back to the matrix."""
    return np.asarray(values).reshape(-1, rows).T


@pytest.fixture(scope="module")
def fits() -> dict[str, cm.BVARResults]:
    return {name: cm.BVAR(usa(), lags=2, prior=prior(**d), hyper="fixed").fit(draws=40_000, rng=7)
            for name, (_, d) in CASES.items()}


@pytest.mark.parametrize("case", CASES)
def test_log_marginal_likelihood_matches_r_bvar(case: str, fits: dict[str, cm.BVARResults]) -> None:
    ref, dummies = CASES[case]
    res = fits[case]
    np.testing.assert_allclose(res.log_marginal_likelihood, ref["log_ml_data"], rtol=1e-10)  # R prints 17 digits
    # R's bv_ml adds the Gamma hyperpriors of lambda (mode 0.2, sd 0.4) and the dummies (mode 1, sd 1)
    hyperprior = log_gamma_density(0.2, 0.2, 0.4) + sum(log_gamma_density(1.0, 1.0, 1.0) for _ in dummies)
    np.testing.assert_allclose(res.log_marginal_likelihood + hyperprior, ref["log_ml_with_hyperprior"], rtol=1e-10)


@pytest.mark.parametrize("case", CASES)
def test_closed_form_moments_match_r_draws_within_mc_error(case: str, fits: dict[str, cm.BVARResults]) -> None:
    """R's 100,000 draws against the closed forms: 5 Monte Carlo standard errors (sd / sqrt(n) for a mean;
    sd / sqrt(2 n) for an sd, doubled for the heavier tails of the matric-t and the inverse Wishart)."""
    ref, _ = CASES[case]
    res = fits[case]
    mean, sd = res.coef_mean.to_numpy(), res.coef_sd.to_numpy()
    assert np.all(np.abs(r_matrix(ref["beta_mean"], 7) - mean) < 5 * sd / np.sqrt(R_DRAWS))
    assert np.all(np.abs(r_matrix(ref["beta_sd"], 7) - sd) < 5 * 2 * sd / np.sqrt(2 * R_DRAWS))
    s_mean = res.sigma_mean.to_numpy()
    s_sd = iw_sd(np.asarray(res.s), res.dof)
    assert np.all(np.abs(r_matrix(ref["sigma_mean"], 3) - s_mean) < 5 * s_sd / np.sqrt(R_DRAWS))
    assert np.all(np.abs(r_matrix(ref["sigma_sd"], 3) - s_sd) < 5 * 2 * s_sd / np.sqrt(2 * R_DRAWS))


def iw_sd(s: np.ndarray, dof: float) -> np.ndarray:
    """Standard deviations of an inverse Wishart IW(s, dof) (Press 1982, eq. 5.2.12)."""
    p = s.shape[0]
    d = np.diag(s)
    var = ((dof - p + 1) * s**2 + (dof - p - 1) * np.outer(d, d)) / ((dof - p) * (dof - p - 1) ** 2 * (dof - p - 3))
    return np.sqrt(var)


@pytest.mark.parametrize("case", CASES)
def test_draws_match_closed_form_within_mc_error(case: str, fits: dict[str, cm.BVARResults]) -> None:
    res = fits[case]
    n = res.draws
    coefs, sigma = res.coefs, res.sigma
    assert coefs.dims == ("draw", "term", "equation") and sigma.dims == ("draw", "row", "column")
    assert list(coefs["term"].values) == ["const", "L1.x", "L1.pi", "L1.i", "L2.x", "L2.pi", "L2.i"]
    mean, sd = res.coef_mean.to_numpy(), res.coef_sd.to_numpy()
    assert np.all(np.abs(coefs.mean("draw").to_numpy() - mean) < 5 * sd / np.sqrt(n))
    assert np.all(np.abs(coefs.std("draw", ddof=1).to_numpy() - sd) < 5 * 2 * sd / np.sqrt(2 * n))
    s_sd = iw_sd(np.asarray(res.s), res.dof)
    assert np.all(np.abs(sigma.mean("draw").to_numpy() - res.sigma_mean.to_numpy()) < 5 * s_sd / np.sqrt(n))
    assert np.all(np.abs(sigma.std("draw", ddof=1).to_numpy() - s_sd) < 5 * 2 * s_sd / np.sqrt(2 * n))
    # the dependence between B and Sigma: B's rows given Sigma have covariance v_ii Sigma (matrix normal)
    z = (coefs.to_numpy()[:, 1, :] - np.asarray(res.b_hat)[1]) / np.sqrt(res.v[1, 1])
    cond = np.einsum("na,nb->ab", z, z) / n
    np.testing.assert_allclose(cond, sigma.mean("draw").to_numpy(), atol=5 * s_sd.max() * 3 / np.sqrt(n) + 0.02)


@pytest.mark.parametrize("case", CASES)
def test_glp_mode_matches_r_bvar(case: str) -> None:
    ref, dummies = CASES[case]
    res = cm.BVAR(usa(), lags=2, prior=prior(**dummies), hyper="glp").fit(draws=10, rng=0)
    assert res.searched == tuple(ref["opt_par"])  # type: ignore[arg-type]
    for name, value in ref["opt_par"].items():  # type: ignore[union-attr]
        np.testing.assert_allclose(res.hyperparameters[name], value, rtol=2e-4)  # R: optim's L-BFGS-B, factr 1e7
    np.testing.assert_allclose(res.log_hyperposterior, ref["opt_value"], rtol=1e-9)
    assert res.converged


def test_glp_mode_beats_fixed_and_is_a_local_maximum() -> None:
    glp = cm.BVAR(usa(), lags=2, prior=prior(soc=1, sur=1), hyper="glp").fit(draws=10, rng=0)

    def objective(**values: float) -> float:
        res = cm.BVAR(usa(), lags=2, prior=cm.Minnesota(psi=tuple(DUMMIES["psi_auto"]), lambda_=values["lambda"],
                                                        soc=values["soc"], sur=values["sur"]),
                      hyper="fixed").fit(draws=1, rng=0)
        return res.log_marginal_likelihood + log_gamma_density(values["lambda"], 0.2, 0.4) + sum(
            log_gamma_density(values[k], 1.0, 1.0) for k in ("soc", "sur"))

    mode = {k: glp.hyperparameters[k] for k in ("lambda", "soc", "sur")}
    np.testing.assert_allclose(objective(**mode), glp.log_hyperposterior, rtol=1e-12)
    assert glp.log_hyperposterior > objective(**{"lambda": 0.2, "soc": 1.0, "sur": 1.0}) + 3  # R: -727.29 vs -732.16
    for k in mode:
        for step in (0.99, 1.01):
            assert objective(**{**mode, k: mode[k] * step}) < glp.log_hyperposterior


def test_posterior_mean_is_ols_on_dummy_augmented_data() -> None:
    """The Minnesota prior as dummy observations (diag(omega)^(-1/2) rows with mean b), then soc, sur, the data."""
    res = cm.BVAR(usa(), lags=2, prior=prior(soc=0.5, sur=2.0), hyper="fixed").fit(draws=1, rng=0)
    y, x = post_.design(usa().to_numpy(), 2)
    p = res.prior
    omega = post_.omega_diag(0.2, 2.0, np.asarray(p.psi), 2, 1e7)
    b = post_.prior_mean(3, 2, 1.0)
    yd, xd = dummy_observations(p, y, 2)
    assert yd.shape == (4, 3) and xd.shape == (4, 7)
    np.testing.assert_allclose(yd[:3], np.diag(y[:2].mean(axis=0)) / 0.5)
    np.testing.assert_allclose(xd[3], np.r_[0.5, y[:2].mean(axis=0) / 2.0, y[:2].mean(axis=0) / 2.0])
    xp = np.diag(omega**-0.5)
    ya, xa = np.vstack([xp @ b, yd, y]), np.vstack([xp, xd, x])
    ols = np.linalg.lstsq(xa, ya, rcond=None)[0]
    np.testing.assert_allclose(res.coef_mean.to_numpy(), ols, rtol=1e-9, atol=1e-12)
    resid = ya - xa @ ols
    np.testing.assert_allclose(res.s, np.diag(p.psi) + resid.T @ resid, rtol=1e-9)


def log_matric_t(y: np.ndarray, x: np.ndarray, b: np.ndarray, omega: np.ndarray, psi: np.ndarray) -> float:
    """log p(Y) with Y = X B + E, B ~ MN(b, diag(omega), Sigma), Sigma ~ IW(diag(psi), M + 2): the matric-t density
    of Y, MT(X b, I + X Omega X', diag(psi), M + 2) (Gupta & Nagar 2000, 4.2.1), evaluated in N x N form."""
    n, m = y.shape
    d = m + 2
    q = np.eye(n) + x @ np.diag(omega) @ x.T
    e = y - x @ b
    _, ld_q = np.linalg.slogdet(q)
    _, ld_a = np.linalg.slogdet(np.diag(psi) + e.T @ np.linalg.solve(q, e))
    return float(multigammaln((n + d) / 2, m) - multigammaln(d / 2, m) - m * n / 2 * np.log(np.pi)
                 - m / 2 * ld_q + d / 2 * np.sum(np.log(psi)) - (n + d) / 2 * ld_a)


@pytest.mark.parametrize(("lags", "lambda_", "dummies"), [(1, 0.3, {}), (2, 0.2, {"soc": 1.0, "sur": 1.0}),
                                                            (3, 0.7, {"sur": 0.4})])
def test_log_marginal_likelihood_is_the_matric_t_density(lags: int, lambda_: float, dummies: dict[str, float]) -> None:
    data = usa()
    p = cm.Minnesota(lambda_=lambda_, psi=(0.5, 1.5, 1.0), alpha=1.5, **dummies)  # type: ignore[arg-type]
    res = cm.BVAR(data, lags=lags, prior=p, hyper="fixed").fit(draws=1, rng=0)
    y, x = post_.design(data.to_numpy(), lags)
    yd, xd = dummy_observations(p, y, lags)
    omega = post_.omega_diag(lambda_, 1.5, np.array([0.5, 1.5, 1.0]), lags, 1e7)
    b = post_.prior_mean(3, lags, 1.0)
    psi = np.array([0.5, 1.5, 1.0])
    direct = log_matric_t(np.vstack([yd, y]), np.vstack([xd, x]), b, omega, psi)
    if len(yd):
        direct -= log_matric_t(yd, xd, b, omega, psi)
    np.testing.assert_allclose(res.log_marginal_likelihood, direct, rtol=1e-9)


def test_auto_psi_is_r_bvar_s() -> None:
    """statsmodels' exact-ML AR(2) against R's arima (CSS-ML): the optimisers' tolerance."""
    res = cm.BVAR(usa(), lags=2, prior=cm.Minnesota(), hyper="fixed").fit(draws=1, rng=0)
    np.testing.assert_allclose(res.prior.psi, DUMMIES["psi_auto"], rtol=1e-4)


def test_gamma_hyperprior_has_its_mode_and_sd() -> None:
    k, theta = gamma_shape_scale(0.2, 0.4)
    np.testing.assert_allclose([(k - 1) * theta, np.sqrt(k) * theta], [0.2, 0.4], rtol=1e-12)


def test_draws_are_reproducible_and_results_pickle() -> None:
    import pickle

    a = cm.BVAR(usa(), lags=1, prior=prior(), hyper="fixed").fit(draws=50, rng=3)
    b = cm.BVAR(usa(), lags=1, prior=prior(), hyper="fixed").fit(draws=50, rng=3)
    np.testing.assert_array_equal(a.coef_draws, b.coef_draws)
    assert np.all(np.linalg.eigvalsh(a.sigma_draws) > 0)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.sigma_draws, a.sigma_draws)
    assert c.hyperparameters == a.hyperparameters and not a.coef_draws.flags.writeable
    assert a.to_dict()["hyperparameters"]["lambda"] == 0.2
    assert "log marginal likelihood: " in a.summary()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"hyper": "mcmc"}, "unknown hyper 'mcmc'; valid: fixed, glp"),
    ({"lags": 0}, "lags must be an integer from 1 to 173, got 0"),
    ({"prior": cm.Minnesota(psi=(1.0, 2.0))}, "psi has 2 values for 3 variables"),
])
def test_bad_arguments_raise_one_line(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ArgumentError, match="^" + re.escape(message) + "$"):
        cm.BVAR(usa(), **kwargs)  # type: ignore[arg-type]


def test_minnesota_refuses_bad_values() -> None:
    with pytest.raises(ArgumentError, match=r"^lambda_ must be a positive number, got -1$"):
        cm.Minnesota(lambda_=-1)
    with pytest.raises(ArgumentError, match=r"^soc must be a positive number, got 0$"):
        cm.Minnesota(soc=0)


def test_glp_refuses_a_hyperprior_mode_outside_its_bounds() -> None:
    # the search would stop at the bound (5) and report a hyperprior density of a mode it cannot reach
    with pytest.raises(ArgumentError, match=r"^lambda=100 is the mode of its hyperprior under hyper='glp' and must "
                                            r"lie within its search bounds \[0\.0001, 5\]"):
        cm.BVAR(usa(), lags=2, prior=cm.Minnesota(lambda_=100), hyper="glp").fit(10, rng=0)
    assert cm.BVAR(usa(), lags=2, prior=cm.Minnesota(lambda_=100), hyper="fixed").fit(10, rng=0).hyperparameters[
        "lambda"] == 100


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_live_r_bvar_log_marginal_likelihood() -> None:
    """R BVAR, run now, on a setting the constants do not cover: 3 lags, alpha 1.5, sur only."""
    if subprocess.run(["Rscript", "-e", "library(BVAR)"], capture_output=True).returncode:
        pytest.skip("R package BVAR is not installed")
    script = f"""suppressMessages(library(BVAR)); d <- read.csv("{DATA}")[, c("x", "pi", "i")]
pri <- bv_priors(mn = bv_mn(alpha = bv_alpha(mode = 1.5), psi = bv_psi(mode = c(0.5, 1.5, 1))), sur = bv_sur(mode = 0.4))
fit <- bvar(d, lags = 3, n_draw = 20, n_burn = 10, priors = pri, verbose = FALSE)
pars <- c(lambda = 0.3, alpha = 1.5, psi1 = 0.5, psi2 = 1.5, psi3 = 1, sur = 0.4)
ml <- BVAR:::bv_ml(hyper = c(lambda = 0.3, sur = 0.4), pars = pars, priors = fit$priors, Y = fit$meta$Y,
  X = fit$meta$X, XX = crossprod(fit$meta$X), K = 10, M = 3, N = nrow(fit$meta$Y), lags = 3)
cat(format(ml$log_ml, digits = 17), format(fit$optim$par, digits = 17), format(fit$optim$value, digits = 17))"""
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True, timeout=120)
    r_ml, r_lambda, r_sur, r_opt = map(float, out.stdout.split())
    p = cm.Minnesota(lambda_=0.3, alpha=1.5, psi=(0.5, 1.5, 1.0), sur=0.4)
    res = cm.BVAR(usa(), lags=3, prior=p, hyper="fixed").fit(draws=1, rng=0)
    hyperprior = log_gamma_density(0.3, 0.2, 0.4) + log_gamma_density(0.4, 0.4, 1.0)  # R: mode 0.2 (bv_lambda())
    np.testing.assert_allclose(res.log_marginal_likelihood + hyperprior, r_ml, rtol=1e-10)
    glp = cm.BVAR(usa(), lags=3, prior=cm.Minnesota(lambda_=0.2, alpha=1.5, psi=(0.5, 1.5, 1.0), sur=0.4),
                  hyper="glp").fit(draws=1, rng=0)
    np.testing.assert_allclose([glp.hyperparameters["lambda"], glp.hyperparameters["sur"]], [r_lambda, r_sur],
                               rtol=2e-4)
    np.testing.assert_allclose(glp.log_hyperposterior, r_opt, rtol=1e-9)


def ar_series(seed: int, n: int = 180) -> np.ndarray:
    """An AR(12) with a mean and seasonal persistence: y_t = 0.5 y_{t-1} + 0.2 y_{t-12} + e_t, plus 3."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n + 60)
    for t in range(12, y.size):
        y[t] = 0.5 * y[t - 1] + 0.2 * y[t - 12] + rng.standard_normal()
    return y[60:] + 3.0


def test_exact_ar_likelihood_is_statsmodels_arima() -> None:
    """The concentrated exact likelihood's pieces give statsmodels' Kalman-filter log-likelihood at any parameters."""
    from statsmodels.tsa.arima.model import ARIMA

    from causalmacro.bvar.prior import ExactAR

    for lags, series in ((2, usa().to_numpy()[2:, 1]), (12, ar_series(1))):
        ar = ExactAR(series, lags)
        phi = np.linspace(0.3, -0.1, lags) / lags
        for mu, sigma2 in ((0.0, 1.0), (2.5, 0.7)):
            sm = ARIMA(series, order=(lags, 0, 0), trend="c").loglike(np.r_[mu, phi, sigma2])
            np.testing.assert_allclose(ar.loglike(mu, phi, sigma2), sm, rtol=1e-12)


def test_psi_ml_is_statsmodels_exact_arima_maximum() -> None:
    """At 12 lags on three series: statsmodels' exact (Kalman) likelihood has a zero score at our estimate (below
    1e-5, its numerical-derivative noise; at statsmodels' own L-BFGS optimum it is about 2e-3), its value there is not
    below statsmodels' maximum, and sigma2 agrees with statsmodels' to its optimiser's tolerance."""
    from statsmodels.tsa.arima.model import ARIMA

    from causalmacro.bvar.prior import ExactAR, auto_psi

    data = np.column_stack([ar_series(seed) for seed in (1, 2, 3)])
    psi = auto_psi(data, 12)
    for j in range(3):
        model = ARIMA(data[:, j], order=(12, 0, 0), trend="c")
        fit = model.fit()
        mu, phi, sigma2 = ExactAR(data[:, j], 12).fit()
        np.testing.assert_allclose(psi[j] ** 2, sigma2, rtol=1e-14)
        assert np.abs(model.score(np.r_[mu, phi, sigma2])).max() < 1e-5 < np.abs(model.score(fit.params)).max()
        assert model.loglike(np.r_[mu, phi, sigma2]) >= fit.llf
        np.testing.assert_allclose(sigma2, fit.params[-1], rtol=3e-5)


def test_psi_ml_matches_r_closer_than_statsmodels() -> None:
    """R's arima (CSS-ML) psi to 2e-6 (statsmodels' default fit is 6e-6 away)."""
    res = cm.BVAR(usa(), lags=2, prior=cm.Minnesota(psi="ml"), hyper="fixed").fit(draws=1, rng=0)
    np.testing.assert_allclose(res.prior.psi, DUMMIES["psi_auto"], rtol=2e-6)
    assert cm.Minnesota().psi == "ml" and cm.Minnesota(psi=None).psi == "ml"


def test_psi_ols_is_the_least_squares_ar_residual_sd() -> None:
    data = usa()
    res = cm.BVAR(data, lags=2, prior=cm.Minnesota(psi="ols"), hyper="fixed").fit(draws=1, rng=0)
    y = data.to_numpy()[2:]  # R BVAR's trimmed sample
    for j in range(3):
        s = y[:, j]
        x = np.column_stack([np.ones(s.size - 2), s[1:-1], s[:-2]])
        beta = np.linalg.solve(x.T @ x, x.T @ s[2:])
        resid = s[2:] - x @ beta
        np.testing.assert_allclose(res.prior.psi[j], np.sqrt(resid @ resid / (s.size - 2)), rtol=1e-12)


def test_psi_refuses_unknown_methods_and_non_stationary_starts() -> None:
    with pytest.raises(ArgumentError, match=r"^unknown psi 'arima'; valid: ml, ols or one value per variable$"):
        cm.Minnesota(psi="arima")  # type: ignore[arg-type]
    explosive = pd.DataFrame({"a": 1.1 ** np.arange(60.0), "b": np.random.default_rng(0).standard_normal(60)})
    with pytest.raises(ArgumentError, match=r"^psi: the least squares AR\(2\) of variable 0 is not stationary; "
                                            r"pass psi=\"ols\" or one value per variable$"):
        cm.BVAR(explosive, lags=2, hyper="fixed").fit(draws=1, rng=0)


def test_cached_log_ml_keeps_its_digits_on_series_in_levels() -> None:
    """The search's LogML (X'X cached, Cholesky log-determinants, Sylvester for the dummies) against the N x N
    matric-t density on data shifted to levels near 5000 (net liquidity in billions), at several hyperparameters."""
    data = usa().to_numpy() * 100.0 + 5000.0
    y, x = post_.design(data, 3)
    b = post_.prior_mean(3, 3, 1.0)
    psi = np.array([50.0, 120.0, 90.0])
    p = cm.Minnesota(psi=tuple(psi), soc=0.7, sur=2.0)
    cached = post_.LogML(y, x, b)
    for lambda_, soc, sur in ((0.2, 1.0, 1.0), (0.05, 0.3, 4.0), (1.5, 10.0, 0.2)):
        omega = post_.omega_diag(lambda_, 2.0, psi, 3, 1e7)
        yd, xd = dummy_observations(p, y, 3, {"soc": soc, "sur": sur})
        direct = log_matric_t(np.vstack([yd, y]), np.vstack([xd, x]), b, omega, psi) - log_matric_t(
            yd, xd, b, omega, psi)
        np.testing.assert_allclose(cached(yd, xd, omega, psi), direct, rtol=1e-9)


# Rscript tests/bvar/bvar_reference.R, "== vector b": bv_mn(b = c(1, 0, 0.5)), psi = DUMMIES' psi_auto, soc = sur = 1,
# lambda = 0.2; bv_ml's log_ml less the Gamma hyperpriors, and its beta_hat (the posterior mean, dummies included)
VECTOR_B = {
    "log_ml_data": -719.54085881709636,
    "beta_hat": [0.4833674348361724493, 1.0366670067170742353, -0.0016091800036325172, 0.0232524892064286254,
                 -0.1234485228794828388, -0.0121711728883245798, -0.0990462394284787884, 0.3299356102537662205,
                 0.0218516581701131349, 0.6469235702965845380, 0.1253161815970110782, 0.0475253737776661356,
                 0.2148156044813501475, -0.0866946126998894701, 0.1378452905047826416, 0.2431298597052436450,
                 0.0720554790198280615, 0.9687681070556247720, -0.1841407800665862127, 0.0556283608222307019,
                 -0.0673775785773810532],
}


@pytest.mark.parametrize("b", [(1.0, 0.0, 0.5), {"i": 0.5, "x": 1.0, "pi": 0.0}], ids=["tuple", "mapping"])
def test_vector_b_matches_r_bvar(b: tuple[float, ...] | dict[str, float]) -> None:
    p = cm.Minnesota(psi=tuple(DUMMIES["psi_auto"]), soc=1.0, sur=1.0, b=b)
    res = cm.BVAR(usa(), lags=2, prior=p, hyper="fixed").fit(draws=2, rng=0)
    np.testing.assert_allclose(res.log_marginal_likelihood, VECTOR_B["log_ml_data"], rtol=1e-12)
    np.testing.assert_allclose(res.coef_mean.to_numpy(), r_matrix(VECTOR_B["beta_hat"], 7), rtol=1e-9, atol=1e-13)
    assert res.prior.b == {"x": 1.0, "pi": 0.0, "i": 0.5}  # by name, in the data's order
    assert "b={x: 1, pi: 0, i: 0.5}" in res.summary()


def test_prior_mean_with_a_vector_b_by_hand() -> None:
    got = post_.prior_mean(3, 2, np.array([1.0, 0.0, 0.5]))
    want = np.zeros((7, 3))
    want[1, 0], want[2, 1], want[3, 2] = 1.0, 0.0, 0.5  # constant row 0; lag-1 block rows 1..3; lag 2 all 0
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(post_.prior_mean(3, 2, 0.9), np.vstack([np.zeros((1, 3)), 0.9 * np.eye(3),
                                                                          np.zeros((3, 3))]))


def test_b_errors_are_one_line() -> None:
    with pytest.raises(ArgumentError, match=r"^b has 2 values for 3 variables \(x, pi, i\)$"):
        cm.BVAR(usa(), lags=2, prior=cm.Minnesota(b=(1, 0)))
    with pytest.raises(ArgumentError, match=r"^unknown variable 'gdp' in b; valid: x, pi, i$"):
        cm.BVAR(usa(), lags=2, prior=cm.Minnesota(b={"x": 1, "gdp": 0}))
    with pytest.raises(ArgumentError, match=r"^b has no value for pi, i; name every variable \(x, pi, i\) or give "
                                            r"one number$"):
        cm.BVAR(usa(), lags=2, prior=cm.Minnesota(b={"x": 1}))
    with pytest.raises(ArgumentError, match=r"^b must be a finite number, one per variable or \{variable: value\}, "
                                            r"got 'x': nan$"):
        cm.Minnesota(b={"x": float("nan")})
    with pytest.raises(ArgumentError, match=r"^b must be a finite number, one per variable or \{variable: value\}, "
                                            r"got True$"):
        cm.Minnesota(b=True)


def test_vector_b_survives_save_and_load(tmp_path: Path) -> None:
    res = cm.BVAR(usa(), lags=2, prior=cm.Minnesota(psi="ols", b=(1, 0, 0.5)), hyper="fixed").fit(draws=3, rng=0)
    back = cm.BVARResults.load(res.save(tmp_path / "b.zip"))
    assert back.prior == res.prior and back.prior.b == {"x": 1.0, "pi": 0.0, "i": 0.5}
    assert hash(back.prior) == hash(res.prior)


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_live_r_bvar_vector_b() -> None:
    """R BVAR, run now, with a prior mean per variable and no dummies, 3 lags."""
    if subprocess.run(["Rscript", "-e", "library(BVAR)"], capture_output=True).returncode:
        pytest.skip("R package BVAR is not installed")
    script = f"""suppressMessages(library(BVAR)); d <- read.csv("{DATA}")[, c("x", "pi", "i")]
pri <- bv_priors(mn = bv_mn(b = c(0, 0.8, 1), psi = bv_psi(mode = c(0.5, 1.5, 1))))
fit <- bvar(d, lags = 3, n_draw = 20, n_burn = 10, priors = pri, verbose = FALSE)
ml <- BVAR:::bv_ml(hyper = c(lambda = 0.3), pars = c(lambda = 0.3, alpha = 2, psi1 = 0.5, psi2 = 1.5, psi3 = 1),
  priors = fit$priors, Y = fit$meta$Y, X = fit$meta$X, XX = crossprod(fit$meta$X), K = 10, M = 3,
  N = nrow(fit$meta$Y), lags = 3)
cat(format(c(ml$log_ml, ml$beta_hat), digits = 17))"""
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True, timeout=120)
    r_ml, *r_beta = map(float, out.stdout.split())
    p = cm.Minnesota(lambda_=0.3, psi=(0.5, 1.5, 1.0), b=(0.0, 0.8, 1.0))
    res = cm.BVAR(usa(), lags=3, prior=p, hyper="fixed").fit(draws=1, rng=0)
    np.testing.assert_allclose(res.log_marginal_likelihood + log_gamma_density(0.3, 0.2, 0.4), r_ml, rtol=1e-10)
    np.testing.assert_allclose(res.coef_mean.to_numpy(), r_matrix(r_beta, 10), rtol=1e-9, atol=1e-13)
