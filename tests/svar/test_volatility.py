"""Changes-in-volatility identification and the shock-labelling rule.

Reference: R svars 1.3.11 ``id.cv`` on its ``USA`` data (tests/data/svars_usa.csv), printed by

    library(svars); data(USA)
    v <- vars::VAR(USA, p = 6, type = "const")
    x <- id.cv(v, SB = 59); options(digits = 10); summary(x)

Observation 59 of the data is 1979Q3, residual 52 (0-based) of the effective sample.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from svars_usa import usa

import causalmacro as cm
from causalmacro.errors import ArgumentError
from causalmacro.svar.labelling import label_shocks
from causalmacro.svar.reduced_form import fit_reduced_form
from causalmacro.svar.volatility import (
    ChangesInVolatility,
    WeakIdentificationWarning,
    _negll_grad,
    _two_regime,
    volatility_loglik,
)

# svars 1.3.11 summary(id.cv(VAR(USA, p = 6, type = "const"), SB = 59))
SVARS_LLF = -564.2993745
SVARS_LAMBDA = np.array([0.3925905885, 0.191641011, 1.24434847])
SVARS_LAMBDA_SE = np.array([0.09265819458, 0.04527263788, 0.2935572133])
SVARS_B = np.array([[0.6119330027, -0.5931964492, 0.2241237445],
                    [0.7555939989, 1.2987519716, 0.1131133992],
                    [-0.0289991638, 0.1572953235, 0.7084709422]])
SVARS_B_SE = np.array([[0.1330924316, 0.1955350391, 0.07101215281],
                       [0.2498464967, 0.2600375132, 0.09960246110],
                       [0.1559671554, 0.1213446316, 0.07004431202]])
# Lütkepohl-Netšunajev tests on the ordered ratios: (ranks, statistic, dof, p-value)
SVARS_LN = [((1, 2), 5.382796613, 2, 0.06778608734), ((1, 2, 3), 15.058604031, 5, 0.01011484510),
            ((2, 3), 2.146543622, 2, 0.34188809231)]


@pytest.fixture(scope="module")
def usa_fit():
    rf, _ = fit_reduced_form(usa(), 6, "c")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ident = ChangesInVolatility(breaks=["1979Q3"]).identify(rf, np.random.default_rng(0))
    return rf, ident, rec


def _match_columns(b: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``b`` with columns permuted and signed to line up with ``ref``."""
    out = np.empty_like(b)
    for j in range(ref.shape[1]):
        i = int(np.argmax(np.abs(b.T @ ref[:, j]) / np.linalg.norm(b, axis=0)))
        out[:, j] = b[:, i] * np.sign(b[:, i] @ ref[:, j])
    return out


def test_usa_matches_svars_likelihood_ratios_and_impact(usa_fit):
    _rf, ident, _ = usa_fit
    d = ident.details
    # the ML is closed form per GLS round and svars iterates until the likelihood stops rising: all 10 printed digits
    assert d["llf"] == pytest.approx(SVARS_LLF, abs=1e-6)
    ratios = np.array(list(d["variance_ratios"]["1979Q3"].values()))
    np.testing.assert_allclose(np.sort(ratios), np.sort(SVARS_LAMBDA), rtol=1e-5)  # nlm's optimum, ~6 digits
    b = _match_columns(np.array(ident.impact), SVARS_B)
    np.testing.assert_allclose(b, SVARS_B, atol=2e-6)
    # standard errors: svars takes nlm's finite-difference Hessian, ours is a finer one: agree to 0.3%
    order = [int(np.argmin(np.abs(ratios - lam))) for lam in SVARS_LAMBDA]
    se = np.array(list(d["variance_ratio_se"]["1979Q3"].values()))[order]
    np.testing.assert_allclose(se, SVARS_LAMBDA_SE, rtol=3e-3)
    np.testing.assert_allclose(np.array(d["impact_se"])[:, order], SVARS_B_SE, rtol=3e-3)
    for got, (ranks, stat, dof, pval) in zip(d["ln_test"], SVARS_LN, strict=True):
        assert tuple(got["ranks"]) == ranks and got["dof"] == dof
        assert got["statistic"] == pytest.approx(stat, rel=2e-5)
        assert got["pvalue"] == pytest.approx(pval, rel=1e-4)


def test_usa_warns_output_gap_and_inflation_ratios_not_distinct(usa_fit):
    _, ident, rec = usa_fit
    msgs = [str(w.message) for w in rec if issubclass(w.category, WeakIdentificationWarning)]
    assert msgs == ["variance ratios not distinct at 0.05: x/pi (p = 0.05); these shocks are not identified apart"]
    assert ident.details["weak_pairs"] == (("x", "pi"),)
    pairs = {tuple(t["shocks"]): t["pvalue"] for t in ident.details["distinct_test"]}
    assert pairs[("x", "pi")] > 0.05 > pairs[("x", "i")]


def test_point_solves_the_regime_covariances(usa_fit):
    _rf, ident, _ = usa_fit
    b = np.array(ident.impact)
    labels = np.array(ident.details["regime_path"])
    assert (labels == 0).sum() == 52 and (labels == 1).sum() == 117
    ratios = np.array(list(ident.details["variance_ratios"]["1979Q3"].values()))
    # diag of labelled B positive: each shock raises its own variable
    assert np.all(np.diag(b) > 0)
    # B Lambda B' reproduces the second regime's covariance at the GLS fit: llf equals the saturated one
    sig = np.stack([np.eye(3), np.eye(3)])
    assert volatility_loglik(b, np.vstack([np.ones(3), ratios]), np.stack([b @ b.T, b @ np.diag(ratios) @ b.T]),
                             np.array([52.0, 117.0])) == pytest.approx(ident.details["llf"], abs=1e-6)
    assert sig.shape == (2, 3, 3)


def test_two_regime_closed_form_is_simultaneous_diagonalisation():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((5, 4, 4))
    s1 = a @ np.swapaxes(a, 1, 2) + np.eye(4)
    c = rng.standard_normal((5, 4, 4))
    s2 = c @ np.swapaxes(c, 1, 2) + np.eye(4)
    b, w = _two_regime(s1, s2)
    np.testing.assert_allclose(b @ np.swapaxes(b, 1, 2), s1, atol=1e-10)
    np.testing.assert_allclose(np.einsum("rij,rj,rkj->rik", b, w, b), s2, atol=1e-10)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    k, m = 3, 3
    sig = np.stack([np.cov(rng.standard_normal((4, 50))[:k]) + np.eye(k) for _ in range(m)])
    theta = rng.standard_normal(k * k + (m - 1) * k) * 0.3 + np.r_[np.eye(k).ravel(), np.zeros((m - 1) * k)]
    nobs = np.array([40.0, 30.0, 50.0])
    _f, g = _negll_grad(theta, sig, nobs, k)
    num = np.array([(_negll_grad(theta + e, sig, nobs, k)[0] - _negll_grad(theta - e, sig, nobs, k)[0]) / 2e-6
                    for e in np.eye(theta.size) * 1e-6])
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-5)


def test_labelling_recovers_permuted_sign_flipped_matrix():
    b = np.array([[1.0, 0.3, -0.2, 0.0], [0.5, 2.0, 0.1, 0.4], [0.0, -0.6, 0.8, 0.2], [0.2, 0.1, 0.3, 5.0]])
    scale = np.array([1.0, 2.0, 1.0, 4.0])
    perm = np.array([2, 0, 3, 1])
    flips = np.array([-1.0, 1.0, -1.0, -1.0])
    lab, order, signs = label_shocks(b[:, perm] * flips, scale)
    np.testing.assert_array_equal(lab, b)
    np.testing.assert_array_equal(perm[order], np.arange(4))
    np.testing.assert_array_equal(signs, flips[order])


def test_labelling_scales_rows_before_assigning():
    # unscaled, column 0 moves variable 1 most (10 > 2); per unit of variable 1's noise (sd 100) it is variable 0's
    b = np.array([[1.0, 0.1], [10.0, 2.0]])
    lab_scaled, order, _ = label_shocks(b, np.array([1.0, 100.0]))
    np.testing.assert_array_equal(order, [0, 1])
    np.testing.assert_array_equal(label_shocks(b, np.ones(2))[1], [1, 0])
    assert lab_scaled[1, 1] == 2.0


def test_svar_end_to_end_bootstrap_llf_and_saved_results(tmp_path):
    with pytest.warns(WeakIdentificationWarning):
        res = cm.SVAR(usa(), lags=6, identification="volatility", breaks=[52]).fit(rng=0)
    assert res.llf == pytest.approx(SVARS_LLF, abs=1e-6)
    assert res.identification_details["variance_ratios"]["1979Q3"]["i"] == pytest.approx(1.24434, rel=1e-5)
    t0 = time.perf_counter()
    draws = res.bootstrap(200, rng=1)
    elapsed = time.perf_counter() - t0
    assert draws.impact.shape == (200 - draws.n_explosive - draws.n_unidentified, 3, 3)
    assert np.all(np.einsum("rii->ri", draws.impact) > 0)
    assert elapsed < 20
    # a replication equal to the data gives back the OLS-residual closed form (no GLS rounds in the bootstrap)
    rf = res.reduced_form
    ident = res.identification
    batch, ok = ident.identify_batch(np.array(rf.coefs)[None], np.array(rf.sigma_u)[None], res.identified,
                                     np.random.default_rng(0), resid=np.array(rf.resid)[None])
    u = np.array(rf.resid)
    b, _w = _two_regime(u[:52].T @ u[:52] / 52, u[52:].T @ u[52:] / 117)
    assert ok.all()
    np.testing.assert_allclose(batch[0], label_shocks(b, np.sqrt(np.diag(rf.sigma_u)))[0], atol=1e-12)
    back = cm.load_results(res.save(tmp_path / "cv.zip"))
    assert back.identification.breaks == (52,)
    assert back.llf == pytest.approx(res.llf)


def test_regimes_series_three_regimes_recovers_known_impact():
    rng = np.random.default_rng(3)
    k, t = 3, 3000
    b = np.array([[1.0, 0.5, 0.0], [-0.4, 1.0, 0.3], [0.2, -0.3, 1.0]])
    lam = np.array([[1, 1, 1], [3.0, 0.5, 1.5], [0.4, 2.0, 4.0]])
    reg = np.repeat([0, 1, 2], t // 3)
    e = rng.standard_normal((t, k)) * np.sqrt(lam[reg])
    y = np.zeros((t, k))
    u = e @ b.T
    for s in range(1, t):
        y[s] = 0.3 * y[s - 1] + u[s]
    idx = pd.period_range("1800-01", periods=t, freq="M")
    labels = pd.Series(np.array(["calm", "storm", "mania"])[reg], index=idx)
    rf, _ = fit_reduced_form(pd.DataFrame(y, index=idx, columns=["a", "b", "c"]), 1, "c")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ident = ChangesInVolatility(regimes=labels).identify(rf, np.random.default_rng(0))
    se = np.array(ident.details["impact_se"])
    assert np.all(np.abs(np.array(ident.impact) - b) < 3 * se)
    assert ident.details["variance_ratios"]["mania"]["c"] == pytest.approx(4.0, rel=0.15)
    batch, ok = ChangesInVolatility(regimes=labels).identify_batch(
        np.array(rf.coefs)[None], np.array(rf.sigma_u)[None], ident, np.random.default_rng(0),
        resid=np.array(rf.resid)[None])
    assert ok.all() and np.allclose(batch[0], b, atol=0.1)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "ChangesInVolatility takes exactly one of breaks= and regimes="),
    ({"breaks": [1], "regimes": pd.Series(dtype=str)}, "ChangesInVolatility takes exactly one of breaks= and regimes="),
    ({"breaks": []}, "ChangesInVolatility(breaks=) is empty; give at least one break date or position"),
    ({"regimes": [1, 2]}, "ChangesInVolatility(regimes=) takes a pandas Series of labels by date, not list"),
    ({"breaks": [3], "tol": 0}, "ChangesInVolatility(tol=0) must be positive"),
])
def test_constructor_errors(kwargs, message):
    with pytest.raises(ArgumentError) as err:
        ChangesInVolatility(**kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(("ident", "message"), [
    (ChangesInVolatility(breaks=["2009Q1"]),
     "break date 2009Q1 outside the effective sample 1966Q3 .. 2008Q3 (a break must leave observations on both sides)"),
    (ChangesInVolatility(breaks=[168]), "volatility regime '2008Q3' has 1 observations in the effective sample; "
                                         "at least K + 1 = 4 are needed"),
    (ChangesInVolatility(breaks=[0]), "break position 0 outside 1..168 of the effective sample"),
    (ChangesInVolatility(regimes=pd.Series("a", index=pd.period_range("1970Q1", "2008Q3", freq="Q"))),
     "ChangesInVolatility(regimes=) does not cover 14 dates of the effective sample: 1966Q3, 1966Q4, 1967Q1, ... 1969Q4"),
])
def test_sample_errors(ident, message):
    rf, _ = fit_reduced_form(usa(), 6, "c")
    with pytest.raises(ArgumentError) as err:
        ident.regime_labels(rf)
    assert str(err.value) == message


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_live_svars_reference():
    script = ("if (!requireNamespace('svars', quietly = TRUE)) quit(status = 3);"
              "suppressMessages(library(svars)); data(USA); x <- id.cv(vars::VAR(USA, p = 6, type = 'const'), SB = 59);"
              "cat(sprintf('%.10f', c(x$Lik, diag(x$Lambda), x$B)), sep = '\\n')")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=120)
    if out.returncode == 3:
        pytest.skip("R package svars is not installed")
    assert out.returncode == 0, out.stderr
    vals = np.array([float(v) for v in out.stdout.split()])
    rf, _ = fit_reduced_form(usa(), 6, "c")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakIdentificationWarning)
        ident = ChangesInVolatility(breaks=[52]).identify(rf, np.random.default_rng(0))
    assert ident.details["llf"] == pytest.approx(vals[0], abs=1e-6)
    ref_b = vals[4:].reshape(3, 3, order="F")
    np.testing.assert_allclose(_match_columns(np.array(ident.impact), ref_b), ref_b, atol=2e-6)


@pytest.mark.filterwarnings("ignore::causalmacro.svar.WeakIdentificationWarning")  # 12 periods: weak by design
def test_gls_rounds_that_degenerate_stop_at_the_ml_on_ols_residuals() -> None:
    """A 12-month stress regime against 11 coefficients per equation: re-weighting it by its inverse variance lets
    GLS fit it exactly in one direction, a variance ratio goes to 0 and the likelihood has no maximum. The scheme
    stops, warns, and returns the first step: with two regimes the ML on the OLS residuals is closed form, the
    variance ratios are the generalised eigenvalues of the two regimes' residual covariances."""
    import scipy.linalg

    from causalmacro.svar import DegenerateLikelihoodWarning

    rng = np.random.default_rng(1)
    t, k = 132, 5
    idx = pd.date_range("2015-01", periods=t, freq="MS")
    stress = np.zeros(t, bool)
    stress[62:66] = stress[88:96] = True
    b = np.eye(k) + 0.3 * rng.standard_normal((k, k))
    e = rng.standard_normal((t, k)) * np.sqrt(np.where(stress[:, None], np.array([0.5, 2, 4, 9, 16]), 1.0))
    y = np.zeros((t, k))
    for i in range(2, t):
        y[i] = 0.4 * y[i - 1] + 0.1 * y[i - 2] + e[i] @ b.T
    df = pd.DataFrame(y, index=idx, columns=list("abcde"))
    regimes = pd.Series(np.where(stress, "stress", "calm"), index=idx)
    with pytest.warns(DegenerateLikelihoodWarning, match=r"regime 'stress' \(12 periods, 11 coefficients per "
                                                          r"equation\) to .* the estimate is the ML on the OLS"):
        res = cm.SVAR(df, lags=2, identification=cm.ChangesInVolatility(regimes=regimes)).fit()
    det = res.identification_details
    assert det["gls_rounds"] == 0 and "GLS rounds drove" in det["gls_stopped"]
    u = np.asarray(res.reduced_form.resid)
    s = stress[2:]
    calm, hot = (u[m].T @ u[m] / m.sum() for m in (~s, s))  # residuals about zero, as the likelihood has them
    np.testing.assert_allclose(sorted(det["variance_ratios"]["stress"].values()),
                               np.sort(scipy.linalg.eigh(hot, calm, eigvals_only=True)), rtol=1e-6)
