"""Short-run A/B, sign and long-run identification on simulated structural VARs.

Truth is known by construction (``svar_sim.TRUE_A``, ``TRUE_B0INV``), so these are
recovery tests; tolerances shrink with the sample as ``1/sqrt(T)``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.tsa.vector_ar.svar_model import SVAR as SMSVAR
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro.errors import ArgumentError
from causalmacro.svar import (
    SVAR,
    IdentificationError,
    LongRun,
    Recursive,
    ShortRun,
    SignRestrictions,
)
from causalmacro.svar.dynamics import structural_irf

# B-model with the same zeros as the Cholesky factor, plus an A-model version
B_LOWER = [["*", 0, 0], ["*", "*", 0], ["*", "*", "*"]]
A_UNIT_LOWER = [[1, 0, 0], ["*", 1, 0], ["*", "*", 1]]


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    return simulate_svar(TRUE_A, TRUE_B0INV, 5000, np.random.default_rng(11))


def test_b_model_equals_recursive(big: pd.DataFrame) -> None:
    rec = SVAR(big, lags=1).fit()
    ab = SVAR(big, lags=1, identification="short_run", B=B_LOWER).fit()
    assert_allclose(ab.impact.to_numpy(), rec.impact.to_numpy(), rtol=1e-6, atol=1e-8)
    a_model = SVAR(big, lags=1, identification=ShortRun(A=A_UNIT_LOWER)).fit()
    assert_allclose(a_model.impact.to_numpy(), rec.impact.to_numpy(), rtol=1e-6, atol=1e-8)
    assert ab.identified.details["converged"]


def test_short_run_recovery_improves_with_t() -> None:
    """A/B estimates approach the true IRFs as T grows (non-triangular truth)."""
    impact = np.array([[1.0, 0.4, 0.0], [0.0, 0.8, 0.0], [-0.3, 0.0, 0.6]])
    # zeros of the truth: B has [0,2], [1,0], [1,2], [2,1] zero
    pattern = [["*", "*", 0], [0, "*", 0], ["*", 0, "*"]]
    truth = structural_irf(TRUE_A, impact, 8)
    errs = []
    for nobs in (300, 3000, 30000):
        data = simulate_svar(TRUE_A, impact, nobs, np.random.default_rng(nobs + 1))
        res = SVAR(data, lags=1, identification=ShortRun(B=pattern)).fit()
        errs.append(float(np.abs(res.irf(8).sel(bound="point").to_numpy() - truth).max()))
        assert "overid_lr" not in res.identified.details or res.identified.details["overid_lr"]["df"] >= 0
    assert errs[0] > errs[2] and errs[1] > errs[2]
    assert errs[2] < 0.05


def test_short_run_agrees_with_statsmodels_bfgs(big: pd.DataFrame) -> None:
    """statsmodels' SVAR with solver='bfgs' finds the same A-model (up to its missing sign normalisation)."""
    a_pat = np.array([[1, 0, 0], ["E", 1, 0], ["E", "E", 1]], dtype=object)
    b_pat = np.array([["E", 0, 0], [0, "E", 0], [0, 0, "E"]], dtype=object)
    ref = SMSVAR(big.to_numpy(), svar_type="AB", A=a_pat, B=b_pat).fit(maxlags=1, solver="bfgs")
    ours = SVAR(big, lags=1, identification=ShortRun(A=A_UNIT_LOWER)).fit()
    ref_impact = np.linalg.solve(ref.A, ref.B)
    ref_impact = ref_impact * np.sign(np.diag(ref_impact))
    assert_allclose(ours.impact.to_numpy(), ref_impact, rtol=1e-3, atol=1e-4)


def test_short_run_errors() -> None:
    data = simulate_svar(TRUE_A, TRUE_B0INV, 300, np.random.default_rng(1))
    with pytest.raises(IdentificationError, match="at most 6"):
        SVAR(data, lags=1, identification="short_run", B=[["*"] * 3] * 3).fit()
    # 6 free entries but two columns equal in pattern and scale-free -> rank failure
    rank_fail = [["*", "*", 0], ["*", "*", 0], [0, 0, "*"]]
    with pytest.raises(IdentificationError, match="rank condition"):
        SVAR(data, lags=1, identification=ShortRun(B=rank_fail)).fit()
    with pytest.raises(ArgumentError, match="3x3"):
        SVAR(data, lags=1, identification=ShortRun(B=[["*", 0], [0, "*"]])).fit()
    with pytest.raises(ArgumentError, match="'x'"):
        SVAR(data, lags=1, identification=ShortRun(B=[["x", 0, 0], [0, "*", 0], [0, 0, "*"]])).fit()


def test_short_run_bootstrap_bands(big: pd.DataFrame) -> None:
    res = SVAR(big.iloc[:400], lags=1, identification=ShortRun(B=B_LOWER)).fit()
    irf = res.irf(4, bands="residual", reps=40, rng=0)
    rec = SVAR(big.iloc[:400], lags=1).fit().irf(4, bands="residual", reps=40, rng=0)
    assert irf.attrs["reps_kept"] == 40
    assert_allclose(irf.to_numpy(), rec.to_numpy(), rtol=1e-5, atol=1e-6)


SIGNS = {"y0": {"y0": 1, "y1": 1, "y2": -1}, "y1": {"y1": 1, "y2": 1}}


def test_sign_set_contains_truth(big: pd.DataFrame) -> None:
    res = SVAR(big, lags=1, identification=SignRestrictions(signs=SIGNS, draws=4000)).fit(rng=0)
    det = res.identified.details
    assert 0 < det["acceptance_rate"] < 1
    band = res.irf(6, bands="set", level=0.99)
    truth = structural_irf(TRUE_A, TRUE_B0INV, 6)
    for shock in ("y0", "y1"):
        j = res.names.index(shock)
        lo = band.sel(bound="lower", shock=shock).to_numpy()
        hi = band.sel(bound="upper", shock=shock).to_numpy()
        assert np.all(lo - 0.05 <= truth[:, :, j]) and np.all(truth[:, :, j] <= hi + 0.05), shock
    # restrictions hold for the point (median-target) model
    imp = res.impact.to_numpy()
    assert imp[0, 0] > 0 and imp[1, 0] > 0 and imp[2, 0] < 0 and imp[1, 1] > 0 and imp[2, 1] > 0


def test_sign_with_zero_restrictions(big: pd.DataFrame) -> None:
    spec = SignRestrictions(signs={"y1": {"y1": 1, "y2": 1}}, zeros={"y1": ["y0"]}, draws=2000)
    res = SVAR(big, lags=1, identification=spec).fit(rng=1)
    assert_allclose(res.identified.accepted[:, 0, 1], 0.0, atol=1e-12)
    # accepted impacts reproduce the covariance
    acc = res.identified.accepted
    assert_allclose(acc @ np.swapaxes(acc, 1, 2), np.broadcast_to(res.sigma_u.to_numpy(), acc.shape), atol=1e-10)
    irf = res.irf(4, bands="residual", reps=50, rng=2)
    assert irf.attrs["reps_kept"] > 40


def test_sign_no_draw_accepted(big: pd.DataFrame) -> None:
    impossible = {"y0": {"y0": 1}, "y1": {"y1": 1, "y0": 1}, "y2": {"y2": 1, "y0": 1, "y1": 1}}
    # with positively correlated y0,y1 this is feasible; force infeasible with contradictory horizons
    contra = SignRestrictions(signs={"y0": {"y0": 1, "y1": -1, "y2": 1}}, horizons=12, draws=500)
    with pytest.raises(IdentificationError, match="no rotation out of 500"):
        SVAR(big, lags=1, identification=contra).fit(rng=0)
    with pytest.raises(ArgumentError, match="unknown variable 'zz'"):
        SVAR(big, lags=1, identification=SignRestrictions(signs={"y0": {"zz": 1}})).fit(rng=0)
    assert impossible  # documented example kept for readers


def test_long_run_recovers_blanchard_quah() -> None:
    """Shock 2 has no long-run effect on variable 1: recovered BQ impact and zero long-run entry."""
    a = np.array([[[0.4, 0.1], [0.2, 0.3]]])
    lr_target = np.array([[1.0, 0.0], [0.6, 0.9]])  # lower-triangular long-run impact
    impact = (np.eye(2) - a[0]) @ lr_target
    data = simulate_svar(a, impact, 40000, np.random.default_rng(3))
    res = SVAR(data, lags=1, identification=LongRun()).fit()
    assert_allclose(res.impact.to_numpy(), impact, atol=0.03)
    long_run = res.irf(400, cumulative=True).sel(horizon=400).to_numpy()
    assert abs(long_run[0, 1]) < 1e-8
    assert long_run[0, 0] > 0 and long_run[1, 1] > 0
    assert res.irf(8, bands="residual", reps=50, rng=0).attrs["reps_kept"] == 50


def test_identification_objects_and_strings(big: pd.DataFrame) -> None:
    assert SVAR(big, lags=1, identification=Recursive()).identification == Recursive()
    with pytest.raises(ArgumentError, match="not one of"):
        SVAR(big, lags=1, identification="cholesky")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'C' .*options of identification 'short_run' are A, B, maxiter"):
        SVAR(big, lags=1, identification="short_run", C=1)


def test_ab_likelihood_gradient_is_analytic() -> None:
    """The analytic gradient of the AB log-likelihood matches central differences."""
    from scipy import optimize

    from causalmacro.svar.short_run import _objective, parse_pattern

    sigma = np.array([[1.0, 0.5, -0.3], [0.5, 0.89, 0.17], [-0.3, 0.17, 0.61]])
    theta = np.array([0.3, 0.2, -0.1, 0.9, 0.8, 0.7])
    a_pat = parse_pattern(A_UNIT_LOWER, 3, "A", "identity")
    b_pat = parse_pattern(None, 3, "B", "diagonal")
    num = optimize.approx_fprime(theta, lambda t: _objective(t, a_pat, b_pat, sigma)[0], 1e-7)
    assert_allclose(_objective(theta, a_pat, b_pat, sigma)[1], num, rtol=1e-4, atol=1e-5)


def test_batched_ab_matches_per_replication_bfgs() -> None:
    """Batched Newton re-estimation of an over-identified B-model equals one-by-one BFGS."""
    from causalmacro.svar.short_run import estimate_ab, estimate_ab_batch, parse_pattern

    rng = np.random.default_rng(4)
    b_pat = parse_pattern([["*", "*", 0], [0, "*", 0], ["*", 0, "*"]], 3, "B", "diagonal")
    a_pat = parse_pattern(None, 3, "A", "identity")
    root = np.array([[1.0, 0.4, 0.0], [0.0, 0.8, 0.0], [-0.3, 0.0, 0.6]])
    sigmas = []
    for _ in range(8):
        e = root @ rng.standard_normal((3, 400))
        sigmas.append(e @ e.T / 400)
    sigma = np.stack(sigmas)
    start = root[np.isnan(b_pat)]
    _a, b, ok = estimate_ab_batch(sigma, a_pat, b_pat, start)
    assert ok.all()
    for r in range(8):
        one = estimate_ab(sigma[r], a_pat, b_pat, start)
        assert_allclose(b[r], one.b, rtol=1e-5, atol=1e-7)


def test_exact_ab_converges_with_near_zero_covariance() -> None:
    """Regression: an exactly identified A-model whose Sigma has an entry of 1e-5 still converges.

    The fit check once compared implied and sample covariances elementwise with
    rtol 1e-6, which a near-zero entry fails at any optimiser precision.
    """
    from causalmacro.svar.short_run import _implied_sigma, estimate_ab, parse_pattern

    sigma = np.array([[1.2666, 0.3226, -0.3236], [0.3226, 0.6693, -1.339e-5], [-0.3236, -1.339e-5, 0.4851]])
    a_pat = parse_pattern(A_UNIT_LOWER, 3, "A", "identity")
    b_pat = parse_pattern(None, 3, "B", "diagonal")
    start = ShortRun(A=A_UNIT_LOWER)._start(a_pat, b_pat, sigma)
    fit = estimate_ab(sigma, a_pat, b_pat, start)
    assert fit.converged
    assert_allclose(_implied_sigma(fit.theta, a_pat, b_pat), sigma, rtol=0, atol=1e-6)


class _RecordingScheme(Recursive):
    """Recursive, but asks for the replications' residuals and carries the row index along."""

    needs_resid = True
    seen: ClassVar[dict] = {}

    def aux_series(self, rf):  # type: ignore[no-untyped-def]
        return np.arange(rf.nobs, dtype=float)[:, None]

    def identify_batch(self, coefs, sigma, point, rng, *, resid=None, aux=None):  # type: ignore[no-untyped-def]
        _RecordingScheme.seen = {"resid": resid, "aux": aux, "sigma": sigma}
        return super().identify_batch(coefs, sigma, point, rng)


def test_bootstrap_hands_data_driven_schemes_residuals_and_the_resampled_instrument(big: pd.DataFrame) -> None:
    """Schemes identified from the residuals get each replication's own, and an auxiliary series
    (an instrument) is resampled with the same draws: its value says which residual row was drawn."""
    res = SVAR(big.iloc[:400], lags=1, identification=_RecordingScheme()).fit()
    res.bootstrap(50, method="residual", rng=3)
    seen = _RecordingScheme.seen
    resid, aux, sigma = seen["resid"], seen["aux"], seen["sigma"]
    nobs, k = res.nobs, 3
    assert resid.shape == (50, nobs, k) and aux.shape == (50, nobs, 1)
    # the residuals are those behind each replication's covariance (dof nobs - 1 - K p = nobs - 4)
    assert_allclose(np.swapaxes(resid, 1, 2) @ resid / (nobs - 4), sigma, rtol=1e-8)
    # i.i.d. resampling centres the carried series: adding its mean back gives the drawn row
    drawn = np.rint(aux[..., 0] + (nobs - 1) / 2).astype(int)
    assert drawn.min() >= 0 and drawn.max() < nobs
    u = np.asarray(res.reduced_form.resid)
    shocks = u[drawn] - u.mean(axis=0)
    corr = np.corrcoef(shocks[..., 0].ravel(), resid[..., 0].ravel())[0, 1]
    assert corr > 0.95  # the re-estimated residuals are the drawn shocks up to estimation error
