"""Spec validation: every malformed case gives one line naming the file and the key."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.errors import SpecError
from causalmacro.spec import dump_json_schema, json_schema, load_spec, parse_spec

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
name = "t"
frequency = "monthly"
start = "2015-01"
[gaps]
policy = "interpolate"
[series.inflation]
id = "CPIAUCSL"
transform = "yoy"
[series.liq]
derived = "net_liquidity"
[series.btc]
id = "CBBTCUSD"
[series.spread]
combine = { DGS10 = 1.0, DGS2 = -1.0 }
[var]
order = ["inflation", "liq", "btc"]
[assets]
groups = { btc = "crypto", spread = "rates" }
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "spec.toml"
    p.write_text(text)
    return p


def test_good_spec_parses_with_defaults_and_catalog_transforms(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.series["liq"].resolved_transform == "logdiff"  # catalog default of net liquidity
    assert spec.series["btc"].resolved_transform == "logdiff"
    assert spec.series["spread"].resolved_transform == "level"
    assert spec.raw_ids == ["CPIAUCSL", "WALCL", "WTREGEN", "RRPONTSYD", "CBBTCUSD", "DGS10", "DGS2"]
    assert spec.asset_shocks == ["inflation", "liq"]
    assert str(spec.start) == "2015-01-01"
    assert spec.path == (tmp_path / "spec.toml").resolve()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('transform = "yoy"', 'transfrom = "yoy"', "unknown key 'series.inflation.transfrom' (did you mean 'transform'?)"),
        ('transform = "yoy"', 'transform = "yoyy"', "key 'series.inflation.transform': 'yoyy' is not allowed (did you mean 'yoy'?)"),
        ('frequency = "monthly"', 'frequency = "montly"', "key 'frequency': 'montly' is not allowed (did you mean 'monthly'?)"),
        ('frequency = "monthly"', 'frequncy = "monthly"', "unknown key 'frequncy' (did you mean 'frequency'?)"),
        ('policy = "interpolate"', 'policy = "fill"', "key 'gaps.policy': 'fill' is not allowed"),
        ('order = ["inflation", "liq", "btc"]', 'order = ["inflation", "liqq", "btc"]', "key 'var.order.1': 'liqq' is not a series of this spec (did you mean 'liq'?)"),
        ('derived = "net_liquidity"', 'derived = "net_liquidty"', "unknown derived series 'net_liquidty' (did you mean 'net_liquidity'?)"),
        ('id = "CBBTCUSD"', 'id = "CBBTCUSD"\nderived = "net_liquidity"', "key 'series.btc': give exactly one of 'id', 'derived' or 'combine'"),
        ('groups = { btc = "crypto", spread = "rates" }', 'groups = { btcc = "crypto", spread = "rates" }', "key 'assets.groups.btcc': 'btcc' is not a series of this spec (did you mean 'btc'?)"),
        ('start = "2015-01"', 'start = "2015-13"', "key 'start'"),
        ('start = "2015-01"', 'start = "2015-01"\nend = "2014-01"', "key 'end': 2014-01-01 is not after key 'start' (2015-01-01)"),
        ('start = "2015-01"', 'start = "2015-01"\nend = "2015-01-01"', "key 'end': 2015-01-01 is not after key 'start' (2015-01-01)"),
        ('order = ["inflation", "liq", "btc"]', 'order = ["inflation", "liq", "btc"]\nlags = 0', "key 'var.lags'"),
        ('order = ["inflation", "liq", "btc"]', 'order = ["inflation", "inflation"]', "key 'var.order': a variable appears twice"),
        ('[series.inflation]', '[series.infl-ation]', "key 'series.infl-ation'"),
        ('name = "t"', '', "missing key 'name'"),
    ],
)
def test_malformed_spec_names_file_and_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(str(path))
    assert expected in msg


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"not valid TOML"):
        load_spec(write(tmp_path, "name = \n"))
    with pytest.raises(SpecError, match=r"nope\.toml: spec file not found"):
        load_spec(tmp_path / "nope.toml")


def test_csv_source_needs_path() -> None:
    with pytest.raises(SpecError, match=r"key 'data': .*source 'csv' needs a 'path'"):
        parse_spec({"name": "x", "data": {"source": "csv"}, "series": {"a": {"id": "A"}}})


def test_assets_need_a_var_section() -> None:
    raw = {"name": "x", "series": {"a": {"id": "A"}, "b": {"id": "B"}}, "assets": {"groups": {"a": "g", "b": "h"}}}
    with pytest.raises(SpecError, match=r"key 'assets': the asset model needs a \[var\] section"):
        parse_spec(raw)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "models").glob("*.toml")))
def test_shipped_specs_are_valid(name: str) -> None:
    spec = load_spec(ROOT / "models" / name)
    assert spec.var is not None and spec.assets is not None
    assert set(spec.var.order) <= set(spec.series)


def test_published_schema_is_current_and_refuses_unknown_keys() -> None:
    published = (ROOT / "docs" / "spec.schema.json").read_text()
    assert published == dump_json_schema(), "regenerate with: causalmacro schema > docs/spec.schema.json"
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert schema["$defs"]["SeriesSpec"]["additionalProperties"] is False
    assert set(schema["$defs"]["SeriesSpec"]["properties"]["transform"]["anyOf"][0]["enum"]) == {
        "level", "log", "diff", "logdiff", "yoy", "zscore",
    }
    json.loads(published)


def _var_spec(var: dict) -> dict:
    return {
        "name": "x",
        "series": {"a": {"id": "A"}, "b": {"id": "B"}},
        "var": {"order": ["a", "b"], **var},
    }


def test_short_run_and_sign_options_reach_the_svar() -> None:
    """The spec's tables become the scheme objects SVAR() takes (build.identification_of)."""
    from causalmacro.build.identification import identification_of

    data = pd.DataFrame({"a": [0.0] * 24, "b": [0.0] * 24}, index=pd.date_range("2020-01", periods=24, freq="MS"))
    spec = parse_spec(_var_spec({"identification": "short_run", "short_run": {"A": [[1, 0], ["*", 1]]}}))
    scheme = identification_of(spec, "short_run", data)
    assert isinstance(scheme, cm.ShortRun) and scheme.A == [[1.0, 0.0], ["*", 1.0]] and scheme.B is None
    spec = parse_spec(_var_spec({"identification": "sign", "sign": {"signs": {"a": {"a": 1, "b": -1}}, "horizons": 2}}))
    scheme = identification_of(spec, "sign", data)
    assert isinstance(scheme, cm.SignRestrictions)
    assert scheme.signs == {"a": {"a": 1, "b": -1}} and scheme.horizons == 2
    assert identification_of(spec, "long_run", data) == "long_run"
    # a sign over its own horizons, and a narrative restriction on a catalogue event, mapped to its panel month
    spec = parse_spec(_var_spec({"identification": "sign", "sign": {
        "signs": {"a": {"a": 1, "b": {"sign": -1, "horizons": [2, 6]}}},
        "narrative": [{"event": "ftx_collapse_2022", "shock": "a", "sign": -1, "variable": "b",
                       "contribution": "largest"}]}}))
    scheme = identification_of(spec, "sign", data)
    assert scheme.signs["a"]["b"] == {"sign": -1, "horizons": [2, 6]}
    (r,) = scheme.narrative
    assert (pd.Timestamp(r.date), r.shock, r.sign, r.variable, r.contribution, r.periods) == (
        pd.Timestamp("2022-11-01"), "a", -1, "b", "largest", 1)


@pytest.mark.parametrize(
    ("var", "message"),
    [
        ({"identification": "short_run"}, r"key 'var.short_run': identification 'short_run' needs a \[var.short_run\] table"),
        ({"identification": "short_run", "short_run": {"A": [[1, 0]]}}, r"key 'var.short_run.A': must be 2 rows of 2 entries"),
        ({"identification": "short_run", "short_run": {"A": [[1, 0], ["x", 1]]}}, r"key 'var.short_run.A.1.0"),
        ({"identification": "sign"}, r"key 'var.sign': identification 'sign' needs a \[var.sign\] table"),
        ({"identification": "sign", "sign": {"signs": {"aa": {"a": 1}}}}, r"key 'var.sign.signs': 'aa' is not a variable of \[var\].order \(did you mean 'a'\?\)"),
        ({"identification": "sign", "sign": {"signs": {"a": {"a": 2}}}}, r"key 'var.sign.signs.a.a': 2 is not allowed; choose from -1 or 1"),
        ({"identification": "volatility"}, r"key 'var.volatility': identification 'volatility' needs a \[var.volatility\] "
         "table with breaks or regime"),
        ({"identification": "volatility", "volatility": {"breaks": ["2020-03"], "regime": "r"}},
         r"key 'var.volatility': give exactly one of 'breaks' \(dates\) and 'regime'"),
        ({"identification": "volatility", "volatility": {"breaks": ["2021-03", "2020-03"]}},
         r"key 'var.volatility': 'breaks' must be distinct dates in time order"),
        ({"identification": "volatility", "volatility": {"breaks": ["March 2020"]}},
         r"key 'var.volatility.breaks.0': 'March 2020' is not a date"),
        ({"identification": "volatility", "volatility": {"regime": "crypto"}},
         r"key 'var.volatility.regime': 'crypto' is not a regime of \[regimes\]"),
        ({"identification": "proxy", "proxy": {"file": "s.csv", "column": "ff4", "shock": "c"}},
         r"key 'var.proxy.shock': 'c' is not a variable of \[var\].order"),
        ({"identification": "proxy", "proxy": {"file": "s.csv", "shock": "a"}}, r"missing key 'var.proxy.column'"),
        ({"identification": "proxy", "bootstrap": "wild", "proxy": {"file": "s.csv", "column": "m", "shock": "a"}},
         r"key 'var.bootstrap': a proxy needs 'block' \(or 'residual'\) bootstrap bands"),
        ({"identification": "sign", "sign": {"signs": {"a": {"a": 1}}, "narrative": [{"event": "ftx_collapse_2022",
          "shock": "a"}]}}, r"key 'var.sign.narrative.0': a narrative restriction needs 'sign', or 'contribution'"),
        ({"identification": "sign", "sign": {"signs": {"a": {"a": 1}}, "narrative": [{"event": "ftx_collapse_2022",
          "shock": "a", "sign": -1, "variable": "bb", "contribution": "largest"}]}},
         r"key 'var.sign.narrative.0': 'bb' is not a variable of \[var\].order \(did you mean 'b'\?\)"),
        ({"identification": "sign", "sign": {"signs": {"a": {"a": 1}}, "narrative": [{"event": "ftx_colapse_2022",
          "shock": "a", "sign": -1}]}}, r"key 'var.sign.narrative.0.event': 'ftx_colapse_2022' is neither an \[events\] "
         r"table nor in the event catalogue \(did you mean 'ftx_collapse_2022'\?\)"),
        ({"identification": "sign", "sign": {"signs": {"a": {"b": {"sign": 1, "horizons": [6, 2]}}}}},
         r"key 'var.sign.signs.a.b': horizons \[6, 2\] run backwards"),
        ({"compare": ["sign"]}, r"key 'var.compare.0': identification 'sign' needs a \[var.sign\] table"),
        ({"compare": ["recursive"]}, r"key 'var.compare.0': 'recursive' is the chosen identification"),
        ({"identification": "non_gaussian", "compare": ["recursive", "recursive"]},
         r"key 'var.compare': a scheme appears twice"),
        ({"compare": ["cholesky"]}, r"key 'var.compare.0': "),
    ],
)
def test_bad_identification_options(var: dict, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_spec(_var_spec(var))


def test_flip_must_name_an_asset(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, GOOD.replace('groups = {', 'flip = ["spread"]\ngroups = {')))
    assert spec.assets is not None and spec.assets.flip == ["spread"]
    with pytest.raises(SpecError, match=r"key 'assets.flip.0': 'sprd' is not an asset of \[assets\].groups \(did you mean 'spread'\?\)"):
        load_spec(write(tmp_path, GOOD.replace('groups = {', 'flip = ["sprd"]\ngroups = {')))


@pytest.mark.parametrize(
    ("old", "series"),
    [
        ('derived = "net_liquidity"', "liq"),
        ("combine = { DGS10 = 1.0, DGS2 = -1.0 }", "spread"),
    ],
)
def test_aggregation_only_on_a_raw_series(tmp_path: Path, old: str, series: str) -> None:
    path = write(tmp_path, GOOD.replace(old, f'{old}\naggregation = "last"', 1))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert str(info.value) == (
        f"{path}: key 'series.{series}.aggregation': applies to a raw series ('id') only; "
        "a derived or combined column is computed from inputs each aligned by its own rule"
    )
    # on a raw series it stays allowed
    spec = load_spec(write(tmp_path, GOOD.replace('id = "CBBTCUSD"', 'id = "CBBTCUSD"\naggregation = "last"', 1)))
    assert spec.series["btc"].aggregation == "last"


def test_channel_names_must_be_chain_variables(tmp_path: Path) -> None:
    text = (ROOT / "models" / "demo.toml").read_text() + '\n[report]\nchannels = ["net_liquidity", "net_liqidity"]\n'
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(SpecError, match=r"key 'report.channels.1': 'net_liqidity' is not a variable of \[var\].order "
                                        r"\(did you mean 'net_liquidity'\?\)"):
        load_spec(bad)
    ok = tmp_path / "ok.toml"
    ok.write_text((ROOT / "models" / "demo.toml").read_text() + "\n[report]\nchannels = []\n")
    assert load_spec(ok).channel_plan == ([], [])


def _json_raw() -> dict:
    """A valid spec as JSON-like data (what the published schema validates)."""
    return {
        "name": "t",
        "start": "2015-01-01",
        "series": {"a": {"id": "A"}, "b": {"id": "B", "ragged": False}, "c": {"id": "C"}},
        "var": {"order": ["a", "b", "c"], "horizon": 24, "level": 0.9},
        "assets": {"groups": {"b": "x", "c": "y"}, "shocks": ["a"], "lags": 2},
        "graph": {"alpha": 0.1},
    }


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("var", "horizon"), "24"),  # integer given a string
        (("var", "horizon"), 24.5),  # integer given a fraction
        (("assets", "lags"), True),  # integer given a boolean
        (("series", "b", "ragged"), "yes"),  # boolean given a string
        (("series", "b", "ragged"), 1),  # boolean given an integer
        (("var", "level"), "0.9"),  # number given a string
        (("var", "level"), True),  # number given a boolean
        (("name",), 5),  # string given an integer
        (("var", "order"), "a"),  # array given a string
        (("start",), 20150101),  # date given an integer
    ],
)
def test_loader_refuses_what_the_published_schema_refuses(path: tuple[str, ...], value: object) -> None:
    import jsonschema

    raw = _json_raw()
    jsonschema.validate(raw, json_schema())  # the base is valid
    parse_spec(raw)
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, json_schema())
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    msg = str(info.value)
    assert "\n" not in msg
    assert f"key '{'.'.join(path)}'" in msg


def test_loader_keeps_accepting_what_the_published_schema_accepts() -> None:
    import jsonschema

    raw = _json_raw()
    raw["var"]["level"] = 1 - 0.25  # a number
    raw["graph"]["alpha"] = 0  # an integer is a number (refused by the bound, not the type)
    with pytest.raises(SpecError, match=r"key 'graph.alpha'"):
        parse_spec(raw)
    raw["graph"]["alpha"] = 0.1
    raw["var"]["short_run"] = None
    raw["start"] = "2015-01-01"  # a string in date format
    raw["var"]["horizon"] = 24.0  # JSON Schema's integer is a number with no fractional part
    jsonschema.validate(raw, json_schema())
    spec = parse_spec(raw)
    assert spec.start is not None and spec.start.isoformat() == "2015-01-01"
    assert spec.var is not None and spec.var.horizon == 24 and isinstance(spec.var.horizon, int)
    raw["var"]["horizon"] = 24.5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(raw, json_schema())
    with pytest.raises(SpecError, match=r"key 'var.horizon'"):
        parse_spec(raw)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("var", "lags"), "aicc", "key 'var.lags': expected an integer >= 1 or one of 'aic', 'bic' or 'hqic', "
                                  "got the string 'aicc' (did you mean 'aic'?)"),
        (("var", "lags"), 0, "key 'var.lags': expected an integer >= 1 or one of 'aic', 'bic' or 'hqic', got 0"),
        (("var", "lags"), True, "key 'var.lags': expected an integer >= 1 or one of 'aic', 'bic' or 'hqic', got true"),
        (("var", "short_run"), {"A": [[1, "x"], [0, 1]]}, "key 'var.short_run.A.0.1': expected a number or '*', "
                                                          "got the string 'x'"),
        (("var", "horizon"), "24", "key 'var.horizon': expected an integer >= 1 and <= 240, got the string '24'"),
        (("var", "level"), 1.5, "key 'var.level': expected a number > 0 and < 1, got 1.5"),
        (("var", "max_lags"), 0, "key 'var.max_lags': expected an integer >= 1 and <= 48, got 0"),
        (("series", "b", "ragged"), "yes", "key 'series.b.ragged': expected true or false, got the string 'yes'"),
    ],
)
def test_union_and_type_errors_name_the_key_and_the_alternatives(path: tuple[str, ...], value: object,
                                                                 expected: str) -> None:
    raw = _json_raw()
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    assert str(info.value) == f"<spec>: {expected}"


def test_regime_period_ending_before_it_starts_names_the_end_key() -> None:
    raw = _json_raw()
    raw["regimes"] = {"r": {"rule": "dates", "default": "b",
                            "periods": [{"start": "2016-01", "end": "2015-06", "label": "a"}]}}
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    assert str(info.value) == "<spec>: key 'regimes.r.periods.0.end': 2015-06-01 is before key 'start' (2016-01-01)"


def test_asset_shocks_may_not_include_an_asset() -> None:
    raw = _json_raw()
    raw["assets"]["shocks"] = ["a", "c"]
    with pytest.raises(SpecError) as info:
        parse_spec(raw)
    assert str(info.value) == ("<spec>: key 'assets.shocks.1': 'c' is an asset of [assets].groups: its own shock "
                               "would explain its returns; shocks must be non-asset variables of [var].order")
    raw["assets"]["shocks"] = None  # the default leaves the assets out
    spec = parse_spec(raw)
    assert spec.asset_shocks == ["a"]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('order = ["inflation", "liq", "btc"]', 'order = ["inflation", "liq", "btcc"]',
     "key 'var.order.2': 'btcc' is not a series of this spec (did you mean 'btc'?)"),
    ('order = ["inflation", "liq", "btc"]', 'order = ["inflation", "liq", "btc"]\nlevel = 1.5',
     "key 'var.level': expected a number > 0 and < 1, got 1.5"),
    ('order = ["inflation", "liq", "btc"]', 'order = ["inflation", "liq", "btc"]\nhorizon = -4',
     "key 'var.horizon': expected an integer >= 1 and <= 240, got -4"),
    ('order = ["inflation", "liq", "btc"]', 'order = ["inflation", "liq", "btc"]\nidentification = "cholesky"',
     "key 'var.identification': 'cholesky' is not allowed"),
    ('order = ["inflation", "liq", "btc"]',
     'order = ["inflation", "liq", "btc"]\nidentification = "sign"\nsign = { signs = { liq = { bt = 1 } } }',
     "key 'var.sign.signs': 'bt' is not a variable of [var].order (did you mean 'btc'?)"),
    ('name = "t"', 'name = "t"\nseries = {}', "key 'series': needs at least 1 entry, got 0"),
    ('name = "t"', 'name = "t', "not valid TOML: "),
])
def test_everyday_spec_mistakes_are_one_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    text = GOOD.replace(old, new, 1)
    if "series = {}" in new:  # no [series.*] tables at all
        text = text.split("[series.inflation]")[0]
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: ") and expected in msg
    if "TOML" in expected:
        assert "line 2" in msg  # where the mistake is


def test_lp_hac_lags_and_cumulative_reach_the_projections() -> None:
    import pandas as pd

    from causalmacro.build.lp import build_local_projections

    spec = parse_spec({**_var_spec({}), "lp": {"hac_lags": 3, "cumulative": True, "lag_augment": False}})
    idx = pd.RangeIndex(60)
    data = pd.DataFrame({"a": range(60), "b": [float(i % 7) for i in range(60)]}, index=idx, dtype=float)
    models = build_local_projections(spec, data, data.rename(columns=str.upper).rename(columns=str.lower),
                                     pd.DataFrame(index=idx), lags=1)
    pooled, by_state = models["a -> b"]
    assert (pooled.hac_lags, pooled.cumulative, pooled.lag_augment, by_state) == (3, True, False, None)
    with pytest.raises(SpecError, match=r"hac_lags"):
        parse_spec({**_var_spec({}), "lp": {"hac_lags": -1}})


def test_a_narrative_restriction_on_a_var_dummy_event_is_refused() -> None:
    """A pulse dummy fits its month exactly: the residual, and so every shock, is zero there."""
    raw = _var_spec({"identification": "sign", "sign": {"signs": {"a": {"a": 1}}, "narrative": [
        {"event": "ftx", "shock": "a", "sign": -1}]}})
    raw["events"] = {"ftx": {"catalogue": "ftx_collapse_2022"}}
    with pytest.raises(SpecError, match=r"key 'var.sign.narrative.0.event': 'ftx' enters the VAR as a dummy "
                                        r"\(\[events.ftx\] var = true\)"):
        parse_spec(raw)
    raw["events"]["ftx"]["var"] = False
    assert parse_spec(raw).var.sign.narrative[0].event == "ftx"
