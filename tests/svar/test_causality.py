"""Joint Granger-causality tests against statsmodels' ``VARResults.test_causality``.

The reference is a statsmodels VAR fitted here on the same data; statistic,
p-value, critical value and degrees of freedom must agree to ``rtol=1e-10``
(both are the same Wald algebra in double precision). statsmodels 0.15 fails on
``causing=None`` (it counts the restrictions with ``caused``), so the reference
is always called with the complement spelled out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.tsa.vector_ar.var_model import VAR

from causalmacro.errors import ArgumentError, CausalMacroError
from causalmacro.svar import SVAR, CausalityResult


@pytest.fixture(scope="module")
def macro5() -> pd.DataFrame:
    """Five log-differenced series of statsmodels' macrodata (1959q2-2009q3)."""
    d = sm.datasets.macrodata.load_pandas().data
    cols = ["realgdp", "realcons", "realinv", "realgovt", "realdpi"]
    idx = pd.period_range("1959Q1", periods=len(d), freq="Q")
    return pd.DataFrame(np.log(d[cols].to_numpy()), index=idx, columns=cols).diff().dropna()


def _check(res, ref, caused, causing, kind: str) -> None:
    names = list(res.names)
    ed = [caused] if isinstance(caused, str) else list(caused)
    ing = [n for n in names if n not in ed] if causing is None else ([causing] if isinstance(causing, str) else list(causing))
    expect = ref.test_causality(ed, ing, kind=kind, signif=0.1)
    got = res.causality(caused, causing, kind=kind, signif=0.1)
    assert isinstance(got, CausalityResult)
    assert_allclose(got.statistic, expect.test_statistic, rtol=1e-10)
    assert_allclose(got.pvalue, expect.pvalue, rtol=1e-10, atol=1e-300)
    assert_allclose(got.crit_value, expect.crit_value, rtol=1e-10)
    assert_allclose(got.df, np.atleast_1d(expect.df), rtol=1e-10)
    assert got.reject == (expect.conclusion == "reject")
    assert got.distribution == ("F" if kind == "f" else "chi2")
    assert got.caused == tuple(ed) and got.causing == tuple(ing)


CASES3 = [
    ("realgdp", "realcons"),
    ("realgdp", None),
    (["realgdp", "realcons"], "realinv"),
    (["realgdp", "realcons"], None),
    ("realinv", ["realgdp", "realcons"]),
]


@pytest.mark.parametrize("kind", ["f", "wald"])
@pytest.mark.parametrize(("caused", "causing"), CASES3)
def test_causality_matches_statsmodels_macrodata(macro_growth: pd.DataFrame, caused, causing, kind: str) -> None:
    res = SVAR(macro_growth, lags=2).fit()
    ref = VAR(macro_growth).fit(2)
    _check(res, ref, caused, causing, kind)


CASES5 = [
    ("realgdp", ["realinv", "realgovt"]),
    (["realgdp", "realdpi"], None),
    (["realcons", "realinv", "realgovt"], ["realgdp", "realdpi"]),
    ("realgovt", None),
]


@pytest.mark.parametrize("kind", ["f", "wald"])
@pytest.mark.parametrize(("caused", "causing"), CASES5)
def test_causality_matches_statsmodels_five_variables(macro5: pd.DataFrame, caused, causing, kind: str) -> None:
    res = SVAR(macro5, lags=3, trend="ct").fit()
    ref = VAR(macro5).fit(3, trend="ct")  # a labelled frame: statsmodels takes names itself
    _check(res, ref, caused, causing, kind)


def test_granger_is_a_deprecated_alias_of_causality(macro_growth: pd.DataFrame) -> None:
    res = SVAR(macro_growth, lags=2).fit()
    table = res.causality_table().set_index(["cause", "effect"])
    for cause in res.names:
        for effect in res.names:
            if cause != effect:
                with pytest.warns(DeprecationWarning, match=r"granger\(cause, effect\) is deprecated; use "
                                  r"causality\(effect, cause\)"):
                    g = res.granger(cause, effect)
                c = res.causality(effect, cause)
                assert g == c and c.name == f"granger {cause} -> {effect}"
                assert table.loc[(cause, effect), "granger_pvalue"] == c.pvalue
    t = res.causality(["realgdp", "realcons"], "realinv")
    assert t.null == "realinv does not Granger-cause {realgdp, realcons}"
    assert res.causality("realgdp").null == "{realcons, realinv} jointly do not Granger-cause realgdp"
    d = t.to_dict()
    assert d["caused"] == ["realgdp", "realcons"] and d["causing"] == ["realinv"]


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"caused": "gdp"}, ArgumentError, "caused names unknown variable 'gdp'"),
        ({"caused": "realgdp", "causing": ["realcons", "zz"]}, ArgumentError, "causing names unknown variable 'zz'"),
        ({"caused": [], "causing": "realgdp"}, ArgumentError, "caused must be"),
        ({"caused": "realgdp", "causing": [1]}, ArgumentError, "causing must hold variable names"),
        ({"caused": ["realgdp", "realcons"], "causing": "realcons"}, ArgumentError, "'realcons' is in both"),
        ({"caused": ["realgdp", "realcons", "realinv"]}, ArgumentError, "leaves nothing"),
        ({"caused": "realgdp", "kind": "lr"}, ArgumentError, "kind must be"),
        ({"caused": "realgdp", "signif": 1.5}, ArgumentError, "signif must be"),
    ],
)
def test_causality_bad_input(macro_growth: pd.DataFrame, kwargs, err, match: str) -> None:
    res = SVAR(macro_growth, lags=2).fit()
    with pytest.raises(err, match=match) as info:
        res.causality(**kwargs)
    assert isinstance(info.value, CausalMacroError) and isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)
