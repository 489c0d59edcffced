"""The block bootstrap, the joint (sup-t) bands and the path test, against direct implementations."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro import bands
from causalmacro.errors import ArgumentError
from causalmacro.svar import SVAR
from causalmacro.svar.bootstrap import block_length_rule, block_shocks, dof_scale
from causalmacro.svar.dynamics import structural_irf


@pytest.fixture(scope="module")
def res():
    return SVAR(simulate_svar(TRUE_A, TRUE_B0INV, 150, np.random.default_rng(4)), lags=1).fit(rng=2)


def _mbb_by_hand(resid: np.ndarray, reps: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Brüggemann, Jentsch & Trenkler (2016), section 3: blocks of ``length`` residuals, centred by position."""
    nobs = resid.shape[0]
    n_blocks = -(-nobs // length)
    starts = rng.integers(0, nobs - length + 1, size=(reps, n_blocks))
    out = np.empty((reps, nobs, resid.shape[1]))
    for r in range(reps):
        for j in range(n_blocks):
            for s in range(length):
                t = j * length + s
                if t < nobs:
                    centre = np.mean([resid[s + i] for i in range(nobs - length + 1)], axis=0)
                    out[r, t] = resid[starts[r, j] + s] - centre
    return out


def test_block_shocks_equal_the_papers_algorithm() -> None:
    resid = np.random.default_rng(0).standard_normal((23, 3))
    fast = block_shocks(resid, 4, 5, np.random.default_rng(9))
    assert_allclose(fast, _mbb_by_hand(resid, 4, 5, np.random.default_rng(9)), rtol=0, atol=1e-14)


def test_blocks_of_one_are_the_residual_bootstrap(res) -> None:
    """With l = 1 the moving-block scheme draws single residuals centred by their mean: the i.i.d. bootstrap,
    draw for draw at the same seed."""
    block = res.bootstrap(30, method="block", block_length=1, rng=5)
    iid = res.bootstrap(30, method="residual", rng=5)
    assert_array_equal(block.params, iid.params)
    assert block.block_length == 1 and iid.block_length is None and block.attrs()["block_length"] == 1


def test_block_length_rule_and_its_checks(res) -> None:
    assert [block_length_rule(t) for t in (130, 500, 12)] == [5, 7, 3]
    assert res.bootstrap(10, rng=1).block_length == block_length_rule(res.nobs)  # block is the default method
    with pytest.raises(ArgumentError, match="block_length must be an integer from 1 to 74"):
        res.bootstrap(10, method="block", block_length=100)
    with pytest.raises(ArgumentError, match="block_length applies to method='block' only"):
        res.bootstrap(10, method="residual", block_length=3)


def test_dof_scale_is_sqrt_t_over_t_minus_k() -> None:
    # VAR(1) in 3 variables with a constant: 4 regressors per equation
    assert dof_scale(150, 4) == pytest.approx(np.sqrt(150 / 146), rel=1e-15)


def test_sup_t_band_is_its_definition() -> None:
    rng = np.random.default_rng(3)
    point = rng.standard_normal((7, 2, 2))
    draws = point + rng.standard_normal((400, 7, 2, 2)) * np.linspace(0.5, 2, 7)[None, :, None, None]
    draws[:, 0, 0, 1] = point[0, 0, 1]  # a point fixed by construction (a recursive impact zero)
    lo, hi = bands.sup_t(point, draws, 0.9, axis=0)
    for i in range(2):
        for j in range(2):
            sd = draws[:, :, i, j].std(axis=0, ddof=1)
            keep = sd > 0
            z = (np.abs(draws[:, keep, i, j] - point[keep, i, j]) / sd[keep]).max(axis=1)
            c = np.quantile(z, 0.9)
            assert_allclose(hi[:, i, j], point[:, i, j] + c * sd, rtol=1e-12)
            assert_allclose(lo[:, i, j], point[:, i, j] - c * sd, rtol=1e-12)
            inside = ((draws[:, :, i, j] >= lo[:, i, j] - 1e-12) & (draws[:, :, i, j] <= hi[:, i, j] + 1e-12)).all(1)
            assert inside.mean() >= 0.9  # the whole path of 90% of the draws lies in the band
    assert lo[0, 0, 1] == hi[0, 0, 1] == point[0, 0, 1]


def test_joint_irf_bands_are_sup_t_of_the_draws_and_wider(res) -> None:
    draws = res.bootstrap(200, rng=7)
    joint = res.irf(10, bands=draws, joint=True)
    pointwise = res.irf(10, bands=draws)
    theta = structural_irf(np.asarray(draws.coefs), np.asarray(draws.impact), 10)
    lo, hi = bands.sup_t(joint.sel(bound="point").to_numpy(), theta, 0.9, axis=0)
    assert_allclose(joint.sel(bound="lower").to_numpy(), lo, rtol=1e-12)
    assert_allclose(joint.sel(bound="upper").to_numpy(), hi, rtol=1e-12)
    width = (joint.sel(bound="upper") - joint.sel(bound="lower")).sum()
    assert float(width) > float((pointwise.sel(bound="upper") - pointwise.sel(bound="lower")).sum())
    assert joint.attrs["joint"] == 1 and "sup-t" in joint.attrs["interval"] and pointwise.attrs["joint"] == 0
    fevd = res.fevd(6, bands=draws, joint=True)
    assert fevd.attrs["joint"] == 1 and (fevd.sel(bound="upper") >= fevd.sel(bound="lower")).all()


def test_path_test_agrees_with_the_joint_band(res) -> None:
    """The joint band at level 1 - a excludes zero somewhere exactly when the path test's p-value is below a."""
    draws = res.bootstrap(300, rng=8)
    test = res.irf_test(10, bands=draws)
    for level in (0.8, 0.9, 0.95):
        joint = res.irf(10, bands=draws, joint=True, level=level)
        excludes = ((joint.sel(bound="lower") > 0) | (joint.sel(bound="upper") < 0)).any("horizon")
        for row in test.itertuples():
            if row.horizons:
                assert bool(excludes.sel(response=row.response, shock=row.shock)) == (row.p_value < 1 - level)
    assert len(test) == 9 and set(test.columns) >= {"shock", "response", "statistic", "p_value", "horizons"}
    # the recursive scheme fixes y0's impact response to y1's shock: one horizon fewer varies
    row = test[(test.shock == "y1") & (test.response == "y0")].iloc[0]
    assert row.horizons == 10


def test_path_pvalue_of_a_fixed_path_is_one() -> None:
    point = np.zeros((3, 1))
    assert bands.path_pvalue(point, np.zeros((50, 3, 1)), axis=0).tolist() == [1.0]


def test_adjust_is_statsmodels_multipletests() -> None:
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.001, 0.04, 0.03, np.nan, 0.2])
    ok = np.isfinite(p)
    assert_allclose(bands.adjust(p, "holm")[ok], multipletests(p[ok], method="holm")[1])
    assert_allclose(bands.adjust(p, "bh")[ok], multipletests(p[ok], method="fdr_bh")[1])
    assert np.isnan(bands.adjust(p, "bh")[3]) and bands.adjust(p, "none")[1] == 0.04
    with pytest.raises(ArgumentError, match="multiplicity must be 'holm', 'bh' or 'none'"):
        bands.adjust(p, "bonferroni")  # type: ignore[arg-type]


def test_sup_t_gaussian_between_pointwise_and_bonferroni() -> None:
    from scipy.stats import norm

    cov = 0.6 * np.ones((5, 5)) + 0.4 * np.eye(5)
    _lo, hi, p = bands.sup_t_gaussian(np.zeros(5), cov, 0.9, draws=50_000, rng=1)
    crit = hi[0]
    assert norm.ppf(0.95) < crit < norm.ppf(1 - 0.05 / 5) and p == 1.0
    _lo1, hi1, _ = bands.sup_t_gaussian(np.zeros(1), np.eye(1), 0.9, draws=200_000, rng=2)
    assert hi1[0] == pytest.approx(norm.ppf(0.95), abs=0.01)


def test_joint_needs_draws_not_the_identified_set(res) -> None:
    with pytest.raises(ArgumentError, match="irf_test needs bootstrap draws"):
        res.irf_test(4, bands="set")
