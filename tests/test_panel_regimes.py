"""Regimes from the panel, state-dependent projections in the pipeline, and the cycle position."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.cli import main
from causalmacro.errors import DataError, SpecError
from causalmacro.pipeline import cycle_position
from causalmacro.spec import parse_spec

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "models" / "demo.toml"
INDEX = pd.date_range("2020-01-01", periods=8, freq="MS")
DATA = pd.DataFrame({"rate": [1.0, 1.0, 1.5, 2.0, 2.0, 1.5, 1.0, 1.0],
                     "growth": [1.0, -3.0, 1.0, 1.0, 1.0, -2.0, -2.0, 5.0],
                     "spread": [3.0, 4.0, 5.0, 6.0, 2.0, 9.0, 4.0, 4.5]}, index=INDEX)


def spec_with(regimes: dict, **extra: object) -> cm.ModelSpec:
    base = {"name": "t", "series": {"rate": {"id": "R"}, "growth": {"id": "G"}, "spread": {"id": "S"}},
            "var": {"order": ["rate", "growth"]}, "regimes": regimes}
    return parse_spec({**base, **extra})


def labels(spec: cm.ModelSpec, name: str) -> list[str | None]:
    s = cm.regimes(DATA, spec)[name]
    return [None if pd.isna(x) else str(x) for x in s]


def test_change_rule_by_hand() -> None:
    spec = spec_with({"m": {"rule": "change", "series": "rate", "window": 2, "labels": ["easing", "tightening"]}})
    # x_t - x_{t-2}: nan nan 0.5 1.0 0.5 -0.5 -1.0 -0.5
    assert labels(spec, "m") == [None, None, "tightening", "tightening", "tightening", "easing", "easing", "easing"]
    assert list(cm.regimes(DATA, spec)["m"].cat.categories) == ["easing", "tightening"]


def test_sign_rule_by_hand() -> None:
    spec = spec_with({"l": {"rule": "sign", "series": "growth", "window": 3}})
    # mean of the last 3: nan nan -1/3 -1/3 1 0 -1 1/3 (an exact zero has no regime)
    assert labels(spec, "l") == [None, None, "negative", "negative", "positive", None, "negative", "positive"]


def test_median_rule_uses_only_the_past() -> None:
    spec = spec_with({"r": {"rule": "median", "series": "spread", "window": 3, "labels": ["risk_on", "risk_off"]}})
    # x_t against the median of the 3 periods before it: t=3: 6 vs 4 -> off; t=4: 2 vs 5 -> on;
    # t=5: 9 vs 5 -> off; t=6: 4 vs 6 -> on; t=7: 4.5 vs 4 -> off
    expected = [None, None, None, "risk_off", "risk_on", "risk_off", "risk_on", "risk_off"]
    assert labels(spec, "r") == expected
    # changing the future leaves the past's labels as they were
    later = DATA.copy()
    later.iloc[-1] = 100.0
    assert [None if pd.isna(x) else x for x in cm.regimes(later, spec)["r"]][:-1] == expected[:-1]


def test_dates_rule() -> None:
    spec = spec_with({"d": {"rule": "dates", "default": "normal",
                            "periods": [{"start": "2020-03", "end": "2020-04-30", "label": "stress"}]}})
    assert labels(spec, "d") == ["normal", "normal", "stress", "stress", "normal", "normal", "normal", "normal"]


def test_a_regime_that_separates_nothing_is_refused() -> None:
    spec = spec_with({"flat": {"rule": "sign", "series": "growth", "window": 8}})
    with pytest.raises(DataError, match="regime 'flat': every period with a value is 'positive'"):
        cm.regimes(DATA, spec)
    spec = spec_with({"none": {"rule": "change", "series": "rate", "window": 7}})  # x_7 - x_0 is an exact 0
    with pytest.raises(DataError, match="regime 'none': no period has a value"):
        cm.regimes(DATA, spec)


@pytest.mark.parametrize(("entry", "message"), [
    ({"rule": "trend", "series": "rate", "window": 3}, "key 'regimes.x.rule': 'trend' is not allowed"),
    ({"rule": "change", "window": 3}, "key 'regimes.x.series': rule 'change' needs 'series'"),
    ({"rule": "change", "series": "rate"}, "key 'regimes.x.window': rule 'change' needs 'window'"),
    ({"rule": "change", "series": "rte", "window": 3}, "key 'regimes.x.series': 'rte' is not a series of this spec "
                                                      "(did you mean 'rate'?)"),
    ({"rule": "sign", "series": "rate", "window": 0}, "key 'regimes.x.window'"),
    ({"rule": "sign", "series": "rate", "window": 3, "labels": ["a"]}, "key 'regimes.x.labels'"),
    ({"rule": "sign", "series": "rate", "window": 3, "labels": ["a", "a"]}, "the two labels are the same"),
    ({"rule": "sign", "series": "rate", "window": 3, "default": "a"}, "key 'regimes.x.default': applies to rule"),
    ({"rule": "dates"}, "key 'regimes.x.periods': rule 'dates' needs 'periods'"),
    ({"rule": "dates", "periods": [{"start": "2020-05", "end": "2020-01", "label": "a"}], "default": "b"},
     "key 'regimes.x.periods.0.end': 2020-01-01 is before key 'start' (2020-05-01)"),
    ({"rule": "dates", "periods": [{"start": "2020-01", "end": "2020-05", "label": "a"},
                                   {"start": "2020-04", "end": "2020-08", "label": "b"}]}, "periods overlap"),
    ({"rule": "dates", "periods": [{"start": "2020-01", "end": "2020-05", "label": "a"}]}, "two labels at least"),
    ({"rule": "sign", "series": "rate", "window": 3, "colour": 1}, "unknown key 'regimes.x.colour'"),
])
def test_malformed_regime_is_one_line(entry: dict, message: str) -> None:
    with pytest.raises(SpecError) as err:
        spec_with({"x": entry})
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(("extra", "message"), [
    ({"lp": {"state": "liquidty"}}, "key 'lp.state': 'liquidty' is not a regime of [regimes] (did you mean 'liquidity'?)"),
    ({"lp": {"links": ["rate => growth"]}}, "key 'lp.links': link 'rate => growth' is not of the form"),
    ({"lp": {"links": ["rate -> spread"]}}, "key 'lp.links.0': 'spread' is not a variable of [var].order"),
    ({"lp": {"links": ["rate -> rate"]}}, "'rate' is linked to itself"),
])
def test_malformed_lp_is_one_line(extra: dict, message: str) -> None:
    with pytest.raises(SpecError) as err:
        spec_with({"liquidity": {"rule": "sign", "series": "growth", "window": 3}}, **extra)
    assert message in str(err.value)


def test_asset_regime_must_be_defined(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DEMO.read_text().replace('regime = "liquidity"', 'regime = "liquidty"'))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "key 'assets.regime': 'liquidty' is not a regime of [regimes]" in err[0]


def test_cycle_position_by_hand() -> None:
    regimes = pd.DataFrame({"m": pd.Categorical(["a", "b", "b", "a", "a", "a", "b", "b"], categories=["a", "b"])},
                           index=INDEX)
    pos = cycle_position(DATA, ["rate", "spread"], regimes)
    row = pos.links.loc["spread"]
    assert row["value"] == 4.5
    assert row["percentile"] == pytest.approx(100 * 5 / 8)  # 3, 4, 2, 4 and 4.5 itself are at or below 4.5
    assert row["change_3"] == pytest.approx(4.5 - 2.0) and row["change_6"] == pytest.approx(4.5 - 4.0)
    assert row["direction_3"] == "rising" and row["direction_6"] == "rising"  # 0.5 > a tenth of the s.d. (2.1)
    assert pos.links.loc["rate", "direction_3"] == "falling"  # 1.0 - 2.0
    assert pos.links.loc["rate", "direction_6"] == "flat"  # 1.0 - 1.0
    assert pos.regimes.loc["m", "label"] == "b" and pos.regimes.loc["m", "periods"] == 2
    assert pos.regimes.loc["m", "since"] == INDEX[6]
    assert pos.to_dict()["regimes"]["m"]["since"] == "2020-07-01"


def test_pipeline_runs_state_dependent_projections_with_the_spec_regimes() -> None:
    spec = cm.load_spec(DEMO)
    panel = cm.build_panel(spec, cm.open_source(spec))
    run = cm.fit_spec(spec, panel, assets=False, reps=0)
    assert list(run.regimes.columns) == ["monetary", "liquidity", "risk"]
    assert list(run.lp) == ["inflation -> real_rate", "real_rate -> net_liquidity", "net_liquidity -> hy_spread",
                            "hy_spread -> btc"]
    link = run.lp_state["net_liquidity -> hy_spread"]
    assert list(link["state"].values) == ["contracting", "expanding"]
    # the projection's definition, recomputed: hy_spread_{t+h} on the identified shock, lags of both (plus one)
    lp = cm.LocalProjections(panel.data[["hy_spread"]], run.svar.structural_shocks()[["net_liquidity"]],
                             horizon=spec.var.horizon, lags=run.svar.lags).fit().irf(level=spec.var.level,
                                                                                      joint=spec.var.joint)
    np.testing.assert_allclose(run.lp["net_liquidity -> hy_spread"].to_numpy(), lp.to_numpy())
    # the VAR and the projection agree on impact up to sampling error on the demo (a VAR world)
    var0 = float(run.irf.sel(response="hy_spread", shock="net_liquidity", horizon=0, bound="point"))
    lp0 = run.lp["net_liquidity -> hy_spread"].sel(horizon=0, response="hy_spread", shock="net_liquidity")
    assert float(lp0.sel(bound="lower")) < var0 < float(lp0.sel(bound="upper"))
    assert run.position is not None and run.position.date == panel.data.index[-1]
    assert set(run.position.regimes.index) == {"monetary", "liquidity", "risk"}


@pytest.mark.parametrize("horizon", [-1, 4, 2.0])
def test_cycle_position_refuses_a_horizon_the_asset_model_lacks(horizon: object) -> None:
    """The horizon was clamped to the last one silently; now it is refused in one line."""
    import xarray as xr

    from causalmacro.errors import ArgumentError
    from causalmacro.pipeline.position import _check_horizon

    cum = xr.DataArray([0.1, 0.2, 0.3, 0.4], dims="horizon", coords={"horizon": [0, 1, 2, 3]})
    assert _check_horizon(2, cum) == 2
    with pytest.raises(ArgumentError) as info:
        _check_horizon(horizon, cum)  # type: ignore[arg-type]
    assert str(info.value) == (f"horizon must be a whole number from 0 to 3 (the asset model's lags), got {horizon!r}")
