"""Properties of the batched dynamics kernels (hypothesis), checked against direct formulas.

Sources: Lütkepohl (2005) eq. 2.1.22 (MA recursion), eq. 2.2.36 (FEVD) and the
companion-matrix stability condition; tolerances are double-precision rounding.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from causalmacro.svar.dynamics import (
    companion_roots,
    fevd_shares,
    is_stable,
    ma_coefficients,
    structural_irf,
)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(1, 5), p=st.integers(1, 4), h=st.integers(0, 12))
def test_structural_irf_is_ma_times_impact(seed: int, k: int, p: int, h: int) -> None:
    rng = np.random.default_rng(seed)
    coefs = rng.normal(scale=0.3, size=(4, p, k, k))
    impact = np.tril(rng.normal(size=(4, k, k)))
    assert_allclose(structural_irf(coefs, impact, h), ma_coefficients(coefs, h) @ impact[:, None], atol=1e-10)
    shares = fevd_shares(structural_irf(coefs, impact, h))
    assert_allclose(shares.sum(axis=-1), 1.0, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.05, 0.8))
def test_stability_certificate_matches_eigenvalues(seed: int, scale: float) -> None:
    rng = np.random.default_rng(seed)
    coefs = rng.normal(scale=scale, size=(64, 2, 3, 3))
    assert np.array_equal(is_stable(coefs), companion_roots(coefs)[:, 0] < 1.0)
