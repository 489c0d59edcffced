"""Giacomini-Kitagawa robust credible sets: against puremacro and by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro.errors import ArgumentError
from causalmacro.svar import SVAR, SignRestrictions
from causalmacro.svar.robust import ROBUST_BOUNDS, gk_region, prior_informativeness, set_bounds

SIGNS = {"y0": {"y0": 1, "y1": 1, "y2": -1}}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return simulate_svar(TRUE_A, TRUE_B0INV, 5000, np.random.default_rng(11))


def test_set_bounds_match_puremacro(data: pd.DataFrame) -> None:
    """Bounds of the identified set at the point estimate: puremacro's gk_robust_bands with one VAR draw."""
    sign_robust = pytest.importorskip("puremacro.var.identify.sign_robust")
    ref = sign_robust.gk_robust_bands(data.to_numpy(), p=1, horizon=4, restrictions={0: [1, 1, -1]}, shock_idx=0,
                                      n_var_draws=1, n_q_per_draw=6000, ci=0.9, seed=0)
    res = SVAR(data, lags=1, identification=SignRestrictions(signs=SIGNS, draws=500)).fit(rng=0)
    rf = res.reduced_form
    lo, hi, _, acc = set_bounds(np.array(rf.coefs)[None], np.array(rf.sigma_u)[None], res.identification,
                                list(rf.names), 4, 6000, np.random.default_rng(0))
    assert acc[0] > 500
    # both are inner approximations from 6000 Haar rotations: they agree to Monte Carlo error
    assert_allclose(lo[0, :, :, 0], ref.irf_lower, atol=0.03)
    assert_allclose(hi[0, :, :, 0], ref.irf_upper, atol=0.03)


def test_gk_region_by_hand() -> None:
    # every draw has the same set [0, 1]: the shortest interval containing it is [0, 1] itself
    lo, hi = gk_region(np.zeros((50, 1)), np.ones((50, 1)), 0.9)
    assert_allclose([lo[0], hi[0]], [0.0, 1.0], atol=1e-12)
    # sets [x, x + 1] with x uniform on the 100 points 0..0.99: the 90% region must hold 90 of them
    x = np.arange(100) / 100
    lo, hi = gk_region(x[:, None], x[:, None] + 1, 0.9, grid=1001)
    assert hi[0] - lo[0] == pytest.approx(1.89, abs=0.011)


def test_robust_irf_contains_truth_and_orders_bounds(data: pd.DataFrame) -> None:
    res = SVAR(data.iloc[:600], lags=1, identification=SignRestrictions(signs=SIGNS, draws=2000)).fit(rng=0)
    r = res.robust_irf(3, draws=150, rotations=400, rng=2)
    assert list(r.coords["bound"].values) == list(ROBUST_BOUNDS)
    assert r.dims == ("horizon", "response", "shock", "bound")
    s = r.sel(shock="y0")
    assert np.all(s.sel(bound="lower") <= s.sel(bound="set_lower") + 1e-12)
    assert np.all(s.sel(bound="set_upper") <= s.sel(bound="upper") + 1e-12)
    truth = TRUE_B0INV[:, 0]
    assert np.all(s.sel(bound="lower", horizon=0).to_numpy() <= truth)
    assert np.all(truth <= s.sel(bound="upper", horizon=0).to_numpy())
    info = prior_informativeness(r).sel(shock="y0")
    assert np.all((info > 0) & (info < 1))
    with pytest.raises(ArgumentError, match="robust_irf needs sign restrictions; this model is identified by 'recursive'"):
        SVAR(data, lags=1).fit().robust_irf(3)
