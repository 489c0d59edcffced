"""Non-Gaussian (Student-t) ML identification.

Reference: R svars 1.3.11 ``id.ngml`` on its ``USA`` data (tests/data/svars_usa.csv), printed by

    library(svars); data(USA)
    x <- id.ngml(vars::VAR(USA, p = 6, type = "const")); options(digits = 10); summary(x)
    cat(sprintf('%.12f', c(x$Lik, x$df, x$B)), sep = '\\n')

svars' nlm stops a little short of the optimum: our likelihood is 2e-9 higher, and at svars' own B and dfs our
log-likelihood equals svars' Lik to 12 digits.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
from svars_usa import usa

import causalmacro as cm
from causalmacro.errors import ArgumentError
from causalmacro.svar.labelling import label_shocks
from causalmacro.svar.nongaussian import (
    NonGaussian,
    _grad_hess,
    _relative_newton,
    _value,
    student_t_loglik,
)
from causalmacro.svar.reduced_form import fit_reduced_form
from causalmacro.svar.volatility import WeakIdentificationWarning

SVARS_LLF = -548.150225051213
SVARS_DF = np.array([4.643001154189, 5.464837073368, 2.889977284750])
SVARS_DF_SE = np.array([1.675490368, 2.399778445, 0.7202675347])
SVARS_B = np.array([[0.506982240108, -0.295469447913, 0.313317791647],
                    [0.402746129571, 0.926028516931, 0.131820327043],
                    [-0.089522583150, 0.096034442780, 0.784998728604]])
SVARS_SIGMA_SE = np.array([0.06375648061, 0.09693449405, 0.180145437])  # se of diag(B)
SVARS_B_STAND_SE = np.array([[0.0, 0.08663004560, 0.09808353445],
                             [0.2616618241, 0.0, 0.19118419557],
                             [0.1264578590, 0.08121297796, 0.0]])


@pytest.fixture(scope="module")
def usa_fit():
    rf, _ = fit_reduced_form(usa(), 6, "c")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ident = NonGaussian().identify(rf, np.random.default_rng(0))
    return rf, ident


def test_usa_matches_svars(usa_fit):
    _rf, ident = usa_fit
    d = ident.details
    # same optimum: svars' nlm stops 2e-9 short of it
    assert d["llf"] == pytest.approx(SVARS_LLF, abs=1e-8)
    assert d["llf"] >= SVARS_LLF
    # the labelling rule orders and signs the columns as svars prints them
    assert d["labelling"] == {"order": (0, 1, 2), "signs": (1.0, 1.0, 1.0)}
    np.testing.assert_allclose(np.array(ident.impact), SVARS_B, atol=1e-5)
    np.testing.assert_allclose(list(d["df"].values()), SVARS_DF, rtol=5e-5)
    # standard errors: svars inverts nlm's finite-difference Hessian, ours is analytic: within 0.6%
    np.testing.assert_allclose(list(d["df_se"].values()), SVARS_DF_SE, rtol=6e-3)
    np.testing.assert_allclose(np.diag(np.array(d["impact_se"])), SVARS_SIGMA_SE, rtol=6e-3)
    np.testing.assert_allclose(np.array(d["standardized_impact_se"]), SVARS_B_STAND_SE, rtol=2e-3)
    assert d["gaussian_shocks"] == ()
    # normality test: df / se, one-sided
    assert d["normality_test"][2]["statistic"] == pytest.approx(2.889966 / 0.716524, rel=1e-5)


def test_likelihood_at_svars_estimate_equals_svars_lik(usa_fit):
    rf, _ = usa_fit
    assert student_t_loglik(SVARS_B, SVARS_DF, np.asarray(rf.resid)) == pytest.approx(SVARS_LLF, abs=1e-9)


def test_likelihood_by_hand():
    # one observation, K = 1: log of the unit-variance t density at u / b, minus log b
    from scipy import stats
    nu, b, u = 5.0, 2.0, 0.7
    scale = np.sqrt((nu - 2) / nu)
    expect = stats.t.logpdf(u / b / scale, nu) - np.log(scale) - np.log(b)
    assert student_t_loglik(np.array([[b]]), np.array([nu]), np.array([[u]])) == pytest.approx(expect, abs=1e-12)


def test_gradient_and_hessian_match_finite_differences():
    rng = np.random.default_rng(4)
    k, t = 3, 40
    u = rng.standard_t(5, size=(1, t, k))
    w = np.eye(k) + 0.2 * rng.standard_normal((1, k, k))
    nu = np.array([[4.0, 7.0, 3.0]])
    theta = np.concatenate([w.ravel(), nu.ravel()])

    def fun(th):
        return _value(th[: k * k].reshape(1, k, k), th[k * k :][None], u)[0]

    def grad(th):
        return _grad_hess(th[: k * k].reshape(1, k, k), th[k * k :][None], u)[0][0]

    g, h = _grad_hess(w, nu, u)
    eye = np.eye(theta.size) * 1e-6
    num_g = np.array([(fun(theta + e) - fun(theta - e)) / 2e-6 for e in eye])
    num_h = np.array([(grad(theta + e) - grad(theta - e)) / 2e-6 for e in eye])
    np.testing.assert_allclose(g[0], num_g, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(h[0], num_h, rtol=1e-5, atol=1e-4)


def test_recovers_known_impact_from_t4_shocks():
    rng = np.random.default_rng(11)
    k, t = 3, 2000
    b = np.array([[1.0, 0.5, 0.0], [-0.4, 1.0, 0.3], [0.2, -0.3, 1.0]])
    e = rng.standard_t(4, size=(t, k)) / np.sqrt(2.0)
    y = np.zeros((t, k))
    for s in range(1, t):
        y[s] = 0.3 * y[s - 1] + b @ e[s]
    rf, _ = fit_reduced_form(pd.DataFrame(y, columns=["a", "b", "c"]), 1, "c")
    ident = NonGaussian().identify(rf, np.random.default_rng(0))
    se = np.array(ident.details["impact_se"])
    assert np.all(np.abs(np.array(ident.impact) - b) < 3 * se)
    assert np.all(np.abs(np.array(list(ident.details["df"].values())) - 4) < 3 * np.array(
        list(ident.details["df_se"].values())))


def test_two_gaussian_shocks_warn():
    rng = np.random.default_rng(12)
    t = 400
    e = np.column_stack([rng.standard_t(3, t) / np.sqrt(3.0), rng.standard_normal(t), rng.standard_normal(t)])
    rf, _ = fit_reduced_form(pd.DataFrame(e @ np.array([[1, .3, 0], [0, 1, .2], [.1, 0, 1]]).T,
                                          columns=["a", "b", "c"]), 1, "c")
    with pytest.warns(WeakIdentificationWarning) as rec:
        ident = NonGaussian().identify(rf, np.random.default_rng(0))
    gauss = ident.details["gaussian_shocks"]
    assert len(gauss) >= 2 and "a" not in gauss
    assert str(rec[0].message) == (f"shocks {', '.join(gauss)} look Gaussian (df > 30 or normality not rejected at "
                                   "0.05); they are not identified apart")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"max_iter": 0}, "NonGaussian(max_iter=0) must be a positive integer"),
    ({"tol": 0}, "NonGaussian(tol=0) must be positive"),
    ({"alpha": 1.5}, "NonGaussian(alpha=1.5) must lie in (0, 1)"),
    ({"gaussian_df": 2}, "NonGaussian(gaussian_df=2) must exceed 2"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ArgumentError) as err:
        NonGaussian(**kwargs)
    assert str(err.value) == message


def test_svar_by_name_bootstrap_and_saved_results(tmp_path, usa_fit):
    res = cm.SVAR(usa(), lags=6, identification="non_gaussian").fit(rng=0)
    assert isinstance(res.identification, cm.NonGaussian)
    assert res.llf == pytest.approx(SVARS_LLF, abs=1e-8)
    assert res.identification.describe() == {"scheme": "non_gaussian", "max_iter": 50, "tol": 1e-9, "alpha": 0.05,
                                              "gaussian_df": 30.0}
    with pytest.warns(cm.svar.NonGaussianBandsWarning, match=r"covered the shocks' own impact responses 43-63%"):
        draws = res.bootstrap(100, rng=1)
    assert draws.impact.shape[0] == 100 - draws.n_explosive - draws.n_unidentified
    assert draws.n_unidentified <= 5
    assert np.all(np.einsum("rii->ri", draws.impact) > 0)
    # a replication equal to the data: the search starts at the optimum and stays there
    rf = res.reduced_form
    batch, ok = res.identification.identify_batch(np.array(rf.coefs)[None], np.array(rf.sigma_u)[None],
                                                  res.identified, np.random.default_rng(0),
                                                  resid=np.array(rf.resid)[None])
    assert ok.all()
    np.testing.assert_allclose(batch[0], res.identified.impact, atol=1e-7)
    back = cm.load_results(res.save(tmp_path / "ng.zip"))
    assert isinstance(back.identification, NonGaussian) and back.identification.gaussian_df == 30.0
    assert back.llf == pytest.approx(res.llf)
    assert back.identification_details["df"] == res.identification_details["df"]


def test_bootstrap_replication_equals_direct_fit_with_dfs_fixed(usa_fit):
    rf, ident = usa_fit
    rng = np.random.default_rng(3)
    u = np.asarray(rf.resid)
    ur = u[rng.integers(0, u.shape[0], u.shape[0])]
    batch, ok = NonGaussian().identify_batch(np.array(rf.coefs)[None], np.array(rf.sigma_u)[None], ident, rng,
                                             resid=ur[None])
    assert ok.all()
    # direct: maximise the likelihood over B with the dfs at the point, by scipy from the point
    from scipy import optimize
    nu = np.array(list(ident.details["df"].values()))
    opt = optimize.minimize(lambda x: -student_t_loglik(x.reshape(3, 3), nu, ur), np.array(ident.impact).ravel(),
                            method="BFGS", options={"gtol": 1e-8})
    direct = label_shocks(opt.x.reshape(3, 3), np.sqrt(np.diag(np.asarray(rf.sigma_u))))[0]
    np.testing.assert_allclose(batch[0], direct, atol=2e-5)
    _w, _, _, okr = _relative_newton(np.linalg.inv(opt.x.reshape(3, 3))[None], nu[None], ur[None], 50, 1e-9)
    assert okr.all()


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_live_svars_reference():
    script = ("if (!requireNamespace('svars', quietly = TRUE)) quit(status = 3);"
              "suppressMessages(library(svars)); data(USA); x <- id.ngml(vars::VAR(USA, p = 6, type = 'const'));"
              "cat(sprintf('%.12f', c(x$Lik, x$df, x$B)), sep = '\\n')")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=120)
    if out.returncode == 3:
        pytest.skip("R package svars is not installed")
    assert out.returncode == 0, out.stderr
    vals = np.array([float(v) for v in out.stdout.split()])
    rf, _ = fit_reduced_form(usa(), 6, "c")
    ref_b = vals[4:].reshape(3, 3, order="F")
    assert student_t_loglik(ref_b, vals[1:4], np.asarray(rf.resid)) == pytest.approx(vals[0], abs=1e-9)
    ident = NonGaussian().identify(rf, np.random.default_rng(0))
    assert ident.details["llf"] == pytest.approx(vals[0], abs=1e-8)
    np.testing.assert_allclose(np.array(ident.impact), ref_b, atol=1e-5)
