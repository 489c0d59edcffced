"""The spec's identification tables become scheme objects on the panel's periods (build.identification_of)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.build import build_svar
from causalmacro.build.identification import identification_of, read_instrument
from causalmacro.errors import DataError


def _with_var(spec: cm.ModelSpec, **update: object) -> cm.ModelSpec:
    return spec.model_copy(update={"var": spec.var.model_copy(update=update)})


def test_instrument_file_is_summed_per_panel_month_and_aligned(demo, tmp_path: Path) -> None:
    """Daily surprises in a CSV: two in one month add up, a month with only a missing value stays missing, rows
    outside the panel are dropped; the Series is on the panel's own month labels."""
    _, panel = demo
    index = pd.DatetimeIndex(panel.data.index)
    f = tmp_path / "surprises.csv"
    f.write_text("date,ff4,other\n2019-03-20,0.10,1\n2019-03-31,0.05,1\n2019-05-01,,1\n2019-06-12,-0.2,1\n"
                 "1990-01-15,9,1\n")
    m = read_instrument(f, "ff4", index)
    assert m.name == "ff4" and m.index.isin(index).all()
    assert m[pd.Timestamp("2019-03-01")] == pytest.approx(0.15)
    assert np.isnan(m[pd.Timestamp("2019-05-01")]) and m[pd.Timestamp("2019-06-01")] == pytest.approx(-0.2)
    assert pd.Timestamp("1990-01-01") not in m.index
    with pytest.raises(DataError, match=r"surprises.csv: no instrument column 'ff5'; the columns are "
                                        r"\['ff4', 'other'\]"):
        read_instrument(f, "ff5", index)
    f.write_text("date,ff4\n1990-01-15,9\n")
    with pytest.raises(DataError, match=r"has no value in the panel's periods"):
        read_instrument(f, "ff4", index)
    with pytest.raises(DataError, match=r"missing.csv: data file not found"):
        read_instrument(tmp_path / "missing.csv", "ff4", index)


def test_a_proxy_spec_fits_the_proxy_svar_on_its_instrument(demo, tmp_path: Path) -> None:
    """[var.proxy] reads the file relative to the spec and fits what cm.Proxy fits on the same Series."""
    spec, panel = demo
    order = list(spec.var.order)
    rng = np.random.default_rng(0)
    rec = build_svar(spec, panel.data).fit()
    # an instrument made of the recursive real-rate shock plus noise, on the VAR's sample
    eps = pd.Series(np.linalg.solve(np.asarray(rec.impact), np.asarray(rec.reduced_form.resid).T)[1],
                    index=rec.reduced_form.index)
    z = eps + 0.5 * rng.standard_normal(len(eps))
    (tmp_path / "z.csv").write_text("date,z\n" + "".join(f"{t:%Y-%m-%d},{v:.10f}\n" for t, v in z.items()))
    proxied = _with_var(spec, identification="proxy",
                        proxy=cm.spec.schema.ProxySpec(file="z.csv", column="z", shock="real_rate"))
    object.__setattr__(proxied, "_path", tmp_path / "spec.toml")  # files resolve against the spec's folder
    scheme = identification_of(proxied, "proxy", panel.data)
    assert isinstance(scheme, cm.Proxy) and scheme.shock == "real_rate"
    res = build_svar(proxied, panel.data).fit()
    direct = cm.SVAR(panel.data[order], order=order, lags=rec.lags, exog=build_svar(spec, panel.data).exog,
                     identification=cm.Proxy(instrument=z.round(10), shock="real_rate")).fit()
    j = order.index("real_rate")
    np.testing.assert_allclose(np.asarray(res.impact)[:, j], np.asarray(direct.impact)[:, j], atol=1e-8)
    assert res.first_stage.effective_f > 10  # a strong instrument by construction
def test_volatility_breaks_and_regimes_map_to_panel_periods(demo) -> None:
    """``breaks`` dates become the panel months containing them; ``regime`` a [regimes] definition's labels."""
    spec, panel = demo
    vol = _with_var(spec, identification="volatility",
                    volatility=cm.spec.schema.VolatilitySpec(breaks=["2020-03-12", "2022-05-09"]))
    scheme = identification_of(vol, "volatility", panel.data)
    assert [pd.Timestamp(b) for b in scheme.breaks] == [pd.Timestamp("2020-03-01"), pd.Timestamp("2022-05-01")]
    assert scheme.stratify is False
    strat = _with_var(spec, identification="volatility",
                      volatility=cm.spec.schema.VolatilitySpec(breaks=["2020-03"], stratify=True))
    assert identification_of(strat, "volatility", panel.data).stratify is True
    name = next(iter(spec.regimes))
    by_regime = _with_var(spec, identification="volatility", volatility=cm.spec.schema.VolatilitySpec(regime=name))
    scheme = identification_of(by_regime, "volatility", panel.data)
    assert scheme.regimes.name == name and scheme.regimes.index.equals(pd.DatetimeIndex(panel.data.index))
