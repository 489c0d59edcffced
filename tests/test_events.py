"""Events: the catalogue, spec entries, dummies at the panel's frequency, their effects in a VARX."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import causalmacro as cm
from causalmacro.cli import main
from causalmacro.errors import DataError, SpecError
from causalmacro.panel.events import event_dummies, event_period
from causalmacro.spec import EVENT_KINDS, event_catalogue, parse_spec
from causalmacro.spec.events import SOURCE_HOSTS, source_problem

sys.path.insert(0, str(Path(__file__).parent / "svar"))
from varx_sim import VARX_CHOL, VARX_GAMMA, simulate_varx

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "models" / "demo.toml"

BASE = {
    "name": "t",
    "start": "2015-01",
    "series": {"a": {"id": "A"}, "b": {"id": "B"}},
    "var": {"order": ["a", "b"]},
}


def spec_with(events: dict, **extra: object) -> cm.ModelSpec:
    return parse_spec({**BASE, "events": events, **extra})


# ---------------------------------------------------------------- catalogue
def test_catalogue_entries_are_dated_sourced_and_of_known_kind() -> None:
    cat = event_catalogue()
    assert len(cat) >= 30
    dates = [e.date for e in cat.values()]
    assert dates == sorted(dates)
    for key, e in cat.items():
        assert e.kind in EVENT_KINDS, key
        assert e.source.startswith("https://"), key
        assert str(e.date.year) in key, key  # ids carry their year
    # the events the issue names are there, on the dates their sources give
    assert cat["bybit_hack_2025"].date == dt.date(2025, 2, 21)
    assert cat["ftx_collapse_2022"].date == dt.date(2022, 11, 11)
    assert cat["spot_bitcoin_etf_approval_2024"].date == dt.date(2024, 1, 10)
    assert cat["deepseek_r1_release_2025"].date == dt.date(2025, 1, 20)
    assert cat["svb_failure_2023"].date == dt.date(2023, 3, 10)
    assert cat["fomc_cut_to_zero_2020_03_15"].date == dt.date(2020, 3, 15)


def test_every_source_is_a_primary_or_reputable_record() -> None:
    """https, no tracking parameters, no staging/preview/newsletter page, a host on SOURCE_HOSTS."""
    problems = {key: source_problem(e.source) for key, e in event_catalogue().items()}
    assert {key: p for key, p in problems.items() if p is not None} == {}
    # the sources issue 23 found doubtful are gone
    sources = {e.source for e in event_catalogue().values()}
    assert not any(s for s in sources if "petition11" in s or "techstartups" in s or "utm_" in s)


@pytest.mark.parametrize(("url", "problem"), [
    ("http://www.federalreserve.gov/newsevents/press/monetary/20080122b.htm",
     "not https: http://www.federalreserve.gov/newsevents/press/monetary/20080122b.htm"),
    ("https://www.coindesk.com/policy/2023/11/21/x/?utm_medium=referral&utm_source=rss",
     "tracking parameter 'utm_medium': https://www.coindesk.com/policy/2023/11/21/x/?utm_medium=referral&utm_source=rss"),
    ("https://www.theverge.com/2022/6/13/x?fbclid=abc", "tracking parameter 'fbclid': https://www.theverge.com/2022/6/13/x?fbclid=abc"),
    ("https://www.sec.gov/news/x?ref=home", "tracking parameter 'ref': https://www.sec.gov/news/x?ref=home"),
    ("https://www.bbc.com/staging/2018/01/26/coincheck", "a staging, preview or newsletter page: "
     "https://www.bbc.com/staging/2018/01/26/coincheck"),
    ("https://www.petition11.com/p/housingtech", "host 'www.petition11.com' is not on SOURCE_HOSTS (a primary or "
     "reputable record): https://www.petition11.com/p/housingtech"),
    ("https://notsec.gov/x", "host 'notsec.gov' is not on SOURCE_HOSTS (a primary or reputable record): "
     "https://notsec.gov/x"),
    ("https://www.sec.gov/cgi-bin/browse-edgar?action=getcompany&CIK=0001312109&type=8-K", None),
    ("https://media.cadc.uscourts.gov/opinions/docs/2023/08/22-1142-2013488.pdf", None),
])
def test_source_problem_names_what_is_wrong(url: str, problem: str | None) -> None:
    assert source_problem(url) == problem


def test_source_hosts_are_bare_lower_case_hosts() -> None:
    hosts = [h for group in SOURCE_HOSTS.values() for h in group]
    assert len(hosts) == len(set(hosts))
    assert all(h == h.lower() and "/" not in h and not h.startswith(("www.", "http")) for h in hosts)


def test_spec_names_catalogue_entries_and_own_dates() -> None:
    spec = spec_with({
        "ftx": {"catalogue": "ftx_collapse_2022"},
        "bybit_hack_2025": {},                          # the table's name looked up
        "mine": {"date": "2019-06", "shape": "window", "periods": 3, "title": "my event"},
    })
    assert spec.event_date("ftx") == dt.date(2022, 11, 11)
    assert spec.event_date("bybit_hack_2025") == dt.date(2025, 2, 21)
    assert spec.event_date("mine") == dt.date(2019, 6, 1)
    assert spec.event_title("mine") == "my event"
    assert "Bybit" in spec.event_title("bybit_hack_2025")


@pytest.mark.parametrize(("entry", "message"), [
    ({"catalogue": "ftx_colapse_2022"}, "key 'events.e.catalogue': 'ftx_colapse_2022' is not in the event catalogue "
                                        "(did you mean 'ftx_collapse_2022'?)"),
    ({}, "key 'events.e': give 'date' or 'catalogue'"),
    ({"date": "2020-01-01", "catalogue": "ftx_collapse_2022"}, "key 'events.e': give 'catalogue' or 'date', not both"),
    ({"date": "2020-01-01", "shape": "window"}, "key 'events.e.periods': shape 'window' needs 'periods'"),
    ({"date": "2020-01-01", "periods": 2}, "key 'events.e.periods': applies to shape 'window' only, not 'pulse'"),
    ({"date": "2020-01-01", "shape": "spike"}, "key 'events.e.shape': 'spike' is not allowed"),
    ({"date": "2020-13-01"}, "key 'events.e.date'"),
    ({"date": "2020-01-01", "colour": "red"}, "unknown key 'events.e.colour'"),
    ({"date": "2010-01-01"}, "key 'events.e': date 2010-01-01 is outside the spec's window 2015-01-01.."),
    ({"date": "2020-01-01", "var": False, "assets": False}, "key 'events.e': the event enters neither"),
])
def test_malformed_event_is_one_line(entry: dict, message: str) -> None:
    with pytest.raises(SpecError) as err:
        spec_with({"e": entry})
    text = str(err.value)
    assert message in text and "\n" not in text


def test_malformed_event_exits_2_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DEMO.read_text().replace('catalogue = "terra_ust_collapse_2022"',
                                            'catalogue = "terra_collapse"'))
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "key 'events.terra_collapse_2022.catalogue': 'terra_collapse' is not in the event" in err[0]


# ---------------------------------------------------------------- dummies
def test_dummies_at_monthly_and_weekly_frequency() -> None:
    spec = spec_with({
        "p": {"date": "2020-03-12"},
        "s": {"date": "2021-06-30", "shape": "step"},
        "w": {"date": "2022-11-08", "shape": "window", "periods": 2},
    })
    monthly = pd.date_range("2019-01-01", "2023-12-01", freq="MS")
    d = event_dummies(spec, monthly)
    assert d["p"].sum() == 1 and d["p"].idxmax() == pd.Timestamp("2020-03-01")
    assert d["s"].sum() == (monthly >= "2021-06-01").sum() and d["s"].idxmax() == pd.Timestamp("2021-06-01")
    assert list(d.index[d["w"] > 0]) == [pd.Timestamp("2022-11-01"), pd.Timestamp("2022-12-01")]
    weekly = pd.date_range("2019-01-04", "2023-12-29", freq="W-FRI")
    w = event_dummies(spec, weekly)
    # Thursday 2020-03-12 is in the week ending Friday 2020-03-13; a Friday is its own week's label
    assert w["p"].idxmax() == pd.Timestamp("2020-03-13")
    assert event_period("2025-02-21", weekly) == pd.Timestamp("2025-02-21")
    assert event_period("2025-02-22", weekly) == pd.Timestamp("2025-02-28")
    assert list(w.index[w["w"] > 0]) == [pd.Timestamp("2022-11-11"), pd.Timestamp("2022-11-18")]


def test_event_outside_the_sample_is_refused_with_its_name() -> None:
    spec = spec_with({"late": {"catalogue": "bybit_hack_2025"}})
    index = pd.date_range("2015-01-01", "2024-12-01", freq="MS")
    with pytest.raises(DataError, match=r"event 'late' \(2025-02-21\) falls outside the sample 2015-01-01..2024-12-01"):
        event_dummies(spec, index)
    # inside the panel but in the VAR's presample (its first lags): refused too
    spec = spec_with({"early": {"date": "2015-02-10"}})
    with pytest.raises(DataError, match="event 'early'"):
        event_dummies(spec, index, sample=index[6:])


def test_two_events_with_one_dummy_are_refused() -> None:
    spec = spec_with({"svb": {"catalogue": "svb_failure_2023"}, "usdc": {"catalogue": "usdc_depeg_2023"}})
    index = pd.date_range("2015-01-01", "2024-12-01", freq="MS")
    with pytest.raises(DataError, match="events 'svb' and 'usdc' give the same dummy"):
        event_dummies(spec, index)


# ---------------------------------------------------------------- effects in the VARX
def test_exog_response_is_the_difference_of_two_simulations() -> None:
    """Independent check: the fitted VARX simulated without shocks, with the dummy's path and without."""
    data, dummies = simulate_varx(300, np.random.default_rng(3))
    data.index = data.index.to_timestamp()
    dummies.index = data.index
    res = cm.SVAR(data, lags=2, exog=dummies).fit()
    paths = {"pulse": [1.0], "step": np.ones(13)}
    fx = res.exog_response(12, paths={"step": paths["step"]})
    banded = res.exog_response(12, paths={"step": paths["step"]}, bands="residual", reps=20, rng=0)
    assert fx.dims == banded.dims == ("horizon", "response", "shock", "bound")  # the same dims without bands
    assert list(fx["bound"].values) == ["point"]
    params = res.params.to_numpy()  # rows: const, pulse, step, L1.output, L1.prices, L2.output, L2.prices
    a1, a2 = params[3:5].T, params[5:7].T
    for j, name in enumerate(["pulse", "step"]):
        path = np.zeros(13)
        path[: len(paths[name])] = paths[name]
        y = np.zeros((15, 2))  # two presample zeros; deviations from the no-event path
        for h in range(13):
            y[h + 2] = a1 @ y[h + 1] + a2 @ y[h] + params[1 + j] * path[h]
        np.testing.assert_allclose(fx.sel(shock=name, bound="point").to_numpy(), y[2:], atol=1e-12)


def test_known_event_effect_recovered_within_its_band() -> None:
    data, dummies = simulate_varx(300, np.random.default_rng(11))
    data.index = data.index.to_timestamp()
    dummies.index = data.index
    res = cm.SVAR(data, lags=1, exog=dummies).fit(rng=0)
    draws = res.bootstrap(499, method="residual")
    fx = res.exog_response(0, bands=draws, level=0.95).sel(horizon=0)
    for j, name in enumerate(["pulse", "step"]):
        for k, var in enumerate(["output", "prices"]):
            cell = fx.sel(shock=name, response=var)
            assert float(cell.sel(bound="lower")) < VARX_GAMMA[j, k] < float(cell.sel(bound="upper")), (name, var)
    # a one-period pulse is estimated from one observation: its band is about +-1.96 error s.d. wide
    # (the OLS standard error of a one-observation dummy is the error s.d.); 30% slack for the bootstrap
    sd = np.sqrt(np.diag(VARX_CHOL @ VARX_CHOL.T))
    half = (fx.sel(shock="pulse", bound="upper") - fx.sel(shock="pulse", bound="lower")).to_numpy() / 2
    np.testing.assert_allclose(half, 1.96 * sd, rtol=0.3)


def test_pipeline_puts_events_in_the_var_and_the_decomposition() -> None:
    spec = cm.load_spec(DEMO)
    panel = cm.build_panel(spec, cm.open_source(spec))
    run = cm.fit_spec(spec, panel, assets=False, reps=100)
    assert list(run.events.columns) == list(spec.events)
    assert run.svar.exog_names == tuple(spec.events)
    assert "events" in run.historical_decomposition["shock"].values
    # every term of the decomposition, the events' included, sums to the data
    total = run.historical_decomposition.sum("shock").to_pandas()
    np.testing.assert_allclose(total.to_numpy(), panel.data.loc[total.index, total.columns].to_numpy(), atol=1e-8)
    assert run.event_effects is not None and set(run.event_effects["shock"].values) == set(spec.events)
    assert run.choices.event_bands == "block bootstrap"  # the run's own draws: blocks move the dummy period's zero residual
    # the FTX window is two months: its effect's impact is the dummy's coefficient, its second period adds the
    # coefficient again on top of the first period's propagation
    c = run.svar.params.loc["ftx_collapse_2022"]
    np.testing.assert_allclose(run.event_effects.sel(shock="ftx_collapse_2022", horizon=0, bound="point")
                               .to_pandas()[c.index], c, atol=1e-12)


def test_events_command_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "--kind", "hack", "--sources"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    hacks = [k for k, e in event_catalogue().items() if e.kind == "hack"]
    assert len(out) == len(hacks) and all(line.split()[1] in hacks for line in out)
    assert any(line.startswith("2025-02-21  bybit_hack_2025") and "<https://" in line for line in out)
    assert main(["events", "--kind", "hacks"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--kind: 'hacks' is not one of" in err[0]
