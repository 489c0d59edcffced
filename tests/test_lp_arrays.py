"""Local projections on arrays: the fit equals, to 1e-12, the per-regression pandas implementation it replaced.

``LocalProjections.fit`` used to build each (response, shock, horizon) regression with ``pd.concat`` + ``dropna``
and drop duplicated control columns with ``frame.T.duplicated()`` (a Python loop over the periods); on a weekly
panel (560 weeks) that and BLAS threads contending on small matrices made the stage take 8-40 s. ``_reference_fit``
below is that implementation, kept as the direct definition the array version must equal, on a weekly-shaped fixture
(ragged response, state labels starting late, an observed shock that is also a response, cumulative or not, HAC or
HC1) and on the demo spec's links.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from causalmacro.lp import LocalProjections
from causalmacro.lp.model import _distinct, hac_rule
from causalmacro.lp.regression import ols, stack_influence


def _reference_fit(m: LocalProjections) -> dict[str, np.ndarray]:
    """coef, se, nobs and corr of ``m`` by the pandas implementation of causalmacro before issue 22."""
    p = m.lags + (1 if m.lag_augment else 0)
    index = m.responses.index.intersection(m.shocks.index)
    y, s = m.responses.loc[index], m.shocks.loc[index]
    lagged = [frame.shift(j).add_suffix(f"_L{j}") for frame in (y, s) for j in range(1, p + 1)]
    if m.controls is not None:
        lagged.append(m.controls.loc[index])
    controls = pd.concat(lagged, axis=1)
    controls = controls.loc[:, ~controls.T.duplicated().to_numpy()]
    states = ["all"] if m.state is None else sorted(map(str, pd.unique(m.state.dropna())))
    if m.state is None:
        dummies = pd.DataFrame({"all": 1.0}, index=index)
    else:
        prior = m.state.reindex(index).shift(1)
        dummies = pd.DataFrame({st: (prior.astype(str) == st).astype(float) for st in states}, index=index)
        dummies[prior.isna().to_numpy()] = np.nan
    H = m.horizon
    shape = (H + 1, y.shape[1], s.shape[1], len(states))
    coef, se = np.full(shape, np.nan), np.full(shape, np.nan)
    nobs = np.zeros(shape[:1] + shape[2:], dtype=int)
    influence = np.zeros((*shape, len(index)))
    for j, shock in enumerate(s.columns):
        base = pd.concat([pd.Series(1.0, index=index, name="const"), s[[shock]], controls], axis=1)
        base = base.loc[:, ~base.columns.duplicated()]
        for i, resp in enumerate(y.columns):
            own = np.array_equal(y[resp].to_numpy(), s[shock].to_numpy(), equal_nan=True)
            for h in range(H + 1):
                lhs = y[resp].rolling(h + 1).sum().shift(-h) if m.cumulative else y[resp].shift(-h)
                if own and h == 0:
                    coef[0, i, j, :], se[0, i, j, :] = 1.0, 0.0
                    continue
                rows = pd.concat([lhs.rename("__lhs__"), base, dummies.add_prefix("__d__")], axis=1).dropna()
                d = rows[[f"__d__{st}" for st in states]].to_numpy()
                x_base = rows[list(base.columns)].to_numpy()
                k = x_base.shape[1]
                kept = [q for q in range(len(states)) if d[:, q].sum() > k + 1]
                if not kept:
                    continue
                in_kept = d[:, kept].sum(axis=1) > 0
                x = np.concatenate([x_base[in_kept] * d[in_kept, q][:, None] for q in kept], axis=1)
                fit = ols(x, rows["__lhs__"].to_numpy()[in_kept], "HC1" if m.lag_augment else "HAC",
                          hac_rule(h, m.hac_lags))
                where = index.get_indexer(rows.index[in_kept])
                for n, q in enumerate(kept):
                    c = n * k + 1
                    coef[h, i, j, q], se[h, i, j, q] = fit.coef[c], np.sqrt(fit.cov[c, c])
                    nobs[h, j, q] = int(d[in_kept, q].sum())
                    influence[h, i, j, q, where] = fit.influence[:, c]
    corr = np.zeros((H + 1, H + 1, *shape[1:]))
    for i, j, k in np.ndindex(*shape[1:]):
        corr[:, :, i, j, k] = stack_influence(influence[:, i, j, k], max(H + 1, m.hac_lags or 0))
    return {"coef": coef, "se": se, "nobs": nobs, "corr": corr}


def _assert_same(m: LocalProjections) -> None:
    res, ref = m.fit(), _reference_fit(m)
    for name, want in ref.items():
        got = np.asarray(getattr(res, name))
        assert got.shape == want.shape, name
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=name)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, equal_nan=True, err_msg=name)


def _weekly(n: int = 560, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """A weekly panel: two responses (one starting 40 weeks late, as ETH), two shocks, a state from week 13."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2015-02-06", periods=n, freq="W-FRI")
    eps = rng.standard_normal((n, 2))
    y = np.zeros((n, 2))
    for t in range(1, n):
        y[t] = 0.4 * y[t - 1] + eps[t] @ np.array([[1.0, 0.3], [0.0, 0.8]]) + 0.3 * rng.standard_normal(2)
    responses = pd.DataFrame(y, index=idx, columns=["btc", "eth"])
    responses.iloc[:40, 1] = np.nan
    shocks = pd.DataFrame(eps, index=idx, columns=["liq", "risk"])
    walk = np.cumsum(rng.standard_normal(n))
    state = pd.Series(np.where(walk > np.median(walk), "expanding", "contracting"), index=idx, dtype=object)
    state.iloc[:13] = None
    return responses, shocks, state


@pytest.mark.parametrize(("cumulative", "lag_augment", "by_state"),
                         [(False, False, True), (True, False, True), (False, True, False), (True, True, False)])
def test_weekly_fit_equals_the_pandas_reference(cumulative: bool, lag_augment: bool, by_state: bool) -> None:
    responses, shocks, state = _weekly()
    m = LocalProjections(responses, shocks, horizon=26, lags=4, lag_augment=lag_augment, cumulative=cumulative,
                         state=state if by_state else None)
    _assert_same(m)


def test_an_observed_shock_that_is_a_response_equals_the_reference() -> None:
    """The shock's own lags appear once among the controls (``_distinct``) and its own response is 1 on impact."""
    responses, shocks, state = _weekly(200)
    both = responses.assign(liq=shocks["liq"])
    m = LocalProjections(both, shocks[["liq"]], horizon=8, lags=2, state=state)
    _assert_same(m)
    assert m.fit().coef[0, 2, 0, 0] == 1.0


def test_distinct_drops_later_equal_columns_nan_included() -> None:
    nan = np.nan
    frame = pd.DataFrame({"a": [nan, 1.0, 2.0], "b": [nan, 1.0, 2.0], "c": [0.0, 1.0, 2.0], "d": [0.0, 1.0, 2.0],
                          "e": [nan, 1.0, 3.0]})
    assert list(_distinct(frame).columns) == ["a", "c", "e"]
    assert list(_distinct(frame).columns) == list(frame.loc[:, ~frame.T.duplicated().to_numpy()].columns)


def test_demo_links_equal_the_reference(demo: tuple[object, object]) -> None:
    """Every [lp] link of the demo spec, pooled and by liquidity state, on the demo's own shocks."""
    from causalmacro.build.lp import build_local_projections
    from causalmacro.panel.regimes import regimes
    from causalmacro.pipeline.stages import lp_lags, svar_stage

    spec, panel = demo
    sv = svar_stage(spec, panel, seed=1, n_reps=0, override=True)  # type: ignore[arg-type]
    models = build_local_projections(spec, panel.data, sv.res.structural_shocks(),  # type: ignore[arg-type,attr-defined]
                                     regimes(panel, spec), lags=lp_lags(spec, sv.res))  # type: ignore[arg-type]
    assert models
    for pooled, state in models.values():
        _assert_same(pooled)
        assert state is not None
        _assert_same(state)
