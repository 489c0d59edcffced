"""The regime-preserving (stratified) bootstrap of changes-in-volatility bands.

``benchmarks/bench_volatility_coverage.py`` measures why it exists: unrestricted
blocks mix the regimes' residuals and the re-identified impact matrix becomes far
noisier than the estimator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import causalmacro as cm
from causalmacro.svar.bootstrap import _draw_shocks, _spans, _stratified_shocks, block_shocks

# two calm spans around a 4-period stress span and a 9-period stress span: regime 1 recurs
STRATA = np.array([0] * 12 + [1] * 4 + [0] * 10 + [2] * 9 + [0] * 7)
T = STRATA.size


def indicator(labels: np.ndarray) -> np.ndarray:
    return (labels[:, None] == np.unique(labels)[None, :]).astype(float)


def test_spans_are_the_maximal_runs():
    assert _spans(STRATA) == [(0, 12), (12, 16), (16, 26), (26, 35), (35, 42)]


@pytest.mark.parametrize("length", [None, 1, 5])
def test_every_row_is_drawn_from_its_own_stratum(length):
    """Centred indicators of the strata: a row borrowed from another stratum would leave a +-1."""
    drawn = _stratified_shocks(indicator(STRATA), STRATA, 200, length, np.random.default_rng(0))
    assert drawn.shape == (200, T, 3)
    assert_array_equal(drawn, 0.0)


def test_blocks_are_consecutive_rows_of_one_span_and_never_cross_a_boundary():
    length = 5
    span_id = np.repeat(np.arange(5), [b - a for a, b in _spans(STRATA)])
    resid = np.column_stack([np.arange(T, dtype=float), indicator(span_id)])
    drawn = _stratified_shocks(resid, STRATA, 300, length, np.random.default_rng(1))
    # regimes 0 and 2 (spans >= 5) are drawn in blocks; regime 1 has a 4-period span: i.i.d.
    for a, b in _spans(STRATA):
        if STRATA[a] == 1:
            continue
        for start in range(a, b, length):
            block = drawn[:, start : min(start + length, b)]
            # source rows t, t+1, ... (column 0 rises by one, as its centre does) inside one span (indicators flat)
            assert_allclose(np.diff(block, axis=1), 0.0, atol=1e-12)
    # the i.i.d. stress span does draw non-consecutive rows
    assert np.abs(np.diff(drawn[:, 12:16, 0], axis=1)).max() > 0.5
    # sources come from every admissible start: the first calm slot sees the calm blocks' first rows
    first = drawn[:, 0, 0]
    starts_ok = np.concatenate([np.arange(a, b - length + 1) for a, b in _spans(STRATA) if STRATA[a] == 0])
    assert set(np.round(first + starts_ok.mean()).astype(int)) <= set(starts_ok.tolist())


def test_block_centring_is_by_position_over_the_admissible_blocks():
    rng = np.random.default_rng(2)
    resid = rng.standard_normal((T, 2))
    drawn = _stratified_shocks(resid, STRATA, 2000, 5, np.random.default_rng(3))
    # the bootstrap mean at each date is (close to) zero in every regime, not the regime's residual mean
    assert np.abs(drawn.mean(axis=0)).max() < 0.12
    # by hand, for the first slot of the first calm span: the mean of rows 0..7 and 16..21 and 35..37
    starts_ok = np.r_[0:8, 16:22, 35:38]
    src = drawn[:, 0] + resid[starts_ok].mean(axis=0)
    assert np.all(np.isclose(src[:, None, :], resid[starts_ok][None]).all(axis=2).any(axis=1))


def test_residual_method_within_strata_by_hand():
    resid = np.random.default_rng(4).standard_normal((T, 3))
    fast = _draw_shocks(resid, 6, "residual", np.random.default_rng(5), strata=STRATA)
    rng = np.random.default_rng(5)
    hand = np.empty((6, T, 3))
    for label in (0, 1, 2):  # order of first appearance
        rows = np.flatnonzero(np.equal(STRATA, label))
        pick = rng.integers(0, rows.size, size=(6, rows.size))
        for r in range(6):
            for j, t in enumerate(rows):
                hand[r, t] = resid[rows[pick[r, j]]] - resid[rows].mean(axis=0)
    assert_allclose(fast, hand, rtol=0, atol=1e-14)


def test_without_strata_the_draws_are_unchanged():
    resid = np.random.default_rng(6).standard_normal((40, 3))
    assert_array_equal(_draw_shocks(resid, 5, "block", np.random.default_rng(7), block_length=4),
                       block_shocks(resid, 5, 4, np.random.default_rng(7)))
    rng = np.random.default_rng(8)
    hand = (resid - resid.mean(axis=0))[rng.integers(0, 40, size=(5, 40))]
    assert_array_equal(_draw_shocks(resid, 5, "residual", np.random.default_rng(8)), hand)
    # the wild bootstrap keeps each residual at its date: strata change nothing
    labels = np.repeat([0, 1], 20)
    assert_array_equal(_draw_shocks(resid, 5, "wild", np.random.default_rng(9), strata=labels),
                       _draw_shocks(resid, 5, "wild", np.random.default_rng(9)))


def _two_regime_sample(seed: int = 0, nobs: int = 160):
    rng = np.random.default_rng(seed)
    b = np.array([[1.0, 0.3, 0.0], [0.5, 1.0, 0.2], [-0.3, 0.4, 1.0]])
    lam = np.where(np.arange(nobs)[:, None] < 100, 1.0, np.array([8.0, 0.3, 2.5]))
    u = (rng.standard_normal((nobs, 3)) * np.sqrt(lam)) @ b.T
    y = np.zeros((nobs, 3))
    for t in range(1, nobs):
        y[t] = 0.5 * y[t - 1] + u[t]
    return pd.DataFrame(y, columns=["a", "b", "c"], index=pd.period_range("2000-01", periods=nobs, freq="M"))


def test_volatility_bootstrap_with_stratify_resamples_within_regimes_and_records_it():
    loose = cm.SVAR(_two_regime_sample(), lags=1, identification="volatility", breaks=[99]).fit(rng=0)
    assert loose.identification.strata(loose.reduced_form) is None  # off by default (see the benchmark)
    assert loose.bootstrap(20, rng=1).strata is None
    res = cm.SVAR(_two_regime_sample(), lags=1, identification="volatility", breaks=[99], stratify=True).fit(rng=0)
    assert res.identification.describe()["stratify"] is True
    labels = res.identification.strata(res.reduced_form)
    assert_array_equal(labels, np.repeat([0, 1], [99, 60]))
    draws = res.bootstrap(50, rng=1)
    assert draws.strata == "regimes" and draws.attrs()["strata"] == "regimes"
    assert "strata='regimes'" in repr(draws)
    wild = res.bootstrap(50, method="wild", rng=1)
    assert wild.strata is None and "strata" not in wild.attrs()
    plain = cm.SVAR(_two_regime_sample(), lags=1).fit(rng=0).bootstrap(20, rng=1)
    assert plain.strata is None and "strata" not in plain.attrs()
    assert res.irf(4, bands=draws).attrs["interval"] == "block bootstrap within regimes, pointwise percentile"
    assert plain_interval() == "block bootstrap, pointwise percentile"


def plain_interval() -> str:
    res = cm.SVAR(_two_regime_sample(), lags=1).fit(rng=0)
    return str(res.irf(4, bands=res.bootstrap(20, rng=1)).attrs["interval"])


def test_stratify_must_be_a_bool():
    with pytest.raises(cm.ArgumentError, match=r"^ChangesInVolatility\(stratify='yes'\) must be True or False$"):
        cm.ChangesInVolatility(breaks=[10], stratify="yes")
