"""A/B standard errors, the over-identification test and the long-run impact matrix.

References for the checks:

* The A/B covariance (Lütkepohl 2005, Prop. 9.3) is compared with the inverse of a
  central-difference Hessian of the Gaussian log-likelihood written out here
  independently, :math:`-\\tfrac{T}{2}(\\log|\\Sigma(\\theta)| + \\operatorname{tr}\\Sigma(\\theta)^{-1}\\hat\\Sigma)`.
  Step ``h = 1e-4`` on an O(1) per-observation objective: truncation error
  O(h^2) ~ 1e-8 and rounding O(eps / h^2) ~ 1e-8, so standard errors agree to
  ~1e-6; the tolerance is ``rtol=1e-5``.
* Exactly identified models: the observed Hessian at the optimum equals the
  information matrix (the terms in :math:`\\hat\\Sigma - \\Sigma(\\hat\\theta)` vanish).
  Over-identified models: the information matrix is the expected Hessian, i.e. the
  Hessian with :math:`\\hat\\Sigma` replaced by :math:`\\Sigma(\\hat\\theta)` (checked to
  ``1e-5``); the observed Hessian differs by terms linear in
  :math:`\\hat\\Sigma - \\Sigma(\\hat\\theta) = O_p(T^{-1/2})` when the restrictions hold
  (T = 2000, LR about 1: measured relative gap 2.2e-4 for the B-model and 1e-7 for
  the AB-model, held to 5e-3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.vector_ar.var_model import VAR
from svar_sim import TRUE_A, simulate_svar

from causalmacro.errors import DataError
from causalmacro.svar import SVAR, IdentificationError, ShortRun
from causalmacro.svar.inference import ab_information, ab_standard_errors
from causalmacro.svar.short_run import parse_pattern

# non-triangular truth; its zeros make the B-model below over-identified by one
TRUE_B = np.array([[1.0, 0.4, 0.0], [0.0, 0.8, 0.0], [-0.3, 0.0, 0.6]])
B_OVER = [["*", "*", 0], [0, "*", 0], ["*", 0, "*"]]
A_UNIT_LOWER = [[1, 0, 0], ["*", 1, 0], ["*", "*", 1]]
# AB-model with a31 = 0 and diagonal B: five free entries, over-identified by one
A_OVER = [[1, 0, 0], ["*", 1, 0], [0, "*", 1]]
MODELS = {
    "exact_ab": ShortRun(A=A_UNIT_LOWER),
    "over_b": ShortRun(B=B_OVER),
    "over_ab": ShortRun(A=A_OVER),
}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    # truth for over_ab: A^{-1} B with a31 = 0 holds by construction
    a_true = np.array([[1.0, 0.0, 0.0], [-0.5, 1.0, 0.0], [0.0, 0.4, 1.0]])
    b_true = np.diag([1.0, 0.8, 0.6])
    rng = np.random.default_rng(5)
    return {
        "exact_ab": simulate_svar(TRUE_A, np.linalg.solve(a_true, b_true), 2000, rng),
        "over_b": simulate_svar(TRUE_A, TRUE_B, 2000, rng),
        "over_ab": simulate_svar(TRUE_A, np.linalg.solve(a_true, b_true), 2000, rng),
    }


def _neg_loglike(theta: np.ndarray, a_pat: np.ndarray, b_pat: np.ndarray, sigma_hat: np.ndarray) -> float:
    """Per-observation negative Gaussian log-likelihood in Sigma(theta), written from scratch."""
    a, b = a_pat.copy(), b_pat.copy()
    na = int(np.isnan(a_pat).sum())
    a[np.isnan(a_pat)] = theta[:na]
    b[np.isnan(b_pat)] = theta[na:]
    c = np.linalg.inv(a) @ b
    s = c @ c.T
    return 0.5 * (np.log(np.linalg.det(s)) + np.trace(np.linalg.inv(s) @ sigma_hat))


def _hessian(f, x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    n = x.size
    out = np.empty((n, n))
    e = np.eye(n) * h
    for i in range(n):
        for j in range(n):
            out[i, j] = (f(x + e[i] + e[j]) - f(x + e[i] - e[j]) - f(x - e[i] + e[j]) + f(x - e[i] - e[j])) / (4 * h * h)
    return 0.5 * (out + out.T)


def _theta(res) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a_pat, b_pat = res.identification.patterns(3)
    a, b = res.A.to_numpy(), res.B.to_numpy()
    return np.concatenate([a[np.isnan(a_pat)], b[np.isnan(b_pat)]]), a_pat, b_pat


@pytest.mark.parametrize("model", list(MODELS))
def test_ab_se_equal_inverse_expected_hessian(data, model: str) -> None:
    """Standard errors = sqrt diag of the inverse numerical expected Hessian (rtol 1e-5)."""
    res = SVAR(data[model], lags=1, identification=MODELS[model]).fit()
    theta, a_pat, b_pat = _theta(res)
    implied = np.linalg.solve(res.A.to_numpy(), res.B.to_numpy())
    implied = implied @ implied.T
    hess = _hessian(lambda t: _neg_loglike(t, a_pat, b_pat, implied), theta)
    cov = np.linalg.inv(res.nobs * hess)
    assert_allclose(res.ab_cov.to_numpy(), cov, rtol=1e-5, atol=1e-5 * np.abs(cov).max())
    se = np.sqrt(np.diag(cov))
    got = np.concatenate([res.A_se.to_numpy()[np.isnan(a_pat)], res.B_se.to_numpy()[np.isnan(b_pat)]])
    assert_allclose(got, se, rtol=1e-5)


@pytest.mark.parametrize("model", list(MODELS))
def test_ab_se_against_observed_hessian(data, model: str) -> None:
    """Inverse observed Hessian of the concentrated log-likelihood at the optimum.

    Exactly identified: equal to rtol 1e-5 (the optimum fits Sigma exactly).
    Over-identified with true restrictions: rtol 5e-3 (O(T^{-1/2}) gap, see module docstring).
    """
    res = SVAR(data[model], lags=1, identification=MODELS[model]).fit()
    theta, a_pat, b_pat = _theta(res)
    sigma_hat = res.sigma_u.to_numpy()
    hess = _hessian(lambda t: _neg_loglike(t, a_pat, b_pat, sigma_hat), theta)
    se = np.sqrt(np.diag(np.linalg.inv(res.nobs * hess)))
    got = np.concatenate([res.A_se.to_numpy()[np.isnan(a_pat)], res.B_se.to_numpy()[np.isnan(b_pat)]])
    exact = res.overid_test is None
    assert exact == (model == "exact_ab")
    assert_allclose(got, se, rtol=1e-5 if exact else 5e-3)


def test_cholesky_ab_model_hand_values(data) -> None:
    """A-model with diagonal B: se(b_ii) = b_ii / sqrt(2T) and A, B blocks uncorrelated (1e-10).

    For the recursive AB-model each equation's residual variance is estimated
    independently, so :math:`\\operatorname{Var}(\\hat b_{ii}) = b_{ii}^2 / (2T)`.
    """
    res = SVAR(data["exact_ab"], lags=1, identification=MODELS["exact_ab"]).fit()
    b = np.diag(res.B.to_numpy())
    assert_allclose(np.diag(res.B_se.to_numpy()), b / np.sqrt(2 * res.nobs), rtol=1e-10)
    cov = res.ab_cov
    assert_allclose(cov.loc[[c for c in cov.index if c.startswith("A")], [c for c in cov if c.startswith("B")]],
                    0.0, atol=1e-14)
    # fixed entries get standard error exactly 0, as R's vars::SVAR
    a_pat, b_pat = res.identification.patterns(3)
    assert (res.A_se.to_numpy()[~np.isnan(a_pat)] == 0).all()
    assert (res.B_se.to_numpy()[~np.isnan(b_pat)] == 0).all()
    assert list(res.A.index) == list(res.A.columns) == ["y0", "y1", "y2"]
    assert list(cov.index) == ["A[y1,y0]", "A[y2,y0]", "A[y2,y1]", "B[y0,y0]", "B[y1,y1]", "B[y2,y2]"]
    # the impact matrix is A^{-1} B
    assert_allclose(res.impact.to_numpy(), np.linalg.solve(res.A.to_numpy(), res.B.to_numpy()), atol=1e-12)


def test_se_invariant_to_sign_normalisation() -> None:
    """Flipping a column of B or (with diagonal B) a row of A leaves all SEs unchanged (1e-12)."""
    b_pat = parse_pattern(B_OVER, 3, "B", "diagonal")
    b = TRUE_B
    a_pat = np.eye(3)  # B-model: A fixed at I
    base = ab_standard_errors(np.eye(3), b, a_pat, b_pat, 500)
    for j in range(3):
        flipped = b.copy()
        flipped[:, j] *= -1
        other = ab_standard_errors(np.eye(3), flipped, a_pat, b_pat, 500)
        assert_allclose(other[1], base[1], rtol=1e-12)
    # A-model (B = I fixed): the normaliser flips rows of A
    a_pat = parse_pattern([["*", "*", 0], [0, "*", 0], ["*", 0, "*"]], 3, "A", "identity")
    b_fixed = np.eye(3)
    a_model = np.linalg.inv(TRUE_B)
    base = ab_standard_errors(a_model, b_fixed, a_pat, b_fixed, 500)
    for j in range(3):
        flipped = a_model.copy()
        flipped[j] *= -1
        assert_allclose(ab_standard_errors(flipped, b_fixed, a_pat, b_fixed, 500)[0], base[0], rtol=1e-12)


def test_fitted_impact_has_positive_diagonal_and_se_follow(data) -> None:
    """The fitted (sign-normalised) model: positive impact diagonal, SEs from the normalised A, B."""
    res = SVAR(data["over_b"], lags=1, identification=MODELS["over_b"]).fit()
    assert res.identified.details["signs_normalised"]
    assert (np.diag(res.impact.to_numpy()) > 0).all()
    info = ab_information(res.A.to_numpy(), res.B.to_numpy(), *res.identification.patterns(3))
    assert_allclose(res.ab_cov.to_numpy(), np.linalg.inv(res.nobs * info), rtol=1e-12)


def test_overid_lr_test(data) -> None:
    """LR = T (log|Sigma(theta)| - log|Sigma_hat|) ~ chi2(6 - 5), recomputed here (1e-10)."""
    res = SVAR(data["over_b"], lags=1, identification=MODELS["over_b"]).fit()
    t = res.overid_test
    assert t is not None
    c = res.impact.to_numpy()
    lr = res.nobs * (np.log(np.linalg.det(c @ c.T)) - np.log(np.linalg.det(res.sigma_u.to_numpy())))
    assert_allclose(t.statistic, lr, rtol=1e-10)
    assert t.df == (1.0,) and t.distribution == "chi2"
    from scipy import stats

    assert_allclose(t.pvalue, stats.chi2.sf(lr, 1), rtol=1e-10)
    assert "over-identifying" in t.null
    assert SVAR(data["exact_ab"], lags=1).fit().overid_test is None


@pytest.mark.parametrize("scheme", ["recursive", "long_run"])
def test_ab_only_for_short_run(macro_growth: pd.DataFrame, scheme: str) -> None:
    res = SVAR(macro_growth, lags=2, identification=scheme).fit()  # type: ignore[arg-type]
    for attr in ("A", "B", "A_se", "B_se", "ab_cov"):
        with pytest.raises(IdentificationError, match="only for identification='short_run'") as info:
            getattr(res, attr)
        assert "\n" not in str(info.value)


# ------------------------------------------------------------------ long run
def test_long_run_identification_is_lower_triangular(macro_growth: pd.DataFrame) -> None:
    """Under LongRun the total impact is chol(Xi Sigma Xi') (statsmodels' coefs, 1e-10)."""
    res = SVAR(macro_growth, lags=2, identification="long_run").fit()
    lr = res.long_run
    assert list(lr.index) == list(lr.columns) == list(macro_growth.columns)
    m = lr.to_numpy()
    assert np.abs(m[np.triu_indices(3, 1)]).max() < 1e-12
    assert (np.diag(m) > 0).all()
    ref = VAR(macro_growth.to_numpy()).fit(2)
    xi = np.linalg.inv(np.eye(3) - ref.coefs.sum(axis=0))
    assert_allclose(m, np.linalg.cholesky(xi @ ref.sigma_u @ xi.T), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("scheme", ["recursive", "long_run"])
def test_long_run_equals_cumulative_irf(macro_growth: pd.DataFrame, scheme: str) -> None:
    """Total impact = accumulated IRF at horizon 2000 (largest root ~0.6, tail < 1e-300), atol 1e-8."""
    res = SVAR(macro_growth, lags=2, identification=scheme).fit()  # type: ignore[arg-type]
    cum = res.irf(2000, cumulative=True).isel(horizon=-1).sel(bound="point").to_numpy()
    assert_allclose(res.long_run.to_numpy(), cum, rtol=0, atol=1e-8)


def test_long_run_explosive_raises() -> None:
    a = np.array([[[1.03, 0.0], [0.1, 0.5]]])
    data = simulate_svar(a, np.eye(2), 150, np.random.default_rng(0), burn=0) + 1.0
    with pytest.warns(RuntimeWarning, match="explosive"):
        res = SVAR(data, lags=1).fit()
    with pytest.raises(DataError, match="long_run needs a stable VAR"):
        _ = res.long_run


# ------------------------------------------------------- criteria, residuals
@pytest.mark.parametrize(("lags", "trend"), [(1, "c"), (2, "n"), (3, "ct")])
def test_information_criteria_and_resid(macro_growth: pd.DataFrame, lags: int, trend: str) -> None:
    """aic/bic/hqic/fpe/llf equal statsmodels (rtol 1e-10) and the textbook formulas (1e-10)."""
    res = SVAR(macro_growth, lags=lags, trend=trend).fit()  # type: ignore[arg-type]
    ref = VAR(macro_growth.to_numpy()).fit(lags, trend=trend)
    for name in ("aic", "bic", "hqic", "fpe", "llf"):
        assert_allclose(getattr(res, name), getattr(ref, name), rtol=1e-10)
    # Lütkepohl (2005, sec. 4.3): log|Sigma_ml| + penalty * (K^2 p + K k_trend) / T
    t, k = res.nobs, 3
    u = res.resid.to_numpy()
    logdet = np.linalg.slogdet(u.T @ u / t)[1]
    n_par = k * k * lags + k * {"n": 0, "c": 1, "ct": 2}[trend]
    assert_allclose(res.aic, logdet + 2 * n_par / t, rtol=1e-10)
    assert_allclose(res.bic, logdet + np.log(t) * n_par / t, rtol=1e-10)
    assert_allclose(res.hqic, logdet + 2 * np.log(np.log(t)) * n_par / t, rtol=1e-10)
    assert_allclose(res.llf, -t / 2 * (k * np.log(2 * np.pi) + logdet + k), rtol=1e-10)
    assert list(res.resid.columns) == list(macro_growth.columns)
    assert res.resid.index.equals(macro_growth.index[lags:])
    assert_allclose(res.resid.to_numpy(), ref.resid, rtol=0, atol=1e-14)

