"""The sped-up Gibbs sweep draws what the sweep of commit 379c392 drew: same seeds, same draws to 1e-12.

The reference is a verbatim copy of that commit's step functions (``gibbs_reference.py``);
both are driven through the same sweep (the order of ``_run_block``: locations, residual
scales with their weights, class and mean scales, covariates, ``nu``, weights) from the
same seed, and every parameter is compared after every sweep. The covariates are updated one at a time here
(``batch_covariates=False``), as the reference does; batching those that touch disjoint dates changes the random
stream, not the conditionals, and is checked in distribution below. A difference of rounding
(a product with an inverse triangular factor instead of an LU solve) is ~1e-15; a changed
random stream or a changed conditional would differ at O(1) within a sweep.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import Any

import gibbs_reference as ref  # tests/bayes is on sys.path (pytest rootdir-less test modules)
import numpy as np
import pandas as pd
import pytest

from causalmacro.bayes import AssetResponseModel
from causalmacro.bayes import gibbs as fast

NAMES = ("a", "gamma", "beta", "m", "mu", "tau", "sigma", "se", "nu", "w")


def _sweeps(mod: ModuleType, model: AssetResponseModel, *, pooled: bool, sweeps: int, seed: int,
            batch: bool = False) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    dn = mod._dense(model.design, pooled) if mod is ref else mod._dense(model.design, pooled, batch_covariates=batch)
    st = mod._State(4, dn, rng)
    out = []
    for _ in range(sweeps):
        mod._draw_locations(st, dn, rng)
        resid = dn.y - mod._fitted(st, dn)
        mod._draw_residual_scales(st, dn, resid, rng)
        if dn.pooled:
            mod._draw_scales(st, dn, rng)
            resid = dn.y - mod._fitted(st, dn)
        if dn.n_cov:
            resid = mod._draw_covariates(st, dn, resid, rng)
        mod._draw_nu(st, dn, resid, rng)
        mod._draw_weights(st, dn, resid, rng)
        out.append({name: np.array(getattr(st, name), copy=True) for name in NAMES})
    return out


@pytest.mark.parametrize(("which", "pooled"), [("model", True), ("regime_model", True), ("regime_model", False)])
def test_sweep_draws_equal_the_reference(which: str, pooled: bool, request: pytest.FixtureRequest) -> None:
    model = request.getfixturevalue(which)
    new = _sweeps(fast, model, pooled=pooled, sweeps=40, seed=7)
    old = _sweeps(ref, model, pooled=pooled, sweeps=40, seed=7)
    for i, (a, b) in enumerate(zip(new, old, strict=True)):
        for name in NAMES:
            np.testing.assert_allclose(a[name], b[name], rtol=1e-12, atol=1e-12, err_msg=f"sweep {i}, {name}")


def test_reference_differs_when_the_seed_does(model: AssetResponseModel) -> None:
    """The comparison above can fail: another seed moves every parameter by far more than 1e-12."""
    a = _sweeps(fast, model, pooled=True, sweeps=2, seed=7)[-1]
    b = _sweeps(ref, model, pooled=True, sweeps=2, seed=8)[-1]
    assert np.abs(a["beta"] - b["beta"]).max() > 1e-3


def test_tri_inv_is_the_inverse_factor() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 6, 9))
    chol = np.linalg.cholesky(x @ np.swapaxes(x, -1, -2) + np.eye(6))
    inv = fast._tri_inv(chol)
    np.testing.assert_allclose(inv @ chol, np.broadcast_to(np.eye(6), chol.shape), atol=1e-13)
    assert np.all(np.triu(inv, 1) == 0.0)


def test_data_precision_from_the_split_products_equals_the_direct_sum(regime_model: AssetResponseModel) -> None:
    """The event dummies' products summed over their dates only: the same X' W X as the sum over every date."""
    dn = fast._dense(regime_model.design)
    assert dn.xx_rows.size < dn.y.shape[1] and dn.xx_sparse.shape[1] > 0  # the sparse path is exercised
    st = fast._State(2, dn, np.random.default_rng(0))
    st.w = np.random.default_rng(1).gamma(3.0, 1 / 3.0, st.w.shape)
    _, lam, _ = fast._asset_terms(st, dn)
    wm = st.w * dn.mask / st.se[..., None] ** 2
    np.testing.assert_allclose(lam, np.einsum("cat,ti,tj->caij", wm, dn.x1, dn.x1), rtol=1e-13, atol=1e-12)


@pytest.fixture(scope="module")
def event_model(regime_panel: Any) -> AssetResponseModel:
    """The regime model with three event dummies on disjoint dates (two batch together) and one overlapping one."""
    p = regime_panel
    dates = p.covariates.index
    cov = pd.DataFrame(0.0, index=dates, columns=["e1", "e2", "e3", "e4"])
    cov.iloc[[5, 6], 0] = 1.0
    cov.iloc[[20], 1] = 1.0
    cov.iloc[40:44, 2] = 1.0
    cov.iloc[[6, 20], 3] = 1.0  # shares dates with e1 and e2: its own batch
    return AssetResponseModel(p.returns, p.shocks, groups=p.groups, lags=1, regimes=p.regimes, covariates=cov)


def _covariate_draws(regime_model: AssetResponseModel, *, batch: bool, seed: int, prec_scale: float = 1.0,
                     n: int = 3000) -> np.ndarray:
    """Step 3b from one fixed state (after 30 sweeps of one chain), copied to ``n`` chains: ``n`` draws of its
    conditional, every (asset, covariate) at once."""
    dn0 = fast._dense(regime_model.design, batch_covariates=False)
    rng = np.random.default_rng(0)
    st = fast._State(1, dn0, rng)
    for _ in range(30):
        fast._sweep(st, dn0, rng)
    dn = fast._dense(regime_model.design, batch_covariates=batch)
    if prec_scale != 1.0:  # a wrong conditional: the covariates' prior precision scaled
        prec = dn.free_prec.copy()
        prec[dn.f - dn.n_cov:] *= prec_scale
        dn = dataclasses.replace(dn, free_prec=prec)
    many = fast._State(n, dn, rng)
    for name in ("tau", "sigma", "se", "nu", "w", "a", "gamma", "beta", "m", "mu"):
        setattr(many, name, np.repeat(getattr(st, name), n, axis=0))
    resid = dn.y - fast._fitted(many, dn)
    fast._draw_covariates(many, dn, resid, np.random.default_rng(seed))
    return many.gamma[..., dn.f - 1 - dn.n_cov:]  # (n, A, covariates)


def test_batched_covariates_draw_the_same_conditionals(event_model: AssetResponseModel) -> None:
    """Covariates with disjoint dates updated in one batch draw what one at a time draws: two-sample KS per
    (asset, covariate) at Bonferroni 1%; the same test rejects a conditional with the prior precision x 25."""
    from scipy import stats

    dn = fast._dense(event_model.design)
    assert [b.cols.size for b in dn.cov_batches] == [3, 1]  # e1, e2, e3 together; e4 alone
    one = _covariate_draws(event_model, batch=False, seed=1)
    both = _covariate_draws(event_model, batch=True, seed=2)
    wrong = _covariate_draws(event_model, batch=True, seed=3, prec_scale=25.0)
    level = 0.01 / one[0].size
    p_same = [stats.ks_2samp(one[:, i, j], both[:, i, j]).pvalue for i in range(one.shape[1]) for j in range(one.shape[2])]
    p_wrong = [stats.ks_2samp(one[:, i, j], wrong[:, i, j]).pvalue for i in range(one.shape[1]) for j in range(one.shape[2])]
    assert min(p_same) > level
    assert min(p_wrong) < level
