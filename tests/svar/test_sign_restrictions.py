"""Sign and zero restrictions: ARW importance weights, horizon ranges, failure hints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from svar_sim import TRUE_A, TRUE_B0INV, simulate_svar

from causalmacro.errors import ArgumentError
from causalmacro.svar import SVAR, SignRestrictions
from causalmacro.svar.dynamics import structural_irf
from causalmacro.svar.identification import IdentificationError
from causalmacro.svar.sign import failure_rates, rotations_with_zeros, sign_tensor
from causalmacro.svar.sign_weights import arw_log_weights, effective_sample_size, weighted_quantile


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    return simulate_svar(TRUE_A, TRUE_B0INV, 5000, np.random.default_rng(11))


def _chol(k: int, seed: int = 0) -> np.ndarray:
    a = np.random.default_rng(seed).standard_normal((k, k))
    return np.linalg.cholesky(a @ a.T + np.eye(k))


@pytest.mark.parametrize("zeros", [[[1], [], []], [[1], [2], []]])
def test_arw_weighted_draws_do_not_depend_on_build_order(zeros: list[list[int]]) -> None:
    """The target (ARW's conditionally uniform prior on the zero set) does not depend on the order the
    columns are drawn in, the proposal does: weighted moments agree across orders, unweighted ones need not."""
    chol, k, n = _chol(3), 3, 40000
    rng = np.random.default_rng(1)
    moments = []
    for order in ([0, 1, 2], [1, 0, 2]):
        q = rotations_with_zeros(rng, np.broadcast_to(chol, (n, k, k)).copy(), zeros, order)
        lw = arw_log_weights(chol, q, zeros, order)
        w = np.exp(lw - lw.max())
        w /= w.sum()
        imp = chol @ q
        f = np.stack([imp[:, 2, 0] ** 2, imp[:, 0, 0] ** 2, imp[:, 2, 1] ** 2, imp[:, 1, 2] ** 2], axis=1)
        moments.append((f.mean(axis=0), w @ f))
    (u0, w0), (u1, w1) = moments
    assert_allclose(w0, w1, rtol=0.03, atol=0.01)  # Monte Carlo error of 40000 weighted draws
    assert np.max(np.abs(u0 - u1)) > 0.2  # the unweighted proposal does depend on the order


def test_arw_weights_flip_invariant_and_unity_without_zeros() -> None:
    chol = _chol(4, 2)
    q = rotations_with_zeros(np.random.default_rng(0), np.broadcast_to(chol, (50, 4, 4)).copy(), [[1, 2], [0], [], []])
    lw = arw_log_weights(chol, q, [[1, 2], [0], [], []])
    assert_allclose(arw_log_weights(chol, q * np.array([-1.0, 1, -1, 1]), [[1, 2], [0], [], []]), lw, atol=1e-6)
    assert_allclose(arw_log_weights(chol, q, [[], [], [], []]), 0.0)


def test_weighted_quantile_and_ess() -> None:
    x = np.array([[1.0], [2.0], [3.0], [4.0]])
    assert_allclose(weighted_quantile(x, np.ones(4), [0.5])[0, 0], 2.5)
    # all mass on 4 -> every quantile is 4; weight 3:1 on {1,2}: Hazen cdf midpoints 0.375, 0.875
    assert_allclose(weighted_quantile(x, np.array([0, 0, 0, 1.0]), [0.1, 0.9])[:, 0], [4.0, 4.0])
    assert_allclose(weighted_quantile(x[:2], np.array([3.0, 1.0]), [0.375, 0.875, 0.625])[:, 0], [1.0, 2.0, 1.5])
    assert effective_sample_size(np.array([0.5, 0.5])) == pytest.approx(2.0)
    assert effective_sample_size(np.array([0.25, 0.75])) == pytest.approx(1.6)


def test_zero_restricted_fit_carries_weights(big: pd.DataFrame) -> None:
    spec = SignRestrictions(signs={"y1": {"y1": 1, "y2": 1}}, zeros={"y1": ["y0"]}, draws=2000)
    res = SVAR(big, lags=1, identification=spec).fit(rng=1)
    w = res.identified.weights
    assert w is not None and w.shape == (res.identified.accepted.shape[0],)
    assert_allclose(w.sum(), 1.0)
    det = res.identified.details
    assert det["ess"] == pytest.approx(1 / np.sum(w**2))
    assert 0.2 * len(w) < det["ess"] < len(w)
    band = res.irf(3, bands="set", level=0.8)
    theta = structural_irf(np.array(res.reduced_form.coefs), np.array(res.identified.accepted), 3)
    ref = weighted_quantile(theta, np.array(w), [0.1, 0.9])
    assert_allclose(band.sel(bound="lower").to_numpy(), ref[0])
    assert_allclose(band.sel(bound="upper").to_numpy(), ref[1])


def test_sign_horizon_ranges(big: pd.DataFrame) -> None:
    spec = SignRestrictions(signs={"y0": {"y0": 1, "y1": {"sign": 1, "horizons": [2, 4]}}}, horizons=1, draws=3000)
    res = SVAR(big, lags=1, identification=spec).fit(rng=0)
    assert [list(r) for r in res.identified.details["restrictions"]] == [[0, 0, 1, 0, 1], [0, 1, 1, 2, 4]]
    theta = structural_irf(np.array(res.reduced_form.coefs), np.array(res.identified.accepted), 5)
    assert np.all(theta[:, 0:2, 0, 0] > 0) and np.all(theta[:, 2:5, 1, 0] > 0)
    s = sign_tensor([[0, 1, -1, 2, 4]], 3)
    assert s.shape == (5, 3, 3) and s[2:, 0, 1].tolist() == [-1, -1, -1] and not s[:2].any()
    irf = res.irf(4, bands="residual", reps=50, rng=3)
    assert irf.attrs["reps_kept"] > 40
    with pytest.raises(ArgumentError, match=r"horizons of shock 'y0' on 'y1' must be an int >= 0 or \[first, last\]"):
        SignRestrictions(signs={"y0": {"y1": {"sign": 1, "horizons": [4, 2]}}})
    with pytest.raises(ArgumentError, match=r"unknown key 'h'; valid keys are \['sign', 'horizons'\]"):
        SignRestrictions(signs={"y0": {"y1": {"sign": 1, "h": 2}}})


def test_failure_rates_by_hand() -> None:
    theta = np.zeros((4, 3, 2, 2))
    theta[:, :, 0, 0] = [[1, 1, 1], [1, 1, -1], [-1, -1, -1], [1, -1, 1]]
    theta[:, :, 1, 0] = 1.0
    # restriction a: var0 > 0 at 0..2; b: var1 > 0 at 0..0; orientation per draw meets the most
    rates = failure_rates(theta, [[0, 0, 1, 0, 2], [0, 1, 1, 0, 0]])
    # draw 2: a holds negated, b does not -> tie goes to +: a fails; draws 1, 3 fail a
    assert_allclose(rates, [0.75, 0.0])


def test_no_rotation_message_names_worst_restriction(big: pd.DataFrame) -> None:
    contra = SignRestrictions(signs={"y0": {"y0": 1, "y1": -1, "y2": 1}}, horizons=12, draws=500)
    with pytest.raises(IdentificationError) as err:
        SVAR(big, lags=1, identification=contra).fit(rng=0)
    msg = str(err.value)
    assert msg.startswith("no rotation out of 500 satisfies the restrictions; the one failing most often: shock 'y0' on ")
    assert "at horizons 0..12 (failed " in msg and msg.endswith("raise draws=, drop or shorten it")
    assert "\n" not in msg
