"""The report's headline answer and the liquidity tracker: numbers equal to direct calls on the run's own results."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.multitest import multipletests

import causalmacro as cm
from causalmacro.pipeline import RunResults, fit_spec
from causalmacro.pipeline.answer import Answer, _spectrum, robustness_shares, with_answer_robustness
from causalmacro.pipeline.tables import AssetTables, Robustness
from causalmacro.pipeline.tracker import liquidity_tracker, liquidity_variable
from causalmacro.report.html import html_report
from causalmacro.report.markdown import markdown

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "models" / "demo.toml"


@pytest.fixture(scope="module")
def run() -> RunResults:
    spec = cm.load_spec(DEMO)
    return fit_spec(spec, cm.build_panel(spec, cm.open_source(spec)), reps=60, assets=False)


def _holm(p: np.ndarray, i: int) -> float:
    return float(multipletests(p, method="holm")[1][i])


def test_the_answer_equals_direct_calls_on_the_runs_results(run: RunResults) -> None:
    ans, res, draws = run.answer, run.svar, run.draws
    assert ans is not None and draws is not None
    assert (ans.liquidity, ans.target, ans.horizon, ans.question) == ("net_liquidity", "btc", 24,
                                                                       "Does net_liquidity move btc?")
    cell = {"response": "btc", "shock": "net_liquidity"}
    irf = res.irf(24, bands=draws, level=0.9, joint=True).sel(cell)
    cum = res.irf(24, bands=draws, level=0.9, joint=True, cumulative=True).sel(cell)
    assert_allclose([ans.impact.point, ans.impact.lower, ans.impact.upper],
                    irf.sel(horizon=0).sel(bound=["point", "lower", "upper"]).to_numpy(), rtol=1e-12)
    assert_allclose([ans.cumulative.point, ans.cumulative.lower, ans.cumulative.upper],
                    cum.sel(horizon=24).sel(bound=["point", "lower", "upper"]).to_numpy(), rtol=1e-12)
    # the cumulative point is the sum of the responses 0..24
    assert ans.cumulative.point == pytest.approx(float(irf.sel(bound="point").sum()), rel=1e-10)
    test = res.irf_test(24, bands=draws)
    test = test[test["shock"] != test["response"]].reset_index(drop=True)
    i = int(np.flatnonzero((test["shock"] == "net_liquidity") & (test["response"] == "btc"))[0])
    assert ans.n_tests == len(test) == 20
    assert ans.path_pvalue == test["p_value"][i]
    assert ans.path_pvalue_adjusted == pytest.approx(_holm(test["p_value"].to_numpy(), i), abs=1e-12)
    table = res.causality_table()
    j = int(np.flatnonzero((table["cause"] == "net_liquidity") & (table["effect"] == "btc"))[0])
    assert ans.granger_pvalue == table["granger_pvalue"][j]
    assert ans.granger_pvalue_adjusted == pytest.approx(_holm(table["granger_pvalue"].to_numpy(), j), abs=1e-12)
    assert ans.instantaneous_pvalue_adjusted == pytest.approx(
        _holm(table["instantaneous_pvalue"].to_numpy(), j), abs=1e-12)
    fevd = res.fevd(24, bands=draws, level=0.9).sel(cell)
    for h in (12, 24):
        assert_allclose([ans.fevd[h].point, ans.fevd[h].lower, ans.fevd[h].upper],
                        fevd.sel(horizon=h).sel(bound=["point", "lower", "upper"]).to_numpy(), rtol=1e-12)
    # one rule: the answer's tests of the link are the graph edge's, which decides the arrow
    edge = run.graph.edges["net_liquidity", "btc"]
    assert (ans.path_pvalue_adjusted, ans.granger_pvalue_adjusted) == (edge["p_value"], edge["granger_pvalue"])
    assert ans.significant == edge["significant"] == (ans.path_pvalue_adjusted < 0.10)
    assert ans.verdict.startswith("Yes:" if ans.significant else "Not detectably:")
    assert run.to_dict()["answer"]["path_pvalue_adjusted"] == ans.path_pvalue_adjusted
    again = pickle.loads(pickle.dumps(run))
    assert again.answer.to_dict() == ans.to_dict() and again.tracker.to_dict() == run.tracker.to_dict()


def test_the_trackers_net_liquidity_is_the_formula_on_the_sources_series(run: RunResults) -> None:
    spec = run.spec
    source = cm.open_source(spec)
    monthly = {sid: source.load(sid).resample("MS").mean() for sid in ("WALCL", "WTREGEN", "RRPONTSYD")}
    hand = monthly["WALCL"] / 1000 - monthly["WTREGEN"] / 1000 - monthly["RRPONTSYD"]
    tr = run.tracker
    assert tr is not None and tr.skipped is None
    frame = tr.frame
    assert frame.index.equals(run.panel.data.index)
    assert_allclose(frame["liquidity"], hand.reindex(frame.index), rtol=1e-12)
    assert_allclose(frame["WALCL"], monthly["WALCL"].reindex(frame.index) / 1000, rtol=1e-12)
    assert_allclose(frame["RRPONTSYD"], monthly["RRPONTSYD"].reindex(frame.index), rtol=1e-12)
    assert_allclose(frame["liquidity"], frame["WALCL"] - frame["WTREGEN"] - frame["RRPONTSYD"], rtol=1e-12)
    btc = source.load("CBBTCUSD").resample("MS").last()  # a price: the end of the month (catalogue: "last")
    assert_allclose(frame["target"], btc.reindex(frame.index), rtol=1e-12)
    assert {k: s for k, (_, s) in tr.parts.items()} == {"WALCL": 1, "WTREGEN": -1, "RRPONTSYD": -1}


def test_spectrum_place_and_grid_shares_are_read_off_the_tables(run: RunResults) -> None:
    table = pd.DataFrame({"group": ["equity", "crypto", "safe_haven"], "mean": [0.4, 0.2, -0.1],
                          "lower": [0.1, -0.3, -0.4], "upper": [0.7, 0.6, 0.2], "prob_positive": [0.99, 0.7, 0.3],
                          "rank_mean": [1.1, 1.9, 3.0]}, index=pd.Index(["nasdaq", "btc", "gold"], name="asset"))
    tables = AssetTables(scale="standardized", regime="liquidity", regime_now="expanding",
                         spectra={"net_liquidity": table})
    place = _spectrum(tables, "net_liquidity", "btc", {})
    assert place == {"asset": "btc", "group": "crypto", "mean": 0.2, "lower": -0.3, "upper": 0.6,
                     "prob_positive": 0.7, "rank": 2, "n_assets": 3, "scale": "standardized",
                     "regime": "liquidity: expanding"}
    assert _spectrum(tables, "net_liquidity", "eth", {"btc": "crypto"})["asset"] == "btc"  # the first crypto asset
    assert _spectrum(tables, "real_rate", "btc", {}) is None
    shares = pd.DataFrame({"specifications": [12], "without_band": [0], "positive": [0.25], "negative": [0.0],
                           "point_positive": [0.9], "median": [1.0]}, index=["net_liquidity -> btc"])
    rob = Robustness(focus="btc", curve_at="peak", sign_shares={"impact": shares, "peak": shares}, curves={},
                     n_specifications=12, sizes={})
    assert robustness_shares(rob, "net_liquidity", "btc") == {
        at: {"specifications": 12.0, "positive": 0.25, "negative": 0.0} for at in ("impact", "peak")}
    assert robustness_shares(rob, "inflation", "btc") is None
    ans = with_answer_robustness(run.answer, rob)
    assert isinstance(ans, Answer)
    assert ("Across 12 specifications of the grid, the impact response's band excludes zero above in 25% and "
            "below in 0%.") in ans.lines()


def test_a_spec_without_a_liquidity_variable_says_so(run: RunResults, tmp_path: Path) -> None:
    text = DEMO.read_text().replace('order = ["inflation", "real_rate", "net_liquidity", "hy_spread", "btc"]',
                                    'order = ["inflation", "real_rate", "hy_spread", "btc"]')
    text = text.replace('shocks = ["inflation", "real_rate", "net_liquidity", "hy_spread"]',
                        'shocks = ["inflation", "real_rate", "hy_spread"]')
    text = text[:text.index("[scenarios.tga_rebuild]")]  # its conditions are on net liquidity
    (tmp_path / "no_liq.toml").write_text(text)
    spec = cm.load_spec(tmp_path / "no_liq.toml")
    assert liquidity_variable(spec) is None and liquidity_variable(run.spec) == "net_liquidity"
    tracker = liquidity_tracker(spec, cm.build_panel(spec, cm.open_source(spec)))
    assert tracker.skipped is not None and tracker.frame.empty and tracker.to_dict()["drawn"] is False
    bare = dataclasses.replace(run, answer=None, tracker=tracker)
    page = html_report(bare, tmp_path, [])
    assert f"No liquidity tracker: {tracker.skipped}." in page.replace("&#x27;", "'")
    assert "The spec has no liquidity variable" in page
    md = markdown(bare, [])
    assert "## The headline question" in md and f"No liquidity tracker: {tracker.skipped}." in md


def test_the_answer_says_when_the_identification_leaves_the_liquidity_shock_open(demo) -> None:
    """A proxy for the real-rate shock, or sign restrictions silent on liquidity, identify no liquidity shock: the
    verdict says so instead of reading numbers; a data-driven scheme that cannot tell it apart says 'weakly'."""
    from causalmacro.pipeline.answer import identification_caveats

    spec, panel = demo
    data = panel.data[list(spec.var.order)]
    res = cm.SVAR(data, lags=2, identification=cm.SignRestrictions(signs={"real_rate": {"real_rate": 1}})).fit()
    why, weak = identification_caveats(res, "net_liquidity")
    assert why == "no sign restriction names the net_liquidity shock, so the sign restrictions do not identify it"
    assert weak is None and identification_caveats(res, "real_rate") == (None, None)
    rec = cm.SVAR(data, lags=2).fit()
    z = pd.Series(np.asarray(rec.reduced_form.resid)[:, 1], index=rec.reduced_form.index)
    res = cm.SVAR(data, lags=2, identification=cm.Proxy(instrument=z, shock="real_rate")).fit()
    assert identification_caveats(res, "net_liquidity")[0] == (
        "the proxy identifies only the real_rate shock; the net_liquidity shock's column is a placeholder")
    with pytest.warns(cm.WeakIdentificationWarning):
        res = cm.SVAR(data, lags=2, identification=cm.ChangesInVolatility(breaks=["2020-03", "2022-05"])).fit()
    pairs = res.identification_details["weak_pairs"]
    others = [b if a == "net_liquidity" else a for a, b in pairs if "net_liquidity" in (a, b)]
    assert others  # the demo's variance ratios do not tell net_liquidity apart (weak pairs above)
    why, weak = identification_caveats(res, "net_liquidity")
    assert why is None and weak == ("the volatility identification cannot tell the net_liquidity shock apart from "
                                    f"{', '.join(others)} (their test does not reject at its level)")
    with pytest.warns(cm.WeakIdentificationWarning):  # the demo's shocks are Gaussian by construction
        res = cm.SVAR(data, lags=2, identification="non_gaussian").fit()
    gaussian = list(res.identification_details["gaussian_shocks"])
    assert "net_liquidity" in gaussian and len(gaussian) > 1
    others = ", ".join(g for g in gaussian if g != "net_liquidity")
    assert identification_caveats(res, "net_liquidity") == (None, (
        f"the non_gaussian identification cannot tell the net_liquidity shock apart from {others} (all look "
        "Gaussian, and Gaussian shocks can be rotated into each other)"))


def test_an_unidentified_liquidity_shock_gets_no_yes_or_no(run) -> None:
    ans = dataclasses.replace(run.answer, not_identified="the proxy identifies only the real_rate shock")
    assert ans.verdict == ("Not identified: the proxy identifies only the real_rate shock, so the run's numbers for "
                           "it do not answer the question.")
    weak = dataclasses.replace(run.answer, weakly_identified="x cannot be told apart from y")
    assert "Weakly identified: x cannot be told apart from y." in weak.lines()
    assert weak.to_dict()["weakly_identified"] == "x cannot be told apart from y"
