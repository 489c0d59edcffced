"""Fast: the rank and chi-square helpers of the simulation-based calibration (``benchmarks/bench_sbc.py``).

The helpers are checked on hand computations and on a conjugate normal model whose exact
posterior is known (prior N(0, 1), one observation y ~ N(theta, 1), posterior N(y/2, 1/2)):
ranks among exact posterior draws are uniform, ranks among draws shifted by half a posterior
sd pile at the low end (bias), and ranks among draws twice too spread pile in the middle
(an over-dispersed posterior), so the test would fail if the helpers could not tell them apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_sbc import rank_chi2, rank_of

L = 99


def _conjugate_ranks(shift: float, spread: float, reps: int = 600, seed: int = 1) -> np.ndarray:
    """Ranks of theta among L draws of N(y/2 + shift * sd, (spread * sd)^2), sd = sqrt(1/2)."""
    rng = np.random.default_rng(seed)
    sd = np.sqrt(0.5)
    ranks = []
    for _ in range(reps):
        theta = rng.standard_normal()
        y = theta + rng.standard_normal()
        draws = y / 2 + shift * sd + spread * sd * rng.standard_normal(L)
        ranks.append(rank_of(theta, draws))
    return np.array(ranks)


def test_rank_of_counts_draws_below() -> None:
    assert rank_of(0.5, np.array([0.1, 0.7, 0.3])) == 2
    assert rank_of(-1.0, np.array([0.1, 0.7, 0.3])) == 0
    assert rank_of(9.0, np.array([0.1, 0.7, 0.3])) == 3


def test_rank_chi2_by_hand() -> None:
    ranks = np.concatenate([np.arange(0, 25)[:10], np.arange(25, 50)[:10], np.arange(50, 75)[:10],
                            np.repeat(99, 30)])
    counts, stat, p = rank_chi2(ranks, L, 4)
    np.testing.assert_array_equal(counts, [10, 10, 10, 30])
    assert stat == pytest.approx((25 + 25 + 25 + 225) / 15)  # expected 15 a bin
    assert p == pytest.approx(stats.chi2.sf(20.0, 3))
    counts, stat, p = rank_chi2(np.tile(np.arange(L + 1), 3), L, 10)
    np.testing.assert_array_equal(counts, np.full(10, 30))
    assert stat == 0.0 and p == 1.0


def test_exact_posterior_passes_biased_and_overdispersed_fail() -> None:
    _, _, p_exact = rank_chi2(_conjugate_ranks(0.0, 1.0), L, 10)
    assert p_exact > 0.05
    counts, _, p_biased = rank_chi2(_conjugate_ranks(0.5, 1.0), L, 10)
    assert p_biased < 1e-6
    assert counts[0] > 2 * counts[-1]  # draws too high: the truth ranks low
    counts, _, p_wide = rank_chi2(_conjugate_ranks(0.0, 2.0), L, 10)
    assert p_wide < 1e-6
    assert counts[4:6].sum() > 2 * (counts[0] + counts[-1])  # too spread: the truth ranks in the middle


def test_rank_chi2_refuses_bad_bins_and_ranks() -> None:
    with pytest.raises(ValueError, match=r"bins: expected a divisor >= 2 of n_draws \+ 1 \(100\), got 3"):
        rank_chi2([0, 1, 2], L, 3)
    with pytest.raises(ValueError, match=r"ranks: expected values in 0\.\.99, got 0\.\.100"):
        rank_chi2([0, 100], L, 10)
